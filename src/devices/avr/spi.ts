/**
 * ATmega328P SPI in master mode (datasheet chapter 18): SPCR, SPSR, SPDR.
 *
 * A SPDR write with SPE and MSTR set hands the byte to the remote device (`transfer`, which
 * returns the byte it shifts back on MISO) and the transfer completes 8 SCK periods later (SCK =
 * clk / 4, 16, 64, 128, halved by SPI2X): SPDR then holds the received byte and SPIF is set
 * (SPI_STC when SPIE). A SPDR write during a transfer sets WCOL and is ignored.
 *
 * SPIF and WCOL are cleared by entering the SPI_STC vector (SPIF), or by reading SPSR while they
 * are set and then accessing SPDR (18.5.2); the SPDR write that starts a transfer clears them as
 * avr8js does. Datasheet where avr8js differs: SPSR's SPIF/WCOL are read-only (avr8js lets a written
 * 1 clear SPIF), and in slave mode (MSTR = 0) a SPDR write only loads the data register (a remote
 * master is not modelled).
 */
import type { AvrChip, AvrTimer } from './chip.js';
import { AvrVector } from './vectors.js';

/** SPI registers (data-space addresses). */
export const SPI_REGS = {
  SPCR: 0x4c,
  SPSR: 0x4d,
  SPDR: 0x4e,
} as const;

// SPCR
export const SPIE = 1 << 7;
export const SPE = 1 << 6;
export const DORD = 1 << 5;
export const MSTR = 1 << 4;
export const CPOL = 1 << 3;
export const CPHA = 1 << 2;
// SPSR
export const SPIF = 1 << 7;
export const WCOL = 1 << 6;
export const SPI2X = 1 << 0;

export interface SpiOptions {
  /** The remote device: gets the byte sent on MOSI, returns the byte for MISO (default 0xFF). */
  transfer?: (mosi: number) => number;
}

export class Spi {
  private readonly chip: AvrChip;
  /** The remote device; may be replaced after construction. */
  transfer: (mosi: number) => number;
  private readonly timer: AvrTimer;
  private active = false;
  private incoming = 0xff;
  /** SPSR was read while SPIF/WCOL were set: the next SPDR access clears them. */
  private statusSeen = 0;

  constructor(chip: AvrChip, options: SpiOptions = {}) {
    this.chip = chip;
    this.transfer = options.transfer ?? (() => 0xff);
    this.timer = chip.timer(() => this.complete());
    const R = SPI_REGS;
    const d = chip.data;
    chip.onWrite(R.SPCR, (v) => {
      d[R.SPCR] = v;
      if (!(v & SPE)) {
        this.active = false;
        this.timer.disarm();
      }
      this.update();
      return true;
    });
    chip.onWrite(R.SPSR, (v) => {
      d[R.SPSR] = (d[R.SPSR]! & (SPIF | WCOL)) | (v & SPI2X);
      return true;
    });
    chip.onRead(R.SPSR, () => {
      this.statusSeen = d[R.SPSR]! & (SPIF | WCOL);
      return d[R.SPSR]!;
    });
    chip.onRead(R.SPDR, () => {
      this.clearSeen();
      return d[R.SPDR]!;
    });
    chip.onWrite(R.SPDR, (v) => {
      this.writeSpdr(v);
      return true;
    });
    chip.onInterruptTaken(AvrVector.SPI_STC, () => {
      d[R.SPSR] &= ~SPIF;
      this.update();
    });
    this.reset();
  }

  /** SPCR = SPSR = SPDR = 0, no transfer. */
  reset(): void {
    const d = this.chip.data;
    for (const a of Object.values(SPI_REGS)) d[a] = 0;
    this.active = false;
    this.statusSeen = 0;
    this.timer.disarm();
    this.update();
  }

  /** SCK division from SPR1:0 and SPI2X. */
  clockDivider(): number {
    const d = this.chip.data;
    const base = [4, 16, 64, 128][d[SPI_REGS.SPCR]! & 3]!;
    return d[SPI_REGS.SPSR]! & SPI2X ? base / 2 : base;
  }

  /** CPU cycles one byte takes: 8 SCK periods. */
  transferCycles(): number {
    return 8 * this.clockDivider();
  }

  /** Whether a transfer is in progress. */
  busy(): boolean {
    return this.active;
  }

  private clearSeen(): void {
    if (this.statusSeen) {
      this.chip.data[SPI_REGS.SPSR] &= ~this.statusSeen;
      this.statusSeen = 0;
      this.update();
    }
  }

  private writeSpdr(v: number): void {
    const d = this.chip.data;
    const R = SPI_REGS;
    this.clearSeen();
    const spcr = d[R.SPCR]!;
    if (!(spcr & SPE) || !(spcr & MSTR)) {
      if (!this.active) d[R.SPDR] = v;
      return;
    }
    if (this.active) {
      d[R.SPSR] |= WCOL;
      return;
    }
    d[R.SPSR] &= ~(WCOL | SPIF);
    d[R.SPDR] = v;
    this.active = true;
    this.incoming = this.transfer(v) & 0xff;
    this.timer.armAt(this.chip.cycles() + this.transferCycles());
    this.update();
  }

  private complete(): void {
    const d = this.chip.data;
    this.active = false;
    d[SPI_REGS.SPDR] = this.incoming;
    d[SPI_REGS.SPSR] |= SPIF;
    this.update();
  }

  private update(): void {
    const d = this.chip.data;
    this.chip.setInterrupt(AvrVector.SPI_STC, (d[SPI_REGS.SPSR]! & SPIF) !== 0 && (d[SPI_REGS.SPCR]! & SPIE) !== 0);
  }
}
