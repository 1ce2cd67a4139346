/**
 * Translation-block cache: a direct-mapped array in front of a Map, keyed by (pc, mode bits), plus
 * page-granular tracking of which RAM pages hold translated code so that a guest write to code
 * invalidates exactly the blocks it could change.
 */

/** What the cache needs to know about a compiled block. */
export interface CachedBlock {
  readonly pcLo: number;
  readonly pcHi: number;
  /** Mode bits that changed translation (privilege, XLEN, single-step...). */
  readonly mode: number;
  /** Physical code pages (RAM offset >> PAGE_SHIFT, tagged by region) the block's bytes came from. */
  readonly pages: readonly number[];
  /** Physical byte ranges [start, end) of the block's instructions, one per page it touches. */
  readonly extents: readonly (readonly [number, number])[];
  valid: boolean;
}

export const PAGE_SHIFT = 12;
const DIRECT_BITS = 14;
const DIRECT_MASK = (1 << DIRECT_BITS) - 1;

export class TbCache<B extends CachedBlock> {
  private readonly direct: (B | undefined)[] = new Array(1 << DIRECT_BITS).fill(undefined);
  private readonly map = new Map<string | number, B>();
  private readonly byPage = new Map<number, B[]>();
  /** Count of blocks per code page id; generated stores check it to detect code writes. */
  readonly pageBlocks = new Map<number, number>();
  /** Incremented on every invalidation so that cached successor links can be checked cheaply. */
  generation = 0;
  /** Called when a page gains or loses its last block. */
  onPageState: ((page: number, hasCode: boolean) => void) | null = null;

  private static key(pcLo: number, pcHi: number, mode: number): string | number {
    // Exact keys: numbers when the PC fits 32 bits and mode is small, strings otherwise.
    if (pcHi === 0 && mode < 0x100000) return mode * 0x100000000 + (pcLo >>> 0);
    return `${pcHi >>> 0}:${pcLo >>> 0}:${mode}`;
  }

  /** Fast lookup; undefined on a miss. */
  lookup(pcLo: number, pcHi: number, mode: number): B | undefined {
    const slot = ((pcLo >>> 1) ^ mode) & DIRECT_MASK;
    const d = this.direct[slot];
    if (d !== undefined && d.pcLo === pcLo && d.pcHi === pcHi && d.mode === mode) return d;
    const b = this.map.get(TbCache.key(pcLo, pcHi, mode));
    if (b !== undefined) this.direct[slot] = b;
    return b;
  }

  insert(b: B): void {
    const k = TbCache.key(b.pcLo, b.pcHi, b.mode);
    const old = this.map.get(k);
    if (old !== undefined) this.remove(old);
    this.map.set(k, b);
    this.direct[((b.pcLo >>> 1) ^ b.mode) & DIRECT_MASK] = b;
    for (const p of b.pages) {
      let list = this.byPage.get(p);
      if (list === undefined) { list = []; this.byPage.set(p, list); }
      list.push(b);
      const n = (this.pageBlocks.get(p) ?? 0) + 1;
      this.pageBlocks.set(p, n);
      if (n === 1 && this.onPageState !== null) this.onPageState(p, true);
    }
  }

  private remove(b: B): void {
    b.valid = false;
    this.map.delete(TbCache.key(b.pcLo, b.pcHi, b.mode));
    const slot = ((b.pcLo >>> 1) ^ b.mode) & DIRECT_MASK;
    if (this.direct[slot] === b) this.direct[slot] = undefined;
    for (const p of b.pages) {
      const list = this.byPage.get(p);
      if (list !== undefined) {
        const i = list.indexOf(b);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byPage.delete(p);
      }
      const n = (this.pageBlocks.get(p) ?? 1) - 1;
      if (n <= 0) {
        this.pageBlocks.delete(p);
        if (this.onPageState !== null) this.onPageState(p, false);
      } else this.pageBlocks.set(p, n);
    }
    this.generation++;
  }

  /** Invalidate every block with code on `page`. Returns how many were dropped. */
  invalidatePage(page: number): number {
    const list = this.byPage.get(page);
    if (list === undefined) return 0;
    const victims = list.slice();
    for (const b of victims) this.remove(b);
    return victims.length;
  }

  /**
   * Invalidate the blocks whose instruction bytes overlap physical [addr, addr + size): a write
   * to data that merely shares a page with code keeps the code. Returns how many were dropped.
   */
  invalidateRange(addr: number, size: number): number {
    const end = addr + size;
    let dropped = 0;
    for (let p = Math.floor(addr / 4096); p <= Math.floor((end - 1) / 4096); p++) {
      const list = this.byPage.get(p);
      if (list === undefined) continue;
      const victims = list.filter((b) => b.extents.some(([s, e]) => addr < e && s < end));
      for (const b of victims) this.remove(b);
      dropped += victims.length;
    }
    return dropped;
  }

  /** Drop everything. */
  flush(): void {
    for (const b of this.map.values()) b.valid = false;
    const pages = [...this.pageBlocks.keys()];
    this.map.clear();
    this.byPage.clear();
    this.pageBlocks.clear();
    this.direct.fill(undefined);
    this.generation++;
    if (this.onPageState !== null) for (const p of pages) this.onPageState(p, false);
  }

  get size(): number { return this.map.size; }
}
