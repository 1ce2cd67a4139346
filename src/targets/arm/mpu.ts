/**
 * The ARMv7-M Protected Memory System Architecture (PMSAv7) MPU: 8 regions (RBAR/RASR with
 * subregions, AP, XN), MPU_CTRL (ENABLE, HFNMIENA, PRIVDEFENA), registers at 0xE000ED90..0xE000EDBB
 * (offsets here relative to 0xE000ED90: TYPE, CTRL, RNR, RBAR, RASR and the three alias pairs).
 *
 * While the MPU is enabled the CPU translates with {@link MODE_MPU} (no RAM fast path: every access
 * goes through `cpu.ld`/`cpu.st`, which ask {@link ArmMpu.allows}) and, when unprivileged, with
 * {@link MODE_UNPRIV}, so instruction fetch permission is decided per block at translation.
 */

/** Execute-never regions of the ARMv7-M default memory map: Peripheral, Device, System. */
export const defaultXn = (a: number): boolean => (a >= 0x40000000 && a < 0x60000000) || a >= 0xa0000000;

/** Access kinds. */
export const MpuAccess = { Read: 0, Write: 1, Exec: 2 } as const;

export const MPU_REGIONS = 8;

export class ArmMpu {
  ctrl = 0;
  rnr = 0;
  readonly rbar = new Uint32Array(MPU_REGIONS);
  readonly rasr = new Uint32Array(MPU_REGIONS);
  /** Called after CTRL or a region changed (the CPU re-keys its translations). */
  onChange: () => void = () => {};

  get enabled(): boolean { return (this.ctrl & 1) !== 0; }
  /** HFNMIENA: the MPU stays on at execution priority < 0 (HardFault, NMI, FAULTMASK). */
  get hfnmiena(): boolean { return (this.ctrl & 2) !== 0; }

  reset(): void { this.ctrl = 0; this.rnr = 0; this.rbar.fill(0); this.rasr.fill(0); }

  /**
   * May an access of kind `kind` to `addr` happen? `privileged`: the access's privilege (LDRT/STRT
   * are unprivileged). Accesses to the PPB (0xE0000000..0xE00FFFFF) are never checked.
   */
  allows(addr: number, kind: number, privileged: boolean): boolean {
    const a = addr >>> 0;
    if (a >= 0xe0000000 && a < 0xe0100000) return kind !== MpuAccess.Exec;
    let hit = -1;
    for (let i = MPU_REGIONS - 1; i >= 0; i--) {
      const rasr = this.rasr[i]!;
      if ((rasr & 1) === 0) continue;
      const sizeBits = ((rasr >>> 1) & 0x1f) + 1;
      if (sizeBits < 5) continue;
      const size = 2 ** sizeBits;
      const base = sizeBits >= 32 ? 0 : (this.rbar[i]! & ~(size - 1)) >>> 0;
      if (a < base || a - base >= size) continue;
      if (sizeBits >= 8) {
        const sub = Math.floor((a - base) / (size / 8));
        if (((rasr >>> (8 + sub)) & 1) !== 0) continue; // subregion disabled: fall to lower regions
      }
      hit = i;
      break;
    }
    if (hit < 0) {
      // Background: the default memory map for privileged accesses with PRIVDEFENA.
      if (!privileged || (this.ctrl & 4) === 0) return false;
      return kind !== MpuAccess.Exec || !defaultXn(a);
    }
    const rasr = this.rasr[hit]!;
    if (kind === MpuAccess.Exec && ((rasr >>> 28) & 1) !== 0) return false;
    const ap = (rasr >>> 24) & 7;
    const write = kind === MpuAccess.Write;
    switch (ap) {
      case 0: return false;
      case 1: return privileged;
      case 2: return privileged || !write;
      case 3: return true;
      case 5: return privileged && !write;
      case 6: case 7: return !write;
      default: return false;
    }
  }

  read(off: number): number {
    switch (off & ~3) {
      case 0x00: return MPU_REGIONS << 8; // TYPE: DREGION
      case 0x04: return this.ctrl;
      case 0x08: return this.rnr;
      case 0x0c: case 0x14: case 0x1c: case 0x24: return (this.rbar[this.rnr]! & ~0x1f | this.rnr) >>> 0;
      case 0x10: case 0x18: case 0x20: case 0x28: return this.rasr[this.rnr]! >>> 0;
      default: return 0;
    }
  }

  write(off: number, value: number): void {
    switch (off & ~3) {
      case 0x04: this.ctrl = value & 7; break;
      case 0x08: this.rnr = value & (MPU_REGIONS - 1); break;
      case 0x0c: case 0x14: case 0x1c: case 0x24:
        if ((value & 0x10) !== 0) this.rnr = value & (MPU_REGIONS - 1); // VALID: select the region
        this.rbar[this.rnr] = value & ~0x1f;
        break;
      case 0x10: case 0x18: case 0x20: case 0x28: this.rasr[this.rnr] = value & 0x173fff3f; break;
      default: return;
    }
    this.onChange();
  }
}
