/**
 * The random test-case generator: a case is initial registers, initial data-area contents and a
 * list of items (one or a few instructions each) drawn from instruction groups. Groups live in
 * ./groups/ and register themselves in ./groups/index.ts; adding one (F/D, bitmanip, page tables)
 * is one file plus one line there.
 *
 * Items are assembler text for scripts' RISC-V assembler (src/targets/riscv/test-support/asm.ts),
 * with two placeholders: `{T}` is the label of the item's branch target (a later item, or the
 * case's end) and `{L}` is a prefix unique to the item, for its own local labels. Branch targets
 * are item indices: when the minimiser drops items, a target that was dropped becomes the next
 * remaining item, so control flow always goes forward and always reaches the epilogue.
 */
import { liLength, XREG_NAMES } from './deps.js';
import { DATA, DATA_SIZE, GP_VALUE, RAM_END, type Xlen } from './layout.js';
import { mixSeed, Rng } from './rng.js';

/** Target index meaning "the end of the case" (the epilogue). */
export const END = Number.MAX_SAFE_INTEGER;

export interface Item {
  /** Position in the case as generated (stable across minimisation). */
  idx: number;
  group: string;
  /** Assembler lines (placeholders `{T}`, `{L}`). */
  asm: string[];
  /** Exact size in bytes. */
  size: number;
  /** Number of instructions. */
  ninsn: number;
  /** Branch target: index of a later item, or END. */
  target?: number;
  /** Largest forward distance in bytes from the item's first byte to its target the encoding allows. */
  reach?: number;
}

export type ItemSpec = Omit<Item, 'idx' | 'group'>;

/** Initial floating-point state of an `fp` case (init loads it; the epilogue dumps f0..f31 and fcsr). */
export interface FpInit {
  /** f0..f31, raw 64-bit patterns (singles NaN-boxed or not). */
  regs: bigint[];
  /** fcsr (frm in 7:5, fflags in 4:0). */
  fcsr: number;
  /** mstatus.FS after init (0 off, 1 initial, 2 clean, 3 dirty). */
  fs: number;
}

/** Page tables of a `paging` case: copied to PT_BASE by init, compared after the case (the P line). */
export interface PtInit {
  /** The tables, 4 KiB each, from PT_BASE. */
  bytes: Uint8Array;
  /** A human-readable description (reports). */
  info: string[];
}

export interface Case {
  xlen: Xlen;
  /** Human-readable origin: `seed/index`. */
  name: string;
  /** x0..x31 initial values (unsigned XLEN); x0 = 0, x3 (gp) = GP_VALUE. */
  regs: bigint[];
  /** Initial contents of the data area (DATA_SIZE bytes). */
  data: Uint8Array;
  items: Item[];
  groups: string[];
  /** Floating-point state set up before the items (mstatus.FS on): `fp` cases. */
  fp?: FpInit;
  /** Page tables set up before the items: `paging` cases (they also get the exit gate). */
  pt?: PtInit;
}

export interface Group {
  name: string;
  /** Relative frequency when several groups are mixed. */
  weight: number;
  /** XLENs it supports (default both). */
  xlens?: Xlen[];
  /**
   * When several groups are mixed, the probability that the group takes part in a given case
   * (default 1): groups with a costly per-case set-up (fp, paging) are in some cases only, so
   * that the others also run without it (e.g. F/D encodings stay illegal with mstatus.FS off).
   */
  perCase?: number;
  /** Per-case set-up, before any item is generated (initial FP state, page tables). */
  setup?(ctx: GenCtx): void;
  /** One item (or a few that belong together but may be minimised separately). */
  gen(ctx: GenCtx): ItemSpec | ItemSpec[];
}

export const REG = (r: number): string => XREG_NAMES[r]!;

/** Registers generated code may write: everything but x0 and gp (x3, the data-area pointer). */
export const WRITABLE: readonly number[] = Array.from({ length: 32 }, (_, i) => i).filter((r) => r !== 0 && r !== 3);

/** Interesting data values of each width (unsigned). */
export function interesting(xlen: Xlen, rng: Rng): bigint {
  const M = (1n << BigInt(xlen)) - 1n;
  const v = rng.weighted<() => bigint>([
    [3, () => 0n],
    [3, () => M], // -1
    [2, () => 1n],
    [2, () => 1n << BigInt(xlen - 1)], // INT_MIN
    [2, () => (1n << BigInt(xlen - 1)) - 1n], // INT_MAX
    [2, () => 0xffffffff80000000n & M], // INT32_MIN sign-extended
    [1, () => 0x7fffffffn],
    [1, () => 0x80000000n],
    [1, () => 0xffffffffn],
    [2, () => BigInt(rng.range(-16, 16)) & M],
    [2, () => 1n << BigInt(rng.int(xlen))],
    [1, () => ((1n << BigInt(rng.int(xlen))) - 1n) & M],
    [4, () => rng.bits(xlen)],
    [2, () => BigInt.asUintN(xlen, BigInt.asIntN(32, rng.bits(32)))],
    [1, () => BigInt(rng.int(64))],
  ])();
  return v & M;
}

export class GenCtx {
  /** Registers that still hold their initial value (no item so far writes them), else undefined. */
  readonly known: (bigint | undefined)[];
  /** Scratch state groups may keep across items of one case (e.g. the last LR address). */
  readonly state = new Map<string, unknown>();

  /** Set by the fp group's setup: the case has mstatus.FS on and initialised f registers. */
  fp?: FpInit;
  /** Set by the paging group's setup: the case has page tables (and S/U-mode phases). */
  pt?: PtInit;

  constructor(readonly rng: Rng, readonly xlen: Xlen, regs: readonly bigint[], readonly flags: ReadonlySet<string> = new Set(), readonly data: Uint8Array = new Uint8Array(DATA_SIZE)) {
    this.known = regs.slice();
  }

  get mask(): bigint {
    return (1n << BigInt(this.xlen)) - 1n;
  }
  get xb(): number {
    return this.xlen / 8;
  }

  /** A destination register: mostly a writable one, rarely x0 (a HINT / discarded result). */
  rd(allowX0 = true): number {
    if (allowX0 && this.rng.chance(0.03)) return 0;
    return this.rng.pick(WRITABLE);
  }
  /** A source register: any, x0 and gp included. */
  rs(): number {
    return this.rng.int(32);
  }
  /** A register in x8..x15 (compressed 3-bit fields). */
  creg(): number {
    return 8 + this.rng.int(8);
  }

  /** True if the run asked to avoid a known difference (`--avoid NAME`, see KNOWN_AVOIDS in cli.ts). */
  avoid(name: string): boolean {
    return this.flags.has('avoid:' + name);
  }

  /** Marks registers as written with an unknown value (x0 stays 0, gp is never written). */
  clobber(...regs: number[]): void {
    for (const r of regs) {
      if (r === 3) throw new Error('generated code must not write gp');
      if (r !== 0) this.known[r] = undefined;
    }
  }

  /** `li` for the assembler: the signed form of an XLEN value. */
  imm(v: bigint): string {
    return BigInt.asIntN(this.xlen, v).toString();
  }
  liSize(v: bigint): number {
    return 4 * liLength(this.xlen, BigInt.asIntN(this.xlen, v));
  }

  /**
   * Sets up an address for a `size`-byte access inside the data area and returns how to reach
   * it: `pre` instructions (possibly none), then `off(base)`. `offset` maps a wanted offset to one
   * the instruction accepts (or undefined); `base` limits the base registers (compressed forms).
   * Misaligned with probability `misalign`.
   *
   * A base register is reused without set-up only if it still holds its initial value (no item
   * so far writes it): that stays true whatever the control flow and whatever the minimiser
   * drops. Otherwise the set-up is part of the same item.
   */
  dataAddress(
    size: number,
    opts: { misalign?: number; offset?: (want: number) => number | undefined; base?: number[]; reuse?: boolean } = {},
  ): { pre: string[]; preSize: number; base: number; off: number; addr: bigint } {
    const rng = this.rng;
    const mis = rng.chance(opts.misalign ?? 0.2);
    let a: number; // offset into DATA
    do {
      a = rng.int(DATA_SIZE - size + 1);
      if (!mis) a -= a % size;
      else if (size > 1 && a % size === 0) a = a + 1 + rng.int(size - 1);
    } while (a + size > DATA_SIZE);
    const addr = DATA + BigInt(a);
    const offFn = opts.offset ?? ((want: number): number | undefined => (want >= -2048 && want <= 2047 ? want : undefined));
    const bases = opts.base ?? Array.from({ length: 32 }, (_, i) => i);
    // a register that still holds its initial value, near the address
    const cands: { r: number; off: number }[] = [];
    for (const r of bases) {
      const v = this.known[r];
      if (v === undefined) continue;
      const d = addr - v;
      if (d < -4096n || d > 4096n) continue;
      const off = offFn(Number(d));
      if (off !== undefined && v + BigInt(off) === addr) cands.push({ r, off });
    }
    if (cands.length > 0 && (opts.reuse ?? true) && rng.chance(0.6)) {
      const c = rng.pick(cands);
      return { pre: [], preSize: 0, base: c.r, off: c.off, addr };
    }
    // materialise: addi base, gp, k ; access off(base)
    const base = rng.pick(bases.filter((r) => r !== 0 && r !== 3));
    const d = Number(addr - GP_VALUE);
    let off: number | undefined;
    for (let tries = 0; tries < 20 && off === undefined; tries++) {
      const o = offFn(rng.chance(0.5) ? 0 : rng.range(-64, 64));
      if (o !== undefined && d - o >= -2048 && d - o <= 2047) off = o;
    }
    // the accepted offsets may be a coarse grid (compressed forms): take the smallest that works
    for (let o = 0; o < 512 && off === undefined; o++) {
      if (offFn(o) === o && d - o >= -2048 && d - o <= 2047) off = o;
    }
    if (off === undefined) throw new Error(`no offset reaches DATA+${a}`);
    this.clobber(base);
    return { pre: [`addi ${REG(base)}, gp, ${d - off}`], preSize: 4, base, off, addr };
  }

  /**
   * A faulting (or otherwise not-RAM) address: returns the set-up (into `base`, or x0-relative)
   * and the offset. The addresses are unmapped in QEMU's virt (no device behind them, so
   * accesses raise access faults), some straddle the end of RAM, a few are ROM (writes ignored).
   */
  badAddress(size: number, base: number, store: boolean): { pre: string[]; preSize: number; base: number; off: number; addr: bigint } {
    const rng = this.rng;
    const xlen = this.xlen;
    if (rng.chance(0.25)) {
      // x0-relative: 0..0x7ff or the top 2 KiB of the address space
      let off = rng.chance(0.5) ? rng.int(2048) : -rng.range(1, 2048);
      if (this.avoid('fault-tval')) off -= ((off % size) + size) % size;
      return { pre: [], preSize: 0, base: 0, off, addr: BigInt(off) & this.mask };
    }
    const choices: bigint[] = [
      0n, 8n, 0x100n, 0x800n - BigInt(size), 0xff0n,
      RAM_END, RAM_END - BigInt(size) + 1n, RAM_END - 1n, RAM_END - 2n,
      xlen === 32 ? 0xfffffff8n : 0xfffffffffffffff8n,
      xlen === 32 ? 0xfffff000n : 0x100000000n,
      ...(xlen === 64 ? [0x8000000000000000n, 0x80000000n << 24n, 0xffffffff80000000n, 0x180000000n] : []),
      ...(store ? [0x1000n, 0x1ff8n] : []), // boot ROM: stores are ignored
    ];
    const straddles = (a: bigint): boolean => a < RAM_END && a + BigInt(size) > RAM_END;
    let addr = rng.pick(store && this.avoid('straddle-store') ? choices.filter((a) => !straddles(a & this.mask)) : choices) & this.mask;
    if (this.avoid('fault-tval')) addr -= addr % BigInt(size);
    this.clobber(base);
    return { pre: [`li ${REG(base)}, ${this.imm(addr)}`], preSize: this.liSize(addr), base, off: 0, addr };
  }
}

/** Random initial registers: interesting values, random values and pointers into the data area. */
export function initialRegs(xlen: Xlen, rng: Rng): bigint[] {
  const M = (1n << BigInt(xlen)) - 1n;
  const regs: bigint[] = [0n];
  for (let r = 1; r < 32; r++) {
    if (r === 3) {
      regs.push(GP_VALUE);
      continue;
    }
    const ptr = rng.chance(r === 2 ? 0.7 : 0.25);
    if (ptr) {
      let off = rng.int(DATA_SIZE);
      if (rng.chance(0.7)) off -= off % 8;
      regs.push((DATA + BigInt(off)) & M);
    } else regs.push(interesting(xlen, rng));
  }
  return regs;
}

/** Random data-area contents with some interesting words sprinkled in. */
export function initialData(rng: Rng): Uint8Array {
  const d = new Uint8Array(DATA_SIZE);
  rng.fill(d);
  const dv = new DataView(d.buffer);
  for (let i = 0; i < 64; i++) {
    const o = rng.int(DATA_SIZE / 8) * 8;
    dv.setBigUint64(o, BigInt.asUintN(64, interesting(64, rng)), true);
  }
  for (let i = 0; i < 16; i++) {
    const o = rng.int(DATA_SIZE / 8) * 8;
    dv.setBigUint64(o, BigInt.asUintN(64, DATA + BigInt(rng.int(DATA_SIZE))), true);
  }
  return d;
}

export interface GenOptions {
  xlen: Xlen;
  seed: number;
  index: number;
  /** Number of random instructions (items are added until at least this many). */
  len: number;
  groups: Group[];
  /** Generator switches (e.g. 'qemu-quirks': also write CSR bits where QEMU 7.2 is known to differ). */
  flags?: ReadonlySet<string>;
}

/** Generates case `index` of `seed` (deterministic). */
export function generateCase(o: GenOptions): Case {
  const groups = o.groups.filter((g) => g.xlens === undefined || g.xlens.includes(o.xlen));
  if (groups.length === 0) throw new Error(`no group supports RV${o.xlen}`);
  const rng = new Rng(mixSeed(o.seed, o.xlen, o.index, groups.map((g) => g.name).join(',')));
  const regs = initialRegs(o.xlen, rng);
  const data = initialData(rng);
  const ctx = new GenCtx(rng, o.xlen, regs, o.flags, data);
  // groups with a per-case set-up take part in some of the cases only (when mixed)
  let active = groups.length === 1 ? groups : groups.filter((g) => g.perCase === undefined || rng.chance(g.perCase));
  if (active.length === 0) active = groups;
  for (const g of active) g.setup?.(ctx);
  // per-case emphasis: each group's weight scaled by a random factor, so cases differ in mix
  const weights = active.map((g) => [g.weight * (0.2 + rng.float() * 1.6), g] as const);
  const items: Item[] = [];
  let n = 0;
  // `--cpu ...,c=off`: no compressed instructions (an output holding any is drawn again)
  const noRvc = o.flags?.has('no-rvc') === true;
  while (n < o.len) {
    const g = rng.weighted(weights);
    const out = g.gen(ctx);
    const outs = Array.isArray(out) ? out : [out];
    if (noRvc && outs.some((s) => s.size % 4 !== 0 || s.asm.some((l) => /^\s*c\./.test(l)))) continue;
    for (const s of outs) {
      items.push({ ...s, idx: items.length, group: g.name });
      n += s.ninsn;
    }
  }
  fixTargets(items);
  return {
    xlen: o.xlen, name: `${o.seed}/${o.index}`, regs, data, items, groups: active.map((g) => g.name),
    ...(ctx.fp ? { fp: ctx.fp } : {}), ...(ctx.pt ? { pt: ctx.pt } : {}),
  };
}

/**
 * Turns branch targets expressed as "k items ahead" into absolute indices within reach: items
 * carry `target` as a relative count while generating (see `ahead`); here it becomes absolute and
 * is pulled back until the distance fits the encoding.
 */
function fixTargets(items: Item[]): void {
  const off: number[] = [];
  let o = 0;
  for (const it of items) {
    off.push(o);
    o += it.size;
  }
  const endOff = o;
  for (const it of items) {
    if (it.target === undefined) continue;
    let t = it.target === END ? items.length : Math.min(items.length, it.idx + it.target);
    const reach = it.reach ?? 4094;
    const at = (i: number): number => (i >= items.length ? endOff : off[i]!);
    while (t > it.idx + 1 && at(t) - off[it.idx]! > reach) t--;
    it.target = t >= items.length ? END : t;
  }
}

/** A branch item's relative target: 1 = the next item, ...; sometimes the end of the case. */
export function ahead(rng: Rng): number {
  return rng.chance(0.08) ? END : rng.geometric(0.35, 12);
}
