/**
 * NVIC registers (ISER, ICER, ISPR, ICPR, IABR at 0xE000E100.., IPR at 0xE000E400..) and the
 * System Control Space that holds them with SysTick and the SCB: {@link Scs} is the one MMIO
 * region a machine maps at 0xE000E000 (4 KiB).
 */
import { MVFR0, MVFR1, type ArmFpu } from './fpu.js';
import type { MmioHandler } from '../../core/bus.js';
import type { ArmCpu } from './cpu.js';
import type { ArmExceptions } from './exceptions.js';
import type { Scb } from './scb.js';
import type { SysTick } from './systick.js';
import type { ArmMpu } from './mpu.js';

export const SCS_BASE = 0xe000e000;

export class Nvic {
  constructor(private readonly ex: ArmExceptions, private readonly cpu: ArmCpu) {}

  /** Offset relative to 0xE000E100. */
  read(off: number, size: number): number {
    const ex = this.ex;
    if (off >= 0x300 && off < 0x300 + 0x3f0) {
      let v = 0;
      for (let i = 0; i < size; i++) {
        const n = 16 + off - 0x300 + i;
        if (n < ex.count) v |= (ex.priority[n]! & ex.priorityMask) << (8 * i);
      }
      return v >>> 0;
    }
    const bank = (off & 0x7f) >> 2;
    const group = off >> 7; // 0 ISER, 1 ICER, 2 ISPR, 3 ICPR, 4 IABR
    const arr = group <= 1 ? ex.enabled : group <= 3 ? ex.pending : group === 4 ? ex.active : undefined;
    if (arr === undefined) return 0;
    let v = 0;
    for (let b = 0; b < 32; b++) {
      const n = 16 + bank * 32 + b;
      if (n < ex.count && arr[n]) v |= 1 << b;
    }
    return size === 4 ? v >>> 0 : (v >>> (8 * (off & 3))) & (size === 1 ? 0xff : 0xffff);
  }

  write(off: number, size: number, value: number): void {
    const ex = this.ex;
    if (off >= 0x300 && off < 0x300 + 0x3f0) {
      for (let i = 0; i < size; i++) {
        const n = 16 + off - 0x300 + i;
        if (n < ex.count) ex.priority[n] = (value >>> (8 * i)) & ex.priorityMask;
      }
      ex.priorityChanged(this.cpu);
      return;
    }
    if (size !== 4) value = (value & (size === 1 ? 0xff : 0xffff)) << (8 * (off & 3));
    const bank = (off & 0x7f) >> 2;
    const group = off >> 7;
    for (let b = 0; b < 32; b++) {
      if (((value >>> b) & 1) === 0) continue;
      const n = 16 + bank * 32 + b;
      if (n >= ex.count) continue;
      switch (group) {
        case 0: ex.enabled[n] = 1; break;
        case 1: ex.enabled[n] = 0; break;
        case 2: ex.pending[n] = 1; break;
        case 3: ex.pending[n] = 0; break;
        default: break;
      }
    }
    ex.priorityChanged(this.cpu);
  }
}

/** The System Control Space: ICTR, SysTick, NVIC, SCB, STIR. Offsets from 0xE000E000. */
export class Scs implements MmioHandler {
  constructor(private readonly ex: ArmExceptions, private readonly cpu: ArmCpu, readonly nvic: Nvic, readonly scb: Scb, readonly systick: SysTick,
    readonly mpu: ArmMpu | null = null, readonly fpu: ArmFpu | null = null) {}

  read(off: number, size: number): number {
    if (off === 0x004) return ((this.ex.count - 16 + 31) >> 5) - 1; // ICTR
    if (this.fpu !== null) {
      const f = this.fpu;
      switch (off) {
        case 0xd88: return f.cpacr;
        case 0xf34: return f.fpccr;
        case 0xf38: return f.fpcar;
        case 0xf3c: return f.fpdscr;
        case 0xf40: return MVFR0;
        case 0xf44: return MVFR1;
        default: break;
      }
    }
    if (off >= 0x010 && off < 0x020) return this.systick.read(off - 0x10, size);
    if (off >= 0x100 && off < 0x500) return this.nvic.read(off - 0x100, size);
    if (off >= 0xd00 && off < 0xd90) return this.scb.read(off - 0xd00, size);
    if (off >= 0xd90 && off < 0xdbc && this.mpu !== null) return this.mpu.read(off - 0xd90);
    return 0;
  }

  write(off: number, size: number, value: number): void {
    const f = this.fpu;
    if (f !== null && off === 0xd88) f.cpacr = value & 0x00f00000;
    else if (f !== null && off === 0xf34) f.fpccr = ((f.fpccr & ~0xc000017b) | (value & 0xc000017b)) >>> 0;
    else if (f !== null && off === 0xf38) f.fpcar = value & ~7;
    else if (f !== null && off === 0xf3c) f.fpdscr = value & 0x07c00000;
    else if (off >= 0x010 && off < 0x020) this.systick.write(off - 0x10, size, value);
    else if (off >= 0x100 && off < 0x500) this.nvic.write(off - 0x100, size, value);
    else if (off >= 0xd00 && off < 0xd90) this.scb.write(off - 0xd00, size, value);
    else if (off >= 0xd90 && off < 0xdbc && this.mpu !== null) this.mpu.write(off - 0xd90, value);
    else if (off === 0xf00) this.ex.setPending(this.cpu, 16 + (value & 0x1ff)); // STIR
    this.cpu.exitReq = 1;
  }
}
