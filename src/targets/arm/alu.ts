/**
 * ARM ALU helpers called from generated code where inline code would be long: register-controlled
 * shifts with carry out, saturation, 32×32→64 multiplies. Names follow the ARMv7-M ARM
 * pseudocode (Shift_C, SignedSatQ, UnsignedSatQ). Extra results go to the shared `OUT` array.
 */

/** OUT[0]: carry out of {@link shiftC}; saturated flag of ssat/usat; OUT[1]: high word of multiplies. */
export const OUT = new Int32Array(2);

/** Shift_C with the amount from a register (bits 7:0): t 0 LSL, 1 LSR, 2 ASR, 3 ROR. Carry in OUT[0]. */
export function shiftC(t: number, v: number, amount: number, carryIn: number): number {
  const n = amount & 0xff;
  if (n === 0) { OUT[0] = carryIn; return v; }
  switch (t) {
    case 0:
      if (n < 32) { OUT[0] = (v >>> (32 - n)) & 1; return v << n; }
      OUT[0] = n === 32 ? v & 1 : 0;
      return 0;
    case 1:
      if (n < 32) { OUT[0] = (v >>> (n - 1)) & 1; return (v >>> n) | 0; }
      OUT[0] = n === 32 ? v >>> 31 : 0;
      return 0;
    case 2:
      if (n < 32) { OUT[0] = (v >> (n - 1)) & 1; return v >> n; }
      OUT[0] = v >>> 31;
      return v >> 31;
    default: {
      const m = n & 31;
      const r = m === 0 ? v : (v >>> m) | (v << (32 - m));
      OUT[0] = r >>> 31;
      return r;
    }
  }
}

/** SignedSatQ(v, n): clamp to n bits signed (1..32); OUT[0] = 1 if it saturated. */
export function ssat(v: number, n: number): number {
  const max = 2 ** (n - 1) - 1, min = -(2 ** (n - 1));
  if (v > max) { OUT[0] = 1; return max | 0; }
  if (v < min) { OUT[0] = 1; return min | 0; }
  OUT[0] = 0;
  return v;
}

/** UnsignedSatQ(v, n): clamp to n bits unsigned (0..31); OUT[0] = 1 if it saturated. */
export function usat(v: number, n: number): number {
  const max = 2 ** n - 1;
  if (v > max) { OUT[0] = 1; return max | 0; }
  if (v < 0) { OUT[0] = 1; return 0; }
  OUT[0] = 0;
  return v;
}

/** Unsigned 32×32 → 64: returns the low word, high word in OUT[1]. */
export function umull(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  OUT[1] = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return ((mid << 16) | (p00 & 0xffff)) | 0;
}

/** Signed 32×32 → 64: low word returned, high word in OUT[1]. */
export function smull(a: number, b: number): number {
  const lo = umull(a, b);
  let hi = OUT[1]!;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  OUT[1] = hi;
  return lo;
}

/** 64-bit add of (hi:lo) + (bh:bl): low word returned, high in OUT[1]. */
export function add64(lo: number, hi: number, bl: number, bh: number): number {
  const l = (lo >>> 0) + (bl >>> 0);
  OUT[1] = (hi + bh + (l > 0xffffffff ? 1 : 0)) | 0;
  return l | 0;
}

/** Bit reverse (RBIT). */
export function rbit(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) | 0;
}

/** ThumbExpandImm_C: the value and the carry out (-1: carry unchanged). */
export function thumbExpandImm(imm12: number): { value: number; carry: number } {
  if ((imm12 >> 10) === 0) {
    const b = imm12 & 0xff;
    switch ((imm12 >> 8) & 3) {
      case 0: return { value: b, carry: -1 };
      case 1: return { value: (b << 16) | b, carry: -1 };
      case 2: return { value: ((b << 24) | (b << 8)) | 0, carry: -1 };
      default: return { value: ((b << 24) | (b << 16) | (b << 8) | b) | 0, carry: -1 };
    }
  }
  const unrot = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >> 7;
  const value = ((unrot >>> rot) | (unrot << (32 - rot))) | 0;
  return { value, carry: value >>> 31 };
}

/** Condition names by number (objdump's spelling). */
export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''] as const;
