/**
 * Comparisons and minimum/maximum, on registers. feq is a quiet comparison (NV only for a
 * signalling NaN operand); flt and fle signal (NV for any NaN operand); all give 0 with a NaN.
 * fmin/fmax follow F/D 2.2 (IEEE 754-2019 minimumNumber/maximumNumber): -0 < +0, a NaN operand
 * gives the other operand, two NaNs the canonical NaN, and a signalling NaN raises NV.
 * A single operand that is not NaN-boxed is the canonical quiet NaN. Each function reads the
 * register file directly on its common path (no double crosses a call).
 */
import { getS, nanD, nanS, setD, setS } from './regs.js';
import { NV } from './round.js';
import type { FpState } from './state.js';

/** Both singles NaN-boxed? */
const boxed2 = (fp: FpState, a: number, b: number): boolean => (fp.f[2 * a + 1]! & fp.f[2 * b + 1]!) === -1;

export function feqS(fp: FpState, a: number, b: number): number {
  if (boxed2(fp, a, b)) {
    const x = fp.s[2 * a]!, y = fp.s[2 * b]!;
    if (x === y) return 1;
    if (x === x && y === y) return 0;
  }
  nanS(fp, a, b, -1); // a NaN operand: NV if it signals
  return 0;
}
export function feqD(fp: FpState, a: number, b: number): number {
  const x = fp.d[a]!, y = fp.d[b]!;
  if (x === y) return 1;
  if (x !== x || y !== y) nanD(fp, a, b, -1);
  return 0;
}
export function fltS(fp: FpState, a: number, b: number): number {
  if (boxed2(fp, a, b)) {
    const x = fp.s[2 * a]!, y = fp.s[2 * b]!;
    if (x < y) return 1;
    if (x === x && y === y) return 0;
  }
  fp.fflags |= NV; // a NaN operand (an unboxed one reads as NaN)
  return 0;
}
export function fltD(fp: FpState, a: number, b: number): number {
  const x = fp.d[a]!, y = fp.d[b]!;
  if (x < y) return 1;
  if (x !== x || y !== y) fp.fflags |= NV;
  return 0;
}
export function fleS(fp: FpState, a: number, b: number): number {
  if (boxed2(fp, a, b)) {
    const x = fp.s[2 * a]!, y = fp.s[2 * b]!;
    if (x <= y) return 1;
    if (x === x && y === y) return 0;
  }
  fp.fflags |= NV;
  return 0;
}
export function fleD(fp: FpState, a: number, b: number): number {
  const x = fp.d[a]!, y = fp.d[b]!;
  if (x <= y) return 1;
  if (x !== x || y !== y) fp.fflags |= NV;
  return 0;
}

/** min (max = false) or max of two non-NaN values, -0 below +0. */
function pick(x: number, y: number, max: boolean): number {
  if (x < y) return max ? y : x;
  if (y < x) return max ? x : y;
  if (x === 0) return (1 / x < 0) === max ? y : x; // equal zeros: x unless its sign is the wrong one
  return x;
}

function minmaxS(fp: FpState, rd: number, a: number, b: number, max: boolean): void {
  if (boxed2(fp, a, b)) {
    const S = fp.s, x = S[2 * a]!, y = S[2 * b]!;
    if (x === x && y === y) { S[2 * rd] = pick(x, y, max); fp.f[2 * rd + 1] = -1; return; }
  }
  const x = getS(fp, a), y = getS(fp, b);
  nanS(fp, a, b, -1);
  setS(fp, rd, x !== x ? y : x);
}
function minmaxD(fp: FpState, rd: number, a: number, b: number, max: boolean): void {
  const D = fp.d, x = D[a]!, y = D[b]!;
  if (x === x && y === y) { D[rd] = pick(x, y, max); return; }
  nanD(fp, a, b, -1);
  setD(fp, rd, x !== x ? y : x);
}
export function fminS(fp: FpState, rd: number, a: number, b: number): void { minmaxS(fp, rd, a, b, false); }
export function fmaxS(fp: FpState, rd: number, a: number, b: number): void { minmaxS(fp, rd, a, b, true); }
export function fminD(fp: FpState, rd: number, a: number, b: number): void { minmaxD(fp, rd, a, b, false); }
export function fmaxD(fp: FpState, rd: number, a: number, b: number): void { minmaxD(fp, rd, a, b, true); }
