/**
 * Conversions: floating point to 32/64-bit integers (rounded in any mode, saturating with NV as
 * the RISC-V spec and softfloat do: NaN gives the maximum, out-of-range values the nearest bound,
 * an inexact in-range result NX), integers to binary32/binary64 (rounded, written to register rd),
 * and binary64 to binary32 (non-NaN operand; insns.ts handles NaNs). Float operands are JS numbers
 * (a binary32 operand is the double of its value).
 */
import { twoSumErr } from './eft.js';
import { addExact } from './exact.js';
import { fin32, fin64 } from './finish.js';
import { putS } from './regs.js';
import { FMT32, NV, NX, RDN, RMM, RNE, RUP, type Flags } from './round.js';
import type { FpState } from './state.js';

/** 64-bit integer results: R[0] low word, R[1] high word. */
export const R = new Int32Array(2);

const TWO32 = 4294967296;
const TWO52 = 4503599627370496;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

let inexact = false;

/** x rounded to an integral value in mode rm (x not NaN); sets `inexact`. */
function roundInt(x: number, rm: number): number {
  if (!(Math.abs(x) < TWO52)) { inexact = false; return x; } // already integral (or infinite)
  const t = Math.trunc(x);
  const f = Math.abs(x - t); // exact
  if (f === 0) { inexact = false; return t; }
  inexact = true;
  const away = x < 0 ? t - 1 : t + 1;
  switch (rm) {
    case RNE: return f > 0.5 || (f === 0.5 && t % 2 !== 0) ? away : t;
    case RMM: return f >= 0.5 ? away : t;
    case RDN: return x < 0 ? away : t;
    case RUP: return x > 0 ? away : t;
    default: return t;
  }
}

/** fcvt.w.*: signed 32-bit result. */
export function cvtW(fl: Flags, x: number, rm: number): number {
  if (x !== x) { fl.fflags |= NV; return 0x7fffffff; }
  const r = roundInt(x, rm);
  if (r > 2147483647) { fl.fflags |= NV; return 0x7fffffff; }
  if (r < -2147483648) { fl.fflags |= NV; return -2147483648; }
  if (inexact) fl.fflags |= NX;
  return r | 0;
}

/** fcvt.wu.*: unsigned 32-bit result, returned as its int32 bit pattern. */
export function cvtWU(fl: Flags, x: number, rm: number): number {
  if (x !== x) { fl.fflags |= NV; return -1; }
  const r = roundInt(x, rm);
  if (r > 4294967295) { fl.fflags |= NV; return -1; }
  if (r < 0) { fl.fflags |= NV; return 0; }
  if (inexact) fl.fflags |= NX;
  return r | 0;
}

function split(r: number): void {
  const hi = Math.floor(r / TWO32);
  R[0] = (r - hi * TWO32) | 0;
  R[1] = hi | 0;
}

/** fcvt.l.*: signed 64-bit result in R. */
export function cvtL(fl: Flags, x: number, rm: number): void {
  if (x !== x) { fl.fflags |= NV; R[0] = -1; R[1] = 0x7fffffff; return; }
  const r = roundInt(x, rm);
  if (r >= TWO63) { fl.fflags |= NV; R[0] = -1; R[1] = 0x7fffffff; return; }
  if (r < -TWO63) { fl.fflags |= NV; R[0] = 0; R[1] = -2147483648; return; }
  if (inexact) fl.fflags |= NX;
  split(r);
}

/** fcvt.lu.*: unsigned 64-bit result in R. */
export function cvtLU(fl: Flags, x: number, rm: number): void {
  if (x !== x) { fl.fflags |= NV; R[0] = -1; R[1] = -1; return; }
  const r = roundInt(x, rm);
  if (r >= TWO64) { fl.fflags |= NV; R[0] = -1; R[1] = -1; return; }
  if (r < 0) { fl.fflags |= NV; R[0] = 0; R[1] = 0; return; }
  if (inexact) fl.fflags |= NX;
  split(r);
}

/** An integer value exactly h + l (h a multiple of 2^32, l < 2^32) rounded to binary32 in rd. */
function intTo32(fp: FpState, rd: number, h: number, l: number, rm: number): void {
  const s = h + l;
  fin32(fp, rd, s, twoSumErr(h, l, s), rm); // never tiny, never overflows
}
/** ... to binary64. */
function intTo64(fp: FpState, rd: number, h: number, l: number, rm: number): void {
  const s = h + l;
  const e = twoSumErr(h, l, s);
  if (e === 0) fp.d[rd] = s; else fin64(fp, rd, s, e, rm); // never tiny
}

/** fcvt.s.w / fcvt.s.wu / fcvt.s.l / fcvt.s.lu into rd (v or lo: the low word; hi the high word). */
export function cvtSW(fp: FpState, rd: number, v: number, rm: number): void { fin32(fp, rd, v | 0, 0, rm); }
export function cvtSWU(fp: FpState, rd: number, v: number, rm: number): void { fin32(fp, rd, v >>> 0, 0, rm); }
export function cvtSL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { intTo32(fp, rd, (hi | 0) * TWO32, lo >>> 0, rm); }
export function cvtSLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { intTo32(fp, rd, (hi >>> 0) * TWO32, lo >>> 0, rm); }
/** fcvt.d.l / fcvt.d.lu (fcvt.d.w and fcvt.d.wu are exact). */
export function cvtDL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { intTo64(fp, rd, (hi | 0) * TWO32, lo >>> 0, rm); }
export function cvtDLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { intTo64(fp, rd, (hi >>> 0) * TWO32, lo >>> 0, rm); }

/** fcvt.s.d: a non-NaN binary64 value rounded to binary32 in rd. */
export function cvtSD(fp: FpState, rd: number, x: number, rm: number): void {
  if (x - x !== 0) putS(fp, rd, x); // infinite
  else if (fin32(fp, rd, x, 0, rm) !== 0) putS(fp, rd, addExact(fp, x, 0, rm, FMT32));
}
