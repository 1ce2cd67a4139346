/**
 * ATmega328P ADC (datasheet chapter 24): ADMUX, ADCSRA, ADCSRB, ADCL/ADCH, DIDR0.
 *
 * Writing ADSC with ADEN set starts a conversion of the channel ADMUX selects; it completes 13
 * ADC clock cycles later (25 for the first one after ADEN is set), the ADC clock being the CPU
 * clock divided by ADPS2:0 (2..128). The input is sampled when the conversion starts (as avr8js);
 * at the end the 10-bit result goes to ADCH:ADCL (left-adjusted with ADLAR), ADSC clears and ADIF
 * is set (ADC vector when ADIE; cleared by the vector or by writing 1). With ADATE and ADTS = 0
 * (free running) the next conversion starts at once and ADSC stays set; other trigger sources can
 * be fed through {@link Adc.trigger}.
 *
 * Inputs: {@link Adc.setChannelValue} in volts against the selected reference (AREF, AVCC, or the
 * internal 1.1 V; `aref`/`avcc` options, 5 V by default) or {@link Adc.setChannelRaw} as a raw 0..1023
 * code; channel 8 is the temperature sensor (0.378125 V, 25 °C, as avr8js), 14 the 1.1 V bandgap,
 * 15 ground. Conversion of v volts: floor(v / Vref × 1024) clamped to 0..1023 (avr8js's rounding).
 *
 * Datasheet where avr8js differs: ADSC with ADEN clear starts nothing (avr8js completes a 0
 * result), writing 1 to ADIF clears it (avr8js stores it), ADATE free-running mode (avr8js has none),
 * reading ADCL locks ADCH:ADCL until ADCH is read (a conversion ending in between is lost, 24.9.3).
 */
import type { AvrChip, AvrTimer } from './chip.js';
import { AvrVector } from './vectors.js';

/** ADC registers (data-space addresses). */
export const ADC_REGS = {
  ADCL: 0x78,
  ADCH: 0x79,
  ADCSRA: 0x7a,
  ADCSRB: 0x7b,
  ADMUX: 0x7c,
  DIDR0: 0x7e,
} as const;

// ADCSRA
export const ADEN = 1 << 7;
export const ADSC = 1 << 6;
export const ADATE = 1 << 5;
export const ADIF = 1 << 4;
export const ADIE = 1 << 3;
// ADMUX
export const ADLAR = 1 << 5;

/** Voltage of the fixed inputs: temperature sensor at 25 °C (as avr8js), bandgap, ground. */
const FIXED_INPUTS: Record<number, number> = { 8: 0.378125, 14: 1.1, 15: 0 };

export interface AdcOptions {
  /** AVCC and AREF voltages (default 5 V). */
  avcc?: number;
  aref?: number;
}

export class Adc {
  private readonly chip: AvrChip;
  avcc: number;
  aref: number;
  private readonly volts = new Float64Array(8);
  private readonly raw = new Int16Array(8).fill(-1);
  private readonly timer: AvrTimer;
  private converting = false;
  private first = true;
  private result = 0;
  private locked = false;

  constructor(chip: AvrChip, options: AdcOptions = {}) {
    this.chip = chip;
    this.avcc = options.avcc ?? 5;
    this.aref = options.aref ?? 5;
    this.timer = chip.timer((now) => this.complete(now));
    const R = ADC_REGS;
    const d = chip.data;
    chip.onWrite(R.ADCSRA, (v, old) => {
      const now = chip.cycles();
      let next = (v & ~(ADIF | ADSC)) | (old & ADIF);
      if (v & ADIF) next &= ~ADIF;
      if (v & ADEN && !(old & ADEN)) this.first = true;
      if (!(v & ADEN)) {
        this.converting = false;
        this.timer.disarm();
      } else if (this.converting) {
        next |= ADSC;
      } else if (v & ADSC) {
        next |= ADSC;
        d[R.ADCSRA] = next;
        this.start(now);
      }
      d[R.ADCSRA] = next;
      this.update();
      return true;
    });
    chip.onRead(R.ADCL, () => {
      this.locked = true;
      return d[R.ADCL]!;
    });
    chip.onRead(R.ADCH, () => {
      this.locked = false;
      return d[R.ADCH]!;
    });
    chip.onWrite(R.ADCL, () => true);
    chip.onWrite(R.ADCH, () => true);
    chip.onInterruptTaken(AvrVector.ADC, () => {
      d[R.ADCSRA] &= ~ADIF;
      this.update();
    });
    this.reset();
  }

  /** All registers 0, no conversion. The channel values are outside the chip and stay. */
  reset(): void {
    const d = this.chip.data;
    for (const a of Object.values(ADC_REGS)) d[a] = 0;
    this.converting = false;
    this.first = true;
    this.locked = false;
    this.timer.disarm();
    this.update();
  }

  /** Drive ADC input `channel` (0..7) with `volts`. */
  setChannelValue(channel: number, volts: number): void {
    this.volts[channel] = volts;
    this.raw[channel] = -1;
  }

  /** Make ADC input `channel` (0..7) convert to the code `raw` (0..1023) whatever the reference. */
  setChannelRaw(channel: number, raw: number): void {
    this.raw[channel] = Math.max(0, Math.min(1023, Math.round(raw)));
  }

  /** ADC clock division from ADPS2:0. */
  prescaler(): number {
    const adps = this.chip.data[ADC_REGS.ADCSRA]! & 7;
    return adps === 0 ? 2 : 1 << adps;
  }

  /** CPU cycles the next conversion takes. */
  conversionCycles(): number {
    return (this.first ? 25 : 13) * this.prescaler();
  }

  /** The reference voltage REFS1:0 selects (the reserved code counts as AVCC). */
  reference(): number {
    const refs = this.chip.data[ADC_REGS.ADMUX]! >> 6;
    return refs === 0 ? this.aref : refs === 3 ? 1.1 : this.avcc;
  }

  /**
   * An auto-trigger event of source `source` (ADTS2:0 of ADCSRB: 1 analog comparator, 2 INT0,
   * 3 Timer0 compare A, 4 Timer0 overflow, 5 Timer1 compare B, 6 Timer1 overflow, 7 Timer1
   * capture): starts a conversion when ADATE is set, ADTS selects that source and none is running.
   */
  trigger(source: number): void {
    const d = this.chip.data;
    const a = d[ADC_REGS.ADCSRA]!;
    if (!(a & ADEN) || !(a & ADATE) || this.converting || (d[ADC_REGS.ADCSRB]! & 7) !== source) return;
    d[ADC_REGS.ADCSRA] = a | ADSC;
    this.start(this.chip.cycles());
  }

  private sample(): number {
    const ch = this.chip.data[ADC_REGS.ADMUX]! & 0x0f;
    if (ch < 8 && this.raw[ch]! >= 0) return this.raw[ch]!;
    const v = ch < 8 ? this.volts[ch]! : FIXED_INPUTS[ch] ?? 0;
    return Math.min(Math.max(Math.floor((v / this.reference()) * 1024), 0), 1023);
  }

  private start(now: number): void {
    this.converting = true;
    this.result = this.sample();
    this.timer.armAt(now + this.conversionCycles());
  }

  private complete(now: number): void {
    const d = this.chip.data;
    const R = ADC_REGS;
    this.converting = false;
    this.first = false;
    if (!this.locked) {
      if (d[R.ADMUX]! & ADLAR) {
        d[R.ADCL] = (this.result << 6) & 0xff;
        d[R.ADCH] = this.result >> 2;
      } else {
        d[R.ADCL] = this.result & 0xff;
        d[R.ADCH] = this.result >> 8;
      }
    }
    let a = (d[R.ADCSRA]! | ADIF) & ~ADSC;
    d[R.ADCSRA] = a;
    if (a & ADATE && (d[R.ADCSRB]! & 7) === 0) {
      a |= ADSC;
      d[R.ADCSRA] = a;
      this.start(now);
    }
    this.update();
  }

  private update(): void {
    const a = this.chip.data[ADC_REGS.ADCSRA]!;
    this.chip.setInterrupt(AvrVector.ADC, (a & ADIF) !== 0 && (a & ADIE) !== 0);
  }
}
