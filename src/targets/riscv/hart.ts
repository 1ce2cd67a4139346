/**
 * One RISC-V hart: architectural state plus the slow paths that generated code calls (memory
 * outside the RAM fast path, CSR instructions, AMOs, trap entry and return). Registers live in an
 * Int32Array: for RV32 register r is x[r]; for RV64 its low half is x[2r] and its high half x[2r+1].
 */
import type { Bus } from '../../core/bus.js';
import type { ClockEvent, VirtualClock } from '../../core/clock.js';
import type { PluginHost } from '../../plugin/host.js';
import { Discon } from '../../plugin/api.js';
import { Exc, Irq, trapName } from './causes.js';
import { Pmp } from './pmp.js';
import { FpState } from './fp/state.js';
import { Access, Mmu, pageKey } from './mmu.js';
import { DEFAULT_ISA, isaString, misaValue, type RvIsa } from './isa.js';

/** Thrown (a single shared instance) to unwind a block after a trap was taken inside it. */
export const GUEST_TRAP = { trap: true } as const;

/** Whether an instruction that faults counts as executed for virtual time. */
const FAULTING_INSN_COUNTS = false;

export const PRV_U = 0, PRV_S = 1, PRV_M = 3;
/** Position of mstatus.FS (2 bits) in the translation mode key. */
export const MODE_FS_SHIFT = 5;
/** Mode bit: data accesses go through the MMU (generated code uses the TLB fast path). */
export const MODE_DATA_MMU_SHIFT = 7;
/** Mode bit: instruction fetch goes through the MMU. */
export const MODE_FETCH_MMU_SHIFT = 9;

// mstatus bits
const SIE = 1n << 1n, MIE = 1n << 3n, SPIE = 1n << 5n, MPIE = 1n << 7n, SPP = 1n << 8n;
const MPP_SHIFT = 11n, MPP_MASK = 3n << 11n;
const FS_MASK = 3n << 13n, XS_MASK = 3n << 15n, VS_MASK = 3n << 9n;
const MPRV = 1n << 17n, SUM = 1n << 18n, MXR = 1n << 19n, TVM = 1n << 20n, TW = 1n << 21n, TSR = 1n << 22n;
/** mstatus bits software writes; FS only with F (QEMU 7.2's write_mstatus: `if (riscv_has_ext(env, RVF))`). */
const MSTATUS_WMASK_NOFP = SIE | MIE | SPIE | MPIE | SPP | MPP_MASK | MPRV | SUM | MXR | TVM | TW | TSR;
const SSTATUS_MASK = SIE | SPIE | SPP | FS_MASK | XS_MASK | VS_MASK | SUM | MXR | (3n << 32n) | (1n << 63n) | (1n << 31n);

const MIP_SSIP = 1 << 1, MIP_MSIP = 1 << 3, MIP_STIP = 1 << 5, MIP_MTIP = 1 << 7, MIP_SEIP = 1 << 9, MIP_MEIP = 1 << 11;
const MIE_WMASK = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
const MIDELEG_MASK = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** medeleg bits QEMU 7.2 keeps (it also lets M-mode ecall (11) and the guest-fault causes be set). */
const MEDELEG_MASK = 0xf0b7ffn;
const MENVCFG_STCE = 1n << 63n;
/** menvcfg: FIOM, CBIE, CBCFE, CBZE, STCE (Sstc), as QEMU 7.2's default CPU has them. */
const MENVCFG_MASK = 0xf1n | MENVCFG_STCE;
const SENVCFG_MASK = 0xf1n;
/** Last implemented hpm counter (QEMU 7.2: 16 of them, 3..18). */
const HPM_LAST = 18;

/** Exception causes whose xtval is QEMU 7.2's env->badaddr. */
const BADADDR_CAUSES = new Set<number>([Exc.InsnMisaligned, Exc.InsnAccess, Exc.LoadMisaligned, Exc.LoadAccess, Exc.StoreMisaligned, Exc.StoreAccess, Exc.InsnPage, Exc.LoadPage, Exc.StorePage]);

/** Interrupt priority order (privileged spec 3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
const IRQ_ORDER = [Irq.MEI, Irq.MSI, Irq.MTI, Irq.SEI, Irq.SSI, Irq.STI];

export interface HartTrace {
  /** `-d int`: one line per trap, in QEMU 7.2's format. */
  int?: (line: string) => void;
}

export interface HartOptions {
  xlen: 32 | 64;
  index: number;
  bus: Bus;
  clock: VirtualClock;
  host: PluginHost;
  /** mtime source for the `time` CSR (CLINT), if the machine has one. */
  rdtime?: () => bigint;
  /** `rdtime` as an exact number, or -1 to use `rdtime` (the `time` CSR fast path). */
  rdtimeNumber?: () => number;
  /** Timebase of `rdtime` in Hz (virt: 10 MHz). */
  timebaseHz?: number;
  /** Semihosting handler; returns true if the ebreak at pc was a semihosting call it serviced. */
  semihosting?: (hart: Hart) => boolean;
  trace?: HartTrace;
  /** Extensions (`-cpu rv64,...`); default QEMU 7.2's default CPU without H. */
  isa?: RvIsa;
}

export class Hart {
  readonly xlen: 32 | 64;
  readonly index: number;
  /** The extension set, fixed for the run. */
  readonly isa: RvIsa;
  private readonly mstatusWmask: bigint;
  readonly x = new Int32Array(64);
  pcLo = 0;
  pcHi = 0;
  /** Retired instructions (updated at block ends and on traps). */
  icount = 0;
  /** Instruction-count limit of the current run slice, set by the engine. */
  limit = 0;
  /** Nonzero: leave the current block at the next check (interrupt raised, code written, stop). */
  exitReq = 0;
  /** Nonzero when (mip & mie) has bits: the engine then asks `takeInterrupt`. */
  irqPending = 0;
  halted = false;
  priv = PRV_M;
  /** TB key bits: privilege level | fast-RAM permission. Updated whenever they change. */
  mode = PRV_M;
  /** High 32 bits of the last slow-path 64-bit load. */
  rhi = 0;
  /** Block being executed, for mapping an instruction index to its PC when it traps. */
  curBlock: { insnPcLo: Int32Array; insnPcHi: Int32Array; insnWord: Int32Array; n: number; trapFixup: ((v: number, k: number) => void) | undefined } | null = null;
  /** Index of the instruction being executed when a slow path runs (for exact virtual time). */
  curIdx = 0;

  // CSRs (64-bit values kept as bigint: only slow paths touch them)
  mstatus = 0n;
  misa: bigint;
  medeleg = 0n;
  mideleg = 0;
  mie = 0;
  /** Software-writable mip bits; hardware lines are ORed in `mipValue`. */
  mipSw = 0;
  mipHw = 0;
  mtvec = 0n; stvec = 0n;
  mscratch = 0n; sscratch = 0n;
  mepc = 0n; sepc = 0n;
  mcause = 0n; scause = 0n;
  mtval = 0n; stval = 0n;
  mcounteren = 0n; scounteren = 0n;
  menvcfg = 0n; senvcfg = 0n;
  mcountinhibit = 0n;
  satp = 0n;
  cycleOffset = 0n;
  readonly hpmCounter: bigint[] = new Array<bigint>(32).fill(0n);
  readonly hpmEvent: bigint[] = new Array<bigint>(32).fill(0n);
  /** Sstc supervisor timer compare. */
  stimecmp = 0n;
  /**
   * QEMU 7.2's env->badaddr: the bad address of the last fault that had one (xtval of misaligned,
   * access-fault and page-fault causes). A misaligned mret/sret without C reports it again, stale;
   * a reset keeps it (QEMU does not clear it).
   */
  badaddr = 0n;
  private readonly stimer: ClockEvent = { deadline: Infinity, fire: () => this.setStip(true) };
  private readonly timebaseHz: number;
  instretOffset = 0n;
  mscratchcsw = 0n;
  readonly pmp = new Pmp();
  readonly fp = new FpState();
  readonly mmu: Mmu;
  /** Translation context the data TLBs were filled under (privilege, SUM, MXR). */
  private tlbCtx = -1;
  /** Blocks were translated through the MMU: they must go when mappings change. */
  mmuBlocks = false;
  /** For an access crossing into a page mapped elsewhere: physical address of its second part. */
  private splitPa = -1;
  /**
   * Reservation for LR/SC: physical address or -1, and the value LR loaded. As QEMU 7.2, SC is a
   * compare-and-swap against that value: it fails if the word changed since the LR.
   */
  reservation = -1;
  reservedLo = 0;
  reservedHi = 0;

  readonly bus: Bus;
  readonly clock: VirtualClock;
  readonly host: PluginHost;
  private readonly rdtime: (() => bigint) | undefined;
  private readonly rdtimeNumber: (() => number) | undefined;
  private readonly semihosting: ((hart: Hart) => boolean) | undefined;
  private readonly trace: HartTrace;
  /** The machine uses this to learn of a critical stop (double fault in M-mode is not one: RISC-V just re-traps). */
  readonly xlenMask: bigint;

  constructor(o: HartOptions) {
    this.xlen = o.xlen;
    this.index = o.index;
    this.bus = o.bus;
    this.clock = o.clock;
    this.host = o.host;
    this.rdtime = o.rdtime;
    this.rdtimeNumber = o.rdtimeNumber;
    this.semihosting = o.semihosting;
    this.trace = o.trace ?? {};
    this.xlenMask = o.xlen === 64 ? 0xffffffffffffffffn : 0xffffffffn;
    this.isa = o.isa ?? DEFAULT_ISA;
    this.misa = misaValue(o.xlen, this.isa);
    this.mstatusWmask = MSTATUS_WMASK_NOFP | (this.isa.f ? FS_MASK : 0n);
    if (o.xlen === 64) this.mstatus = (2n << 32n) | (2n << 34n); // UXL = SXL = 64-bit
    this.mmu = new Mmu(o.bus, this.pmp, o.xlen);
    this.timebaseHz = o.timebaseHz ?? 10_000_000;
    if (this.rdtime !== undefined) this.clock.addEvent(this.stimer);
    this.updateMode();
  }

  /** Power-on state (system reset): registers, privilege, CSRs, PMP, MMU, FP; time goes on. */
  reset(): void {
    this.x.fill(0);
    this.fp.f.fill(0); this.fp.fflags = 0; this.fp.frm = 0;
    this.priv = PRV_M;
    this.halted = false;
    this.mstatus = this.xlen === 64 ? (2n << 32n) | (2n << 34n) : 0n;
    this.medeleg = 0n; this.mideleg = 0; this.mie = 0; this.mipSw = 0;
    this.mtvec = 0n; this.stvec = 0n; this.mscratch = 0n; this.sscratch = 0n;
    this.mepc = 0n; this.sepc = 0n; this.mcause = 0n; this.scause = 0n; this.mtval = 0n; this.stval = 0n;
    this.mcounteren = 0n; this.scounteren = 0n; this.menvcfg = 0n; this.senvcfg = 0n; this.mcountinhibit = 0n;
    this.satp = 0n; this.stimecmp = 0n; this.stimer.deadline = Infinity;
    this.hpmCounter.fill(0n); this.hpmEvent.fill(0n);
    this.reservation = -1;
    this.pmp.reset();
    this.mmu.flush();
    this.updateMode();
    this.irqChanged();
    this.exitReq = 1;
  }

  // ---- registers --------------------------------------------------------------------------

  /** Read integer register r as an unsigned bigint. */
  getX(r: number): bigint {
    if (this.xlen === 32) return BigInt(this.x[r]! >>> 0);
    return (BigInt(this.x[2 * r + 1]! >>> 0) << 32n) | BigInt(this.x[2 * r]! >>> 0);
  }
  setX(r: number, v: bigint): void {
    if (r === 0) return;
    if (this.xlen === 32) { this.x[r] = Number(v & 0xffffffffn) | 0; return; }
    this.x[2 * r] = Number(v & 0xffffffffn) | 0;
    this.x[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  get pc(): bigint { return (BigInt(this.pcHi >>> 0) << 32n) | BigInt(this.pcLo >>> 0); }
  setPc(v: bigint): void {
    v &= this.xlenMask;
    this.pcLo = Number(v & 0xffffffffn) | 0;
    this.pcHi = Number(v >> 32n) | 0;
  }

  /** Sign-extend an XLEN value to the canonical register form and mask it. */
  private sx(v: bigint): bigint { return BigInt.asUintN(this.xlen, v); }

  // ---- time and counters -------------------------------------------------------------------

  /** Instructions retired up to the instruction now executing (exact inside a block). */
  retired(): number { return this.icount + this.curIdx; }

  // With instruction-counted time QEMU 7.2 reads both counters from the virtual clock (in ns,
  // idle time included), so they advance across WFI too.
  private instret(): bigint { return BigInt(this.clock.nowNs()) + this.instretOffset; }
  private cycles(): bigint { return BigInt(this.clock.nowNs()) + this.cycleOffset; }

  // ---- interrupts ---------------------------------------------------------------------------

  get mip(): number { return this.mipSw | this.mipHw; }

  /** Set or clear a hardware-driven mip bit (CLINT, PLIC lines). */
  setIrqLine(bit: number, level: boolean): void {
    const old = this.mipHw;
    this.mipHw = level ? old | bit : old & ~bit;
    if (this.mipHw !== old) this.irqChanged();
  }

  private irqChanged(): void {
    this.irqPending = this.mip & this.mie;
    if (this.irqPending !== 0) this.exitReq = 1;
  }

  /** The interrupt that would be taken now, or -1. */
  private pendingInterrupt(): number {
    const pending = this.mip & this.mie;
    if (pending === 0) return -1;
    const mEnabled = this.priv < PRV_M || (this.mstatus & MIE) !== 0n;
    const sEnabled = this.priv < PRV_S || (this.priv === PRV_S && (this.mstatus & SIE) !== 0n);
    const m = mEnabled ? pending & ~this.mideleg : 0;
    const s = sEnabled ? pending & this.mideleg : 0;
    const set = m !== 0 ? m : s;
    if (set === 0) return -1;
    for (const c of IRQ_ORDER) if ((set & (1 << c)) !== 0) return c;
    return -1;
  }

  /** Called by the engine between blocks when `irqPending`: wake from WFI, take an interrupt. */
  takeInterrupt(): boolean {
    if (this.halted && (this.mip & this.mie) !== 0) {
      this.halted = false;
      if (this.host.hasIdleHooks) this.host.vcpuResume(this.index);
    }
    const c = this.pendingInterrupt();
    if (c < 0) return false;
    this.trap(c, true, 0n, this.pc);
    return true;
  }

  // ---- traps -----------------------------------------------------------------------------------

  /**
   * Take a trap: `epc` is the PC recorded in xepc. Writes the cause/status registers, switches
   * mode, sets the PC to the vector and reports the discontinuity.
   */
  trap(cause: number, async: boolean, tval: bigint, epc: bigint): void {
    const fromPriv = this.priv;
    if (!async && BADADDR_CAUSES.has(cause)) this.badaddr = tval;
    const deleg = fromPriv <= PRV_S && (async ? ((this.mideleg >> cause) & 1) !== 0 : ((this.medeleg >> BigInt(cause)) & 1n) !== 0n);
    const causeVal = async ? (1n << BigInt(this.xlen - 1)) | BigInt(cause) : BigInt(cause);
    let vec: bigint;
    if (this.trace.int) {
      const w = this.xlen === 64 ? 16 : 8;
      const h = (v: bigint): string => v.toString(16).padStart(w, '0');
      this.trace.int(`riscv_cpu_do_interrupt: hart:${this.index}, async:${async ? 1 : 0}, cause:${h(BigInt(cause))}, epc:0x${h(epc)}, tval:0x${h(tval)}, desc=${trapName(cause, async)}\n`);
    }
    if (deleg) {
      this.scause = causeVal;
      this.sepc = epc & ~1n;
      this.stval = tval;
      let st = this.mstatus;
      st = (st & SIE) !== 0n ? st | SPIE : st & ~SPIE;
      st &= ~SIE;
      st = fromPriv === PRV_S ? st | SPP : st & ~SPP;
      this.mstatus = st;
      this.priv = PRV_S;
      vec = this.stvec;
    } else {
      this.mcause = causeVal;
      this.mepc = epc & ~1n;
      this.mtval = tval;
      let st = this.mstatus;
      st = (st & MIE) !== 0n ? st | MPIE : st & ~MPIE;
      st &= ~MIE;
      st = (st & ~MPP_MASK) | (BigInt(fromPriv) << MPP_SHIFT);
      this.mstatus = st;
      this.priv = PRV_M;
      vec = this.mtvec;
    }
    let target = vec & ~3n;
    if (async && (vec & 3n) === 1n) target += 4n * BigInt(cause);
    this.setPc(target);
    this.reservation = -1;
    this.updateMode();
    this.irqPending = this.mip & this.mie;
    this.exitReq = 1;
    const kind = async ? Discon.Interrupt : Discon.Exception;
    if ((this.host.disconMask & kind) !== 0) {
      this.host.discon(this.index, kind, Number(epc & 0xffffffffn) | 0, Number(epc >> 32n) | 0, this.pcLo, this.pcHi, cause);
    }
  }

  /** PC of instruction `k` of the executing block. */
  private insnPc(k: number): bigint {
    const b = this.curBlock!;
    return (BigInt(b.insnPcHi[k]! >>> 0) << 32n) | BigInt(b.insnPcLo[k]! >>> 0);
  }

  /** Take a synchronous exception at instruction `k` of the current block and unwind it. */
  raise(k: number, cause: number, tval: bigint, counts = FAULTING_INSN_COUNTS): never {
    this.icount += counts ? k + 1 : k;
    const fix = this.curBlock!.trapFixup;
    if (fix !== undefined) fix(this.index, k);
    this.curIdx = 0;
    this.trap(cause, false, tval, this.insnPc(k));
    throw GUEST_TRAP;
  }

  /**
   * Instruction-address-misaligned at `k` (C off: a jump or taken branch to a target with bit 1
   * set). `lo/hi` is QEMU 7.2's bad address (translate.ts, emit.ts).
   */
  misalignedFetch(k: number, lo: number, hi: number): never {
    const tval = this.xlen === 32 ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    return this.raise(k, Exc.InsnMisaligned, tval);
  }

  /** Illegal instruction at `k`: QEMU puts the instruction bits in xtval. */
  illegal(k: number): never {
    const w = this.curBlock!.insnWord[k]! >>> 0;
    return this.raise(k, Exc.Illegal, BigInt(w));
  }

  /**
   * An instruction that failed to decode at k. QEMU raises these at translation time, so under
   * -icount they count as executed, unlike faults found while running.
   */
  illegalDecode(k: number): never {
    const w = this.curBlock!.insnWord[k]! >>> 0;
    return this.raise(k, Exc.Illegal, BigInt(w), true);
  }

  /** `ecall` at instruction k (the block ends with it). */
  ecall(k: number): void {
    this.icount += k + 1;
    const cause = this.priv === PRV_U ? Exc.EcallU : this.priv === PRV_S ? Exc.EcallS : Exc.EcallM;
    this.trap(cause, false, 0n, this.insnPc(k));
  }

  /** `ebreak` at instruction k: a semihosting call if enabled and framed by the magic sequence. */
  ebreak(k: number): void {
    this.icount += k + 1;
    const pc = this.insnPc(k);
    this.setPc(pc);
    if (this.semihosting !== undefined && this.semihosting(this)) {
      // The handler set a0; resume at the srai after the ebreak.
      this.setPc(pc + 4n);
      if ((this.host.disconMask & Discon.HostCall) !== 0) {
        this.host.discon(this.index, Discon.HostCall, Number(pc & 0xffffffffn) | 0, Number(pc >> 32n) | 0, this.pcLo, this.pcHi);
      }
      return;
    }
    this.trap(Exc.Breakpoint, false, 0n, pc);
  }

  /** Exception for an instruction fetch at `pc` (no block could be formed there). */
  fetchFault(pc: bigint, tval: bigint, cause: number): void {
    this.trap(cause, false, tval, pc);
  }

  mret(k: number): void {
    if (this.priv < PRV_M) this.illegal(k);
    // QEMU 7.2 helper_mret: without C, mepc[1:0] != 0 raises misaligned fetch with the stale bad address.
    if (!this.isa.c && (this.mepc & 3n) !== 0n) this.raise(k, Exc.InsnMisaligned, this.badaddr);
    let st = this.mstatus;
    const mpp = Number((st & MPP_MASK) >> MPP_SHIFT);
    // QEMU 7.2 (target/riscv/op_helper.c helper_mret): returning below M while no PMP entry is
    // active is an illegal instruction, raised by the helper (so not counted by icount).
    if (mpp !== PRV_M && this.pmp.numRules() === 0) this.illegal(k);
    this.icount += k + 1;
    st = (st & MPIE) !== 0n ? st | MIE : st & ~MIE;
    st |= MPIE;
    st &= ~MPP_MASK; // MPP = U (least privileged supported)
    if (mpp !== PRV_M) st &= ~MPRV;
    this.mstatus = st;
    this.priv = mpp === 2 ? PRV_U : mpp;
    this.setPc(this.mepc & ~1n);
    this.reservation = -1;
    this.updateMode();
    this.irqChanged();
  }

  sret(k: number): void {
    // QEMU 7.2 helper_sret: privilege, then (without C) sepc[1:0], then TSR.
    if (this.priv < PRV_S) this.illegal(k);
    if (!this.isa.c && (this.sepc & 3n) !== 0n) this.raise(k, Exc.InsnMisaligned, this.badaddr);
    if (this.priv === PRV_S && (this.mstatus & TSR) !== 0n) this.illegal(k);
    this.icount += k + 1;
    let st = this.mstatus;
    const spp = (st & SPP) !== 0n ? PRV_S : PRV_U;
    st = (st & SPIE) !== 0n ? st | SIE : st & ~SIE;
    st |= SPIE;
    st &= ~SPP;
    st &= ~MPRV;
    this.mstatus = st;
    this.priv = spp;
    this.setPc(this.sepc & ~1n);
    this.reservation = -1;
    this.updateMode();
    this.irqChanged();
  }

  /**
   * `wfi` at k; `nextLo/nextHi` is the PC after it, `tbTail` the number of instructions after it
   * in the translation block QEMU 7.2 would have made (translate.ts).
   */
  wfi(k: number, nextLo: number, nextHi: number, tbTail: number): void {
    if (this.priv === PRV_U || (this.priv === PRV_S && (this.mstatus & TW) !== 0n)) this.illegal(k);
    this.icount += k + 1;
    this.pcLo = nextLo; this.pcHi = nextHi;
    if ((this.mip & this.mie) !== 0) {
      // QEMU 7.2's helper_wfi halts even with an interrupt pending and leaves through
      // cpu_loop_exit, which (unlike a fault's cpu_loop_exit_restore) does not give back the
      // icount already charged for the rest of its translation block: the instructions after the
      // wfi in that block count as executed although the hart goes on at the next one. QEMU only
      // runs a block that fits before the next timer deadline, so the count stops there. (A wfi
      // that sleeps is charged the same, but sleeping then ends at the deadline either way.)
      let extra = tbTail;
      const dl = this.clock.nextDeadline();
      if (dl !== Infinity) extra = Math.max(0, Math.min(extra, this.clock.icountAt(dl) - this.clock.icount()));
      this.icount += extra;
    } else {
      this.halted = true;
      if (this.host.hasIdleHooks) this.host.vcpuIdle(this.index);
    }
  }

  // ---- memory slow paths ---------------------------------------------------------------------

  /** Translate a data address to physical, checking PMP; raises on failure. */
  /** Is address translation on for this privilege (satp mode not Bare)? */
  translating(priv: number): boolean { return priv < PRV_M && this.satp >> BigInt(this.xlen === 32 ? 31 : 60) !== 0n; }

  private dataAddr(k: number, lo: number, hi: number, size: number, store: boolean): number {
    const priv = (this.mstatus & MPRV) !== 0n ? Number((this.mstatus & MPP_MASK) >> MPP_SHIFT) : this.priv;
    this.splitPa = -1;
    if (this.translating(priv)) return this.virtAddr(k, lo, hi, size, store, priv);
    const a = this.xlen === 32 ? lo >>> 0 : (hi >>> 0) * 0x100000000 + (lo >>> 0);
    if (hi !== 0 && this.xlen === 64 && (hi >>> 0) >= 0x01000000) {
      this.raise(k, store ? Exc.StoreAccess : Exc.LoadAccess, this.deniedAddr(lo, hi, size, store));
    }
    if (!this.pmp.allows(a, size, store ? 2 : 1, priv)) {
      this.raise(k, store ? Exc.StoreAccess : Exc.LoadAccess, this.deniedAddr(lo, hi, size, store));
    }
    return a;
  }

  /** Data access through the MMU: walk, check PMP, fill the TLB for the fast path. */
  private virtAddr(k: number, lo: number, hi: number, size: number, store: boolean, priv: number): number {
    const access = store ? Access.Write : Access.Read;
    const sum = (this.mstatus & SUM) !== 0n, mxr = (this.mstatus & MXR) !== 0n;
    const w = this.mmu.walk(this.satp, lo, hi, access, priv, sum, mxr);
    const fault = (f: number): never => this.raise(k, f === 2 ? (store ? Exc.StoreAccess : Exc.LoadAccess) : (store ? Exc.StorePage : Exc.LoadPage), this.addrBig(lo, hi));
    if (w.fault !== 0) fault(w.fault);
    const pa = w.pa;
    const dirty = w.dirty;
    if (!this.pmp.allows(pa, Math.min(size, 4096 - (pa & 0xfff)), store ? 2 : 1, priv)) fault(2);
    // Cache RAM pages the PMP fully allows, for generated code to use inline.
    const page = pa - (pa & 0xfff);
    const off = page - this.pmp.ramBase;
    if (off >= 0 && off < this.pmp.ramSize && this.pmp.allows(page, 4096, store ? 2 : 1, priv) && (!store || dirty)) {
      const tlb = store ? this.mmu.write : this.mmu.read;
      const e = (lo >>> 12) & 255;
      tlb.tag[e] = pageKey(lo, this.xlen === 32 ? 0 : hi);
      tlb.off[e] = off;
    }
    if ((lo & 0xfff) + size > 4096) {
      // The access crosses into the next virtual page: translate it too.
      const lo2 = (lo + size - 1) | 0;
      const hi2 = (hi + ((lo >>> 0) + size - 1 >= 4294967296 ? 1 : 0)) | 0;
      const w2 = this.mmu.walk(this.satp, lo2, hi2, access, priv, sum, mxr);
      if (w2.fault !== 0) this.raise(k, w2.fault === 2 ? (store ? Exc.StoreAccess : Exc.LoadAccess) : (store ? Exc.StorePage : Exc.LoadPage), this.addrBig(lo2 & ~0xfff, hi2));
      const pa2 = w2.pa - (w2.pa & 0xfff);
      if (!this.pmp.allows(pa2, (lo & 0xfff) + size - 4096, store ? 2 : 1, priv)) fault(2);
      if (pa2 !== page + 4096) this.splitPa = pa2;
    }
    return pa;
  }

  /** Bytes of an access that straddles two non-adjacent physical pages, one at a time. */
  private splitRead(pa: number, size: number): number {
    const first = 4096 - (pa & 0xfff);
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const b = this.bus.read(i < first ? pa + i : this.splitPa + (i - first), 1);
      if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
    }
    this.bus.hi32 = hi;
    return lo >>> 0;
  }

  private splitWrite(pa: number, size: number, vlo: number, vhi: number): void {
    const first = 4096 - (pa & 0xfff);
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (vlo >>> (8 * i)) & 0xff : (vhi >>> (8 * (i - 4))) & 0xff;
      this.bus.write(i < first ? pa + i : this.splitPa + (i - first), 1, b);
    }
  }

  /**
   * xtval for a failed access: the first byte that has no memory behind it (QEMU splits a
   * misaligned access that leaves a region, so the fault names the first byte past it).
   */
  private faultAddr(pa: number, size: number, lo: number, hi: number, load = false): bigint {
    const va = this.addrBig(lo, hi);
    if (load && size > 1 && (lo & (size - 1)) !== 0) {
      // QEMU 7.2 performs a misaligned load as two aligned loads of the same size: the fault
      // names the aligned address of whichever part failed first.
      const down = BigInt(lo & (size - 1));
      const firstOk = this.bus.find(pa - Number(down), size) !== undefined;
      return BigInt.asUintN(this.xlen, va - down + (firstOk ? BigInt(size) : 0n));
    }
    let i = 0;
    if (size > 1 && this.bus.find(pa, 1) !== undefined) {
      while (i < size && this.bus.find(pa + i, 1) !== undefined) i++;
      if (i === size) i = 0;
    }
    return BigInt.asUintN(this.xlen, va + BigInt(i));
  }

  /** xtval for an access denied as a whole: a misaligned load reports its aligned first part (QEMU 7.2). */
  private deniedAddr(lo: number, hi: number, size: number, store: boolean): bigint {
    const va = this.addrBig(lo, hi);
    return !store && size > 1 ? va - BigInt(lo & (size - 1)) : va;
  }

  private addrBig(lo: number, hi: number): bigint {
    return this.xlen === 32 ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  /** Physical address of byte `i` of a `size`-byte access at `pa` (through `splitPa` past the page end). */
  private bytePa(pa: number, i: number): number {
    return this.splitPa >= 0 && (pa & 0xfff) + i >= 4096 ? this.splitPa + (((pa & 0xfff) + i) & 0xfff) : pa + i;
  }

  /** Does a misaligned access at `pa` involve a device (either aligned part of it MMIO)? */
  private touchesMmio(pa: number, size: number): boolean {
    const down = pa & (size - 1);
    return this.bus.find(pa - down, 1)?.kind === 'mmio' || this.bus.find(this.bytePa(pa - down, size), 1)?.kind === 'mmio';
  }

  /**
   * A misaligned load that involves MMIO, as QEMU 7.2's softmmu performs it (accel/tcg/cputlb.c
   * load_helper, `do_unaligned_access`): two aligned loads of the access size, at the address
   * aligned down and the next one, each reaching the device as an aligned access, their bytes
   * combined. Returns the low word (high word in bus.hi32); a failed part leaves bus.error set.
   */
  private misalignedMmioRead(k: number, pa: number, size: number, lo: number, hi: number): number {
    const bus = this.bus;
    const down = pa & (size - 1);
    const va1 = BigInt.asUintN(this.xlen, this.addrBig(lo, hi) - BigInt(down));
    const pa1 = pa - down;
    const l1 = bus.read(pa1, size) >>> 0, h1 = size === 8 ? bus.hi32 >>> 0 : 0;
    if (bus.error !== 0) { this.curIdx = 0; this.raise(k, Exc.LoadAccess, va1); }
    const l2 = bus.read(this.bytePa(pa1, size), size) >>> 0, h2 = size === 8 ? bus.hi32 >>> 0 : 0;
    if (bus.error !== 0) { this.curIdx = 0; this.raise(k, Exc.LoadAccess, BigInt.asUintN(this.xlen, va1 + BigInt(size))); }
    const sh = 8 * down;
    if (size === 2) return ((l1 >>> sh) | (l2 << (16 - sh))) & 0xffff;
    if (size === 4) return ((l1 >>> sh) | (l2 << (32 - sh))) >>> 0;
    const r1 = (BigInt(h1) << 32n) | BigInt(l1), r2 = (BigInt(h2) << 32n) | BigInt(l2);
    const r = BigInt.asUintN(64, (r1 >> BigInt(sh)) | (r2 << BigInt(64 - sh)));
    bus.hi32 = Number(r >> 32n) | 0;
    return Number(r & 0xffffffffn);
  }

  /**
   * A misaligned store that involves MMIO, as QEMU 7.2 performs it (cputlb.c
   * store_helper_unaligned): byte stores in ascending address order; a byte the bus refuses is a
   * store access fault at that byte's address, the bytes before it stay written.
   */
  private misalignedMmioWrite(k: number, pa: number, size: number, vlo: number, vhi: number, lo: number, hi: number): void {
    const bus = this.bus;
    for (let i = 0; i < size; i++) {
      bus.error = 0;
      bus.write(this.bytePa(pa, i), 1, i < 4 ? (vlo >>> (8 * i)) & 0xff : (vhi >>> (8 * (i - 4))) & 0xff);
      if (bus.error !== 0) { this.curIdx = 0; this.raise(k, Exc.StoreAccess, BigInt.asUintN(this.xlen, this.addrBig(lo, hi) + BigInt(i))); }
    }
  }

  /** Load `size` bytes; returns the low word (sign- or zero-extended per `signed`), high word in `rhi`. */
  load(k: number, lo: number, hi: number, size: number, signed: boolean): number {
    const a = this.dataAddr(k, lo, hi, size, false);
    const bus = this.bus;
    bus.error = 0;
    this.curIdx = k + 1;
    const v = (a & (size - 1)) !== 0 && this.touchesMmio(a, size)
      ? this.misalignedMmioRead(k, a, size, lo, hi)
      : this.splitPa < 0 ? bus.read(a, size) : this.splitRead(a, size);
    this.curIdx = 0;
    if (bus.error !== 0) this.raise(k, Exc.LoadAccess, this.faultAddr(a, size, lo, hi, true));
    switch (size) {
      case 1: { const r = signed ? (v << 24) >> 24 : v; this.rhi = r >> 31; return r; }
      case 2: { const r = signed ? (v << 16) >> 16 : v; this.rhi = r >> 31; return r; }
      case 4: { const r = v | 0; this.rhi = signed ? r >> 31 : 0; return r; }
      default: this.rhi = bus.hi32 | 0; return v | 0;
    }
  }

  /** Store `size` bytes. Returns nonzero if the block must end after this store. */
  store(k: number, lo: number, hi: number, size: number, vlo: number, vhi: number): number {
    const a = this.dataAddr(k, lo, hi, size, true);
    const bus = this.bus;
    bus.error = 0;
    this.curIdx = k + 1;
    if ((a & (size - 1)) !== 0 && this.touchesMmio(a, size)) this.misalignedMmioWrite(k, a, size, vlo, vhi, lo, hi);
    else if (this.splitPa < 0) bus.write(a, size, vlo, vhi); else this.splitWrite(a, size, vlo, vhi);
    this.curIdx = 0;
    if (bus.error !== 0) {
      // QEMU 7.2 splits a misaligned store that leaves memory: the bytes before the hole are
      // written, then the fault is taken at the first missing byte.
      if (size > 1 && this.splitPa < 0) {
        for (let i = 0; i < size && this.bus.find(a + i, 1) !== undefined; i++) {
          bus.error = 0;
          bus.write(a + i, 1, i < 4 ? (vlo >>> (8 * i)) & 0xff : (vhi >>> (8 * (i - 4))) & 0xff);
        }
      }
      this.raise(k, Exc.StoreAccess, this.faultAddr(a, size, lo, hi));
    }
    return this.exitReq;
  }

  /** LR.W / LR.D */
  lr(k: number, lo: number, hi: number, size: number): number {
    if ((lo & (size - 1)) !== 0) this.raise(k, Exc.LoadMisaligned, this.addrBig(lo, hi));
    const v = this.load(k, lo, hi, size, true);
    this.reservation = this.xlen === 32 ? lo >>> 0 : (hi >>> 0) * 0x100000000 + (lo >>> 0);
    this.reservedLo = v;
    this.reservedHi = this.rhi;
    return v;
  }

  /** SC.W / SC.D: returns 0 on success, 1 on failure. */
  sc(k: number, lo: number, hi: number, size: number, vlo: number, vhi: number): number {
    const a = this.xlen === 32 ? lo >>> 0 : (hi >>> 0) * 0x100000000 + (lo >>> 0);
    if (this.reservation !== a) {
      // As QEMU 7.2: an SC to any address but the reserved one fails without touching memory,
      // so it cannot fault, misaligned or not (the spec would raise; see the fuzzer's notes).
      // QEMU marks "no reservation" with load_res = -1 (riscv_cpu_set_mode, gen_sc), so an SC
      // to the all-ones address then passes its address check and goes on to the (always
      // misaligned) compare-and-swap, which raises (trans_rva.c.inc gen_sc).
      if (this.reservation === -1 && lo === -1 && (this.xlen === 32 || hi === -1)) {
        this.raise(k, Exc.StoreMisaligned, this.addrBig(lo, hi));
      }
      this.reservation = -1;
      return 1;
    }
    if ((lo & (size - 1)) !== 0) this.raise(k, Exc.StoreMisaligned, this.addrBig(lo, hi));
    // A compare-and-swap against the value LR loaded, as QEMU does it: the store happens when
    // the access-size value is unchanged; rd reports whether the XLEN value matched (so an
    // LR.D paired with an SC.W can store yet report failure, exactly like QEMU 7.2).
    const cur = this.load(k, lo, hi, size, true), curHi = this.rhi;
    this.reservation = -1;
    if (cur !== this.reservedLo || (size === 8 && curHi !== this.reservedHi)) return 1;
    this.store(k, lo, hi, size, vlo, vhi);
    return size === 4 && this.xlen === 64 && curHi !== this.reservedHi ? 1 : 0;
  }

  /** AMO*: returns the old value (low word, high in rhi); `op` names the operation. */
  amo(k: number, op: number, lo: number, hi: number, size: number, blo: number, bhi: number): number {
    if ((lo & (size - 1)) !== 0) this.raise(k, Exc.StoreMisaligned, this.addrBig(lo, hi));
    // A read-modify-write: permission for both, faults reported as store/AMO faults.
    const a = this.dataAddr(k, lo, hi, size, true);
    const bus = this.bus;
    bus.error = 0;
    this.curIdx = k + 1;
    const olo = bus.read(a, size) | 0;
    const ohi = size === 8 ? bus.hi32 | 0 : olo >> 31;
    this.curIdx = 0;
    if (bus.error !== 0) this.raise(k, Exc.StoreAccess, this.addrBig(lo, hi));
    let nlo: number, nhi: number;
    if (size === 4) {
      nlo = amo32(op, olo, blo);
      nhi = 0;
    } else {
      const o = BigInt.asIntN(64, (BigInt(ohi >>> 0) << 32n) | BigInt(olo >>> 0));
      const b = BigInt.asIntN(64, (BigInt(bhi >>> 0) << 32n) | BigInt(blo >>> 0));
      const n = BigInt.asUintN(64, amo64(op, o, b));
      nlo = Number(n & 0xffffffffn) | 0;
      nhi = Number(n >> 32n) | 0;
    }
    this.curIdx = k + 1;
    bus.write(a, size, nlo, nhi);
    this.curIdx = 0;
    if (bus.error !== 0) this.raise(k, Exc.StoreAccess, this.addrBig(lo, hi));
    this.rhi = ohi;
    return olo;
  }

  // ---- CSRs ------------------------------------------------------------------------------------

  /**
   * A CSR instruction at k: op 1 = rw, 2 = rs, 3 = rc. `write` is false for rs/rc with rs1 = x0
   * (or uimm 0). `read` is false for csrrw with rd = x0. Returns the old value's low word (high
   * word in rhi). Raises illegal instruction on any violation.
   */
  csr(k: number, csr: number, op: number, srcLo: number, srcHi: number, write: boolean, read: boolean): number {
    // As QEMU: csrrs/csrrc whose source register holds 0 do not write (so read-only CSRs don't trap).
    if (op !== 1 && srcLo === 0 && srcHi === 0) write = false;
    const minPriv = (csr >> 8) & 3;
    if (this.priv < minPriv) this.illegal(k);
    if (write && (csr >> 10) === 3) this.illegal(k);
    this.curIdx = k + 1;
    const old = read || op !== 1 ? this.csrRead(k, csr) : (this.csrCheck(k, csr), 0n);
    if (write) {
      const src = this.xlen === 32 ? BigInt(srcLo >>> 0) : (BigInt(srcHi >>> 0) << 32n) | BigInt(srcLo >>> 0);
      const nv = op === 1 ? src : op === 2 ? old | src : old & ~src;
      this.csrWrite(k, csr, nv);
    }
    this.curIdx = 0;
    const v = BigInt.asUintN(this.xlen, old);
    this.rhi = Number(v >> 32n) | 0;
    return Number(v & 0xffffffffn) | 0;
  }

  /** Existence and access checks without reading (csrrw with rd = x0). */
  private csrCheck(k: number, csr: number): void { this.csrRead(k, csr); }

  /**
   * `csrr rd, time` (firmware polls it in delay loops): the same checks as the CSR path, with the
   * value computed without BigInt when it can be. Returns the low word; high word in rhi.
   */
  readTime(k: number): number {
    if (this.rdtime === undefined) this.illegal(k);
    if (this.priv < PRV_M) this.counterAllowed(k, 1);
    this.curIdx = k + 1;
    const t = this.rdtimeNumber !== undefined ? this.rdtimeNumber() : -1;
    this.curIdx = 0;
    if (t < 0) return this.csr(k, 0xc01, 2, 0, 0, false, true);
    if (this.xlen === 32) { this.rhi = 0; return t % 4294967296 | 0; }
    this.rhi = Math.floor(t / 4294967296) | 0;
    return t % 4294967296 | 0;
  }

  private counterAllowed(k: number, bit: number): void {
    // The enables are XLEN wide (QEMU keeps every bit written): test the bit without Number().
    if (this.priv < PRV_M && ((this.mcounteren >> BigInt(bit)) & 1n) === 0n) this.illegal(k);
    if (this.priv < PRV_S && ((this.scounteren >> BigInt(bit)) & 1n) === 0n) this.illegal(k);
  }

  csrRead(k: number, csr: number): bigint {
    const rv32 = this.xlen === 32;
    switch (csr) {
      // unprivileged counters
      case 0xc00: this.counterAllowed(k, 0); return this.lowOrAll(this.cycles());
      case 0xc01: this.counterAllowed(k, 1); if (this.rdtime === undefined) this.illegal(k); return this.lowOrAll(this.rdtime());
      case 0xc02: this.counterAllowed(k, 2); return this.lowOrAll(this.instret());
      case 0xc80: if (!rv32) this.illegal(k); this.counterAllowed(k, 0); return this.cycles() >> 32n;
      case 0xc81: if (!rv32 || this.rdtime === undefined) this.illegal(k); this.counterAllowed(k, 1); return this.rdtime!() >> 32n;
      case 0xc82: if (!rv32) this.illegal(k); this.counterAllowed(k, 2); return this.instret() >> 32n;
      // floating point
      case 0x001: this.fpCsrCheck(k); return BigInt(this.fp.fflags);
      case 0x002: this.fpCsrCheck(k); return BigInt(this.fp.frm);
      case 0x003: this.fpCsrCheck(k); return BigInt(this.fp.fcsr);
      // supervisor
      case 0x100: return this.sstatus();
      case 0x104: return BigInt(this.mie & this.mideleg);
      case 0x105: return this.stvec;
      case 0x106: return this.scounteren;
      case 0x10a: return this.senvcfg;
      case 0x140: return this.sscratch;
      case 0x141: return this.sepc;
      case 0x142: return this.scause;
      case 0x143: return this.stval;
      case 0x144: return BigInt(this.mip & this.mideleg);
      case 0x180:
        if (this.priv === PRV_S && (this.mstatus & TVM) !== 0n) this.illegal(k);
        return this.satp;
      // machine information
      case 0xf11: return 0n; // mvendorid
      case 0xf12: return 0x70216n; // marchid: QEMU's version, 7.2.22 (Debian 12's QEMU)
      case 0xf13: return 0x70216n; // mimpid: the same
      case 0xf14: return BigInt(this.index);
      case 0xf15: return 0n; // mconfigptr
      // machine trap setup
      case 0x300: return this.mstatusRead();
      case 0x301: return this.misa;
      case 0x302: return this.medeleg;
      case 0x303: return BigInt(this.mideleg);
      case 0x304: return BigInt(this.mie);
      case 0x305: return this.mtvec;
      case 0x306: return this.mcounteren;
      case 0x30a: return this.menvcfg;
      case 0x310: if (!rv32) this.illegal(k); return this.mstatus >> 32n;
      case 0x31a: if (!rv32) this.illegal(k); return this.menvcfg >> 32n;
      case 0x320: return this.mcountinhibit;
      case 0x340: return this.mscratch;
      case 0x341: return this.mepc;
      case 0x342: return this.mcause;
      case 0x343: return this.mtval;
      case 0x344: return BigInt(this.mip);
      case 0xb00: return this.lowOrAll(this.cycles());
      case 0xb02: return this.lowOrAll(this.instret());
      case 0xb80: if (!rv32) this.illegal(k); return this.cycles() >> 32n;
      case 0xb82: if (!rv32) this.illegal(k); return this.instret() >> 32n;
      default: break;
    }
    if (csr >= 0x3a0 && csr <= 0x3a3) {
      const i = csr - 0x3a0;
      if (!rv32 && (i & 1) !== 0) this.illegal(k);
      return this.pmp.readCfg(i, this.xlen);
    }
    if (csr >= 0x3b0 && csr <= 0x3bf) return this.pmp.readAddr(csr - 0x3b0);
    // hpm counters 3..18 and their events (QEMU 7.2: 16 counters, no events counted): storage.
    const hpm = (base: number): number => (csr >= base + 3 && csr <= base + HPM_LAST ? csr - base : -1);
    if (hpm(0xb00) >= 0) return this.lowOrAll(this.hpmCounter[hpm(0xb00)]!);
    if (csr >= 0x323 && csr <= 0x33f) return this.hpmEvent[csr - 0x320]!; // all 29 events exist in QEMU 7.2
    if (rv32 && hpm(0xb80) >= 0) return this.hpmCounter[hpm(0xb80)]! >> 32n;
    if (hpm(0xc00) >= 0) { this.counterAllowed(k, hpm(0xc00)); return this.lowOrAll(this.hpmCounter[hpm(0xc00)]!); }
    if (rv32 && hpm(0xc80) >= 0) { this.counterAllowed(k, hpm(0xc80)); return this.hpmCounter[hpm(0xc80)]! >> 32n; }
    if (csr === 0x14d || (rv32 && csr === 0x15d)) {
      this.sstcAllowed(k);
      return csr === 0x14d ? this.lowOrAll(this.stimecmp) : this.stimecmp >> 32n;
    }
    return this.illegal(k);
  }

  private lowOrAll(v: bigint): bigint { return this.xlen === 32 ? v & 0xffffffffn : v; }

  private mstatusRead(): bigint {
    let st = this.mstatus;
    const dirty = (st & FS_MASK) === FS_MASK || (st & XS_MASK) === XS_MASK || (st & VS_MASK) === VS_MASK;
    if (this.xlen === 32) {
      st &= 0xffffffffn;
      if (dirty) st |= 1n << 31n;
      return st;
    }
    if (dirty) st |= 1n << 63n;
    return st;
  }

  private sstatus(): bigint {
    const m = this.xlen === 32 ? SSTATUS_MASK & 0xffffffffn : SSTATUS_MASK;
    return this.mstatusRead() & m;
  }

  csrWrite(k: number, csr: number, v: bigint): void {
    const rv32 = this.xlen === 32;
    v = BigInt.asUintN(this.xlen, v);
    switch (csr) {
      case 0x001: this.fpCsrCheck(k); this.fp.fflags = Number(v & 0x1fn); this.markFsDirty(); return;
      case 0x002: this.fpCsrCheck(k); this.fp.frm = Number(v & 7n); this.markFsDirty(); return;
      case 0x003: this.fpCsrCheck(k); this.fp.fcsr = Number(v & 0xffn); this.markFsDirty(); return;
      case 0x100: {
        const m = SIE | SPIE | SPP | (this.isa.f ? FS_MASK : 0n) | SUM | MXR;
        this.writeMstatus((this.mstatus & ~m) | (v & m));
        return;
      }
      case 0x104: this.mie = (this.mie & ~this.mideleg) | (Number(v & 0xffffn) & this.mideleg); this.irqChanged(); return;
      case 0x105: if ((v & 3n) < 2n) this.stvec = v; return;
      case 0x106: this.scounteren = v; return; // QEMU 7.2 keeps all XLEN bits
      case 0x10a: this.senvcfg = v & SENVCFG_MASK; return;
      case 0x140: this.sscratch = v; return;
      case 0x141: this.sepc = v; return; // bit 0 kept as written (QEMU 7.2); sret ignores it
      case 0x142: this.scause = v; return;
      case 0x143: this.stval = v; return;
      case 0x144: {
        const m = MIP_SSIP & this.mideleg;
        this.mipSw = (this.mipSw & ~m) | (Number(v & 0xffffn) & m);
        this.irqChanged();
        return;
      }
      case 0x180:
        if (this.priv === PRV_S && (this.mstatus & TVM) !== 0n) this.illegal(k);
        {
          // WARL: a write selecting an unsupported mode is ignored (QEMU 7.2).
          const mode = rv32 ? v >> 31n : v >> 60n;
          const ok = rv32 ? mode <= 1n : mode === 0n || mode === 8n || mode === 9n || mode === 10n;
          if (!ok) return;
          this.satp = rv32 ? v & 0xffffffffn : v;
          this.mappingsChanged();
        }
        return;
      case 0x300: this.writeMstatus(rv32 ? (this.mstatus & ~0xffffffffn) | v : v); return;
      case 0x301: return; // misa: fixed
      case 0x302: this.medeleg = v & MEDELEG_MASK; return;
      case 0x303: this.mideleg = Number(v & 0xffffn) & MIDELEG_MASK; this.irqChanged(); return;
      case 0x304: this.mie = Number(v & 0xffffn) & MIE_WMASK; this.irqChanged(); return;
      case 0x305: if ((v & 3n) < 2n) this.mtvec = v; return;
      case 0x306: this.mcounteren = v; return; // QEMU 7.2 keeps all XLEN bits
      case 0x30a: {
        const m = rv32 ? MENVCFG_MASK & 0xffffffffn : MENVCFG_MASK;
        this.menvcfg = (this.menvcfg & ~m) | (v & m);
        return; // as QEMU 7.2: STIP is re-evaluated when stimecmp is written, not here
      }
      case 0x310: return; // mstatush: MBE/SBE fixed at 0
      case 0x31a: {
        const m = MENVCFG_MASK >> 32n;
        this.menvcfg = (this.menvcfg & ~(m << 32n)) | ((v & m) << 32n);
        return;
      }
      case 0x320: this.mcountinhibit = v; return; // QEMU 7.2 stores it as written
      case 0x340: this.mscratch = v; return;
      case 0x341: this.mepc = v; return; // bit 0 kept as written (QEMU 7.2); mret ignores it
      case 0x342: this.mcause = v; return;
      case 0x343: this.mtval = v; return;
      case 0x344: {
        const m = MIP_SSIP | (this.stce && this.isa.sstc ? 0 : MIP_STIP) | MIP_SEIP;
        this.mipSw = (this.mipSw & ~m) | (Number(v & 0xffffn) & m);
        this.irqChanged();
        return;
      }
      case 0xb00: this.cycleOffset += this.setLow(this.cycles(), v) - this.cycles(); return;
      case 0xb02: this.instretOffset += this.setLow(this.instret(), v) - this.instret(); return;
      case 0xb80: this.cycleOffset += this.setHigh(this.cycles(), v) - this.cycles(); return;
      case 0xb82: this.instretOffset += this.setHigh(this.instret(), v) - this.instret(); return;
      default: break;
    }
    if (csr >= 0x3a0 && csr <= 0x3a3) {
      if (!rv32 && (csr & 1) !== 0) this.illegal(k);
      this.pmp.writeCfg(csr - 0x3a0, v, this.xlen); this.pmpChanged(); return;
    }
    if (csr >= 0x3b0 && csr <= 0x3bf) { this.pmp.writeAddr(csr - 0x3b0, v, this.xlen); this.pmpChanged(); return; }
    const hpm = (base: number): number => (csr >= base + 3 && csr <= base + HPM_LAST ? csr - base : -1);
    if (hpm(0xb00) >= 0) { const i = hpm(0xb00); this.hpmCounter[i] = this.setLow(this.hpmCounter[i]!, v); return; }
    if (csr >= 0x323 && csr <= 0x33f) { this.hpmEvent[csr - 0x320] = v; return; }
    if (rv32 && hpm(0xb80) >= 0) { const i = hpm(0xb80); this.hpmCounter[i] = this.setHigh(this.hpmCounter[i]!, v); return; }
    if (csr === 0x14d || (rv32 && csr === 0x15d)) {
      this.sstcAllowed(k);
      this.stimecmp = csr === 0x14d ? this.setLow(this.stimecmp, v) : this.setHigh(this.stimecmp, v);
      this.updateStimer();
      return;
    }
    this.illegal(k);
  }

  private setLow(cur: bigint, v: bigint): bigint {
    return this.xlen === 32 ? (cur & ~0xffffffffn) | (v & 0xffffffffn) : v;
  }
  private setHigh(cur: bigint, v: bigint): bigint { return (cur & 0xffffffffn) | ((v & 0xffffffffn) << 32n); }

  private writeMstatus(v: bigint): void {
    let nv = (this.mstatus & ~this.mstatusWmask) | (v & this.mstatusWmask);
    if (((nv & MPP_MASK) >> MPP_SHIFT) === 2n) nv = (nv & ~MPP_MASK) | (this.mstatus & MPP_MASK);
    const changedTranslation = ((nv ^ this.mstatus) & (MPRV | MPP_MASK | SUM | MXR | FS_MASK)) !== 0n;
    this.mstatus = nv;
    if (changedTranslation) this.updateMode();
    this.irqChanged();
  }

  /** PMP changes may revoke the RAM fast path or execute permission: retranslate. */
  pmpChanged(): void {
    this.updateMode();
    this.onCodeFlush();
    this.exitReq = 1;
  }

  /** Set by the machine: flush translated code (PMP changes). */
  onCodeFlush: () => void = () => {};

  /** Recompute the TB mode key: privilege, data privilege (MPRV), fast-RAM permission. */
  updateMode(): void {
    const dataPriv = (this.mstatus & MPRV) !== 0n ? Number((this.mstatus & MPP_MASK) >> MPP_SHIFT) : this.priv;
    const fast = this.pmp.fastRange(dataPriv) !== null ? 1 : 0;
    const fs = Number((this.mstatus & FS_MASK) >> 13n);
    const dataMmu = this.translating(dataPriv) ? 1 : 0;
    const fetchMmu = this.translating(this.priv) ? 1 : 0;
    this.mode = this.priv | (dataPriv << 2) | (fast << 4) | (fs << MODE_FS_SHIFT) | (dataMmu << MODE_DATA_MMU_SHIFT) | (fetchMmu << MODE_FETCH_MMU_SHIFT);
    const ctx = dataPriv | (this.priv << 2) | ((this.mstatus & SUM) !== 0n ? 16 : 0) | ((this.mstatus & MXR) !== 0n ? 32 : 0);
    if (ctx !== this.tlbCtx) { this.tlbCtx = ctx; this.mmu.flush(); }
  }

  /** The `riscv,isa` string this hart implements, in QEMU 7.2's spelling. */
  isaString(): string {
    return isaString(this.xlen, this.isa);
  }

  /** Sstc is enabled for S-mode (menvcfg.STCE): STIP then follows stimecmp. */
  get stce(): boolean { return (this.menvcfg & MENVCFG_STCE) !== 0n; }

  /** stimecmp exists with Sstc and a time source; below M it needs mcounteren.TM and menvcfg.STCE. */
  private sstcAllowed(k: number): void {
    if (!this.isa.sstc || this.rdtime === undefined) this.illegal(k);
    if (this.priv === PRV_M) return;
    if ((this.mcounteren & 2n) === 0n || !this.stce) this.illegal(k);
  }

  /**
   * Set or clear mip.STIP for the Sstc timer. QEMU 7.2 keeps one mip: the timer and software
   * writes (allowed while menvcfg.STCE is 0) change the same bit, so STIP lives in `mipSw`.
   */
  private setStip(level: boolean): void {
    const old = this.mipSw;
    this.mipSw = level ? old | MIP_STIP : old & ~MIP_STIP;
    if (this.mipSw !== old) this.irqChanged();
  }

  /**
   * Re-evaluate the Sstc timer as QEMU 7.2's riscv_timer_write_timecmp (time_helper.c) does on
   * every stimecmp write, whatever menvcfg.STCE (write_stimecmp does not look at it): STIP is
   * raised at once for a value not in the future (an armed timer stays armed), otherwise cleared
   * and the timer armed.
   */
  private updateStimer(): void {
    if (this.rdtime === undefined) return;
    const now = this.rdtime();
    if (this.stimecmp <= now) {
      this.setStip(true);
      return;
    }
    this.setStip(false);
    const diff = this.stimecmp - now;
    const ns = (diff * 1_000_000_000n) / BigInt(this.timebaseHz);
    this.stimer.deadline = ns > 2n ** 52n ? Infinity : this.clock.nowNs() + Number(ns);
    this.clock.reschedule();
  }

  /** fflags/frm/fcsr exist only while mstatus.FS is not Off. */
  private fpCsrCheck(k: number): void {
    if ((this.mstatus & FS_MASK) === 0n) this.illegal(k);
  }

  /** An instruction wrote floating-point state: mstatus.FS becomes Dirty (3). */
  markFsDirty(): void {
    if ((this.mstatus & FS_MASK) === FS_MASK) return;
    this.mstatus |= FS_MASK;
    this.updateMode();
  }

  /** Current rounding mode for an instruction with rm = 7 (dynamic); illegal if frm is reserved. */
  dynRm(k: number): number {
    const rm = this.fp.frm;
    if (rm > 4) this.illegal(k);
    return rm;
  }

  /** `sfence.vma` at k: only Bare translation exists, so it only checks privilege. */
  sfenceVma(k: number): void {
    if (this.priv === PRV_U || (this.priv === PRV_S && (this.mstatus & TVM) !== 0n)) this.illegal(k);
    this.mappingsChanged();
  }

  /** Page tables or satp changed: drop cached translations (data TLBs, blocks fetched through the MMU). */
  mappingsChanged(): void {
    this.mmu.flush();
    this.updateMode();
    if (this.mmuBlocks) {
      this.mmuBlocks = false;
      this.onCodeFlush();
    }
    this.exitReq = 1;
  }

  /** Set by the machine: invalidate code on a written RAM range; returns nonzero if blocks were dropped. */
  onCodeWrite: (paddr: number, size: number) => number = () => 0;

  /** Generated stores call this when they hit a page holding translated code. */
  codeWritten(paddr: number, size: number): number {
    const r = this.onCodeWrite(paddr, size);
    if (r !== 0) this.exitReq = 1;
    return r;
  }
}

function amo32(op: number, o: number, b: number): number {
  switch (op) {
    case 0: return b; // swap
    case 1: return (o + b) | 0; // add
    case 2: return o ^ b;
    case 3: return o & b;
    case 4: return o | b;
    case 5: return o < b ? o : b; // min
    case 6: return o > b ? o : b; // max
    case 7: return (o >>> 0) < (b >>> 0) ? o : b; // minu
    default: return (o >>> 0) > (b >>> 0) ? o : b; // maxu
  }
}

function amo64(op: number, o: bigint, b: bigint): bigint {
  switch (op) {
    case 0: return b;
    case 1: return o + b;
    case 2: return o ^ b;
    case 3: return o & b;
    case 4: return o | b;
    case 5: return o < b ? o : b;
    case 6: return o > b ? o : b;
    case 7: return BigInt.asUintN(64, o) < BigInt.asUintN(64, b) ? o : b;
    default: return BigInt.asUintN(64, o) > BigInt.asUintN(64, b) ? o : b;
  }
}
