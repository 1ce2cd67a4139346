/**
 * Virtual memory: Sv32 (RV32) and Sv39/Sv48/Sv57 (RV64) page-table walks with A/D bits updated
 * in hardware as QEMU 7.2 does, MXR/SUM, and a direct-mapped soft TLB per access type whose RAM
 * entries generated code reads inline. Addresses are handled as exact doubles (all below 2^53:
 * physical addresses are at most 56 bits but no device lives above 2^53).
 */
import type { Bus } from '../../core/bus.js';
import type { Pmp } from './pmp.js';

export const TLB_BITS = 8;
export const TLB_SIZE = 1 << TLB_BITS;
const PAGE = 4096;

/** Access types; also the PMP permission bits. */
export const Access = { Read: 1, Write: 2, Exec: 4 } as const;

/**
 * One direct-mapped TLB. `tag[e]` is the virtual page key (see {@link pageKey}) or NaN when the
 * entry is empty; `off[e]` is the RAM offset of the physical page (only RAM pages are cached).
 */
export class Tlb {
  readonly tag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly off = new Int32Array(TLB_SIZE);
  flush(): void { this.tag.fill(NaN); }
}

/** Exact key of the virtual page of (lo, hi): hi * 2^20 + (lo >>> 12). Generated code computes the same. */
export function pageKey(lo: number, hi: number): number { return hi * 1048576 + (lo >>> 12); }

export interface WalkResult {
  /** Physical address, or -1 on a fault. */
  pa: number;
  /** 0 = ok, 1 = page fault, 2 = access fault (PTE fetch or update failed). */
  fault: number;
  /** Whether the translation may be cached for writes (D already set). */
  dirty: boolean;
}

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

export class Mmu {
  readonly read = new Tlb();
  readonly write = new Tlb();
  readonly exec = new Tlb();
  private readonly res: WalkResult = { pa: -1, fault: 0, dirty: false };

  constructor(private readonly bus: Bus, private readonly pmp: Pmp, private readonly xlen: 32 | 64) {}

  flush(): void { this.read.flush(); this.write.flush(); this.exec.flush(); }

  /**
   * Translate `va` (exact double; for RV64 the sign-extended 64-bit value's unsigned form is
   * passed as lo/hi) for `access` in privilege `priv` under `satp`. SUM/MXR from mstatus.
   */
  walk(satp: bigint, lo: number, hi: number, access: number, priv: number, sum: boolean, mxr: boolean): WalkResult {
    const r = this.res;
    r.pa = -1; r.fault = 1; r.dirty = false;
    let levels: number, ptesize: number, vpnBits: number;
    let rootPpn: number;
    if (this.xlen === 32) {
      levels = 2; ptesize = 4; vpnBits = 10;
      rootPpn = Number(satp & 0x3fffffn);
    } else {
      const mode = Number(satp >> 60n);
      levels = mode === 8 ? 3 : mode === 9 ? 4 : 5;
      ptesize = 8; vpnBits = 9;
      rootPpn = Number(satp & 0xfffffffffffn);
      // The address must be sign-extended from bit (12 + 9 * levels - 1).
      const vaBits = 12 + 9 * levels;
      const top = vaBits - 32; // bits of hi that are significant
      const signMask = top >= 32 ? 0 : ~((1 << (top - 1)) - 1) | 0; // hi bits that must equal the sign
      const ext = hi & signMask;
      if (ext !== 0 && ext !== signMask) return r;
    }
    // Virtual page number pieces.
    const vpnFull = this.xlen === 32 ? lo >>> 12 : (hi >>> 0) * 1048576 + (lo >>> 12);
    let a = rootPpn * PAGE;
    for (let i = levels - 1; i >= 0; i--) {
      const idx = Math.floor(vpnFull / 2 ** (vpnBits * i)) % 2 ** vpnBits;
      const pteAddr = a + idx * ptesize;
      if (!this.pmp.allows(pteAddr, ptesize, Access.Read, 1)) { r.fault = 2; return r; }
      this.bus.error = 0;
      let pteLo = this.bus.read(pteAddr, ptesize) >>> 0;
      const pteHi = ptesize === 8 ? this.bus.hi32 >>> 0 : 0;
      if (this.bus.error !== 0) { r.fault = 2; return r; }
      if ((pteLo & PTE_V) === 0 || ((pteLo & PTE_R) === 0 && (pteLo & PTE_W) !== 0)) return r;
      // Reserved high bits (Svpbmt/Svnapot not supported): bits 54..63 must be zero (QEMU 7.2).
      if (ptesize === 8 && (pteHi >>> 22) !== 0) return r;
      const ppn = ptesize === 8 ? (pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10) : pteLo >>> 10;
      if ((pteLo & (PTE_R | PTE_X)) === 0) {
        if (i === 0) return r;
        // A, D and U are reserved in a pointer: QEMU 7.2 page-faults on them
        // (target/riscv/cpu_helper.c get_physical_address: `if (pte & (PTE_D | PTE_A | PTE_U | PTE_ATTR))`).
        if ((pteLo & (PTE_A | PTE_D | PTE_U)) !== 0) return r;
        a = ppn * PAGE;
        continue;
      }
      // Leaf: permissions.
      const u = (pteLo & PTE_U) !== 0;
      if (priv === 0 && !u) return r;
      if (priv === 1 && u && (access === Access.Exec || !sum)) return r;
      if (access === Access.Read && (pteLo & PTE_R) === 0 && !(mxr && (pteLo & PTE_X) !== 0)) return r;
      if (access === Access.Write && (pteLo & PTE_W) === 0) return r;
      if (access === Access.Exec && (pteLo & PTE_X) === 0) return r;
      // Superpage alignment.
      const span = 2 ** (vpnBits * i);
      if (ppn % span !== 0) return r;
      // A and D bits, updated in hardware as QEMU does.
      const want = PTE_A | (access === Access.Write ? PTE_D : 0);
      if ((pteLo & want) !== want) {
        if (!this.pmp.allows(pteAddr, ptesize, Access.Write, 1)) { r.fault = 2; return r; }
        pteLo |= want;
        this.bus.error = 0;
        this.bus.write(pteAddr, 4, pteLo);
        if (this.bus.error !== 0) { r.fault = 2; return r; }
      }
      const pagePpn = ppn + (vpnFull % span);
      r.pa = pagePpn * PAGE + (lo & 0xfff);
      r.fault = 0;
      r.dirty = (pteLo & PTE_D) !== 0;
      return r;
    }
    return r;
  }
}
