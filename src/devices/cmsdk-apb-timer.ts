/**
 * The ARM CMSDK APB timer (DDI0479C) as QEMU 7.2 models it (hw/timer/cmsdk-apb-timer.c): a
 * 32-bit down-counter clocked by PCLK (25 MHz SYSCLK on the MPS2 boards, i.e. one count every
 * 40 virtual ns), reloading from RELOAD, with one interrupt output.
 *
 * QEMU's choices, kept here: the interrupt is raised when the counter goes from 1 to 0; the
 * counter then holds 0 for one clock period before reloading from RELOAD (so a period is
 * RELOAD + 1 counts); with RELOAD = 0 there is no further 1 -> 0 transition, so the timer runs
 * as a one-shot down to 0 and stops. The interrupt is only latched (INTSTATUS) when CTRL.IRQEN
 * is set at that moment; INTSTATUS is write-1-to-clear. EXTIN (CTRL bits 1 and 2) is not
 * modelled (the bits read back as written).
 *
 * The count is never ticked: VALUE is computed from the virtual clock when read, and one clock
 * event is armed for the next underflow ({@link Ptimer}).
 */
import type { MmioHandler } from '../core/bus.js';
import type { VirtualClock } from '../core/clock.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { CMSDK_PTIMER_POLICY, Ptimer } from './cmsdk-ptimer.js';

/** Size of the timer's register window. */
export const CMSDK_APB_TIMER_SIZE = 0x1000;

/** Register offsets. */
export const CmsdkTimerReg = {
  CTRL: 0x00,
  VALUE: 0x04,
  RELOAD: 0x08,
  /** INTSTATUS on read, INTCLEAR (write 1 to clear) on write. */
  INTSTATUS: 0x0c,
  INTCLEAR: 0x0c,
  PID4: 0xfd0,
  CID3: 0xffc,
} as const;

/** CTRL bits (4 bits are writable). */
export const CmsdkTimerCtrl = { EN: 1 << 0, SELEXTEN: 1 << 1, SELEXTCLK: 1 << 2, IRQEN: 1 << 3, MASK: 0xf } as const;

/** PID4..PID7, PID0..PID3, CID0..CID3 (offsets 0xfd0..0xffc). */
export const CMSDK_TIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x22, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** The MPS2 boards' SYSCLK, which clocks the timers. */
export const MPS2_SYSCLK_HZ = 25_000_000;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of a {@link CmsdkApbTimer}. */
export interface CmsdkApbTimerOptions {
  /** The machine's virtual clock. */
  clock: VirtualClock;
  /** PCLK in Hz (default 25 MHz, the MPS2 SYSCLK). */
  pclkHz?: number;
  /** TIMERINT. Default: an unconnected {@link IrqPin}. */
  irq?: IrqLine;
}

export class CmsdkApbTimer implements MmioHandler {
  readonly irq: IrqLine;
  readonly pclkHz: number;
  /** The underlying countdown (exposed for tests: `deadline` is the next underflow). */
  readonly timer: Ptimer;
  private ctrl = 0;
  private intstatus = 0;

  constructor(options: CmsdkApbTimerOptions) {
    this.irq = options.irq ?? new IrqPin();
    this.pclkHz = options.pclkHz ?? MPS2_SYSCLK_HZ;
    this.timer = new Ptimer(options.clock, () => this.tick(), CMSDK_PTIMER_POLICY);
    this.timer.begin();
    this.timer.setPeriodFromHz(this.pclkHz, 1);
    this.timer.commit();
    this.reset();
  }

  /** Device reset: stopped, CTRL = INTSTATUS = RELOAD = VALUE = 0 (the output is not driven). */
  reset(): void {
    this.ctrl = 0;
    this.intstatus = 0;
    const t = this.timer;
    t.begin();
    t.stop();
    t.setLimit(0, true);
    t.commit();
  }

  /** Current VALUE. */
  value(): number {
    return this.timer.getCount() >>> 0;
  }

  read(offset: number, size: number): number {
    let r: number;
    switch (offset) {
      case CmsdkTimerReg.CTRL: r = this.ctrl; break;
      case CmsdkTimerReg.VALUE: r = this.timer.getCount(); break;
      case CmsdkTimerReg.RELOAD: r = this.timer.getLimit(); break;
      case CmsdkTimerReg.INTSTATUS: r = this.intstatus; break;
      default:
        r = offset >= CmsdkTimerReg.PID4 && offset <= CmsdkTimerReg.CID3 ? CMSDK_TIMER_ID[(offset - CmsdkTimerReg.PID4) >>> 2]! : 0;
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    const t = this.timer;
    switch (offset) {
      case CmsdkTimerReg.CTRL:
        this.ctrl = value & CmsdkTimerCtrl.MASK;
        t.begin();
        if ((this.ctrl & CmsdkTimerCtrl.EN) !== 0) t.run(t.getLimit() === 0);
        else t.stop();
        t.commit();
        break;
      case CmsdkTimerReg.RELOAD:
        // writing RELOAD also sets the current value
        t.begin();
        if (value === 0) t.stop();
        t.setLimit(value, true);
        // restart a one-shot that had expired
        if (value !== 0 && (this.ctrl & CmsdkTimerCtrl.EN) !== 0) t.run(false);
        t.commit();
        break;
      case CmsdkTimerReg.VALUE:
        t.begin();
        if (value === 0 && t.getLimit() === 0) t.stop();
        t.setCount(value);
        if (value !== 0 && (this.ctrl & CmsdkTimerCtrl.EN) !== 0) t.run(t.getLimit() === 0);
        t.commit();
        break;
      case CmsdkTimerReg.INTCLEAR:
        this.intstatus &= ~(value & 1);
        this.update();
        break;
      default:
        break;
    }
  }

  /** Underflow (1 -> 0): latch the interrupt if enabled. */
  private tick(): void {
    if ((this.ctrl & CmsdkTimerCtrl.IRQEN) !== 0) {
      this.intstatus |= 1;
      this.update();
    }
  }

  private update(): void {
    this.irq.set((this.intstatus & 1) !== 0);
  }
}
