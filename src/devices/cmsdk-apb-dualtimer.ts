/**
 * The ARM CMSDK APB dual-input timer (DDI0479C; an SP804 derivative) as QEMU 7.2 models it
 * (hw/timer/cmsdk-apb-dualtimer.c): two down-counters clocked by TIMCLK (25 MHz SYSCLK on the
 * MPS2 boards), each with
 * - free-running mode (CONTROL.MODE = 0: wraps from 0 to 0xffff / 0xffffffff) or periodic mode
 *   (MODE = 1: reloads from LOAD/BGLOAD), and one-shot (CONTROL.ONESHOT: stops at 0);
 * - 16- or 32-bit counting (CONTROL.SIZE), switching keeping the upper half of VALUE and LOAD;
 * - prescale 1, 16 or 256 (CONTROL.PRESCALE 0, 1, 2; the undefined 3 counts as 256);
 * - a raw interrupt (RIS) set at every underflow, masked by CONTROL.INTEN (MIS), cleared by
 *   any write to INTCLR;
 * and the integration-test registers (TIMERITCR/TIMERITOP drive the outputs directly).
 *
 * Outputs: TIMINT1, TIMINT2 and the combined TIMINTC (the MPS2 boards wire only TIMINTC).
 *
 * Register accesses reach the device as 32-bit accesses at the access's own offset: QEMU's
 * region has `impl` size 4 and `valid` sizes 1..4, so a narrower read returns the low bytes of
 * the register at that offset (an offset not on a register reads 0) and a narrower write writes
 * its value zero-extended.
 *
 * Counts are never ticked: VALUE is computed from the virtual clock, one event per underflow.
 */
import type { MmioHandler } from '../core/bus.js';
import type { VirtualClock } from '../core/clock.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { CMSDK_PTIMER_POLICY, Ptimer } from './cmsdk-ptimer.js';
import { MPS2_SYSCLK_HZ } from './cmsdk-apb-timer.js';

/** Size of the dual timer's register window. */
export const CMSDK_APB_DUALTIMER_SIZE = 0x1000;

/** Register offsets of timer 1; timer 2's are the same plus {@link CMSDK_DUALTIMER_STRIDE}. */
export const CmsdkDualTimerReg = {
  LOAD: 0x00,
  VALUE: 0x04,
  CONTROL: 0x08,
  INTCLR: 0x0c,
  RIS: 0x10,
  MIS: 0x14,
  BGLOAD: 0x18,
  TIMER2LOAD: 0x20,
  TIMER2VALUE: 0x24,
  TIMER2CONTROL: 0x28,
  TIMER2INTCLR: 0x2c,
  TIMER2RIS: 0x30,
  TIMER2MIS: 0x34,
  TIMER2BGLOAD: 0x38,
  TIMERITCR: 0xf00,
  TIMERITOP: 0xf04,
  PID4: 0xfd0,
  CID3: 0xffc,
} as const;

/** Distance between the two timers' register blocks. */
export const CMSDK_DUALTIMER_STRIDE = 0x20;

/** CONTROL bits. */
export const CmsdkDualTimerCtrl = {
  ONESHOT: 1 << 0,
  SIZE: 1 << 1,
  PRESCALE_SHIFT: 2,
  PRESCALE: 3 << 2,
  INTEN: 1 << 5,
  MODE: 1 << 6,
  ENABLE: 1 << 7,
  /** The writable bits. */
  MASK: 0xef,
} as const;

/** PID4..PID7, PID0..PID3, CID0..CID3 (offsets 0xfd0..0xffc). */
export const CMSDK_DUALTIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x23, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

const deposit16 = (hiFrom: number, lo: number): number => ((hiFrom & 0xffff_0000) | (lo & 0xffff)) >>> 0;

function divisorOf(control: number): number {
  switch ((control & CmsdkDualTimerCtrl.PRESCALE) >>> CmsdkDualTimerCtrl.PRESCALE_SHIFT) {
    case 0: return 1;
    case 1: return 16;
    default: return 256; // 3 is undefined; QEMU treats it as 2
  }
}

/** One of the two counters. */
class DualTimerModule {
  control = 0;
  intstatus = 0;
  /** LOAD as the guest wrote it (the ptimer limit holds the effective value). */
  load = 0;
  /** Upper half of VALUE kept while counting in 16 bits. */
  value = 0;
  readonly timer: Ptimer;

  constructor(clock: VirtualClock, private readonly timclkHz: number, onTick: () => void) {
    this.timer = new Ptimer(clock, onTick, CMSDK_PTIMER_POLICY);
  }

  reset(): void {
    this.control = CmsdkDualTimerCtrl.INTEN;
    this.intstatus = 0;
    this.load = 0;
    this.value = 0xffff_ffff;
    const t = this.timer;
    t.begin();
    t.stop();
    // free-running, VALUE 0xffffffff, 16-bit: count and limit both 0xffff
    t.setLimit(0xffff, true);
    t.setPeriodFromHz(this.timclkHz, divisorOf(this.control));
    t.commit();
  }

  masked(): boolean {
    return this.intstatus !== 0 && (this.control & CmsdkDualTimerCtrl.INTEN) !== 0;
  }

  writeControl(newctrl: number): void {
    const C = CmsdkDualTimerCtrl;
    const t = this.timer;
    t.begin();
    newctrl &= C.MASK;
    const changed = this.control ^ newctrl;
    if ((changed & ~newctrl & C.ENABLE) !== 0) t.stop(); // ENABLE cleared: stop first
    if ((changed & C.PRESCALE) !== 0) t.setPeriodFromHz(this.timclkHz, divisorOf(newctrl));
    if ((changed & C.MODE) !== 0) {
      let load: number;
      if ((newctrl & C.MODE) !== 0) {
        load = this.load; // periodic: the limit is LOAD
      } else {
        // free-running: wraps around; remember LOAD
        load = t.getLimit();
        if ((this.control & C.SIZE) === 0) load = deposit16(this.load, load);
        this.load = load;
        load = 0xffff_ffff;
      }
      if ((this.control & C.SIZE) === 0) load &= 0xffff;
      t.setLimit(load, false);
    }
    if ((changed & C.SIZE) !== 0) {
      let value = t.getCount();
      let load = t.getLimit();
      if ((newctrl & C.SIZE) !== 0) {
        value = deposit16(this.value, value); // 16 -> 32: the top half was kept
      } else {
        this.value = value; // 32 -> 16: keep the top half, count in the low one
        value &= 0xffff;
      }
      if ((newctrl & C.MODE) !== 0) {
        if ((newctrl & C.SIZE) !== 0) {
          load = deposit16(this.load, load);
        } else {
          this.load = load;
          load &= 0xffff;
        }
      } else {
        load = (newctrl & C.SIZE) !== 0 ? 0xffff_ffff : 0xffff;
      }
      t.setCount(value >>> 0);
      t.setLimit(load >>> 0, false);
    }
    // Start after every other change, even if ENABLE did not change (an expired one-shot
    // turned into a free-running or periodic timer restarts).
    if ((newctrl & C.ENABLE) !== 0) t.run((newctrl & C.ONESHOT) !== 0);
    this.control = newctrl;
    t.commit();
  }

  readLoad(): number {
    if ((this.control & CmsdkDualTimerCtrl.MODE) !== 0) {
      const r = this.timer.getLimit();
      return (this.control & CmsdkDualTimerCtrl.SIZE) === 0 ? deposit16(this.load, r) : r;
    }
    return this.load;
  }

  readValue(): number {
    const r = this.timer.getCount();
    return (this.control & CmsdkDualTimerCtrl.SIZE) === 0 ? deposit16(this.value, r) : r >>> 0;
  }

  writeLoad(value: number): void {
    this.load = value;
    this.value = value;
    if ((this.control & CmsdkDualTimerCtrl.SIZE) === 0) value &= 0xffff;
    const t = this.timer;
    t.begin();
    if ((this.control & CmsdkDualTimerCtrl.MODE) === 0) {
      t.setCount(value); // free-running: no limit, but the count changes
    } else {
      if (value === 0) t.stop();
      t.setLimit(value, true);
      if (value !== 0 && (this.control & CmsdkDualTimerCtrl.ENABLE) !== 0) t.run(true); // QEMU restarts it as one-shot
    }
    t.commit();
  }

  writeBgLoad(value: number): void {
    this.load = value;
    if ((this.control & CmsdkDualTimerCtrl.MODE) === 0) return;
    if ((this.control & CmsdkDualTimerCtrl.SIZE) === 0) value &= 0xffff;
    const t = this.timer;
    t.begin();
    t.setLimit(value, false);
    t.commit();
  }
}

/** Construction parameters of a {@link CmsdkApbDualTimer}. */
export interface CmsdkApbDualTimerOptions {
  /** The machine's virtual clock. */
  clock: VirtualClock;
  /** TIMCLK in Hz (default 25 MHz, the MPS2 SYSCLK). */
  timclkHz?: number;
  /** TIMINTC, the combined interrupt (the one the MPS2 boards connect). */
  irq?: IrqLine;
  /** TIMINT1. */
  irq1?: IrqLine;
  /** TIMINT2. */
  irq2?: IrqLine;
}

export class CmsdkApbDualTimer implements MmioHandler {
  readonly irq: IrqLine;
  readonly irq1: IrqLine;
  readonly irq2: IrqLine;
  private readonly mods: readonly [DualTimerModule, DualTimerModule];
  private timeritcr = 0;
  private timeritop = 0;

  constructor(options: CmsdkApbDualTimerOptions) {
    this.irq = options.irq ?? new IrqPin();
    this.irq1 = options.irq1 ?? new IrqPin();
    this.irq2 = options.irq2 ?? new IrqPin();
    const hz = options.timclkHz ?? MPS2_SYSCLK_HZ;
    const mk = (): DualTimerModule => {
      const m: DualTimerModule = new DualTimerModule(options.clock, hz, () => {
        m.intstatus = 1;
        this.update();
      });
      return m;
    };
    this.mods = [mk(), mk()];
    this.reset();
  }

  /** Device reset: both timers stopped, free-running 16-bit, INTEN set, VALUE 0xffffffff. */
  reset(): void {
    for (const m of this.mods) m.reset();
    this.timeritcr = 0;
    this.timeritop = 0;
  }

  /** The ptimer of timer `n` (1 or 2), for tests: `deadline` is its next underflow. */
  ptimer(n: 1 | 2): Ptimer {
    return this.mods[n - 1]!.timer;
  }

  read(offset: number, size: number): number {
    let r = 0;
    if (offset >= CmsdkDualTimerReg.TIMERITCR) {
      if (offset === CmsdkDualTimerReg.TIMERITCR) r = this.timeritcr;
      else if (offset >= CmsdkDualTimerReg.PID4 && offset <= CmsdkDualTimerReg.CID3) r = CMSDK_DUALTIMER_ID[(offset - CmsdkDualTimerReg.PID4) >>> 2]!;
    } else {
      const idx = offset >>> 5;
      const m = this.mods[idx];
      if (m !== undefined) {
        switch (offset & 0x1f) {
          case CmsdkDualTimerReg.LOAD:
          case CmsdkDualTimerReg.BGLOAD: r = m.readLoad(); break;
          case CmsdkDualTimerReg.VALUE: r = m.readValue(); break;
          case CmsdkDualTimerReg.CONTROL: r = m.control; break;
          case CmsdkDualTimerReg.RIS: r = m.intstatus; break;
          case CmsdkDualTimerReg.MIS: r = m.masked() ? 1 : 0; break;
          default: r = 0;
        }
      }
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    if (offset >= CmsdkDualTimerReg.TIMERITCR) {
      if (offset === CmsdkDualTimerReg.TIMERITCR) {
        this.timeritcr = value & 1;
        this.update();
      } else if (offset === CmsdkDualTimerReg.TIMERITOP) {
        this.timeritop = value & 3;
        this.update();
      }
      return;
    }
    const m = this.mods[offset >>> 5];
    if (m === undefined) return;
    switch (offset & 0x1f) {
      case CmsdkDualTimerReg.LOAD: m.writeLoad(value); break;
      case CmsdkDualTimerReg.BGLOAD: m.writeBgLoad(value); break;
      case CmsdkDualTimerReg.CONTROL:
        m.writeControl(value);
        this.update();
        break;
      case CmsdkDualTimerReg.INTCLR:
        m.intstatus = 0;
        this.update();
        break;
      default:
        break;
    }
  }

  private update(): void {
    let i1: boolean;
    let i2: boolean;
    if (this.timeritcr !== 0) {
      i1 = (this.timeritop & 1) !== 0;
      i2 = (this.timeritop & 2) !== 0;
    } else {
      i1 = this.mods[0].masked();
      i2 = this.mods[1].masked();
    }
    this.irq1.set(i1);
    this.irq2.set(i2);
    this.irq.set(i1 || i2);
  }
}
