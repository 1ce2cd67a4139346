/**
 * The slow paths: add, multiply, divide, square root and fused multiply-add of finite operands
 * computed exactly with BigInt mantissas and rounded once by {@link roundPack}. Operands are
 * JS numbers (a binary32 operand is the double of the same value); the result is rounded to
 * `fmt`. Callers deal with NaN, infinity and invalid operations first.
 */
import { decE, decM, decompose, roundPack, signBit, RDN, type Flags, type Fmt } from './round.js';

/** Exact integer square root: floor(sqrt(n)). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** A signed exact value m * 2^e (m a BigInt, signed). */
let vm = 0n, ve = 0;
function load(x: number): void {
  if (x === 0) { vm = 0n; ve = 0; return; }
  decompose(x);
  vm = x < 0 ? -BigInt(decM) : BigInt(decM);
  ve = decE;
}

/**
 * Round the exact sum of signed values am * 2^ae + bm * 2^be. `zeroNeg` is the sign an exact
 * zero takes when both addends are zeros of the same sign; otherwise an exact zero is +0 (-0
 * when rounding down).
 */
function roundSum(fl: Flags, am: bigint, ae: number, bm: bigint, be: number, zeroNeg: boolean | null, rm: number, fmt: Fmt): number {
  let sum: bigint, e: number;
  if (am === 0n) { sum = bm; e = be; } else if (bm === 0n) { sum = am; e = ae; } else {
    e = Math.min(ae, be);
    sum = (am << BigInt(ae - e)) + (bm << BigInt(be - e));
  }
  if (sum === 0n) {
    if (zeroNeg !== null) return zeroNeg ? -0 : 0;
    return rm === RDN ? -0 : 0;
  }
  return sum < 0n ? roundPack(fl, true, -sum, e, false, rm, fmt) : roundPack(fl, false, sum, e, false, rm, fmt);
}

/** round(a + b) for finite a, b. */
export function addExact(fl: Flags, a: number, b: number, rm: number, fmt: Fmt): number {
  load(a); const am = vm, ae = ve;
  load(b);
  const sa = signBit(a);
  return roundSum(fl, am, ae, vm, ve, sa === signBit(b) && a === 0 && b === 0 ? sa : null, rm, fmt);
}

/** round(a * b) for finite a, b. */
export function mulExact(fl: Flags, a: number, b: number, rm: number, fmt: Fmt): number {
  const neg = signBit(a) !== signBit(b);
  if (a === 0 || b === 0) return neg ? -0 : 0;
  decompose(a); const am = BigInt(decM), ae = decE;
  decompose(b);
  return roundPack(fl, neg, am * BigInt(decM), ae + decE, false, rm, fmt);
}

/** round(a / b) for finite a and finite nonzero b. */
export function divExact(fl: Flags, a: number, b: number, rm: number, fmt: Fmt): number {
  const neg = signBit(a) !== signBit(b);
  if (a === 0) return neg ? -0 : 0;
  decompose(a); const am = BigInt(decM), ae = decE;
  decompose(b); const bm = BigInt(decM), be = decE;
  const K = 110; // the quotient gets at least 110 - 53 + 1 > p + 2 bits
  const num = am << BigInt(K);
  const q = num / bm;
  return roundPack(fl, neg, q, ae - be - K, q * bm !== num, rm, fmt);
}

/** round(sqrt(a)) for finite a > 0. */
export function sqrtExact(fl: Flags, a: number, rm: number, fmt: Fmt): number {
  decompose(a);
  let m = BigInt(decM), e = decE;
  if ((e & 1) !== 0) { m <<= 1n; e -= 1; }
  const K = 116; // m << 116 has > 116 bits: its root has more than p + 2 bits
  const n = m << BigInt(K);
  const r = isqrt(n);
  return roundPack(fl, false, r, (e - K) / 2, r * r !== n, rm, fmt);
}

/** round(a * b + c) for finite a, b, c (one rounding). */
export function fmaExact(fl: Flags, a: number, b: number, c: number, rm: number, fmt: Fmt): number {
  const pneg = signBit(a) !== signBit(b);
  let pm = 0n, pe = 0;
  if (a !== 0 && b !== 0) {
    decompose(a); const am = BigInt(decM), ae = decE;
    decompose(b);
    pm = am * BigInt(decM); pe = ae + decE;
    if (pneg) pm = -pm;
  }
  load(c);
  const zero = pm === 0n && c === 0;
  return roundSum(fl, pm, pe, vm, ve, zero && pneg === signBit(c) ? pneg : null, rm, fmt);
}
