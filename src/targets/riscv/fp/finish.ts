/**
 * Fast final rounding. An operation computes its result r with JS (round-to-nearest-even)
 * arithmetic plus the exact error or at least the sign of (exact - r); these functions turn that
 * into the correctly rounded result in any rounding mode, with NX and OF, without BigInt, and
 * write it to the destination register.
 *
 * They return 0 when done, or 1 without writing or raising anything when they cannot decide
 * cheaply (a tiny inexact result, whose UF flag needs the unbounded-exponent rounding, or an
 * overflow outside round-to-nearest): the caller then takes its exact slow path.
 */
import {
  MAX32, MIN_NORMAL32, MIN_NORMAL64, nextAway32, nextAway64, nextDown32, nextDown64, nextUp32, nextUp64, nextZero32, nextZero64,
} from './bits.js';
import { putS } from './regs.js';
import { NX, OF, RDN, RMM, RNE, RTZ, RUP } from './round.js';
import type { FpState } from './state.js';

/**
 * Binary64 result for the exact value x = r + e, where r = RN(x) is finite and e != 0 is either
 * the exact error (so exact ties are recognised for RMM) or, when x can never be a tie (division,
 * square root), any number of the error's sign with |e| smaller than half an ulp of r.
 */
export function fin64(fp: FpState, rd: number, r: number, e: number, rm: number): number {
  if (!(Math.abs(r) > MIN_NORMAL64)) return 1;
  fp.fflags |= NX;
  let v = r;
  switch (rm) {
    case RTZ: if ((e < 0) !== (r < 0)) v = nextZero64(r); break;
    case RDN: if (e < 0) v = nextDown64(r); break;
    case RUP: if (e > 0) v = nextUp64(r); break;
    case RMM:
      // A tie rounded to even toward zero: exact - r has r's sign and is half the gap above r.
      if ((e < 0) === (r < 0)) {
        const away = nextAway64(r);
        if (Math.abs(e) * 2 === Math.abs(away - r)) v = away;
      }
      break;
  }
  if (v - v !== 0) fp.fflags |= OF;
  fp.d[rd] = v;
  return 0;
}

/**
 * Binary32 result for the exact value x = s + e, where s = RN53(x) (or s = x and e = 0) and e is
 * the exact error or, when x can never be a binary32 midpoint, a number of the error's sign.
 * The round-to-nearest-even path is kept small so that it inlines into its callers.
 */
export function fin32(fp: FpState, rd: number, s: number, e: number, rm: number): number {
  let q = Math.fround(s);
  if (q === s && e === 0) { putS(fp, rd, q); return 0; } // exact
  if (rm !== RNE) return fin32Other(fp, rd, s, e, rm, q);
  const aq = Math.abs(q);
  if (!(aq > MIN_NORMAL32 && aq <= MAX32)) {
    // Overflow: RN(s) = RN(x) is infinite exactly when x overflows. Tiny: the caller's slow path.
    if (aq !== Infinity || s - s !== 0) return 1;
    fp.fflags |= OF | NX;
    putS(fp, rd, q);
    return 0;
  }
  // fround(s) = RN(x) unless s is a binary32 midpoint (fround broke the tie to even) and x is not:
  // then x is on e's side of it. s is a midpoint iff 2s - q (exact) is a binary32 value, the other
  // neighbour.
  if (e !== 0 && q !== s) {
    const t = q + 2 * (s - q);
    if (Math.fround(t) === t && (e > 0) === (s > q)) q = t;
  }
  fp.fflags |= NX;
  putS(fp, rd, q);
  return 0;
}

/** {@link fin32} for the other rounding modes; q = fround(s). */
function fin32Other(fp: FpState, rd: number, s: number, e: number, rm: number, q: number): number {
  const aq = Math.abs(q);
  if (!(aq > MIN_NORMAL32 && aq <= MAX32)) return 1; // tiny or overflowing: slow path
  // q0 = RN(x) and dir = sign(x - q0); tie: x is exactly halfway and q0 is the even neighbour.
  let q0 = q, dir = s - q, tie = false; // s - q is exact
  if (dir === 0) {
    dir = e; // s is representable, x is not
  } else if (e !== 0 || rm === RMM) {
    const t = q + 2 * dir; // the other neighbour if s is a midpoint (see fin32)
    if (Math.fround(t) === t) {
      if (e === 0) tie = true; else if ((e > 0) === (dir > 0)) { q0 = t; dir = -dir; }
    }
  }
  fp.fflags |= NX;
  let v = q0;
  switch (rm) {
    case RTZ: if ((dir < 0) !== (q0 < 0)) v = nextZero32(q0); break;
    case RDN: if (dir < 0) v = nextDown32(q0); break;
    case RUP: if (dir > 0) v = nextUp32(q0); break;
    case RMM: if (tie && (dir < 0) === (q0 < 0)) v = nextAway32(q0); break;
  }
  if (v - v !== 0) fp.fflags |= OF;
  putS(fp, rd, v);
  return 0;
}
