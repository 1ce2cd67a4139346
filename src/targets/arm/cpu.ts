/**
 * The ARMv7-M / ARMv6-M CPU core: architectural state and the slow paths generated code calls
 * (memory outside the RAM fast path, exclusive monitor, special registers, PC writes that may
 * interwork or return from an exception, synchronous exceptions). Exception entry and return,
 * priorities and the NVIC belong to the {@link ArmExceptionModel} (exception-model.ts).
 *
 * State layout, chosen so generated code stays cheap:
 * - `r`: r0..r15 in an Int32Array; r13 is the *current* stack pointer (the other bank is kept in
 *   `otherSp`); r15 is not used (the PC is `pcLo`, constant inside a block).
 * - `f`: the APSR flags as five Int32 slots, each cheap to write from a result:
 *   f[0] N (sign bit of the value), f[1] Z (the value is zero iff Z), f[2] C (0/1),
 *   f[3] V (sign bit of the value), f[4] Q (0/1). A result `res` sets N and Z with `f[0] = f[1] = res`.
 *   {@link apsr} materialises them (MRS, exception entry, plugins).
 * - `mode`: the translation key: ITSTATE (bits 7:0), {@link MODE_SINGLE}, {@link MODE_NOT_THUMB}.
 *   ITSTATE is part of the key because it changes how the next instructions decode (conditions,
 *   flag setting of 16-bit encodings); a block knows it statically and writes `mode` when it leaves.
 */
import type { Bus, RamRegion } from '../../core/bus.js';
import type { VirtualClock } from '../../core/clock.js';
import type { EngineCpu } from '../../core/engine.js';
import { StopError } from '../../core/runner.js';
import type { RegisterDesc } from '../../plugin/api.js';
import type { PluginHost } from '../../plugin/host.js';
import { ArmExc, Ccr, Cfsr, NoExceptionModel, type ArmExceptionModel } from './exception-model.js';
import { defaultXn, MpuAccess, type ArmMpu } from './mpu.js';
import type { Profile } from './encodings.js';
import { vfpExec, type ArmFpu } from './fpu.js';

/** Thrown (one shared instance) to unwind a block after a synchronous exception was delivered. */
export const ARM_TRAP = { armTrap: true } as const;

/**
 * The Private Peripheral Bus (SCS, ITM, DWT, FPB...): unprivileged loads and stores there are
 * precise BusFaults (ARMv7-M B3.1; QEMU 7.2 the same, BFAR = the address).
 */
const PPB_BASE = 0xe0000000, PPB_END = 0xe0100000;

/** Mode bit: single-instruction blocks. */
export const MODE_SINGLE = 1 << 8;
/** Mode bit: EPSR.T is 0 (the next instruction raises an INVSTATE UsageFault). */
export const MODE_NOT_THUMB = 1 << 9;
/** Mode bit: the MPU is enabled (no RAM fast path; fetches checked at translation). */
export const MODE_MPU = 1 << 10;
/** Mode bit (with MODE_MPU): unprivileged execution (fetch permission differs). */
export const MODE_UNPRIV = 1 << 11;

/** RAM that generated code may access directly (typed-array views of a bus RAM region). */
export interface ArmRam {
  readonly base: number;
  readonly size: number;
  readonly readOnly: boolean;
  readonly i32: Int32Array; readonly i16: Int16Array; readonly u16: Uint16Array;
  readonly i8: Int8Array; readonly u8: Uint8Array;
  /** One byte per 4 KiB page: nonzero while translated code lives there. */
  readonly codePages: Uint8Array;
}

/** Views for the fast path on a bus RAM region (base and size 4-byte aligned). */
export function armRam(r: RamRegion): ArmRam {
  const buf = r.bytes.buffer, off = r.bytes.byteOffset, n = r.size;
  return {
    base: r.base, size: n, readOnly: r.readOnly,
    i32: new Int32Array(buf, off, n >> 2), i16: new Int16Array(buf, off, n >> 1), u16: new Uint16Array(buf, off, n >> 1),
    i8: new Int8Array(buf, off, n), u8: new Uint8Array(buf, off, n), codePages: new Uint8Array(Math.ceil(n / 4096)),
  };
}

/** Block fields the CPU needs when an instruction inside it raises an exception. */
export interface ArmBlockInfo {
  readonly insnPc: Int32Array;
  /** ITSTATE before each instruction. */
  readonly insnIt: Uint8Array;
  readonly trapFixup: ((vcpu: number, k: number) => void) | undefined;
}

export interface ArmCpuOptions {
  bus: Bus;
  clock: VirtualClock;
  host: PluginHost;
  /** 'v7m' (Cortex-M3, default) or 'v6m' (Cortex-M0: the other encodings are UNDEFINED). */
  profile?: Profile;
  index?: number;
  /** The exception model (NVIC/SCB); defaults to one that stops at any exception. */
  model?: ArmExceptionModel;
  /** RAM regions for the generated-code fast path (typically the code and data RAMs). */
  fastRams?: readonly RamRegion[];
  /** Priority bits implemented (BASEPRI keeps the top ones): 8 by default, as QEMU's NVIC. */
  priorityBits?: number;
  /** The MPU (ARMv7-M PMSAv7), if the core has one. */
  mpu?: ArmMpu;
  /** The FPv4-SP unit (Cortex-M4F); without it CP10/CP11 instructions are NOCP UsageFaults. */
  fpu?: ArmFpu;
}

/** Special register numbers (SYSm) of MRS/MSR. */
export const SysReg = {
  APSR: 0, IAPSR: 1, EAPSR: 2, XPSR: 3, IPSR: 5, EPSR: 6, IEPSR: 7, MSP: 8, PSP: 9,
  PRIMASK: 16, BASEPRI: 17, BASEPRI_MAX: 18, FAULTMASK: 19, CONTROL: 20,
} as const;

/** Register names for plugins, in gdb's order. */
export const ARM_REGISTER_NAMES = [
  'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc',
  'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control',
] as const;

/** What {@link ArmCpu.bxWritePc} did with the value written to the PC. */
export const BxWrite = {
  /** An ordinary branch: the PC is the address (an interworking branch, a return, a jump). */
  Branch: 0,
  /** An exception return that reached the interrupted context (PC = the unstacked return address). */
  ExceptionReturn: 1,
  /** An exception return that entered another handler instead (tail-chaining, INVPC fault). */
  ExceptionEntered: 2,
} as const;
export type BxWrite = 0 | 1 | 2;

export class ArmCpu implements EngineCpu {
  readonly index: number;
  icount = 0;
  /** Address of the instruction doing an exception return (see {@link bxWritePc}), or -1. */
  excReturnFrom = -1;
  limit = 0;
  exitReq = 0;
  irqPending = 0;
  halted = false;
  pcLo = 0;
  readonly pcHi = 0;
  mode = 0;
  curBlock: unknown = null;
  readonly r = new Int32Array(16);
  /** Flags: N, Z, C, V, Q as described above; f[5] the GE bits (ARMv7E-M). */
  readonly f = new Int32Array(6);
  /** The stack pointer of the bank not selected (SP_process while on SP_main, and vice versa). */
  otherSp = 0;
  /** IPSR: the exception number being handled (0 in Thread mode). */
  ipsr = 0;
  control = 0;
  primask = 0;
  faultmask = 0;
  basepri = 0;
  /** Event register (WFE/SEV). */
  event = 0;
  /** Local exclusive monitor: tagged address, or -1 when Open. */
  monitor = -1;
  readonly profile: Profile;
  readonly bus: Bus;
  readonly clock: VirtualClock;
  readonly host: PluginHost;
  model: ArmExceptionModel;
  readonly fastRams: readonly ArmRam[];
  readonly mpu: ArmMpu | null;
  readonly fpu: ArmFpu | null;
  private readonly basepriMask: number;
  /**
   * Set by the machine: the translated block at (pc, mode), if cached (not translating), for block
   * chaining; `chaining` turns it on (the machine sets both, with `engine.cache.lookup`).
   */
  findBlock: (pc: number, mode: number) => { readonly n: number; readonly valid: boolean; readonly fn: (s: ArmCpu, depth?: number) => void } | undefined = () => undefined;
  chaining = false;
  /** Set by the machine: invalidate translated code on a written RAM range; returns nonzero if blocks were dropped. */
  onCodeWrite: (paddr: number, size: number) => number = () => 0;

  constructor(o: ArmCpuOptions) {
    this.index = o.index ?? 0;
    this.bus = o.bus;
    this.clock = o.clock;
    this.host = o.host;
    this.profile = o.profile ?? 'v7m';
    this.model = o.model ?? new NoExceptionModel();
    this.fastRams = (o.fastRams ?? []).map(armRam);
    const bits = o.priorityBits ?? 8;
    this.basepriMask = (0xff << (8 - bits)) & 0xff;
    this.mpu = o.mpu ?? null;
    this.fpu = o.fpu ?? null;
    if (this.mpu !== null) this.mpu.onChange = () => { this.updateMpuMode(); this.exitReq = 1; };
  }

  /** Keep MODE_MPU / MODE_UNPRIV in the translation key in step with MPU_CTRL and the privilege. */
  updateMpuMode(): void {
    let m = this.mode & ~(MODE_MPU | MODE_UNPRIV);
    if (this.mpu !== null && this.mpu.enabled) m |= MODE_MPU | (this.privileged ? 0 : MODE_UNPRIV);
    this.mode = m;
  }

  // ---- EngineCpu -----------------------------------------------------------------------------

  /**
   * Instructions retired, exact mid-block too: while a slow-path access runs, `cur` holds the
   * index of its instruction + 1 in the running block (as the RISC-V hart does), so a device
   * reading the time sees the same count whatever the block boundaries.
   */
  retired(): number { return this.icount + this.cur; }

  /** See {@link retired}. */
  cur = 0;

  takeInterrupt(): boolean { return this.model.takePending(this); }

  stopError(msg: string): StopError { return new StopError(msg); }

  // ---- registers -----------------------------------------------------------------------------

  get pc(): number { return this.pcLo >>> 0; }
  set pc(v: number) { this.pcLo = v | 0; }

  /** ITSTATE (EPSR IT bits as one byte, the manual's ITSTATE<7:0>). */
  get itstate(): number { return this.mode & 0xff; }
  set itstate(v: number) { this.mode = (this.mode & ~0xff) | (v & 0xff); }

  /** EPSR.T */
  get thumb(): boolean { return (this.mode & MODE_NOT_THUMB) === 0; }
  set thumb(t: boolean) { this.mode = t ? this.mode & ~MODE_NOT_THUMB : this.mode | MODE_NOT_THUMB; }

  /** APSR: N Z C V Q in bits 31..27. */
  get apsr(): number {
    const f = this.f;
    return ((f[0]! < 0 ? 1 << 31 : 0) | (f[1] === 0 ? 1 << 30 : 0) | (f[2] !== 0 ? 1 << 29 : 0) | (f[3]! < 0 ? 1 << 28 : 0) | (f[4] !== 0 ? 1 << 27 : 0) | ((f[5]! & 0xf) << 16)) >>> 0;
  }
  set apsr(v: number) {
    this.setNzcvq(v);
    this.f[5] = this.profile === 'v7em' ? (v >>> 16) & 0xf : 0;
  }

  /** Write N Z C V Q from bits 31..27 of `v`. */
  setNzcvq(v: number): void {
    const f = this.f;
    f[0] = (v >>> 31) !== 0 ? -1 : 0;
    f[1] = ((v >>> 30) & 1) !== 0 ? 0 : 1;
    f[2] = (v >>> 29) & 1;
    f[3] = ((v >>> 28) & 1) !== 0 ? -1 : 0;
    f[4] = (v >>> 27) & 1;
  }

  /** EPSR: T (bit 24) and ITSTATE (IT[1:0] at 26:25, IT[7:2] at 15:10). */
  get epsr(): number {
    const it = this.itstate;
    return ((this.thumb ? 1 << 24 : 0) | ((it & 3) << 25) | ((it >> 2) << 10)) >>> 0;
  }

  /** The whole xPSR (APSR | IPSR | EPSR), as stacked on exception entry. */
  get xpsr(): number { return (this.apsr | this.ipsr | this.epsr) >>> 0; }
  /** Restore the xPSR (exception return): flags, T, ITSTATE and IPSR (SP bank follows IPSR). */
  set xpsr(v: number) {
    this.apsr = v;
    this.thumb = ((v >>> 24) & 1) !== 0;
    this.itstate = (((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2));
    this.setIpsr(v & 0x1ff);
  }

  /** Is SP_process the current stack pointer? */
  get usesPsp(): boolean { return this.ipsr === 0 && (this.control & 2) !== 0; }
  get msp(): number { return (this.usesPsp ? this.otherSp : this.r[13]!) >>> 0; }
  set msp(v: number) { if (this.usesPsp) this.otherSp = v | 0; else this.r[13] = v; }
  get psp(): number { return (this.usesPsp ? this.r[13]! : this.otherSp) >>> 0; }
  set psp(v: number) { if (this.usesPsp) this.r[13] = v; else this.otherSp = v | 0; }

  /** Switch IPSR (and with it Thread/Handler mode and maybe the SP bank). */
  setIpsr(n: number): void { this.switchBanks(() => { this.ipsr = n & 0x1ff; }); }
  /** Write CONTROL (SPSEL moves SP between the banks). */
  setControl(v: number): void { this.switchBanks(() => { this.control = v & (this.fpu !== null ? 7 : 3); }); }

  private switchBanks(change: () => void): void {
    const was = this.usesPsp;
    change();
    if (was !== this.usesPsp) {
      const t = this.r[13]!;
      this.r[13] = this.otherSp;
      this.otherSp = t;
    }
    if (this.mpu !== null) this.updateMpuMode();
  }

  /** Privileged: Handler mode, or Thread mode with CONTROL.nPRIV clear. */
  get privileged(): boolean { return this.ipsr !== 0 || (this.control & 1) === 0; }

  /** Registers as the plugin API lists them. */
  registerDescs(): readonly RegisterDesc[] {
    const core = ARM_REGISTER_NAMES.map((name) => ({ name, size: 4, feature: 'cpu' }));
    if (this.fpu === null) return core;
    const fp = Array.from({ length: 32 }, (_, i) => ({ name: `s${i}`, size: 4, feature: 'fpu' }));
    return [...core, ...fp, { name: 'fpscr', size: 4, feature: 'fpu' }];
  }

  readRegister(name: string): bigint {
    const n = name.toLowerCase();
    return BigInt(this.readRegisterNumber(n) >>> 0);
  }

  private readRegisterNumber(n: string): number {
    const m = /^r(\d+)$/.exec(n);
    if (m && Number(m[1]) <= 12) return this.r[Number(m[1])]!;
    if (this.fpu !== null) {
      const sm = /^s(\d+)$/.exec(n);
      if (sm && Number(sm[1]) < 32) return this.fpu.s[Number(sm[1])]!;
      if (n === 'fpscr') return this.fpu.fpscr;
    }
    switch (n) {
      case 'sp': case 'r13': return this.r[13]!;
      case 'lr': case 'r14': return this.r[14]!;
      case 'pc': case 'r15': return this.pcLo;
      case 'xpsr': case 'cpsr': return this.xpsr;
      case 'msp': return this.msp;
      case 'psp': return this.psp;
      case 'primask': return this.primask;
      case 'basepri': return this.basepri;
      case 'faultmask': return this.faultmask;
      case 'control': return this.control;
      default: throw new RangeError(`no register '${n}' on arm (${ARM_REGISTER_NAMES.join(', ')})`);
    }
  }

  writeRegister(name: string, value: bigint): void {
    const n = name.toLowerCase();
    const v = Number(BigInt.asUintN(32, value)) | 0;
    const m = /^r(\d+)$/.exec(n);
    if (m && Number(m[1]) <= 12) { this.r[Number(m[1])] = v; return; }
    if (this.fpu !== null) {
      const sm = /^s(\d+)$/.exec(n);
      if (sm && Number(sm[1]) < 32) { this.fpu.s[Number(sm[1])] = v >>> 0; return; }
      if (n === 'fpscr') { this.fpu.fpscr = v & 0xf7c0009f; return; }
    }
    switch (n) {
      case 'sp': case 'r13': this.r[13] = v; return;
      case 'lr': case 'r14': this.r[14] = v; return;
      case 'pc': case 'r15': this.pcLo = v & ~1; this.exitReq = 1; return;
      case 'xpsr': case 'cpsr': this.xpsr = v; this.exitReq = 1; return;
      case 'msp': this.msp = v; return;
      case 'psp': this.psp = v; return;
      case 'primask': this.primask = v & 1; this.model.priorityChanged(this); return;
      case 'basepri': this.basepri = v & this.basepriMask; this.model.priorityChanged(this); return;
      case 'faultmask': this.faultmask = v & 1; this.model.priorityChanged(this); return;
      case 'control': this.setControl(v); return;
      default: throw new RangeError(`no register '${n}' on arm`);
    }
  }

  /**
   * Reset the core state (the model loads SP and PC from the vector table). As QEMU 7.2: LR =
   * 0xffffffff and the flags read back as Z set (the architecture leaves both UNKNOWN).
   */
  reset(): void {
    this.r.fill(0);
    this.r[14] = -1;
    this.f.fill(0);
    this.otherSp = 0;
    this.ipsr = 0; this.control = 0; this.primask = 0; this.faultmask = 0; this.basepri = 0;
    this.event = 0; this.monitor = -1;
    this.mode = 0;
    this.halted = false;
    this.exitReq = 1;
  }

  // ---- synchronous exceptions ----------------------------------------------------------------

  private get block(): ArmBlockInfo { return this.curBlock as ArmBlockInfo; }

  /**
   * Raise a synchronous exception at instruction `k` of the running block: the instruction does
   * not complete (not counted); PC and ITSTATE are rolled back to it; then unwind the block.
   */
  raise(k: number, exc: number, cfsr: number, faultAddress = 0): never {
    const b = this.block;
    this.icount += k;
    if (b.trapFixup !== undefined) b.trapFixup(this.index, k);
    const pc = b.insnPc[k]!;
    this.pcLo = pc;
    this.itstate = b.insnIt[k]!;
    this.exitReq = 1;
    this.model.exception(this, { exc, cfsr, faultAddress, pc: pc >>> 0, returnPc: pc >>> 0 });
    throw ARM_TRAP;
  }

  /** An UNDEFINED instruction at k (UsageFault UNDEFINSTR; NOCP for coprocessor space). */
  undefined(k: number, nocp = false): never {
    return this.raise(k, ArmExc.UsageFault, nocp ? Cfsr.NOCP : Cfsr.UNDEFINSTR);
  }

  /** Instruction fetch failed at `pc` (no block could start there): IBUSERR BusFault, or IACCVIOL MemManage when the MPU forbids it. */
  fetchFault(pc: number, mpu = false): void {
    this.pcLo = pc;
    this.exitReq = 1;
    const exc = mpu ? ArmExc.MemManage : ArmExc.BusFault;
    // faultAddress only feeds -d int ("...at fault address"): IACCVIOL/IBUSERR set no MMFAR/BFAR.
    this.model.exception(this, { exc, cfsr: mpu ? Cfsr.IACCVIOL : Cfsr.IBUSERR, faultAddress: pc >>> 0, pc: pc >>> 0, returnPc: pc >>> 0 });
  }

  /**
   * May the current code fetch from `a`? The MPU's regions when it is on; otherwise the default
   * memory map, whose Peripheral, Device and System regions are execute-never (a MemManage
   * IACCVIOL, as QEMU raises for a jump to 0x40000000 or to an EXC_RETURN value in Thread mode).
   */
  mayExecute(a: number, unprivileged: boolean): boolean {
    if (this.mpu === null || !this.mpu.enabled) return !defaultXn(a >>> 0);
    return this.mpu.allows(a, MpuAccess.Exec, !unprivileged);
  }

  /** MPU check of a data access at instruction k: a MemManage DACCVIOL (MMFAR = a) if forbidden. */
  private mpuCheck(k: number, a: number, kind: number, unpriv: boolean): void {
    const mpu = this.mpu;
    if (mpu === null || !mpu.enabled) return;
    if (!mpu.hfnmiena && this.model.executionPriority(this) < 0) return;
    if (!mpu.allows(a, kind, this.privileged && !unpriv)) this.raise(k, ArmExc.MemManage, Cfsr.DACCVIOL | Cfsr.MMARVALID, a);
  }

  /** EPSR.T = 0 at `pc`: INVSTATE UsageFault before the instruction executes. */
  invState(pc: number): void {
    this.pcLo = pc;
    this.exitReq = 1;
    this.model.exception(this, { exc: ArmExc.UsageFault, cfsr: Cfsr.INVSTATE, faultAddress: 0, pc: pc >>> 0, returnPc: pc >>> 0 });
  }

  /** SVC at instruction k (ends its block): counts as executed, return address is the next instruction. */
  svc(k: number, next: number, itAfter: number): void {
    const pc = this.block.insnPc[k]!;
    this.icount += k + 1;
    this.pcLo = next;
    this.itstate = itAfter;
    this.exitReq = 1;
    this.model.exception(this, { exc: ArmExc.SVCall, cfsr: 0, faultAddress: 0, pc: pc >>> 0, returnPc: next >>> 0 });
  }

  /** BKPT #imm at instruction k (ends its block): a host call, or DebugMonitor/HardFault at the BKPT. */
  bkpt(k: number, imm: number, next: number, itAfter: number): void {
    const b = this.block;
    const pc = b.insnPc[k]!;
    this.icount += k + 1;
    this.pcLo = pc;
    this.exitReq = 1;
    if (this.model.bkpt(this, imm, pc >>> 0)) return;
    // Not a host call: a breakpoint exception at the BKPT, which does not complete. (The block
    // returns normally afterwards, so accumulated inline counters are flushed by it, not here.)
    this.icount -= 1;
    this.pcLo = pc;
    this.itstate = b.insnIt[k]!;
    void next; void itAfter;
    this.model.exception(this, { exc: ArmExc.HardFault, cfsr: 0, faultAddress: 0, pc: pc >>> 0, returnPc: pc >>> 0 });
  }

  /** A CP10/CP11 (floating-point) instruction `w` at k, address `pc`: NOCP without an FPU. */
  vfp(k: number, w: number, pc: number): void {
    if (this.fpu === null) this.undefined(k, true);
    vfpExec(this, this.fpu!, k, w, pc);
  }

  /** SDIV/UDIV by zero at k: 0, or a DIVBYZERO UsageFault when CCR.DIV_0_TRP is set. */
  divZero(k: number): number {
    if ((this.model.ccr & Ccr.DIV_0_TRP) !== 0) this.raise(k, ArmExc.UsageFault, Cfsr.DIVBYZERO);
    return 0;
  }

  // ---- memory slow paths ---------------------------------------------------------------------

  private alignCheck(k: number, a: number, size: number, strict: boolean): void {
    if ((a & (size - 1)) === 0) return;
    if (strict || this.profile === 'v6m' || (this.model.ccr & Ccr.UNALIGN_TRP) !== 0) {
      // The address is not architectural state (no BFAR/MMFAR) but QEMU's -d int prints it.
      this.raise(k, ArmExc.UsageFault, Cfsr.UNALIGNED, a);
    }
  }

  /**
   * Load `size` bytes at `a` for instruction k. `strict`: the instruction class always faults
   * when unaligned (LDM, LDRD, LDREX...). A bus error is a precise BusFault with BFAR.
   */
  ld(k: number, a: number, size: number, signed: boolean, strict: boolean, unpriv = false): number {
    a >>>= 0;
    this.alignCheck(k, a, size, strict);
    if (this.mpu !== null) this.mpuCheck(k, a, MpuAccess.Read, unpriv);
    if (a >= PPB_BASE && a < PPB_END && (unpriv || !this.privileged)) this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, a);
    const bus = this.bus;
    bus.error = 0;
    this.cur = k + 1;
    let v = bus.read(a, size);
    this.cur = 0;
    if (bus.error !== 0) {
      // An unaligned access straddling two regions: byte by byte, as the bus splits it.
      if ((a & (size - 1)) !== 0) {
        v = 0;
        for (let i = 0; i < size; i++) {
          bus.error = 0;
          v |= bus.read((a + i) >>> 0, 1) << (8 * i);
          if (bus.error !== 0) this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, (a + i) >>> 0);
        }
      } else this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, a);
    }
    if (size === 1) return signed ? (v << 24) >> 24 : v & 0xff;
    if (size === 2) return signed ? (v << 16) >> 16 : v & 0xffff;
    return v | 0;
  }

  /** Store; returns nonzero if the block must end after it (code written, a device asked). */
  st(k: number, a: number, size: number, v: number, strict: boolean, unpriv = false): number {
    a >>>= 0;
    this.alignCheck(k, a, size, strict);
    if (this.mpu !== null) this.mpuCheck(k, a, MpuAccess.Write, unpriv);
    if (a >= PPB_BASE && a < PPB_END && (unpriv || !this.privileged) && !this.userStir(a)) this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, a);
    const bus = this.bus;
    bus.error = 0;
    if (bus.find(a, size) === undefined && (a & (size - 1)) !== 0) {
      for (let i = 0; i < size; i++) {
        if (bus.find((a + i) >>> 0, 1) === undefined) this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, (a + i) >>> 0);
      }
      this.cur = k + 1;
      for (let i = 0; i < size; i++) bus.write((a + i) >>> 0, 1, (v >>> (8 * i)) & 0xff);
      this.cur = 0;
    } else {
      this.cur = k + 1;
      bus.write(a, size, v);
      this.cur = 0;
      if (bus.error !== 0) this.raise(k, ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, a);
    }
    this.checkCode(a, size);
    return this.exitReq;
  }

  /** STIR (0xE000EF00) is writable unprivileged when CCR.USERSETMPEND is set. */
  private userStir(a: number): boolean { return a === 0xe000ef00 && (this.model.ccr & 2) !== 0; }

  private checkCode(a: number, size: number): void {
    for (const ram of this.fastRams) {
      const o = a - ram.base;
      if (o >= 0 && o < ram.size) {
        if (ram.codePages[o >>> 12] !== 0 || ram.codePages[(o + size - 1) >>> 12] !== 0) this.codeWritten(a, size);
        return;
      }
    }
  }

  /** Generated stores call this when they hit a page holding translated code. */
  codeWritten(paddr: number, size: number): number {
    const r = this.onCodeWrite(paddr >>> 0, size);
    if (r !== 0) this.exitReq = 1;
    return r;
  }

  /** The translation cache reports that physical page `page` gained or lost its last block. */
  codePageState(page: number, hasCode: boolean): void {
    const a = page * 4096;
    for (const ram of this.fastRams) {
      if (a >= ram.base && a < ram.base + ram.size) { ram.codePages[(a - ram.base) >>> 12] = hasCode ? 1 : 0; return; }
    }
  }

  /** Fetch the halfword at `a` for translation; -1 if not in RAM/ROM. */
  fetch16(a: number): number {
    const r = this.bus.find(a >>> 0, 2);
    if (r === undefined || r.kind !== 'ram') return -1;
    return r.view.getUint16((a >>> 0) - r.base, true);
  }

  // ---- exclusive monitor ---------------------------------------------------------------------

  ldrex(k: number, a: number, size: number): number {
    const v = this.ld(k, a, size, false, true);
    this.monitor = a >>> 0;
    return v;
  }

  /** STREX: 0 if the store was done, 1 if the monitor was not Exclusive for `a`. */
  strex(k: number, a: number, size: number, v: number): number {
    a >>>= 0;
    this.alignCheck(k, a, size, true);
    if (this.monitor !== a) { this.monitor = -1; return 1; }
    this.st(k, a, size, v, true);
    this.monitor = -1;
    return 0;
  }

  clearExclusive(): void { this.monitor = -1; }

  // ---- special registers ---------------------------------------------------------------------

  /** MRS: value of special register SYSm. */
  mrs(sysm: number): number {
    const priv = this.privileged;
    switch (sysm) {
      case SysReg.APSR: return this.apsr;
      case SysReg.IAPSR: return this.apsr | this.ipsr;
      case SysReg.EAPSR: return this.apsr;
      case SysReg.XPSR: return this.apsr | this.ipsr;
      case SysReg.IPSR: return this.ipsr;
      case SysReg.EPSR: return 0;
      case SysReg.IEPSR: return this.ipsr;
      case SysReg.MSP: return priv ? this.msp | 0 : 0;
      case SysReg.PSP: return priv ? this.psp | 0 : 0;
      case SysReg.PRIMASK: return priv ? this.primask : 0;
      case SysReg.BASEPRI: case SysReg.BASEPRI_MAX: return priv && this.profile !== 'v6m' ? this.basepri : 0;
      case SysReg.FAULTMASK: return priv && this.profile !== 'v6m' ? this.faultmask : 0;
      case SysReg.CONTROL: return this.control;
      default: return 0;
    }
  }

  /** MSR: write special register SYSm (`mask`: the instruction's mask field; bit 1 = NZCVQ). Ends the block. */
  msr(sysm: number, mask: number, v: number): void {
    const priv = this.privileged;
    const v6 = this.profile === 'v6m';
    if (sysm <= 7) {
      // APSR write (the IPSR/EPSR parts of the views are read-only)
      // ARMv6-M has no Q flag, but QEMU 7.2 keeps APSR.Q writable there too: so do we.
      if ((sysm & 4) === 0) {
        if (v6 || (mask & 2) !== 0) this.setNzcvq(v);
        if ((mask & 1) !== 0 && this.profile === 'v7em') this.f[5] = (v >>> 16) & 0xf;
      }
      return;
    }
    if (!priv) return;
    switch (sysm) {
      case SysReg.MSP: this.msp = v & ~3; break;
      case SysReg.PSP: this.psp = v & ~3; break;
      case SysReg.PRIMASK: this.primask = v & 1; break;
      case SysReg.BASEPRI: if (!v6) this.basepri = v & this.basepriMask; break;
      case SysReg.BASEPRI_MAX: {
        const nv = v & this.basepriMask;
        if (!v6 && nv !== 0 && (nv < this.basepri || this.basepri === 0)) this.basepri = nv;
        break;
      }
      case SysReg.FAULTMASK:
        if (!v6 && this.model.executionPriority(this) > -1) this.faultmask = v & 1;
        break;
      case SysReg.CONTROL: {
        let c = (this.control & ~1) | (v & 1);
        if (v6) c = c & ~1; // ARMv6-M (Cortex-M0): no unprivileged Thread mode
        if (this.ipsr === 0) c = (c & ~2) | (v & 2);
        if (this.fpu !== null) c = (c & ~4) | (v & 4); // CONTROL.FPCA
        this.setControl(c);
        break;
      }
      default: break;
    }
    this.model.priorityChanged(this);
    this.exitReq = 1;
  }

  /** CPSIE/CPSID: `disable` sets the masks named by `i` (PRIMASK) and `f` (FAULTMASK). Privileged only. */
  cps(disable: boolean, i: boolean, f: boolean): void {
    if (!this.privileged) return;
    if (i) this.primask = disable ? 1 : 0;
    if (f && this.profile !== 'v6m') {
      if (!disable) this.faultmask = 0;
      else if (this.model.executionPriority(this) > -1) this.faultmask = 1;
    }
    this.model.priorityChanged(this);
    this.exitReq = 1;
  }

  // ---- control flow --------------------------------------------------------------------------

  /**
   * BXWritePC / LoadWritePC (icount already counts the instruction; ITSTATE already advanced):
   * an EXC_RETURN value in Handler mode returns from the exception; otherwise bit 0 becomes
   * EPSR.T (0: the next instruction raises INVSTATE) and the PC gets the address. Returns what
   * happened, a {@link BxWrite} value (generated code reports the control-flow event from it).
   * `from` is the returning instruction's address when TrapReturn events are wanted (a return
   * that tail-chains reports its TrapReturn from the model, before the chained entry).
   */
  bxWritePc(v: number, from = -1): BxWrite {
    if (this.ipsr !== 0 && (v >>> 28) === 0xf) {
      this.exitReq = 1;
      this.excReturnFrom = from;
      return this.model.exceptionReturn(this, v >>> 0) === false ? BxWrite.ExceptionEntered : BxWrite.ExceptionReturn;
    }
    this.thumb = (v & 1) !== 0;
    this.pcLo = v & ~1;
    return BxWrite.Branch;
  }

  /** WFI (PC and icount already past it). */
  wfi(): void { this.exitReq = 1; this.model.wfi(this); }

  /** WFE: consume the event register, or wait like WFI. */
  wfe(): void {
    if (this.event !== 0) { this.event = 0; return; }
    this.exitReq = 1;
    this.model.wfi(this);
  }

  sev(): void { this.event = 1; }
}
