/**
 * Binary32 add, subtract, multiply, divide and square root on non-NaN JS numbers holding binary32
 * values, written to register rd (NaN-boxed). The operation is done in double (the product is
 * exact, the sum's error is known from TwoSum, the quotient's and root's error sign from an exact
 * remainder; the whole binary32 range is safe for these) and {@link fin32} rounds it to binary32
 * in the requested mode. Only tiny results and directed-mode overflows take the exact BigInt path.
 */
import { twoProdErr, twoSumErr } from './eft.js';
import { addExact, divExact, mulExact, sqrtExact } from './exact.js';
import { fin32 } from './finish.js';
import { putNaNS, putS } from './regs.js';
import { DZ, FMT32, NV, RDN } from './round.js';
import type { FpState } from './state.js';

const TINY = 5e-324;

export function add32(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const s = a + b;
  if (s - s === 0) {
    const e = twoSumErr(a, b, s);
    if (s === 0 && e === 0) {
      putS(fp, rd, rm === RDN && !(a === 0 && b === 0 && 1 / a > 0 && 1 / b > 0) ? -0 : s);
      return;
    }
    if (fin32(fp, rd, s, e, rm) !== 0) putS(fp, rd, addExact(fp, a, b, rm, FMT32));
    return;
  }
  if (s !== s) { fp.fflags |= NV; putNaNS(fp, rd); return; } // inf - inf
  putS(fp, rd, s);
}

export function mul32(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const p = a * b; // exact
  if (p - p === 0) {
    if (p === 0) putS(fp, rd, p);
    else if (fin32(fp, rd, p, 0, rm) !== 0) putS(fp, rd, mulExact(fp, a, b, rm, FMT32));
    return;
  }
  if (p !== p) { fp.fflags |= NV; putNaNS(fp, rd); return; } // 0 * inf
  putS(fp, rd, p);
}

export function div32(fp: FpState, rd: number, a: number, b: number, rm: number): void {
  const s = a / b;
  if (s - s === 0 && s !== 0) {
    const p = s * b;
    const rem = (a - p) - twoProdErr(s, b, p);
    if (fin32(fp, rd, s, rem === 0 ? 0 : (rem > 0) === (b > 0) ? TINY : -TINY, rm) !== 0) putS(fp, rd, divExact(fp, a, b, rm, FMT32));
    return;
  }
  if (s !== s) { fp.fflags |= NV; putNaNS(fp, rd); return; } // 0/0, inf/inf
  if (b === 0 && a - a === 0) fp.fflags |= DZ;
  putS(fp, rd, s); // x/0, 0/x, inf/x, x/inf: exact
}

export function sqrt32(fp: FpState, rd: number, a: number, rm: number): void {
  if (a > 0 && a < Infinity) {
    const s = Math.sqrt(a);
    const p = s * s;
    const rem = (a - p) - twoProdErr(s, s, p);
    if (fin32(fp, rd, s, rem === 0 ? 0 : rem > 0 ? TINY : -TINY, rm) !== 0) putS(fp, rd, sqrtExact(fp, a, rm, FMT32));
    return;
  }
  if (a < 0) { fp.fflags |= NV; putNaNS(fp, rd); return; }
  putS(fp, rd, a); // +-0, +inf
}
