/**
 * NS16550A UART, following QEMU 7.2's model (hw/char/serial.c, memory-mapped as `serial-mm`)
 * as the RISC-V `virt` board instantiates it: regshift 0, baudbase 399193, little-endian,
 * a host character backend that never pushes back and has no modem lines (so the modem-status
 * poll is off and MSR stays DCD|DSR|CTS).
 *
 * What is modelled, as QEMU does it:
 * - registers RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and the divisor latch (DLAB);
 * - 16-byte receive and transmit FIFOs when FCR.FE is set, with the receive trigger level;
 * - interrupt identification with QEMU's priorities (RLSI > CTI > RDI > THRI > MSI), and the
 *   interrupt line driven on every re-evaluation (QEMU's `serial_update_irq`);
 * - the THRE interrupt bookkeeping (`thr_ipending`): set when the transmitter empties, cleared
 *   by a THR write or by reading IIR while THRI is the reported source, resampled from LSR.THRE
 *   when IER.THRI is toggled, set by an FCR transmit-FIFO reset;
 * - the character-timeout interrupt: a virtual-time event `4 * char_transmit_time` ns after
 *   the last received byte / RBR read (char time computed in single precision, as QEMU does);
 * - loopback (MCR.LOOP): transmitted bytes are received, MSR reflects MCR;
 * - received break ({@link Ns16550a.sendBreak}).
 *
 * Transmission is instantaneous: a THR write hands the byte to `output` at once (QEMU with a
 * backend that accepts every byte). Host input is buffered outside the UART and fed to it one
 * byte at a time whenever the UART can take one (QEMU's `can_receive` rule), at the moments
 * QEMU's stdio mux would: when input arrives and after the guest reads RBR.
 *
 * QEMU's serial region is 8 << regshift bytes long even though the `virt` memory map reserves
 * 0x100; offsets past the registers read 0 and ignore writes here (QEMU: unassigned access).
 * Any access size reads or writes just the one register byte at the offset, as in QEMU.
 */
import type { MmioHandler } from '../core/bus.js';
import type { ClockEvent, VirtualClock } from '../core/clock.js';
import type { IrqLine } from '../core/irq.js';

/** UART0 on QEMU's `virt` board. */
export const VIRT_UART0_BASE = 0x1000_0000;
/** Size reserved for UART0 in the `virt` memory map. */
export const VIRT_UART0_SIZE = 0x100;
/** PLIC source of UART0 on `virt`. */
export const VIRT_UART0_IRQ = 10;
/** Baud base (input clock / 16) `virt` gives its UART. */
export const VIRT_UART_BAUDBASE = 399193;
/** Size of the register block with regshift 0 (QEMU's region size is `8 << regshift`). */
export const NS16550A_REGS_SIZE = 8;
/** FIFO depth (`UART_FIFO_LENGTH`). */
export const NS16550A_FIFO_LENGTH = 16;

/** Register indices (offset >> regshift). Several share an index; DLAB or direction selects. */
export const Ns16550aReg = {
  RBR: 0, THR: 0, DLL: 0,
  IER: 1, DLM: 1,
  IIR: 2, FCR: 2,
  LCR: 3,
  MCR: 4,
  LSR: 5,
  MSR: 6,
  SCR: 7,
} as const;

/** Interrupt Enable Register bits. */
export const UartIer = { RDI: 0x01, THRI: 0x02, RLSI: 0x04, MSI: 0x08 } as const;

/** Interrupt Identification Register values. */
export const UartIir = {
  NO_INT: 0x01,
  /** Mask of the interrupt id bits QEMU tests (bits 2..1). */
  ID: 0x06,
  MSI: 0x00,
  THRI: 0x02,
  RDI: 0x04,
  RLSI: 0x06,
  CTI: 0x0c,
  /** FIFOs enabled (bits 7..6). */
  FE: 0xc0,
} as const;

/** FIFO Control Register bits. */
export const UartFcr = {
  FE: 0x01, RFR: 0x02, XFR: 0x04, DMS: 0x08,
  /** Receive trigger level field; 0x00/0x40/0x80/0xc0 = 1/4/8/14 bytes. */
  ITL: 0xc0,
} as const;

/** Line Control Register bits. */
export const UartLcr = { WLS: 0x03, STB: 0x04, PEN: 0x08, EPS: 0x10, SPAR: 0x20, SBC: 0x40, DLAB: 0x80 } as const;

/** Modem Control Register bits. */
export const UartMcr = { DTR: 0x01, RTS: 0x02, OUT1: 0x04, OUT2: 0x08, LOOP: 0x10 } as const;

/** Line Status Register bits. */
export const UartLsr = {
  DR: 0x01, OE: 0x02, PE: 0x04, FE: 0x08, BI: 0x10, THRE: 0x20, TEMT: 0x40,
  /** The bits that raise a receiver-line-status interrupt. */
  INT_ANY: 0x1e,
} as const;

/** Modem Status Register bits. */
export const UartMsr = {
  DCTS: 0x01, DDSR: 0x02, TERI: 0x04, DDCD: 0x08, CTS: 0x10, DSR: 0x20, RI: 0x40, DCD: 0x80,
  ANY_DELTA: 0x0f,
} as const;

const NANOSECONDS_PER_SECOND = 1_000_000_000;

/** QEMU's Fifo8, fixed at 16 bytes. */
class Fifo8 {
  private readonly buf = new Uint8Array(NS16550A_FIFO_LENGTH);
  private head = 0;
  num = 0;

  isEmpty(): boolean { return this.num === 0; }
  isFull(): boolean { return this.num === NS16550A_FIFO_LENGTH; }
  reset(): void { this.head = 0; this.num = 0; }

  push(b: number): void {
    this.buf[(this.head + this.num) % NS16550A_FIFO_LENGTH] = b;
    this.num++;
  }

  pop(): number {
    const b = this.buf[this.head]!;
    this.head = (this.head + 1) % NS16550A_FIFO_LENGTH;
    this.num--;
    return b;
  }
}

/** Construction parameters of an {@link Ns16550a}. */
export interface Ns16550aOptions {
  /** The machine's virtual clock (the receive-timeout timer runs on it). */
  clock: VirtualClock;
  /** Called with each transmitted byte (the machine writes it to stdout). */
  output: (byte: number) => void;
  /** The interrupt output (on `virt`: PLIC source {@link VIRT_UART0_IRQ}). Default: unconnected. */
  irq?: IrqLine;
  /** Baud base, i.e. input clock / 16 (default {@link VIRT_UART_BAUDBASE}). */
  baudbase?: number;
  /** Register spacing is `1 << regshift` bytes (default 0). */
  regshift?: number;
}

/** The NS16550A UART MMIO device. */
export class Ns16550a implements MmioHandler {
  /** QEMU's serial_mm_ops: `impl.max_access_size = 8`, so a doubleword access is one register access. */
  readonly single8 = true;
  private readonly clock: VirtualClock;
  private readonly output: (byte: number) => void;
  private readonly irq: IrqLine | null;
  private readonly baudbase: number;
  private readonly regshift: number;

  private divider = 0;
  private rbr = 0;
  private thr = 0;
  private tsr = 0;
  private ier = 0;
  private iir = 0;
  private lcr = 0;
  private lsr = 0;
  private mcr = 0;
  private msr = 0;
  private scr = 0;
  private fcr = 0;
  private thrIpending = false;
  private timeoutIpending = false;
  private recvFifoItl = 0;
  /** Nanoseconds one character takes on the line (`char_transmit_time`). */
  private charTransmitTime = 0;
  private readonly recvFifo = new Fifo8();
  private readonly xmitFifo = new Fifo8();
  private readonly fifoTimeout: ClockEvent;

  /** Host input not yet taken by the UART. */
  private pending: number[] = [];
  private pendingHead = 0;

  /** @param options clock, output sink, interrupt line and board parameters. */
  constructor(options: Ns16550aOptions) {
    this.clock = options.clock;
    this.output = options.output;
    this.irq = options.irq ?? null;
    this.baudbase = options.baudbase ?? VIRT_UART_BAUDBASE;
    this.regshift = options.regshift ?? 0;
    this.fifoTimeout = { deadline: Infinity, fire: () => this.fifoTimeoutFired() };
    this.clock.addEvent(this.fifoTimeout);
    this.reset();
  }

  /**
   * Device reset (QEMU's `serial_reset`). Like QEMU it leaves FCR (and the FIFO trigger level)
   * untouched, and it keeps host input that has not reached the UART yet.
   */
  reset(): void {
    this.rbr = 0;
    this.ier = 0;
    this.iir = UartIir.NO_INT;
    this.lcr = 0;
    this.lsr = UartLsr.TEMT | UartLsr.THRE;
    this.msr = UartMsr.DCD | UartMsr.DSR | UartMsr.CTS;
    this.divider = 0x0c; // 9600 baud with the PC's 115200 baud base
    this.mcr = UartMcr.OUT2;
    this.scr = 0;
    this.charTransmitTime = Math.trunc(NANOSECONDS_PER_SECOND / 9600) * 10;
    this.timeoutIpending = false;
    this.fifoTimeout.deadline = Infinity;
    this.recvFifo.reset();
    this.xmitFifo.reset();
    this.thrIpending = false;
    this.setIrq(false);
  }

  // --- host side ---

  /** Queue bytes typed on the host; they reach the UART as soon as it can take them. */
  pushInput(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.pending.push(bytes[i]!);
    this.acceptInput();
  }

  /**
   * True while there is input the guest has not read yet: host bytes still queued outside the
   * UART, or a received byte waiting in RBR / the receive FIFO. When this is false the guest
   * cannot make progress on input until the host supplies more.
   */
  get hasInput(): boolean {
    return this.pendingHead < this.pending.length || (this.lsr & UartLsr.DR) !== 0;
  }

  /** Number of host bytes queued outside the UART. */
  get pendingInput(): number {
    return this.pending.length - this.pendingHead;
  }

  /** How many bytes the UART would accept right now (QEMU's `serial_can_receive`). */
  get inputSpace(): number {
    return this.canReceive();
  }

  /** A break condition arrives on the line (QEMU: chardev break event, e.g. mux `C-a b`). */
  sendBreak(): void {
    this.rbr = 0;
    this.recvFifoPut(0); // QEMU pushes a NUL into the FIFO, FIFO mode or not
    this.lsr |= UartLsr.BI | UartLsr.DR;
    this.updateIrq();
  }

  /** Whether the UART currently reports an interrupt (IIR bit 0 clear). */
  get interruptPending(): boolean {
    return (this.iir & UartIir.NO_INT) === 0;
  }

  // --- MMIO (serial_mm_read / serial_mm_write) ---

  read(offset: number, _size: number): number {
    const reg = offset >>> this.regshift;
    if (reg >= 8) return 0;
    return this.ioRead(reg);
  }

  write(offset: number, _size: number, value: number): void {
    const reg = offset >>> this.regshift;
    if (reg >= 8) return;
    this.ioWrite(reg, value & 0xff);
  }

  // --- the register model (serial_ioport_read / serial_ioport_write) ---

  private ioWrite(addr: number, val: number): void {
    switch (addr) {
      case 0:
        if (this.lcr & UartLcr.DLAB) {
          this.divider = (this.divider & 0xff00) | val;
          this.updateParameters();
        } else {
          this.thr = val;
          if (this.fcr & UartFcr.FE) {
            // transmit overruns overwrite data: make room if needed
            if (this.xmitFifo.isFull()) this.xmitFifo.pop();
            this.xmitFifo.push(this.thr);
          }
          this.thrIpending = false;
          this.lsr &= ~(UartLsr.THRE | UartLsr.TEMT);
          this.updateIrq();
          this.xmit();
        }
        break;
      case 1:
        if (this.lcr & UartLcr.DLAB) {
          this.divider = (this.divider & 0x00ff) | (val << 8);
          this.updateParameters();
        } else {
          const changed = (this.ier ^ val) & 0x0f;
          this.ier = val & 0x0f;
          // (modem-status polling is off: the backend has no modem lines)
          // Toggling IER.THRI resamples LSR.THRE into thr_ipending.
          if (changed & UartIer.THRI) {
            this.thrIpending = (this.ier & UartIer.THRI) !== 0 && (this.lsr & UartLsr.THRE) !== 0;
          }
          if (changed) this.updateIrq();
        }
        break;
      case 2: {
        // Changing the enable bit flushes both FIFOs.
        if ((val ^ this.fcr) & UartFcr.FE) val |= UartFcr.XFR | UartFcr.RFR;
        if (val & UartFcr.RFR) {
          this.lsr &= ~(UartLsr.DR | UartLsr.BI);
          this.fifoTimeout.deadline = Infinity;
          this.timeoutIpending = false;
          this.recvFifo.reset();
        }
        if (val & UartFcr.XFR) {
          this.lsr |= UartLsr.THRE;
          this.thrIpending = true;
          this.xmitFifo.reset();
        }
        this.writeFcr(val & 0xc9);
        this.updateIrq();
        break;
      }
      case 3:
        this.lcr = val;
        this.updateParameters();
        // (LCR.SBC break requests go to the backend, which ignores them)
        break;
      case 4:
        this.mcr = val & 0x1f; // no modem lines to update on the backend
        break;
      case 5:
      case 6:
        break;
      case 7:
        this.scr = val;
        break;
    }
  }

  private ioRead(addr: number): number {
    let ret = 0;
    switch (addr) {
      case 0:
        if (this.lcr & UartLcr.DLAB) {
          ret = this.divider & 0xff;
        } else {
          if (this.fcr & UartFcr.FE) {
            ret = this.recvFifo.isEmpty() ? 0 : this.recvFifo.pop();
            if (this.recvFifo.num === 0) {
              this.lsr &= ~(UartLsr.DR | UartLsr.BI);
            } else {
              this.armFifoTimeout();
            }
            this.timeoutIpending = false;
          } else {
            ret = this.rbr;
            this.lsr &= ~(UartLsr.DR | UartLsr.BI);
          }
          this.updateIrq();
          // in loopback mode, don't receive any data
          if (!(this.mcr & UartMcr.LOOP)) this.acceptInput();
        }
        break;
      case 1:
        ret = this.lcr & UartLcr.DLAB ? (this.divider >> 8) & 0xff : this.ier;
        break;
      case 2:
        ret = this.iir;
        if ((ret & UartIir.ID) === UartIir.THRI) {
          this.thrIpending = false;
          this.updateIrq();
        }
        break;
      case 3:
        ret = this.lcr;
        break;
      case 4:
        ret = this.mcr;
        break;
      case 5:
        ret = this.lsr;
        // reading LSR clears break and overrun
        if (this.lsr & (UartLsr.BI | UartLsr.OE)) {
          this.lsr &= ~(UartLsr.BI | UartLsr.OE);
          this.updateIrq();
        }
        break;
      case 6:
        if (this.mcr & UartMcr.LOOP) {
          // in loopback the modem outputs are wired to the inputs
          ret = (this.mcr & 0x0c) << 4;
          ret |= (this.mcr & 0x02) << 3;
          ret |= (this.mcr & 0x01) << 5;
        } else {
          ret = this.msr;
          if (this.msr & UartMsr.ANY_DELTA) {
            this.msr &= 0xf0;
            this.updateIrq();
          }
        }
        break;
      case 7:
        ret = this.scr;
        break;
    }
    return ret;
  }

  // --- internals ---

  private setIrq(level: boolean): void {
    if (this.irq !== null) this.irq.set(level);
  }

  /** `serial_update_irq`: pick the highest-priority source, update IIR, drive the line. */
  private updateIrq(): void {
    const ier = this.ier, lsr = this.lsr;
    let id: number = UartIir.NO_INT;
    if (ier & UartIer.RLSI && lsr & UartLsr.INT_ANY) {
      id = UartIir.RLSI;
    } else if (ier & UartIer.RDI && this.timeoutIpending) {
      id = UartIir.CTI;
    } else if (
      ier & UartIer.RDI && lsr & UartLsr.DR &&
      (!(this.fcr & UartFcr.FE) || this.recvFifo.num >= this.recvFifoItl)
    ) {
      id = UartIir.RDI;
    } else if (ier & UartIer.THRI && this.thrIpending) {
      id = UartIir.THRI;
    } else if (ier & UartIer.MSI && this.msr & UartMsr.ANY_DELTA) {
      id = UartIir.MSI;
    }
    this.iir = id | (this.iir & 0xf0);
    this.setIrq(id !== UartIir.NO_INT);
  }

  /** `serial_update_parameters`: only the character time matters here (QEMU computes it in float). */
  private updateParameters(): void {
    let frameSize = 1; // start bit
    if (this.lcr & UartLcr.PEN) frameSize++;
    const stopBits = this.lcr & UartLcr.STB ? 2 : 1;
    const dataBits = (this.lcr & UartLcr.WLS) + 5;
    frameSize += dataBits + stopBits;
    const f = Math.fround;
    // zero divisor gives about 3500 baud
    const speed = this.divider === 0 ? 3500 : f(f(this.baudbase) / this.divider);
    this.charTransmitTime = Math.trunc(f(f(NANOSECONDS_PER_SECOND / speed) * frameSize));
  }

  /** `serial_write_fcr`. */
  private writeFcr(val: number): void {
    this.fcr = val;
    if (val & UartFcr.FE) {
      this.iir |= UartIir.FE;
      switch (val & UartFcr.ITL) {
        case 0x00: this.recvFifoItl = 1; break;
        case 0x40: this.recvFifoItl = 4; break;
        case 0x80: this.recvFifoItl = 8; break;
        default: this.recvFifoItl = 14; break;
      }
    } else {
      this.iir &= ~UartIir.FE;
    }
  }

  /** `serial_xmit` with a backend that always accepts the byte. */
  private xmit(): void {
    do {
      if (this.fcr & UartFcr.FE) {
        this.tsr = this.xmitFifo.pop();
        if (this.xmitFifo.num === 0) this.lsr |= UartLsr.THRE;
      } else {
        this.tsr = this.thr;
        this.lsr |= UartLsr.THRE;
      }
      if (this.lsr & UartLsr.THRE && !this.thrIpending) {
        this.thrIpending = true;
        this.updateIrq();
      }
      if (this.mcr & UartMcr.LOOP) {
        this.receive(this.tsr); // loopback: what is sent is received
      } else {
        this.output(this.tsr);
      }
    } while (!(this.lsr & UartLsr.THRE));
    this.lsr |= UartLsr.TEMT;
  }

  private recvFifoPut(b: number): void {
    // receive overruns do not overwrite FIFO contents
    if (!this.recvFifo.isFull()) this.recvFifo.push(b);
    else this.lsr |= UartLsr.OE;
  }

  /** `serial_can_receive`. */
  private canReceive(): number {
    if (this.fcr & UartFcr.FE) {
      const num = this.recvFifo.num;
      if (num < NS16550A_FIFO_LENGTH) {
        // advertise up to the trigger level, then one byte at a time
        return num <= this.recvFifoItl ? this.recvFifoItl - num : 1;
      }
      return 0;
    }
    return this.lsr & UartLsr.DR ? 0 : 1;
  }

  /** `serial_receive1` for one byte. */
  private receive(b: number): void {
    if (this.fcr & UartFcr.FE) {
      this.recvFifoPut(b);
      this.lsr |= UartLsr.DR;
      this.armFifoTimeout();
    } else {
      if (this.lsr & UartLsr.DR) this.lsr |= UartLsr.OE;
      this.rbr = b;
      this.lsr |= UartLsr.DR;
    }
    this.updateIrq();
  }

  /** Feed queued host bytes while the UART can take them (the stdio mux's `accept_input`). */
  private acceptInput(): void {
    const q = this.pending;
    while (this.pendingHead < q.length && this.canReceive() > 0) this.receive(q[this.pendingHead++]!);
    if (this.pendingHead === q.length) {
      this.pending = [];
      this.pendingHead = 0;
    } else if (this.pendingHead > 4096 && this.pendingHead * 2 > q.length) {
      this.pending = q.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private armFifoTimeout(): void {
    this.fifoTimeout.deadline = this.clock.nowNs() + this.charTransmitTime * 4;
    this.clock.reschedule();
  }

  /** `fifo_timeout_int`: data has sat in the FIFO for 4 character times. */
  private fifoTimeoutFired(): void {
    if (this.recvFifo.num) {
      this.timeoutIpending = true;
      this.updateIrq();
    }
  }
}
