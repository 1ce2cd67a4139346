/**
 * 64-bit arithmetic on (lo, hi) 32-bit halves for generated RV64 code (and RV32's high
 * multiplies). Results go to the shared scratch array `R` (R[0] = low, R[1] = high), so the hot
 * path allocates nothing. Rare, wide cases fall back to BigInt.
 */
export const R = new Int32Array(2);

function big(lo: number, hi: number): bigint { return (BigInt(hi) << 32n) | BigInt(lo >>> 0); }
function put(v: bigint): void {
  R[0] = Number(v & 0xffffffffn) | 0;
  R[1] = Number((v >> 32n) & 0xffffffffn) | 0;
}

/** High 32 bits of the unsigned 64-bit product of two u32 values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}
/** High 32 bits of the signed 64-bit product. */
export function mulh32(a: number, b: number): number {
  let h = mulhu32(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}
/** High 32 bits of signed a times unsigned b. */
export function mulhsu32(a: number, b: number): number {
  let h = mulhu32(a, b);
  if (a < 0) h = (h - b) | 0;
  return h;
}

/** Low 64 bits of a 64x64 product. */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R[0] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const hi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[1] = (hi + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

export function mulh64(al: number, ah: number, bl: number, bh: number): void {
  put((big(al, ah) * big(bl, bh)) >> 64n);
}
export function mulhu64(al: number, ah: number, bl: number, bh: number): void {
  put((BigInt.asUintN(64, big(al, ah)) * BigInt.asUintN(64, big(bl, bh))) >> 64n);
}
export function mulhsu64(al: number, ah: number, bl: number, bh: number): void {
  put((big(al, ah) * BigInt.asUintN(64, big(bl, bh))) >> 64n);
}

const MIN32 = -2147483648;

export function div64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { R[0] = -1; R[1] = -1; return; }
  if (ah === al >> 31 && bh === bl >> 31) {
    // both fit in 32 bits: the quotient fits in 33 bits and double division is exact
    const q = Math.trunc(al / bl); // in [-2^31, 2^31]
    R[0] = q | 0; R[1] = q < 0 ? -1 : 0;
    return;
  }
  const a = big(al, ah), b = big(bl, bh);
  if (a === -(1n << 63n) && b === -1n) { R[0] = al; R[1] = ah; return; }
  put(a / b);
}
export function rem64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { R[0] = al; R[1] = ah; return; }
  if (ah === al >> 31 && bh === bl >> 31) {
    const r = al % bl;
    R[0] = r | 0; R[1] = r < 0 ? -1 : 0;
    return;
  }
  const a = big(al, ah), b = big(bl, bh);
  if (a === -(1n << 63n) && b === -1n) { R[0] = 0; R[1] = 0; return; }
  put(a % b);
}
export function divu64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { R[0] = -1; R[1] = -1; return; }
  if (ah === 0 && bh === 0) { R[0] = Math.floor((al >>> 0) / (bl >>> 0)) | 0; R[1] = 0; return; }
  put(BigInt.asUintN(64, big(al, ah)) / BigInt.asUintN(64, big(bl, bh)));
}
export function remu64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { R[0] = al; R[1] = ah; return; }
  if (ah === 0 && bh === 0) { R[0] = ((al >>> 0) % (bl >>> 0)) | 0; R[1] = 0; return; }
  put(BigInt.asUintN(64, big(al, ah)) % BigInt.asUintN(64, big(bl, bh)));
}

export function sll64(al: number, ah: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { R[0] = al; R[1] = ah; }
  else if (sh < 32) { R[1] = (ah << sh) | (al >>> (32 - sh)); R[0] = al << sh; }
  else { R[1] = al << (sh - 32); R[0] = 0; }
}
export function srl64(al: number, ah: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { R[0] = al; R[1] = ah; }
  else if (sh < 32) { R[0] = (al >>> sh) | (ah << (32 - sh)); R[1] = ah >>> sh; }
  else { R[0] = ah >>> (sh - 32); R[1] = 0; }
}
export function sra64(al: number, ah: number, sh: number): void {
  sh &= 63;
  if (sh === 0) { R[0] = al; R[1] = ah; }
  else if (sh < 32) { R[0] = (al >>> sh) | (ah << (32 - sh)); R[1] = ah >> sh; }
  else { R[0] = ah >> (sh - 32); R[1] = ah >> 31; }
}

/** RV32 divide/remainder with RISC-V's rules for zero divisors and overflow. */
export function div32(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === MIN32 && b === -1) return a;
  return (a / b) | 0;
}
export function rem32(a: number, b: number): number {
  if (b === 0) return a;
  if (a === MIN32 && b === -1) return 0;
  return (a % b) | 0;
}
export function divu32(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) >>> 0 | 0;
}
export function remu32(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}
