/**
 * F and D instruction semantics, emitted as JavaScript (see emit.ts for the conventions). The
 * floating-point registers are `s.fp.f` (raw bits, register r at f[2r] low / f[2r+1] high; a
 * single is NaN-boxed). Moves, sign injection, loads and stores are inline bit operations;
 * arithmetic, conversions, comparisons and classification call the helpers of fp/, which do the
 * IEEE 754 work (rounding modes, exception flags, canonical NaNs) like QEMU 7.2's softfloat.
 *
 * A rounding-mode field of 7 (dynamic) reads frm through `s.dynRm(k)`, which raises illegal
 * instruction for a reserved frm before anything is written; this is done for every instruction
 * with an rm field, whether or not it rounds (as QEMU does). The translator is expected to make
 * all of these illegal while mstatus.FS is Off and to mark FS dirty after {@link FP_WRITES_FREG}.
 */
import type { EmitContext } from '../../core/blockgen.js';
import { f, loadCode, storeCode, type Emitter, type Gen, type InsnSite } from './emit.js';
import { fclassD, fclassS } from './fp/classify.js';
import { feqD, feqS, fleD, fleS, fltD, fltS, fmaxD, fmaxS, fminD, fminS } from './fp/compare.js';
import * as insns from './fp/insns.js';

const rs3 = (w: number): number => (w >>> 27) & 31;

/** The rounding mode argument: a constant, or the dynamic mode checked at run time. */
function rmArg(s: InsnSite, c: EmitContext): string {
  const rm = (s.w >>> 12) & 7;
  if (rm === 7) return `s.dynRm(${c.k})`;
  if (rm > 4) return `s.illegal(${c.k})`; // reserved (the decoder already rejects these)
  return String(rm);
}

type Helper = (...args: never[]) => unknown;
const fn = (c: EmitContext, h: Helper, name: string): string => c.jit.constant(h, name);

/** rd = op(rs1, rs2) on f registers, with a rounding mode. */
const arith = (h: Helper, name: string): Emitter => (s, _g, c) =>
  `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${f.rs1(s.w)}, ${f.rs2(s.w)}, ${rmArg(s, c)});\n`;
/** rd = op(rs1) on f registers, with a rounding mode. */
const unary = (h: Helper, name: string): Emitter => (s, _g, c) =>
  `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${f.rs1(s.w)}, ${rmArg(s, c)});\n`;
/** rd = op(rs1, rs2, rs3). */
const fused = (h: Helper, name: string): Emitter => (s, _g, c) =>
  `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${f.rs1(s.w)}, ${f.rs2(s.w)}, ${rs3(s.w)}, ${rmArg(s, c)});\n`;
/** rd = op(rs1, rs2) on f registers, no rounding mode (fmin/fmax). */
const minmax = (h: Helper, name: string): Emitter => (s, _g, c) =>
  `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${f.rs1(s.w)}, ${f.rs2(s.w)});\n`;
/** x[rd] = op(rs1, rs2): comparisons (evaluated even for rd = x0: they raise flags). */
const compare = (h: Helper, name: string): Emitter => (s, g, c) =>
  `const v = ${fn(c, h, name)}(s.fp, ${f.rs1(s.w)}, ${f.rs2(s.w)});\n` + g.set(f.rd(s.w), 'v', '0');
/** x[rd] = fclass(rs1). */
const fclass = (h: Helper, name: string): Emitter => (s, g, c) =>
  f.rd(s.w) === 0 ? '' : g.set(f.rd(s.w), `${fn(c, h, name)}(s.fp, ${f.rs1(s.w)})`, '0');
/** x[rd] = 32-bit conversion result, sign-extended. */
const toInt32 = (h: Helper, name: string): Emitter => (s, g, c) =>
  `const v = ${fn(c, h, name)}(s.fp, ${f.rs1(s.w)}, ${rmArg(s, c)});\n` + g.set32(f.rd(s.w), 'v');
/** x[rd] = 64-bit conversion result (RV64 only). */
const toInt64 = (h: Helper, name: string): Emitter => (s, g, c) => {
  const R = c.jit.constant(insns.R, 'FR');
  return `${fn(c, h, name)}(s.fp, ${f.rs1(s.w)}, ${rmArg(s, c)});\n` + g.set(f.rd(s.w), `${R}[0]`, `${R}[1]`);
};
/** f[rd] = conversion of the low word of x[rs1] (rounding where needed). */
const fromInt32 = (h: Helper, name: string, rounds: boolean): Emitter => (s, g, c) => {
  const rm = rmArg(s, c); // evaluated (for its legality check) even when the conversion is exact
  const call = `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${g.lo(f.rs1(s.w))}${rounds ? `, ${rm}` : ''});\n`;
  return rounds || !rm.startsWith('s.') ? call : `${rm};\n${call}`;
};
/** f[rd] = conversion of the 64-bit x[rs1]. */
const fromInt64 = (h: Helper, name: string): Emitter => (s, g, c) => {
  const rs1 = f.rs1(s.w);
  return `${fn(c, h, name)}(s.fp, ${f.rd(s.w)}, ${g.lo(rs1)}, ${g.hi(rs1)}, ${rmArg(s, c)});\n`;
};

/** Sign injection on singles (operands NaN-boxing-checked; the result is boxed). */
function sgnjS(kind: 'j' | 'n' | 'x'): Emitter {
  return (s) => {
    const rd = f.rd(s.w), a = f.rs1(s.w), b = f.rs2(s.w);
    const box = (r: number): string => `(F[${2 * r + 1}] === -1 ? F[${2 * r}] : 0x7fc00000)`;
    const res = kind === 'j' ? '(a & 0x7fffffff) | (b & -0x80000000)' : kind === 'n' ? '(a & 0x7fffffff) | (~b & -0x80000000)' : 'a ^ (b & -0x80000000)';
    return `const F = s.fp.f, a = ${box(a)}, b = ${box(b)};\nF[${2 * rd}] = ${res}; F[${2 * rd + 1}] = -1;\n`;
  };
}
/** Sign injection on doubles (only the high word's sign bit changes). */
function sgnjD(kind: 'j' | 'n' | 'x'): Emitter {
  return (s) => {
    const rd = f.rd(s.w), a = f.rs1(s.w), b = f.rs2(s.w);
    const res = kind === 'j' ? '(a & 0x7fffffff) | (b & -0x80000000)' : kind === 'n' ? '(a & 0x7fffffff) | (~b & -0x80000000)' : 'a ^ (b & -0x80000000)';
    return `const F = s.fp.f, l = F[${2 * a}], a = F[${2 * a + 1}], b = F[${2 * b + 1}];\nF[${2 * rd}] = l; F[${2 * rd + 1}] = ${res};\n`;
  };
}

const flw: Emitter = (s, g, c) => {
  const rd = f.rd(s.w);
  return loadCode(g, c, f.rs1(s.w), f.immI(s.w), 4, false) + `s.fp.f[${2 * rd}] = vl; s.fp.f[${2 * rd + 1}] = -1;\n`;
};
const fld: Emitter = (s, g, c) => {
  const rd = f.rd(s.w);
  return loadCode(g, c, f.rs1(s.w), f.immI(s.w), 8, false) + `s.fp.f[${2 * rd}] = vl; s.fp.f[${2 * rd + 1}] = vh;\n`;
};
const fsw: Emitter = (s, g, c) => storeCode(s, g, c, f.rs1(s.w), f.immS(s.w), 4, `s.fp.f[${2 * f.rs2(s.w)}]`, '0');
const fsd: Emitter = (s, g, c) => {
  const r = f.rs2(s.w);
  return storeCode(s, g, c, f.rs1(s.w), f.immS(s.w), 8, `s.fp.f[${2 * r}]`, `s.fp.f[${2 * r + 1}]`);
};

const fmvXW: Emitter = (s, g) => g.set32(f.rd(s.w), `s.fp.f[${2 * f.rs1(s.w)}]`);
const fmvXD: Emitter = (s, g) => f.rd(s.w) === 0 ? '' : `const F = s.fp.f;\n` + g.set(f.rd(s.w), `F[${2 * f.rs1(s.w)}]`, `F[${2 * f.rs1(s.w) + 1}]`);
const fmvWX: Emitter = (s, g) => { const rd = f.rd(s.w); return `s.fp.f[${2 * rd}] = ${g.lo(f.rs1(s.w))}; s.fp.f[${2 * rd + 1}] = -1;\n`; };
const fmvDX: Emitter = (s, g: Gen) => {
  const rd = f.rd(s.w), r = f.rs1(s.w);
  return `const F = s.fp.f;\nF[${2 * rd}] = ${g.lo(r)}; F[${2 * rd + 1}] = ${g.hi(r)};\n`;
};

/** F and D semantics by encoding name (encodings.ts). */
export const FP_SEMANTICS: Record<string, Emitter> = {
  // F
  flw, fsw,
  'fmadd.s': fused(insns.fmaddS, 'fmaddS'), 'fmsub.s': fused(insns.fmsubS, 'fmsubS'),
  'fnmsub.s': fused(insns.fnmsubS, 'fnmsubS'), 'fnmadd.s': fused(insns.fnmaddS, 'fnmaddS'),
  'fadd.s': arith(insns.faddS, 'faddS'), 'fsub.s': arith(insns.fsubS, 'fsubS'),
  'fmul.s': arith(insns.fmulS, 'fmulS'), 'fdiv.s': arith(insns.fdivS, 'fdivS'),
  'fsqrt.s': unary(insns.fsqrtS, 'fsqrtS'),
  'fsgnj.s': sgnjS('j'), 'fsgnjn.s': sgnjS('n'), 'fsgnjx.s': sgnjS('x'),
  'fmin.s': minmax(fminS, 'fminS'), 'fmax.s': minmax(fmaxS, 'fmaxS'),
  'fcvt.w.s': toInt32(insns.fcvtWS, 'fcvtWS'), 'fcvt.wu.s': toInt32(insns.fcvtWUS, 'fcvtWUS'),
  'fcvt.l.s': toInt64(insns.fcvtLS, 'fcvtLS'), 'fcvt.lu.s': toInt64(insns.fcvtLUS, 'fcvtLUS'),
  'fmv.x.w': fmvXW,
  'feq.s': compare(feqS, 'feqS'), 'flt.s': compare(fltS, 'fltS'), 'fle.s': compare(fleS, 'fleS'),
  'fclass.s': fclass(fclassS, 'fclassS'),
  'fcvt.s.w': fromInt32(insns.fcvtSW, 'fcvtSW', true), 'fcvt.s.wu': fromInt32(insns.fcvtSWU, 'fcvtSWU', true),
  'fcvt.s.l': fromInt64(insns.fcvtSL, 'fcvtSL'), 'fcvt.s.lu': fromInt64(insns.fcvtSLU, 'fcvtSLU'),
  'fmv.w.x': fmvWX,

  // D
  fld, fsd,
  'fmadd.d': fused(insns.fmaddD, 'fmaddD'), 'fmsub.d': fused(insns.fmsubD, 'fmsubD'),
  'fnmsub.d': fused(insns.fnmsubD, 'fnmsubD'), 'fnmadd.d': fused(insns.fnmaddD, 'fnmaddD'),
  'fadd.d': arith(insns.faddD, 'faddD'), 'fsub.d': arith(insns.fsubD, 'fsubD'),
  'fmul.d': arith(insns.fmulD, 'fmulD'), 'fdiv.d': arith(insns.fdivD, 'fdivD'),
  'fsqrt.d': unary(insns.fsqrtD, 'fsqrtD'),
  'fsgnj.d': sgnjD('j'), 'fsgnjn.d': sgnjD('n'), 'fsgnjx.d': sgnjD('x'),
  'fmin.d': minmax(fminD, 'fminD'), 'fmax.d': minmax(fmaxD, 'fmaxD'),
  'fcvt.s.d': unary(insns.fcvtSD, 'fcvtSD'),
  'fcvt.d.s': (s, _g, c) => {
    const rm = rmArg(s, c);
    const call = `${fn(c, insns.fcvtDS, 'fcvtDS')}(s.fp, ${f.rd(s.w)}, ${f.rs1(s.w)});\n`;
    return rm.startsWith('s.') ? `${rm};\n${call}` : call;
  },
  'feq.d': compare(feqD, 'feqD'), 'flt.d': compare(fltD, 'fltD'), 'fle.d': compare(fleD, 'fleD'),
  'fclass.d': fclass(fclassD, 'fclassD'),
  'fcvt.w.d': toInt32(insns.fcvtWD, 'fcvtWD'), 'fcvt.wu.d': toInt32(insns.fcvtWUD, 'fcvtWUD'),
  'fcvt.d.w': fromInt32(insns.fcvtDW, 'fcvtDW', false), 'fcvt.d.wu': fromInt32(insns.fcvtDWU, 'fcvtDWU', false),
  'fcvt.l.d': toInt64(insns.fcvtLD, 'fcvtLD'), 'fcvt.lu.d': toInt64(insns.fcvtLUD, 'fcvtLUD'),
  'fmv.x.d': fmvXD,
  'fcvt.d.l': fromInt64(insns.fcvtDL, 'fcvtDL'), 'fcvt.d.lu': fromInt64(insns.fcvtDLU, 'fcvtDLU'),
  'fmv.d.x': fmvDX,
};

/** Instructions whose destination is an f register (they make mstatus.FS Dirty). */
export const FP_WRITES_FREG: ReadonlySet<string> = new Set([
  'flw', 'fld',
  'fmadd.s', 'fmsub.s', 'fnmsub.s', 'fnmadd.s', 'fmadd.d', 'fmsub.d', 'fnmsub.d', 'fnmadd.d',
  'fadd.s', 'fsub.s', 'fmul.s', 'fdiv.s', 'fsqrt.s', 'fadd.d', 'fsub.d', 'fmul.d', 'fdiv.d', 'fsqrt.d',
  'fsgnj.s', 'fsgnjn.s', 'fsgnjx.s', 'fsgnj.d', 'fsgnjn.d', 'fsgnjx.d',
  'fmin.s', 'fmax.s', 'fmin.d', 'fmax.d',
  'fcvt.s.w', 'fcvt.s.wu', 'fcvt.s.l', 'fcvt.s.lu', 'fcvt.d.w', 'fcvt.d.wu', 'fcvt.d.l', 'fcvt.d.lu',
  'fcvt.s.d', 'fcvt.d.s',
  'fmv.w.x', 'fmv.d.x',
]);
