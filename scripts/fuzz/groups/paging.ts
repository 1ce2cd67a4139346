/**
 * Virtual memory: per case, page tables at PT_BASE (Sv32 on RV32; Sv39, Sv48 and occasionally
 * Sv57 on RV64), then loads, stores, AMOs, LR/SC (and FP loads/stores in fp cases) through them,
 * in S-mode and U-mode, and from M-mode with MPRV = 1 (MPP = S or U, which translates data
 * accesses only), with SUM and MXR toggled, page-table edits followed by sfence.vma, and page
 * faults in the middle (the M-mode handler logs them and resumes). The dump compares the page
 * tables after the case (the P line: the A/D bits the walker sets, the edits).
 *
 * The tables (built in `setup`):
 *  - two roots, rootS and rootU, that map the program (harness, STATE, DATA, all cases:
 *    [RAM_BASE, RAM_BASE + CODE_SPAN)) identically with a leaf at a random level (4 MiB megapages
 *    on Sv32; 2 MiB, 1 GiB, 512 GiB or 256 TiB leaves on RV64), RWX with A and D set, with U = 0
 *    in rootS (S-mode code) and U = 1 in rootU (U-mode code). The code's subtree is private to
 *    each root and never edited, so code stays mapped whatever happens to the rest;
 *  - windows, shared by both roots under other root indices (the negative half of the address
 *    space included): pairs of consecutive 4 KiB pages (mostly the two pages of DATA in order,
 *    so that misaligned accesses cross the page boundary inside DATA), single 4 KiB pages (DATA,
 *    a page table read-only, the boot ROM, holes with no device, the last page of RAM),
 *    superpages at every level mapping the DATA-holding region aligned or deliberately
 *    misaligned, and level-0 PTEs that point to another table; leaf flags drawn from: RW(X) with
 *    A/D, read-only, A or D missing, X-only, W without R, invalid, U, G, RSW bits, and on RV64 the
 *    reserved bits 54..63 (PBMT, N); pointers with A/D/U set or V = 0 once in a while.
 *
 * The items (each self-contained, so that the minimiser can drop any of them):
 *  - enter: ecall (back to M-mode from anywhere: the harness's handler returns to M-mode after an
 *    ecall from S/U), then in M-mode: PMP entry 15 = everything RWX (S/U-mode accesses that
 *    match no entry fail, and QEMU 7.2's mret to S/U with no entry active is illegal; entries
 *    0..7 cleared mostly), satp,
 *    sfence.vma, medeleg = mideleg = 0 (every trap goes to the M-mode handler), MPP, SUM, MXR,
 *    MPIE = 0 (M-mode never runs with MIE = 1), mret to the next instruction in S-mode or U-mode;
 *  - access: a load/store/AMO/LR/SC/FP load or store to a window address (mostly inside DATA
 *    through the mapping), aligned or not, or to a non-canonical or unmapped address;
 *  - mprv: ecall, PMP/satp/sfence as above, MPRV = 1 with MPP = S or U, a few accesses (some
 *    re-asserting MPP, which the handler's mret after a fault resets to U), MPRV = 0;
 *  - edit: ecall, a store to a leaf or pointer PTE, sfence.vma (all, or the address), and
 *    mostly a re-entry into S/U-mode;
 *  - sfence.vma with random operands, SUM/MXR toggles through sstatus, satp reads, exits (ecall).
 *
 * Every change of satp, of the page tables and of PMP is followed by sfence.vma in M-mode before
 * any translated access, so no stale translation is ever allowed (where the spec would let
 * emulators differ). In paging cases the csr group only reads satp and leaves out wfi, and the
 * epilogue starts with the exit gate (program.ts) so that the harness runs in M-mode with MPRV
 * clear however the items end.
 */
import { REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';
import { CODE_SPAN, DATA, DATA_SIZE, PT_BASE, PT_MAX_PAGES, RAM_BASE, RAM_END, type Xlen } from '../layout.js';
import type { Rng } from '../rng.js';
import { fldWord, flwWord, fsdWord, fswWord, wordText } from '../fpenc.js';

type Mode = 'sv32' | 'sv39' | 'sv48' | 'sv57';
interface ModeInfo { levels: number; vpnBits: number; pteSize: number; satpMode: bigint; vaBits: number }
const MODES: Record<Mode, ModeInfo> = {
  sv32: { levels: 2, vpnBits: 10, pteSize: 4, satpMode: 1n, vaBits: 32 },
  sv39: { levels: 3, vpnBits: 9, pteSize: 8, satpMode: 8n, vaBits: 39 },
  sv48: { levels: 4, vpnBits: 9, pteSize: 8, satpMode: 9n, vaBits: 48 },
  sv57: { levels: 5, vpnBits: 9, pteSize: 8, satpMode: 10n, vaBits: 57 },
};

const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n;
const PAGE = 4096n;
const D0 = DATA & ~(PAGE - 1n); // the page holding the first half of DATA
const D1 = D0 + PAGE;
const ROM = 0x1000n;

/** A leaf (or a would-be leaf) the accesses aim at. */
interface Leaf {
  va: bigint; // virtual base (sign-extended, unsigned XLEN)
  level: number;
  span: bigint;
  pteAddr: bigint;
  pte: bigint;
  /** Physical base the PTE's PPN names (aligned or not), -1 when it is a pointer (fault). */
  pa: bigint;
  /** Where the target is; 'pt' leaves must never become writable. */
  target: 'd0' | 'd1' | 'data' | 'mis' | 'pt' | 'rom' | 'hole' | 'ramend' | 'ptr';
}

interface Layout {
  mode: Mode;
  info: ModeInfo;
  /** satp for S-mode code (rootS) and U-mode code (rootU), without the ASID. */
  satpS: bigint;
  satpU: bigint;
  leaves: Leaf[];
  /** Pointer PTEs of the windows' subtrees (edit targets). */
  pointers: { addr: bigint; pte: bigint; level: number }[];
}

class Tables {
  readonly t: bigint[][] = [];
  constructor(readonly info: ModeInfo) {}
  get perTable(): number {
    return 4096 / this.info.pteSize;
  }
  alloc(): number {
    if (this.t.length >= PT_MAX_PAGES) return -1;
    this.t.push(new Array<bigint>(this.perTable).fill(0n));
    return this.t.length - 1;
  }
  pa(i: number): bigint {
    return PT_BASE + BigInt(i) * PAGE;
  }
  addr(i: number, idx: number): bigint {
    return this.pa(i) + BigInt(idx * this.info.pteSize);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.t.length * 4096);
    const dv = new DataView(out.buffer);
    this.t.forEach((tab, i) => tab.forEach((v, j) => {
      if (this.info.pteSize === 8) dv.setBigUint64(i * 4096 + j * 8, v, true);
      else dv.setUint32(i * 4096 + j * 4, Number(v & 0xffffffffn), true);
    }));
    return out;
  }
}

const spanOf = (info: ModeInfo, level: number): bigint => PAGE << BigInt(info.vpnBits * level);
const idxOf = (info: ModeInfo, va: bigint, level: number): number => Number((va >> BigInt(12 + info.vpnBits * level)) & ((1n << BigInt(info.vpnBits)) - 1n));
const ptePpn = (pa: bigint, info: ModeInfo): bigint => (pa >> 12n) << 10n & (info.pteSize === 4 ? 0xfffffc00n : 0x003ffffffffffc00n);

/** Sign-extends a virtual address from the mode's width to XLEN (unsigned). */
function canon(info: ModeInfo, xlen: Xlen, va: bigint): bigint {
  if (info.vaBits >= xlen) return BigInt.asUintN(xlen, va);
  return BigInt.asUintN(xlen, BigInt.asIntN(info.vaBits, va));
}

/**
 * Generator switches for known differences (see cli.ts KNOWN_AVOIDS): `amoA` (amo-load) keeps A
 * set on valid leaves without W, and W, A and D set on those mapping a hole (QEMU 7.2 translates
 * an AMO as a load before the store: the load sets A, or reaches the hole and reports its access
 * fault before the store's page fault or the store's D update); `ptrAdu` (ptr-adu) keeps A/D/U clear on pointers (QEMU 7.2
 * faults on them).
 */
interface Avoids { amoA: boolean; ptrAdu: boolean }
const avoidsOf = (ctx: GenCtx): Avoids => ({ amoA: ctx.avoid('amo-load'), ptrAdu: ctx.avoid('ptr-adu') });

/** Applies the avoid switches to a PTE value (leaf or pointer; `hole`: the leaf maps no device). */
function tame(v: bigint, av: Avoids, hole = false): bigint {
  if ((v & V) === 0n) return v;
  const leaf = (v & (R | W | X)) !== 0n;
  if (!leaf && av.ptrAdu) return v & ~(A | D | U);
  if (leaf && av.amoA && hole) return v | W | A | D;
  if (leaf && av.amoA && (v & W) === 0n) return v | A;
  return v;
}

/** Leaf flags: mostly usable, sometimes each of the odd combinations. */
function leafFlagsAv(rng: Rng, xlen: Xlen, noWrite: boolean, av: Avoids, hole = false): bigint {
  return tame(leafFlags0(rng, xlen, noWrite), av, hole);
}
function leafFlags0(rng: Rng, xlen: Xlen, noWrite: boolean): bigint {
  let f = rng.weighted<() => bigint>([
    [45, () => V | R | W | A | D | (rng.chance(0.3) ? X : 0n)],
    [8, () => V | R | A | (rng.chance(0.3) ? X : 0n)], // read-only
    [6, () => V | R | W | (rng.chance(0.5) ? A : 0n)], // D missing (and A sometimes)
    [4, () => V | R | W | D], // A missing
    [4, () => V | X | (rng.chance(0.7) ? A : 0n)], // execute-only (loads need MXR)
    [3, () => V | W | (rng.chance(0.5) ? X : 0n) | A | D], // W without R: reserved
    [3, () => rng.bits(8) & ~V], // invalid
  ])();
  if (rng.chance(0.3)) f |= U;
  if (rng.chance(0.2)) f |= G;
  if (rng.chance(0.15)) f |= rng.bits(2) << 8n; // RSW
  if (xlen === 64 && rng.chance(0.04)) f |= rng.pick([1n << 63n, 1n << 61n, 2n << 61n, 1n << 54n, rng.bits(10) << 54n]); // N, PBMT, reserved
  if (noWrite) f &= ~W;
  return f;
}

/** Pointer (non-leaf) flags: V, sometimes G or RSW; rarely the reserved A/D/U or V = 0. */
function pointerFlagsOf(rng: Rng, avoidAdu: boolean): bigint {
  return rng.weighted<() => bigint>([
    [40, () => V | (rng.chance(0.15) ? G : 0n) | (rng.chance(0.1) ? rng.bits(2) << 8n : 0n)],
    // QEMU 7.2 faults on these (reserved for non-leaf PTEs), tracehook ignores them: --avoid ptr-adu
    [avoidAdu ? 0 : 2, () => V | rng.pick([A, D, U, A | D, A | D | U])],
    [1, () => 0n],
  ])();
}

function buildLayout(rng: Rng, xlen: Xlen, av: Avoids): { layout: Layout; bytes: Uint8Array; desc: string[] } {
  const pointerFlags = (r: Rng): bigint => pointerFlagsOf(r, av.ptrAdu);
  const leafFlags = (r: Rng, x: Xlen, noWrite: boolean, hole = false): bigint => leafFlagsAv(r, x, noWrite, av, hole);
  const mode: Mode = xlen === 32 ? 'sv32' : rng.weighted<Mode>([[5, 'sv39'], [4, 'sv48'], [1, 'sv57']]);
  const info = MODES[mode];
  const T = new Tables(info);
  const top = info.levels - 1;
  const rootS = T.alloc(), rootU = T.alloc();
  const desc: string[] = [];
  const leaves: Leaf[] = [];
  const pointers: Layout['pointers'] = [];

  // the program, identity-mapped, per root
  const codeLevel = rng.weighted<number>(mode === 'sv32' ? [[1, 1]] : Array.from({ length: top }, (_, i) => [i === 0 ? 2 : 3, i + 1] as [number, number]));
  const codeSpan = spanOf(info, codeLevel);
  const g = rng.chance(0.3) ? G : 0n;
  for (const [root, u] of [[rootS, 0n], [rootU, U]] as const) {
    let t = root;
    for (let l = top; l > codeLevel; l--) {
      const n = T.alloc();
      T.t[t]![idxOf(info, RAM_BASE, l)] = ptePpn(T.pa(n), info) | V;
      t = n;
    }
    const lo = RAM_BASE & ~(codeSpan - 1n);
    for (let a = lo; a < RAM_BASE + CODE_SPAN; a += codeSpan) {
      T.t[t]![idxOf(info, a, codeLevel)] = ptePpn(a, info) | V | R | W | X | A | D | u | g;
    }
  }
  const codeRoot = idxOf(info, RAM_BASE, top);
  const codeRootLast = idxOf(info, RAM_BASE + CODE_SPAN - 1n, top);
  desc.push(`paging: ${mode}, rootS at 0x${T.pa(rootS).toString(16)}, rootU at 0x${T.pa(rootU).toString(16)}; program identity-mapped by level-${codeLevel} leaves (0x${codeSpan.toString(16)} bytes each), U=0 under rootS, U=1 under rootU`);

  // window subtrees: shared by both roots, under one or two root indices other than the code's
  const perTable = T.perTable;
  const freeRoot = (): number => {
    for (;;) {
      const i = rng.chance(0.3) && mode !== 'sv32' ? perTable / 2 + rng.int(perTable / 2) : rng.int(perTable);
      if (i >= codeRoot && i <= codeRootLast) continue;
      if (canon(info, xlen, BigInt(i) << BigInt(12 + info.vpnBits * top)) < RAM_END) continue; // see below
      return i;
    }
  };
  const windowRoots = [freeRoot(), freeRoot()];
  /** Table holding level `l` of the path to `va` (creating tables), or -1 if blocked / out of tables. */
  const tableFor = (va: bigint, l: number): number => {
    let t = rootS;
    for (let lv = top; lv > l; lv--) {
      const idx = idxOf(info, va, lv);
      const e = T.t[t]![idx]!;
      if (e === 0n) {
        const n = T.alloc();
        if (n < 0) return -1;
        const p = ptePpn(T.pa(n), info) | pointerFlags(rng);
        T.t[t]![idx] = p;
        if (t === rootS) T.t[rootU]![idx] = p;
        else pointers.push({ addr: T.addr(t, idx), pte: p, level: lv });
        t = n;
        continue;
      }
      // an existing pointer of ours (leaves and odd entries block the path)
      if ((e & (R | W | X)) !== 0n) return -1;
      const pa = ((e >> 10n) & 0xfffffffffffn) << 12n;
      const n = Number((pa - PT_BASE) / PAGE);
      if (pa < PT_BASE || n >= T.t.length || (pa - PT_BASE) % PAGE !== 0n) return -1;
      t = n;
    }
    return t;
  };
  const setLeaf = (t: number, va: bigint, level: number, pte: bigint, pa: bigint, target: Leaf['target']): void => {
    const idx = idxOf(info, va, level);
    T.t[t]![idx] = pte;
    if (t === rootS) T.t[rootU]![idx] = pte;
    const leaf: Leaf = { va: canon(info, xlen, va), level, span: spanOf(info, level), pteAddr: T.addr(t, idx), pte, pa, target };
    leaves.push(leaf);
  };
  const nWin = 3 + rng.int(5);
  for (let wi = 0, tries = 0; wi < nWin && tries < 40; tries++) {
    const kind = rng.weighted<string>([[6, 'pair'], [4, 'page'], [5, 'super'], [1, 'ptr0']]);
    const level = kind === 'super' ? 1 + rng.int(top) : 0;
    // a random address under one of the window roots, aligned to the leaf's span
    let va = BigInt(rng.pick(windowRoots)) << BigInt(12 + info.vpnBits * top);
    for (let l = top - 1; l >= level; l--) va |= BigInt(rng.int(perTable)) << BigInt(12 + info.vpnBits * l);
    if (level === top) va = BigInt(freeRoot()) << BigInt(12 + info.vpnBits * top); // a root-level leaf takes a root entry of its own
    if (kind === 'pair' && idxOf(info, va, 0) === perTable - 1) va -= PAGE;
    // above RAM: an access that runs untranslated (M-mode, when the items' privilege is not what
    // the generator expects) must not reach a device, the page tables or the program
    if (canon(info, xlen, va) < RAM_END) continue;
    const t = tableFor(va, level);
    if (t < 0) continue;
    const idx = idxOf(info, va, level);
    if (T.t[t]![idx] !== 0n || (kind === 'pair' && T.t[t]![idx + 1] !== 0n)) continue;
    wi++;
    const span = spanOf(info, level);
    if (kind === 'ptr0') {
      // a level-0 entry that is a pointer: the walk has nowhere to go (page fault)
      setLeaf(t, va, 0, ptePpn(T.pa(rootS), info) | V | (rng.chance(0.3) ? A | D : 0n), -1n, 'ptr');
      continue;
    }
    if (kind === 'super') {
      const aligned = DATA & ~(span - 1n);
      const mis = rng.chance(0.3);
      // misaligned: a PPN with low bits set (page fault whatever the flags)
      const pa = mis ? aligned + PAGE * BigInt(1 + rng.int(Number(span / PAGE > 4096n ? 4095n : span / PAGE - 1n))) : aligned;
      setLeaf(t, va, level, ptePpn(pa, info) | leafFlags(rng, xlen, false), pa, mis ? 'mis' : 'data');
      continue;
    }
    const pageTarget = (): { pa: bigint; target: Leaf['target'] } => rng.weighted<() => { pa: bigint; target: Leaf['target'] }>([
      [10, () => ({ pa: D0, target: 'd0' })],
      [10, () => ({ pa: D1, target: 'd1' })],
      [2, () => ({ pa: T.pa(rng.int(T.t.length)), target: 'pt' })],
      [1, () => ({ pa: ROM, target: 'rom' })],
      [1, () => ({ pa: rng.pick([0n, 0x100000000n, 0x90000000n]), target: 'hole' })],
      [1, () => ({ pa: RAM_END - PAGE, target: 'ramend' })],
    ])();
    const first = kind === 'pair' && rng.chance(0.7) ? { pa: D0, target: 'd0' as const } : pageTarget();
    setLeaf(t, va, 0, ptePpn(first.pa, info) | leafFlags(rng, xlen, first.target === 'pt', first.target === 'hole'), first.pa, first.target);
    if (kind === 'pair') {
      const second = first.target === 'd0' && rng.chance(0.8) ? { pa: D1, target: 'd1' as const } : pageTarget();
      setLeaf(t, va + PAGE, 0, ptePpn(second.pa, info) | leafFlags(rng, xlen, second.target === 'pt', second.target === 'hole'), second.pa, second.target);
    }
  }
  const ppn = (i: number): bigint => T.pa(i) >> 12n;
  const satpS = info.pteSize === 4 ? (1n << 31n) | ppn(rootS) : (info.satpMode << 60n) | ppn(rootS);
  const satpU = info.pteSize === 4 ? (1n << 31n) | ppn(rootU) : (info.satpMode << 60n) | ppn(rootU);
  const hx = (v: bigint): string => '0x' + v.toString(16);
  for (const l of leaves) {
    desc.push(`window VA ${hx(l.va)} (level ${l.level}, ${hx(l.span)} bytes): PTE at ${hx(l.pteAddr)} = ${hx(l.pte)} (${l.target}${l.pa >= 0n ? ` ${hx(l.pa)}` : ''})`);
  }
  for (const p of pointers) desc.push(`pointer PTE at ${hx(p.addr)} (level ${p.level}) = ${hx(p.pte)}`);
  return { layout: { mode, info, satpS, satpU, leaves, pointers }, bytes: T.bytes(), desc };
}

// ---- items ------------------------------------------------------------------------------------

const SCRATCH = [5, 6, 7, 28, 29, 30, 31];
const BASES = [5, 6, 7, 28, 29, 30, 31, 18, 19, 20, 21, 9];

const lay = (ctx: GenCtx): Layout => ctx.state.get('paging') as Layout;

interface Asm { asm: string[]; size: number; n: number }
const none = (): Asm => ({ asm: [], size: 0, n: 0 });
function add(a: Asm, lines: string[], size?: number): void {
  a.asm.push(...lines);
  const s = size ?? 4 * lines.length;
  a.size += s;
  a.n += s / 4;
}
function li(ctx: GenCtx, a: Asm, r: number, v: bigint): void {
  add(a, [`li ${REG(r)}, ${ctx.imm(v)}`], ctx.liSize(v));
}
const done = (a: Asm): ItemSpec => ({ asm: a.asm, size: a.size, ninsn: a.n });

/** M-mode part common to enter and mprv: PMP entry 15 = all RWX (entries 0..7 cleared mostly), satp, sfence.vma. */
function prep(ctx: GenCtx, a: Asm, t: number, satp: bigint): void {
  const { rng, xlen } = ctx;
  // (without it, no PMP entry may be active: QEMU 7.2's mret to S/U is then illegal, see --avoid mret-nopmp)
  if (rng.chance(0.9) || ctx.avoid('mret-nopmp')) {
    li(ctx, a, t, xlen === 64 ? (1n << 54n) - 1n : 0xffffffffn);
    add(a, [`csrw pmpaddr15, ${REG(t)}`]);
    const cfg = xlen === 64 ? 'pmpcfg2' : 'pmpcfg3', sh = xlen === 64 ? 56n : 24n;
    li(ctx, a, t, 0xffn << sh);
    add(a, [`csrc ${cfg}, ${REG(t)}`]);
    li(ctx, a, t, 0x1fn << sh);
    add(a, [`csrs ${cfg}, ${REG(t)}`]);
    if (rng.chance(0.8)) add(a, ['csrw pmpcfg0, zero']);
  }
  const asidBits = xlen === 64 ? 16 : 9;
  const asid = rng.chance(0.5) ? 0n : rng.bits(asidBits);
  li(ctx, a, t, satp | (asid << (xlen === 64 ? 44n : 22n)));
  add(a, [`csrw satp, ${REG(t)}`, 'sfence.vma']);
}

/**
 * mstatus bits: clear MPP/SUM/MXR and MPIE, then set MPP = priv and random SUM/MXR (and MPRV).
 * MPIE = 0 keeps mstatus.MIE = 0 after the mret (and after the ecall that brings the hart back to
 * M-mode): the harness runs with M-mode interrupts disabled.
 */
function mstatusBits(ctx: GenCtx, a: Asm, t: number, priv: number, mprv: boolean): void {
  const { rng } = ctx;
  const sum = rng.chance(0.5) ? 1n << 18n : 0n, mxr = rng.chance(0.35) ? 1n << 19n : 0n;
  li(ctx, a, t, 0x1880n | (3n << 18n));
  add(a, [`csrc mstatus, ${REG(t)}`]);
  const set = (BigInt(priv) << 11n) | sum | mxr | (mprv ? 1n << 17n : 0n);
  if (set !== 0n) {
    li(ctx, a, t, set);
    add(a, [`csrs mstatus, ${REG(t)}`]);
  }
}

/** From M-mode into S (1) or U (0) at the next instruction. */
function enterBody(ctx: GenCtx, a: Asm, t: number, priv: number): void {
  const L = lay(ctx);
  prep(ctx, a, t, priv === 0 ? L.satpU : L.satpS);
  add(a, ['csrw medeleg, zero', 'csrw mideleg, zero']);
  // below M-mode, enabled M-level interrupts are taken whatever mstatus.MIE: with several
  // pending, QEMU 7.2 takes the lowest-numbered one, not the spec's priority order (--avoid
  // irq-prio): no interrupt enabled then
  if (ctx.avoid('irq-prio')) add(a, ['csrw mie, zero']);
  mstatusBits(ctx, a, t, priv, false);
  add(a, [`{L}a: auipc ${REG(t)}, 0`, `addi ${REG(t)}, ${REG(t)}, {L}b - {L}a`, `csrw mepc, ${REG(t)}`, 'mret', '{L}b:'], 16);
  ctx.state.set('pmode', priv);
}

function enter(ctx: GenCtx): ItemSpec {
  const a = none();
  const t = ctx.rng.pick(SCRATCH);
  ctx.clobber(t);
  add(a, ['ecall']);
  enterBody(ctx, a, t, ctx.rng.chance(0.6) ? 1 : 0);
  return done(a);
}

const LOADS: [string, number][] = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8]];
const STORES: [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
const AMOS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];

/**
 * Whether `a`, taken as a physical address (an access that runs untranslated, in M-mode), may
 * reach a device of virt: below RAM, or RV64's high PCIe MMIO window.
 */
const mmioPa = (a: bigint, xlen: Xlen): boolean => a < RAM_BASE || (xlen === 64 && a >= 0x4000000000n && a < 0x8000000000n);

/** A virtual address for a `size`-byte access: mostly through a window into DATA. */
function address(ctx: GenCtx, size: number, misalign: number, store: boolean): bigint {
  const va = address0(ctx, size, misalign, store);
  // misaligned MMIO accesses differ (tracehook passes them to the device as they are, QEMU 7.2
  // splits them into aligned ones): --avoid mmio-misaligned
  if (ctx.avoid('mmio-misaligned') && mmioPa(va, ctx.xlen)) return va - (va % BigInt(size));
  return va;
}
function address0(ctx: GenCtx, size: number, misalign: number, store: boolean): bigint {
  const { rng, xlen } = ctx;
  const L = lay(ctx);
  const mask = (1n << BigInt(xlen)) - 1n;
  const pmode = ctx.state.get('pmode') as number | undefined;
  if (rng.chance(0.03) || L.leaves.length === 0) {
    // not canonical (RV64), or nowhere (an unused root entry: invalid PTE)
    if (xlen === 64 && rng.chance(0.6) && L.leaves.length > 0) return (rng.pick(L.leaves).va ^ (1n << BigInt(rng.pick([L.info.vaBits, 63, 62, L.info.vaBits + 1])))) & mask;
    // (above RAM, like the windows)
    return (RAM_END + (rng.bits(xlen) % (mask + 1n - RAM_END))) & ~BigInt(size - 1);
  }
  const leaf = rng.weighted(L.leaves.map((l) => {
    let w = l.target === 'd0' || l.target === 'd1' || l.target === 'data' ? 4 : 1;
    if (pmode !== undefined && ((l.pte & U) !== 0n) === (pmode === 0)) w *= 3;
    return [w, l] as const;
  }));
  const mis = rng.chance(misalign) && size > 1;
  const al = (o: bigint): bigint => (mis ? o + BigInt(1 + rng.int(size - 1)) : o - (o % BigInt(size)));
  // the part of the leaf that maps into DATA
  let lo = -1n, hi = -1n;
  if (leaf.target === 'd0') { lo = DATA - D0; hi = PAGE; }
  else if (leaf.target === 'd1') { lo = 0n; hi = DATA + BigInt(DATA_SIZE) - D1; }
  else if (leaf.target === 'data') { lo = DATA - leaf.pa; hi = lo + BigInt(DATA_SIZE); }
  else if (leaf.target === 'ramend' && store) { lo = PAGE - 16n; hi = PAGE; }
  else if (leaf.target === 'ramend') { lo = 0n; hi = PAGE; }
  let off: bigint;
  // stores stay inside DATA (or the dumped end of RAM) so that they are all seen; through a
  // superpage (which also maps the harness) every access does
  if (lo >= 0n && (store || leaf.target === 'data' || rng.chance(0.9))) {
    // a pair d0/d1 lets the access cross into the next page: allow the end of d0
    off = lo + BigInt(rng.int(Number(hi - lo)));
    off = al(off);
    if (off + BigInt(size) > hi && !(leaf.target === 'd0' && L.leaves.some((x) => x.va === leaf.va + PAGE && x.target === 'd1'))) off = hi - BigInt(size);
    if (off < lo) off = lo;
  } else {
    off = al(BigInt(rng.int(Number(leaf.span > 1n << 20n ? 1n << 20n : leaf.span))));
    if (off + BigInt(size) > leaf.span) off = leaf.span - BigInt(size);
  }
  return (leaf.va + off) & mask;
}

/**
 * One access through the windows, appended to `a`. `single`: one memory instruction only (an
 * lr/[sw]/sc group is several, and under MPRV a fault in between changes MPP: --avoid mprv-mret).
 */
function access(ctx: GenCtx, a: Asm, single = false): void {
  const { rng, xlen } = ctx;
  const kind = rng.weighted<string>([[10, 'load'], [9, 'store'], [4, 'amo'], [single ? 0 : 2, 'lrsc'], [ctx.fp ? 3 : 0, 'fp']]);
  const base = rng.pick(BASES);
  ctx.clobber(base);
  const setBase = (va: bigint): string => {
    // the offset in the instruction: mostly 0, sometimes a small displacement
    const off = kind === 'amo' || kind === 'lrsc' || rng.chance(0.7) ? 0 : rng.range(-64, 64);
    li(ctx, a, base, BigInt.asUintN(xlen, va - BigInt(off)));
    return `${off}(${REG(base)})`;
  };
  if (kind === 'load' || kind === 'store') {
    const [op, size] = rng.pick((kind === 'load' ? LOADS : STORES).filter(([o]) => xlen === 64 || (o !== 'ld' && o !== 'lwu' && o !== 'sd')));
    const m = setBase(address(ctx, size, 0.12, kind === 'store'));
    if (kind === 'load') {
      const rd = ctx.rd();
      ctx.clobber(rd);
      add(a, [`${op} ${REG(rd)}, ${m}`]);
    } else add(a, [`${op} ${REG(ctx.rs())}, ${m}`]);
    return;
  }
  if (kind === 'fp') {
    const dbl = rng.chance(0.5), store = rng.chance(0.5), size = dbl ? 8 : 4;
    const va = address(ctx, size, 0.08, store);
    li(ctx, a, base, va);
    const r = rng.int(32);
    const w = store ? (dbl ? fsdWord(r, base, 0) : fswWord(r, base, 0)) : dbl ? fldWord(r, base, 0) : flwWord(r, base, 0);
    add(a, [wordText(w, `${store ? 'fs' : 'fl'}${dbl ? 'd' : 'w'} f${r}, 0(${REG(base)})`)]);
    return;
  }
  const sfx = xlen === 64 && rng.chance(0.5) ? 'd' : 'w';
  const size = sfx === 'd' ? 8 : 4;
  const m = setBase(address(ctx, size, 0.04, true));
  const rd = ctx.rd();
  ctx.clobber(rd);
  if (kind === 'amo') {
    add(a, [`${rng.pick(AMOS)}.${sfx} ${REG(rd)}, ${REG(ctx.rs())}, ${m.replace(/^0/, '')}`]);
    return;
  }
  // lr, sometimes something in between, sc to the same address
  add(a, [`lr.${sfx} ${REG(rd)}, ${m.replace(/^0/, '')}`]);
  if (rng.chance(0.3)) add(a, [`${sfx === 'd' ? 'sd' : 'sw'} ${REG(rd)}, 0(${REG(base)})`]);
  const rd2 = ctx.rd();
  ctx.clobber(rd2);
  add(a, [`sc.${sfx} ${REG(rd2)}, ${REG(ctx.rs())}, ${m.replace(/^0/, '')}`]);
}

/** From M-mode with MPRV = 1: data accesses translated as MPP says, the code not. */
function mprv(ctx: GenCtx): ItemSpec {
  const { rng } = ctx;
  const L = lay(ctx);
  const a = none();
  const t = rng.pick(SCRATCH);
  ctx.clobber(t);
  add(a, ['ecall']);
  const priv = rng.chance(0.6) ? 1 : 0;
  prep(ctx, a, t, rng.chance(0.5) ? L.satpS : L.satpU);
  mstatusBits(ctx, a, t, priv, true);
  ctx.state.set('pmode', priv);
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    if (i > 0 && (rng.chance(0.5) || ctx.avoid('mprv-mret'))) {
      // after a fault, the handler's mret leaves MPP = U: set it again (QEMU 7.2 does not flush
      // its TLB when mret changes MPP, so without this it may use a translation made for the
      // old MPP: --avoid mprv-mret)
      li(ctx, a, t, 0x1800n);
      add(a, [`csrc mstatus, ${REG(t)}`]);
      if (priv !== 0) {
        li(ctx, a, t, BigInt(priv) << 11n);
        add(a, [`csrs mstatus, ${REG(t)}`]);
      }
    }
    access(ctx, a, ctx.avoid('mprv-mret'));
  }
  li(ctx, a, t, 1n << 17n);
  add(a, [`csrc mstatus, ${REG(t)}`]);
  ctx.state.set('pmode', 3);
  return done(a);
}

/** A new value for an edited leaf PTE (the target stays; PT views stay read-only). */
function editValue(ctx: GenCtx, leaf: Leaf): bigint {
  const { rng, xlen } = ctx;
  const L = lay(ctx);
  const ppnBits = leaf.pte & (L.info.pteSize === 4 ? 0xfffffc00n : 0x003ffffffffffc00n);
  return tame(rng.weighted<() => bigint>([
    [4, () => ppnBits | leafFlagsAv(rng, xlen, leaf.target === 'pt', avoidsOf(ctx), leaf.target === 'hole')],
    [2, () => leaf.pte & ~(A | D)], // clear A/D: the walker sets them again
    [2, () => leaf.pte & ~V],
    [1, () => (leaf.pte ^ U)],
    [1, () => (leaf.target === 'pt' ? leaf.pte : leaf.pte ^ W)],
  ])(), avoidsOf(ctx), leaf.target === 'hole');
}

function edit(ctx: GenCtx): ItemSpec {
  const { rng, xlen } = ctx;
  const L = lay(ctx);
  const a = none();
  const [ra, rv, rt] = rng.pick([[5, 6, 7], [28, 29, 30], [29, 30, 31], [6, 7, 28]]) as [number, number, number];
  ctx.clobber(ra, rv, rt);
  add(a, ['ecall']);
  const S = L.info.pteSize === 8 ? 'sd' : 'sw';
  let vaForFence: bigint | undefined;
  if (L.pointers.length > 0 && rng.chance(0.2)) {
    const ptr = rng.pick(L.pointers);
    const ppnBits = ptr.pte & (L.info.pteSize === 4 ? 0xfffffc00n : 0x003ffffffffffc00n);
    const nv = tame(rng.weighted<() => bigint>([[3, () => ppnBits | pointerFlagsOf(rng, ctx.avoid('ptr-adu'))], [1, () => ppnBits | V], [1, () => ptr.pte & ~V]])(), avoidsOf(ctx));
    li(ctx, a, ra, ptr.addr);
    li(ctx, a, rv, BigInt.asUintN(xlen, nv));
    add(a, [`${S} ${REG(rv)}, 0(${REG(ra)})`]);
  } else if (L.leaves.length > 0) {
    const leaf = rng.pick(L.leaves);
    li(ctx, a, ra, leaf.pteAddr);
    li(ctx, a, rv, BigInt.asUintN(xlen, editValue(ctx, leaf)));
    add(a, [`${S} ${REG(rv)}, 0(${REG(ra)})`]);
    if (rng.chance(0.3)) vaForFence = leaf.va + BigInt(rng.int(4096));
  }
  if (vaForFence !== undefined) {
    li(ctx, a, rt, BigInt.asUintN(xlen, vaForFence));
    add(a, [`sfence.vma ${REG(rt)}, zero`]);
  } else add(a, ['sfence.vma']);
  ctx.state.set('pmode', 3);
  if (rng.chance(0.75)) enterBody(ctx, a, rt, rng.chance(0.6) ? 1 : 0);
  return done(a);
}

export const paging: Group = {
  name: 'paging',
  weight: 14,
  perCase: 0.3,
  setup(ctx) {
    const { layout, bytes, desc } = buildLayout(ctx.rng, ctx.xlen, avoidsOf(ctx));
    ctx.state.set('paging', layout);
    ctx.pt = { bytes, info: desc };
  },
  gen(ctx): ItemSpec | ItemSpec[] {
    const { rng, xlen } = ctx;
    const pmode = ctx.state.get('pmode') as number | undefined;
    const inM = pmode === undefined || pmode === 3;
    const k = rng.weighted<string>([
      [inM ? 25 : 3, 'enter'], [inM ? 6 : 60, 'access'], [inM ? 12 : 4, 'mprv'], [6, 'edit'], [3, 'sfence'], [3, 'summxr'], [inM ? 1 : 3, 'exit'], [1, 'satp'],
    ]);
    switch (k) {
      case 'enter': return enter(ctx);
      case 'mprv': return mprv(ctx);
      case 'edit': return edit(ctx);
      case 'access': {
        const a = none();
        access(ctx, a);
        return done(a);
      }
      case 'sfence': {
        const a = none();
        const r1 = rng.chance(0.5) ? 0 : rng.pick(SCRATCH);
        const r2 = rng.chance(0.6) ? 0 : rng.pick(SCRATCH.filter((r) => r !== r1));
        if (r1 !== 0) { ctx.clobber(r1); li(ctx, a, r1, rng.chance(0.7) && lay(ctx).leaves.length > 0 ? rng.pick(lay(ctx).leaves).va : rng.bits(xlen)); }
        if (r2 !== 0) { ctx.clobber(r2); li(ctx, a, r2, rng.bits(xlen === 64 ? 16 : 9)); }
        add(a, [`sfence.vma ${REG(r1)}, ${REG(r2)}`]);
        return done(a);
      }
      case 'summxr': {
        const a = none();
        const t = rng.pick(SCRATCH);
        ctx.clobber(t);
        li(ctx, a, t, rng.pick([1n << 18n, 1n << 19n, 3n << 18n]));
        add(a, [`${rng.pick(['csrs', 'csrc'])} sstatus, ${REG(t)}`]);
        return done(a);
      }
      case 'satp': {
        const rd = ctx.rd();
        ctx.clobber(rd);
        return { asm: [`csrr ${REG(rd)}, satp`], size: 4, ninsn: 1 };
      }
      default:
        ctx.state.set('pmode', 3);
        return { asm: ['ecall'], size: 4, ninsn: 1 };
    }
  },
};
