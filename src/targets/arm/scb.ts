/**
 * System Control Block registers (0xE000ED00..0xE000ED8F) as a view over {@link ArmExceptions}:
 * CPUID, ICSR, VTOR, AIRCR (PRIGROUP, SYSRESETREQ, VECTKEY), SCR, CCR, SHPR1-3, SHCSR, CFSR,
 * HFSR, DFSR, MMFAR, BFAR, AFSR. Offsets are relative to 0xE000ED00.
 */
import type { ArmCpu } from './cpu.js';
import { ArmExc, Ccr } from './exception-model.js';
import type { ArmExceptions } from './exceptions.js';

/** CPUID values QEMU reports. */
export const CPUID = { 'cortex-m3': 0x410fc231, 'cortex-m0': 0x410cc200, 'cortex-m4': 0x410fc240 } as const;

const SHCSR_ACT: [number, number][] = [[ArmExc.MemManage, 0], [ArmExc.BusFault, 1], [ArmExc.UsageFault, 3], [ArmExc.SVCall, 7], [ArmExc.DebugMonitor, 8], [ArmExc.PendSV, 10], [ArmExc.SysTick, 11]];
const SHCSR_PEND: [number, number][] = [[ArmExc.UsageFault, 12], [ArmExc.MemManage, 13], [ArmExc.BusFault, 14], [ArmExc.SVCall, 15]];

export class Scb {
  /** Set by the machine: AIRCR.SYSRESETREQ was written. */
  onSystemReset: () => void = () => {};
  constructor(private readonly ex: ArmExceptions, private readonly cpu: ArmCpu, readonly cpuid: number = CPUID['cortex-m3']) {}

  read(off: number, size: number): number {
    const ex = this.ex;
    if (off >= 0x18 && off < 0x24) {
      // SHPR1-3: one byte per system exception 4..15
      let v = 0;
      for (let i = 0; i < size; i++) v |= (ex.priority[4 + off - 0x18 + i]! & ex.priorityMask) << (8 * i);
      return v >>> 0;
    }
    const w = this.readWord(off & ~3);
    return size === 4 ? w : (w >>> (8 * (off & 3))) & (size === 1 ? 0xff : 0xffff);
  }

  private readWord(off: number): number {
    const ex = this.ex, cpu = this.cpu;
    switch (off) {
      case 0x00: return this.cpuid;
      case 0x04: {
        const pend = ex.pendingNumber();
        let v = (cpu.ipsr & 0x1ff) | (pend << 12);
        if (ex.activeCount() <= 1) v |= 1 << 11;
        for (let n = 16; n < ex.count; n++) if (ex.pending[n] !== 0) { v |= 1 << 22; break; }
        if (ex.pending[ArmExc.NMI]) v |= 1 << 31;
        if (ex.pending[ArmExc.PendSV]) v |= 1 << 28;
        if (ex.pending[ArmExc.SysTick]) v |= 1 << 26;
        return v >>> 0;
      }
      case 0x08: return ex.vtor >>> 0;
      case 0x0c: return (0xfa050000 | (ex.prigroup << 8)) >>> 0;
      case 0x10: return ex.scr;
      case 0x14: return ex.ccr;
      case 0x24: {
        let v = ex.shcsr & (7 << 16);
        for (const [n, b] of SHCSR_ACT) if (ex.active[n]) v |= 1 << b;
        for (const [n, b] of SHCSR_PEND) if (ex.pending[n]) v |= 1 << b;
        return v >>> 0;
      }
      case 0x28: return ex.cfsr >>> 0;
      case 0x2c: return ex.hfsr >>> 0;
      case 0x34: return ex.mmfar >>> 0;
      case 0x38: return ex.bfar >>> 0;
      default: return 0;
    }
  }

  write(off: number, size: number, value: number): void {
    const ex = this.ex, cpu = this.cpu;
    if (off >= 0x18 && off < 0x24) {
      for (let i = 0; i < size; i++) {
        const n = 4 + off - 0x18 + i;
        if (n !== ArmExc.Reset && n !== ArmExc.NMI && n !== ArmExc.HardFault) ex.priority[n] = (value >>> (8 * i)) & ex.priorityMask;
      }
      ex.priorityChanged(cpu);
      return;
    }
    if (size !== 4) value = (value & (size === 1 ? 0xff : 0xffff)) << (8 * (off & 3));
    switch (off & ~3) {
      case 0x04:
        if (value & (1 << 31)) ex.setPending(cpu, ArmExc.NMI);
        if (value & (1 << 28)) ex.setPending(cpu, ArmExc.PendSV);
        if (value & (1 << 27)) ex.clearPending(cpu, ArmExc.PendSV);
        if (value & (1 << 26)) ex.setPending(cpu, ArmExc.SysTick);
        if (value & (1 << 25)) ex.clearPending(cpu, ArmExc.SysTick);
        break;
      case 0x08: ex.vtor = value & 0xffffff80; break;
      case 0x0c:
        if ((value >>> 16) !== 0x05fa) break;
        ex.prigroup = (value >>> 8) & 7;
        if (value & 4) this.onSystemReset();
        ex.priorityChanged(cpu);
        break;
      case 0x10: ex.scr = value & 0x16; break;
      case 0x14: ex.ccr = (value & (Ccr.UNALIGN_TRP | Ccr.DIV_0_TRP | Ccr.STKALIGN | 0x103)) >>> 0; break;
      case 0x24:
        ex.shcsr = value & (7 << 16);
        for (const [n, b] of SHCSR_ACT) ex.active[n] = (value >>> b) & 1;
        for (const [n, b] of SHCSR_PEND) ex.pending[n] = (value >>> b) & 1;
        ex.priorityChanged(cpu);
        break;
      case 0x28: ex.cfsr &= ~value; break;
      case 0x2c: ex.hfsr &= ~value; break;
      case 0x34: ex.mmfar = value >>> 0; break;
      case 0x38: ex.bfar = value >>> 0; break;
      default: break;
    }
  }
}
