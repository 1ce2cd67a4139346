/**
 * Binary64 add, subtract, multiply, divide and square root, correctly rounded in every RISC-V
 * rounding mode with exact exception flags, written to register rd. Operands are non-NaN JS
 * numbers (the callers in insns.ts deal with NaN operands). The JS operation gives RN(exact); an
 * error-free transformation gives the rest, and {@link fin64} the other modes. Tiny or
 * overflowing results, and operands outside the range where the transformations are exact, take
 * the exact BigInt path. NV (invalid operations) and DZ are raised here.
 */
import { SAFE_HI, SAFE_LO, productIsSafe, twoProdErr, twoSumErr } from './eft.js';
import { addExact, divExact, mulExact, sqrtExact } from './exact.js';
import { fin64 } from './finish.js';
import { putNaND } from './regs.js';
import { DZ, FMT64, NV, OF, NX, RDN, RNE } from './round.js';
import type { FpState } from './state.js';

const TINY = 5e-324;

export function add64(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const r = a + b;
  if (r - r === 0) {
    const e = twoSumErr(a, b, r);
    if (e === 0) {
      // An exact zero from operands of opposite signs is -0 when rounding down.
      fp.d[rd] = r === 0 && rm === RDN && !(a === 0 && b === 0 && 1 / a > 0 && 1 / b > 0) ? -0 : r;
      return;
    }
    // A sum is never tiny and inexact (it is exact in the subnormal range): RNE needs only NX.
    if (rm === RNE) { fp.fflags |= NX; fp.d[rd] = r; return; }
    if (fin64(fp, rd, r, e, rm) !== 0) fp.d[rd] = addExact(fp, a, b, rm, FMT64);
    return;
  }
  if (r !== r) { fp.fflags |= NV; putNaND(fp, rd); return; } // inf - inf
  if (a - a !== 0 || b - b !== 0) { fp.d[rd] = r; return; } // an infinite operand: exact
  if (rm === RNE) { fp.fflags |= OF | NX; fp.d[rd] = r; return; }
  fp.d[rd] = addExact(fp, a, b, rm, FMT64);
}

export function mul64(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const r = a * b;
  if (productIsSafe(a, b, r)) {
    const e = twoProdErr(a, b, r);
    if (e === 0) { fp.d[rd] = r; return; }
    if (rm === RNE) { fp.fflags |= NX; fp.d[rd] = r; return; }
    fin64(fp, rd, r, e, rm); // |r| > 2^-900: never tiny
    return;
  }
  if (r !== r) { fp.fflags |= NV; putNaND(fp, rd); return; } // 0 * inf
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) { fp.d[rd] = r; return; } // exact
  if (rm === RNE && r - r !== 0) { fp.fflags |= OF | NX; fp.d[rd] = r; return; }
  fp.d[rd] = mulExact(fp, a, b, rm, FMT64);
}

export function div64(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const r = a / b;
  const ar = Math.abs(r), ab = Math.abs(b), aa = Math.abs(a);
  if (ar > SAFE_LO && ar < SAFE_HI && ab > SAFE_LO && ab < SAFE_HI && aa > SAFE_LO && aa < SAFE_HI) {
    // exact - r has the sign of (a - r*b) / b; a - r*b is computed with the right sign.
    const p = r * b;
    const rem = (a - p) - twoProdErr(r, b, p);
    if (rem === 0) { fp.d[rd] = r; return; }
    if (rm === RNE) { fp.fflags |= NX; fp.d[rd] = r; return; }
    fin64(fp, rd, r, (rem > 0) === (b > 0) ? TINY : -TINY, rm);
    return;
  }
  if (r !== r) { fp.fflags |= NV; putNaND(fp, rd); return; } // 0/0, inf/inf
  if (b === 0) { if (a - a === 0) fp.fflags |= DZ; fp.d[rd] = r; return; } // x/0 (inf/0 is exact)
  if (a === 0 || a - a !== 0 || b - b !== 0) { fp.d[rd] = r; return; } // 0/x, inf/x, x/inf: exact
  if (rm === RNE && r - r !== 0) { fp.fflags |= OF | NX; fp.d[rd] = r; return; }
  fp.d[rd] = divExact(fp, a, b, rm, FMT64);
}

export function sqrt64(fp: FpState, rd: number, a: number, rm: number): void {
  if (a > SAFE_LO && a < SAFE_HI) {
    const r = Math.sqrt(a);
    const p = r * r;
    const rem = (a - p) - twoProdErr(r, r, p);
    if (rem === 0) { fp.d[rd] = r; return; }
    if (rm === RNE) { fp.fflags |= NX; fp.d[rd] = r; return; }
    fin64(fp, rd, r, rem > 0 ? TINY : -TINY, rm);
    return;
  }
  if (a === 0 || a === Infinity) { fp.d[rd] = a; return; } // sqrt(-0) = -0
  if (a < 0) { fp.fflags |= NV; putNaND(fp, rd); return; }
  fp.d[rd] = sqrtExact(fp, a, rm, FMT64);
}
