/**
 * The interface between the M-profile CPU core (cpu.ts) and the exception model (NVIC, SCB,
 * SysTick, MPU, exception entry/return), which is written separately against this file.
 *
 * Division of labour:
 * - The CPU owns the core registers and special registers (r0..r12, SP_main/SP_process, LR, PC,
 *   APSR flags, EPSR.T and ITSTATE, IPSR, PRIMASK, FAULTMASK, BASEPRI, CONTROL), the local
 *   exclusive monitor and the event register. It detects every synchronous exception (undefined
 *   instruction, INVSTATE, unaligned access, divide by zero, bus error on a load/store/fetch, SVC,
 *   BKPT, NOCP) and every load of an EXC_RETURN value into the PC in Handler mode, and hands them
 *   to the model with the architectural state rolled back to the instruction (PC = the faulting
 *   instruction or, for SVC, the instruction itself; ITSTATE as before it; icount not counting it
 *   except for SVC/BKPT, which complete).
 * - The model owns everything else (the SCB, SHPR/NVIC priorities, pending/active state, CFSR/
 *   HFSR/MMFAR/BFAR, VTOR, stacking, tail-chaining, late arrival, lockup) and reports the
 *   discontinuities (discon-semantics.md, "ARM M-profile").
 *
 * The engine calls `cpu.takeInterrupt()` between blocks whenever `cpu.irqPending !== 0`; the CPU
 * forwards that to {@link ArmExceptionModel.takePending}. The model keeps `cpu.irqPending`
 * nonzero while an exception is pending that could preempt (or while a WFI sleeper should wake),
 * and sets `cpu.exitReq = 1` when that changes asynchronously (a device raised a line) so the
 * running block ends at its next check. The CPU ends a block after every instruction that changes
 * PRIMASK, FAULTMASK, BASEPRI or CONTROL (MSR, CPS) after calling {@link ArmExceptionModel.priorityChanged}.
 */
import type { ArmCpu } from './cpu.js';

/** Exception numbers (ARMv7-M B1.5.2). External interrupt n is 16 + n. */
export const ArmExc = {
  Reset: 1, NMI: 2, HardFault: 3, MemManage: 4, BusFault: 5, UsageFault: 6,
  SVCall: 11, DebugMonitor: 12, PendSV: 14, SysTick: 15, IrqBase: 16,
} as const;

/** Configurable Fault Status Register bits (MMFSR 7:0, BFSR 15:8, UFSR 31:16). */
export const Cfsr = {
  IACCVIOL: 1 << 0, DACCVIOL: 1 << 1, MUNSTKERR: 1 << 3, MSTKERR: 1 << 4, MMARVALID: 1 << 7,
  IBUSERR: 1 << 8, PRECISERR: 1 << 9, IMPRECISERR: 1 << 10, UNSTKERR: 1 << 11, STKERR: 1 << 12, BFARVALID: 1 << 15,
  UNDEFINSTR: 1 << 16, INVSTATE: 1 << 17, INVPC: 1 << 18, NOCP: 1 << 19, UNALIGNED: 1 << 24, DIVBYZERO: 1 << 25,
} as const;

/** CCR bits the CPU core consults. */
export const Ccr = { UNALIGN_TRP: 1 << 3, DIV_0_TRP: 1 << 4, STKALIGN: 1 << 9 } as const;

/** A synchronous exception detected by the CPU. */
export interface SyncException {
  /** ArmExc.UsageFault, BusFault, MemManage, HardFault, SVCall or DebugMonitor. */
  readonly exc: number;
  /** CFSR bits to set (0 for SVC and BKPT). */
  readonly cfsr: number;
  /** BFAR/MMFAR value when the cfsr bits include BFARVALID/MMARVALID. */
  readonly faultAddress: number;
  /** Address of the instruction that caused it (the stacked return address, except SVC: see `returnPc`). */
  readonly pc: number;
  /** The return address to stack: `pc` for faults, the next instruction for SVC (and BKPT if resumed). */
  readonly returnPc: number;
}

export interface ArmExceptionModel {
  /** Current CCR (UNALIGN_TRP, DIV_0_TRP, STKALIGN...). Read on slow paths only. */
  readonly ccr: number;
  /**
   * Enter the handler for a synchronous exception (escalating to HardFault if it cannot be taken,
   * locking up if that fails). On return the CPU continues at `cpu.pc`. Called with `cpu.pc` =
   * `e.pc`, ITSTATE and flags as before the instruction (or after it, for SVC).
   */
  exception(cpu: ArmCpu, e: SyncException): void;
  /**
   * BKPT #imm at `pc`: return true if it was serviced as a host call (semihosting with 0xAB; the
   * model then advanced the PC and reported the HostCall). Otherwise the CPU raises DebugMonitor
   * or HardFault through {@link exception} (the model decides: DebugMonitor if enabled).
   */
  bkpt(cpu: ArmCpu, imm: number, pc: number): boolean;
  /** Between blocks, when `cpu.irqPending !== 0`: take the highest-priority exception that can preempt, or wake from WFI. True if anything changed. */
  takePending(cpu: ArmCpu): boolean;
  /**
   * The PC was loaded with `excReturn` (0xFxxxxxxx) in Handler mode by BX, POP, LDR or LDM: perform
   * the exception return. Returns false when the return did not reach the interrupted context
   * (tail-chained into another handler, or faulted: that entry reports its own trap event);
   * true or nothing when it did (the instruction reports a TrapReturn control-flow event).
   */
  exceptionReturn(cpu: ArmCpu, excReturn: number): boolean | void;
  /** PRIMASK, FAULTMASK, BASEPRI or the active set changed: recompute `cpu.irqPending`. */
  priorityChanged(cpu: ArmCpu): void;
  /** Execution priority (ARMv7-M B1.5.4): -2 NMI, -1 HardFault/FAULTMASK, otherwise the boosted priority; 256 if none. */
  executionPriority(cpu: ArmCpu): number;
  /** WFI (PC already past it): halt unless an interrupt is pending that would wake. */
  wfi(cpu: ArmCpu): void;
}

/**
 * A model with no NVIC: any exception stops the run with a one-line error, as a lockup would. It
 * is what a CPU gets when no machine wired a real model (unit tests, tools).
 */
export class NoExceptionModel implements ArmExceptionModel {
  ccr = Ccr.STKALIGN;
  exception(cpu: ArmCpu, e: SyncException): void {
    throw cpu.stopError(`${excName(e.exc)} at 0x${(e.pc >>> 0).toString(16).padStart(8, '0')} (CFSR bits 0x${e.cfsr.toString(16)}) and no exception model`);
  }
  bkpt(): boolean { return false; }
  takePending(cpu: ArmCpu): boolean {
    if (cpu.halted) throw cpu.stopError('WFI with no exception model: the CPU can never wake');
    cpu.irqPending = 0;
    return false;
  }
  exceptionReturn(cpu: ArmCpu, excReturn: number): void {
    throw cpu.stopError(`exception return 0x${(excReturn >>> 0).toString(16)} with no exception model`);
  }
  priorityChanged(): void {}
  executionPriority(cpu: ArmCpu): number { return cpu.faultmask !== 0 ? -1 : cpu.primask !== 0 ? 0 : 256; }
  wfi(cpu: ArmCpu): void { cpu.halted = true; cpu.irqPending = 1; }
}

const EXC_NAMES: Record<number, string> = {
  1: 'Reset', 2: 'NMI', 3: 'HardFault', 4: 'MemManage', 5: 'BusFault', 6: 'UsageFault',
  11: 'SVCall', 12: 'DebugMonitor', 14: 'PendSV', 15: 'SysTick',
};

/** Name of an exception number, as QEMU's `-d int` prints them (IRQs as `IRQ n`). */
export function excName(n: number): string {
  return EXC_NAMES[n] ?? (n >= 16 ? `IRQ ${n - 16}` : `exception ${n}`);
}
