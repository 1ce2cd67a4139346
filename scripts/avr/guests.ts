/**
 * The AVR guests and Arduino sketches (guests/avr/) with the way each is run for comparisons:
 * USART input, pin drives, the avr8js options that make avr8js a valid reference for it, and
 * whether QEMU 7.2's arduino-uno board can run it (see guests/avr/README.md for why not).
 */
import { parsePinDrive, type Avr8jsOptions } from './avr8js.js';

export interface AvrGuest {
  name: string;
  /** path of the HEX (the ELF is beside it with the same name) */
  hex: string;
  elf: string;
  input?: string;
  pinSpecs?: string[];
  /** avr8js options for the reference run (besides input and pins) */
  avr8js?: Pick<Avr8jsOptions, 'sleepModel' | 'fixEepromIrq' | 'maxCycles'>;
  /** QEMU prints the same USART output as avr8js's reference run */
  qemuMatches: boolean;
}

const g = (name: string, rest: Omit<AvrGuest, 'name' | 'hex' | 'elf'>): AvrGuest => ({
  name, hex: `guests/avr/${name}.hex`, elf: `guests/avr/${name}.elf`, ...rest,
});
const sketch = (name: string, rest: Omit<AvrGuest, 'name' | 'hex' | 'elf'>): AvrGuest => ({
  name, hex: `guests/avr/sketches/${name}/${name}.hex`, elf: `guests/avr/sketches/${name}/${name}.elf`, ...rest,
});

/** The pin drive extint-pins is meant to be run with (its source comment lists it too). */
export const EXTINT_PINS_DRIVE = [
  'D2=1@100000', 'D2=0@150000', 'D3=1@200000', 'D3=0@250000', 'B0=1@300000',
  'C1=1@350000', 'B0=0@400000', 'D2=1@450000', 'D2=0@460000',
];

export const AVR_GUESTS: AvrGuest[] = [
  g('hello', { qemuMatches: true }),
  g('timer1-ctc', { qemuMatches: true }),
  g('timer0-ctc', { qemuMatches: false }),
  g('usart-tx-irq', { qemuMatches: true }),
  g('usart-rx-irq', { input: 'Hello, AVR!\n', qemuMatches: true }),
  g('extint-self', { qemuMatches: false }),
  g('extint-pins', { pinSpecs: EXTINT_PINS_DRIVE, qemuMatches: false }),
  g('irq-timing', { qemuMatches: false }),
  g('wdt-irq', { qemuMatches: false }),
  g('wdt-reset', { qemuMatches: false }),
  g('eeprom', { avr8js: { fixEepromIrq: true }, qemuMatches: false }),
  g('nested', { qemuMatches: false }),
  g('sleep-idle', { avr8js: { sleepModel: true }, qemuMatches: false }),
  g('workload', { qemuMatches: true }),
  sketch('serial-millis', { qemuMatches: false }),
  sketch('attach-interrupt', { qemuMatches: false }),
];

export function guestOptions(guest: AvrGuest, plain = false): Avr8jsOptions {
  return {
    ...(plain ? {} : guest.avr8js),
    input: guest.input ? new TextEncoder().encode(guest.input) : undefined,
    pins: guest.pinSpecs?.map(parsePinDrive),
  };
}
