/**
 * A stand-in for the AVR CPU in peripheral tests: a data space with hooks, a cycle counter the
 * test sets or advances "instruction by instruction", cycle timers fired in deadline order at each
 * instruction boundary (as the CPU does between instructions), and a record of interrupt requests.
 */
import type { AvrChip, AvrReadHook, AvrTimer, AvrWriteHook } from '../chip.js';

interface FakeTimerState {
  deadline: number | null;
  seq: number;
  readonly fire: (now: number) => void;
}

export interface IrqEvent {
  readonly vector: number;
  readonly requesting: boolean;
  readonly cycle: number;
}

export interface FakeChipOptions {
  /**
   * Run the timers as avr8js runs its clock events: at most one per instruction boundary (the
   * earliest; among equal deadlines the one armed last), and a deadline at or before the current
   * cycle counts as the next cycle.
   */
  avr8jsQueue?: boolean;
}

export class FakeChip implements AvrChip {
  readonly data = new Uint8Array(0x900);
  readonly frequency: number;
  /** The cycle counter `cycles()` returns; tests may set it directly. */
  now = 0;
  private readonly readHooks = new Map<number, AvrReadHook>();
  private readonly writeHooks = new Map<number, AvrWriteHook>();
  private readonly timers: FakeTimerState[] = [];
  private armSeq = 0;
  private readonly requestingSet = new Set<number>();
  private readonly acks = new Map<number, () => void>();
  private readonly wdrListeners: (() => void)[] = [];
  /** Every change of a vector's request line, in order. */
  readonly irqLog: IrqEvent[] = [];
  /** Number of `requestReset()` calls. */
  resets = 0;
  /** Cycles added by `addCycles` (EEPROM CPU halt) since the test last cleared it. */
  stalled = 0;
  /** Number of timer callbacks run (to check that peripherals do not tick per cycle). */
  fired = 0;
  /** Called by `requestReset()` (after counting it), e.g. to reset the peripherals. */
  onReset: (() => void) | null = null;

  readonly avr8jsQueue: boolean;

  constructor(frequency = 16_000_000, options: FakeChipOptions = {}) {
    this.frequency = frequency;
    this.avr8jsQueue = options.avr8jsQueue ?? false;
  }

  cycles(): number {
    return this.now;
  }
  /** One hook per address, as on the real chip: a second one is a wiring bug. */
  onRead(addr: number, hook: AvrReadHook): void {
    if (this.readHooks.has(addr)) throw new Error(`read hook of 0x${addr.toString(16)} registered twice`);
    this.readHooks.set(addr, hook);
  }
  onWrite(addr: number, hook: AvrWriteHook): void {
    if (this.writeHooks.has(addr)) throw new Error(`write hook of 0x${addr.toString(16)} registered twice`);
    this.writeHooks.set(addr, hook);
  }
  timer(fire: (nowCycles: number) => void): AvrTimer {
    const t: FakeTimerState = { deadline: null, seq: 0, fire };
    this.timers.push(t);
    return {
      armAt: (cycle: number) => {
        t.deadline = this.avr8jsQueue ? Math.max(cycle, this.now + 1) : cycle;
        t.seq = this.armSeq++;
      },
      disarm: () => {
        t.deadline = null;
      },
    };
  }
  setInterrupt(vector: number, requesting: boolean): void {
    const was = this.requestingSet.has(vector);
    if (requesting) this.requestingSet.add(vector);
    else this.requestingSet.delete(vector);
    if (was !== requesting) this.irqLog.push({ vector, requesting, cycle: this.now });
  }
  onInterruptTaken(vector: number, ack: () => void): void {
    this.acks.set(vector, ack);
  }
  requestReset(): void {
    this.resets++;
    this.onReset?.();
  }
  onWatchdogReset(listener: () => void): void {
    this.wdrListeners.push(listener);
  }
  addCycles(cycles: number): void {
    this.stalled += cycles;
    this.now += cycles;
  }

  // ---- what the CPU would do ----

  /** A load (`LDS`/`IN`): through the read hook when there is one. */
  read(addr: number): number {
    const hook = this.readHooks.get(addr);
    return hook ? hook(addr) & 0xff : this.data[addr]!;
  }
  /** A store (`STS`/`OUT`), or with `mask` one bit of `SBI`/`CBI`. */
  write(addr: number, value: number, mask = 0xff): void {
    const hook = this.writeHooks.get(addr);
    if (hook && hook(value & 0xff, this.data[addr]!, addr, mask)) return;
    this.data[addr] = value & 0xff;
  }
  sbi(addr: number, bit: number): void {
    this.write(addr, this.read(addr) | (1 << bit), 1 << bit);
  }
  cbi(addr: number, bit: number): void {
    this.write(addr, this.read(addr) & ~(1 << bit), 1 << bit);
  }
  /** `WDR`. */
  wdr(): void {
    for (const l of this.wdrListeners) l();
  }

  /** The earliest armed deadline, or null. */
  nextDeadline(): number | null {
    let best: number | null = null;
    for (const t of this.timers) if (t.deadline !== null && (best === null || t.deadline < best)) best = t.deadline;
    return best;
  }
  /**
   * Fire every timer whose deadline is at or before `now`, earliest first (ties: armed first); with
   * `avr8jsQueue`, only the first one in avr8js's order.
   */
  fireDue(): void {
    for (;;) {
      let best: FakeTimerState | null = null;
      for (const t of this.timers) {
        if (t.deadline === null || t.deadline > this.now) continue;
        const tieFirst = this.avr8jsQueue ? t.seq > best?.seq! : t.seq < best?.seq!;
        if (!best || t.deadline < best.deadline! || (t.deadline === best.deadline && tieFirst)) best = t;
      }
      if (!best) return;
      best.deadline = null;
      this.fired++;
      best.fire(this.now);
      if (this.avr8jsQueue) return;
    }
  }
  /** One instruction of `len` cycles, then the timers due at its end. */
  step(len = 1): void {
    this.now += len;
    this.fireDue();
  }
  /** Instructions of `len` cycles until at least `cycles` more have passed. */
  run(cycles: number, len = 1): void {
    const end = this.now + cycles;
    while (this.now < end) this.step(len);
  }
  /** Sleep: jump to each deadline until `cycle` (as the CPU does in idle sleep). */
  advanceTo(cycle: number): void {
    for (;;) {
      const d = this.nextDeadline();
      if (d === null || d > cycle) break;
      this.now = Math.max(this.now, d);
      this.fireDue();
    }
    this.now = Math.max(this.now, cycle);
    this.fireDue();
  }
  /** Instructions of `len` cycles until `pred()` holds; returns the cycle count then. */
  runUntil(pred: () => boolean, limit: number, len = 1): number {
    const end = this.now + limit;
    while (!pred()) {
      if (this.now >= end) throw new Error(`condition not reached within ${limit} cycles`);
      this.step(len);
    }
    return this.now;
  }

  /** Whether `vector` is requesting service now. */
  requesting(vector: number): boolean {
    return this.requestingSet.has(vector);
  }
  /** The vector the CPU would take now (lowest requesting), or null. */
  pendingVector(): number | null {
    let best: number | null = null;
    for (const v of this.requestingSet) if (best === null || v < best) best = v;
    return best;
  }
  /** Enter `vector` as the CPU does: run its acknowledge hook. */
  takeInterrupt(vector: number): void {
    this.acks.get(vector)?.();
  }
  /** Cycles at which `vector` started requesting, in order. */
  requestCycles(vector: number): number[] {
    return this.irqLog.filter((e) => e.vector === vector && e.requesting).map((e) => e.cycle);
  }
}
