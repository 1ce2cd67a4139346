/**
 * ATmega328P I/O ports B, C and D (datasheet chapter 14): PINx, DDRx, PORTx.
 *
 * A pin's level: an output (DDRx bit set) drives PORTx; an input reads what the outside world
 * drives through {@link Gpio.setPin}, or, when nothing drives it, 1 if its pull-up is on (PORTx bit
 * set, MCUCR.PUD clear) and 0 otherwise. PINx holds the levels (no synchroniser delay, as avr8js);
 * writing 1 to a PINx bit toggles the PORTx bit (14.2.2), only the written bit for `SBI`.
 * Listeners see output changes; `onPinChange` (used by the external/pin-change interrupts) sees
 * every change of a port's pin levels, outputs included.
 *
 * Timer compare outputs take their pins over through {@link Gpio.overridePin} (shown while the
 * pin is an output, as avr8js).
 *
 * Difference from avr8js: avr8js ignores pull-ups (an undriven input reads 0, or the last
 * `setPin` value); here an undriven input with its pull-up on reads 1. Not modelled: the other
 * alternate functions (USART, SPI, TWI pins keep their GPIO behaviour).
 */
import type { AvrChip } from './chip.js';
import { AVR_MCUSR } from './chip.js';
import type { PinOverride, TimerPinOutputs } from './timer-counter.js';

export type PortName = 'B' | 'C' | 'D';

/** PINx/DDRx/PORTx of each port (data-space addresses). */
export const GPIO_REGS = {
  PINB: 0x23,
  DDRB: 0x24,
  PORTB: 0x25,
  PINC: 0x26,
  DDRC: 0x27,
  PORTC: 0x28,
  PIND: 0x29,
  DDRD: 0x2a,
  PORTD: 0x2b,
  /** MCUCR: bit 4 PUD disables all pull-ups (read, not hooked: see {@link Gpio.refreshAll}). */
  MCUCR: AVR_MCUSR + 1,
} as const;

export const PUD = 1 << 4;

/** Pins that exist: PC7 does not (PC6 is RESET on the Uno but still a port bit). */
const PORT_BITS: Record<PortName, number> = { B: 0xff, C: 0x7f, D: 0xff };

const PORT_ADDR: Record<PortName, { PIN: number; DDR: number; PORT: number }> = {
  B: { PIN: GPIO_REGS.PINB, DDR: GPIO_REGS.DDRB, PORT: GPIO_REGS.PORTB },
  C: { PIN: GPIO_REGS.PINC, DDR: GPIO_REGS.DDRC, PORT: GPIO_REGS.PORTC },
  D: { PIN: GPIO_REGS.PIND, DDR: GPIO_REGS.DDRD, PORT: GPIO_REGS.PORTD },
};

export const PORT_NAMES: readonly PortName[] = ['B', 'C', 'D'];

/** Output listener: the port, its driven outputs (PORTx & DDRx) and DDRx. */
export type GpioOutputListener = (port: PortName, outputs: number, ddr: number) => void;
/** Pin-level listener: the port, its new PINx value and the previous one. */
export type GpioPinListener = (port: PortName, pins: number, previous: number) => void;

interface PortState {
  /** Bits the outside world drives, and the levels it drives them to. */
  driven: number;
  level: number;
  /** Output bits a timer's compare unit drives instead of PORTx, and their levels. */
  overridden: number;
  overrideLevel: number;
  lastOutputs: number;
  lastDdr: number;
}

export class Gpio implements TimerPinOutputs {
  private readonly chip: AvrChip;
  private readonly ports: Record<PortName, PortState>;
  private readonly outputListeners: GpioOutputListener[] = [];
  private readonly pinListeners: GpioPinListener[] = [];

  constructor(chip: AvrChip) {
    this.chip = chip;
    const mk = (): PortState => ({ driven: 0, level: 0, overridden: 0, overrideLevel: 0, lastOutputs: 0, lastDdr: 0 });
    this.ports = { B: mk(), C: mk(), D: mk() };
    const d = chip.data;
    for (const name of PORT_NAMES) {
      const a = PORT_ADDR[name];
      const bits = PORT_BITS[name];
      chip.onWrite(a.DDR, (v) => {
        d[a.DDR] = v & bits;
        this.refresh(name);
        return true;
      });
      chip.onWrite(a.PORT, (v) => {
        d[a.PORT] = v & bits;
        this.refresh(name);
        return true;
      });
      chip.onWrite(a.PIN, (v, _old, _addr, mask = 0xff) => {
        d[a.PORT] = (d[a.PORT]! ^ (v & mask)) & bits;
        this.refresh(name);
        return true;
      });
    }
    this.reset();
  }

  /**
   * All port registers 0 (inputs, no pull-ups); external drive is kept (it is outside the chip).
   * Listeners hear the change. Reset the pin-change interrupts after this (their flags).
   */
  reset(): void {
    const d = this.chip.data;
    for (const name of PORT_NAMES) {
      const a = PORT_ADDR[name];
      d[a.DDR] = 0;
      d[a.PORT] = 0;
      const p = this.ports[name];
      p.overridden = 0;
      p.overrideLevel = 0;
      this.refresh(name); // listeners hear the outputs go
    }
  }

  /**
   * Drive pin `bit` of `port` from outside: true/1 high, false/0 low, null to release it (then it
   * reads its pull-up, or 0). A pin configured as output keeps its own level.
   */
  setPin(port: PortName, bit: number, level: boolean | 0 | 1 | null): void {
    const p = this.ports[port];
    const m = 1 << bit;
    if (level === null) {
      p.driven &= ~m;
    } else {
      p.driven |= m;
      p.level = level ? p.level | m : p.level & ~m;
    }
    this.refresh(port);
  }

  /**
   * A timer compare output takes pin `bit` over (`enable`: at the PORTx level), drives it
   * (`set`/`clear`/`toggle`) or gives it back (`none`); it shows only while the pin is an output.
   */
  overridePin(port: PortName, bit: number, mode: PinOverride): void {
    const p = this.ports[port];
    const m = 1 << bit;
    if (mode === 'none') {
      p.overridden &= ~m;
      p.overrideLevel &= ~m;
    } else {
      p.overridden |= m;
      if (mode === 'enable') p.overrideLevel = (p.overrideLevel & ~m) | (this.chip.data[PORT_ADDR[port].PORT]! & m);
      else if (mode === 'set') p.overrideLevel |= m;
      else if (mode === 'clear') p.overrideLevel &= ~m;
      else p.overrideLevel ^= m;
    }
    this.refresh(port);
  }

  /** The level of a pin now (what PINx shows). */
  pin(port: PortName, bit: number): boolean {
    return ((this.chip.data[PORT_ADDR[port].PIN]! >> bit) & 1) === 1;
  }

  /** The levels the chip drives on its outputs (PORTx, or a timer's compare output, where DDRx is 1). */
  outputs(port: PortName): number {
    return this.driving(port) & this.chip.data[PORT_ADDR[port].DDR]!;
  }

  /** PORTx with the compare-output overrides applied. */
  private driving(port: PortName): number {
    const p = this.ports[port];
    return (this.chip.data[PORT_ADDR[port].PORT]! & ~p.overridden) | (p.overrideLevel & p.overridden);
  }

  /**
   * Re-evaluate every pin. MCUCR belongs to the CPU (IVSEL, BODS) so it is not hooked here: PUD is
   * read whenever a port is updated; the machine calls this after an MCUCR write to apply PUD at once.
   */
  refreshAll(): void {
    for (const name of PORT_NAMES) this.refresh(name);
  }

  /** Called whenever a port's driven outputs or its DDR change. */
  onOutput(listener: GpioOutputListener): void {
    this.outputListeners.push(listener);
  }

  /** Called whenever a port's pin levels (PINx) change, for any reason. */
  onPinChange(listener: GpioPinListener): void {
    this.pinListeners.push(listener);
  }

  private levels(port: PortName): number {
    const a = PORT_ADDR[port];
    const d = this.chip.data;
    const ddr = d[a.DDR]!;
    const out = d[a.PORT]!;
    const p = this.ports[port];
    const pullups = d[GPIO_REGS.MCUCR]! & PUD ? 0 : out & ~ddr;
    const inputs = (p.level & p.driven) | (pullups & ~p.driven);
    return ((this.driving(port) & ddr) | (inputs & ~ddr)) & PORT_BITS[port];
  }

  private refresh(port: PortName): void {
    const a = PORT_ADDR[port];
    const d = this.chip.data;
    const p = this.ports[port];
    const ddr = d[a.DDR]!;
    const outputs = this.driving(port) & ddr;
    if (outputs !== p.lastOutputs || ddr !== p.lastDdr) {
      p.lastOutputs = outputs;
      p.lastDdr = ddr;
      for (const l of this.outputListeners) l(port, outputs, ddr);
    }
    const prev = d[a.PIN]!;
    const pins = this.levels(port);
    if (pins !== prev) {
      d[a.PIN] = pins;
      for (const l of this.pinListeners) l(port, pins, prev);
    }
  }
}
