/**
 * One helper per arithmetic/conversion instruction, called by the generated code with the hart's
 * FpState, register numbers and a resolved rounding mode (0..4). Each reads its operands (with
 * NaN-boxing), deals with NaN operands (canonical NaN result, NV for a signalling one), lets the
 * operation write the destination and OR the exception flags into fp.fflags. Integer results are
 * returned (32-bit) or left in {@link R} (64-bit: R[0] low word, R[1] high word).
 *
 * Written out per instruction (no shared closures) so that each call site stays monomorphic. The
 * general versions (…Gen) come first; the exported entry points, with their fast paths, at the end.
 */
import { MAX32, MIN_NORMAL32, MIN_NORMAL64 } from './bits.js';
import { cvtDL, cvtDLU, cvtL, cvtLU, cvtSD, cvtSL, cvtSLU, cvtSW, cvtSWU, cvtW, cvtWU, R } from './convert.js';
import { SAFE_HI, SAFE_LO } from './eft.js';
import { add32, div32, mul32, sqrt32 } from './f32.js';
import { add64, div64, mul64, sqrt64 } from './f64.js';
import { fma32, fma64, infTimesZero } from './fma.js';
import { getD, getS, nanD, nanS, putNaND, putNaNS, snanD, snanS } from './regs.js';
import { NV, NX, RNE, RTZ } from './round.js';
import type { FpState } from './state.js';

export { R };

// ---- binary32 -----------------------------------------------------------------------------------

function faddSGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b);
  if (x !== x || y !== y) { nanS(fp, a, b, -1); putNaNS(fp, rd); return; }
  add32(fp, rd, x, y, rm);
}
function fsubSGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b);
  if (x !== x || y !== y) { nanS(fp, a, b, -1); putNaNS(fp, rd); return; }
  add32(fp, rd, x, -y, rm);
}
function fmulSGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b);
  if (x !== x || y !== y) { nanS(fp, a, b, -1); putNaNS(fp, rd); return; }
  mul32(fp, rd, x, y, rm);
}
function fdivSGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b);
  if (x !== x || y !== y) { nanS(fp, a, b, -1); putNaNS(fp, rd); return; }
  div32(fp, rd, x, y, rm);
}
function fsqrtSGen(fp: FpState, rd: number, a: number, rm: number): void {
  const x = getS(fp, a);
  if (x !== x) { nanS(fp, a, -1, -1); putNaNS(fp, rd); return; }
  sqrt32(fp, rd, x, rm);
}

/** NaN operands of a fused multiply-add: NV for a signalling NaN, and for inf * 0 even with a quiet NaN addend. */
function fmaNaNS(fp: FpState, rd: number, a: number, b: number, c: number, x: number, y: number): void {
  nanS(fp, a, b, c);
  if (infTimesZero(x, y)) fp.fflags |= NV;
  putNaNS(fp, rd);
}
function fmaNaND(fp: FpState, rd: number, a: number, b: number, c: number, x: number, y: number): void {
  nanD(fp, a, b, c);
  if (infTimesZero(x, y)) fp.fflags |= NV;
  putNaND(fp, rd);
}

/** Fused multiply-adds: fnm* negate the product (through rs1), fmsub and fnmadd the addend. */
function fmaddSGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b), z = getS(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaNS(fp, rd, a, b, c, x, y); return; }
  fma32(fp, rd, x, y, z, rm);
}
function fmsubSGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b), z = getS(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaNS(fp, rd, a, b, c, x, y); return; }
  fma32(fp, rd, x, y, -z, rm);
}
function fnmsubSGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b), z = getS(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaNS(fp, rd, a, b, c, x, y); return; }
  fma32(fp, rd, -x, y, z, rm);
}
function fnmaddSGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getS(fp, a), y = getS(fp, b), z = getS(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaNS(fp, rd, a, b, c, x, y); return; }
  fma32(fp, rd, -x, y, -z, rm);
}

// ---- binary64 -----------------------------------------------------------------------------------

function faddDGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b);
  if (x !== x || y !== y) { nanD(fp, a, b, -1); putNaND(fp, rd); return; }
  add64(fp, rd, x, y, rm);
}
function fsubDGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b);
  if (x !== x || y !== y) { nanD(fp, a, b, -1); putNaND(fp, rd); return; }
  add64(fp, rd, x, -y, rm);
}
function fmulDGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b);
  if (x !== x || y !== y) { nanD(fp, a, b, -1); putNaND(fp, rd); return; }
  mul64(fp, rd, x, y, rm);
}
function fdivDGen(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b);
  if (x !== x || y !== y) { nanD(fp, a, b, -1); putNaND(fp, rd); return; }
  div64(fp, rd, x, y, rm);
}
function fsqrtDGen(fp: FpState, rd: number, a: number, rm: number): void {
  const x = getD(fp, a);
  if (x !== x) { nanD(fp, a, -1, -1); putNaND(fp, rd); return; }
  sqrt64(fp, rd, x, rm);
}
function fmaddDGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b), z = getD(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaND(fp, rd, a, b, c, x, y); return; }
  fma64(fp, rd, x, y, z, rm);
}
function fmsubDGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b), z = getD(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaND(fp, rd, a, b, c, x, y); return; }
  fma64(fp, rd, x, y, -z, rm);
}
function fnmsubDGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b), z = getD(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaND(fp, rd, a, b, c, x, y); return; }
  fma64(fp, rd, -x, y, z, rm);
}
function fnmaddDGen(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  const x = getD(fp, a), y = getD(fp, b), z = getD(fp, c);
  if (x !== x || y !== y || z !== z) { fmaNaND(fp, rd, a, b, c, x, y); return; }
  fma64(fp, rd, -x, y, -z, rm);
}

// ---- float -> integer (NaN operands raise NV in the conversion itself) -----------------------

function fcvtWSGen(fp: FpState, a: number, rm: number): number { return cvtW(fp, getS(fp, a), rm); }
function fcvtWUSGen(fp: FpState, a: number, rm: number): number { return cvtWU(fp, getS(fp, a), rm); }
function fcvtLSGen(fp: FpState, a: number, rm: number): void { cvtL(fp, getS(fp, a), rm); }
function fcvtLUSGen(fp: FpState, a: number, rm: number): void { cvtLU(fp, getS(fp, a), rm); }
function fcvtWDGen(fp: FpState, a: number, rm: number): number { return cvtW(fp, getD(fp, a), rm); }
function fcvtWUDGen(fp: FpState, a: number, rm: number): number { return cvtWU(fp, getD(fp, a), rm); }
function fcvtLDGen(fp: FpState, a: number, rm: number): void { cvtL(fp, getD(fp, a), rm); }
function fcvtLUDGen(fp: FpState, a: number, rm: number): void { cvtLU(fp, getD(fp, a), rm); }

// ---- integer -> float (lo, hi: the integer register's words) ----------------------------------

function fcvtSWGen(fp: FpState, rd: number, lo: number, rm: number): void { cvtSW(fp, rd, lo, rm); }
function fcvtSWUGen(fp: FpState, rd: number, lo: number, rm: number): void { cvtSWU(fp, rd, lo, rm); }
function fcvtSLGen(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { cvtSL(fp, rd, lo, hi, rm); }
function fcvtSLUGen(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { cvtSLU(fp, rd, lo, hi, rm); }
export function fcvtDW(fp: FpState, rd: number, lo: number): void { fp.d[rd] = lo | 0; }
export function fcvtDWU(fp: FpState, rd: number, lo: number): void { fp.d[rd] = lo >>> 0; }
function fcvtDLGen(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { cvtDL(fp, rd, lo, hi, rm); }
function fcvtDLUGen(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { cvtDLU(fp, rd, lo, hi, rm); }

// ---- float <-> float --------------------------------------------------------------------------

function fcvtSDGen(fp: FpState, rd: number, a: number, rm: number): void {
  const x = getD(fp, a);
  if (x !== x) { nanD(fp, a, -1, -1); putNaNS(fp, rd); return; }
  cvtSD(fp, rd, x, rm);
}
function fcvtDSGen(fp: FpState, rd: number, a: number): void {
  const x = getS(fp, a);
  if (x !== x) { nanS(fp, a, -1, -1); putNaND(fp, rd); return; }
  fp.d[rd] = x;
}

// ---- the entry points: a round-to-nearest-even fast path, else the general code above ----------
//
// The fast paths are written out in full here (TwoSum, TwoProduct and the reads of the register
// file included) and call nothing that takes or returns a double: when V8 inlines one of these
// into a translated block and runs out of inlining budget for what it calls, a double passed or
// returned across the remaining call would be boxed, a heap allocation per instruction. Each
// fast path handles only cases where JS arithmetic already gives the correctly rounded result
// and the flags follow from an exactness test; everything else goes to the general path, with
// register numbers as arguments.

const SPLIT = 134217729; // 2^27 + 1, Veltkamp splitting for TwoProduct
const TWO32 = 4294967296;

export function faddS(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const F = fp.f;
  if (rm === RNE && (F[2 * a + 1]! & F[2 * b + 1]!) === -1) {
    const S = fp.s, x = S[2 * a]!, y = S[2 * b]!, s = x + y, bb = s - x;
    if ((x - (s - bb)) + (y - bb) === 0) { // s = x + y exactly (false for NaN or infinity)
      const q = Math.fround(s), aq = Math.abs(q);
      if (q === s || (aq > MIN_NORMAL32 && aq <= MAX32 && (fp.fflags |= NX) !== 0)) { S[2 * rd] = q; F[2 * rd + 1] = -1; return; }
    }
  }
  faddSGen(fp, rd, a, b, rm);
}
export function fsubS(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const F = fp.f;
  if (rm === RNE && (F[2 * a + 1]! & F[2 * b + 1]!) === -1) {
    const S = fp.s, x = S[2 * a]!, y = -S[2 * b]!, s = x + y, bb = s - x;
    if ((x - (s - bb)) + (y - bb) === 0) {
      const q = Math.fround(s), aq = Math.abs(q);
      if (q === s || (aq > MIN_NORMAL32 && aq <= MAX32 && (fp.fflags |= NX) !== 0)) { S[2 * rd] = q; F[2 * rd + 1] = -1; return; }
    }
  }
  fsubSGen(fp, rd, a, b, rm);
}
export function fmulS(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const F = fp.f;
  if (rm === RNE && (F[2 * a + 1]! & F[2 * b + 1]!) === -1) {
    const S = fp.s, p = S[2 * a]! * S[2 * b]!; // exact
    if (p - p === 0) {
      const q = Math.fround(p), aq = Math.abs(q);
      if (q === p || (aq > MIN_NORMAL32 && aq <= MAX32 && (fp.fflags |= NX) !== 0)) { S[2 * rd] = q; F[2 * rd + 1] = -1; return; }
    }
  }
  fmulSGen(fp, rd, a, b, rm);
}
export function fdivS(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const F = fp.f;
  if (rm === RNE && (F[2 * a + 1]! & F[2 * b + 1]!) === -1) {
    // fround(RN53(x / y)) = RN24(x / y) (53 >= 2 * 24 + 2); exact iff q * y (exact) is x
    const S = fp.s, x = S[2 * a]!, y = S[2 * b]!, q = Math.fround(x / y), aq = Math.abs(q);
    if (aq > MIN_NORMAL32 && aq <= MAX32) {
      if (q * y !== x) fp.fflags |= NX;
      S[2 * rd] = q; F[2 * rd + 1] = -1;
      return;
    }
  }
  fdivSGen(fp, rd, a, b, rm);
}
export function fsqrtS(fp: FpState, rd: number, a: number, rm: number): void {
  const F = fp.f;
  if (rm === RNE && F[2 * a + 1] === -1) {
    const S = fp.s, x = S[2 * a]!, q = Math.fround(Math.sqrt(x)); // NaN for x < 0
    if (q > MIN_NORMAL32 && q <= MAX32) {
      if (q * q !== x) fp.fflags |= NX;
      S[2 * rd] = q; F[2 * rd + 1] = -1;
      return;
    }
  }
  fsqrtSGen(fp, rd, a, rm);
}

/** Fused multiply-add fast path; negP/negC: negate the product / the addend. Returns false if not taken. */
function fmaFastS(fp: FpState, rd: number, a: number, b: number, c: number, negP: boolean, negC: boolean): boolean {
  const F = fp.f;
  if ((F[2 * a + 1]! & F[2 * b + 1]! & F[2 * c + 1]!) !== -1) return false;
  const S = fp.s, x = S[2 * a]!, z = S[2 * c]!;
  const p = (negP ? -x : x) * S[2 * b]!, zz = negC ? -z : z; // p exact
  const s = p + zz, bb = s - p;
  if ((p - (s - bb)) + (zz - bb) !== 0) return false; // s inexact (or NaN, infinity): general path
  const q = Math.fround(s), aq = Math.abs(q);
  if (q !== s && !(aq > MIN_NORMAL32 && aq <= MAX32)) return false;
  if (q !== s) fp.fflags |= NX;
  S[2 * rd] = q; F[2 * rd + 1] = -1;
  return true;
}
export function fmaddS(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastS(fp, rd, a, b, c, false, false)) fmaddSGen(fp, rd, a, b, c, rm);
}
export function fmsubS(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastS(fp, rd, a, b, c, false, true)) fmsubSGen(fp, rd, a, b, c, rm);
}
export function fnmsubS(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastS(fp, rd, a, b, c, true, false)) fnmsubSGen(fp, rd, a, b, c, rm);
}
export function fnmaddS(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastS(fp, rd, a, b, c, true, true)) fnmaddSGen(fp, rd, a, b, c, rm);
}

export function faddD(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  if (rm === RNE) {
    const D = fp.d, x = D[a]!, y = D[b]!, r = x + y;
    if (r - r === 0) { // finite: JS gives RN (zero signs included); NX iff the TwoSum error is nonzero
      const bb = r - x;
      if ((x - (r - bb)) + (y - bb) !== 0) fp.fflags |= NX;
      D[rd] = r;
      return;
    }
  }
  faddDGen(fp, rd, a, b, rm);
}
export function fsubD(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  if (rm === RNE) {
    const D = fp.d, x = D[a]!, y = -D[b]!, r = x + y;
    if (r - r === 0) {
      const bb = r - x;
      if ((x - (r - bb)) + (y - bb) !== 0) fp.fflags |= NX;
      D[rd] = r;
      return;
    }
  }
  fsubDGen(fp, rd, a, b, rm);
}
export function fmulD(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  if (rm === RNE) {
    const D = fp.d, x = D[a]!, y = D[b]!, r = x * y, ar = Math.abs(r);
    if (ar > SAFE_LO && ar < SAFE_HI && Math.abs(x) < SAFE_HI && Math.abs(y) < SAFE_HI) {
      let t = SPLIT * x;
      const xh = t - (t - x), xl = x - xh;
      t = SPLIT * y;
      const yh = t - (t - y), yl = y - yh;
      if (((xh * yh - r) + xh * yl + xl * yh) + xl * yl !== 0) fp.fflags |= NX; // TwoProduct error
      D[rd] = r;
      return;
    }
  }
  fmulDGen(fp, rd, a, b, rm);
}
export function fdivD(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  if (rm === RNE) {
    const D = fp.d, x = D[a]!, y = D[b]!, r = x / y;
    const ar = Math.abs(r), ax = Math.abs(x), ay = Math.abs(y);
    if (ar > SAFE_LO && ar < SAFE_HI && ax > SAFE_LO && ax < SAFE_HI && ay > SAFE_LO && ay < SAFE_HI) {
      // exact iff the remainder x - r*y = (x - p) - (TwoProduct error of r*y) is zero
      const p = r * y;
      let t = SPLIT * r;
      const rh = t - (t - r), rl = r - rh;
      t = SPLIT * y;
      const yh = t - (t - y), yl = y - yh;
      if ((x - p) - (((rh * yh - p) + rh * yl + rl * yh) + rl * yl) !== 0) fp.fflags |= NX;
      D[rd] = r;
      return;
    }
  }
  fdivDGen(fp, rd, a, b, rm);
}
export function fsqrtD(fp: FpState, rd: number, a: number, rm: number): void {
  if (rm === RNE) {
    const D = fp.d, x = D[a]!;
    if (x > SAFE_LO && x < SAFE_HI) {
      const r = Math.sqrt(x), p = r * r, t = SPLIT * r;
      const rh = t - (t - r), rl = r - rh;
      if ((x - p) - (((rh * rh - p) + rh * rl + rl * rh) + rl * rl) !== 0) fp.fflags |= NX;
      D[rd] = r;
      return;
    }
  }
  fsqrtDGen(fp, rd, a, rm);
}

/** Fused multiply-add fast path (see fma.ts for the method). Returns false if not taken. */
function fmaFastD(fp: FpState, rd: number, a: number, b: number, c: number, negP: boolean, negC: boolean): boolean {
  const D = fp.d, x = negP ? -D[a]! : D[a]!, y = D[b]!, z = negC ? -D[c]! : D[c]!;
  const p = x * y, ap = Math.abs(p);
  if (!(ap > SAFE_LO && ap < SAFE_HI && Math.abs(x) < SAFE_HI && Math.abs(y) < SAFE_HI)) return false;
  let t = SPLIT * x;
  const xh = t - (t - x), xl = x - xh;
  t = SPLIT * y;
  const yh = t - (t - y), yl = y - yh;
  const pe = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl; // x * y = p + pe
  const s = p + z;
  let bb = s - p;
  const se = (p - (s - bb)) + (z - bb); // p + z = s + se
  if (pe === 0) { // exact product: a sum
    if (s - s !== 0) return false;
    if (se !== 0) fp.fflags |= NX;
    D[rd] = s;
    return true;
  }
  const w = se + pe;
  bb = w - se;
  const u = (se - (w - bb)) + (pe - bb); // se + pe = w + u
  const r = s + w;
  bb = r - s;
  const d = ((s - (r - bb)) + (w - bb)) + u; // exact = r + (v + u), d = RN(v + u)
  const ar = Math.abs(r);
  if (!(ar > MIN_NORMAL64 && ar < Infinity && Math.abs(d) * 36028797018963968 < ar)) return false; // see fma.ts
  if (d !== 0) fp.fflags |= NX;
  D[rd] = r;
  return true;
}
export function fmaddD(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastD(fp, rd, a, b, c, false, false)) fmaddDGen(fp, rd, a, b, c, rm);
}
export function fmsubD(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastD(fp, rd, a, b, c, false, true)) fmsubDGen(fp, rd, a, b, c, rm);
}
export function fnmsubD(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastD(fp, rd, a, b, c, true, false)) fnmsubDGen(fp, rd, a, b, c, rm);
}
export function fnmaddD(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (rm !== RNE || !fmaFastD(fp, rd, a, b, c, true, true)) fnmaddDGen(fp, rd, a, b, c, rm);
}

// Conversions to integers: the fast path is truncation (C casts) of an in-range value.

export function fcvtWS(fp: FpState, a: number, rm: number): number {
  if (rm === RTZ && fp.f[2 * a + 1] === -1) {
    const x = fp.s[2 * a]!;
    if (x > -2147483649 && x < 2147483648) { const t = Math.trunc(x); if (t !== x) fp.fflags |= NX; return t | 0; }
  }
  return fcvtWSGen(fp, a, rm);
}
export function fcvtWUS(fp: FpState, a: number, rm: number): number {
  if (rm === RTZ && fp.f[2 * a + 1] === -1) {
    const x = fp.s[2 * a]!;
    if (x > -1 && x < 4294967296) { const t = Math.trunc(x); if (t !== x) fp.fflags |= NX; return t | 0; }
  }
  return fcvtWUSGen(fp, a, rm);
}
export function fcvtWD(fp: FpState, a: number, rm: number): number {
  if (rm === RTZ) {
    const x = fp.d[a]!;
    if (x > -2147483649 && x < 2147483648) { const t = Math.trunc(x); if (t !== x) fp.fflags |= NX; return t | 0; }
  }
  return fcvtWDGen(fp, a, rm);
}
export function fcvtWUD(fp: FpState, a: number, rm: number): number {
  if (rm === RTZ) {
    const x = fp.d[a]!;
    if (x > -1 && x < 4294967296) { const t = Math.trunc(x); if (t !== x) fp.fflags |= NX; return t | 0; }
  }
  return fcvtWUDGen(fp, a, rm);
}
/** In-range truncation to a 64-bit integer, into R. */
function truncL(fp: FpState, x: number): void {
  const t = Math.trunc(x);
  if (t !== x) fp.fflags |= NX;
  const hi = Math.floor(t / TWO32);
  R[0] = (t - hi * TWO32) | 0;
  R[1] = hi | 0;
}
export function fcvtLS(fp: FpState, a: number, rm: number): void {
  if (rm === RTZ && fp.f[2 * a + 1] === -1) {
    const x = fp.s[2 * a]!;
    if (x >= -9223372036854775808 && x < 9223372036854775808) { truncL(fp, x); return; }
  }
  fcvtLSGen(fp, a, rm);
}
export function fcvtLUS(fp: FpState, a: number, rm: number): void {
  if (rm === RTZ && fp.f[2 * a + 1] === -1) {
    const x = fp.s[2 * a]!;
    if (x > -1 && x < 18446744073709551616) { truncL(fp, x); return; }
  }
  fcvtLUSGen(fp, a, rm);
}
export function fcvtLD(fp: FpState, a: number, rm: number): void {
  if (rm === RTZ) {
    const x = fp.d[a]!;
    if (x >= -9223372036854775808 && x < 9223372036854775808) { truncL(fp, x); return; }
  }
  fcvtLDGen(fp, a, rm);
}
export function fcvtLUD(fp: FpState, a: number, rm: number): void {
  if (rm === RTZ) {
    const x = fp.d[a]!;
    if (x > -1 && x < 18446744073709551616) { truncL(fp, x); return; }
  }
  fcvtLUDGen(fp, a, rm);
}

// Integer to float: exact conversions, and round-to-nearest-even to binary32 (never tiny or overflowing).

export function fcvtSW(fp: FpState, rd: number, lo: number, rm: number): void {
  const v = lo | 0, q = Math.fround(v);
  if (q === v || rm === RNE) { if (q !== v) fp.fflags |= NX; fp.s[2 * rd] = q; fp.f[2 * rd + 1] = -1; return; }
  fcvtSWGen(fp, rd, lo, rm);
}
export function fcvtSWU(fp: FpState, rd: number, lo: number, rm: number): void {
  const v = lo >>> 0, q = Math.fround(v);
  if (q === v || rm === RNE) { if (q !== v) fp.fflags |= NX; fp.s[2 * rd] = q; fp.f[2 * rd + 1] = -1; return; }
  fcvtSWUGen(fp, rd, lo, rm);
}
export function fcvtSL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void {
  if (((hi + 0x200000) >>> 22) === 0) { // |value| < 2^53: exact in double, then as fcvt.s.w
    const v = hi * TWO32 + (lo >>> 0), q = Math.fround(v);
    if (q === v || rm === RNE) { if (q !== v) fp.fflags |= NX; fp.s[2 * rd] = q; fp.f[2 * rd + 1] = -1; return; }
  }
  fcvtSLGen(fp, rd, lo, hi, rm);
}
export function fcvtSLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void {
  if ((hi >>> 21) === 0) {
    const v = hi * TWO32 + (lo >>> 0), q = Math.fround(v);
    if (q === v || rm === RNE) { if (q !== v) fp.fflags |= NX; fp.s[2 * rd] = q; fp.f[2 * rd + 1] = -1; return; }
  }
  fcvtSLUGen(fp, rd, lo, hi, rm);
}
export function fcvtDL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void {
  if (((hi + 0x200000) >>> 22) === 0) { fp.d[rd] = hi * TWO32 + (lo >>> 0); return; } // |value| < 2^53: exact
  fcvtDLGen(fp, rd, lo, hi, rm);
}
export function fcvtDLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void {
  if ((hi >>> 21) === 0) { fp.d[rd] = hi * TWO32 + (lo >>> 0); return; }
  fcvtDLUGen(fp, rd, lo, hi, rm);
}

export function fcvtSD(fp: FpState, rd: number, a: number, rm: number): void {
  const x = fp.d[a]!, q = Math.fround(x), aq = Math.abs(q);
  if (q === x || (rm === RNE && aq > MIN_NORMAL32 && aq <= MAX32 && (fp.fflags |= NX) !== 0)) { fp.s[2 * rd] = q; fp.f[2 * rd + 1] = -1; return; }
  fcvtSDGen(fp, rd, a, rm);
}
export function fcvtDS(fp: FpState, rd: number, a: number): void {
  if (fp.f[2 * a + 1] === -1) {
    const x = fp.s[2 * a]!;
    if (x === x) { fp.d[rd] = x; return; }
  }
  fcvtDSGen(fp, rd, a);
}
