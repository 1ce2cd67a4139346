/**
 * Reading and writing FpState registers as values: NaN-boxing for singles (an operand whose high
 * word is not all ones reads as the canonical NaN), canonical NaNs for NaN results, and the
 * signalling-NaN test on raw register bits.
 *
 * The arithmetic helpers write their results through these (never return a double across a call
 * on the hot path: an optimized caller would box it, one heap allocation per operation).
 */
import { CANON32, CANON64_HI, isSNaN32, isSNaN64, nan } from './bits.js';
import { NV } from './round.js';
import type { FpState } from './state.js';

/** The single in register r (NaN if r does not hold a properly NaN-boxed single). */
export function getS(fp: FpState, r: number): number {
  return fp.f[2 * r + 1] === -1 ? fp.s[2 * r]! : nan();
}
/** The double in register r. */
export function getD(fp: FpState, r: number): number {
  return fp.d[r]!;
}
/** Does register r hold a NaN-boxed signalling single? */
export function snanS(fp: FpState, r: number): boolean {
  return fp.f[2 * r + 1] === -1 && isSNaN32(fp.f[2 * r]!);
}
/** Does register r hold a signalling double? */
export function snanD(fp: FpState, r: number): boolean {
  return isSNaN64(fp.f[2 * r]!, fp.f[2 * r + 1]!);
}
/** Write a non-NaN single result, NaN-boxed. */
export function putS(fp: FpState, r: number, v: number): void {
  fp.s[2 * r] = v;
  fp.f[2 * r + 1] = -1;
}
/** Write the canonical single NaN. */
export function putNaNS(fp: FpState, r: number): void {
  fp.f[2 * r] = CANON32;
  fp.f[2 * r + 1] = -1;
}
/** Write the canonical double NaN. */
export function putNaND(fp: FpState, r: number): void {
  fp.f[2 * r] = 0;
  fp.f[2 * r + 1] = CANON64_HI;
}
/** Write any single result (a NaN becomes the canonical NaN). */
export function setS(fp: FpState, r: number, v: number): void {
  if (v === v) putS(fp, r, v); else putNaNS(fp, r);
}
/** Write any double result (a NaN becomes the canonical NaN). */
export function setD(fp: FpState, r: number, v: number): void {
  if (v === v) fp.d[r] = v; else putNaND(fp, r);
}
/** NV if any of the single operands (register numbers, -1 for none) is a signalling NaN. */
export function nanS(fp: FpState, a: number, b: number, c: number): void {
  if (snanS(fp, a) || (b >= 0 && snanS(fp, b)) || (c >= 0 && snanS(fp, c))) fp.fflags |= NV;
}
/** NV if any of the double operands is a signalling NaN. */
export function nanD(fp: FpState, a: number, b: number, c: number): void {
  if (snanD(fp, a) || (b >= 0 && snanD(fp, b)) || (c >= 0 && snanD(fp, c))) fp.fflags |= NV;
}
