/**
 * ATmega328P watchdog timer (datasheet 10.8-10.9): WDTCSR with the timed change sequence, the
 * 128 kHz oscillator's prescaled timeouts, interrupt mode, system reset mode and interrupt-and-reset
 * mode, `WDR` restarts, MCUSR.WDRF.
 *
 * Timeouts are counted in CPU cycles as avr8js does: `frequency / 128000 × (2048 << WDP)` (16 ms =
 * 256,000 cycles at 16 MHz for WDP = 0, up to 8 s for WDP = 9). The timer restarts on `WDR`, and
 * (as avr8js) on every WDTCSR write while the watchdog is on; the timeout fires at the first
 * instruction boundary at or after it.
 *
 * Timed sequence (safety level 1, WDTON unprogrammed): writing WDCE and WDE together opens a
 * 4-cycle window (a write at a cycle count below the opening write's + 4, as avr8js) in which WDE
 * may be cleared and WDP3:0 changed; the opening write itself changes nothing else. Outside the
 * window WDE can only be set (10.9.2). WDIE/WDIF are not protected; WDIF is cleared by writing 1.
 *
 * Datasheet behaviour where avr8js differs (see the tests): WDE may be set without the sequence;
 * MCUSR.WDRF forces WDE on (so after a watchdog reset the watchdog keeps running at 16 ms in
 * reset mode until the program clears WDRF and then WDE); in interrupt-and-reset mode WDIE is cleared
 * when the WDT vector is entered (avr8js clears it at the timeout); writing 0 to WDIF leaves it.
 *
 * A reset timeout sets MCUSR.WDRF and calls `chip.requestReset()`: the chip must keep MCUSR
 * across the reset and call every peripheral's `reset()` (this one included).
 */
import type { AvrChip, AvrTimer } from './chip.js';
import { AVR_MCUSR } from './chip.js';
import { AvrVector } from './vectors.js';

/** Watchdog registers (data-space addresses). */
export const WATCHDOG_REGS = {
  MCUSR: AVR_MCUSR,
  WDTCSR: 0x60,
} as const;

// WDTCSR
export const WDIF = 1 << 7;
export const WDIE = 1 << 6;
export const WDP3 = 1 << 5;
export const WDCE = 1 << 4;
export const WDE = 1 << 3;
export const WDP_LOW = 0x07;
const PROTECTED = WDE | WDP3 | WDP_LOW;
// MCUSR
export const WDRF = 1 << 3;

/** The watchdog oscillator (Hz). */
export const WATCHDOG_OSC = 128_000;

export class Watchdog {
  private readonly chip: AvrChip;
  private readonly timer: AvrTimer;
  private changeUntil = -1;
  private deadline = 0;
  private scheduled = false;
  /** Number of watchdog resets requested so far. */
  resets = 0;

  constructor(chip: AvrChip) {
    this.chip = chip;
    this.timer = chip.timer((now) => this.timeout(now));
    const d = chip.data;
    const R = WATCHDOG_REGS;
    chip.onWrite(R.WDTCSR, (v) => {
      const now = chip.cycles();
      const old = d[R.WDTCSR]!;
      let next: number;
      if ((v & (WDCE | WDE)) === (WDCE | WDE)) {
        // The opening write only opens the window (as avr8js; WDIF is still cleared by a 1).
        this.changeUntil = now + 4;
        next = old & ~WDIF;
      } else {
        next = v & (WDIE | PROTECTED);
        if (now >= this.changeUntil) {
          // Outside the window: WDP keeps its value, WDE can be set but not cleared.
          next = (next & ~PROTECTED) | (old & PROTECTED) | (v & WDE);
        }
        next |= old & WDIF;
      }
      if (v & WDIF) next &= ~WDIF;
      if (d[R.MCUSR]! & WDRF) next |= WDE;
      d[R.WDTCSR] = next;
      if (this.enabled()) this.restart(now);
      this.update();
      return true;
    });
    chip.onWatchdogReset(() => {
      if (this.enabled()) this.restart(chip.cycles());
    });
    chip.onInterruptTaken(AvrVector.WDT, () => {
      let v = d[R.WDTCSR]! & ~WDIF;
      if (v & WDE) v &= ~WDIE; // interrupt-and-reset mode: next timeout resets
      d[R.WDTCSR] = v;
      this.update();
    });
    this.reset();
  }

  /** WDTCSR = 0 (WDE set when MCUSR.WDRF is); when that leaves it on, it restarts from now. */
  reset(): void {
    const d = this.chip.data;
    d[WATCHDOG_REGS.WDTCSR] = d[WATCHDOG_REGS.MCUSR]! & WDRF ? WDE : 0;
    this.changeUntil = -1;
    this.scheduled = false;
    this.timer.disarm();
    if (this.enabled()) this.restart(this.chip.cycles());
    this.update();
  }

  /** Whether the watchdog runs (WDE or WDIE set). */
  enabled(): boolean {
    return (this.chip.data[WATCHDOG_REGS.WDTCSR]! & (WDE | WDIE)) !== 0;
  }

  /** The timeout in CPU cycles for the current WDP3:0. */
  timeoutCycles(): number {
    const v = this.chip.data[WATCHDOG_REGS.WDTCSR]!;
    const wdp = ((v & WDP3) >> 2) | (v & WDP_LOW);
    return Math.floor((this.chip.frequency / WATCHDOG_OSC) * (2048 << wdp));
  }

  /** The cycle count at which the running watchdog times out next. */
  nextTimeout(): number | null {
    return this.enabled() ? this.deadline : null;
  }

  /**
   * A new deadline. As avr8js, an event already armed stays where it is: when it fires before
   * the deadline it re-arms for it (so its place in an avr8js-ordered queue is avr8js's).
   */
  private restart(now: number): void {
    this.deadline = now + this.timeoutCycles();
    if (!this.scheduled) {
      this.scheduled = true;
      this.timer.armAt(this.deadline);
    }
  }

  private timeout(now: number): void {
    this.scheduled = false;
    const d = this.chip.data;
    const R = WATCHDOG_REGS;
    const v = d[R.WDTCSR]!;
    if (!(v & (WDE | WDIE))) return;
    if (now >= this.deadline) {
      if (v & WDIE) {
        d[R.WDTCSR] = v | WDIF;
        this.update();
      } else {
        // System reset mode (WDE without WDIE).
        this.resets++;
        d[R.MCUSR] |= WDRF;
        this.chip.requestReset();
        return;
      }
      this.deadline = now + this.timeoutCycles();
    }
    this.scheduled = true;
    this.timer.armAt(this.deadline);
  }

  private update(): void {
    const v = this.chip.data[WATCHDOG_REGS.WDTCSR]!;
    this.chip.setInterrupt(AvrVector.WDT, (v & WDIF) !== 0 && (v & WDIE) !== 0);
  }
}
