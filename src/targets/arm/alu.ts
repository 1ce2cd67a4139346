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

// ---- ARMv7E-M DSP ------------------------------------------------------------------------------

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * Parallel add/subtract (SADD16, UQSUB8, SHASX...): `kind` 0 s, 1 q, 2 sh, 3 u, 4 uq, 5 uh;
 * `op` 0 add8, 1 add16, 2 asx, 4 sub8, 5 sub16, 6 sax (the encoding's op1). Returns the result;
 * OUT[0] = the new GE bits for the s/u kinds, -1 for the others (GE unchanged).
 */
export function parallel(kind: number, op: number, a: number, b: number): number {
  const signed = kind < 3, sat = kind === 1 || kind === 4, half = kind === 2 || kind === 5, ge = kind === 0 || kind === 3;
  let res = 0, g = 0;
  if (op === 0 || op === 4) {
    for (let i = 0; i < 4; i++) {
      const x = signed ? ((a << (24 - 8 * i)) >> 24) : (a >>> (8 * i)) & 0xff;
      const y = signed ? ((b << (24 - 8 * i)) >> 24) : (b >>> (8 * i)) & 0xff;
      let r = op === 0 ? x + y : x - y;
      if (ge && (signed ? r >= 0 : op === 0 ? r >= 0x100 : r >= 0)) g |= 1 << i;
      if (sat) r = signed ? clamp(r, -128, 127) : clamp(r, 0, 255);
      else if (half) r >>= 1;
      res |= (r & 0xff) << (8 * i);
    }
  } else {
    const x0 = signed ? (a << 16) >> 16 : a & 0xffff, x1 = signed ? a >> 16 : a >>> 16;
    const y0 = signed ? (b << 16) >> 16 : b & 0xffff, y1 = signed ? b >> 16 : b >>> 16;
    let r0: number, r1: number, add0: boolean, add1: boolean;
    switch (op) {
      case 1: r0 = x0 + y0; r1 = x1 + y1; add0 = true; add1 = true; break;
      case 5: r0 = x0 - y0; r1 = x1 - y1; add0 = false; add1 = false; break;
      case 2: r0 = x0 - y1; r1 = x1 + y0; add0 = false; add1 = true; break; // ASX
      default: r0 = x0 + y1; r1 = x1 - y0; add0 = true; add1 = false; break; // SAX
    }
    if (ge) {
      if (signed ? r0 >= 0 : add0 ? r0 >= 0x10000 : r0 >= 0) g |= 3;
      if (signed ? r1 >= 0 : add1 ? r1 >= 0x10000 : r1 >= 0) g |= 12;
    }
    if (sat) { r0 = signed ? clamp(r0, -32768, 32767) : clamp(r0, 0, 65535); r1 = signed ? clamp(r1, -32768, 32767) : clamp(r1, 0, 65535); } else if (half) { r0 >>= 1; r1 >>= 1; }
    res = (r0 & 0xffff) | ((r1 & 0xffff) << 16);
  }
  OUT[0] = ge ? g : -1;
  return res | 0;
}

/** QADD/QSUB/QDADD/QDSUB: `op` 0 qadd, 1 qdadd, 2 qsub, 3 qdsub of Rm (a) and Rn (b); OUT[0] = 1 if saturated. */
export function qaddsub(op: number, a: number, b: number): number {
  let q = 0;
  if (op & 1) { const d = b * 2; b = clamp(d, -2147483648, 2147483647); if (b !== d) q = 1; }
  const r = op & 2 ? a - b : a + b;
  const c = clamp(r, -2147483648, 2147483647);
  OUT[0] = q | (c !== r ? 1 : 0);
  return c | 0;
}

/** SSAT16/USAT16: each halfword saturated to `n` bits; OUT[0] = 1 if either saturated. */
export function sat16(signed: boolean, v: number, n: number): number {
  const lo = signed ? -(2 ** (n - 1)) : 0, hi = signed ? 2 ** (n - 1) - 1 : 2 ** n - 1;
  const h0 = (v << 16) >> 16, h1 = v >> 16;
  const r0 = clamp(h0, lo, hi), r1 = clamp(h1, lo, hi);
  OUT[0] = r0 !== h0 || r1 !== h1 ? 1 : 0;
  return ((r0 & 0xffff) | ((r1 & 0xffff) << 16)) | 0;
}

/** SEL: byte i from a when GE[i], else from b. */
export function sel(ge: number, a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 4; i++) r |= ((((ge >> i) & 1) !== 0 ? a : b) & (0xff << (8 * i)));
  return r | 0;
}

/** USAD8 (+ accumulator). */
export function usad8(a: number, b: number, acc: number): number {
  let s = acc;
  for (let i = 0; i < 4; i++) s += Math.abs(((a >>> (8 * i)) & 0xff) - ((b >>> (8 * i)) & 0xff));
  return s | 0;
}

const half = (v: number, top: number): number => (top !== 0 ? v >> 16 : (v << 16) >> 16);

/** Does `r` (an exact sum) overflow 32 bits signed? */
const ovf = (r: number): boolean => r > 2147483647 || r < -2147483648;

/** SMULxy/SMLAxy: product of the chosen halves (+ acc); OUT[0] = 1 on signed overflow of the add. */
export function smlaxy(a: number, n: number, b: number, m: number, acc: number | null): number {
  const p = half(a, n) * half(b, m);
  if (acc === null) { OUT[0] = 0; return p | 0; }
  const r = p + acc;
  OUT[0] = ovf(r) ? 1 : 0;
  return r | 0;
}

/** SMUAD/SMLAD/SMUSD/SMLSD (x: swap Rm's halves; sub: difference); OUT[0] = overflow. */
export function smlad(a: number, b: number, x: number, sub: boolean, acc: number | null): number {
  const bb = x !== 0 ? ((b >>> 16) | (b << 16)) : b;
  const p1 = half(a, 0) * half(bb, 0), p2 = half(a, 1) * half(bb, 1);
  const r = (sub ? p1 - p2 : p1 + p2) + (acc ?? 0);
  OUT[0] = ovf(r) ? 1 : 0;
  return Number(BigInt.asIntN(32, BigInt(r)));
}

/** SMULWy/SMLAWy: (Rn × half(Rm)) >> 16 (+ acc); OUT[0] = overflow. */
export function smlawy(a: number, b: number, m: number, acc: number | null): number {
  const p = Number((BigInt(a) * BigInt(half(b, m))) >> 16n);
  if (acc === null) { OUT[0] = 0; return p | 0; }
  const r = p + acc;
  OUT[0] = ovf(r) ? 1 : 0;
  return r | 0;
}

/** SMMUL/SMMLA/SMMLS with rounding `r`: the top word of (acc << 32) ± Rn × Rm. */
export function smmla(a: number, b: number, acc: number | null, sub: boolean, round: number): number {
  let v = BigInt(a) * BigInt(b);
  if (sub) v = -v;
  if (acc !== null) v += BigInt(acc) << 32n;
  if (round !== 0) v += 0x80000000n;
  return Number(BigInt.asIntN(32, v >> 32n));
}

/** Long DSP multiply-accumulates on hi:lo (BigInt: rare instructions). Low word returned, high in OUT[1]. */
export function dspLong(kind: number, a: number, b: number, lo: number, hi: number, n: number, m: number): number {
  let acc = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  switch (kind) {
    case 0: acc += BigInt(half(a, n) * half(b, m)); break; // SMLALxy
    case 1: case 2: { // SMLALD / SMLSLD (n = X)
      const bb = n !== 0 ? ((b >>> 16) | (b << 16)) : b;
      const p1 = BigInt(half(a, 0) * half(bb, 0)), p2 = BigInt(half(a, 1) * half(bb, 1));
      acc += kind === 1 ? p1 + p2 : p1 - p2;
      break;
    }
    default: acc = BigInt(a >>> 0) * BigInt(b >>> 0) + BigInt(lo >>> 0) + BigInt(hi >>> 0); // UMAAL
  }
  OUT[1] = Number(BigInt.asIntN(32, acc >> 32n));
  return Number(BigInt.asIntN(32, acc));
}
