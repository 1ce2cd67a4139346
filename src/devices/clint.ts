/**
 * SiFive CLINT as QEMU 7.2 builds it for the RISC-V `virt` board: an ACLINT MSWI device
 * (per-hart `msip`) at offset 0 and an ACLINT MTIMER device (`mtimecmp`, `mtime`) at offset
 * 0x4000 (hw/intc/riscv_aclint.c, created by hw/riscv/virt.c with the default layout).
 *
 * Time: `mtime = muldiv64(nowNs, timebaseFreq, 1e9) + timeDelta` (mod 2^64), where `nowNs` is the
 * virtual clock (icount-derived) and `timeDelta` is changed by guest writes to `mtime`.
 * With the default 10 MHz timebase this is `floor(nowNs / 100) + timeDelta`.
 *
 * MTIP follows QEMU exactly rather than the ideal `mtime >= mtimecmp`: the line is only
 * recomputed when `mtimecmp` or `mtime` is written (raised at once if `mtimecmp <= mtime`,
 * otherwise lowered and a timer armed) and raised when that timer fires. The timer deadline is
 * `now + muldiv64(mtimecmp - mtime, 1e9, timebaseFreq)` ns — note that it is counted from the
 * current nanosecond, not from the start of the current tick, so with a 10 MHz timebase the
 * interrupt comes `mtimecmp - mtime` whole 100 ns periods after the write, which can be up to
 * 99 ns after `mtime` has actually reached `mtimecmp`.
 *
 * 64-bit registers are kept exactly as bigints (MMIO is the slow path). The bus splits 8-byte
 * accesses into two 4-byte ones (low word first); for `mtime` and reads this is exactly QEMU's
 * 8-byte behaviour, for an 8-byte `mtimecmp` store the final state is identical but the line
 * may be driven twice within the store (once per half).
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import type { ClockEvent, VirtualClock } from '../core/clock.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { mapChecked } from './mmio-access.js';

/** Base address of the CLINT on QEMU's `virt` board. */
export const VIRT_CLINT_BASE = 0x200_0000;
/** Size of the CLINT window on QEMU's `virt` board (the devices occupy 0x0..0xc000 of it). */
export const VIRT_CLINT_SIZE = 0x1_0000;

/** Offset and size of the MSWI (software interrupt) device inside the CLINT window. */
export const ACLINT_SWI_OFFSET = 0x0;
export const ACLINT_SWI_SIZE = 0x4000;
/** Offset and size of the MTIMER device inside the CLINT window. */
export const ACLINT_MTIMER_OFFSET = 0x4000;
export const ACLINT_MTIMER_SIZE = 0x8000;
/** `mtimecmp` array and `mtime` offsets inside the MTIMER device. */
export const ACLINT_MTIMER_MTIMECMP = 0x0;
export const ACLINT_MTIMER_MTIME = 0x7ff8;
/** The `virt` board's timebase (`RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ`). */
export const ACLINT_DEFAULT_TIMEBASE_FREQ = 10_000_000;
/** `RISCV_ACLINT_MAX_HARTS`. */
export const ACLINT_MAX_HARTS = 4095;

/** Register offsets relative to the CLINT base. */
export const ClintReg = {
  /** `msip[hart]` at `MSIP + 4 * hart` (bit 0). */
  MSIP: ACLINT_SWI_OFFSET,
  /** `mtimecmp[hart]` at `MTIMECMP + 8 * hart` (64-bit). */
  MTIMECMP: ACLINT_MTIMER_OFFSET + ACLINT_MTIMER_MTIMECMP,
  /** `mtime` (64-bit). */
  MTIME: ACLINT_MTIMER_OFFSET + ACLINT_MTIMER_MTIME,
} as const;

const NS_PER_SEC = 1_000_000_000n;
const U32 = 0xffff_ffffn;
const INT64_MAX = (1n << 63n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Construction parameters of a {@link Clint}. */
export interface ClintOptions {
  /** The machine's virtual clock (time source and timer events). */
  clock: VirtualClock;
  /** Number of harts (default 1). */
  numHarts?: number;
  /** Timebase in Hz (default 10 MHz, as on `virt`). */
  timebaseFreq?: number;
  /** Per-hart machine software interrupt lines (mip.MSIP). Default: unconnected {@link IrqPin}s. */
  msip?: readonly IrqLine[];
  /** Per-hart machine timer interrupt lines (mip.MTIP). Default: unconnected {@link IrqPin}s. */
  mtip?: readonly IrqLine[];
}

/**
 * The CLINT. As an `MmioHandler` it covers the whole 0x10000 window (offsets outside the two
 * devices read 0 and ignore writes); {@link Clint.map} instead maps the two devices as QEMU does,
 * leaving the rest of the window unmapped.
 *
 * Construction performs the device reset, exactly like QEMU at machine start: `mtime` is set to 0
 * and every `mtimecmp` (initially 0) is re-evaluated, so MTIP is raised on every hart; MSIP is
 * lowered.
 */
export class Clint implements MmioHandler {
  /** Number of harts served. */
  readonly numHarts: number;
  /** Timebase in Hz. */
  readonly timebaseFreq: number;
  /** Per-hart software interrupt lines. */
  readonly msipLines: readonly IrqLine[];
  /** Per-hart timer interrupt lines. */
  readonly mtipLines: readonly IrqLine[];
  /** The MSWI device alone (offsets relative to the CLINT base, size {@link ACLINT_SWI_SIZE}). */
  readonly swi: MmioHandler;
  /** The MTIMER device alone (offsets relative to base + 0x4000, size {@link ACLINT_MTIMER_SIZE}). */
  readonly mtimer: MmioHandler;

  private readonly clock: VirtualClock;
  private readonly freq: bigint;
  /** ns per tick when the timebase divides 1 GHz (fast exact path), else 0. */
  private readonly nsPerTick: number;
  private readonly timecmp: bigint[];
  private readonly msipLevel: boolean[];
  private readonly timers: ClockEvent[];
  private timeDelta = 0n;

  /** @param options clock, hart count, timebase and interrupt lines. */
  constructor(options: ClintOptions) {
    const n = options.numHarts ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > ACLINT_MAX_HARTS) throw new RangeError(`clint: bad hart count ${n}`);
    const f = options.timebaseFreq ?? ACLINT_DEFAULT_TIMEBASE_FREQ;
    if (!Number.isInteger(f) || f < 1 || f > 0xffff_ffff) throw new RangeError(`clint: bad timebase ${f}`);
    this.numHarts = n;
    this.timebaseFreq = f;
    this.clock = options.clock;
    this.freq = BigInt(f);
    this.nsPerTick = 1e9 % f === 0 ? 1e9 / f : 0;
    this.msipLines = lines(options.msip, n, 'msip');
    this.mtipLines = lines(options.mtip, n, 'mtip');
    this.timecmp = new Array<bigint>(n).fill(0n);
    this.msipLevel = new Array<boolean>(n).fill(false);
    this.timers = [];
    for (let h = 0; h < n; h++) {
      const line = this.mtipLines[h]!;
      const ev: ClockEvent = { deadline: Infinity, fire: () => line.set(true) };
      this.timers.push(ev);
      this.clock.addEvent(ev);
    }
    this.swi = {
      read: (off, size) => this.swiRead(off, size),
      write: (off, size, value) => this.swiWrite(off, size, value),
    };
    this.mtimer = {
      read: (off, size) => this.mtimerRead(off, size),
      write: (off, size, value) => this.mtimerWrite(off, size, value),
    };
    this.reset();
  }

  /** Map the MSWI and MTIMER devices on `bus` at `base` the way QEMU's `virt` does. */
  map(bus: Bus, base = VIRT_CLINT_BASE): void {
    // QEMU's valid access sizes (riscv_aclint_swi_ops / riscv_aclint_mtimer_ops): a byte or
    // halfword access is an access fault there, not a partial register access.
    mapChecked(bus, 'clint.mswi', base + ACLINT_SWI_OFFSET, ACLINT_SWI_SIZE, this.swi, { minSize: 4, maxSize: 4 });
    mapChecked(bus, 'clint.mtimer', base + ACLINT_MTIMER_OFFSET, ACLINT_MTIMER_SIZE, this.mtimer, { minSize: 4, maxSize: 8 });
  }

  /**
   * Device reset (QEMU's reset_enter handlers): lower every MSIP; write 0 to `mtime`, which
   * re-evaluates each hart's `mtimecmp` (left unchanged) against it.
   */
  reset(): void {
    for (let h = 0; h < this.numHarts; h++) {
      this.msipLevel[h] = false;
      this.msipLines[h]!.set(false);
    }
    this.setMtime(0n);
  }

  /** Current `mtime` (also what the `time` CSR reads). */
  mtime(): bigint {
    return u64(this.rtcRaw() + this.timeDelta);
  }

  /**
   * `mtime` as an exact number, or -1 when it cannot be computed without BigInt (non-integral
   * ns per tick, an offset written by the guest, or a value past 2^53). For the `time` CSR fast path.
   */
  mtimeNumber(): number {
    if (this.timeDelta !== 0n || this.nsPerTick === 0) return -1;
    const ns = this.clock.nowNs();
    if (ns > Number.MAX_SAFE_INTEGER) return -1;
    return (ns - (ns % this.nsPerTick)) / this.nsPerTick;
  }

  /** Set `mtime` as a 64-bit store would, re-evaluating every hart's timer. */
  setMtime(value: bigint): void {
    this.timeDelta = u64(u64(value) - this.rtcRaw());
    this.recheckAll();
  }

  /** Current `mtimecmp` of `hart`. */
  mtimecmp(hart: number): bigint {
    return this.timecmp[this.hartIndex(hart)]!;
  }

  /** Set `mtimecmp` of `hart` as a 64-bit store would. */
  setMtimecmp(hart: number, value: bigint): void {
    this.writeTimecmp(this.hartIndex(hart), u64(value));
  }

  /** Current MSIP level of `hart` (what its `msip` register reads). */
  msip(hart: number): boolean {
    return this.msipLevel[this.hartIndex(hart)]!;
  }

  /** The virtual-ns deadline of `hart`'s timer event (Infinity when disarmed). */
  timerDeadline(hart: number): number {
    return this.timers[this.hartIndex(hart)]!.deadline;
  }

  read(offset: number, size: number): number {
    if (offset < ACLINT_SWI_OFFSET + ACLINT_SWI_SIZE) return this.swiRead(offset - ACLINT_SWI_OFFSET, size);
    if (offset >= ACLINT_MTIMER_OFFSET && offset < ACLINT_MTIMER_OFFSET + ACLINT_MTIMER_SIZE) {
      return this.mtimerRead(offset - ACLINT_MTIMER_OFFSET, size);
    }
    return 0; // unmapped in QEMU
  }

  write(offset: number, size: number, value: number): void {
    if (offset < ACLINT_SWI_OFFSET + ACLINT_SWI_SIZE) {
      this.swiWrite(offset - ACLINT_SWI_OFFSET, size, value);
    } else if (offset >= ACLINT_MTIMER_OFFSET && offset < ACLINT_MTIMER_OFFSET + ACLINT_MTIMER_SIZE) {
      this.mtimerWrite(offset - ACLINT_MTIMER_OFFSET, size, value);
    }
  }

  // --- MSWI (riscv_aclint_swi_read/write; valid access size 4 only) ---

  private swiRead(addr: number, size: number): number {
    if (size !== 4) return 0;
    if (addr < this.numHarts * 4 && (addr & 3) === 0) return this.msipLevel[addr >>> 2] ? 1 : 0;
    return 0;
  }

  private swiWrite(addr: number, size: number, value: number): void {
    if (size !== 4) return;
    if (addr < this.numHarts * 4 && (addr & 3) === 0) {
      const h = addr >>> 2;
      const level = (value & 1) !== 0;
      this.msipLevel[h] = level;
      this.msipLines[h]!.set(level);
    }
  }

  // --- MTIMER (riscv_aclint_mtimer_read/write; valid access sizes 4 and 8) ---

  private mtimerRead(addr: number, size: number): number {
    if (size !== 4) return 0;
    if (addr >= ACLINT_MTIMER_MTIMECMP && addr < ACLINT_MTIMER_MTIMECMP + this.numHarts * 8) {
      const rel = addr - ACLINT_MTIMER_MTIMECMP;
      const cmp = this.timecmp[rel >>> 3]!;
      if ((rel & 7) === 0) return Number(cmp & U32);
      if ((rel & 7) === 4) return Number(cmp >> 32n);
      return 0;
    }
    if (addr === ACLINT_MTIMER_MTIME) return Number(this.mtime() & U32);
    if (addr === ACLINT_MTIMER_MTIME + 4) return Number(this.mtime() >> 32n);
    return 0;
  }

  private mtimerWrite(addr: number, size: number, value: number): void {
    if (size !== 4) return;
    const v = BigInt(value >>> 0);
    if (addr >= ACLINT_MTIMER_MTIMECMP && addr < ACLINT_MTIMER_MTIMECMP + this.numHarts * 8) {
      const rel = addr - ACLINT_MTIMER_MTIMECMP;
      const h = rel >>> 3;
      const old = this.timecmp[h]!;
      if ((rel & 7) === 0) this.writeTimecmp(h, ((old >> 32n) << 32n) | v);
      else if ((rel & 7) === 4) this.writeTimecmp(h, (v << 32n) | (old & U32));
      return;
    }
    if (addr === ACLINT_MTIMER_MTIME || addr === ACLINT_MTIMER_MTIME + 4) {
      // The 32-bit halves keep the other half of the *current* mtime (QEMU >= 7.2.6 / 8.2;
      // 7.2.0 kept the half from the raw clock, which breaks split 64-bit stores).
      const rtcR = this.rtcRaw();
      const rtc = u64(rtcR + this.timeDelta);
      const next = addr === ACLINT_MTIMER_MTIME ? (rtc & (U32 << 32n)) | v : (v << 32n) | (rtc & U32);
      this.timeDelta = u64(next - rtcR);
      this.recheckAll();
    }
  }

  // --- timer core ---

  /** `muldiv64(nowNs, timebaseFreq, 1e9)`, exact for any `nowNs` below 2^53. */
  private rtcRaw(): bigint {
    const ns = this.clock.nowNs();
    const d = this.nsPerTick;
    if (d !== 0 && ns <= Number.MAX_SAFE_INTEGER) return BigInt((ns - (ns % d)) / d);
    return (BigInt(ns) * this.freq) / NS_PER_SEC;
  }

  private recheckAll(): void {
    for (let h = 0; h < this.numHarts; h++) this.writeTimecmp(h, this.timecmp[h]!);
  }

  /** `riscv_aclint_mtimer_write_timecmp`. */
  private writeTimecmp(h: number, value: bigint): void {
    const rtc = this.mtime();
    const line = this.mtipLines[h]!;
    this.timecmp[h] = value;
    if (value <= rtc) {
      // In the past: raise now. QEMU leaves any armed timer as it is.
      line.set(true);
      return;
    }
    line.set(false);
    const diff = value - rtc;
    const nsDiff = u64((diff * NS_PER_SEC) / this.freq); // muldiv64(diff, 1e9, freq)
    let next: bigint;
    if ((NS_PER_SEC > this.freq && nsDiff < diff) || nsDiff > INT64_MAX) {
      next = INT64_MAX;
    } else {
      next = BigInt(this.clock.nowNs()) + nsDiff;
      if (next > INT64_MAX) next = INT64_MAX;
    }
    this.timers[h]!.deadline = Number(next);
    this.clock.reschedule();
  }

  private hartIndex(hart: number): number {
    if (!Number.isInteger(hart) || hart < 0 || hart >= this.numHarts) throw new RangeError(`clint: no hart ${hart}`);
    return hart;
  }
}

function lines(given: readonly IrqLine[] | undefined, n: number, what: string): readonly IrqLine[] {
  if (given === undefined) return Array.from({ length: n }, () => new IrqPin());
  if (given.length !== n) throw new RangeError(`clint: ${given.length} ${what} lines for ${n} harts`);
  return given;
}
