/**
 * Physical memory protection (16 entries, OFF/TOR/NA4/NAPOT, lock bit), as QEMU 7.2 applies it:
 * M-mode is checked only against locked entries; S/U-mode needs a matching entry and, when no
 * entry is active at all, is denied.
 */
const R = 1, W = 2, X = 4, A_SHIFT = 3, L = 0x80;
const OFF = 0, TOR = 1, NA4 = 2, NAPOT = 3;
const N = 16;

export class Pmp {
  readonly cfg = new Uint8Array(N);
  readonly addr: bigint[] = new Array<bigint>(N).fill(0n);
  /** Decoded ranges [lo, hi) in bytes, as exact doubles; hi = lo for inactive entries. */
  private readonly lo = new Float64Array(N);
  private readonly hi = new Float64Array(N);
  private active = 0;
  /** RAM range used to decide whether generated code may access RAM without checks. */
  ramBase = 0;
  ramSize = 0;

  /** Tell the PMP where RAM is (for the fast-path range). */
  setRam(base: number, size: number): void {
    this.ramBase = base;
    this.ramSize = size;
    this.rangeCache.length = 0;
  }

  /** Reset: every entry OFF and unlocked. */
  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0n);
    this.decode();
  }

  readCfg(reg: number, xlen: number): bigint {
    const per = xlen / 8;
    const first = reg * 4; // RV64: pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15
    let v = 0n;
    for (let i = 0; i < per && first + i < N; i++) v |= BigInt(this.cfg[first + i]!) << BigInt(8 * i);
    return v;
  }

  writeCfg(reg: number, v: bigint, xlen: number): void {
    if (xlen === 64 && (reg & 1) !== 0) return;
    const per = xlen / 8;
    const first = reg * 4; // RV64: pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15
    for (let i = 0; i < per && first + i < N; i++) {
      const e = first + i;
      if ((this.cfg[e]! & L) !== 0) continue;
      // QEMU 7.2 stores the byte as written (reserved bits 6:5 and W without R included).
      const b = Number((v >> BigInt(8 * i)) & 0xffn);
      this.cfg[e] = b;
    }
    this.decode();
  }

  readAddr(i: number): bigint { return i < N ? this.addr[i]! : 0n; }

  writeAddr(i: number, v: bigint, xlen: number): void {
    if (i >= N) return;
    if ((this.cfg[i]! & L) !== 0) return;
    if (i + 1 < N && (this.cfg[i + 1]! & L) !== 0 && ((this.cfg[i + 1]! >> A_SHIFT) & 3) === TOR) return;
    this.addr[i] = xlen === 64 ? v & ((1n << 54n) - 1n) : v & 0xffffffffn;
    this.decode();
  }

  private decode(): void {
    this.rangeCache.length = 0;
    this.active = 0;
    for (let i = 0; i < N; i++) {
      const a = (this.cfg[i]! >> A_SHIFT) & 3;
      const addr = this.addr[i]!;
      let lo = 0n, hi = 0n;
      if (a === TOR) { lo = i === 0 ? 0n : this.addr[i - 1]! << 2n; hi = addr << 2n; }
      else if (a === NA4) { lo = addr << 2n; hi = lo + 4n; }
      else if (a === NAPOT) {
        let t = 0n;
        while (((addr >> t) & 1n) === 1n && t < 64n) t++;
        const size = 1n << (t + 3n);
        lo = (addr & ~((1n << (t + 1n)) - 1n)) << 2n;
        hi = lo + size;
      }
      this.lo[i] = Number(lo);
      this.hi[i] = Number(hi);
      if (a !== OFF && hi > lo) this.active++;
    }
  }

  /**
   * Entries whose A field is not OFF, whatever their range: QEMU 7.2's `pmp_get_num_rules`
   * (pmp.c pmp_update_rule_nums), which helper_mret consults.
   */
  numRules(): number {
    let n = 0;
    for (let i = 0; i < N; i++) if (((this.cfg[i]! >> A_SHIFT) & 3) !== OFF) n++;
    return n;
  }

  /** May an access of `size` bytes at `a` with permission `perm` (1 R, 2 W, 4 X) proceed in `priv`? */
  allows(a: number, size: number, perm: number, priv: number): boolean {
    if (this.active === 0) return priv === 3;
    const end = a + size;
    for (let i = 0; i < N; i++) {
      const c = this.cfg[i]!;
      if (((c >> A_SHIFT) & 3) === OFF) continue;
      const lo = this.lo[i]!, hi = this.hi[i]!;
      if (end <= lo || a >= hi) continue;
      if (a < lo || end > hi) return false; // partial match fails
      if (priv === 3 && (c & L) === 0) return true;
      return (c & perm) === perm;
    }
    return priv === 3;
  }

  /**
   * The longest stretch of RAM, as [start, end) offsets from `ramBase`, whose every byte is
   * readable and writable in `priv`: generated code accesses it without per-access checks
   * (firmware such as OpenSBI protects only its own few pages from S-mode). Null if none.
   */
  fastRange(priv: number): [number, number] | null {
    const cached = this.rangeCache[priv];
    if (cached !== undefined) return cached;
    const r = this.computeFastRange(priv);
    this.rangeCache[priv] = r;
    return r;
  }

  private readonly rangeCache: ([number, number] | null | undefined)[] = [];

  private computeFastRange(priv: number): [number, number] | null {
    const base = this.ramBase, end = base + this.ramSize;
    if (this.ramSize === 0) return null;
    const cuts = new Set<number>([base, end]);
    for (let i = 0; i < N; i++) {
      if (((this.cfg[i]! >> A_SHIFT) & 3) === OFF) continue;
      for (const b of [this.lo[i]!, this.hi[i]!]) if (b > base && b < end) cuts.add(b);
    }
    const pts = [...cuts].sort((a, b) => a - b);
    let best: [number, number] | null = null, runStart = -1;
    for (let j = 0; j + 1 < pts.length; j++) {
      const a = pts[j]!, b = pts[j + 1]!;
      // Within one segment the first matching entry is the same for every byte.
      const ok = this.allows(a, b - a, 3, priv);
      if (ok && runStart < 0) runStart = a;
      if ((!ok || j + 2 === pts.length) && runStart >= 0) {
        const stop = ok ? b : a;
        if (best === null || stop - runStart > best[1] - best[0]) best = [runStart, stop];
        runStart = -1;
      }
    }
    return best === null ? null : [best[0] - base, best[1] - base];
  }
}
