/**
 * ATmega328P 16-bit Timer/Counter1 (datasheet chapter 16): all sixteen WGM13:0 modes (normal,
 * CTC with OCR1A or ICR1 as TOP, 8/9/10-bit and ICR1/OCR1A-topped fast PWM, phase-correct and
 * phase-and-frequency-correct PWM), the prescalers and the external clock on T1, TOV1/OCF1A/OCF1B/
 * ICF1 and their interrupts, 16-bit access through the TEMP byte (datasheet 16.3), double-buffered
 * OCR1A/B in the PWM modes and input capture from {@link Timer16.capture}.
 *
 * TEMP follows avr8js: writing TCNT1H/ICR1H stores TEMP (and the byte), writing OCR1xH stores TEMP
 * masked to the bits a fixed-TOP PWM mode keeps; the low-byte write then moves TEMP:low into the
 * 16-bit register. Reading TCNT1L latches the high byte into TCNT1H, which a following read of
 * TCNT1H returns. The compare outputs OC1A (PB1) and OC1B (PB2) drive their pins through the
 * optional `outputs` (the {@link Gpio}), as in `timer8.ts`. Not modelled: the input noise
 * canceller's 4-cycle delay (ICNC1 is stored only).
 */
import type { AvrChip } from './chip.js';
import { TimerCounter, type TimerCounterConfig, type TimerOptions } from './timer-counter.js';
import { TIMER01_DIVIDERS } from './timer8.js';
import { AvrVector } from './vectors.js';

/** Timer/Counter1 registers (data-space addresses; 16-bit registers by their low byte). */
export const TIMER1_REGS = {
  TIFR1: 0x36,
  TIMSK1: 0x6f,
  TCCR1A: 0x80,
  TCCR1B: 0x81,
  TCCR1C: 0x82,
  TCNT1L: 0x84,
  TCNT1H: 0x85,
  ICR1L: 0x86,
  ICR1H: 0x87,
  OCR1AL: 0x88,
  OCR1AH: 0x89,
  OCR1BL: 0x8a,
  OCR1BH: 0x8b,
} as const;

/** TCCR1B bit 6: input capture on the rising (1) or falling (0) edge of ICP1. */
export const ICES1 = 1 << 6;

export const TIMER1_CONFIG: TimerCounterConfig = {
  name: 'Timer1',
  bits: 16,
  TCCRA: TIMER1_REGS.TCCR1A,
  TCCRB: TIMER1_REGS.TCCR1B,
  TCCRC: TIMER1_REGS.TCCR1C,
  TCNT: TIMER1_REGS.TCNT1L,
  OCRA: TIMER1_REGS.OCR1AL,
  OCRB: TIMER1_REGS.OCR1BL,
  ICR: TIMER1_REGS.ICR1L,
  TIFR: TIMER1_REGS.TIFR1,
  TIMSK: TIMER1_REGS.TIMSK1,
  ovfVector: AvrVector.TIMER1_OVF,
  compAVector: AvrVector.TIMER1_COMPA,
  compBVector: AvrVector.TIMER1_COMPB,
  captVector: AvrVector.TIMER1_CAPT,
  dividers: TIMER01_DIVIDERS,
  externalClock: true,
  ocA: ['B', 1],
  ocB: ['B', 2],
};

/**
 * Timer/Counter1: `new Timer16(chip, TIMER1_CONFIG, { outputs: gpio })` (options as {@link Timer8}:
 * `outputs` where OC1A/OC1B go, `polling` for avr8js's clock events).
 */
export class Timer16 extends TimerCounter {
  private temp = 0;

  constructor(chip: AvrChip, config: TimerCounterConfig = TIMER1_CONFIG, options?: TimerOptions) {
    if (config.bits !== 16 || !config.ICR) throw new Error(`${config.name}: Timer16 needs a 16-bit configuration with ICR`);
    super(chip, config, options);
    const c = config;
    const storeTemp = (v: number): boolean => {
      this.temp = v;
      return false;
    };
    chip.onWrite(c.TCNT + 1, storeTemp);
    chip.onWrite(c.ICR + 1, storeTemp);
    const storeOcrHigh = (v: number, _old: number, addr: number): boolean => {
      this.temp = v & (this.ocrMask() >> 8);
      chip.data[addr] = this.temp;
      return true;
    };
    chip.onWrite(c.OCRA + 1, storeOcrHigh);
    chip.onWrite(c.OCRB + 1, storeOcrHigh);
    chip.onWrite(c.ICR, (v) => {
      this.writeIcr(this.combine(v));
      return false;
    });
  }

  override reset(): void {
    super.reset();
    this.temp = 0;
  }

  /**
   * An edge on ICP1 (PB0): when it is the edge ICES1 selects (or `edge` is omitted), TCNT1 is copied
   * to ICR1 and ICF1 is set (TIMER1_CAPT when ICIE1). Ignored in the modes where ICR1 is TOP.
   */
  capture(edge?: 'rising' | 'falling'): void {
    if (edge !== undefined) {
      const rising = (this.chip.data[this.config.TCCRB]! & ICES1) !== 0;
      if ((edge === 'rising') !== rising) return;
    }
    this.doCapture();
  }

  /** ICR1 as the timer holds it (TOP in modes 8, 10, 12, 14; the last capture otherwise). */
  inputCapture(): number {
    return this.icr;
  }

  protected override combine(low: number): number {
    return ((this.temp << 8) | low) & 0xffff;
  }

  protected override readTcnt(): number {
    const v = this.counter();
    this.chip.data[this.config.TCNT + 1] = v >> 8;
    return (this.chip.data[this.config.TCNT] = v & 0xff);
  }
}
