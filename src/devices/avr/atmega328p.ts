/**
 * All ATmega328P peripherals of `src/devices/avr/` on one chip, wired to each other as on the
 * silicon: the timers' compare outputs drive OC0A/OC0B/OC1A/OC1B/OC2A/OC2B, the T0/T1 pins
 * (PD4/PD5) clock Timer0/1 when their CS selects the external clock, ICP1 (PB0) triggers Timer1's
 * input capture. The machine builds one of these after its chip and calls
 * `reset()` on every chip reset (power-on and watchdog; MCUSR is the chip's and survives it).
 *
 * ```ts
 * const p = new Atmega328pPeripherals(chip, { usart: { onByte: (b) => process.stdout.write(Buffer.of(b)) } });
 * p.usart.receive(...bytes);          // stdin
 * p.gpio.setPin('D', 2, false);       // drive INT0 low
 * p.adc.setChannelValue(0, 3.3);      // A0
 * ```
 */
import type { AvrChip } from './chip.js';
import { Adc, type AdcOptions } from './adc.js';
import { Eeprom, type EepromOptions } from './eeprom.js';
import { ExtInterrupts } from './ext-interrupts.js';
import { Gpio } from './gpio.js';
import { Spi, type SpiOptions } from './spi.js';
import { Timer16, TIMER1_CONFIG } from './timer16.js';
import { Timer8, TIMER0_CONFIG, TIMER2_CONFIG } from './timer8.js';
import { Twi, type TwiOptions } from './twi.js';
import { Usart, type UsartOptions } from './usart.js';
import { Watchdog } from './watchdog.js';

export interface Atmega328pOptions {
  usart?: UsartOptions;
  eeprom?: EepromOptions;
  spi?: SpiOptions;
  twi?: TwiOptions;
  adc?: AdcOptions;
  /** Timers keep avr8js's clock events (`TimerOptions.polling`) and USART0 avr8js's single-buffered
   * transmitter, for an avr8js-compatible chip. */
  avr8jsEvents?: boolean;
}

export class Atmega328pPeripherals {
  readonly gpio: Gpio;
  readonly extInterrupts: ExtInterrupts;
  readonly timer0: Timer8;
  readonly timer1: Timer16;
  readonly timer2: Timer8;
  readonly usart: Usart;
  readonly watchdog: Watchdog;
  readonly eeprom: Eeprom;
  readonly spi: Spi;
  readonly twi: Twi;
  readonly adc: Adc;

  constructor(chip: AvrChip, options: Atmega328pOptions = {}) {
    this.gpio = new Gpio(chip);
    this.extInterrupts = new ExtInterrupts(chip, this.gpio);
    const timers = { outputs: this.gpio, polling: options.avr8jsEvents ?? false };
    this.timer0 = new Timer8(chip, TIMER0_CONFIG, timers);
    this.timer1 = new Timer16(chip, TIMER1_CONFIG, timers);
    this.timer2 = new Timer8(chip, TIMER2_CONFIG, timers);
    // the datasheet's double-buffered transmitter; avr8js's single buffer on an avr8js-compatible chip
    this.usart = new Usart(chip, { timing: options.avr8jsEvents ? 'avr8js' : 'datasheet', ...options.usart });
    this.watchdog = new Watchdog(chip);
    this.eeprom = new Eeprom(chip, options.eeprom);
    this.spi = new Spi(chip, options.spi);
    this.twi = new Twi(chip, options.twi);
    this.adc = new Adc(chip, options.adc);
    this.gpio.onPinChange((port, pins, prev) => {
      const changed = pins ^ prev;
      if (port === 'D') {
        if (changed & (1 << 4)) this.timer0.clockPin((pins & (1 << 4)) !== 0);
        if (changed & (1 << 5)) this.timer1.clockPin((pins & (1 << 5)) !== 0);
      } else if (port === 'B' && changed & 1) {
        this.timer1.capture(pins & 1 ? 'rising' : 'falling');
      }
    });
  }

  /** Every peripheral to its reset state (EEPROM contents and external pin drive stay). */
  reset(): void {
    this.gpio.reset();
    this.extInterrupts.reset();
    this.timer0.reset();
    this.timer1.reset();
    this.timer2.reset();
    this.usart.reset();
    this.watchdog.reset();
    this.eeprom.reset();
    this.spi.reset();
    this.twi.reset();
    this.adc.reset();
  }
}
