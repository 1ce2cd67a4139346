/**
 * Helpers for the bit-manipulation extensions (Zbb, Zbc) called from generated code. 32-bit
 * helpers return an Int32; 64-bit ones take (lo, hi) halves and write the shared scratch array
 * `R` of alu.ts (R[0] = low, R[1] = high), like the other 64-bit helpers.
 */
import { R } from './alu.js';

/** Number of set bits of a 32-bit value. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Count of trailing zero bits of a 32-bit value (32 for 0). */
export function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Byte reversal of a 32-bit value. */
export function bswap32(v: number): number {
  return (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** orc.b on 32 bits: each nonzero byte becomes 0xff, each zero byte stays 0. */
export function orcb32(v: number): number {
  const t = (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080;
  return ((t >>> 7) * 255) | 0;
}

/** Carry-less product of two 32-bit values: low word to R[0], high word to R[1]. */
export function clmul32(a: number, b: number): void {
  let lo = 0, hi = 0;
  for (let i = 0; b !== 0; i++, b >>>= 1) {
    if ((b & 1) !== 0) {
      lo ^= a << i;
      if (i !== 0) hi ^= a >>> (32 - i);
    }
  }
  R[0] = lo;
  R[1] = hi;
}

/**
 * 64-bit carry-less multiply. `part` selects which 64 bits of the 128-bit product go to R:
 * 0 = bits 63..0 (clmul), 1 = bits 127..64 (clmulh), 2 = bits 126..63 (clmulr).
 */
export function clmul64(al: number, ah: number, bl: number, bh: number, part: number): void {
  clmul32(al, bl);
  const w0 = R[0]!;
  let w1 = R[1]!;
  if (part === 0) {
    clmul32(al, bh); w1 ^= R[0]!;
    clmul32(ah, bl); w1 ^= R[0]!;
    R[0] = w0; R[1] = w1;
    return;
  }
  clmul32(al, bh);
  w1 ^= R[0]!;
  let w2 = R[1]!;
  clmul32(ah, bl);
  w1 ^= R[0]!;
  w2 ^= R[1]!;
  clmul32(ah, bh);
  w2 ^= R[0]!;
  const w3 = R[1]!;
  if (part === 1) { R[0] = w2; R[1] = w3; return; }
  R[0] = (w1 >>> 31) | (w2 << 1);
  R[1] = (w2 >>> 31) | (w3 << 1);
}

/** Rotate the 64-bit value (lo, hi) right by n & 63 into R. */
export function ror64(lo: number, hi: number, n: number): void {
  if ((n & 32) !== 0) { const t = lo; lo = hi; hi = t; }
  const s = n & 31;
  if (s === 0) { R[0] = lo; R[1] = hi; return; }
  R[0] = (lo >>> s) | (hi << (32 - s));
  R[1] = (hi >>> s) | (lo << (32 - s));
}

/** Rotate the 64-bit value (lo, hi) left by n & 63 into R. */
export function rol64(lo: number, hi: number, n: number): void {
  ror64(lo, hi, -n & 63);
}
