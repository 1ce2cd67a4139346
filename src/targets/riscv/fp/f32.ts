/**
 * Binary32 add, subtract, multiply, divide and square root on JS numbers holding binary32
 * values. The operation is done in double (the product is exact, the sum's error is known from
 * TwoSum, the quotient's and root's error sign from an exact remainder; the whole binary32 range
 * is safe for these) and {@link fin32} rounds it to binary32 in the requested mode. Only tiny
 * results and directed-mode overflows take the exact BigInt path. NaN handling as in f64.ts.
 */
import { twoProdErr, twoSumErr } from './eft.js';
import { addExact, divExact, mulExact, sqrtExact } from './exact.js';
import { fin32 } from './finish.js';
import { DZ, FMT32, NV, RDN, type Flags } from './round.js';

const TINY = 5e-324;

export function add32(fl: Flags, a: number, b: number, rm: number): number {
  const s = a + b;
  if (s - s === 0) {
    const e = twoSumErr(a, b, s);
    if (s === 0 && e === 0) {
      if (rm === RDN && !(a === 0 && b === 0 && 1 / a > 0 && 1 / b > 0)) return -0;
      return s;
    }
    const v = fin32(fl, s, e, rm);
    return v === v ? v : addExact(fl, a, b, rm, FMT32);
  }
  if (s !== s && a === a && b === b) fl.fflags |= NV; // inf - inf
  return s;
}

export function sub32(fl: Flags, a: number, b: number, rm: number): number {
  return add32(fl, a, -b, rm);
}

export function mul32(fl: Flags, a: number, b: number, rm: number): number {
  const p = a * b; // exact
  if (p - p === 0) {
    if (p === 0) return p;
    const v = fin32(fl, p, 0, rm);
    return v === v ? v : mulExact(fl, a, b, rm, FMT32);
  }
  if (p !== p && a === a && b === b) fl.fflags |= NV; // 0 * inf
  return p;
}

export function div32(fl: Flags, a: number, b: number, rm: number): number {
  const s = a / b;
  if (s - s === 0 && s !== 0) {
    const p = s * b;
    const rem = (a - p) - twoProdErr(s, b, p);
    const v = fin32(fl, s, rem === 0 ? 0 : (rem > 0) === (b > 0) ? TINY : -TINY, rm);
    return v === v ? v : divExact(fl, a, b, rm, FMT32);
  }
  if (s !== s) { if (a === a && b === b) fl.fflags |= NV; return s; }
  if (b === 0 && a - a === 0) fl.fflags |= DZ;
  return s; // x/0, 0/x, inf/x, x/inf: exact
}

export function sqrt32(fl: Flags, a: number, rm: number): number {
  if (a > 0 && a < Infinity) {
    const s = Math.sqrt(a);
    const p = s * s;
    const rem = (a - p) - twoProdErr(s, s, p);
    const v = fin32(fl, s, rem === 0 ? 0 : rem > 0 ? TINY : -TINY, rm);
    return v === v ? v : sqrtExact(fl, a, rm, FMT32);
  }
  if (a < 0) { fl.fflags |= NV; return NaN; }
  return a; // +-0, +inf, NaN
}
