/**
 * Fused multiply-add, a * b + c with one rounding, for binary32 and binary64, written to register
 * rd. The RISC-V variants are these with negated operands: fmsub = fma(a, b, -c),
 * fnmsub = fma(-a, b, c), fnmadd = fma(-a, b, -c). Operands are non-NaN (see insns.ts, which also
 * raises NV for inf * 0 with a NaN addend).
 *
 * binary32: a * b is exact in double, p + c = s + t exactly by TwoSum, and {@link fin32} rounds
 * s + t. binary64: a * b = p + pe (TwoProduct), p + c = s + t, t + pe = w + u, s + w = r + v, so
 * the exact result is r + (v + u); r is the correctly rounded result when |v + u| is below half
 * the gap next to r, which is checked, and {@link fin64} does the other modes. Anything else
 * (products outside the safe range, tiny results, overflow, the rare near-tie) takes the exact
 * BigInt path.
 */
import { MIN_NORMAL64, nextAway64, nextZero64 } from './bits.js';
import { productIsSafe, twoProdErr, twoSumErr } from './eft.js';
import { fmaExact } from './exact.js';
import { add32 } from './f32.js';
import { add64 } from './f64.js';
import { fin32, fin64 } from './finish.js';
import { putNaND, putNaNS, putS } from './regs.js';
import { FMT32, FMT64, NV, NX, RNE } from './round.js';
import type { FpState } from './state.js';

/** inf * 0 in either order (NaN operands allowed: false). */
export function infTimesZero(a: number, b: number): boolean {
  return (a === 0 && (b === Infinity || b === -Infinity)) || (b === 0 && (a === Infinity || a === -Infinity));
}

/** Non-NaN operands, some infinite: the result (NaN, with NV, for inf * 0 and for inf - inf). */
function special(fp: FpState, a: number, b: number, c: number): number {
  if (infTimesZero(a, b)) { fp.fflags |= NV; return NaN; }
  if (a - a !== 0 || b - b !== 0) {
    const p = a * b; // an infinite product (no zero factor here), with its sign
    if (c - c !== 0 && (c > 0) !== (p > 0)) { fp.fflags |= NV; return NaN; }
    return p;
  }
  return c; // finite product (however large) plus infinite addend
}

export function fma32(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (a - a !== 0 || b - b !== 0 || c - c !== 0) {
    const v = special(fp, a, b, c);
    if (v === v) putS(fp, rd, v); else putNaNS(fp, rd);
    return;
  }
  const p = a * b; // exact: 24 x 24 bits, far from double overflow/underflow
  const s = p + c;
  const t = twoSumErr(p, c, s);
  if (s === 0 && t === 0) { add32(fp, rd, p, c, rm); return; } // exact zero: the sign rules of a sum
  if (fin32(fp, rd, s, t, rm) !== 0) putS(fp, rd, fmaExact(fp, a, b, c, rm, FMT32));
}

export function fma64(fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void {
  if (a - a !== 0 || b - b !== 0 || c - c !== 0) {
    const v = special(fp, a, b, c);
    if (v === v) fp.d[rd] = v; else putNaND(fp, rd);
    return;
  }
  const p = a * b;
  if (a === 0 || b === 0) { add64(fp, rd, p, c, rm); return; } // exact (signed) zero product
  if (productIsSafe(a, b, p)) {
    const pe = twoProdErr(a, b, p);
    if (pe === 0) { add64(fp, rd, p, c, rm); return; }
    const s = p + c;
    const t = twoSumErr(p, c, s);
    const w = t + pe;
    const r = s + w;
    // exact = r + d with d = v + u (v, u the errors of s + w and t + pe), computed as RN(v + u):
    // right sign, zero only if exact. r = RN(exact) if |d| is below half the gap from r toward
    // the exact value; cheap sufficient test: |d| < |r| 2^-55 <= ulp(r) / 4.
    const d = twoSumErr(s, w, r) + twoSumErr(t, pe, w);
    if (Math.abs(r) > MIN_NORMAL64 && Math.abs(d) * 36028797018963968 < Math.abs(r)) { // (r is finite)
      if (d === 0) { fp.d[rd] = r; return; }
      if (rm === RNE) { fp.fflags |= NX; fp.d[rd] = r; return; }
      fin64(fp, rd, r, d, rm);
      return;
    }
    fma64Near(fp, rd, a, b, c, r, d, rm);
    return;
  }
  fp.d[rd] = fmaExact(fp, a, b, c, rm, FMT64);
}

/** fma64 when |d| is not clearly below a quarter ulp of r: measure the gap, or go exact. */
function fma64Near(fp: FpState, rd: number, a: number, b: number, c: number, r: number, d: number, rm: number): void {
  if (Math.abs(r) > MIN_NORMAL64 && r - r === 0) {
    if (d === 0) { fp.d[rd] = r; return; }
    // half the gap from r toward the exact value (the top binade's gap above MAX is 2^971)
    const next = (d > 0) === (r > 0) ? nextAway64(r) : nextZero64(r);
    const gap = next - next === 0 ? Math.abs(next - r) : 2 ** 971;
    if (Math.abs(d) * 2 < gap && fin64(fp, rd, r, d, rm) === 0) return;
  }
  fp.d[rd] = fmaExact(fp, a, b, c, rm, FMT64);
}
