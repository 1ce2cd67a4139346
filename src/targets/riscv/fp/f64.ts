/**
 * Binary64 add, subtract, multiply, divide and square root on JS numbers, correctly rounded in
 * every RISC-V rounding mode with exact exception flags. The JS operation gives RN(exact); an
 * error-free transformation gives the rest, and {@link fin64} the other modes. Tiny or overflowing
 * results, and operands outside the range where the transformations are exact, take the exact
 * BigInt path. A NaN result is returned as NaN (the caller writes the canonical NaN and adds NV for
 * signalling NaN operands); NV for invalid operations and DZ are raised here.
 */
import { SAFE_HI, SAFE_LO, productIsSafe, twoProdErr, twoSumErr } from './eft.js';
import { addExact, divExact, mulExact, sqrtExact } from './exact.js';
import { fin64 } from './finish.js';
import { DZ, FMT64, NV, OF, NX, RDN, RNE, type Flags } from './round.js';

const TINY = 5e-324;

export function add64(fl: Flags, a: number, b: number, rm: number): number {
  const r = a + b;
  if (r - r === 0) {
    const e = twoSumErr(a, b, r);
    if (e === 0) {
      // An exact zero from operands of opposite signs is -0 when rounding down.
      if (r === 0 && rm === RDN && !(a === 0 && b === 0 && 1 / a > 0 && 1 / b > 0)) return -0;
      return r;
    }
    const v = fin64(fl, r, e, rm);
    return v === v ? v : addExact(fl, a, b, rm, FMT64);
  }
  if (r !== r) { if (a === a && b === b) fl.fflags |= NV; return r; }
  if (a - a !== 0 || b - b !== 0) return r; // an infinite operand: exact
  if (rm === RNE) { fl.fflags |= OF | NX; return r; }
  return addExact(fl, a, b, rm, FMT64);
}

export function sub64(fl: Flags, a: number, b: number, rm: number): number {
  return add64(fl, a, -b, rm);
}

export function mul64(fl: Flags, a: number, b: number, rm: number): number {
  const r = a * b;
  if (productIsSafe(a, b, r)) {
    const e = twoProdErr(a, b, r);
    if (e === 0) return r;
    return fin64(fl, r, e, rm); // |r| > 2^-900: never tiny
  }
  if (r !== r) { if (a === a && b === b) fl.fflags |= NV; return r; }
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return r; // zero or infinite operand: exact
  if (rm === RNE && r - r !== 0) { fl.fflags |= OF | NX; return r; }
  return mulExact(fl, a, b, rm, FMT64);
}

export function div64(fl: Flags, a: number, b: number, rm: number): number {
  const r = a / b;
  const ar = Math.abs(r), ab = Math.abs(b), aa = Math.abs(a);
  if (ar > SAFE_LO && ar < SAFE_HI && ab > SAFE_LO && ab < SAFE_HI && aa > SAFE_LO && aa < SAFE_HI) {
    // exact - r has the sign of (a - r*b) / b; a - r*b is computed with the right sign.
    const p = r * b;
    const rem = (a - p) - twoProdErr(r, b, p);
    if (rem === 0) return r;
    return fin64(fl, r, (rem > 0) === (b > 0) ? TINY : -TINY, rm);
  }
  if (r !== r) { if (a === a && b === b) fl.fflags |= NV; return r; } // 0/0, inf/inf
  if (b === 0) { if (a - a === 0) fl.fflags |= DZ; return r; } // x/0 (inf/0 is exact)
  if (a === 0 || a - a !== 0 || b - b !== 0) return r; // 0/x, inf/x, x/inf: exact
  if (rm === RNE && r - r !== 0) { fl.fflags |= OF | NX; return r; }
  return divExact(fl, a, b, rm, FMT64);
}

export function sqrt64(fl: Flags, a: number, rm: number): number {
  if (a > SAFE_LO && a < SAFE_HI) {
    const r = Math.sqrt(a);
    const p = r * r;
    const rem = (a - p) - twoProdErr(r, r, p);
    if (rem === 0) return r;
    return fin64(fl, r, rem > 0 ? TINY : -TINY, rm);
  }
  if (a === 0 || a === Infinity) return a; // sqrt(-0) = -0
  if (a < 0) { fl.fflags |= NV; return NaN; }
  if (a !== a) return a;
  return sqrtExact(fl, a, rm, FMT64);
}
