/**
 * ATmega328P 8-bit Timer/Counter0 and Timer/Counter2 (datasheet chapters 15 and 18): normal, CTC,
 * fast PWM and phase-correct PWM, the prescalers (Timer2's own set 1/8/32/64/128/256/1024; Timer0's
 * external clock on T0), TOV/OCFA/OCFB with their interrupts, double-buffered OCR in the PWM modes.
 * The counting engine and the avr8js-compatible timing rules are in `timer-counter.ts`.
 *
 * The compare outputs OC0A (PD6), OC0B (PD5), OC2A (PB3), OC2B (PD3) drive their pins through the
 * optional `outputs` (the {@link Gpio}) as avr8js does (set/clear/toggle on match, BOTTOM in fast
 * PWM, direction-dependent in phase-correct PWM, FOCnx strobes in the non-PWM modes).
 * Not modelled: Timer2's asynchronous mode (ASSR) and GTCCR's prescaler reset/synchronisation mode.
 */
import type { AvrChip } from './chip.js';
import { TimerCounter, type TimerCounterConfig, type TimerOptions } from './timer-counter.js';
import { AvrVector } from './vectors.js';

/** Timer/Counter0 registers (data-space addresses). */
export const TIMER0_REGS = {
  TIFR0: 0x35,
  TCCR0A: 0x44,
  TCCR0B: 0x45,
  TCNT0: 0x46,
  OCR0A: 0x47,
  OCR0B: 0x48,
  TIMSK0: 0x6e,
} as const;

/** Timer/Counter2 registers (data-space addresses). */
export const TIMER2_REGS = {
  TIFR2: 0x37,
  TCCR2A: 0xb0,
  TCCR2B: 0xb1,
  TCNT2: 0xb2,
  OCR2A: 0xb3,
  OCR2B: 0xb4,
  ASSR: 0xb6,
  TIMSK2: 0x70,
} as const;

/** CS02:0 of Timer0 (and Timer1): 0 stopped, 6/7 external clock on T0 (no prescaled clock). */
export const TIMER01_DIVIDERS: readonly number[] = [0, 1, 8, 64, 256, 1024, 0, 0];
/** CS22:0 of Timer2 (table 18-9). */
export const TIMER2_DIVIDERS: readonly number[] = [0, 1, 8, 32, 64, 128, 256, 1024];

export const TIMER0_CONFIG: TimerCounterConfig = {
  name: 'Timer0',
  bits: 8,
  TCCRA: TIMER0_REGS.TCCR0A,
  TCCRB: TIMER0_REGS.TCCR0B,
  TCCRC: 0,
  TCNT: TIMER0_REGS.TCNT0,
  OCRA: TIMER0_REGS.OCR0A,
  OCRB: TIMER0_REGS.OCR0B,
  ICR: 0,
  TIFR: TIMER0_REGS.TIFR0,
  TIMSK: TIMER0_REGS.TIMSK0,
  ovfVector: AvrVector.TIMER0_OVF,
  compAVector: AvrVector.TIMER0_COMPA,
  compBVector: AvrVector.TIMER0_COMPB,
  captVector: 0,
  dividers: TIMER01_DIVIDERS,
  externalClock: true,
  ocA: ['D', 6],
  ocB: ['D', 5],
};

export const TIMER2_CONFIG: TimerCounterConfig = {
  name: 'Timer2',
  bits: 8,
  TCCRA: TIMER2_REGS.TCCR2A,
  TCCRB: TIMER2_REGS.TCCR2B,
  TCCRC: 0,
  TCNT: TIMER2_REGS.TCNT2,
  OCRA: TIMER2_REGS.OCR2A,
  OCRB: TIMER2_REGS.OCR2B,
  ICR: 0,
  TIFR: TIMER2_REGS.TIFR2,
  TIMSK: TIMER2_REGS.TIMSK2,
  ovfVector: AvrVector.TIMER2_OVF,
  compAVector: AvrVector.TIMER2_COMPA,
  compBVector: AvrVector.TIMER2_COMPB,
  captVector: 0,
  dividers: TIMER2_DIVIDERS,
  externalClock: false,
  ocA: ['B', 3],
  ocB: ['D', 3],
};

/**
 * An 8-bit Timer/Counter: `new Timer8(chip, TIMER0_CONFIG, { outputs: gpio })` or
 * `new Timer8(chip, TIMER2_CONFIG, { outputs: gpio })` (options: `outputs`, where the compare
 * outputs go; `polling`, avr8js's clock events). It hooks its registers itself; the machine only
 * keeps it to call `reset()` (and `clockPin()` for an external clock on T0).
 */
export class Timer8 extends TimerCounter {
  constructor(chip: AvrChip, config: TimerCounterConfig, options?: TimerOptions) {
    if (config.bits !== 8) throw new Error(`${config.name}: Timer8 needs an 8-bit configuration`);
    super(chip, config, options);
  }
}
