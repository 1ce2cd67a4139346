/**
 * Rounding: rounding-mode and exception-flag constants, the two formats, and the exact
 * (BigInt) rounder every slow path ends in. {@link roundPack} rounds an exact value
 * (-1)^neg * m * 2^e (plus an optional sticky tail) to binary32 or binary64 in any RISC-V rounding
 * mode, raising NX, UF (tininess detected after rounding, as RISC-V requires) and OF like
 * softfloat does.
 */
import { MAX32, MAX64, pow2 } from './bits.js';

/** Rounding modes (the rm field / frm values). */
export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
/** fflags bits. */
export const NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;

/** Where operations accumulate exception flags (an FpState, or any object in tests). */
export interface Flags { fflags: number }

/** A binary floating-point format: precision and normal exponent range. */
export interface Fmt {
  readonly p: number;
  readonly emin: number;
  readonly emax: number;
  /** Largest finite value. */
  readonly max: number;
}
export const FMT32: Fmt = { p: 24, emin: -126, emax: 127, max: MAX32 };
export const FMT64: Fmt = { p: 53, emin: -1022, emax: 1023, max: MAX64 };

/** Number of bits of m > 0. */
export function bitLen(m: bigint): number {
  const s = m.toString(16);
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0]!, 16)));
}

let inexact = false;

/** m / 2^sh rounded to an integer in mode rm for a value of sign `neg`; sets `inexact`. */
function shiftRound(m: bigint, sh: number, neg: boolean, rm: number): bigint {
  if (sh <= 0) { inexact = false; return m << BigInt(-sh); }
  const S = BigInt(sh);
  const q = m >> S;
  const rem = m - (q << S);
  if (rem === 0n) { inexact = false; return q; }
  inexact = true;
  const half = 1n << (S - 1n);
  let up: boolean;
  switch (rm) {
    case RNE: up = rem > half || (rem === half && (q & 1n) === 1n); break;
    case RMM: up = rem >= half; break;
    case RDN: up = neg; break;
    case RUP: up = !neg; break;
    default: up = false;
  }
  return up ? q + 1n : q;
}

/** Result of an overflow in mode rm: infinity, or the largest finite value when rounding toward zero. */
export function overflowResult(neg: boolean, rm: number, fmt: Fmt): number {
  const toMax = rm === RTZ || (rm === RDN && !neg) || (rm === RUP && neg);
  const v = toMax ? fmt.max : Infinity;
  return neg ? -v : v;
}

/**
 * Round (-1)^neg * (m + tail) * 2^e to `fmt` in mode rm, raising NX/UF/OF in `fl`. `sticky` says
 * that a tail 0 < tail < 1 exists beyond m's last bit; then m must have at least p + 2 bits so
 * that the tail never decides a tie. m = 0 without sticky gives a zero of sign neg.
 */
export function roundPack(fl: Flags, neg: boolean, m: bigint, e: number, sticky: boolean, rm: number, fmt: Fmt): number {
  if (sticky) { m = (m << 1n) | 1n; e -= 1; }
  if (m === 0n) return neg ? -0 : 0;
  const p = fmt.p;
  const n = bitLen(m);
  const E = e + n - 1; // exponent of the leading bit
  // Rounded to p bits with an unbounded exponent range: decides overflow and tininess.
  let q = shiftRound(m, n - p, neg, rm);
  let inx = inexact;
  const Eu = (q >> BigInt(p)) !== 0n ? E + 1 : E;
  if (Eu > fmt.emax) {
    fl.fflags |= OF | NX;
    return overflowResult(neg, rm, fmt);
  }
  let v: number;
  if (E >= fmt.emin) {
    v = Number(q) * pow2(E - p + 1);
  } else {
    const unit = fmt.emin - p + 1; // exponent of the last bit of a subnormal
    q = shiftRound(m, unit - e, neg, rm);
    inx = inexact;
    if (inx && Eu < fmt.emin) fl.fflags |= UF;
    v = Number(q) * pow2(unit);
  }
  if (inx) fl.fflags |= NX;
  return neg ? -v : v;
}

/** Decomposition of a finite nonzero double: |x| = decM * 2^decE, decM an integer < 2^53. */
export let decM = 0;
export let decE = 0;
const dbuf = new Float64Array(1);
const dwords = new Int32Array(dbuf.buffer);
export function decompose(x: number): void {
  dbuf[0] = x;
  const hi = dwords[1]!, lo = dwords[0]!;
  const be = (hi >>> 20) & 0x7ff;
  const frac = (hi & 0xfffff) * 4294967296 + (lo >>> 0);
  if (be === 0) { decM = frac; decE = -1074; } else { decM = frac + 4503599627370496; decE = be - 1075; }
}

/** Is x negative, counting -0? */
export function signBit(x: number): boolean { return x < 0 || (x === 0 && 1 / x < 0); }
