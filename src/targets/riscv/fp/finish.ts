/**
 * Fast final rounding. An operation computes its result r with JS (round-to-nearest-even)
 * arithmetic plus the exact error or at least the sign of (exact - r); these functions turn that
 * into the correctly rounded result in any rounding mode, with NX and OF, without BigInt.
 *
 * They return NaN when they cannot decide cheaply (a tiny inexact result, whose UF flag needs the
 * unbounded-exponent rounding, or an overflow outside round-to-nearest): the caller then takes its
 * exact slow path. No flag is raised in that case.
 */
import {
  MAX32, MIN_NORMAL32, MIN_NORMAL64, nextAway32, nextAway64, nextDown32, nextDown64, nextUp32, nextUp64, nextZero32, nextZero64,
} from './bits.js';
import { NX, OF, RDN, RMM, RNE, RTZ, RUP, type Flags } from './round.js';

/**
 * Binary64 result for the exact value x = r + e, where r = RN(x) is finite and e != 0 is either
 * the exact error (so exact ties are recognised for RMM) or, when x can never be a tie (division,
 * square root), any number of the error's sign with |e| smaller than half an ulp of r.
 */
export function fin64(fl: Flags, r: number, e: number, rm: number): number {
  if (!(Math.abs(r) > MIN_NORMAL64)) return NaN;
  fl.fflags |= NX;
  let v = r;
  switch (rm) {
    case RNE: return r;
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
  if (v - v !== 0) fl.fflags |= OF;
  return v;
}

/**
 * Binary32 result for the exact value x = s + e, where s = RN53(x) (or s = x and e = 0) and e is
 * the exact error or, when x can never be a binary32 midpoint, a number of the error's sign.
 */
export function fin32(fl: Flags, s: number, e: number, rm: number): number {
  const q = Math.fround(s);
  if (e === 0 && q === s) return q; // exact
  const aq = Math.abs(q);
  if (!(aq > MIN_NORMAL32 && aq <= MAX32)) {
    // Overflow in round-to-nearest: RN(s) = RN(x) is infinite exactly when x overflows.
    if (rm === RNE && aq === Infinity && s - s === 0) { fl.fflags |= OF | NX; return q; }
    return NaN;
  }
  // q0 = RN24(x) and dir = sign(x - q0); tie: x is exactly halfway and q0 is the even neighbour.
  let q0 = q, dir: number, tie = false;
  const d = s - q; // exact
  if (d === 0) {
    dir = e;
  } else {
    const nb = d > 0 ? nextUp32(q) : nextDown32(q);
    if (Math.abs(d) * 2 === Math.abs(nb - q)) {
      // s is a binary32 midpoint, which fround broke to even.
      if (e === 0) { tie = true; dir = d; } else if ((e > 0) === (d > 0)) { q0 = nb; dir = -d; } else dir = d;
    } else dir = d;
  }
  fl.fflags |= NX;
  let v = q0;
  switch (rm) {
    case RNE: return q0;
    case RTZ: if ((dir < 0) !== (q0 < 0)) v = nextZero32(q0); break;
    case RDN: if (dir < 0) v = nextDown32(q0); break;
    case RUP: if (dir > 0) v = nextUp32(q0); break;
    case RMM: if (tie && (dir < 0) === (q0 < 0)) v = nextAway32(q0); break;
  }
  if (v - v !== 0) fl.fflags |= OF;
  return v;
}
