/**
 * fclass.s / fclass.d: the one-hot class of a value from its encoding. Bits: 0 -inf, 1 negative
 * normal, 2 negative subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf,
 * 8 signalling NaN, 9 quiet NaN. A single that is not NaN-boxed is the canonical (quiet) NaN.
 */
import { CANON32 } from './bits.js';
import type { FpState } from './state.js';

function cls(neg: boolean, expAllOnes: boolean, expZero: boolean, fracZero: boolean, quiet: boolean): number {
  if (expAllOnes) return fracZero ? (neg ? 1 << 0 : 1 << 7) : quiet ? 1 << 9 : 1 << 8;
  if (expZero) return fracZero ? (neg ? 1 << 3 : 1 << 4) : (neg ? 1 << 2 : 1 << 5);
  return neg ? 1 << 1 : 1 << 6;
}

export function classify32(b: number): number {
  const e = (b >>> 23) & 0xff;
  return cls(b < 0, e === 0xff, e === 0, (b & 0x7fffff) === 0, (b & 0x400000) !== 0);
}

export function classify64(lo: number, hi: number): number {
  const e = (hi >>> 20) & 0x7ff;
  return cls(hi < 0, e === 0x7ff, e === 0, (hi & 0xfffff) === 0 && lo === 0, (hi & 0x80000) !== 0);
}

export function fclassS(fp: FpState, r: number): number {
  return classify32(fp.f[2 * r + 1] === -1 ? fp.f[2 * r]! : CANON32);
}

export function fclassD(fp: FpState, r: number): number {
  return classify64(fp.f[2 * r]!, fp.f[2 * r + 1]!);
}
