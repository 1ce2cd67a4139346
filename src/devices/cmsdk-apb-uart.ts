/**
 * The ARM CMSDK APB UART (Cortex-M System Design Kit, DDI0479C) as QEMU 7.2 models it
 * (hw/char/cmsdk-apb-uart.c), the console UARTs of the MPS2 boards.
 *
 * One-byte transmit and receive buffers, no FIFOs. Behaviour follows QEMU:
 * - a DATA write with TXFULL clear sets TXFULL and, if CTRL.TX_EN, sends the byte at once (QEMU
 *   with a backend that accepts every byte, or with none: the byte is "insta-drained"), clears
 *   TXFULL again and, if CTRL.TX_INTEN, sets INTSTATUS.TX. With TX_EN clear the byte stays in
 *   the buffer with TXFULL set — and stays there: QEMU only tries to send from a DATA write, so
 *   enabling TX later does not send it, and every further DATA write is an overrun (until reset);
 * - a DATA write with TXFULL already set is a TX overrun (STATE.TXOVERRUN);
 * - a received byte with RXFULL set is an RX overrun (STATE.RXOVERRUN); a byte is only taken
 *   when CTRL.RX_EN is set; INTSTATUS.RX is set on reception if CTRL.RX_INTEN;
 * - INTSTATUS.TXO/RXO are not latched: they are STATE.{TX,RX}OVERRUN AND CTRL.{TXO,RXO}_INTEN,
 *   recomputed at every update; writing 1 to them (or to STATE bits 2/3) clears the overrun;
 * - every update drives all five outputs: TXINT, RXINT, TXOVRINT, RXOVRINT and the combined
 *   UARTINT (any INTSTATUS bit);
 * - BAUDDIV keeps 20 bits; it only matters to a real serial line, so it is just stored;
 * - PID/CID registers at 0xfd0..0xffc; any other offset reads 0 and ignores writes.
 *
 * Host input: {@link CmsdkApbUart.receive} is QEMU's `uart_receive` (the hardware's view of a
 * byte arriving, overrun included). {@link CmsdkApbUart.pushInput} queues host bytes that reach
 * the UART one at a time whenever it can take one (QEMU's `uart_can_receive`: RX_EN set and
 * RXFULL clear) — checked when input arrives, after the guest reads DATA and after CTRL writes.
 *
 * Access sizes: as QEMU's region (no size restriction, implementation size 1..4), an access
 * reaches the register at its exact offset; reads are masked to the access size by the caller
 * ({@link CmsdkApbUart.read} returns the register masked to `size`).
 */
import type { MmioHandler } from '../core/bus.js';
import { IrqPin, type IrqLine } from '../core/irq.js';

/** Size of the UART's register window. */
export const CMSDK_APB_UART_SIZE = 0x1000;

/** Register offsets. */
export const CmsdkUartReg = {
  DATA: 0x00,
  STATE: 0x04,
  CTRL: 0x08,
  /** INTSTATUS on read, INTCLEAR (write 1 to clear) on write. */
  INTSTATUS: 0x0c,
  INTCLEAR: 0x0c,
  BAUDDIV: 0x10,
  PID4: 0xfd0,
  CID3: 0xffc,
} as const;

/** STATE bits. */
export const CmsdkUartState = { TXFULL: 1 << 0, RXFULL: 1 << 1, TXOVERRUN: 1 << 2, RXOVERRUN: 1 << 3 } as const;

/** CTRL bits (7 bits are writable). */
export const CmsdkUartCtrl = {
  TX_EN: 1 << 0,
  RX_EN: 1 << 1,
  TX_INTEN: 1 << 2,
  RX_INTEN: 1 << 3,
  TXO_INTEN: 1 << 4,
  RXO_INTEN: 1 << 5,
  HSTEST: 1 << 6,
  MASK: 0x7f,
} as const;

/** INTSTATUS / INTCLEAR bits. */
export const CmsdkUartInt = { TX: 1 << 0, RX: 1 << 1, TXO: 1 << 2, RXO: 1 << 3 } as const;

/** BAUDDIV keeps this many bits. */
export const CMSDK_UART_BAUDDIV_MASK = 0xf_ffff;

/** PID4..PID7, PID0..PID3, CID0..CID3 (offsets 0xfd0..0xffc). */
export const CMSDK_UART_ID = [0x04, 0x00, 0x00, 0x00, 0x21, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of a {@link CmsdkApbUart}. */
export interface CmsdkApbUartOptions {
  /** Where transmitted bytes go. Default: nowhere (QEMU with no backend drains into the void). */
  output?: (byte: number) => void;
  /** APB clock in Hz (QEMU's `pclk-frq`; the MPS2 boards use 25 MHz). Only bounds BAUDDIV checks. */
  pclkHz?: number;
  /** Transmit interrupt (TXINT). */
  txInt?: IrqLine;
  /** Receive interrupt (RXINT). */
  rxInt?: IrqLine;
  /** Transmit overrun interrupt (TXOVRINT). */
  txOverrunInt?: IrqLine;
  /** Receive overrun interrupt (RXOVRINT). */
  rxOverrunInt?: IrqLine;
  /** Combined interrupt (UARTINT: any INTSTATUS bit). */
  combinedInt?: IrqLine;
}

export class CmsdkApbUart implements MmioHandler {
  readonly txInt: IrqLine;
  readonly rxInt: IrqLine;
  readonly txOverrunInt: IrqLine;
  readonly rxOverrunInt: IrqLine;
  readonly combinedInt: IrqLine;
  readonly pclkHz: number;
  private readonly output: ((byte: number) => void) | undefined;

  private state = 0;
  private ctrl = 0;
  private intstatus = 0;
  private bauddiv = 0;
  private txbuf = 0;
  private rxbuf = 0;
  private pending: number[] = [];
  private pendingHead = 0;

  constructor(options: CmsdkApbUartOptions = {}) {
    this.output = options.output;
    this.pclkHz = options.pclkHz ?? 25_000_000;
    if (!(this.pclkHz > 0)) throw new RangeError('cmsdk-apb-uart: pclk-frq must be set');
    this.txInt = options.txInt ?? new IrqPin();
    this.rxInt = options.rxInt ?? new IrqPin();
    this.txOverrunInt = options.txOverrunInt ?? new IrqPin();
    this.rxOverrunInt = options.rxOverrunInt ?? new IrqPin();
    this.combinedInt = options.combinedInt ?? new IrqPin();
    this.reset();
  }

  /** Device reset: every register 0 (QEMU does not drive the outputs on reset). Queued host input is kept. */
  reset(): void {
    this.state = 0;
    this.ctrl = 0;
    this.intstatus = 0;
    this.bauddiv = 0;
    this.txbuf = 0;
    this.rxbuf = 0;
  }

  // --- host side ---

  /** Whether a byte would be taken now (`uart_can_receive`: RX enabled and the buffer empty). */
  canReceive(): boolean {
    return (this.ctrl & CmsdkUartCtrl.RX_EN) !== 0 && (this.state & CmsdkUartState.RXFULL) === 0;
  }

  /**
   * A byte arrives on the line (`uart_receive`): dropped if RX is disabled; an overrun if the
   * buffer is still full (the new byte replaces the old one).
   */
  receive(byte: number): void {
    if ((this.ctrl & CmsdkUartCtrl.RX_EN) === 0) return;
    if ((this.state & CmsdkUartState.RXFULL) !== 0) this.state |= CmsdkUartState.RXOVERRUN;
    this.rxbuf = byte & 0xff;
    this.state |= CmsdkUartState.RXFULL;
    if ((this.ctrl & CmsdkUartCtrl.RX_INTEN) !== 0) this.intstatus |= CmsdkUartInt.RX;
    this.update();
  }

  /** Queue host bytes; they reach the UART one at a time whenever it can take one. */
  pushInput(bytes: Uint8Array | readonly number[]): void {
    for (let i = 0; i < bytes.length; i++) this.pending.push(bytes[i]! & 0xff);
    this.acceptInput();
  }

  /** Host bytes queued outside the UART. */
  get pendingInput(): number {
    return this.pending.length - this.pendingHead;
  }

  /** True while input is waiting: queued host bytes or a byte in the receive buffer. */
  get hasInput(): boolean {
    return this.pendingInput > 0 || (this.state & CmsdkUartState.RXFULL) !== 0;
  }

  private acceptInput(): void {
    while (this.pendingHead < this.pending.length && this.canReceive()) {
      this.receive(this.pending[this.pendingHead++]!);
    }
    if (this.pendingHead === this.pending.length && this.pendingHead > 0) {
      this.pending = [];
      this.pendingHead = 0;
    }
  }

  // --- introspection ---

  /** Register values, for tests and debuggers (no side effects). */
  get registers(): { state: number; ctrl: number; intstatus: number; bauddiv: number; txbuf: number; rxbuf: number } {
    return { state: this.state, ctrl: this.ctrl, intstatus: this.intstatus, bauddiv: this.bauddiv, txbuf: this.txbuf, rxbuf: this.rxbuf };
  }

  /** The baud rate the guest programmed (pclk / BAUDDIV), or 0 while BAUDDIV is out of range. */
  get baudRate(): number {
    return this.bauddivOk() ? Math.floor(this.pclkHz / this.bauddiv) : 0;
  }

  // --- MMIO ---

  read(offset: number, size: number): number {
    let r: number;
    switch (offset) {
      case CmsdkUartReg.DATA:
        r = this.rxbuf;
        this.state &= ~CmsdkUartState.RXFULL;
        this.update();
        this.acceptInput();
        break;
      case CmsdkUartReg.STATE: r = this.state; break;
      case CmsdkUartReg.CTRL: r = this.ctrl; break;
      case CmsdkUartReg.INTSTATUS: r = this.intstatus; break;
      case CmsdkUartReg.BAUDDIV: r = this.bauddiv; break;
      default:
        if (offset >= CmsdkUartReg.PID4 && offset <= CmsdkUartReg.CID3) {
          // QEMU indexes by (offset - PID4) / 4, unaligned offsets included
          r = CMSDK_UART_ID[(offset - CmsdkUartReg.PID4) >>> 2]!;
        } else {
          r = 0;
        }
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case CmsdkUartReg.DATA:
        this.txbuf = value & 0xff;
        if ((this.state & CmsdkUartState.TXFULL) !== 0) {
          this.state |= CmsdkUartState.TXOVERRUN;
          this.update();
        } else {
          this.state |= CmsdkUartState.TXFULL;
          this.transmit();
        }
        break;
      case CmsdkUartReg.STATE:
        // bits 0 and 1 are read-only, 2 and 3 write-1-to-clear
        this.state &= ~(value & (CmsdkUartState.TXOVERRUN | CmsdkUartState.RXOVERRUN));
        this.update();
        break;
      case CmsdkUartReg.CTRL:
        this.ctrl = value & CmsdkUartCtrl.MASK;
        this.update();
        this.acceptInput();
        break;
      case CmsdkUartReg.INTCLEAR:
        // clearing TXO/RXO clears the overrun bits in STATE they mirror
        this.state &= ~(value & (CmsdkUartInt.TXO | CmsdkUartInt.RXO));
        this.intstatus &= ~value;
        this.update();
        break;
      case CmsdkUartReg.BAUDDIV:
        this.bauddiv = value & CMSDK_UART_BAUDDIV_MASK;
        break;
      default:
        break; // PID/CID are read-only; other offsets are ignored
    }
  }

  /** `uart_transmit` with a backend that always takes the byte (or no backend at all). */
  private transmit(): void {
    if ((this.ctrl & CmsdkUartCtrl.TX_EN) === 0 || (this.state & CmsdkUartState.TXFULL) === 0) return;
    if (this.output !== undefined) this.output(this.txbuf);
    this.state &= ~CmsdkUartState.TXFULL;
    // going from TXFULL set to clear raises the TX interrupt
    if ((this.ctrl & CmsdkUartCtrl.TX_INTEN) !== 0) this.intstatus |= CmsdkUartInt.TX;
    this.update();
  }

  private bauddivOk(): boolean {
    return this.bauddiv >= 16 && this.bauddiv <= this.pclkHz;
  }

  /** `cmsdk_apb_uart_update`: recompute TXO/RXO and drive every output. */
  private update(): void {
    const omask = CmsdkUartInt.TXO | CmsdkUartInt.RXO;
    this.intstatus &= ~omask;
    this.intstatus |= this.state & (this.ctrl >>> 2) & omask;
    this.txInt.set((this.intstatus & CmsdkUartInt.TX) !== 0);
    this.rxInt.set((this.intstatus & CmsdkUartInt.RX) !== 0);
    this.txOverrunInt.set((this.intstatus & CmsdkUartInt.TXO) !== 0);
    this.rxOverrunInt.set((this.intstatus & CmsdkUartInt.RXO) !== 0);
    this.combinedInt.set(this.intstatus !== 0);
  }
}
