/**
 * The ARM PrimeCell PL022 synchronous serial port (SPI) as QEMU 7.2 models it (hw/ssi/pl022.c),
 * five of which sit on the MPS2 boards with nothing attached to their SSI buses.
 *
 * 8-entry transmit and receive FIFOs; with the port enabled (CR1.SSE) every transmitted frame
 * is exchanged at once for the frame the bus returns (0 with no device; the frame itself in
 * loopback, CR1.LBM), masked to the data size (CR0.DSS), as long as the receive FIFO has room.
 * SR and the raw interrupts are recomputed from the FIFO levels (TX when the transmit FIFO is
 * at most half full, RX when the receive FIFO is at least half full); the interrupt line is
 * RIS & IMSC. Clock rates and frame formats are ignored, DMA is not modelled.
 */
import type { MmioHandler } from '../core/bus.js';
import { IrqPin, type IrqLine } from '../core/irq.js';

/** Size of the PL022 register window. */
export const PL022_SIZE = 0x1000;

/** Register offsets. */
export const Pl022Reg = {
  CR0: 0x00, CR1: 0x04, DR: 0x08, SR: 0x0c, CPSR: 0x10, IMSC: 0x14, RIS: 0x18, MIS: 0x1c, ICR: 0x20, DMACR: 0x24,
  PERIPHID0: 0xfe0,
} as const;

export const Pl022Cr1 = { LBM: 1 << 0, SSE: 1 << 1, MS: 1 << 2, SOD: 1 << 3 } as const;
export const Pl022Sr = { TFE: 1 << 0, TNF: 1 << 1, RNE: 1 << 2, RFF: 1 << 3, BSY: 1 << 4 } as const;
export const Pl022Int = { ROR: 1 << 0, RT: 1 << 1, RX: 1 << 2, TX: 1 << 3 } as const;

/** PeriphID0..3, PCellID0..3 (0xfe0..0xffc). */
export const PL022_ID = [0x22, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of an {@link Mps2Pl022}. */
export interface Mps2Pl022Options {
  /** SSPINTR. */
  irq?: IrqLine;
  /** The SSI bus: returns the frame received for `frame` sent (default: no device, 0). */
  transfer?: (frame: number) => number;
}

export class Mps2Pl022 implements MmioHandler {
  readonly irq: IrqLine;
  private readonly transfer: (frame: number) => number;
  private cr0 = 0;
  private cr1 = 0;
  private bitmask = 0;
  private sr = 0;
  private cpsr = 0;
  private is = 0;
  private im = 0;
  private txHead = 0;
  private rxHead = 0;
  private txLen = 0;
  private rxLen = 0;
  private readonly txFifo = new Uint16Array(8);
  private readonly rxFifo = new Uint16Array(8);

  constructor(options: Mps2Pl022Options = {}) {
    this.irq = options.irq ?? new IrqPin();
    this.transfer = options.transfer ?? (() => 0);
    this.reset();
  }

  /** Device reset: FIFOs emptied, IMSC 0 (CR0, CR1, CPSR and the FIFO positions are kept, as in QEMU). */
  reset(): void {
    this.rxLen = 0;
    this.txLen = 0;
    this.im = 0;
    this.is = Pl022Int.TX;
    this.sr = Pl022Sr.TFE | Pl022Sr.TNF;
  }

  private update(): void {
    let sr = 0;
    if (this.txLen === 0) sr |= Pl022Sr.TFE;
    if (this.txLen !== 8) sr |= Pl022Sr.TNF;
    if (this.rxLen !== 0) sr |= Pl022Sr.RNE;
    if (this.rxLen === 8) sr |= Pl022Sr.RFF;
    if (this.txLen !== 0) sr |= Pl022Sr.BSY;
    this.sr = sr;
    this.is = 0;
    if (this.rxLen >= 4) this.is |= Pl022Int.RX;
    if (this.txLen <= 4) this.is |= Pl022Int.TX;
    this.irq.set((this.is & this.im) !== 0);
  }

  private xfer(): void {
    if ((this.cr1 & Pl022Cr1.SSE) === 0) {
      this.update();
      return;
    }
    let i = (this.txHead - this.txLen) & 7;
    let o = this.rxHead;
    // the transmitter stalls rather than overflow the receive FIFO
    while (this.txLen !== 0 && this.rxLen < 8) {
      let val = this.txFifo[i]!;
      if ((this.cr1 & Pl022Cr1.LBM) === 0) val = this.transfer(val);
      this.rxFifo[o] = val & this.bitmask;
      i = (i + 1) & 7;
      o = (o + 1) & 7;
      this.txLen--;
      this.rxLen++;
    }
    this.rxHead = o;
    this.update();
  }

  read(offset: number, size: number): number {
    let r: number;
    if (offset >= 0xfe0 && offset < 0x1000) {
      r = PL022_ID[(offset - 0xfe0) >> 2]!;
    } else {
      switch (offset) {
        case Pl022Reg.CR0: r = this.cr0; break;
        case Pl022Reg.CR1: r = this.cr1; break;
        case Pl022Reg.DR:
          if (this.rxLen !== 0) {
            r = this.rxFifo[(this.rxHead - this.rxLen) & 7]!;
            this.rxLen--;
            this.xfer();
          } else {
            r = 0;
          }
          break;
        case Pl022Reg.SR: r = this.sr; break;
        case Pl022Reg.CPSR: r = this.cpsr; break;
        case Pl022Reg.IMSC: r = this.im; break;
        case Pl022Reg.RIS: r = this.is; break;
        case Pl022Reg.MIS: r = this.im & this.is; break;
        default: r = 0;
      }
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case Pl022Reg.CR0:
        this.cr0 = value;
        this.bitmask = (2 ** ((value & 15) + 1) - 1) & 0xffff; // frame size 4..16 bits
        break;
      case Pl022Reg.CR1:
        this.cr1 = value;
        this.xfer();
        break;
      case Pl022Reg.DR:
        if (this.txLen < 8) {
          this.txFifo[this.txHead] = value & this.bitmask;
          this.txHead = (this.txHead + 1) & 7;
          this.txLen++;
          this.xfer();
        }
        break;
      case Pl022Reg.CPSR:
        this.cpsr = value & 0xff;
        break;
      case Pl022Reg.IMSC:
        this.im = value;
        this.update();
        break;
      case Pl022Reg.ICR:
        // write 1 to clear ROR and RT (which this model never raises); RX and TX only follow the FIFOs
        this.is &= ~(value & (Pl022Int.ROR | Pl022Int.RT));
        break;
      default:
        break;
    }
  }
}
