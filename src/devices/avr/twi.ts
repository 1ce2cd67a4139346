/**
 * ATmega328P TWI (I²C) in master mode (datasheet chapter 22): TWBR, TWSR, TWAR, TWDR, TWCR, TWAMR.
 *
 * Writing TWCR with TWEN and TWINT (TWINT written 1 clears the flag) starts the next bus action,
 * chosen as the hardware does from TWSTA/TWSTO and the current status:
 * START / repeated START (0x08 / 0x10), SLA+W (0x18 ACK / 0x20 NACK), SLA+R (0x40 / 0x48), data
 * byte sent (0x28 / 0x30), data byte received with ACK / NACK returned (0x50 / 0x58, per TWEA),
 * STOP. The remote side is a {@link TwiDevice} (default: nobody answers: every address NACKed,
 * reads 0xFF, as avr8js's NoopTWIEventHandler). When an action completes the status is in TWSR
 * and TWINT is set (TWI interrupt when TWIE); a STOP does not set TWINT (22.9.2: TWSTO clears
 * itself, status 0xF8).
 *
 * Timing: `'avr8js'` (default) completes each action at the first instruction boundary after the
 * TWCR write, as avr8js does; `'bus'` takes the SCL periods (16 + 2·TWBR·4^TWPS cycles each): one
 * for START/STOP, nine for an address or data byte with its acknowledge.
 *
 * Datasheet where avr8js differs: TWINT is not cleared by entering the TWI vector, STOP leaves
 * TWINT clear, data can follow a NACKed SLA+W or byte (0x20/0x30). Not modelled: slave modes,
 * arbitration (0x38), bus errors, TWWC.
 */
import type { AvrChip, AvrTimer } from './chip.js';
import { AvrVector } from './vectors.js';

/** TWI registers (data-space addresses). */
export const TWI_REGS = {
  TWBR: 0xb8,
  TWSR: 0xb9,
  TWAR: 0xba,
  TWDR: 0xbb,
  TWCR: 0xbc,
  TWAMR: 0xbd,
} as const;

// TWCR
export const TWINT = 1 << 7;
export const TWEA = 1 << 6;
export const TWSTA = 1 << 5;
export const TWSTO = 1 << 4;
export const TWWC = 1 << 3;
export const TWEN = 1 << 2;
export const TWIE = 1 << 0;

/** Master status codes (TWSR & 0xF8). */
export const TwiStatus = {
  START: 0x08,
  REP_START: 0x10,
  MT_SLA_ACK: 0x18,
  MT_SLA_NACK: 0x20,
  MT_DATA_ACK: 0x28,
  MT_DATA_NACK: 0x30,
  ARB_LOST: 0x38,
  MR_SLA_ACK: 0x40,
  MR_SLA_NACK: 0x48,
  MR_DATA_ACK: 0x50,
  MR_DATA_NACK: 0x58,
  NO_INFO: 0xf8,
} as const;

/** The devices on the bus, as the master sees them. Every method is optional. */
export interface TwiDevice {
  start?(repeated: boolean): void;
  /** SLA+R/W: return true to acknowledge address `address` (7 bits). */
  connect?(address: number, write: boolean): boolean;
  /** A data byte from the master: return true to acknowledge. */
  write?(byte: number): boolean;
  /** The master reads a byte; `ack` is whether it will acknowledge it (TWEA). */
  read?(ack: boolean): number;
  stop?(): void;
}

export interface TwiOptions {
  device?: TwiDevice;
  timing?: 'avr8js' | 'bus';
}

export class Twi {
  private readonly chip: AvrChip;
  /** The remote side; may be replaced after construction. */
  device: TwiDevice;
  readonly timing: 'avr8js' | 'bus';
  private readonly timer: AvrTimer;
  private pending: (() => void) | null = null;

  constructor(chip: AvrChip, options: TwiOptions = {}) {
    this.chip = chip;
    this.device = options.device ?? {};
    this.timing = options.timing ?? 'avr8js';
    this.timer = chip.timer(() => {
      const p = this.pending;
      this.pending = null;
      p?.();
    });
    const R = TWI_REGS;
    const d = chip.data;
    chip.onWrite(R.TWCR, (v) => {
      this.writeTwcr(v);
      return true;
    });
    chip.onWrite(R.TWSR, (v) => {
      d[R.TWSR] = (d[R.TWSR]! & 0xf8) | (v & 0x03);
      return true;
    });
    this.reset();
  }

  /** Reset values: TWSR 0xF8, TWDR 0xFF, TWAR 0xFE, the others 0. */
  reset(): void {
    const d = this.chip.data;
    const R = TWI_REGS;
    d[R.TWBR] = 0;
    d[R.TWSR] = 0xf8;
    d[R.TWAR] = 0xfe;
    d[R.TWDR] = 0xff;
    d[R.TWCR] = 0;
    d[R.TWAMR] = 0;
    this.pending = null;
    this.timer.disarm();
    this.update();
  }

  /** TWSR's status bits. */
  status(): number {
    return this.chip.data[TWI_REGS.TWSR]! & 0xf8;
  }

  /** SCL period in CPU cycles: 16 + 2·TWBR·4^TWPS. */
  sclCycles(): number {
    const d = this.chip.data;
    return 16 + 2 * d[TWI_REGS.TWBR]! * 4 ** (d[TWI_REGS.TWSR]! & 3);
  }

  private writeTwcr(v: number): void {
    const d = this.chip.data;
    const R = TWI_REGS;
    const old = d[R.TWCR]!;
    // TWINT: cleared by writing 1, set by hardware only. TWWC is read-only.
    let next = (v & ~(TWINT | TWWC)) | (old & TWWC);
    if (old & TWINT && !(v & TWINT)) next |= TWINT;
    d[R.TWCR] = next;
    if (!(v & TWEN)) {
      this.pending = null;
      this.timer.disarm();
    } else if (v & TWINT && !this.pending) {
      this.startAction(v);
    }
    this.update();
  }

  private startAction(v: number): void {
    const d = this.chip.data;
    const status = this.status();
    const scl = this.sclCycles();
    const dev = this.device;
    let action: (() => void) | null = null;
    let periods = 9;
    if (v & TWSTA) {
      periods = 1;
      action = () => {
        dev.start?.(status !== TwiStatus.NO_INFO);
        this.finish(status === TwiStatus.NO_INFO ? TwiStatus.START : TwiStatus.REP_START);
      };
    } else if (v & TWSTO) {
      periods = 1;
      action = () => {
        dev.stop?.();
        d[TWI_REGS.TWCR] &= ~TWSTO;
        d[TWI_REGS.TWSR] = (d[TWI_REGS.TWSR]! & 3) | TwiStatus.NO_INFO;
      };
    } else if (status === TwiStatus.START || status === TwiStatus.REP_START) {
      const sla = d[TWI_REGS.TWDR]!;
      action = () => {
        const read = (sla & 1) === 1;
        const ack = dev.connect?.(sla >> 1, !read) ?? false;
        this.finish(read ? (ack ? TwiStatus.MR_SLA_ACK : TwiStatus.MR_SLA_NACK) : ack ? TwiStatus.MT_SLA_ACK : TwiStatus.MT_SLA_NACK);
      };
    } else if (status === TwiStatus.MT_SLA_ACK || status === TwiStatus.MT_DATA_ACK || status === TwiStatus.MT_SLA_NACK || status === TwiStatus.MT_DATA_NACK) {
      const byte = d[TWI_REGS.TWDR]!;
      action = () => this.finish(dev.write?.(byte) ?? false ? TwiStatus.MT_DATA_ACK : TwiStatus.MT_DATA_NACK);
    } else if (status === TwiStatus.MR_SLA_ACK || status === TwiStatus.MR_DATA_ACK) {
      const ack = (v & TWEA) !== 0;
      action = () => {
        d[TWI_REGS.TWDR] = (dev.read?.(ack) ?? 0xff) & 0xff;
        this.finish(ack ? TwiStatus.MR_DATA_ACK : TwiStatus.MR_DATA_NACK);
      };
    }
    if (!action) return;
    this.pending = action;
    const delay = this.timing === 'bus' ? periods * scl : 1;
    this.timer.armAt(this.chip.cycles() + delay);
  }

  private finish(status: number): void {
    const d = this.chip.data;
    d[TWI_REGS.TWSR] = (d[TWI_REGS.TWSR]! & 3) | status;
    d[TWI_REGS.TWCR] |= TWINT;
    this.update();
  }

  private update(): void {
    const v = this.chip.data[TWI_REGS.TWCR]!;
    this.chip.setInterrupt(AvrVector.TWI, (v & TWINT) !== 0 && (v & TWIE) !== 0);
  }
}
