/**
 * Goldfish RTC as QEMU 7.2 models it (hw/rtc/goldfish_rtc.c) and maps it on the RISC-V `virt`
 * board: base 0x101000, PLIC source 11, little-endian, a 0x24-byte register window (the rest of
 * the 0x1000 the memory map reserves is unassigned: an access there faults, as in QEMU).
 *
 * The count is nanoseconds since the Unix epoch: `tickOffset + clock`. QEMU sets `tickOffset` at
 * realize so the count starts at the host's wall-clock time, truncated to whole seconds
 * (`qemu_get_timedate` → `mktimegm`), and then follows its RTC clock, which by default is the
 * host clock. Here the clock is the machine's virtual clock (QEMU's `-rtc clock=vm`), so runs are
 * deterministic; the starting time is the wall clock at construction (whole seconds) unless
 * {@link GoldfishRtcOptions.epochNs} fixes it.
 *
 * Registers (4-byte accesses only; anything else faults through {@link GoldfishRtc.map}):
 * - TIME_LOW read returns the low half of the count and latches the high half, which TIME_HIGH
 *   returns; writes to either replace that half of the count (moving `tickOffset`);
 * - ALARM_LOW/ALARM_HIGH hold the 64-bit alarm; a write to ALARM_LOW arms it (ALARM_HIGH alone
 *   does not): an alarm at or before the current count fires at once, a later one fires when
 *   the clock reaches `alarm - tickOffset`;
 * - IRQ_ENABLED (bit 0), CLEAR_ALARM (disarm), ALARM_STATUS (1 while armed), CLEAR_INTERRUPT;
 * - the interrupt line is `irq_pending & irq_enabled`, driven on every change of either.
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import type { ClockEvent, VirtualClock } from '../core/clock.js';
import type { IrqLine } from '../core/irq.js';
import { mapChecked } from './mmio-access.js';

/** Base address of the RTC on QEMU's `virt` board. */
export const VIRT_RTC_BASE = 0x10_1000;
/** Size the `virt` memory map reserves for the RTC. */
export const VIRT_RTC_SIZE = 0x1000;
/** Size of the RTC's register window in QEMU (the MMIO region it registers). */
export const GOLDFISH_RTC_REGS_SIZE = 0x24;

/** Register offsets. */
export const GoldfishRtcReg = {
  TIME_LOW: 0x00,
  TIME_HIGH: 0x04,
  ALARM_LOW: 0x08,
  ALARM_HIGH: 0x0c,
  IRQ_ENABLED: 0x10,
  CLEAR_ALARM: 0x14,
  ALARM_STATUS: 0x18,
  CLEAR_INTERRUPT: 0x1c,
} as const;

const U32 = 0xffff_ffffn;
const INT64_MAX = (1n << 63n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Construction parameters of a {@link GoldfishRtc}. */
export interface GoldfishRtcOptions {
  /** The machine's virtual clock: the count advances with it, and alarms are events on it. */
  clock: VirtualClock;
  /** The interrupt line (PLIC source 11 on `virt`). Optional: unconnected if absent. */
  irq?: IrqLine;
  /**
   * What the count reads at construction, in ns since the Unix epoch. Default: the host's
   * wall-clock time at construction, truncated to whole seconds (as QEMU's realize does).
   */
  epochNs?: bigint;
}

/** The Goldfish RTC MMIO device. Construction leaves it in its reset state. */
export class GoldfishRtc implements MmioHandler {
  private readonly clock: VirtualClock;
  private readonly irq: IrqLine | null;
  private readonly timer: ClockEvent;
  private tickOffset: bigint;
  private alarmNext = 0n;
  private alarmRunning = 0;
  private irqPending = 0;
  private irqEnabled = 0;
  private timeHigh = 0;

  /** @param options clock, interrupt line and starting time. */
  constructor(options: GoldfishRtcOptions) {
    this.clock = options.clock;
    this.irq = options.irq ?? null;
    const epoch = options.epochNs ?? BigInt(Math.floor(Date.now() / 1000)) * 1_000_000_000n;
    this.tickOffset = u64(epoch - BigInt(this.clock.nowNs()));
    this.timer = { deadline: Infinity, fire: () => this.interrupt() };
    this.clock.addEvent(this.timer);
    this.reset();
  }

  /** Map the 0x24-byte register window on `bus` at `base` (default the `virt` address), 4-byte accesses only. */
  map(bus: Bus, base = VIRT_RTC_BASE): void {
    mapChecked(bus, 'goldfish_rtc', base, GOLDFISH_RTC_REGS_SIZE, this, { minSize: 4, maxSize: 4 });
  }

  /** Device reset (`goldfish_rtc_reset`): disarm and clear alarm and interrupt state. The count and the line are left as they are. */
  reset(): void {
    this.disarm();
    this.alarmNext = 0n;
    this.alarmRunning = 0;
    this.irqPending = 0;
    this.irqEnabled = 0;
  }

  /** The current count: ns since the Unix epoch (mod 2^64). */
  now(): bigint {
    return u64(this.tickOffset + BigInt(this.clock.nowNs()));
  }

  /** The 64-bit alarm register. */
  get alarm(): bigint {
    return this.alarmNext;
  }

  /** Whether an alarm is armed (ALARM_STATUS). */
  get alarmArmed(): boolean {
    return this.alarmRunning !== 0;
  }

  /** Whether the alarm has fired and not been cleared (independent of IRQ_ENABLED). */
  get interruptPending(): boolean {
    return this.irqPending !== 0;
  }

  /** The virtual-ns deadline of the alarm event (Infinity when disarmed). */
  get alarmDeadline(): number {
    return this.timer.deadline;
  }

  read(offset: number, size: number): number {
    if (size !== 4) return 0; // invalid access size in QEMU (map() turns it into a fault)
    switch (offset) {
      case GoldfishRtcReg.TIME_LOW: {
        const t = this.now();
        this.timeHigh = Number(t >> 32n);
        return Number(t & U32);
      }
      case GoldfishRtcReg.TIME_HIGH:
        return this.timeHigh;
      case GoldfishRtcReg.ALARM_LOW:
        return Number(this.alarmNext & U32);
      case GoldfishRtcReg.ALARM_HIGH:
        return Number(this.alarmNext >> 32n);
      case GoldfishRtcReg.IRQ_ENABLED:
        return this.irqEnabled;
      case GoldfishRtcReg.ALARM_STATUS:
        return this.alarmRunning;
      default:
        return 0; // QEMU: "offset is UNIMP", reads 0
    }
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) return;
    const v = BigInt(value >>> 0);
    switch (offset) {
      case GoldfishRtcReg.TIME_LOW: {
        const cur = this.now();
        const next = (cur & (U32 << 32n)) | v;
        this.tickOffset = u64(this.tickOffset + next - cur);
        break;
      }
      case GoldfishRtcReg.TIME_HIGH: {
        const cur = this.now();
        const next = (v << 32n) | (cur & U32);
        this.tickOffset = u64(this.tickOffset + next - cur);
        break;
      }
      case GoldfishRtcReg.ALARM_LOW:
        this.alarmNext = (this.alarmNext & (U32 << 32n)) | v;
        this.setAlarm();
        break;
      case GoldfishRtcReg.ALARM_HIGH:
        this.alarmNext = (v << 32n) | (this.alarmNext & U32);
        break;
      case GoldfishRtcReg.IRQ_ENABLED:
        this.irqEnabled = Number(v & 1n);
        this.updateIrq();
        break;
      case GoldfishRtcReg.CLEAR_ALARM:
        this.clearAlarm();
        break;
      case GoldfishRtcReg.CLEAR_INTERRUPT:
        this.irqPending = 0;
        this.updateIrq();
        break;
      default:
        break; // QEMU: "offset is UNIMP"
    }
  }

  // --- internals ---

  private updateIrq(): void {
    if (this.irq !== null) this.irq.set((this.irqPending & this.irqEnabled) !== 0);
  }

  /** `goldfish_rtc_interrupt`: the alarm fired. */
  private interrupt(): void {
    this.alarmRunning = 0;
    this.irqPending = 1;
    this.updateIrq();
  }

  private disarm(): void {
    if (this.timer.deadline !== Infinity) {
      this.timer.deadline = Infinity;
      this.clock.reschedule();
    }
  }

  private clearAlarm(): void {
    this.disarm();
    this.alarmRunning = 0;
  }

  /** `goldfish_rtc_set_alarm`. */
  private setAlarm(): void {
    const ticks = this.now();
    const event = this.alarmNext;
    if (event <= ticks) {
      this.clearAlarm();
      this.interrupt();
      return;
    }
    // timer_mod(timer, event - tick_offset): an int64 expiry, clamped at 0 by QEMU's timer code.
    let expire = BigInt.asIntN(64, event - this.tickOffset);
    if (expire < 0n) expire = 0n;
    if (expire > INT64_MAX) expire = INT64_MAX;
    this.timer.deadline = Number(expire);
    this.clock.reschedule();
    this.alarmRunning = 1;
  }
}
