/**
 * The ARM CMSDK APB watchdog (DDI0479; an SP805 derivative) as QEMU 7.2 models it
 * (hw/watchdog/cmsdk-apb-watchdog.c), the MPS2 boards' watchdog at 0x40008000 whose interrupt
 * is the NMI.
 *
 * A 32-bit down-counter clocked by WDOGCLK (25 MHz SYSCLK), reloading from WDOGLOAD. QEMU 7.2
 * keeps it counting from reset whatever WDOGCONTROL says (INTEN only masks the interrupt output):
 * - the first time it reaches 0, WDOGRIS is set (and WDOGINT, the NMI, follows RIS & INTEN);
 * - the second time (RIS still set), the count stops at 0 and the reset status is set; with
 *   RESEN (now or whenever it gets set) the board is reset ({@link CmsdkApbWatchdogOptions.onReset},
 *   QEMU's watchdog action, by default `reset`). Nothing but a device reset clears that status;
 * - a WDOGINTCLR write clears RIS and reloads the count from WDOGLOAD (a stopped count stays
 *   stopped); a WDOGLOAD write reloads the count and starts it;
 * - WDOGCONTROL only masks the outputs (INTEN, RESEN);
 * - WDOGLOCK: writing anything but 0x1ACCE551 locks every other register against writes;
 * - integration test mode (WDOGITCR/WDOGITOP) drives the outputs directly.
 *
 * Accesses are 32-bit at the access's own offset (QEMU: impl size 4, valid 1..4); narrower
 * reads return the low bytes, narrower writes write their value zero-extended.
 */
import type { MmioHandler } from '../core/bus.js';
import type { VirtualClock } from '../core/clock.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { CMSDK_PTIMER_POLICY, Ptimer } from './cmsdk-ptimer.js';
import { MPS2_SYSCLK_HZ } from './cmsdk-apb-timer.js';

/** Size of the watchdog's register window. */
export const CMSDK_APB_WATCHDOG_SIZE = 0x1000;

/** Register offsets. */
export const CmsdkWatchdogReg = {
  LOAD: 0x00,
  VALUE: 0x04,
  CONTROL: 0x08,
  INTCLR: 0x0c,
  RIS: 0x10,
  MIS: 0x14,
  LOCK: 0xc00,
  ITCR: 0xf00,
  ITOP: 0xf04,
  PID4: 0xfd0,
  CID3: 0xffc,
} as const;

/** WDOGCONTROL bits. */
export const CmsdkWatchdogCtrl = { INTEN: 1 << 0, RESEN: 1 << 1, MASK: 3 } as const;

/** The value that unlocks WDOGLOCK. */
export const CMSDK_WATCHDOG_UNLOCK = 0x1acc_e551;

/** PID4..PID7, PID0..PID3, CID0..CID3 (offsets 0xfd0..0xffc). */
export const CMSDK_WATCHDOG_ID = [0x04, 0x00, 0x00, 0x00, 0x24, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of a {@link CmsdkApbWatchdog}. */
export interface CmsdkApbWatchdogOptions {
  /** The machine's virtual clock. */
  clock: VirtualClock;
  /** WDOGCLK in Hz (default 25 MHz). */
  wdogclkHz?: number;
  /** WDOGINT (the NMI on the MPS2 boards). */
  irq?: IrqLine;
  /** The watchdog fires its reset (second expiry with RESEN, or ITOP.WDOGRES in test mode). */
  onReset?: () => void;
}

export class CmsdkApbWatchdog implements MmioHandler {
  readonly irq: IrqLine;
  /** The underlying countdown (`deadline` is the next expiry). */
  readonly timer: Ptimer;
  private readonly onReset: (() => void) | undefined;
  private control = 0;
  private intstatus = 0;
  private lock = 0;
  private itcr = 0;
  private itop = 0;
  private resetstatus = 0;

  constructor(options: CmsdkApbWatchdogOptions) {
    this.irq = options.irq ?? new IrqPin();
    this.onReset = options.onReset;
    this.timer = new Ptimer(options.clock, () => this.tick(), CMSDK_PTIMER_POLICY);
    this.timer.begin();
    this.timer.setPeriodFromHz(options.wdogclkHz ?? MPS2_SYSCLK_HZ, 1);
    this.timer.commit();
    this.reset();
  }

  /** Device reset: LOAD = VALUE = 0xffffffff, counting; everything else 0, unlocked. */
  reset(): void {
    this.control = 0;
    this.intstatus = 0;
    this.lock = 0;
    this.itcr = 0;
    this.itop = 0;
    this.resetstatus = 0;
    const t = this.timer;
    t.begin();
    t.setLimit(0xffff_ffff, true);
    t.run(false);
    t.commit();
  }

  read(offset: number, size: number): number {
    let r: number;
    switch (offset) {
      case CmsdkWatchdogReg.LOAD: r = this.timer.getLimit(); break;
      case CmsdkWatchdogReg.VALUE: r = this.timer.getCount(); break;
      case CmsdkWatchdogReg.CONTROL: r = this.control; break;
      case CmsdkWatchdogReg.RIS: r = this.intstatus; break;
      case CmsdkWatchdogReg.MIS: r = this.masked() ? 1 : 0; break;
      case CmsdkWatchdogReg.LOCK: r = this.lock; break;
      case CmsdkWatchdogReg.ITCR: r = this.itcr; break;
      default:
        r = offset >= CmsdkWatchdogReg.PID4 && offset <= CmsdkWatchdogReg.CID3 ? CMSDK_WATCHDOG_ID[(offset - CmsdkWatchdogReg.PID4) >>> 2]! : 0;
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    if (this.lock !== 0 && offset !== CmsdkWatchdogReg.LOCK) return;
    const t = this.timer;
    switch (offset) {
      case CmsdkWatchdogReg.LOAD:
        // reload the count and make sure it is counting
        t.begin();
        t.setLimit(value, true);
        t.run(false);
        t.commit();
        break;
      case CmsdkWatchdogReg.CONTROL:
        this.control = value & CmsdkWatchdogCtrl.MASK;
        this.update();
        break;
      case CmsdkWatchdogReg.INTCLR:
        this.intstatus = 0;
        t.begin();
        t.setCount(t.getLimit());
        t.commit();
        this.update();
        break;
      case CmsdkWatchdogReg.LOCK:
        this.lock = value !== CMSDK_WATCHDOG_UNLOCK ? 1 : 0;
        break;
      case CmsdkWatchdogReg.ITCR:
        this.itcr = value & 1;
        this.update();
        break;
      case CmsdkWatchdogReg.ITOP:
        this.itop = value & 3;
        this.update();
        break;
      default:
        break;
    }
  }

  private masked(): boolean {
    return this.intstatus !== 0 && (this.control & CmsdkWatchdogCtrl.INTEN) !== 0;
  }

  private tick(): void {
    if (this.intstatus === 0) {
      this.intstatus = 1; // first expiry: interrupt
    } else {
      this.resetstatus = 1; // second: reset, and the count stops
      this.timer.stop();
    }
    this.update();
  }

  private update(): void {
    let wdogint: boolean;
    let wdogres: boolean;
    if (this.itcr !== 0) {
      wdogint = (this.itop & 2) !== 0;
      wdogres = (this.itop & 1) !== 0;
    } else {
      wdogint = this.masked();
      wdogres = this.resetstatus !== 0 && (this.control & CmsdkWatchdogCtrl.RESEN) !== 0;
    }
    this.irq.set(wdogint);
    if (wdogres && this.onReset !== undefined) this.onReset();
  }
}
