/**
 * ATmega328P external interrupts (datasheet chapter 13): INT0 on PD2 and INT1 on PD3 with the
 * sense modes of EICRA (low level, any change, falling edge, rising edge), EIMSK/EIFR, and the
 * pin-change interrupts PCINT0 (port B), PCINT1 (port C), PCINT2 (port D) with PCICR/PCIFR/PCMSK0..2.
 * It listens to the pin levels of {@link Gpio}, so outputs trigger them too (13.1).
 *
 * An edge of the sense mode EICRA selects sets INTFn whatever EIMSK says (13.2.3 EIFR: "When an
 * edge or logic change on the INT0 pin triggers an interrupt request, INTF0 becomes set (one). If
 * the I-bit in SREG and the INT0 bit in EIMSK are set (one), the MCU will jump to the
 * corresponding Interrupt Vector"): a flag set while masked requests INTn as soon as EIMSK enables
 * it (avr8js sets no flag while masked: correction `int-flag-masked` of scripts/avr/avr8js.ts).
 * A pin change sets PCIFn whenever the pin is enabled in PCMSKn (whatever PCICR says), as avr8js.
 * Per the datasheet, where avr8js differs: in low-level mode INTFn stays 0 and the request lasts
 * exactly as long as the pin is low and INTn enabled; a PCICR write takes effect at once (avr8js
 * has no PCICR hook); PCMSKn writes do not touch other ports' requests; flags are cleared by writing
 * 1 (only the written bit for `SBI`) and on vector entry (edge modes and PCIFn).
 */
import type { AvrChip } from './chip.js';
import type { Gpio, PortName } from './gpio.js';
import { AvrVector } from './vectors.js';

/** External-interrupt registers (data-space addresses). */
export const EXT_INT_REGS = {
  PCIFR: 0x3b,
  EIFR: 0x3c,
  EIMSK: 0x3d,
  PCICR: 0x68,
  EICRA: 0x69,
  PCMSK0: 0x6b,
  PCMSK1: 0x6c,
  PCMSK2: 0x6d,
} as const;

/** EICRA sense modes (ISCn1:0). */
export const enum SenseMode {
  LowLevel = 0,
  AnyChange = 1,
  Falling = 2,
  Rising = 3,
}

/** INT0 is PD2, INT1 is PD3. */
const INT_PIN = [2, 3] as const;
const INT_VECTOR = [AvrVector.INT0, AvrVector.INT1] as const;
const PC_PORT: Record<PortName, number> = { B: 0, C: 1, D: 2 };
const PC_MSK = [EXT_INT_REGS.PCMSK0, EXT_INT_REGS.PCMSK1, EXT_INT_REGS.PCMSK2] as const;
const PC_VECTOR = [AvrVector.PCINT0, AvrVector.PCINT1, AvrVector.PCINT2] as const;

export class ExtInterrupts {
  private readonly chip: AvrChip;
  private readonly gpio: Gpio;

  constructor(chip: AvrChip, gpio: Gpio) {
    this.chip = chip;
    this.gpio = gpio;
    const R = EXT_INT_REGS;
    const d = chip.data;
    gpio.onPinChange((port, pins, prev) => this.pinsChanged(port, pins, prev));
    chip.onWrite(R.EICRA, (v) => {
      d[R.EICRA] = v & 0x0f;
      this.update();
      return true;
    });
    chip.onWrite(R.EIMSK, (v) => {
      d[R.EIMSK] = v & 0x03;
      this.update();
      return true;
    });
    chip.onWrite(R.EIFR, (v, _o, _a, mask = 0xff) => {
      d[R.EIFR] &= ~(v & mask & 0x03);
      this.update();
      return true;
    });
    chip.onWrite(R.PCICR, (v) => {
      d[R.PCICR] = v & 0x07;
      this.update();
      return true;
    });
    chip.onWrite(R.PCIFR, (v, _o, _a, mask = 0xff) => {
      d[R.PCIFR] &= ~(v & mask & 0x07);
      this.update();
      return true;
    });
    chip.onWrite(R.PCMSK1, (v) => {
      d[R.PCMSK1] = v & 0x7f;
      return true;
    });
    for (let n = 0; n < 2; n++) {
      chip.onInterruptTaken(INT_VECTOR[n]!, () => {
        d[R.EIFR] &= ~(1 << n);
        this.update();
      });
    }
    for (let n = 0; n < 3; n++) {
      chip.onInterruptTaken(PC_VECTOR[n]!, () => {
        d[R.PCIFR] &= ~(1 << n);
        this.update();
      });
    }
    this.reset();
  }

  /** All registers 0. */
  reset(): void {
    const d = this.chip.data;
    for (const a of Object.values(EXT_INT_REGS)) d[a] = 0;
    this.update();
  }

  /** The sense mode of INTn (0 or 1). */
  senseMode(n: 0 | 1): SenseMode {
    return (this.chip.data[EXT_INT_REGS.EICRA]! >> (2 * n)) & 3;
  }

  private pinsChanged(port: PortName, pins: number, prev: number): void {
    const d = this.chip.data;
    const R = EXT_INT_REGS;
    const changed = pins ^ prev;
    if (port === 'D') {
      for (let n = 0; n < 2; n++) {
        const m = 1 << INT_PIN[n]!;
        if (!(changed & m)) continue;
        const high = (pins & m) !== 0;
        const mode = this.senseMode(n as 0 | 1);
        if (mode === SenseMode.AnyChange || (mode === SenseMode.Falling && !high) || (mode === SenseMode.Rising && high)) {
          d[R.EIFR] |= 1 << n;
        }
      }
    }
    const pc = PC_PORT[port];
    if (changed & d[PC_MSK[pc]!]!) d[R.PCIFR] |= 1 << pc;
    this.update();
  }

  private update(): void {
    const d = this.chip.data;
    const R = EXT_INT_REGS;
    const eimsk = d[R.EIMSK]!;
    for (let n = 0; n < 2; n++) {
      let req: boolean;
      if (this.senseMode(n as 0 | 1) === SenseMode.LowLevel) {
        d[R.EIFR] &= ~(1 << n); // always cleared in level mode (13.2.3)
        req = (eimsk & (1 << n)) !== 0 && !this.gpio.pin('D', INT_PIN[n]!);
      } else {
        req = (eimsk & d[R.EIFR]! & (1 << n)) !== 0;
      }
      this.chip.setInterrupt(INT_VECTOR[n]!, req);
    }
    const pcOn = d[R.PCICR]! & d[R.PCIFR]!;
    for (let n = 0; n < 3; n++) this.chip.setInterrupt(PC_VECTOR[n]!, (pcOn & (1 << n)) !== 0);
  }
}
