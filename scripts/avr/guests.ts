/**
 * The AVR guests and Arduino sketches (guests/avr/) with the way each is run for comparisons:
 * USART input, pin drives, and whether QEMU 7.2's arduino-uno board can run it (see
 * guests/avr/README.md for why not). The reference run of every guest is avr8js with all the
 * datasheet corrections (referenceOptions).
 */
import { ALL_CORRECTIONS, parsePinDrive, type Avr8jsOptions } from './avr8js.js';

export interface AvrGuest {
  name: string;
  /** path of the HEX (the ELF is beside it with the same name) */
  hex: string;
  elf: string;
  input?: string;
  pinSpecs?: string[];
  /** QEMU prints the same USART output as avr8js's reference run */
  qemuMatches: boolean;
  /** why QEMU 7.2's arduino-uno is no oracle for this guest (when qemuMatches is false) */
  qemuWhyNot?: string;
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
  g('timer0-ctc', { qemuMatches: false, qemuWhyNot: 'no Timer/Counter0 or 2 on the QEMU 7.2 board' }),
  g('usart-tx-irq', { qemuMatches: true }),
  g('usart-rx-irq', { input: 'Hello, AVR!\n', qemuMatches: true }),
  g('extint-self', { qemuMatches: false, qemuWhyNot: 'no external or pin-change interrupts on the QEMU 7.2 board' }),
  g('extint-pins', { pinSpecs: EXTINT_PINS_DRIVE, qemuMatches: false, qemuWhyNot: 'no external or pin-change interrupts, and no way to drive pins, on the QEMU 7.2 board' }),
  g('irq-timing', { qemuMatches: false, qemuWhyNot: 'no external interrupts on the QEMU 7.2 board' }),
  g('wdt-irq', { qemuMatches: false, qemuWhyNot: 'no watchdog on the QEMU 7.2 board' }),
  g('wdt-reset', { qemuMatches: false, qemuWhyNot: 'no watchdog on the QEMU 7.2 board' }),
  g('eeprom', { qemuMatches: false, qemuWhyNot: 'no EEPROM on the QEMU 7.2 board (its registers read 0)' }),
  g('nested', { qemuMatches: false, qemuWhyNot: 'no Timer/Counter2 on the QEMU 7.2 board, and Timer1 runs on host time' }),
  g('sleep-idle', { qemuMatches: false, qemuWhyNot: 'QEMU 7.2 never takes the Timer1 interrupt that ends SLEEP' }),
  g('workload', { qemuMatches: true }),
  sketch('serial-millis', { qemuMatches: false, qemuWhyNot: 'no Timer/Counter0 on the QEMU 7.2 board: millis() never advances, delay() never returns' }),
  sketch('attach-interrupt', { qemuMatches: false, qemuWhyNot: 'no Timer/Counter0 (delay()) and no external interrupts on the QEMU 7.2 board' }),
];

/** The guest's input and pin drives (plain avr8js: no corrections). */
export function guestOptions(guest: AvrGuest): Avr8jsOptions {
  return {
    input: guest.input ? new TextEncoder().encode(guest.input) : undefined,
    pins: guest.pinSpecs?.map(parsePinDrive),
  };
}

/**
 * The reference run of a guest: avr8js with every datasheet correction (CORRECTIONS in
 * scripts/avr/avr8js.ts), the guest's input and pin drives. tracehook must match it exactly
 * (USART output, every interrupt entry's cycle and vector, the end cycle).
 */
export function referenceOptions(guest: AvrGuest): Avr8jsOptions {
  return { ...guestOptions(guest), corrections: ALL_CORRECTIONS };
}
