/**
 * Comparisons and minimum/maximum, on registers. feq is a quiet comparison (NV only for a
 * signalling NaN operand); flt and fle signal (NV for any NaN operand); all give 0 with a NaN.
 * fmin/fmax follow F/D 2.2 (IEEE 754-2019 minimumNumber/maximumNumber): -0 < +0, a NaN operand
 * gives the other operand, two NaNs the canonical NaN, and a signalling NaN raises NV.
 */
import { getD, getS, nanD, nanS, setD, setS } from './regs.js';
import { NV } from './round.js';
import type { FpState } from './state.js';

export function feqS(fp: FpState, a: number, b: number): number {
  const x = getS(fp, a), y = getS(fp, b);
  if (x === y) return 1;
  if (x !== x || y !== y) nanS(fp, a, b, -1);
  return 0;
}
export function feqD(fp: FpState, a: number, b: number): number {
  const x = getD(fp, a), y = getD(fp, b);
  if (x === y) return 1;
  if (x !== x || y !== y) nanD(fp, a, b, -1);
  return 0;
}
export function fltS(fp: FpState, a: number, b: number): number {
  const x = getS(fp, a), y = getS(fp, b);
  if (x < y) return 1;
  if (x !== x || y !== y) fp.fflags |= NV;
  return 0;
}
export function fltD(fp: FpState, a: number, b: number): number {
  const x = getD(fp, a), y = getD(fp, b);
  if (x < y) return 1;
  if (x !== x || y !== y) fp.fflags |= NV;
  return 0;
}
export function fleS(fp: FpState, a: number, b: number): number {
  const x = getS(fp, a), y = getS(fp, b);
  if (x <= y) return 1;
  if (x !== x || y !== y) fp.fflags |= NV;
  return 0;
}
export function fleD(fp: FpState, a: number, b: number): number {
  const x = getD(fp, a), y = getD(fp, b);
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
  const x = getS(fp, a), y = getS(fp, b);
  if (x === x && y === y) { setS(fp, rd, pick(x, y, max)); return; }
  nanS(fp, a, b, -1);
  setS(fp, rd, x !== x ? y : x);
}
function minmaxD(fp: FpState, rd: number, a: number, b: number, max: boolean): void {
  const x = getD(fp, a), y = getD(fp, b);
  if (x === x && y === y) { setD(fp, rd, pick(x, y, max)); return; }
  nanD(fp, a, b, -1);
  setD(fp, rd, x !== x ? y : x);
}
export function fminS(fp: FpState, rd: number, a: number, b: number): void { minmaxS(fp, rd, a, b, false); }
export function fmaxS(fp: FpState, rd: number, a: number, b: number): void { minmaxS(fp, rd, a, b, true); }
export function fminD(fp: FpState, rd: number, a: number, b: number): void { minmaxD(fp, rd, a, b, false); }
export function fmaxD(fp: FpState, rd: number, a: number, b: number): void { minmaxD(fp, rd, a, b, true); }
