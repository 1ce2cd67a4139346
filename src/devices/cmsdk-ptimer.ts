/**
 * QEMU 7.2's periodic countdown timer (hw/core/ptimer.c), the engine under the CMSDK APB timer
 * and dual timer, in the configuration those devices use it: icount (or qtest) time, so the
 * "no faster than 10 us" clamp QEMU applies to real-time runs never applies.
 *
 * The counter is never ticked. The timer keeps QEMU's state — `delta` (count at `lastEvent`),
 * `limit`, `period` (64.32 fixed-point ns), `lastEvent`/`nextEvent` virtual-ns timestamps — and
 * computes the current count from the virtual clock when asked ({@link Ptimer.getCount}); one
 * clock event is armed for the next expiry (`nextEvent`), which reloads and re-arms.
 *
 * Every state-changing call must sit inside {@link Ptimer.begin} / {@link Ptimer.commit}, as in
 * QEMU: a reload (restart of the count from the current time) happens once, at commit.
 */
import type { ClockEvent, VirtualClock } from '../core/clock.js';

/** ptimer policy bits (`PTIMER_POLICY_*`). */
export const PtimerPolicy = {
  WRAP_AFTER_ONE_PERIOD: 1 << 0,
  CONTINUOUS_TRIGGER: 1 << 1,
  NO_IMMEDIATE_TRIGGER: 1 << 2,
  NO_IMMEDIATE_RELOAD: 1 << 3,
  NO_COUNTER_ROUND_DOWN: 1 << 4,
  TRIGGER_ONLY_ON_DECREMENT: 1 << 5,
} as const;

/** The policy set both CMSDK APB timers use. */
export const CMSDK_PTIMER_POLICY =
  PtimerPolicy.WRAP_AFTER_ONE_PERIOD |
  PtimerPolicy.TRIGGER_ONLY_ON_DECREMENT |
  PtimerPolicy.NO_IMMEDIATE_RELOAD |
  PtimerPolicy.NO_COUNTER_ROUND_DOWN;

const DELTA_ADJUST = 1;
const DELTA_NO_ADJUST = -1;
const TWO32 = 2 ** 32;
const M64 = (1n << 64n) - 1n;

/** ptimer run state. */
export const PtimerState = { Disabled: 0, Periodic: 1, OneShot: 2 } as const;

export class Ptimer {
  /** 0 = stopped, 1 = periodic, 2 = one-shot. */
  enabled = 0;
  limit = 0;
  /** Count at `lastEvent` while running; the count itself while stopped. */
  delta = 0;
  /** Whole nanoseconds of one count period. */
  period = 0;
  /** Fraction of a nanosecond of one period, in 2^-32 ns. */
  periodFrac = 0;
  lastEvent = 0;
  nextEvent = 0;
  private inTransaction = false;
  private needReload = false;
  private readonly event: ClockEvent;

  /**
   * @param clock virtual time and the event queue.
   * @param callback the device's trigger (QEMU's `ptimer_cb`); may not call ptimer APIs.
   * @param policy `PtimerPolicy` bits.
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly callback: () => void,
    readonly policy: number,
  ) {
    this.event = { deadline: Infinity, fire: () => this.tick() };
    clock.addEvent(this.event);
  }

  /** The virtual-ns deadline of the armed expiry event (Infinity when none). */
  get deadline(): number {
    return this.event.deadline;
  }

  private now(): number {
    return this.clock.nowNs();
  }

  private timerMod(ns: number): void {
    this.event.deadline = ns;
    this.clock.reschedule();
  }

  private timerDel(): void {
    if (this.event.deadline !== Infinity) {
      this.event.deadline = Infinity;
      this.clock.reschedule();
    }
  }

  private reload(deltaAdjust: number): void {
    const p = this.policy;
    const suppressTrigger = deltaAdjust === 0 && (p & PtimerPolicy.TRIGGER_ONLY_ON_DECREMENT) !== 0;
    if (this.delta === 0 && (p & PtimerPolicy.NO_IMMEDIATE_TRIGGER) === 0 && !suppressTrigger) this.callback();
    let delta = this.delta;
    const period = this.period;
    const periodFrac = this.periodFrac;
    if (delta === 0 && (p & PtimerPolicy.NO_IMMEDIATE_RELOAD) === 0) delta = this.delta = this.limit;
    if (this.period === 0) {
      this.timerDel();
      this.enabled = 0;
      return;
    }
    if ((p & PtimerPolicy.WRAP_AFTER_ONE_PERIOD) !== 0 && deltaAdjust !== DELTA_NO_ADJUST) delta += deltaAdjust;
    if (delta === 0 && (p & PtimerPolicy.CONTINUOUS_TRIGGER) !== 0 && this.enabled === 1 && this.limit === 0) delta = 1;
    if (delta === 0 && (p & PtimerPolicy.NO_IMMEDIATE_TRIGGER) !== 0 && deltaAdjust !== DELTA_NO_ADJUST) delta = 1;
    if (delta === 0 && (p & PtimerPolicy.NO_IMMEDIATE_RELOAD) !== 0 && this.enabled === 1 && this.limit !== 0) delta = 1;
    if (delta === 0) {
      if (this.enabled === 0) return; // the trigger callback disabled the timer already
      this.timerDel();
      this.enabled = 0;
      return;
    }
    // (QEMU's 10 us clamp applies only without icount and qtest.)
    this.lastEvent = this.nextEvent;
    let next = this.lastEvent + delta * period;
    if (periodFrac !== 0) {
      // (int64)frac * delta >> 32, in 64-bit arithmetic as QEMU does it
      next += Number(BigInt.asIntN(64, BigInt(periodFrac) * BigInt(delta)) >> 32n);
    }
    this.nextEvent = next;
    this.timerMod(next);
  }

  /** The expiry event (`ptimer_tick`). */
  private tick(): void {
    let trigger = true;
    this.begin();
    if (this.enabled === 2) {
      this.delta = 0;
      this.enabled = 0;
    } else {
      let deltaAdjust = DELTA_ADJUST;
      if (this.delta === 0 || this.limit === 0) deltaAdjust = DELTA_NO_ADJUST;
      if ((this.policy & PtimerPolicy.NO_IMMEDIATE_TRIGGER) === 0) trigger = deltaAdjust === DELTA_ADJUST;
      this.delta = this.limit;
      this.reload(deltaAdjust);
    }
    if (trigger) this.callback();
    this.commit();
  }

  /** `ptimer_get_count`: the current counter value. */
  getCount(): number {
    if (this.enabled === 0 || this.delta === 0) return this.delta;
    const now = this.now();
    const next = this.nextEvent;
    const last = this.lastEvent;
    const oneshot = this.enabled === 2;
    let counter: number;
    if (now - next >= 0) {
      counter = 0; // expired: do not underflow
    } else {
      counter = this.divide(next - now);
      if ((this.policy & PtimerPolicy.WRAP_AFTER_ONE_PERIOD) !== 0 && !oneshot && this.delta === this.limit) {
        // Before wrapping around the counter stays at 0 for one period.
        if (now === last) {
          if (counter === this.limit + DELTA_ADJUST) return 0;
        } else if (counter === this.limit) {
          return 0;
        }
      }
    }
    if ((this.policy & PtimerPolicy.NO_COUNTER_ROUND_DOWN) !== 0 && now !== last) counter += 1;
    return counter;
  }

  /** `rem / period` rounded down the way QEMU scales it into one 64-bit division. */
  private divide(rem: number): number {
    if (this.periodFrac === 0) return Math.floor(rem / this.period);
    let r = BigInt(rem);
    let div = BigInt(this.period);
    const clz1 = clz64(r);
    const clz2 = clz64(div);
    const shift = Math.min(clz1, clz2);
    r = (r << BigInt(shift)) & M64;
    div = (div << BigInt(shift)) & M64;
    const frac = BigInt(this.periodFrac);
    if (shift >= 32) {
      div |= (frac << BigInt(shift - 32)) & M64;
    } else {
      if (shift !== 0) div |= frac >> BigInt(32 - shift);
      if (((frac << BigInt(shift)) & 0xffff_ffffn) !== 0n) div += 1n;
    }
    return Number(r / div);
  }

  /** `ptimer_set_count`. */
  setCount(count: number): void {
    this.assertTx();
    this.delta = count;
    if (this.enabled !== 0) this.needReload = true;
  }

  /** `ptimer_run`: start (periodic, or one-shot when `oneshot`). */
  run(oneshot: boolean): void {
    this.assertTx();
    const wasDisabled = this.enabled === 0;
    if (wasDisabled && this.period === 0) return;
    this.enabled = oneshot ? 2 : 1;
    if (wasDisabled) this.needReload = true;
  }

  /** `ptimer_stop`: freeze the count. */
  stop(): void {
    this.assertTx();
    if (this.enabled === 0) return;
    this.delta = this.getCount();
    this.timerDel();
    this.enabled = 0;
    this.needReload = false;
  }

  /**
   * `ptimer_set_period_from_clock`: one count lasts `divisor` periods of a clock of `hz`
   * (QEMU's Clock keeps the period as 2^-32 ns units: `(1e9 << 32) / hz`, rounded down).
   */
  setPeriodFromHz(hz: number, divisor = 1): void {
    this.assertTx();
    const raw = hz === 0 ? 0n : (1_000_000_000n << 32n) / BigInt(hz);
    this.delta = this.getCount();
    const whole = Number(raw >> 32n) * divisor;
    const frac = Number(raw & 0xffff_ffffn) * divisor;
    this.period = whole + Math.floor(frac / TWO32);
    this.periodFrac = frac % TWO32;
    if (this.enabled !== 0) this.needReload = true;
  }

  /** `ptimer_set_limit`; with `reload` the count restarts from the new limit. */
  setLimit(limit: number, reload: boolean): void {
    this.assertTx();
    this.limit = limit;
    if (reload) this.delta = limit;
    if (this.enabled !== 0 && reload) this.needReload = true;
  }

  getLimit(): number {
    return this.limit;
  }

  begin(): void {
    if (this.inTransaction) throw new Error('ptimer: nested transaction');
    this.inTransaction = true;
    this.needReload = false;
  }

  commit(): void {
    if (!this.inTransaction) throw new Error('ptimer: commit outside a transaction');
    while (this.needReload && this.enabled !== 0) {
      this.needReload = false;
      this.nextEvent = this.now();
      this.reload(0);
    }
    this.inTransaction = false;
  }

  private assertTx(): void {
    if (!this.inTransaction) throw new Error('ptimer: call outside a transaction');
  }
}

function clz64(v: bigint): number {
  if (v === 0n) return 64;
  return 64 - v.toString(2).length;
}
