/**
 * ATmega328P USART0 in asynchronous mode (datasheet chapter 19): UDR0, UCSR0A/B/C, UBRR0H/L.
 *
 * Transmit: a UDR0 write hands the byte to `onByte` at once (the host sink: stdout in the CLI) and
 * the frame ends `frameCycles()` later, computed from UBRR0 and U2X0 and the frame format of
 * UCSR0C/UCSZ02: (UBRR0 + 1) × (16, or 8 with U2X0) × (start + data + parity + stop bits).
 * Two timings:
 * - `'avr8js'` (this class's default, for comparisons with avr8js's own USART; arduino-uno uses
 *   `'datasheet'`, and the avr8js reference runner its `usart-tx-buffer` correction): a single-buffered transmitter. A
 *   UDR0 write clears UDRE0 and TXC0, and one frame later sets both again (a write while a frame is
 *   in flight is sent too, and its own frame end is scheduled as well: avr8js's behaviour);
 * - `'datasheet'`: the transmit buffer in front of the shift register (19.6.3): UDRE0 stays set while
 *   only the shift register is busy, a write with UDRE0 clear is ignored, TXC0 is set when the shift
 *   register empties with nothing in the buffer.
 * Receive: {@link Usart.receive} queues host bytes; while RXEN0 is set they arrive one frame time
 * apart (the first a frame after it is queued, or after RXEN0 is set) into the two-level receive
 * FIFO; a byte arriving with the FIFO full is lost and sets DOR0. Reading UDR0 pops the FIFO.
 *
 * Interrupts: USART_RX (RXC0 & RXCIE0) and USART_UDRE (UDRE0 & UDRIE0) stay requested until the
 * data register is read / written; USART_TX (TXC0 & TXCIE0) is cleared by entering its vector, or
 * by writing 1 to TXC0.
 *
 * Where avr8js contradicts the datasheet, the datasheet wins (see the tests): UCSR0A writes keep
 * RXC0/UDRE0 (avr8js zeroes them), a UCSR0B write that keeps RXEN0 set keeps RXC0 (avr8js clears
 * it), UDRE0 is not cleared by entering its vector, data written with TXEN0 clear is not sent.
 * Not modelled: synchronous and SPI master modes, parity/frame errors (UPE0/FE0 stay 0), 9-bit
 * RXB8/TXB8, multi-processor mode.
 */
import type { AvrChip, AvrTimer } from './chip.js';
import { AvrVector } from './vectors.js';

/** USART0 registers (data-space addresses). */
export const USART0_REGS = {
  UCSR0A: 0xc0,
  UCSR0B: 0xc1,
  UCSR0C: 0xc2,
  UBRR0L: 0xc4,
  UBRR0H: 0xc5,
  UDR0: 0xc6,
} as const;

// UCSR0A
export const RXC0 = 1 << 7;
export const TXC0 = 1 << 6;
export const UDRE0 = 1 << 5;
export const FE0 = 1 << 4;
export const DOR0 = 1 << 3;
export const UPE0 = 1 << 2;
export const U2X0 = 1 << 1;
export const MPCM0 = 1 << 0;
// UCSR0B
export const RXCIE0 = 1 << 7;
export const TXCIE0 = 1 << 6;
export const UDRIE0 = 1 << 5;
export const RXEN0 = 1 << 4;
export const TXEN0 = 1 << 3;
export const UCSZ02 = 1 << 2;
// UCSR0C
export const UPM01 = 1 << 5;
export const USBS0 = 1 << 3;
export const UCSZ01 = 1 << 2;
export const UCSZ00 = 1 << 1;

const RX_FIFO_DEPTH = 2;

export interface UsartOptions {
  /** Receives every transmitted byte (at the start of its frame). */
  onByte?: (byte: number) => void;
  /** Transmitter model; see the file comment. Default `'avr8js'`. */
  timing?: 'avr8js' | 'datasheet';
}

export class Usart {
  private readonly chip: AvrChip;
  private readonly R = USART0_REGS;
  /** The transmitted-byte sink; may be replaced after construction. */
  onByte: (byte: number) => void;
  readonly timing: 'avr8js' | 'datasheet';

  private readonly txTimer: AvrTimer;
  private readonly rxTimer: AvrTimer;
  /** avr8js timing: one timer per frame in flight (each sets UDRE0 and TXC0 when it ends). */
  private readonly frameTimers: { timer: AvrTimer; armed: boolean }[] = [];
  /** Datasheet timing: the byte waiting in the transmit buffer, or -1; whether a frame is out. */
  private txBuffer = -1;
  private txBusy = false;

  private readonly input: number[] = [];
  private rxFifo: number[] = [];
  private rxBusy = false;

  constructor(chip: AvrChip, options: UsartOptions = {}) {
    this.chip = chip;
    this.onByte = options.onByte ?? (() => {});
    this.timing = options.timing ?? 'avr8js';
    this.txTimer = chip.timer((now) => this.txEnd(now));
    this.rxTimer = chip.timer((now) => this.rxEnd(now));
    const R = this.R;
    const d = chip.data;
    chip.onWrite(R.UCSR0A, (v) => {
      // RXC0, UDRE0, FE0, DOR0, UPE0 are read-only; TXC0 is cleared by writing 1.
      const keep = d[R.UCSR0A]! & (RXC0 | UDRE0 | FE0 | DOR0 | UPE0 | TXC0);
      d[R.UCSR0A] = (keep & ~(v & TXC0)) | (v & (U2X0 | MPCM0));
      this.update();
      return true;
    });
    chip.onWrite(R.UCSR0B, (v, old) => {
      d[R.UCSR0B] = v;
      if (old & RXEN0 && !(v & RXEN0)) {
        // Disabling the receiver flushes the receive buffer (19.7.5).
        this.rxFifo = [];
        d[R.UCSR0A] &= ~(RXC0 | DOR0 | FE0 | UPE0);
      }
      if (v & TXEN0 && !(old & TXEN0) && this.timing === 'avr8js') d[R.UCSR0A] |= UDRE0;
      if (v & RXEN0 && !(old & RXEN0)) this.startRx(chip.cycles());
      this.update();
      return true;
    });
    chip.onRead(R.UDR0, () => this.readUdr());
    chip.onWrite(R.UDR0, (v) => {
      this.writeUdr(v);
      return true;
    });
    chip.onInterruptTaken(AvrVector.USART_TX, () => {
      d[R.UCSR0A] &= ~TXC0;
      this.update();
    });
    this.reset();
  }

  /** Reset values: UCSR0A = UDRE0, UCSR0C = 8N1, everything else 0; queues emptied. */
  reset(): void {
    const R = this.R;
    const d = this.chip.data;
    d[R.UCSR0A] = UDRE0;
    d[R.UCSR0B] = 0;
    d[R.UCSR0C] = UCSZ01 | UCSZ00;
    d[R.UBRR0L] = 0;
    d[R.UBRR0H] = 0;
    d[R.UDR0] = 0;
    for (const f of this.frameTimers) {
      f.timer.disarm();
      f.armed = false;
    }
    this.txBuffer = -1;
    this.txBusy = false;
    this.input.length = 0;
    this.rxFifo = [];
    this.rxBusy = false;
    this.txTimer.disarm();
    this.rxTimer.disarm();
    this.update();
  }

  /** Queue bytes from the host (stdin in the CLI) for the receiver. */
  receive(...bytes: number[]): void {
    for (const b of bytes) this.input.push(b & 0xff);
    this.startRx(this.chip.cycles());
  }

  /** Host bytes not yet received by the USART (waiting for RXEN0 or for their frame). */
  pendingInput(): number {
    return this.input.length + (this.rxBusy ? 1 : 0);
  }

  /** Data bits per character from UCSZ02:0 (5..9; the reserved codes count as 9, as avr8js). */
  dataBits(): number {
    const d = this.chip.data;
    const ucsz = ((d[this.R.UCSR0C]! & (UCSZ01 | UCSZ00)) >> 1) | (d[this.R.UCSR0B]! & UCSZ02);
    return ucsz <= 3 ? 5 + ucsz : 9;
  }

  /** CPU cycles one frame takes with the current settings. */
  frameCycles(): number {
    const d = this.chip.data;
    const ubrr = ((d[this.R.UBRR0H]! & 0x0f) << 8) | d[this.R.UBRR0L]!;
    const perBit = (ubrr + 1) * (d[this.R.UCSR0A]! & U2X0 ? 8 : 16);
    const c = d[this.R.UCSR0C]!;
    const bits = 1 + this.dataBits() + (c & UPM01 ? 1 : 0) + (c & USBS0 ? 2 : 1);
    return perBit * bits;
  }

  /** Baud rate in bits per second with the current UBRR0/U2X0. */
  baudRate(): number {
    const d = this.chip.data;
    const ubrr = ((d[this.R.UBRR0H]! & 0x0f) << 8) | d[this.R.UBRR0L]!;
    return this.chip.frequency / ((ubrr + 1) * (d[this.R.UCSR0A]! & U2X0 ? 8 : 16));
  }

  // ---- transmit ----

  private writeUdr(v: number): void {
    const d = this.chip.data;
    const R = this.R;
    if (!(d[R.UCSR0B]! & TXEN0)) return;
    const now = this.chip.cycles();
    if (this.timing === 'avr8js') {
      this.onByte(v);
      d[R.UCSR0A] &= ~(UDRE0 | TXC0);
      this.frameTimer().armAt(now + this.frameCycles());
    } else {
      if (!(d[R.UCSR0A]! & UDRE0)) return;
      if (!this.txBusy) {
        this.startFrame(v, now);
      } else {
        this.txBuffer = v;
        d[R.UCSR0A] &= ~UDRE0;
      }
    }
    this.update();
  }

  /** A free frame-end timer (avr8js adds one clock event per UDR0 write). */
  private frameTimer(): AvrTimer {
    let f = this.frameTimers.find((x) => !x.armed);
    if (!f) {
      const slot = { timer: this.chip.timer(() => this.frameEnd(slot)), armed: false };
      this.frameTimers.push(slot);
      f = slot;
    }
    f.armed = true;
    return f.timer;
  }

  private frameEnd(slot: { armed: boolean }): void {
    slot.armed = false;
    this.chip.data[this.R.UCSR0A] |= UDRE0 | TXC0;
    this.update();
  }

  private startFrame(v: number, now: number): void {
    this.txBusy = true;
    this.onByte(v);
    this.txTimer.armAt(now + this.frameCycles());
  }

  private txEnd(now: number): void {
    const d = this.chip.data;
    const R = this.R;
    if (this.txBuffer >= 0) {
      const v = this.txBuffer;
      this.txBuffer = -1;
      d[R.UCSR0A] |= UDRE0;
      this.startFrame(v, now);
    } else {
      this.txBusy = false;
      d[R.UCSR0A] |= TXC0;
    }
    this.update();
  }

  // ---- receive ----

  private startRx(now: number): void {
    if (this.rxBusy || !this.input.length || !(this.chip.data[this.R.UCSR0B]! & RXEN0)) return;
    this.rxBusy = true;
    this.rxTimer.armAt(now + this.frameCycles());
  }

  private rxEnd(now: number): void {
    this.rxBusy = false;
    const d = this.chip.data;
    const R = this.R;
    const b = this.input.shift();
    if (b !== undefined && d[R.UCSR0B]! & RXEN0) {
      if (this.rxFifo.length < RX_FIFO_DEPTH) this.rxFifo.push(b);
      else d[R.UCSR0A] |= DOR0;
      d[R.UCSR0A] |= RXC0;
    }
    this.startRx(now);
    this.update();
  }

  private readUdr(): number {
    const d = this.chip.data;
    const R = this.R;
    const b = this.rxFifo.shift();
    const bits = this.dataBits();
    const v = b === undefined ? 0 : b & (bits >= 8 ? 0xff : (1 << bits) - 1);
    d[R.UCSR0A] &= ~DOR0;
    if (!this.rxFifo.length) d[R.UCSR0A] &= ~RXC0;
    this.update();
    return (d[R.UDR0] = v);
  }

  private update(): void {
    const d = this.chip.data;
    const a = d[this.R.UCSR0A]!;
    const b = d[this.R.UCSR0B]!;
    this.chip.setInterrupt(AvrVector.USART_RX, (a & RXC0) !== 0 && (b & RXCIE0) !== 0);
    this.chip.setInterrupt(AvrVector.USART_UDRE, (a & UDRE0) !== 0 && (b & UDRIE0) !== 0);
    this.chip.setInterrupt(AvrVector.USART_TX, (a & TXC0) !== 0 && (b & TXCIE0) !== 0);
  }
}
