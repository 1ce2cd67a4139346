/**
 * The machine-level loop: runs the vCPUs round-robin up to the next timer deadline, fires due
 * events, advances virtual time straight to the next deadline when every vCPU is idle, yields to
 * the host event loop now and then so console input can arrive, and enforces `-max-insns`.
 */
import type { VirtualClock } from './clock.js';
import type { Engine, EngineBlock, EngineCpu } from './engine.js';
import { UserError } from './errors.js';

/**
 * The run was stopped from outside the guest (instruction limit, a guest that can never wake):
 * the machine state is consistent, so exit callbacks still run before the one-line message.
 */
export class StopError extends UserError {}

export interface RunnerOptions {
  /** Stop with an error once this many instructions have run. */
  maxInsns?: number;
  /** True while console input may still arrive (a halted guest then waits instead of failing). */
  inputOpen: () => boolean;
  /** Resolves when new input arrived (or input closed). */
  waitInput: () => Promise<void>;
  /** Called before the loop yields to the host (waiting for input, or letting input arrive): flush output. */
  onYield?: () => void;
  /** What the icount counts, for messages: 'instructions' (default) or 'cycles' (AVR). */
  unit?: string;
  /** The idle instruction's name, for messages: 'wfi' (default) or 'sleep' (AVR). */
  idleInsn?: string;
}

/** Instructions per vCPU turn in round-robin SMP. */
const QUANTUM = 10_000;
/** Instructions between yields to the event loop while input is open. */
const SLICE = 4_000_000;

export class Runner<C extends EngineCpu, B extends EngineBlock> {
  exitCode: number | undefined;
  /** A device moved a timer deadline: the current slice must end so the limit is recomputed. */
  private rescheduled = false;
  /** A system reset was requested (test finisher 0x7777, SBI reset through it). */
  private resetRequested = false;
  /** Called between slices to reset the machine; set by the machine. */
  onReset: (() => void) | null = null;
  private readonly stop = (): boolean => this.exitCode !== undefined || this.rescheduled || this.resetRequested;

  /** Request a system reset: the machine restarts from its reset vector (QEMU without -no-reboot). */
  requestReset(): void {
    this.resetRequested = true;
    for (const c of this.cpus) c.exitReq = 1;
  }

  constructor(readonly clock: VirtualClock, readonly cpus: readonly C[], readonly engine: Engine<C, B>,
    private readonly opts: RunnerOptions) {
    clock.onReschedule = () => {
      this.rescheduled = true;
      for (const c of this.cpus) c.exitReq = 1;
    };
  }

  /** Request the run to end with `code` (test finisher, semihosting exit). */
  requestExit(code: number): void {
    if (this.exitCode === undefined) this.exitCode = code;
    for (const c of this.cpus) c.exitReq = 1;
  }

  async run(): Promise<number> {
    const clock = this.clock;
    const maxInsns = this.opts.maxInsns ?? Infinity;
    let sinceYield = 0;
    while (this.exitCode === undefined) {
      this.rescheduled = false;
      if (this.resetRequested) {
        this.resetRequested = false;
        if (this.onReset !== null) this.onReset();
      }
      const now = clock.icount();
      if (now >= maxInsns) {
        throw new StopError(`guest still running after ${maxInsns} ${this.opts.unit ?? 'instructions'} (-max-insns): stopped`);
      }
      const dl = clock.nextDeadline();
      const dlIcount = dl === Infinity ? Infinity : clock.icountAt(dl);
      // Slices only matter when console input may arrive; otherwise run straight to the deadline.
      const limit = Math.min(dlIcount, maxInsns, this.opts.inputOpen() ? now + SLICE : Infinity);
      let allHalted = true;
      if (this.cpus.length === 1) {
        const cpu = this.cpus[0]!;
        if (limit > now) this.engine.run(cpu, cpu.icount + (limit - now), this.stop);
        if (!cpu.halted) allHalted = false;
      } else {
        for (const cpu of this.cpus) {
          const t = clock.icount();
          if (t >= limit || this.exitCode !== undefined) break;
          this.engine.run(cpu, cpu.icount + Math.min(limit - t, QUANTUM), this.stop);
        }
        allHalted = this.cpus.every((c) => c.halted && c.irqPending === 0);
      }
      clock.runDue();
      if (this.exitCode !== undefined) break;
      const after = clock.icount();
      sinceYield += after - now;
      if (allHalted && this.cpus.every((c) => c.halted && c.irqPending === 0)) {
        const d = clock.nextDeadline();
        if (d !== Infinity) {
          const target = clock.icountAt(d);
          if (target > after) clock.idleIcount += Math.min(target, maxInsns) - after;
          clock.runDue();
        } else if (this.opts.inputOpen()) {
          this.opts.onYield?.();
          await this.opts.waitInput();
          sinceYield = 0;
        } else {
          throw new StopError(`all vCPUs are idle (${this.opts.idleInsn ?? 'wfi'}) with no timer armed and no input: the guest can never wake`);
        }
      } else if (sinceYield >= SLICE && this.opts.inputOpen()) {
        sinceYield = 0;
        this.opts.onYield?.();
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    return this.exitCode;
  }
}
