/**
 * The ARM SBCon two-wire (I2C bit-bang) interface as QEMU 7.2 models it (hw/i2c/arm_sbcon_i2c.c
 * over hw/i2c/bitbang_i2c.c), four of which sit on the MPS2 boards (touchscreen, audio, two
 * shield buses) with nothing attached to their I2C buses.
 *
 * Registers: CONTROL (offset 0) reads SCL (bit 0, as driven) and SDA (bit 1, the line as seen:
 * driven level AND the device side); a write to offset 0 sets SCL/SDA bits, a write to offset 4
 * clears them. Any other offset reads all ones (QEMU returns -1) and ignores writes (but, as in
 * QEMU, every write re-drives both lines).
 *
 * The bit-bang decoder is QEMU's state machine: START/STOP detection, eight address/data bits,
 * the acknowledge slot. With no device on the bus every address is NACKed, which ends the
 * transfer as a STOP would.
 */
import type { MmioHandler } from '../core/bus.js';

/** Size of the SBCon register window. */
export const MPS2_SBCON_SIZE = 0x1000;

/** Register offsets. */
export const SbconReg = { CONTROL: 0x0, CONTROLS: 0x0, CONTROLC: 0x4 } as const;

/** Line bits. */
export const SbconLine = { SCL: 1 << 0, SDA: 1 << 1 } as const;

const STOPPED = 0;
const SENDING_BIT7 = 1;
const SENDING_BIT0 = 8;
const WAITING_FOR_ACK = 9;
const RECEIVING_BIT7 = 10;
const RECEIVING_BIT0 = 17;
const SENDING_ACK = 18;
const SENT_NACK = 19;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** QEMU's bit-bang I2C decoder on a bus with no devices. */
class BitbangI2c {
  private state = STOPPED;
  private lastData = 1;
  private lastClock = 1;
  private deviceOut = 1;
  private buffer = 0;
  private currentAddr = -1;

  private ret(level: number): number {
    this.deviceOut = level;
    return level & this.lastData;
  }

  private stop(): void {
    this.currentAddr = -1;
    this.state = STOPPED;
  }

  /** Drive SDA (`sda` true) or SCL to `level`; returns the SDA level seen. */
  set(sda: boolean, level: number): number {
    if (sda) {
      if (level === this.lastData) return this.ret(this.deviceOut);
      this.lastData = level;
      if (this.lastClock === 0) return this.ret(this.deviceOut);
      if (level === 0) {
        this.state = SENDING_BIT7; // START
        this.currentAddr = -1;
      } else {
        this.stop(); // STOP
      }
      return this.ret(1);
    }
    const data = this.lastData;
    if (this.lastClock === level) return this.ret(this.deviceOut);
    this.lastClock = level;
    if (level === 0) return this.ret(1); // data is sampled on the rising edge; release it now
    const st = this.state;
    if (st === STOPPED || st === SENT_NACK) return this.ret(1);
    if (st >= SENDING_BIT7 && st <= SENDING_BIT0) {
      this.buffer = ((this.buffer << 1) | data) & 0xff;
      this.state++;
      return this.ret(1);
    }
    if (st === WAITING_FOR_ACK) {
      // No device answers an address (nor, then, any data): NACK, and the transfer ends.
      if (this.currentAddr < 0) this.currentAddr = this.buffer;
      this.stop();
      return this.ret(1);
    }
    if (st >= RECEIVING_BIT7 && st <= RECEIVING_BIT0) {
      if (st === RECEIVING_BIT7) this.buffer = 0xff; // i2c_recv with no device
      const bit = this.buffer >> 7;
      this.state++;
      this.buffer = (this.buffer << 1) & 0xff;
      return this.ret(bit);
    }
    // SENDING_ACK
    this.state = data !== 0 ? SENT_NACK : RECEIVING_BIT7;
    return this.ret(1);
  }
}

export class Mps2SbconI2c implements MmioHandler {
  private bitbang = new BitbangI2c();
  private out = 0;
  private in = 0;

  /** Power-on state (QEMU has no reset for this device: only a fresh machine resets it). */
  reset(): void {
    this.bitbang = new BitbangI2c();
    this.out = 0;
    this.in = 0;
  }

  read(offset: number, size: number): number {
    const r = offset === SbconReg.CONTROL ? (this.out & 1) | (this.in << 1) : 0xffff_ffff;
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    if (offset === SbconReg.CONTROLS) this.out |= value & 3;
    else if (offset === SbconReg.CONTROLC) this.out &= ~value;
    this.bitbang.set(false, (this.out & SbconLine.SCL) !== 0 ? 1 : 0);
    this.in = this.bitbang.set(true, (this.out & SbconLine.SDA) !== 0 ? 1 : 0);
  }
}
