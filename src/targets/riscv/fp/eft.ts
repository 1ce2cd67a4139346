/**
 * Error-free transformations on doubles (no FMA needed): the exact rounding error of a sum or a
 * product, so that a JS result r = RN(exact) can be completed to exact = r + err.
 */

/**
 * Exact error of s = RN(a + b): a + b = s + err (Knuth's TwoSum). Exact for all finite a, b
 * whose rounded sum s does not overflow (subnormals included).
 */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

const SPLIT = 134217729; // 2^27 + 1

/**
 * Exact error of p = RN(a * b): a * b = p + err (Dekker's TwoProduct with Veltkamp splitting).
 * Exact when |a|, |b| < 2^995 (the split does not overflow), p is finite and the product is not
 * near the underflow range: |p| >= 2^-960 suffices (see {@link productIsSafe}).
 */
export function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** 2^-900 and 2^900: bounds of the range in which the fast paths use TwoProduct. */
export const SAFE_LO = 2 ** -900;
export const SAFE_HI = 2 ** 900;

/** Can {@link twoProdErr} be trusted for p = RN(a * b)? (a, b, p finite or not.) */
export function productIsSafe(a: number, b: number, p: number): boolean {
  const ap = Math.abs(p);
  return ap > SAFE_LO && ap < SAFE_HI && Math.abs(a) < SAFE_HI && Math.abs(b) < SAFE_HI;
}
