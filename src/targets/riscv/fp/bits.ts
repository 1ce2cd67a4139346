/**
 * Bit-level facts about IEEE 754 binary32/binary64 values held in JS numbers: neighbours (next
 * up/down, by stepping the encoding in one shared scratch buffer, no allocation), powers of two,
 * signalling-NaN tests on raw words and the constants the other fp modules share. A binary32
 * value is carried as the JS number (double) of the same value, which is always exact.
 *
 * NaNs never travel through numbers with meaning: every NaN a RISC-V FP operation produces is the
 * canonical one, so code only asks "is it NaN" of a number and reads signalling bits from raw
 * register words.
 */

const buf = new ArrayBuffer(8);
const F64 = new Float64Array(buf);
const F32 = new Float32Array(buf);
const I32 = new Int32Array(buf);

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('tracehook fp: a little-endian host is required');

/**
 * A NaN to return from hot code: read from a typed array rather than written as the NaN literal,
 * because optimized code that merges a float value with the NaN constant can box the float (a
 * heap allocation per operation).
 */
const NAN_CELL = new Float64Array([NaN]);
export function nan(): number { return NAN_CELL[0]!; }

/** Canonical NaNs (RISC-V): binary32 0x7fc00000; binary64 high word 0x7ff80000, low word 0. */
export const CANON32 = 0x7fc00000;
export const CANON64_HI = 0x7ff80000;

/** 2^k as a double, exact for -1074 <= k <= 1023 (subnormal powers included). */
export function pow2(k: number): number {
  if (k >= -1022) { I32[0] = 0; I32[1] = (k + 1023) << 20; return F64[0]!; }
  const s = k + 1074; // bit position in the fraction, 0..51
  if (s >= 32) { I32[0] = 0; I32[1] = 1 << (s - 32); } else { I32[0] = 1 << s; I32[1] = 0; }
  return F64[0]!;
}

export const MAX64 = Number.MAX_VALUE;
export const MIN_NORMAL64 = pow2(-1022);
export const MAX32 = (2 - pow2(-23)) * pow2(127);
export const MIN_NORMAL32 = pow2(-126);

/** Is the binary32 encoding a signalling NaN? */
export function isSNaN32(b: number): boolean { return (b & 0x7fc00000) === 0x7f800000 && (b & 0x3fffff) !== 0; }
/** Is the binary64 encoding (lo, hi) a signalling NaN? */
export function isSNaN64(lo: number, hi: number): boolean {
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || lo !== 0);
}

/**
 * The binary64 neighbour of finite x one step away from zero (up = true) or toward zero, by
 * stepping the encoding. x must be nonzero; away from the largest finite value gives infinity.
 */
function step64(x: number, away: boolean): number {
  F64[0] = x;
  let lo = I32[0]!, hi = I32[1]!;
  if (away) { lo = (lo + 1) | 0; if (lo === 0) hi = (hi + 1) | 0; } else { if (lo === 0) hi = (hi - 1) | 0; lo = (lo - 1) | 0; }
  I32[0] = lo; I32[1] = hi;
  return F64[0]!;
}
/** Next double above finite x. */
export function nextUp64(x: number): number { return x === 0 ? pow2(-1074) : step64(x, x > 0); }
/** Next double below finite x. */
export function nextDown64(x: number): number { return x === 0 ? -pow2(-1074) : step64(x, x < 0); }
/** Neighbour of nonzero finite x away from zero (may be infinite). */
export function nextAway64(x: number): number { return step64(x, true); }
/** Neighbour of nonzero finite x toward zero. */
export function nextZero64(x: number): number { return step64(x, false); }

/** binary32 neighbour of a nonzero finite single x, one step away from zero or toward it. */
function step32(x: number, away: boolean): number {
  F32[0] = x;
  I32[0] = away ? I32[0]! + 1 : I32[0]! - 1;
  return F32[0]!;
}
export function nextUp32(x: number): number { return x === 0 ? pow2(-149) : step32(x, x > 0); }
export function nextDown32(x: number): number { return x === 0 ? -pow2(-149) : step32(x, x < 0); }
export function nextAway32(x: number): number { return step32(x, true); }
export function nextZero32(x: number): number { return step32(x, false); }
