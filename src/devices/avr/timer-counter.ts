/**
 * The counting engine shared by the ATmega328P Timer/Counters 0, 1 and 2 ({@link Timer8},
 * {@link Timer16}). It never ticks per cycle: the counter state is kept at the last processed
 * prescaled tick, TCNT is computed from `chip.cycles()` when it is read, and one cycle timer is
 * armed for the next tick at which anything observable happens (a compare match, the wrap at TOP,
 * the turn at TOP/BOTTOM of the phase-correct modes).
 *
 * The datasheet leaves the emulator free in several places; there this engine does exactly what
 * avr8js 0.21 (`src/peripherals/timer.ts`) does, since avr8js is the reference the AVR port is
 * compared with cycle by cycle:
 * - the prescaler phase starts when TCCRnB is written (not a free-running prescaler shared by
 *   Timer0/1): the new clock select takes effect at the end of the writing instruction, and the first
 *   tick comes `divider` cycles later;
 * - a TCNT write takes effect at the end of the writing instruction; the ticks due until then are
 *   swallowed (the written value holds through them, no compare match on them) but an overflow they
 *   would have caused still sets TOV in the non-PWM/fast-PWM modes;
 * - flags are set at the first instruction boundary at or after the tick that causes them (the
 *   chip fires the armed timer there), and by a TCNT read that covers that tick;
 * - compare matches are "the counter reached OCR during the ticks just counted"; an OCR above TOP
 *   matches at every wrap (avr8js's test `prev < OCR && wrapped`); a counter above TOP (TOP lowered
 *   below TCNT in CTC) wraps modulo TOP+1 at the next tick;
 * - in the phase-correct modes the compares of one update use the OCR values from its start.
 *
 * avr8js's event queue: avr8js runs at most one clock event per instruction boundary (the
 * earliest; among equal deadlines the one added last; a deadline at or before the current cycle
 * means the next cycle), and a running timer has a `count` event at every prescaled tick. When two
 * events fall on one boundary, one waits an instruction, which moves flags (and so interrupt
 * entries) by one instruction; the Arduino sketches hit this between Timer0/1/2 and USART0. A chip
 * that serves its timers in that order and builds the timers with `polling: true` reproduces avr8js
 * exactly, collisions included (avr8js-queue.test.ts); the default lazy timers arm only where
 * something happens and never collide that way.
 *
 * Where avr8js contradicts the datasheet outright, the datasheet wins and the test files say so:
 * writing 0 to a TIFR bit leaves that flag alone (avr8js stores the written byte), `SBI` on TIFR
 * clears only its bit, and in the ICR1-as-TOP modes ICF1 is set when the counter reaches TOP.
 */
import type { AvrChip, AvrTimer } from './chip.js';
import type { PortName } from './gpio.js';

/** Waveform generation kinds (datasheet tables 15-8, 16-4, 18-8). */
export const enum WaveMode {
  Normal = 0,
  PhaseCorrect = 1,
  Ctc = 2,
  FastPwm = 3,
  PhaseFrequencyCorrect = 4,
  Reserved = 5,
}

/** When the double-buffered OCR registers take the written value. */
const enum OcrUpdate {
  Immediate = 0,
  Top = 1,
  Bottom = 2,
}

/** When TOV is set in the non-phase-correct modes. */
const enum TovUpdate {
  Max = 0,
  Top = 1,
  Bottom = 2,
}

/** TOP of a mode: a fixed value, or the OCRnA / ICR1 register. */
const TOP_OCRA = -1;
const TOP_ICR = -2;

type WgmRow = readonly [mode: WaveMode, top: number, ocr: OcrUpdate, tov: TovUpdate];

/** Table 15-8 / 18-8 (Timer0, Timer2): WGM2:0. */
const WGM_8BIT: readonly WgmRow[] = [
  [WaveMode.Normal, 0xff, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.PhaseCorrect, 0xff, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.Ctc, TOP_OCRA, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.FastPwm, 0xff, OcrUpdate.Bottom, TovUpdate.Max],
  [WaveMode.Reserved, 0xff, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.PhaseCorrect, TOP_OCRA, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.Reserved, 0xff, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.FastPwm, TOP_OCRA, OcrUpdate.Bottom, TovUpdate.Top],
];

/** Table 16-4 (Timer1): WGM13:0. */
const WGM_16BIT: readonly WgmRow[] = [
  [WaveMode.Normal, 0xffff, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.PhaseCorrect, 0x00ff, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.PhaseCorrect, 0x01ff, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.PhaseCorrect, 0x03ff, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.Ctc, TOP_OCRA, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.FastPwm, 0x00ff, OcrUpdate.Bottom, TovUpdate.Top],
  [WaveMode.FastPwm, 0x01ff, OcrUpdate.Bottom, TovUpdate.Top],
  [WaveMode.FastPwm, 0x03ff, OcrUpdate.Bottom, TovUpdate.Top],
  [WaveMode.PhaseFrequencyCorrect, TOP_ICR, OcrUpdate.Bottom, TovUpdate.Bottom],
  [WaveMode.PhaseFrequencyCorrect, TOP_OCRA, OcrUpdate.Bottom, TovUpdate.Bottom],
  [WaveMode.PhaseCorrect, TOP_ICR, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.PhaseCorrect, TOP_OCRA, OcrUpdate.Top, TovUpdate.Bottom],
  [WaveMode.Ctc, TOP_ICR, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.Reserved, 0xffff, OcrUpdate.Immediate, TovUpdate.Max],
  [WaveMode.FastPwm, TOP_ICR, OcrUpdate.Bottom, TovUpdate.Top],
  [WaveMode.FastPwm, TOP_OCRA, OcrUpdate.Bottom, TovUpdate.Top],
];

/** Periods (cycles) up to which the timer is updated at every tick, as avr8js does. */
const TINY_PERIOD = 16;

/** What a compare output unit does to its pin (avr8js's PinOverrideMode). */
export type PinOverride = 'none' | 'enable' | 'set' | 'clear' | 'toggle';

/** Where the compare outputs go: {@link Gpio} implements it. */
export interface TimerPinOutputs {
  overridePin(port: PortName, bit: number, mode: PinOverride): void;
}

/** Modes in which COMnA = 1 toggles OCnA (WGM 5/7 of the 8-bit timers; 9, 11, 14, 15 of Timer1). */
const TOGGLE_A_8BIT = new Set([5, 7]);
const TOGGLE_A_16BIT = new Set([9, 11, 14, 15]);

/** How a timer is built besides its registers. */
export interface TimerOptions {
  /** Where OCnA/OCnB go (the {@link Gpio}); without it the compare outputs do nothing visible. */
  outputs?: TimerPinOutputs;
  /**
   * Keep avr8js's clock events (for a chip that reproduces avr8js's event queue, see the file
   * comment): while the timer runs, its chip timer fires at every prescaled tick, as avr8js's
   * `count` event does, and register accesses touch the timer exactly when avr8js touches its
   * queue (TCNT and TCCRnB writes). Same counter, flags and outputs; slower.
   */
  polling?: boolean;
}

/** What brings the counter up to date: its own timer, a read, or a register write. */
type SyncFrom = 'fire' | 'read' | 'write' | 'tcnt' | 'tccrb';

/** Flag / enable bits shared by TIFRn and TIMSKn on the ATmega328P. */
export const TOV = 1 << 0;
export const OCFA = 1 << 1;
export const OCFB = 1 << 2;
export const ICF = 1 << 5;

/** Clock-select values 6 and 7 of Timer0/1: external clock on Tn, falling / rising edge. */
export const CS_EXT_FALLING = 6;
export const CS_EXT_RISING = 7;

/** Register addresses (data space) and vectors of one Timer/Counter. */
export interface TimerCounterConfig {
  readonly name: string;
  readonly bits: 8 | 16;
  readonly TCCRA: number;
  readonly TCCRB: number;
  /** 0 when the timer has no TCCRnC (its FOC bits are in TCCRnB). */
  readonly TCCRC: number;
  readonly TCNT: number;
  readonly OCRA: number;
  readonly OCRB: number;
  /** 0 when the timer has no input capture unit. */
  readonly ICR: number;
  readonly TIFR: number;
  readonly TIMSK: number;
  readonly ovfVector: number;
  readonly compAVector: number;
  readonly compBVector: number;
  /** 0 when the timer has no input capture unit. */
  readonly captVector: number;
  /** Prescaler division per CSn2:0; 0 = stopped (or external clock when `externalClock`). */
  readonly dividers: readonly number[];
  /** CS = 6/7 select the Tn pin as clock (Timer0 and Timer1). */
  readonly externalClock: boolean;
  /** The OCnA / OCnB pins. */
  readonly ocA: readonly [PortName, number];
  readonly ocB: readonly [PortName, number];
}

export class TimerCounter {
  protected readonly chip: AvrChip;
  readonly config: TimerCounterConfig;
  protected readonly max: number;
  private readonly wgmTable: readonly WgmRow[];
  private readonly timer: AvrTimer;

  // Counter state at cycle `last` (a tick boundary of the current prescaler phase).
  private divider = 0;
  private last = 0;
  private count = 0;
  private up = true;
  private pendingTcnt = -1;
  private pendingDivider = false;
  private pendingAt = 0;
  private extMode = 0;
  /** The deadline the chip's timer is armed for (Infinity: disarmed). */
  private armedAt = Infinity;

  protected ocrA = 0;
  protected ocrB = 0;
  protected nextOcrA = 0;
  protected nextOcrB = 0;
  protected icr = 0;

  private mode: WaveMode = WaveMode.Normal;
  private topKind = 0xff;
  private ocrUpdate: OcrUpdate = OcrUpdate.Immediate;
  private tovUpdate: TovUpdate = TovUpdate.Max;
  /** Effective COMnA/COMnB (0 when the mode makes the setting reserved), as avr8js. */
  private compA = 0;
  private compB = 0;
  private readonly outputs: TimerPinOutputs | undefined;
  private readonly polling: boolean;

  constructor(chip: AvrChip, config: TimerCounterConfig, options: TimerOptions = {}) {
    this.chip = chip;
    this.outputs = options.outputs;
    this.polling = options.polling ?? false;
    this.config = config;
    this.max = config.bits === 16 ? 0xffff : 0xff;
    this.wgmTable = config.bits === 16 ? WGM_16BIT : WGM_8BIT;
    this.timer = chip.timer((now) => {
      this.armedAt = Infinity; // a fired timer is disarmed
      this.sync(now, 'fire');
    });
    const c = config;
    chip.onRead(c.TCNT, () => this.readTcnt());
    chip.onWrite(c.TCNT, (v) => {
      this.writeTcnt(this.combine(v));
      return false;
    });
    chip.onWrite(c.OCRA, (v) => {
      this.writeOcr('A', this.combine(v));
      return false;
    });
    chip.onWrite(c.OCRB, (v) => {
      this.writeOcr('B', this.combine(v));
      return false;
    });
    chip.onWrite(c.TCCRA, (v) => {
      this.catchUp(chip.cycles());
      chip.data[c.TCCRA] = v;
      this.updateWgm();
      this.schedule('write');
      return true;
    });
    chip.onWrite(c.TCCRB, (v) => {
      const now = chip.cycles();
      this.catchUp(now);
      // Timer0/2 keep FOCnA/FOCnB in TCCRnB: strobes, always read as zero.
      if (!c.TCCRC) this.forceCompare(v);
      chip.data[c.TCCRB] = c.TCCRC ? v : v & 0x3f;
      this.updateWgm();
      this.pendingDivider = true;
      this.pendingAt = now + 1;
      this.schedule('tccrb');
      return true;
    });
    if (c.TCCRC) {
      // FOC1A/FOC1B are strobes: read as zero.
      chip.onWrite(c.TCCRC, (v) => {
        this.forceCompare(v);
        chip.data[c.TCCRC] = 0;
        return true;
      });
    }
    chip.onWrite(c.TIFR, (v, _old, _addr, mask = 0xff) => {
      const clear = v & mask & this.flagBits();
      chip.data[c.TIFR] &= ~clear;
      this.updateLines();
      return true;
    });
    chip.onWrite(c.TIMSK, (v) => {
      chip.data[c.TIMSK] = v & this.flagBits();
      this.updateLines();
      return true;
    });
    chip.onInterruptTaken(c.ovfVector, () => this.clearFlag(TOV));
    chip.onInterruptTaken(c.compAVector, () => this.clearFlag(OCFA));
    chip.onInterruptTaken(c.compBVector, () => this.clearFlag(OCFB));
    if (c.captVector) chip.onInterruptTaken(c.captVector, () => this.clearFlag(ICF));
    this.reset();
  }

  /** Registers, counter and prescaler as after a reset (all zero, stopped). */
  reset(): void {
    const c = this.config;
    const d = this.chip.data;
    for (const a of [c.TCCRA, c.TCCRB, c.TCCRC, c.TCNT, c.OCRA, c.OCRB, c.ICR, c.TIFR, c.TIMSK]) {
      if (!a) continue;
      d[a] = 0;
      if (this.config.bits === 16 && (a === c.TCNT || a === c.OCRA || a === c.OCRB || a === c.ICR)) d[a + 1] = 0;
    }
    this.divider = 0;
    this.last = 0;
    this.count = 0;
    this.up = true;
    this.pendingTcnt = -1;
    this.pendingDivider = false;
    this.extMode = 0;
    this.ocrA = this.ocrB = this.nextOcrA = this.nextOcrB = this.icr = 0;
    this.updateWgm();
    this.timer.disarm();
    this.armedAt = Infinity;
    this.updateLines();
  }

  /** TCNT now (what a read of TCNTn would return), without the read's side effect on TEMP. */
  counter(): number {
    this.sync(this.chip.cycles(), 'read');
    return this.count;
  }

  /** The prescaler division in effect (0: stopped or external clock). */
  prescaler(): number {
    return this.divider;
  }

  /** The waveform generation mode number (WGMn2:0 or WGM13:0). */
  wgm(): number {
    const d = this.chip.data;
    const hi = this.config.bits === 16 ? (d[this.config.TCCRB]! & 0x18) >> 1 : (d[this.config.TCCRB]! & 0x08) >> 1;
    return hi | (d[this.config.TCCRA]! & 3);
  }

  /**
   * An edge on the Tn pin (PD4 for Timer0, PD5 for Timer1): with CS = 6 (falling) or 7 (rising)
   * the counter counts one on the matching edge (no synchroniser delay, as in avr8js).
   */
  clockPin(rising: boolean): void {
    if (!this.extMode) return;
    if ((this.extMode === CS_EXT_RISING) !== rising) return;
    this.sync(this.chip.cycles(), 'read');
    this.advance(1);
    this.applyPendingTcnt();
    this.schedule('write');
  }

  // ---- registers ----

  /** The 16-bit value a low-byte write stores (TEMP:value); 8-bit timers have no TEMP. */
  protected combine(low: number): number {
    return low;
  }

  protected readTcnt(): number {
    this.sync(this.chip.cycles(), 'read');
    return (this.chip.data[this.config.TCNT] = this.count & 0xff);
  }

  private writeTcnt(value: number): void {
    const now = this.chip.cycles();
    this.catchUp(now);
    this.pendingTcnt = value & this.max;
    this.up = true;
    this.pendingAt = now + 1;
    this.schedule('tcnt');
  }

  private writeOcr(which: 'A' | 'B', value: number): void {
    this.catchUp(this.chip.cycles());
    if (which === 'A') {
      this.nextOcrA = value;
      if (this.ocrUpdate === OcrUpdate.Immediate) this.ocrA = value;
    } else {
      this.nextOcrB = value;
      if (this.ocrUpdate === OcrUpdate.Immediate) this.ocrB = value;
    }
    this.schedule('write');
  }

  /** ICR1 write (Timer1): TOP in the ICR modes. */
  protected writeIcr(value: number): void {
    this.catchUp(this.chip.cycles());
    this.icr = value;
    this.schedule('write');
  }

  /** Input capture (Timer1): ICR1 ← TCNT1, ICF1 set; not in the modes where ICR1 is TOP. */
  protected doCapture(): void {
    if (this.topKind === TOP_ICR) return;
    this.sync(this.chip.cycles(), 'read');
    this.icr = this.count;
    this.chip.data[this.config.ICR] = this.count & 0xff;
    this.chip.data[this.config.ICR + 1] = this.count >> 8;
    this.setFlag(ICF);
  }

  /** High bits an OCRnxH write keeps in the fixed-TOP PWM modes (avr8js's `ocrMask`). */
  protected ocrMask(): number {
    return this.topKind < 0 ? 0xffff : this.topKind;
  }

  // ---- interrupts ----

  private flagBits(): number {
    return this.config.captVector ? TOV | OCFA | OCFB | ICF : TOV | OCFA | OCFB;
  }

  protected setFlag(bit: number): void {
    const d = this.chip.data;
    const tifr = this.config.TIFR;
    if (d[tifr]! & bit) return;
    d[tifr] |= bit;
    if (d[this.config.TIMSK]! & bit) this.chip.setInterrupt(this.vectorOf(bit), true);
  }

  private clearFlag(bit: number): void {
    this.chip.data[this.config.TIFR] &= ~bit;
    this.chip.setInterrupt(this.vectorOf(bit), false);
  }

  private vectorOf(bit: number): number {
    const c = this.config;
    return bit === TOV ? c.ovfVector : bit === OCFA ? c.compAVector : bit === OCFB ? c.compBVector : c.captVector;
  }

  private updateLines(): void {
    const d = this.chip.data;
    const on = d[this.config.TIFR]! & d[this.config.TIMSK]!;
    const c = this.config;
    this.chip.setInterrupt(c.ovfVector, (on & TOV) !== 0);
    this.chip.setInterrupt(c.compAVector, (on & OCFA) !== 0);
    this.chip.setInterrupt(c.compBVector, (on & OCFB) !== 0);
    if (c.captVector) this.chip.setInterrupt(c.captVector, (on & ICF) !== 0);
  }

  // ---- counting ----

  private updateWgm(): void {
    const wgm = this.wgm();
    const row = this.wgmTable[wgm]!;
    this.mode = row[0];
    this.topKind = row[1];
    this.ocrUpdate = row[2];
    this.tovUpdate = row[3];
    const pwm = this.mode === WaveMode.FastPwm || this.phaseMode();
    const tccra = this.chip.data[this.config.TCCRA]!;
    const toggleA = (this.config.bits === 16 ? TOGGLE_A_16BIT : TOGGLE_A_8BIT).has(wgm);
    let a = (tccra >> 6) & 3;
    if (a === 1 && pwm && !toggleA) a = 0;
    let b = (tccra >> 4) & 3;
    if (b === 1 && pwm) b = 0;
    const prevA = this.compA;
    const prevB = this.compB;
    this.compA = a;
    this.compB = b;
    if (!prevA !== !a) this.pin(this.config.ocA, a ? 'enable' : 'none');
    if (!prevB !== !b) this.pin(this.config.ocB, b ? 'enable' : 'none');
  }

  // ---- compare output units ----

  private pin(at: readonly [PortName, number], mode: PinOverride): void {
    this.outputs?.overridePin(at[0], at[1], mode);
  }

  /** avr8js's `updateCompPin`: what a match (or, in fast PWM, BOTTOM) does to OCnx. */
  private compPin(which: 'A' | 'B', comp: number, bottom: boolean): void {
    if (!this.outputs || !comp) return;
    let mode: PinOverride = 'none';
    const inverting = comp === 3;
    switch (this.mode) {
      case WaveMode.Normal:
      case WaveMode.Ctc:
        mode = comp === 1 ? 'toggle' : comp === 2 ? 'clear' : 'set';
        break;
      case WaveMode.FastPwm:
        if (comp === 1) mode = bottom ? 'none' : 'toggle';
        else mode = inverting !== bottom ? 'set' : 'clear';
        break;
      case WaveMode.PhaseCorrect:
      case WaveMode.PhaseFrequencyCorrect:
        if (comp === 1) mode = 'toggle';
        else mode = this.up === inverting ? 'set' : 'clear';
        break;
      default:
        return;
    }
    if (mode !== 'none') this.pin(which === 'A' ? this.config.ocA : this.config.ocB, mode);
  }

  /** FOCnA/FOCnB strobes: a match on the output pin only, in the non-PWM modes. */
  private forceCompare(v: number): void {
    if (this.mode === WaveMode.FastPwm || this.phaseMode()) return;
    if (v & 0x80) this.compPin('A', this.compA, false);
    if (v & 0x40) this.compPin('B', this.compB, false);
  }

  private top(): number {
    return this.topKind === TOP_OCRA ? this.ocrA : this.topKind === TOP_ICR ? this.icr : this.topKind;
  }

  private phaseMode(): boolean {
    return this.mode === WaveMode.PhaseCorrect || this.mode === WaveMode.PhaseFrequencyCorrect;
  }

  private latchOcr(): void {
    this.ocrA = this.nextOcrA;
    this.ocrB = this.nextOcrB;
  }

  /** ICR as a third compare value: ICF1 at TOP in the ICR-as-TOP modes, else none (-1). */
  private icrCompare(): number {
    return this.topKind === TOP_ICR && this.config.captVector ? this.icr : -1;
  }

  /**
   * Bring the counter up to cycle `now` (avr8js's `count()`): the ticks, then the TCNT/TCCRnB writes
   * waiting for the end of their instruction, then arm the next event. Reads and the timer use it.
   */
  private sync(now: number, from: SyncFrom): void {
    this.countTicks(now);
    this.afterCount(now, from);
  }

  /**
   * Before a register write: only the ticks (avr8js's state at an instruction boundary). A TCNT
   * write made while the timer is stopped stays pending until the next update (a TCNT read, or the
   * end of a TCCRnB write), as in avr8js.
   */
  private catchUp(now: number): void {
    // avr8js's writes do not count: with its events kept, the last tick was counted at its event.
    if (!this.polling) this.countTicks(now);
  }

  private countTicks(now: number): void {
    const d = this.divider;
    if (d === 0) return;
    const delta = now - this.last;
    if (delta < d) return;
    const ticks = Math.floor(delta / d);
    // avr8js updates at every instruction boundary; its last update before `now` started at most
    // one tick before the first tick where anything happens. Count the quiet ticks before that
    // silently, so that the update formula sees the same starting value.
    if (!this.phaseMode() && ticks > 1) {
      const quiet = Math.min(ticks, this.ticksToEvent()) - 1;
      if (quiet > 0) {
        this.count = (this.count + quiet) % (this.top() + 1);
        this.last += quiet * d;
        this.advance(ticks - quiet);
        this.last += (ticks - quiet) * d;
        return;
      }
    }
    this.last += ticks * d;
    this.advance(ticks);
  }

  /** The register writes that take effect at the end of their instruction, then the next event. */
  private afterCount(now: number, from: SyncFrom): void {
    if (this.pendingTcnt >= 0 && now >= this.pendingAt) this.applyPendingTcnt();
    if (this.pendingDivider && now >= this.pendingAt) {
      this.pendingDivider = false;
      const cs = this.chip.data[this.config.TCCRB]! & 7;
      const nd = this.config.dividers[cs] ?? 0;
      this.divider = nd;
      this.last = nd ? now : 0;
      this.extMode = this.config.externalClock && (cs === CS_EXT_FALLING || cs === CS_EXT_RISING) ? cs : 0;
    }
    this.schedule(from);
  }

  private applyPendingTcnt(): void {
    if (this.pendingTcnt < 0) return;
    this.count = this.pendingTcnt;
    this.pendingTcnt = -1;
    const top = this.top();
    if ((this.count === 0 && this.ocrUpdate === OcrUpdate.Bottom) || (this.count === top && this.ocrUpdate === OcrUpdate.Top)) {
      this.latchOcr();
    }
  }

  /** `ticks` timer clocks (avr8js's count body for one update covering them). */
  private advance(ticks: number): void {
    const blocked = this.pendingTcnt >= 0;
    const val = this.count;
    const top = this.top();
    if (this.phaseMode()) {
      const v = this.phaseCount(val, ticks, top, blocked);
      if (!blocked) this.count = v;
      return;
    }
    const newVal = (val + ticks) % (top + 1);
    const overflow = val + ticks > top;
    if (!blocked) {
      this.count = newVal;
      const wrapped = val > newVal;
      if (this.hit(this.ocrA, val, newVal, wrapped)) {
        this.setFlag(OCFA);
        this.compPin('A', this.compA, false);
      }
      if (this.hit(this.ocrB, val, newVal, wrapped)) {
        this.setFlag(OCFB);
        this.compPin('B', this.compB, false);
      }
      const ic = this.icrCompare();
      if (ic >= 0 && this.hit(ic, val, newVal, wrapped)) this.setFlag(ICF);
    }
    if (overflow) {
      if (this.mode === WaveMode.FastPwm) {
        this.compPin('A', this.compA, true);
        this.compPin('B', this.compB, true);
      }
      if (this.ocrUpdate === OcrUpdate.Bottom) this.latchOcr();
      if (this.tovUpdate === TovUpdate.Top || top === this.max) this.setFlag(TOV);
    }
  }

  /** avr8js's compare test for one update from `prev` to `value`. */
  private hit(ocr: number, prev: number, value: number, wrapped: boolean): boolean {
    return ((prev < ocr || wrapped) && value >= ocr) || (prev < ocr && wrapped);
  }

  /**
   * Phase-correct counting, tick by tick in effect (avr8js's `phasePwmCount`) but jumping between
   * the values where something happens. Compares use the OCR values from the start of the update.
   */
  private phaseCount(value: number, ticks: number, top: number, blocked: boolean): number {
    if (value === 0 && top === 0) {
      if (this.ocrUpdate === OcrUpdate.Top) this.latchOcr();
      return value;
    }
    if (blocked) return value;
    const a = this.ocrA;
    const b = this.ocrB;
    const ic = this.icrCompare();
    const limit = this.max + 1;
    let left = ticks;
    while (left > 0) {
      if (this.up) {
        let t = value < limit ? limit : Infinity;
        if (top > value && top < t) t = top;
        if (a > value && a < t) t = a;
        if (b > value && b < t) t = b;
        if (ic > value && ic < t) t = ic;
        if (t - value > left) {
          value += left;
          break;
        }
        left -= t - value;
        value = t;
        if (value === top) {
          this.up = false;
          if (this.ocrUpdate === OcrUpdate.Top) this.latchOcr();
        }
      } else {
        if (value <= 0) {
          value -= left;
          break;
        }
        let t = 0;
        if (a < value && a > t) t = a;
        if (b < value && b > t) t = b;
        if (ic < value && ic > t) t = ic;
        if (value - t > left) {
          value -= left;
          break;
        }
        left -= value - t;
        value = t;
        if (value === 0) {
          this.up = true;
          this.setFlag(TOV);
          if (this.ocrUpdate === OcrUpdate.Bottom) this.latchOcr();
        }
      }
      if (value === a) {
        this.setFlag(OCFA);
        this.compPin('A', this.compA, false);
      }
      if (value === b) {
        this.setFlag(OCFB);
        this.compPin('B', this.compB, false);
      }
      if (value === ic) this.setFlag(ICF);
    }
    return value & this.max;
  }

  /** Ticks from `last` to the next one at which anything happens; Infinity when none. */
  private ticksToEvent(): number {
    const val = this.count;
    const top = this.top();
    const a = this.ocrA;
    const b = this.ocrB;
    const ic = this.icrCompare();
    // A period of a few cycles can pass within one instruction, where avr8js's update (one per
    // instruction boundary) sees several wraps at once: follow it boundary by boundary then.
    if ((top + 1) * this.divider <= TINY_PERIOD) return 1;
    if (this.phaseMode()) {
      if (val === 0 && top === 0) {
        return this.ocrUpdate === OcrUpdate.Top && (this.nextOcrA !== this.ocrA || this.nextOcrB !== this.ocrB) ? 1 : Infinity;
      }
      if (this.up) {
        let t = val <= this.max ? this.max + 1 : Infinity;
        if (top > val && top < t) t = top;
        if (a > val && a < t) t = a;
        if (b > val && b < t) t = b;
        if (ic > val && ic < t) t = ic;
        return t - val;
      }
      // Counting down from 0 (a mode change left the direction down): below 0 the value wraps to
      // MAX when avr8js masks it at the end of its update; split there as its updates do.
      if (val <= 0) return 1;
      let t = 0;
      if (a < val && a > t) t = a;
      if (b < val && b > t) t = b;
      if (ic < val && ic > t) t = ic;
      return val - t;
    }
    if (val >= top) return 1;
    let n = top + 1 - val;
    if (a > val && a <= top && a - val < n) n = a - val;
    if (b > val && b <= top && b - val < n) n = b - val;
    if (ic > val && ic <= top && ic - val < n) n = ic - val;
    return n;
  }

  /** Arm the cycle timer for the pending register update or the next counter event. */
  private schedule(from: SyncFrom): void {
    if (this.polling) {
      this.schedulePolling(from);
      return;
    }
    let at: number;
    if (this.pendingDivider || (this.pendingTcnt >= 0 && this.divider > 0)) at = this.pendingAt;
    else if (this.divider === 0) at = Infinity;
    else {
      const n = this.ticksToEvent();
      at = n === Infinity ? Infinity : this.last + n * this.divider;
    }
    // Reads of TCNT (micros()) re-sync often: only touch the chip's timer when the deadline moves.
    if (at === this.armedAt) return;
    this.armedAt = at;
    if (at === Infinity) this.timer.disarm();
    else this.timer.armAt(at);
  }

  /**
   * avr8js's queue operations on its `count` event: after it fires, again at the next tick (or at
   * the end of a TCNT/TCCRnB write still waiting); a TCCRnB write re-adds it one cycle on; a TCNT
   * write moves it there when it exists; reads and other writes leave it alone.
   */
  private schedulePolling(from: SyncFrom): void {
    const now = this.chip.cycles();
    let at: number;
    if (from === 'fire') {
      if (this.pendingDivider || this.pendingTcnt >= 0) at = this.pendingAt;
      else at = this.divider > 0 ? this.last + this.divider : Infinity;
    } else if (from === 'tccrb' || (from === 'tcnt' && this.armedAt !== Infinity)) {
      at = now + 1;
    } else {
      return;
    }
    this.armedAt = at;
    if (at === Infinity) this.timer.disarm();
    else this.timer.armAt(at);
  }
}
