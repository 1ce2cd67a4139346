/**
 * F and D: random encodings of every F/D instruction of encodings.ts (arithmetic, fused
 * multiply-add family, sqrt, div, min/max, compares, classification, sign injection, moves,
 * conversions between the formats and to/from integers of every width) with static rounding modes
 * 0..4, the dynamic one (7) and rarely the reserved 5/6; frm/fflags/fcsr accesses (frm written
 * with reserved values too, so that later dynamic-rounding instructions trap); flw/fsw/fld/fsd on
 * the data area (aligned, misaligned, faulting) and the compressed FP loads/stores (c.fld/c.fsd/
 * c.fldsp/c.fsdsp, and on RV32 also c.flw/c.fsw/c.flwsp/c.fswsp); mstatus.FS changes through
 * sstatus (Off included: FP instructions then trap).
 *
 * Set-up (per case, groups.ts `setup`): mstatus.FS on (initial, clean or dirty; rarely off), f0..f31
 * from interesting patterns (signed zeros, infinities, quiet and signalling NaNs with payloads,
 * subnormals, min/max normals, 1.0, values around the integer conversion limits, ties for
 * rounding, random bits; singles NaN-boxed or badly boxed) and fcsr random (frm mostly valid).
 * The data area gets some FP patterns too. The epilogue dumps f0..f31 and fcsr (the F line).
 */
import { interesting, REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';
import type { Rng } from '../rng.js';
import { cfp, FP_ENCODINGS, fpWord, fldWord, flwWord, fsdWord, fswWord, legal, READS_X, wordText, WRITES_X } from '../fpenc.js';
import { DATA_SIZE } from '../layout.js';

/** Interesting single-precision patterns (32 bits). */
function single(rng: Rng): number {
  const sign = rng.chance(0.4) ? 0x80000000 : 0;
  const v = rng.weighted<() => number>([
    [3, () => 0], // zero
    [2, () => 0x7f800000], // inf
    [2, () => 0x7fc00000], // canonical qNaN
    [2, () => 0x7fc00000 | rng.int(0x400000)], // qNaN with payload
    [2, () => 0x7f800000 | (1 + rng.int(0x3fffff))], // sNaN
    [2, () => 1 + rng.int(0x7fffff)], // subnormal
    [1, () => rng.pick([1, 0x7fffff, 0x400000])],
    [1, () => 0x00800000], // min normal
    [1, () => 0x7f7fffff], // max normal
    [3, () => 0x3f800000], // 1.0
    [2, () => rng.pick([0x3f000000, 0x3fc00000, 0x40200000, 0x40400000, 0x3eaaaaab, 0x40490fdb])], // 0.5 1.5 2.5 3 1/3 pi
    [3, () => rng.pick([0x4f000000, 0x4effffff, 0x4f800000, 0x4f7fffff, 0x5f000000, 0x5effffff, 0x5f800000, 0x5f7fffff])], // 2^31, 2^32, 2^63, 2^64 edges
    [2, () => (rng.range(100, 160) << 23) | rng.int(0x800000)], // numbers of integer magnitude
    [2, () => (rng.int(254) + 1) << 23 | rng.int(0x800000)], // any normal
    [3, () => rng.u32() & 0x7fffffff],
  ])();
  return (v | sign) >>> 0;
}

/** Interesting double-precision patterns. */
function double(rng: Rng): bigint {
  const sign = rng.chance(0.4) ? 1n << 63n : 0n;
  const v = rng.weighted<() => bigint>([
    [3, () => 0n],
    [2, () => 0x7ff0000000000000n],
    [2, () => 0x7ff8000000000000n],
    [2, () => 0x7ff8000000000000n | rng.bits(51)],
    [2, () => 0x7ff0000000000000n | (1n + rng.bits(50))], // sNaN (bit 51 clear, payload non-zero)
    [2, () => 1n + rng.bits(52) % 0xfffffffffffffn], // subnormal
    [1, () => rng.pick([1n, 0xfffffffffffffn, 0x8000000000000n])],
    [1, () => 0x0010000000000000n],
    [1, () => 0x7fefffffffffffffn],
    [3, () => 0x3ff0000000000000n],
    [2, () => rng.pick([0x3fe0000000000000n, 0x3ff8000000000000n, 0x4004000000000000n, 0x3fd5555555555555n, 0x400921fb54442d18n])],
    // 2^31 - 0.5, 2^31, 2^32, 2^32 - 1, 2^63, 2^64 edges, 2^53 + 1
    [3, () => rng.pick([0x41dfffffffe00000n, 0x41dfffffffc00000n, 0x41e0000000000000n, 0x41efffffffe00000n, 0x41f0000000000000n, 0x43e0000000000000n, 0x43dfffffffffffffn, 0x43f0000000000000n, 0x43efffffffffffffn, 0x4340000000000001n])],
    // doubles that convert to singles at the edges (overflow, underflow, subnormal results)
    [2, () => rng.pick([0x47efffffe0000000n, 0x47efffffffffffffn, 0x3810000000000000n, 0x380fffffffffffffn, 0x36a0000000000000n, 0x3690000000000000n])],
    [2, () => (BigInt(rng.range(1000, 1100)) << 52n) | rng.bits(52)],
    [2, () => (BigInt(rng.int(2046) + 1) << 52n) | rng.bits(52)],
    [3, () => rng.bits(63)],
  ])();
  return v | sign;
}

/** A 64-bit f-register pattern: a double, a NaN-boxed single, or a single boxed badly. */
function fpPattern(rng: Rng): bigint {
  return rng.weighted<() => bigint>([
    [10, () => double(rng)],
    [10, () => 0xffffffff00000000n | BigInt(single(rng))],
    [2, () => (BigInt(rng.pick([0, 0xfffffffe, 0x7fffffff, 0x80000000, 0xffff0000, rng.u32()])) << 32n) | BigInt(single(rng))],
  ])();
}

const SCRATCH = [5, 6, 7, 28, 29, 30, 31];

function rmField(ctx: GenCtx, hasRm: boolean): number | undefined {
  if (!hasRm) return undefined;
  // 7 = dynamic (frm); 5/6 reserved: illegal instruction
  const bad = ctx.avoid('rm-icount') ? 0 : 1;
  return ctx.rng.weighted<number>([[3, 0], [3, 1], [3, 2], [3, 3], [3, 4], [14, 7], [bad, 5], [bad, 6]]);
}

/** An integer source for the conversions from integers: sometimes set to an interesting value first. */
function intSource(ctx: GenCtx): { r: number; pre: string[]; size: number } {
  const { rng } = ctx;
  if (rng.chance(0.35)) {
    const r = rng.pick(SCRATCH);
    const v = rng.chance(0.5) ? interesting(ctx.xlen, rng) : BigInt.asUintN(ctx.xlen, BigInt(rng.range(-20, 20)) << BigInt(rng.int(ctx.xlen - 4)));
    ctx.clobber(r);
    return { r, pre: [`li ${REG(r)}, ${ctx.imm(v)}`], size: ctx.liSize(v) };
  }
  return { r: ctx.rs(), pre: [], size: 0 };
}

function arith(ctx: GenCtx): ItemSpec {
  const { rng, xlen } = ctx;
  const encs = FP_ENCODINGS.filter((e) => e.format !== 'I' && e.format !== 'S' && (e.xlen === undefined || e.xlen === xlen));
  for (;;) {
    const e = rng.pick(encs);
    const xd = WRITES_X.has(e.name), xs = READS_X.has(e.name);
    const rd = xd ? ctx.rd() : rng.int(32);
    const src = xs ? intSource(ctx) : { r: rng.int(32), pre: [], size: 0 };
    const rm = rmField(ctx, e.hasRm === true);
    const w = fpWord(e, { rd, rs1: src.r, rs2: rng.int(32), rs3: rng.int(32), ...(rm !== undefined ? { rm } : {}) });
    if (rm !== 5 && rm !== 6 && !legal(w, xlen)) continue;
    if (xd) ctx.clobber(rd);
    return { asm: [...src.pre, wordText(w, e.name)], size: src.size + 4, ninsn: src.size / 4 + 1 };
  }
}

const scaled = (scale: number, max: number) => (want: number): number | undefined =>
  want >= 0 && want <= max && want % scale === 0 ? want : undefined;

function loadStore(ctx: GenCtx): ItemSpec {
  const { rng, xlen } = ctx;
  const store = rng.chance(0.45);
  const compressed = rng.chance(0.35);
  if (compressed) {
    // c.fld/c.fsd (both XLENs), c.flw/c.fsw (RV32 only: RV64's slots are c.ld/c.sd)
    const dbl = xlen === 64 || rng.chance(0.5);
    const size = dbl ? 8 : 4;
    const sp = rng.chance(0.4);
    const a = ctx.dataAddress(size, {
      misalign: 0.1,
      base: sp ? [2] : [8, 9, 10, 11, 12, 13, 14, 15],
      offset: scaled(size, sp ? (dbl ? 504 : 252) : dbl ? 248 : 124),
    });
    const kind = `c.f${store ? 's' : 'l'}${dbl ? 'd' : 'w'}${sp ? 'sp' : ''}`;
    const r = sp ? rng.int(32) : 8 + rng.int(8);
    const h = cfp(xlen, kind, r, a.base, a.off);
    return { asm: [...a.pre, `.half 0x${h.toString(16)} # ${kind} f${r}, ${a.off}(${REG(sp ? 2 : a.base)})`], size: a.preSize + 2, ninsn: a.preSize / 4 + 1 };
  }
  const dbl = rng.chance(0.5);
  const size = dbl ? 8 : 4;
  const bad = rng.chance(0.05);
  const a = bad ? ctx.badAddress(size, rng.pick(SCRATCH), store) : ctx.dataAddress(size, { misalign: 0.12 });
  const r = rng.int(32);
  const w = store ? (dbl ? fsdWord(r, a.base, a.off) : fswWord(r, a.base, a.off)) : dbl ? fldWord(r, a.base, a.off) : flwWord(r, a.base, a.off);
  const name = `${store ? 'fs' : 'fl'}${dbl ? 'd' : 'w'} f${r}, ${a.off}(${REG(a.base)})`;
  return { asm: [...a.pre, wordText(w, name)], size: a.preSize + 4, ninsn: a.preSize / 4 + 1 };
}

/** frm / fflags / fcsr reads and writes (register and immediate forms). */
function fcsrAccess(ctx: GenCtx): ItemSpec {
  const { rng } = ctx;
  const csr = rng.weighted<string>([[4, 'frm'], [3, 'fflags'], [3, 'fcsr']]);
  const op = rng.pick(['csrrw', 'csrrs', 'csrrc']);
  const rd = ctx.rd();
  ctx.clobber(rd);
  if (rng.chance(0.45)) {
    // immediate: frm values 0..7 (5..7 reserved), flag sets
    const u = csr === 'frm' ? rng.weighted<number>([[5, rng.int(5)], [2, 5 + rng.int(3)], [1, rng.int(32)]]) : rng.int(32);
    return { asm: [`${op}i ${REG(rd)}, ${csr}, ${u}`], size: 4, ninsn: 1 };
  }
  if (rng.chance(0.2)) return { asm: [`${op} ${REG(rd)}, ${csr}, ${REG(ctx.rs())}`], size: 4, ninsn: 1 };
  const t = rng.pick(SCRATCH.filter((r) => r !== rd));
  const v = rng.weighted<() => bigint>([
    [4, () => BigInt(rng.int(256))],
    [2, () => BigInt(rng.int(5) << 5 | rng.int(32))],
    [1, () => interesting(ctx.xlen, rng)],
  ])();
  ctx.clobber(t);
  const sz = ctx.liSize(v);
  return { asm: [`li ${REG(t)}, ${ctx.imm(v)}`, `${op} ${REG(rd)}, ${csr}, ${REG(t)}`], size: sz + 4, ninsn: sz / 4 + 1 };
}

/**
 * With --avoid fs-stale: after a write that may change mstatus.FS, flip sstatus.MXR twice (through
 * registers t and t2), which makes tracehook recompute its translation mode (it does not when only
 * FS changes, so that F/D instructions right after turning FP on trap, and after turning it off
 * run). Nothing else changes.
 */
export function fsStaleFix(ctx: GenCtx, t: number, t2: number): string[] {
  if (!ctx.avoid('fs-stale')) return [];
  ctx.clobber(t, t2);
  return [`li ${REG(t)}, 0x80000`, `csrr ${REG(t2)}, sstatus`, `xor ${REG(t2)}, ${REG(t2)}, ${REG(t)}`, `csrw sstatus, ${REG(t2)}`,
    `xor ${REG(t2)}, ${REG(t2)}, ${REG(t)}`, `csrw sstatus, ${REG(t2)}`];
}

/** mstatus.FS through sstatus (legal in M and S): set a value, or clear (Off). */
function fsChange(ctx: GenCtx): ItemSpec {
  const { rng } = ctx;
  const t = rng.pick(SCRATCH);
  ctx.clobber(t);
  const fs = rng.weighted<number>([[1, 0], [2, 1], [2, 2], [2, 3]]);
  const asm = [`li ${REG(t)}, 0x6000`, `csrc sstatus, ${REG(t)}`];
  if (fs !== 0) asm.push(`li ${REG(t)}, ${fs << 13}`, `csrs sstatus, ${REG(t)}`);
  asm.push(...fsStaleFix(ctx, t, rng.pick(SCRATCH.filter((r) => r !== t))));
  return { asm, size: 4 * asm.length, ninsn: asm.length };
}

export const fp: Group = {
  name: 'fp',
  weight: 12,
  perCase: 0.5,
  setup(ctx) {
    const { rng } = ctx;
    const regs = Array.from({ length: 32 }, () => fpPattern(rng));
    const fcsr = (rng.weighted<number>([[12, rng.int(5)], [1, 5 + rng.int(3)]]) << 5) | (rng.chance(0.5) ? 0 : rng.int(32));
    const fs = rng.weighted<number>([[1, 0], [5, 1], [3, 2], [3, 3]]);
    ctx.fp = { regs, fcsr, fs };
    // FP patterns in the data area too (for the loads)
    const dv = new DataView(ctx.data.buffer, ctx.data.byteOffset, ctx.data.byteLength);
    for (let i = 0; i < 48; i++) {
      if (rng.chance(0.5)) dv.setBigUint64(rng.int(DATA_SIZE / 8) * 8, fpPattern(rng), true);
      else dv.setUint32(rng.int(DATA_SIZE / 4) * 4, single(rng), true);
    }
  },
  gen(ctx): ItemSpec {
    const k = ctx.rng.weighted<string>([[30, 'arith'], [8, 'mem'], [5, 'fcsr'], [ctx.fp ? 1 : 0, 'fs']]);
    switch (k) {
      case 'arith': return arith(ctx);
      case 'mem': return loadStore(ctx);
      case 'fcsr': return fcsrAccess(ctx);
      default: return fsChange(ctx);
    }
  },
};
