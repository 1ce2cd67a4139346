/**
 * Zicsr: csrrw/csrrs/csrrc and the immediate forms on CSRs whose value is deterministic (scratch
 * registers, trap registers, WARL fields of mstatus/mie/mip/delegation/satp/stvec/counter enables/
 * envcfg/PMP), reads of read-only ones (misa, mhartid, mvendorid, mconfigptr), and accesses that
 * must raise illegal instruction (writes to read-only CSRs, CSRs absent on this hart: H, debug,
 * F without F, custom, RV32-only high halves on RV64).
 *
 * Never touched: mtvec and sscratch (the harness's), mstatus.MIE / MPRV / SBE / MBE (would take
 * interrupts or change how the harness's own loads/stores work), pmpcfg L bits (would lock M-mode
 * out), misa (QEMU 7.2 can change the extensions), marchid/mimpid (QEMU version numbers),
 * counters (see the counters group).
 *
 * mstatus.FS / sstatus.FS: kept Off outside fp cases (so that F/D stays illegal); in fp cases
 * (groups/fp.ts) written with random values, mostly on. In paging cases (groups/paging.ts) satp
 * is only read (a write in S-mode would change the translation of the code without an
 * sfence.vma, where the spec lets implementations differ) and there is no wfi (in S/U-mode it
 * could wait for an interrupt that is not enabled).
 */
import { interesting, REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';
import { fsStaleFix } from './fp.js';

interface Csr {
  name: string;
  num: number;
  /** Bits a write may set (undefined: any). Clearing (csrrc) is always safe. */
  safe?: (xlen: 32 | 64) => bigint;
  readOnly?: boolean;
  xlen?: 32 | 64;
  weight: number;
}

const ALL = (xlen: 32 | 64): bigint => (1n << BigInt(xlen)) - 1n;
const PER_BYTE = (xlen: 32 | 64, b: bigint): bigint => (xlen === 64 ? b * 0x0101010101010101n : b * 0x01010101n);
/** Never written: MIE, MPRV, SBE, MBE (interrupts; the harness's own loads/stores), FS (keeps F/D instructions illegal). */
const MSTATUS_UNSAFE = (1n << 3n) | (1n << 17n) | (1n << 36n) | (1n << 37n) | (3n << 13n);
const SSTATUS_UNSAFE = 3n << 13n;

/**
 * Bits QEMU 7.2 lets M-mode set where the privileged spec (for a hart without H, V, Svpbmt and
 * Sscofpmf, as tracehook's) makes them read-only zero, or that QEMU does not clear: known
 * differences, written only with the 'qemu-quirks' flag (--csr-quirks), so that the fuzzer does
 * not drown in them. Each is reported once by `--csr-quirks` runs.
 */
export const QEMU_QUIRKS: Record<string, (xlen: 32 | 64) => bigint> = {
  // VS field (V), and on RV64 UXL (any non-zero value written sticks), GVA and MPV (H)
  mstatus: (x) => (3n << 9n) | (x === 64 ? (3n << 32n) | (1n << 38n) | (1n << 39n) : 0n),
  sstatus: (x) => (3n << 9n) | (x === 64 ? 3n << 32n : 0n),
  // VSSIP/VSTIP/VSEIP, SGEIP (H), LCOFIP (Sscofpmf) and the other local interrupts, bits 13 and up
  mie: (x) => (0x1444n | (ALL(x) & ~0x1fffn)),
  mip: (x) => (0x1444n | (ALL(x) & ~0x1fffn)),
  mideleg: (x) => (0x1444n | (ALL(x) & ~0x1fffn)),
  // virtual-supervisor ecall (10), M-mode ecall (11), guest page faults and virtual instruction (20..23)
  medeleg: () => (3n << 10n) | (0xfn << 20n),
  // 32-bit registers that QEMU keeps 64 bits wide on RV64
  mcounteren: (x) => ALL(x) & ~0xffffffffn,
  scounteren: (x) => ALL(x) & ~0xffffffffn,
  // PBMTE without Svpbmt
  menvcfg: (x) => (x === 64 ? 1n << 62n : 0n),
  // bit 0 of mepc/sepc (the spec keeps it zero; QEMU clears it only on mret/sret)
  mepc: () => 1n,
  sepc: () => 1n,
  // reserved bits 6:5 of each pmpcfg byte
  pmpcfg0: (x) => PER_BYTE(x, 0x60n),
  pmpcfg2: (x) => PER_BYTE(x, 0x60n),
  // pmpaddr holds address bits 55:2 on RV64: QEMU keeps all 64 bits
  pmpaddr0: (x) => (x === 64 ? 0x3ffn << 54n : 0n),
  pmpaddr1: (x) => (x === 64 ? 0x3ffn << 54n : 0n),
  pmpaddr15: (x) => (x === 64 ? 0x3ffn << 54n : 0n),
  // (also mstatus.MPP = 2, reserved: QEMU stores it; see legalMpp)
};

/** mstatus.MPP (bits 12:11) = 2 is reserved; QEMU 7.2 stores it, the spec's WARL field does not. */
function legalMpp(ctx: GenCtx, name: string, op: string, v: bigint): bigint {
  if (name !== 'mstatus' || ctx.flags.has('qemu-quirks')) return v;
  if (op !== 'csrrw') return v & ~(3n << 11n); // set/clear MPP bits only by writing the whole field
  return ((v >> 11n) & 3n) === 2n ? v | (1n << 11n) : v;
}

/** pmpcfg: no L bits (they would lock M-mode out). */
const PMPCFG_SAFE = (xlen: 32 | 64): bigint => PER_BYTE(xlen, 0x7fn);

const CSRS: Csr[] = [
  { name: 'mscratch', num: 0x340, weight: 6 },
  { name: 'mepc', num: 0x341, weight: 4 },
  { name: 'mcause', num: 0x342, weight: 4 },
  { name: 'mtval', num: 0x343, weight: 4 },
  { name: 'sepc', num: 0x141, weight: 3 },
  { name: 'scause', num: 0x142, weight: 3 },
  { name: 'stval', num: 0x143, weight: 3 },
  { name: 'mstatus', num: 0x300, safe: (x) => ALL(x) & ~MSTATUS_UNSAFE, weight: 6 },
  { name: 'sstatus', num: 0x100, safe: (x) => ALL(x) & ~SSTATUS_UNSAFE, weight: 4 },
  { name: 'mie', num: 0x304, weight: 3 },
  { name: 'sie', num: 0x104, weight: 2 },
  { name: 'mip', num: 0x344, weight: 3 },
  { name: 'sip', num: 0x144, weight: 2 },
  { name: 'medeleg', num: 0x302, weight: 3 },
  { name: 'mideleg', num: 0x303, weight: 3 },
  { name: 'satp', num: 0x180, weight: 3 },
  { name: 'stvec', num: 0x105, weight: 2 },
  { name: 'mcounteren', num: 0x306, weight: 2 },
  { name: 'scounteren', num: 0x106, weight: 2 },
  { name: 'menvcfg', num: 0x30a, weight: 2 },
  { name: 'senvcfg', num: 0x10a, weight: 2 },
  { name: 'pmpcfg0', num: 0x3a0, safe: PMPCFG_SAFE, weight: 1 },
  { name: 'pmpcfg2', num: 0x3a2, safe: PMPCFG_SAFE, weight: 1 },
  { name: 'pmpaddr0', num: 0x3b0, weight: 1 },
  { name: 'pmpaddr1', num: 0x3b1, weight: 1 },
  { name: 'pmpaddr15', num: 0x3bf, weight: 1 },
  { name: 'mtvec', num: 0x305, readOnly: true, weight: 1 }, // read only by us
  { name: 'misa', num: 0x301, readOnly: true, weight: 1 },
  { name: 'mhartid', num: 0xf14, readOnly: true, weight: 2 },
  { name: 'mvendorid', num: 0xf11, readOnly: true, weight: 1 },
  { name: 'mconfigptr', num: 0xf15, readOnly: true, weight: 1 },
];

/** CSR numbers no access of which is legal on these harts (M-mode, no F/D/H/debug/custom). */
const ABSENT = (xlen: 32 | 64): number[] => [
  0x001, 0x002, 0x003, // fflags/frm/fcsr (F off)
  0x600, 0x602, 0x680, 0x200, 0x240, // H
  0x7b0, 0x7b1, // dcsr, dpc (debug mode only; tselect/tdata* exist in QEMU 7.2 with debug=true: not probed)
  0x7c0, 0x800, 0xbc0, 0xfc0, 0x5c0, 0x9c0, // custom
  0x015, 0x747, // seed (Zkr off), mseccfg (ePMP off)
  0x321, 0x322, // reserved
  ...(xlen === 64 ? [0x310, 0x31a, 0xc80, 0xb80, 0x3a1, 0x3a3] : []), // RV32-only on RV64
];

/**
 * --avoid pmp-tor0: no pmpcfg write may leave an entry in TOR mode (A = 01): QEMU 7.2 computes
 * a TOR range ending at pmpaddr[i] = 0 as the whole address space (the spec: no address), which
 * shows in S/U-mode accesses. csrrw: TOR becomes NAPOT; csrrs: setting A[0] sets A[1] too; csrrc:
 * clearing A[1] clears A[0] too. Only in paging cases (elsewhere everything runs in M-mode, where
 * PMP entries without L do not apply).
 */
function noTor(ctx: GenCtx, name: string, op: string, v: bigint): bigint {
  if (!name.startsWith('pmpcfg') || !ctx.avoid('pmp-tor0') || ctx.pt === undefined) return v;
  for (let i = 0n; i < BigInt(ctx.xlen); i += 8n) {
    const a = (v >> (i + 3n)) & 3n;
    if (op.startsWith('csrrw') && a === 1n) v |= 2n << (i + 3n);
    if (op.startsWith('csrrs') && (a & 1n) !== 0n) v |= 2n << (i + 3n);
    if (op.startsWith('csrrc') && (a & 2n) !== 0n) v |= 1n << (i + 3n);
  }
  return v;
}

/** The bits of `c` generated code may set. */
function safeMask(ctx: GenCtx, c: Csr): bigint | undefined {
  let m = c.safe?.(ctx.xlen);
  const q = QEMU_QUIRKS[c.name];
  if (q !== undefined && !ctx.flags.has('qemu-quirks')) m = (m ?? ALL(ctx.xlen)) & ~q(ctx.xlen);
  return m;
}

function value(ctx: GenCtx, c: Csr): bigint {
  let v = ctx.rng.chance(0.5) ? interesting(ctx.xlen, ctx.rng) : ctx.rng.bits(ctx.xlen);
  if (c.name === 'menvcfg' && ctx.avoid('stce')) v &= ~(1n << 63n);
  const m = safeMask(ctx, c);
  v = m !== undefined ? v & m : v;
  // fp case: FS mostly on (a whole-register write would otherwise turn FP off)
  if (ctx.fp !== undefined && (c.name === 'mstatus' || c.name === 'sstatus')) v |= BigInt(ctx.rng.weighted<number>([[1, 0], [1, 1], [1, 2], [3, 3]])) << 13n;
  return v;
}

export const csr: Group = {
  name: 'csr',
  weight: 5,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const rd = ctx.rd();
    const kind = rng.weighted<string>([[14, 'known'], [1, 'absent'], [1, 'ro-write'], [ctx.avoid('wfi') || ctx.pt !== undefined ? 0 : 1, 'wfi']]);
    if (kind === 'wfi') {
      // wfi with an enabled interrupt pending (MTIP: mtimecmp is 0) returns at once, MIE being 0;
      // mie is restored after
      const t = rng.pick([5, 6, 7, 28, 29, 30, 31].filter((r) => r !== rd));
      ctx.clobber(rd, t);
      return { asm: [`li ${REG(t)}, 0x80`, `csrrs ${REG(t)}, mie, ${REG(t)}`, 'wfi', `csrw mie, ${REG(t)}`], size: 16, ninsn: 4 };
    }
    const op = rng.pick(['csrrw', 'csrrs', 'csrrc']);
    const imm = rng.chance(0.3);
    if (kind === 'absent' || kind === 'ro-write') {
      const num = kind === 'absent' ? rng.pick(ABSENT(xlen)).toString() : rng.pick(['mhartid', 'mvendorid', 'marchid', 'mconfigptr', 'cycle', 'instret', 'time']);
      // ro-write: csrrw always writes; csrrs/csrrc write only with a non-zero source
      const t = rng.pick([5, 6, 7, 10, 11]);
      const src = imm ? String(1 + rng.int(31)) : REG(t);
      const pre = kind === 'ro-write' && !imm && op !== 'csrrw' ? [`li ${REG(t)}, ${1 + rng.int(100)}`] : [];
      if (pre.length) ctx.clobber(t);
      ctx.clobber(rd);
      return { asm: [...pre, `${op}${imm ? 'i' : ''} ${REG(rd)}, ${num}, ${src}`], size: 4 + 4 * pre.length, ninsn: 1 + pre.length };
    }
    const c = rng.weighted(CSRS.filter((x) => (x.xlen === undefined || x.xlen === xlen) && !(ctx.avoid('pmpcfg') && x.name.startsWith('pmpcfg')))
      .map((x) => [x.weight, x] as const));
    ctx.clobber(rd);
    if (c.readOnly || (c.name === 'satp' && ctx.pt !== undefined)) {
      // csrrs/csrrc with x0 or uimm 0: reads without writing
      return { asm: [`${rng.pick(['csrrs', 'csrrc'])}${imm ? 'i' : ''} ${REG(rd)}, ${c.name}, ${imm ? 0 : 'zero'}`], size: 4, ninsn: 1 };
    }
    const mask = safeMask(ctx, c);
    // fp cases: a write of mstatus/sstatus may change FS (see fsStaleFix)
    const [f1, f2] = [28, 29, 30, 31].filter((r) => r !== rd);
    const fsFix = (): string[] => (ctx.fp !== undefined && (c.name === 'mstatus' || c.name === 'sstatus') ? fsStaleFix(ctx, f1!, f2!) : []);
    if (imm) {
      let u = rng.int(32);
      if (mask !== undefined) u = Number(BigInt(u) & mask);
      u = Number(noTor(ctx, c.name, op, BigInt(u)));
      const fix = op === 'csrrw' ? fsFix() : [];
      return { asm: [`${op}i ${REG(rd)}, ${c.name}, ${u}`, ...fix], size: 4 + 4 * fix.length, ninsn: 1 + fix.length };
    }
    if (mask === undefined && rng.chance(0.4) && !(c.name.startsWith('pmpcfg') && ctx.avoid('pmp-tor0') && ctx.pt !== undefined)) {
      // any register as the source (values as the program left them)
      return { asm: [`${op} ${REG(rd)}, ${c.name}, ${REG(ctx.rs())}`], size: 4, ninsn: 1 };
    }
    const t = rng.pick([5, 6, 7, 28, 29, 30, 31]);
    const v = noTor(ctx, c.name, op, legalMpp(ctx, c.name, op, value(ctx, c)));
    ctx.clobber(t);
    const sz = ctx.liSize(v);
    const fix = fsFix();
    return { asm: [`li ${REG(t)}, ${ctx.imm(v)}`, `${op} ${REG(rd)}, ${c.name}, ${REG(t)}`, ...fix], size: sz + 4 + 4 * fix.length, ninsn: sz / 4 + 1 + fix.length };
  },
};
