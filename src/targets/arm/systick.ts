/**
 * SysTick (0xE000E010..0xE000E01F): a 24-bit down counter clocked by the CPU clock (CLKSOURCE = 1)
 * or the reference clock, in virtual time. CSR (ENABLE, TICKINT, CLKSOURCE, COUNTFLAG), RVR, CVR
 * (any write clears it and COUNTFLAG), CALIB. Reaching 0 sets COUNTFLAG and, with TICKINT, pends
 * exception 15; the counter reloads from RVR on the next tick.
 */
import type { ClockEvent, VirtualClock } from '../../core/clock.js';
import type { ArmCpu } from './cpu.js';
import { ArmExc } from './exception-model.js';
import type { ArmExceptions } from './exceptions.js';

export interface SysTickOptions {
  /** CPU clock in Hz (CLKSOURCE = 1): QEMU's mps2 boards run at 25 MHz. */
  cpuHz: number;
  /** Reference clock in Hz (CLKSOURCE = 0); 1 MHz on QEMU's mps2 boards. */
  refHz?: number;
}

export class SysTick {
  private csr = 0;
  private rvr = 0;
  /** Virtual ns at which the counter (re)started from `startValue`. */
  private startNs = 0;
  private startValue = 0;
  private readonly ev: ClockEvent;

  constructor(private readonly ex: ArmExceptions, private readonly cpu: ArmCpu, private readonly clock: VirtualClock, private readonly o: SysTickOptions) {
    this.ev = { deadline: Infinity, fire: (now) => this.expire(now) };
    clock.addEvent(this.ev);
  }

  private get tickNs(): number { return 1e9 / ((this.csr & 4) !== 0 ? this.o.cpuHz : (this.o.refHz ?? 1_000_000)); }
  private get enabled(): boolean { return (this.csr & 1) !== 0; }

  /** Current counter value. */
  value(): number {
    if (!this.enabled) return this.startValue;
    const ticks = Math.floor((this.clock.nowNs() - this.startNs) / this.tickNs);
    if (ticks <= this.startValue) return this.startValue - ticks;
    const period = this.rvr + 1;
    if (this.rvr === 0) return 0;
    return this.rvr - ((ticks - this.startValue - 1) % period);
  }

  private schedule(): void {
    if (!this.enabled || (this.rvr === 0 && this.startValue === 0)) { this.ev.deadline = Infinity; this.clock.reschedule(); return; }
    const now = this.clock.nowNs();
    const ticks = Math.floor((now - this.startNs) / this.tickNs);
    let zeroAt: number;
    if (ticks < this.startValue) zeroAt = this.startValue;
    else {
      const period = this.rvr + 1;
      zeroAt = this.startValue + Math.floor((ticks - this.startValue) / period) * period + period;
    }
    this.ev.deadline = this.startNs + zeroAt * this.tickNs;
    this.clock.reschedule();
  }

  private expire(now: number): void {
    this.csr |= 1 << 16; // COUNTFLAG
    if ((this.csr & 2) !== 0) this.ex.setPending(this.cpu, ArmExc.SysTick);
    // Rebase: the counter is 0 now and reloads on the next tick.
    this.startNs = now;
    this.startValue = 0;
    this.schedule();
  }

  read(off: number, _size: number): number {
    switch (off) {
      case 0x0: { const v = this.csr; this.csr &= ~(1 << 16); return v >>> 0; }
      case 0x4: return this.rvr;
      case 0x8: return this.value();
      case 0xc: return 0; // CALIB: no reference value (NOREF clear, SKEW clear, TENMS 0)
      default: return 0;
    }
  }

  write(off: number, _size: number, value: number): void {
    switch (off) {
      case 0x0: {
        const cur = this.value();
        this.csr = (this.csr & (1 << 16)) | (value & 7);
        this.startNs = this.clock.nowNs();
        this.startValue = cur;
        this.schedule();
        break;
      }
      case 0x4: this.rvr = value & 0xffffff; this.schedule(); break;
      case 0x8:
        this.csr &= ~(1 << 16);
        this.startNs = this.clock.nowNs();
        this.startValue = 0;
        this.schedule();
        break;
      default: break;
    }
  }
}
