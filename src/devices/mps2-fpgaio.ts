/**
 * The MPS2 "FPGA system control and I/O" block as QEMU 7.2 models it (hw/misc/mps2-fpgaio.c) in
 * the configuration of the `mps2-an385`/`mps2-an386` boards: two user LEDs, no switches, no
 * DBGCTRL, a 25 MHz prescale clock.
 *
 * Registers (32-bit):
 * - LED0: the two LED bits (other bits read 0);
 * - BUTTON: the board buttons, not modelled: reads 0;
 * - CLK1HZ / CLK100HZ: counters of whole seconds / hundredths of virtual time since reset,
 *   writable (a write sets the count from now on);
 * - PRESCALE, PSCNTR, COUNTER: PSCNTR counts down at the prescale clock and reloads from
 *   PRESCALE one tick after reaching 0, when COUNTER increments; all three are writable. Like
 *   QEMU, the counters are computed from virtual time when accessed (never ticked);
 * - MISC: control bits for other board devices, not modelled: read back as written.
 * Other offsets (SWITCH and DBGCTRL included, absent on these boards) read 0, writes ignored.
 *
 * Arithmetic is QEMU's (`muldiv64` on 64-bit virtual-ns timestamps, 32-bit registers), done
 * exactly with BigInt.
 */
import type { MmioHandler } from '../core/bus.js';
import type { VirtualClock } from '../core/clock.js';

/** Size of the FPGAIO register window. */
export const MPS2_FPGAIO_SIZE = 0x1000;

/** Register offsets. */
export const Mps2FpgaioReg = {
  LED0: 0x00,
  /** Present only when `has-dbgctrl` (not on AN385/AN386). */
  DBGCTRL: 0x04,
  BUTTON: 0x08,
  CLK1HZ: 0x10,
  CLK100HZ: 0x14,
  COUNTER: 0x18,
  PRESCALE: 0x1c,
  PSCNTR: 0x20,
  /** Present only when `has-switches` (not on AN385/AN386). */
  SWITCH: 0x28,
  MISC: 0x4c,
} as const;

/** The prescale clock of the AN385/AN386 FPGAIO (QEMU's `prescale-clk` property as mps2.c sets it). */
export const MPS2_FPGAIO_PRESCALE_CLK = 25_000_000;

const NS = 1_000_000_000n;
const U32 = 0xffff_ffffn;
const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of an {@link Mps2Fpgaio}. */
export interface Mps2FpgaioOptions {
  /** The machine's virtual clock. */
  clock: VirtualClock;
  /** Prescale counter clock in Hz (default 25 MHz, as on AN385/AN386). */
  prescaleClkHz?: number;
  /** Number of LEDs behind LED0 (default 2). */
  numLeds?: number;
  /** Called with the new LED0 value after each write (QEMU drives its LED objects). */
  onLeds?: (leds: number) => void;
}

export class Mps2Fpgaio implements MmioHandler {
  readonly prescaleClkHz: number;
  readonly numLeds: number;
  private readonly clock: VirtualClock;
  private readonly onLeds: ((leds: number) => void) | undefined;
  private readonly pclk: bigint;
  private led0 = 0;
  private prescale = 0;
  private misc = 0;
  private clk1hzTickOffset = 0n;
  private clk100hzTickOffset = 0n;
  private counter = 0;
  private pscntr = 0;
  private pscntrSyncTicks = 0n;

  constructor(options: Mps2FpgaioOptions) {
    this.clock = options.clock;
    this.prescaleClkHz = options.prescaleClkHz ?? MPS2_FPGAIO_PRESCALE_CLK;
    this.numLeds = options.numLeds ?? 2;
    if (!Number.isInteger(this.numLeds) || this.numLeds < 0 || this.numLeds > 32) throw new RangeError('mps2-fpgaio: bad LED count');
    this.onLeds = options.onLeds;
    this.pclk = BigInt(this.prescaleClkHz);
    this.reset();
  }

  /** Device reset: LEDs, PRESCALE, MISC, COUNTER, PSCNTR 0; the 1 Hz and 100 Hz counters restart at 0 now. */
  reset(): void {
    const now = this.now();
    this.led0 = 0;
    this.prescale = 0;
    this.misc = 0;
    this.clk1hzTickOffset = tickoffFromCounter(now, 0, 1n);
    this.clk100hzTickOffset = tickoffFromCounter(now, 0, 100n);
    this.counter = 0;
    this.pscntr = 0;
    this.pscntrSyncTicks = now;
  }

  /** Current LED0 value. */
  get leds(): number {
    return this.led0;
  }

  private now(): bigint {
    return BigInt(this.clock.nowNs());
  }

  /** `resync_counter`: bring PSCNTR and COUNTER to their values now. */
  private resync(): void {
    const now = this.now();
    const elapsed = now - this.pscntrSyncTicks;
    // whole PSCNTR ticks only, so repeated resyncs within one tick lose no time
    const ticks = (elapsed * this.pclk) / NS;
    if (ticks === 0n) return;
    const pscntr = BigInt(this.pscntr);
    if (ticks < pscntr) {
      this.pscntr = Number(pscntr - ticks);
    } else if (this.prescale === 0) {
      // a zero reload sticks at 0: COUNTER increments every tick from then on
      this.counter = Number((BigInt(this.counter) + ticks - pscntr) & U32);
      this.pscntr = 0;
    } else {
      const prescale = BigInt(this.prescale);
      const y = ticks - pscntr + prescale;
      const m = prescale + 1n;
      this.pscntr = Number(prescale - (y % m));
      this.counter = Number((BigInt(this.counter) + y / m) & U32);
    }
    this.pscntrSyncTicks += (ticks * NS) / this.pclk;
  }

  read(offset: number, size: number): number {
    let r: number;
    switch (offset) {
      case Mps2FpgaioReg.LED0: r = this.led0; break;
      case Mps2FpgaioReg.BUTTON: r = 0; break;
      case Mps2FpgaioReg.PRESCALE: r = this.prescale; break;
      case Mps2FpgaioReg.MISC: r = this.misc; break;
      case Mps2FpgaioReg.CLK1HZ: r = counterFromTickoff(this.now(), this.clk1hzTickOffset, 1n); break;
      case Mps2FpgaioReg.CLK100HZ: r = counterFromTickoff(this.now(), this.clk100hzTickOffset, 100n); break;
      case Mps2FpgaioReg.COUNTER: this.resync(); r = this.counter; break;
      case Mps2FpgaioReg.PSCNTR: this.resync(); r = this.pscntr; break;
      default: r = 0;
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case Mps2FpgaioReg.LED0:
        if (this.numLeds !== 0) {
          this.led0 = this.numLeds >= 32 ? value : value & ((1 << this.numLeds) - 1);
          this.led0 >>>= 0;
          if (this.onLeds !== undefined) this.onLeds(this.led0);
        }
        break;
      case Mps2FpgaioReg.PRESCALE:
        this.resync();
        this.prescale = value;
        break;
      case Mps2FpgaioReg.MISC:
        this.misc = value;
        break;
      case Mps2FpgaioReg.CLK1HZ:
        this.clk1hzTickOffset = tickoffFromCounter(this.now(), value, 1n);
        break;
      case Mps2FpgaioReg.CLK100HZ:
        this.clk100hzTickOffset = tickoffFromCounter(this.now(), value, 100n);
        break;
      case Mps2FpgaioReg.COUNTER:
        this.resync();
        this.counter = value;
        break;
      case Mps2FpgaioReg.PSCNTR:
        this.resync();
        this.pscntr = value;
        break;
      default:
        break;
    }
  }
}

/** `muldiv64(now - tick_offset, frq, 1e9)` truncated to 32 bits. */
function counterFromTickoff(now: bigint, tickOffset: bigint, frq: bigint): number {
  const d = BigInt.asUintN(64, now - tickOffset);
  return Number(((d * frq) / NS) & U32);
}

/** `now - muldiv64(count, 1e9, frq)`. */
function tickoffFromCounter(now: bigint, count: number, frq: bigint): bigint {
  return now - (BigInt(count >>> 0) * NS) / frq;
}
