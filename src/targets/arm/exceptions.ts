/**
 * The ARMv7-M / ARMv6-M exception model (ARMv7-M ARM B1.5): exception state (enabled, pending,
 * active, priority), priority grouping, execution priority with PRIMASK/FAULTMASK/BASEPRI,
 * exception entry (PushStack on MSP or PSP with 8-byte alignment under CCR.STKALIGN, EXC_RETURN in
 * LR), exception return (PopStack, the EXC_RETURN checks, INVPC), tail-chaining on return,
 * escalation of faults to HardFault, and lockup (a one-line stop). Names follow the manual's
 * pseudocode: {@link pushStack}, {@link exceptionTaken}, {@link exceptionReturn}, {@link popStack}.
 *
 * Late arrival needs no separate path: entry is atomic here, so the highest-priority pending
 * exception at the moment of entry is the one whose handler runs (and is the one reported).
 *
 * Every handler entry is reported as a discontinuity (discon-semantics.md, ARM M-profile):
 * interrupts (NMI, PendSV, SysTick, IRQs) with fromPc = the stacked return address; SVC and
 * faults as exceptions with fromPc = the instruction; a tail-chained entry reports the return
 * address in the retained frame. Exception returns are not events.
 *
 * Registers (SCB, NVIC, SysTick) are views over this state: scb.ts, nvic.ts, systick.ts.
 */
import type { ArmCpu } from './cpu.js';
import { ArmExc, Ccr, Cfsr, type ArmExceptionModel, type SyncException } from './exception-model.js';
import { Discon, Flow } from '../../plugin/api.js';
import type { Profile } from './encodings.js';
import { Fpccr } from './fpu.js';
import { MpuAccess } from './mpu.js';

/** HFSR bits. */
export const Hfsr = { VECTTBL: 1 << 1, FORCED: 1 << 30, DEBUGEVT: 1 << 31 } as const;
/** SHCSR enable bits. */
export const Shcsr = { MEMFAULTENA: 1 << 16, BUSFAULTENA: 1 << 17, USGFAULTENA: 1 << 18 } as const;

export interface ArmExceptionsOptions {
  /** External interrupts (IRQ0..n-1); QEMU's mps2-an385 has 32. */
  irqs?: number;
  /** Implemented priority bits (8 by default, as QEMU's NVIC). */
  priorityBits?: number;
  /** `-d int` sink. */
  log?: (line: string) => void;
  /** Semihosting: called for BKPT 0xAB; returns true if serviced (the PC is then advanced by the model). */
  semihosting?: (cpu: ArmCpu) => boolean;
  profile?: Profile;
  /** Semihosting also from unprivileged Thread mode (QEMU's `-semihosting-config userspace=on`); default off. */
  semihostingUserspace?: boolean;
}

/** QEMU's EXCP_* number and name for what raised an exception (its `-d int` "Taking exception" line). */
export function qemuExcp(exc: number, cfsr: number): [number, string] {
  if (exc === ArmExc.SVCall) return [2, 'SVC'];
  if (cfsr & Cfsr.UNDEFINSTR) return [1, 'Undefined Instruction'];
  if (cfsr & Cfsr.NOCP) return [17, 'v7M NOCP UsageFault'];
  if (cfsr & Cfsr.INVSTATE) return [18, 'v7M INVSTATE UsageFault'];
  if (cfsr & Cfsr.UNALIGNED) return [4, 'Data Abort']; // QEMU: a data abort that is "really" a UsageFault
  if (cfsr & Cfsr.DIVBYZERO) return [23, 'v7M DIVBYZERO UsageFault'];
  if (cfsr & (Cfsr.IBUSERR | Cfsr.IACCVIOL)) return [3, 'Prefetch Abort'];
  if (cfsr & (Cfsr.PRECISERR | Cfsr.DACCVIOL)) return [4, 'Data Abort'];
  if (exc === ArmExc.HardFault || exc === ArmExc.DebugMonitor) return [7, 'Breakpoint'];
  return [5, 'IRQ'];
}

/**
 * Discontinuity kind of exception n when entered from the pending state (tail-chaining, a fault
 * pended by a stacking error or by SHCSR): faults, SVCall and DebugMonitor are exceptions; NMI,
 * PendSV, SysTick and IRQs interrupts.
 */
function kindOf(n: number): 1 | 2 {
  return n === ArmExc.SVCall || (n >= ArmExc.HardFault && n <= ArmExc.UsageFault) || n === ArmExc.DebugMonitor ? Discon.Exception : Discon.Interrupt;
}

export class ArmExceptions implements ArmExceptionModel {
  readonly count: number;
  readonly enabled: Uint8Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  /** Programmable priority per exception number (8-bit register value). */
  readonly priority: Uint8Array;
  /** Input line levels of the external interrupts (level-sensitive: pending again after the handler while high). */
  readonly level: Uint8Array;
  readonly priorityMask: number;
  ccr = Ccr.STKALIGN;
  cfsr = 0;
  hfsr = 0;
  mmfar = 0;
  bfar = 0;
  shcsr = 0;
  vtor = 0;
  /** AIRCR.PRIGROUP */
  prigroup = 0;
  /** SCR (SLEEPONEXIT bit 1, SEVONPEND bit 4). */
  scr = 0;
  private readonly log: ((line: string) => void) | undefined;
  private readonly semihosting: ((cpu: ArmCpu) => boolean) | undefined;
  private readonly semihostingUserspace: boolean;
  readonly v6m: boolean;
  /** Set when the core locked up (the run stops with this message). */
  lockup: string | undefined;

  constructor(o: ArmExceptionsOptions = {}) {
    this.count = 16 + (o.irqs ?? 32);
    this.enabled = new Uint8Array(this.count);
    this.pending = new Uint8Array(this.count);
    this.active = new Uint8Array(this.count);
    this.priority = new Uint8Array(this.count);
    this.level = new Uint8Array(this.count);
    this.priorityMask = (0xff << (8 - (o.priorityBits ?? 8))) & 0xff;
    this.log = o.log;
    this.semihosting = o.semihosting;
    this.semihostingUserspace = o.semihostingUserspace ?? false;
    this.v6m = o.profile === 'v6m';
    this.reset();
  }

  reset(): void {
    this.enabled.fill(0); this.pending.fill(0); this.active.fill(0); this.priority.fill(0);
    // Fixed-priority and always-enabled system exceptions.
    for (const n of [ArmExc.Reset, ArmExc.NMI, ArmExc.HardFault, ArmExc.SVCall, ArmExc.PendSV, ArmExc.SysTick, ArmExc.DebugMonitor]) this.enabled[n] = 1;
    this.cfsr = 0; this.hfsr = 0; this.mmfar = 0; this.bfar = 0; this.shcsr = 0; this.vtor = 0; this.prigroup = 0; this.scr = 0;
    this.ccr = Ccr.STKALIGN;
    this.lockup = undefined;
  }

  /** Priority of exception n: fixed -3/-2/-1 for Reset/NMI/HardFault, else the register value. */
  rawPriority(n: number): number {
    if (n === ArmExc.Reset) return -3;
    if (n === ArmExc.NMI) return -2;
    if (n === ArmExc.HardFault) return -1;
    return this.priority[n]! & this.priorityMask;
  }

  /** Group priority (PRIGROUP splits off the subpriority bits). */
  groupPriority(n: number): number {
    const p = this.rawPriority(n);
    if (p < 0) return p;
    return p & ~((2 << this.prigroup) - 1) & 0xff;
  }

  private groupOf(p: number): number { return p & ~((2 << this.prigroup) - 1) & 0xff; }

  /** Is exception n enabled (faults: SHCSR; IRQs: NVIC ISER)? */
  isEnabled(n: number): boolean {
    switch (n) {
      case ArmExc.MemManage: return (this.shcsr & Shcsr.MEMFAULTENA) !== 0;
      case ArmExc.BusFault: return (this.shcsr & Shcsr.BUSFAULTENA) !== 0;
      case ArmExc.UsageFault: return (this.shcsr & Shcsr.USGFAULTENA) !== 0;
      default: return this.enabled[n] !== 0;
    }
  }

  /** ExecutionPriority() of the manual, for the CPU's current mask registers and active set. */
  executionPriority(cpu: ArmCpu): number {
    let highest = 256;
    for (let n = 1; n < this.count; n++) if (this.active[n] !== 0) highest = Math.min(highest, this.groupPriority(n));
    let boost = 256;
    if (cpu.primask !== 0) boost = 0;
    if (cpu.basepri !== 0) boost = Math.min(boost, this.groupOf(cpu.basepri & this.priorityMask));
    if (cpu.faultmask !== 0) boost = -1;
    return Math.min(highest, boost);
  }

  /** The pending, enabled exception with the highest priority (lowest value, then lowest number), or 0. */
  private highestPending(): number {
    let best = 0, bestP = 1000;
    for (let n = 1; n < this.count; n++) {
      if (this.pending[n] === 0 || !this.isEnabled(n)) continue;
      const p = this.rawPriority(n);
      if (p < bestP) { best = n; bestP = p; }
    }
    return best;
  }

  /** VECTPENDING, RETTOBASE and friends read this. */
  pendingNumber(): number { return this.highestPending(); }

  /** Number of active exceptions (RETTOBASE, NestedActivation). */
  activeCount(): number { let c = 0; for (let n = 1; n < this.count; n++) c += this.active[n]!; return c; }

  // ---- requests from devices and registers -------------------------------------------------

  /** Set exception n pending (an IRQ line, ICSR.PENDSTSET/PENDSVSET/NMIPENDSET, STIR). */
  setPending(cpu: ArmCpu, n: number): void {
    if (n <= 0 || n >= this.count) return;
    this.pending[n] = 1;
    this.priorityChanged(cpu);
  }

  /** Drive external interrupt `irq`'s line (IRQ n is exception 16 + n): high makes it pending. */
  setIrqLevel(cpu: ArmCpu, irq: number, high: boolean): void {
    const n = ArmExc.IrqBase + irq;
    if (n >= this.count) throw new RangeError(`no IRQ ${irq} (the NVIC has ${this.count - 16})`);
    this.level[n] = high ? 1 : 0;
    if (high && this.active[n] === 0) this.setPending(cpu, n);
  }

  clearPending(cpu: ArmCpu, n: number): void {
    if (n <= 0 || n >= this.count) return;
    this.pending[n] = 0;
    this.priorityChanged(cpu);
  }

  // ---- ArmExceptionModel -------------------------------------------------------------------

  /**
   * Keep `cpu.irqPending` nonzero exactly while the engine has something to do between blocks:
   * a pending exception that preempts the execution priority, or one that wakes a WFI sleeper.
   * Every change of the execution priority (MSR, CPS, entry, return, priority registers) calls this.
   */
  priorityChanged(cpu: ArmCpu): void {
    const n = this.highestPending();
    let want = 0;
    if (n !== 0 && (this.groupPriority(n) < this.executionPriority(cpu) || (cpu.halted && this.wakesFromWfi(cpu, n)))) want = 1;
    if (want !== 0 && cpu.irqPending === 0) cpu.exitReq = 1;
    cpu.irqPending = want;
  }

  takePending(cpu: ArmCpu): boolean {
    const n = this.highestPending();
    if (n === 0) { cpu.irqPending = 0; return false; }
    const preempts = this.groupPriority(n) < this.executionPriority(cpu);
    if (cpu.halted) {
      if (!preempts && !this.wakesFromWfi(cpu, n)) { cpu.irqPending = 0; return false; } // stays asleep; a new request re-arms
      cpu.halted = false;
      if (cpu.host.hasIdleHooks) cpu.host.vcpuResume(cpu.index);
      if (!preempts) return true;
    }
    if (!preempts) return false;
    const from = cpu.pc;
    this.taking(cpu, 5, 'IRQ');
    this.enter(cpu, n, from, kindOf(n), from);
    return true;
  }

  /** WFI wakes for a pending exception that would preempt if PRIMASK were clear. */
  private wakesFromWfi(cpu: ArmCpu, n: number): boolean {
    const saved = cpu.primask;
    cpu.primask = 0;
    const ok = this.groupPriority(n) < this.executionPriority(cpu);
    cpu.primask = saved;
    return ok;
  }

  wfi(cpu: ArmCpu): void {
    const n = this.highestPending();
    if (n !== 0 && this.wakesFromWfi(cpu, n)) return;
    cpu.halted = true;
    cpu.irqPending = 0;
    if (cpu.host.hasIdleHooks) cpu.host.vcpuIdle(cpu.index);
  }

  bkpt(cpu: ArmCpu, imm: number, pc: number): boolean {
    // QEMU 7.2 services semihosting only in privileged code unless userspace=on.
    const semihosting = imm === 0xab && this.semihosting !== undefined && (cpu.privileged || this.semihostingUserspace);
    if (semihosting) {
      if (this.log !== undefined) {
        this.taking(cpu, 16, 'Semihosting call');
        this.log(`...handling as semihosting call 0x${(cpu.r[0]! >>> 0).toString(16)}\n`);
      }
    }
    if (semihosting && this.semihosting!(cpu)) {
      cpu.pc = pc + 2;
      if ((cpu.host.disconMask & Discon.HostCall) !== 0) cpu.host.discon(cpu.index, Discon.HostCall, pc | 0, 0, cpu.pcLo, 0);
      return true;
    }
    // QEMU 7.2: a BKPT that is no host call escalates to HardFault with HFSR.FORCED, DFSR 0
    // (the architecture: HFSR.DEBUGEVT and DFSR.BKPT).
    this.hfsr |= Hfsr.FORCED;
    return false;
  }

  exception(cpu: ArmCpu, e: SyncException): void {
    let n = e.exc;
    if (this.log !== undefined) {
      const [q, name] = qemuExcp(e.exc, e.cfsr);
      this.taking(cpu, q, name);
      const fa = `0x${(e.faultAddress >>> 0).toString(16)}`;
      if (e.cfsr & Cfsr.UNALIGNED && e.faultAddress !== 0) this.log(`...at fault address ${fa}\n...really UsageFault with UFSR.UNALIGNED\n`);
      if (e.cfsr & Cfsr.PRECISERR) this.log(`...at fault address ${fa}\n...with CFSR.PRECISERR and BFAR ${fa}\n`);
      if (e.cfsr & Cfsr.DACCVIOL) this.log(`...at fault address ${fa}\n...with CFSR.DACCVIOL and MMFAR ${fa}\n`);
      if (e.cfsr & Cfsr.IBUSERR) this.log(`...at fault address ${fa}\n...with CFSR.IBUSERR\n`);
      if (e.cfsr & Cfsr.IACCVIOL) this.log(`...at fault address ${fa}\n...with CFSR.IACCVIOL\n`);
    }
    if (e.cfsr !== 0) {
      this.cfsr |= e.cfsr;
      if ((e.cfsr & Cfsr.BFARVALID) !== 0) this.bfar = e.faultAddress >>> 0;
      if ((e.cfsr & Cfsr.MMARVALID) !== 0) this.mmfar = e.faultAddress >>> 0;
    }
    const exec = this.executionPriority(cpu);
    // Escalation (B1.5.4): a fault that is disabled (or any fault on ARMv6-M) or that cannot
    // preempt becomes HardFault; SVC and DebugMonitor likewise.
    // (ARMv6-M has no configurable faults: every fault is a HardFault; SVCall escalates only by priority.)
    if (n !== ArmExc.HardFault && ((this.v6m && n !== ArmExc.SVCall) || !this.isEnabled(n) || this.groupPriority(n) >= exec)) {
      if (n !== ArmExc.DebugMonitor) this.hfsr |= Hfsr.FORCED;
      n = ArmExc.HardFault;
    }
    if (n === ArmExc.HardFault && exec <= -1) {
      // QEMU 7.2's words (it names the HardFault it escalated to, whatever the original fault).
      this.lock(cpu, `Lockup: can't escalate 3 to HardFault (current priority ${exec})`);
      return;
    }
    this.enter(cpu, n, e.returnPc, Discon.Exception, e.pc);
  }

  /** `Taking exception N [name] on CPU i`, QEMU's first line for every exception (N is QEMU's EXCP_* code). */
  private taking(cpu: ArmCpu, q: number, name: string): void {
    if (this.log !== undefined) this.log(`Taking exception ${q} [${name}] on CPU ${cpu.index}\n`);
  }

  private lock(cpu: ArmCpu, msg: string): never {
    this.lockup = msg;
    throw cpu.stopError(msg);
  }

  /** Take exception n: push the frame, enter the handler, report it. */
  private enter(cpu: ArmCpu, n: number, returnAddress: number, kind: 1 | 2, fromPc: number): void {
    const derived = this.pushStack(cpu, returnAddress);
    if (derived !== 0) {
      // A stacking error (QEMU 7.2, v7m_push_stack + v7m_exception_taken): the derived BusFault
      // or MemManage (or HardFault, if it cannot be taken) is pended beside the exception being
      // entered, which stays pending, and the highest-priority pending one is taken, with the
      // EXC_RETURN of the interrupted context. It is reported with the fromPc of the exception
      // being entered (the faulting or SVC instruction, or the return address of an interrupt).
      this.pending[n] = 1;
      let d: number = derived;
      if (!this.isEnabled(d) || this.groupPriority(d) >= this.executionPriority(cpu)) { d = ArmExc.HardFault; this.hfsr |= Hfsr.FORCED; }
      this.pending[d] = 1;
      n = this.highestPending();
      kind = kindOf(n);
    }
    this.exceptionTaken(cpu, n);
    if ((cpu.host.disconMask & kind) !== 0) cpu.host.discon(cpu.index, kind, fromPc | 0, 0, cpu.pcLo, 0, n);
  }

  /** PushStack(ReturnAddress) of the manual: the 8-word frame on the current stack, LR = EXC_RETURN. */
  pushStack(cpu: ArmCpu, returnAddress: number): number {
    const handler = cpu.ipsr !== 0;
    const onPsp = !handler && (cpu.control & 2) !== 0;
    const frameptr0 = cpu.r[13]! >>> 0;
    const forceAlign = (this.ccr & Ccr.STKALIGN) !== 0 || this.v6m;
    const realign = forceAlign && (frameptr0 & 4) !== 0 ? 1 : 0;
    // An FP context (CONTROL.FPCA) gets the extended frame: S0-S15, FPSCR and a reserved word.
    const fpu = cpu.fpu;
    const fp = fpu !== null && (cpu.control & 4) !== 0;
    const frameptr = ((frameptr0 - (fp ? 0x68 : 0x20)) & (forceAlign ? ~7 : ~3)) >>> 0;
    const xpsr = (cpu.xpsr & ~(1 << 9)) | (realign << 9);
    const words = [cpu.r[0]!, cpu.r[1]!, cpu.r[2]!, cpu.r[3]!, cpu.r[12]!, cpu.r[14]!, returnAddress & ~1, xpsr];
    const bus = cpu.bus;
    let err = false;
    // The MPU checks stacking writes with the interrupted context's privilege (not at priority
    // < 0 without HFNMIENA): a violation is MSTKERR and a derived MemManage.
    const mpu = cpu.mpu;
    const mpuOn = mpu !== null && mpu.enabled && (mpu.hfnmiena || this.executionPriority(cpu) >= 0);
    const priv = cpu.privileged;
    let mstk = false;
    const write = (a: number, v: number): void => {
      if (mpuOn && !mpu.allows(a, MpuAccess.Write, priv)) { mstk = true; err = true; return; }
      bus.error = 0;
      bus.write(a, 4, v >>> 0);
      if (bus.error !== 0) err = true;
    };
    // As QEMU 7.2: the writes stop at the first one that fails (its "..." line is logged once).
    for (let i = 0; i < 8 && !err; i++) write(frameptr + 4 * i, words[i]!);
    if (fp && !err) {
      if ((fpu.fpccr & Fpccr.LSPEN) !== 0) {
        // Lazy: the space is reserved, FPCAR points at it; the first FP instruction fills it.
        const exec = this.executionPriority(cpu);
        const rdy = (n: number): boolean => this.isEnabled(n) && this.groupPriority(n) < exec;
        let st = Fpccr.LSPACT | (cpu.privileged ? 0 : Fpccr.USER) | (handler ? 0 : Fpccr.THREAD) | (exec > -1 ? Fpccr.HFRDY : 0);
        if (rdy(ArmExc.MemManage)) st |= Fpccr.MMRDY;
        if (rdy(ArmExc.BusFault)) st |= Fpccr.BFRDY;
        fpu.fpccr = ((fpu.fpccr & ~0x17b) | st) >>> 0;
        fpu.fpcar = (frameptr + 0x20) >>> 0;
      } else {
        for (let i = 0; i < 17 && !err; i++) write(frameptr + 0x20 + 4 * i, i < 16 ? fpu.s[i]! : fpu.fpscr);
      }
    }
    cpu.r[13] = frameptr;
    if (mstk) {
      this.cfsr |= Cfsr.MSTKERR;
      if (this.log !== undefined) this.log('...MemManageFault with CFSR.MSTKERR\n');
    } else if (err) {
      this.cfsr |= Cfsr.STKERR;
      if (this.log !== undefined) this.log('...BusFault with BFSR.STKERR\n');
    }
    cpu.r[14] = (handler ? 0xfffffff1 : onPsp ? 0xfffffffd : 0xfffffff9) & ~(fp ? 0x10 : 0);
    return mstk ? ArmExc.MemManage : err ? ArmExc.BusFault : 0;
  }

  /** ExceptionTaken(n): Handler mode, IPSR = n, SP_main, PC from the vector table. */
  exceptionTaken(cpu: ArmCpu, n: number): void {
    const bus = cpu.bus;
    bus.error = 0;
    const vector = bus.read((this.vtor + 4 * n) >>> 0, 4);
    if (bus.error !== 0) {
      if (n === ArmExc.HardFault || this.executionPriority(cpu) <= -1) this.lock(cpu, `Lockup: vector table read for exception ${n} failed`);
      this.hfsr |= Hfsr.VECTTBL;
      this.exceptionTaken(cpu, ArmExc.HardFault);
      return;
    }
    if (this.log !== undefined) {
      this.log(`...taking pending nonsecure exception ${n}\n...loading from element ${n} of non-secure vector table at 0x${((this.vtor + 4 * n) >>> 0).toString(16)}\n...loaded new PC 0x${(vector >>> 0).toString(16)}\n`);
    }
    cpu.setIpsr(n);
    cpu.setControl(cpu.control & ~2 & ~4);
    cpu.pcLo = vector & ~1;
    cpu.thumb = (vector & 1) !== 0;
    cpu.itstate = 0;
    this.active[n] = 1;
    this.pending[n] = 0;
    cpu.event = 1;
    cpu.clearExclusive();
    cpu.exitReq = 1;
    this.priorityChanged(cpu);
  }

  /**
   * ExceptionReturn(EXC_RETURN) of the manual, with tail-chaining. False when the return ends in
   * another exception entry instead of the interrupted context: tail-chaining (the chained
   * handler's entry is the one event reported) or an INVPC fault.
   */
  exceptionReturn(cpu: ArmCpu, excReturn: number): boolean {
    const returning = cpu.ipsr;
    if (this.log !== undefined) {
      this.taking(cpu, 8, 'QEMU v7M exception exit');
      this.log(`Exception return: magic PC ${(excReturn >>> 0).toString(16)} previous exception ${returning}\n`);
    }
    const mode = excReturn & 0xf;
    const nested = this.activeCount();
    const invpc = (): void => {
      // INVPC UsageFault taken from the handler, return address = the EXC_RETURN value's PC.
      this.cfsr |= Cfsr.INVPC;
      cpu.r[14] = excReturn | 0;
      const n = this.isEnabled(ArmExc.UsageFault) && this.groupPriority(ArmExc.UsageFault) < this.executionPriority(cpu) ? ArmExc.UsageFault : ArmExc.HardFault;
      if (n === ArmExc.HardFault) { if (this.executionPriority(cpu) <= -1) this.lock(cpu, 'Lockup: INVPC on exception return at HardFault priority'); this.hfsr |= Hfsr.FORCED; }
      this.enter(cpu, n, cpu.pcLo, Discon.Exception, cpu.pcLo);
    };
    const fpFrame = (excReturn & 0x10) === 0;
    if ((excReturn >>> 5) !== 0x7ffffff || (fpFrame && cpu.fpu === null) || this.active[returning] === 0) { invpc(); return false; }
    let toThread: boolean, usePsp: boolean;
    switch (mode) {
      case 0x1: toThread = false; usePsp = false; if (nested === 1) { invpc(); return false; } break;
      case 0x9: toThread = true; usePsp = false; break;
      case 0xd: toThread = true; usePsp = true; break;
      default: invpc(); return false;
    }
    if (toThread && nested !== 1) { invpc(); return false; }
    // DeActivate
    this.active[returning] = 0;
    if (this.level[returning] !== 0) this.pending[returning] = 1;
    if (returning !== ArmExc.NMI) cpu.faultmask = 0;
    cpu.clearExclusive();
    cpu.event = 1;
    // Tail-chaining: a pending exception that would preempt the context being returned to is
    // entered directly, keeping the frame on the stack and the same EXC_RETURN.
    const next = this.highestPending();
    if (next !== 0) {
      const threadPri = this.returnedPriority(cpu);
      if (this.groupPriority(next) < threadPri) {
        const frame = toThread && usePsp ? cpu.psp : cpu.msp;
        const bus = cpu.bus;
        bus.error = 0;
        const stackedPc = bus.read((frame + 24) >>> 0, 4);
        if (this.log !== undefined) this.log('...tailchaining to pending exception\n');
        // The return is a TrapReturn to the retained frame's return address, and the chained
        // entry an event from that address (as an interrupt taken before it ran).
        if (cpu.excReturnFrom >= 0 && (cpu.host.flowMask & Flow.TrapReturn) !== 0) {
          cpu.host.flowDispatch(cpu.index, Flow.TrapReturn, cpu.excReturnFrom, 0, stackedPc | 0, 0);
        }
        cpu.r[14] = excReturn | 0;
        this.exceptionTaken(cpu, next);
        const kind = kindOf(next);
        if ((cpu.host.disconMask & kind) !== 0) cpu.host.discon(cpu.index, kind, stackedPc | 0, 0, cpu.pcLo, 0, next);
        return false;
      }
    }
    this.popStack(cpu, toThread, usePsp, fpFrame);
    if (this.log !== undefined) this.log('...successful exception return\n');
    this.priorityChanged(cpu);
    if (toThread && (this.scr & 2) !== 0 && this.activeCount() === 0) {
      // SLEEPONEXIT: back to sleep in Thread mode.
      cpu.halted = true;
    }
    return true;
  }

  /** Execution priority once the returning exception is no longer active (for tail-chaining). */
  private returnedPriority(cpu: ArmCpu): number { return this.executionPriority(cpu); }

  /** PopStack: restore the frame from SP_main or SP_process, switch mode and stack. */
  popStack(cpu: ArmCpu, toThread: boolean, usePsp: boolean, fpFrame = false): void {
    // Select the stack before reading the frame: CONTROL.SPSEL and IPSR decide the bank.
    const frameptr = (toThread && usePsp ? cpu.psp : cpu.msp) >>> 0;
    const bus = cpu.bus;
    const w: number[] = [];
    for (let i = 0; i < 8; i++) { bus.error = 0; w.push(bus.read(frameptr + 4 * i, 4) | 0); if (bus.error !== 0) this.cfsr |= Cfsr.UNSTKERR; }
    const psr = w[7]! >>> 0;
    const forceAlign = (this.ccr & Ccr.STKALIGN) !== 0 || this.v6m;
    const fpu = cpu.fpu;
    if (fpFrame && fpu !== null) {
      if ((fpu.fpccr & Fpccr.LSPACT) !== 0) fpu.fpccr = (fpu.fpccr & ~Fpccr.LSPACT) >>> 0; // never saved: nothing to restore
      else {
        for (let i = 0; i < 17; i++) {
          bus.error = 0;
          const v = bus.read(frameptr + 0x20 + 4 * i, 4) >>> 0;
          if (bus.error !== 0) this.cfsr |= Cfsr.UNSTKERR;
          if (i < 16) fpu.s[i] = v; else fpu.fpscr = v & 0xf7c0009f;
        }
      }
    }
    const sp = (frameptr + (fpFrame ? 0x68 : 0x20) + (forceAlign && ((psr >>> 9) & 1) !== 0 ? 4 : 0)) | 0;
    if (toThread && usePsp) cpu.psp = sp; else cpu.msp = sp;
    let control = toThread ? (usePsp ? cpu.control | 2 : cpu.control & ~2) : cpu.control & ~2;
    if (fpu !== null) control = fpFrame ? control | 4 : control & ~4; // CONTROL.FPCA = NOT EXC_RETURN[4]
    cpu.setControl(control);
    cpu.xpsr = toThread ? psr & ~0x1ff : psr;
    if (!toThread && cpu.ipsr === 0) cpu.setIpsr(psr & 0x1ff);
    cpu.r[0] = w[0]!; cpu.r[1] = w[1]!; cpu.r[2] = w[2]!; cpu.r[3] = w[3]!; cpu.r[12] = w[4]!; cpu.r[14] = w[5]!;
    cpu.pcLo = w[6]! & ~1;
    cpu.exitReq = 1;
  }

  /** Power-on / system reset: state cleared, SP_main and PC from the vector table at VTOR (0). */
  resetCpu(cpu: ArmCpu): void {
    this.reset();
    cpu.reset();
    const bus = cpu.bus;
    bus.error = 0;
    const sp = bus.read(0, 4);
    const pc = bus.read(4, 4);
    if (bus.error !== 0) this.lock(cpu, 'Lockup: no vector table at address 0');
    if (this.log !== undefined) this.log(`Loaded reset SP 0x${(sp >>> 0).toString(16)} PC 0x${(pc >>> 0).toString(16)} from vector table\n`);
    cpu.r[13] = sp & ~3;
    cpu.pcLo = pc & ~1;
    cpu.thumb = (pc & 1) !== 0;
    cpu.exitReq = 1;
  }
}
