/**
 * One helper per arithmetic/conversion instruction, called by the generated code with the hart's
 * FpState, register numbers and a resolved rounding mode (0..4). Each reads its operands (with
 * NaN-boxing), computes, writes the destination (canonical NaN for any NaN result) and ORs the
 * exception flags into fp.fflags. Integer results are returned (32-bit) or left in {@link R}
 * (64-bit: R[0] low word, R[1] high word).
 */
import { cvtDL, cvtDLU, cvtL, cvtLU, cvtSD, cvtSL, cvtSLU, cvtSW, cvtSWU, cvtW, cvtWU, R } from './convert.js';
import { add32, div32, mul32, sqrt32, sub32 } from './f32.js';
import { add64, div64, mul64, sqrt64, sub64 } from './f64.js';
import { fma32, fma64 } from './fma.js';
import { getD, getS, nanD, nanS, setD, setS, snanD, snanS } from './regs.js';
import { NV } from './round.js';
import type { FpState } from './state.js';

export { R };

type Bin = (fl: FpState, a: number, b: number, rm: number) => number;

function binS(op: Bin) {
  return (fp: FpState, rd: number, a: number, b: number, rm: number): void => {
    const v = op(fp, getS(fp, a), getS(fp, b), rm);
    if (v !== v) nanS(fp, a, b, -1);
    setS(fp, rd, v);
  };
}
function binD(op: Bin) {
  return (fp: FpState, rd: number, a: number, b: number, rm: number): void => {
    const v = op(fp, getD(fp, a), getD(fp, b), rm);
    if (v !== v) nanD(fp, a, b, -1);
    setD(fp, rd, v);
  };
}

export const faddS = binS(add32), fsubS = binS(sub32), fmulS = binS(mul32), fdivS = binS(div32);
export const faddD = binD(add64), fsubD = binD(sub64), fmulD = binD(mul64), fdivD = binD(div64);

export function fsqrtS(fp: FpState, rd: number, a: number, rm: number): void {
  const v = sqrt32(fp, getS(fp, a), rm);
  if (v !== v) nanS(fp, a, -1, -1);
  setS(fp, rd, v);
}
export function fsqrtD(fp: FpState, rd: number, a: number, rm: number): void {
  const v = sqrt64(fp, getD(fp, a), rm);
  if (v !== v) nanD(fp, a, -1, -1);
  setD(fp, rd, v);
}

/** Fused multiply-adds: negP negates the product (fnm*), negC the addend (fmsub, fnmadd). */
function fmaS(negP: boolean, negC: boolean) {
  return (fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void => {
    const x = getS(fp, a), z = getS(fp, c);
    const v = fma32(fp, negP ? -x : x, getS(fp, b), negC ? -z : z, rm);
    if (v !== v) nanS(fp, a, b, c);
    setS(fp, rd, v);
  };
}
function fmaD(negP: boolean, negC: boolean) {
  return (fp: FpState, rd: number, a: number, b: number, c: number, rm: number): void => {
    const x = getD(fp, a), z = getD(fp, c);
    const v = fma64(fp, negP ? -x : x, getD(fp, b), negC ? -z : z, rm);
    if (v !== v) nanD(fp, a, b, c);
    setD(fp, rd, v);
  };
}
export const fmaddS = fmaS(false, false), fmsubS = fmaS(false, true), fnmsubS = fmaS(true, false), fnmaddS = fmaS(true, true);
export const fmaddD = fmaD(false, false), fmsubD = fmaD(false, true), fnmsubD = fmaD(true, false), fnmaddD = fmaD(true, true);

// ---- float -> integer (NaN operands raise NV in the conversion itself) -----------------------

export function fcvtWS(fp: FpState, a: number, rm: number): number { return cvtW(fp, getS(fp, a), rm); }
export function fcvtWUS(fp: FpState, a: number, rm: number): number { return cvtWU(fp, getS(fp, a), rm); }
export function fcvtLS(fp: FpState, a: number, rm: number): void { cvtL(fp, getS(fp, a), rm); }
export function fcvtLUS(fp: FpState, a: number, rm: number): void { cvtLU(fp, getS(fp, a), rm); }
export function fcvtWD(fp: FpState, a: number, rm: number): number { return cvtW(fp, getD(fp, a), rm); }
export function fcvtWUD(fp: FpState, a: number, rm: number): number { return cvtWU(fp, getD(fp, a), rm); }
export function fcvtLD(fp: FpState, a: number, rm: number): void { cvtL(fp, getD(fp, a), rm); }
export function fcvtLUD(fp: FpState, a: number, rm: number): void { cvtLU(fp, getD(fp, a), rm); }

// ---- integer -> float (lo, hi: the integer register's words) ----------------------------------

export function fcvtSW(fp: FpState, rd: number, lo: number, rm: number): void { setS(fp, rd, cvtSW(fp, lo, rm)); }
export function fcvtSWU(fp: FpState, rd: number, lo: number, rm: number): void { setS(fp, rd, cvtSWU(fp, lo, rm)); }
export function fcvtSL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { setS(fp, rd, cvtSL(fp, lo, hi, rm)); }
export function fcvtSLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { setS(fp, rd, cvtSLU(fp, lo, hi, rm)); }
export function fcvtDW(fp: FpState, rd: number, lo: number): void { setD(fp, rd, lo | 0); }
export function fcvtDWU(fp: FpState, rd: number, lo: number): void { setD(fp, rd, lo >>> 0); }
export function fcvtDL(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { setD(fp, rd, cvtDL(fp, lo, hi, rm)); }
export function fcvtDLU(fp: FpState, rd: number, lo: number, hi: number, rm: number): void { setD(fp, rd, cvtDLU(fp, lo, hi, rm)); }

// ---- float <-> float --------------------------------------------------------------------------

export function fcvtSD(fp: FpState, rd: number, a: number, rm: number): void {
  const x = getD(fp, a);
  if (x !== x && snanD(fp, a)) fp.fflags |= NV;
  setS(fp, rd, cvtSD(fp, x, rm));
}
export function fcvtDS(fp: FpState, rd: number, a: number): void {
  const x = getS(fp, a);
  if (x !== x && snanS(fp, a)) fp.fflags |= NV;
  setD(fp, rd, x);
}
