/**
 * Deterministic virtual time. Time is derived from the number of guest instructions executed
 * (QEMU's `-icount shift=N`): each instruction lasts 2^shift nanoseconds. Devices schedule
 * events at virtual nanosecond deadlines; the engine never runs a block past the next deadline,
 * so an event due at instruction N fires at the first instruction boundary >= N, whatever the
 * block sizes.
 */
export interface IcountSource {
  /** Instructions this source has retired, exact at the moment of the call (mid-block too). */
  retired(): number;
}

export interface ClockEvent {
  /** Virtual nanosecond at which `fire` runs; Infinity = disarmed. */
  deadline: number;
  fire(nowNs: number): void;
}

export class VirtualClock {
  private readonly sources: IcountSource[] = [];
  private readonly events: ClockEvent[] = [];
  /** Instructions credited while every vCPU was idle (WFI jumps straight to a deadline). */
  idleIcount = 0;

  constructor(readonly shift = 0) {}

  addSource(src: IcountSource): void { this.sources.push(src); }

  /** Total instruction count of the machine (all vCPUs plus idle time). */
  icount(): number {
    let n = this.idleIcount;
    for (const s of this.sources) n += s.retired();
    return n;
  }

  /** Current virtual time in nanoseconds. */
  nowNs(): number { return this.icount() * 2 ** this.shift; }

  /** Convert a virtual-ns deadline to the icount at which it is reached (rounded up). */
  icountAt(ns: number): number { return Math.ceil(ns / 2 ** this.shift); }

  /** Called when an event is moved, so the engine can shorten the current run slice. */
  onReschedule: () => void = () => {};

  /** Tell the engine an event's deadline changed (devices call this after editing `deadline`). */
  reschedule(): void { this.onReschedule(); }

  /** Register an event; change `deadline` then call `reschedule()` to move it. */
  addEvent(ev: ClockEvent): void { this.events.push(ev); }

  /** Earliest armed deadline in ns, or Infinity. */
  nextDeadline(): number {
    let d = Infinity;
    for (const e of this.events) if (e.deadline < d) d = e.deadline;
    return d;
  }

  /** Fire every event whose deadline has been reached. Returns how many fired. */
  runDue(): number {
    const now = this.nowNs();
    let fired = 0;
    for (const e of this.events) {
      if (e.deadline <= now) { e.deadline = Infinity; e.fire(now); fired++; }
    }
    return fired;
  }
}
