/**
 * Fused multiply-add, a * b + c with one rounding, for binary32 and binary64. The RISC-V
 * variants are these with negated operands: fmsub = fma(a, b, -c), fnmsub = fma(-a, b, c),
 * fnmadd = fma(-a, b, -c) (negating a NaN leaves a NaN, whose result is canonical anyway).
 *
 * binary32: a * b is exact in double, p + c = s + t exactly by TwoSum, and {@link fin32} rounds
 * s + t. binary64: a * b = p + pe (TwoProduct), p + c = s + t, t + pe = w + u, s + w = r + v, so
 * the exact result is r + (v + u); r is the correctly rounded result when |v + u| is below half
 * the gap next to r, which is checked, and {@link fin64} does the other modes. Anything else
 * (products outside the safe range, tiny results, overflow, the rare near-tie) takes the exact
 * BigInt path.
 */
import { nextAway64, nextZero64, MIN_NORMAL64 } from './bits.js';
import { productIsSafe, twoProdErr, twoSumErr } from './eft.js';
import { fmaExact } from './exact.js';
import { add32 } from './f32.js';
import { add64 } from './f64.js';
import { fin32, fin64 } from './finish.js';
import { FMT32, FMT64, NV, type Flags } from './round.js';

/**
 * Special operands (NaN, infinity): the result, with NV raised for inf * 0 (even with a quiet NaN
 * addend, as RISC-V requires) and for inf - inf. Returns undefined for finite operands.
 */
function special(fl: Flags, a: number, b: number, c: number): number | undefined {
  const fa = a - a === 0, fb = b - b === 0, fc = c - c === 0;
  if (fa && fb && fc) return undefined;
  if ((a === 0 && !fb && b === b) || (b === 0 && !fa && a === a)) { fl.fflags |= NV; return NaN; }
  if (a !== a || b !== b || c !== c) return NaN;
  if (!fa || !fb) {
    const p = a * b; // an infinite product (no zero factor here), with its sign
    if (!fc && (c > 0) !== (p > 0)) { fl.fflags |= NV; return NaN; }
    return p;
  }
  return c; // finite product (however large) plus infinite addend
}

export function fma32(fl: Flags, a: number, b: number, c: number, rm: number): number {
  const sp = special(fl, a, b, c);
  if (sp !== undefined) return sp;
  const p = a * b; // exact: 24 x 24 bits, far from double overflow/underflow
  if (p === 0) return add32(fl, p, c, rm);
  const s = p + c;
  const t = twoSumErr(p, c, s);
  if (s === 0 && t === 0) return add32(fl, p, c, rm); // exact cancellation: sign rules of a sum
  const v = fin32(fl, s, t, rm);
  return v === v ? v : fmaExact(fl, a, b, c, rm, FMT32);
}

export function fma64(fl: Flags, a: number, b: number, c: number, rm: number): number {
  const sp = special(fl, a, b, c);
  if (sp !== undefined) return sp;
  const p = a * b;
  if (a === 0 || b === 0) return add64(fl, p, c, rm); // exact (signed) zero product
  if (productIsSafe(a, b, p)) {
    const pe = twoProdErr(a, b, p);
    if (pe === 0) return add64(fl, p, c, rm);
    const s = p + c;
    if (s - s === 0) {
      const t = twoSumErr(p, c, s);
      const w = t + pe;
      const u = twoSumErr(t, pe, w);
      const r = s + w;
      if (Math.abs(r) > MIN_NORMAL64 && r - r === 0) {
        const v = twoSumErr(s, w, r);
        const d = v + u; // RN(v + u): right sign, zero only if exact
        if (d === 0) return r;
        // Half the gap from r toward the exact value (the top binade's gap above MAX is 2^971).
        const next = (d > 0) === (r > 0) ? nextAway64(r) : nextZero64(r);
        const gap = next - next === 0 ? Math.abs(next - r) : 2 ** 971;
        if (Math.abs(d) * 2 < gap) return fin64(fl, r, d, rm);
      }
    }
  }
  return fmaExact(fl, a, b, c, rm, FMT64);
}
