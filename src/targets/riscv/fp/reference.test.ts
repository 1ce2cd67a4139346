/**
 * The F/D helpers against an independent exact reference written here: operands decoded to
 * rationals (BigInt numerator/denominator), results rounded by a straightforward
 * divide-and-compare rounder with RISC-V's rules (tininess after rounding, canonical NaN, NV for
 * signalling NaNs and invalid operations, saturating conversions). Square root is checked by
 * bracketing the result with exact squares instead. Inputs: edge values (zeros, subnormals,
 * normal limits, infinities, NaNs, ties) crossed with each other, plus seeded random values, in
 * all five rounding modes; the exact BigInt slow paths are also checked on their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FpState } from './state.js';
import * as insns from './insns.js';
import { addExact, divExact, fmaExact, mulExact, sqrtExact } from './exact.js';
import { FMT32, FMT64 } from './round.js';

// ---- formats and encodings ---------------------------------------------------------------------
interface F { bits: number; p: number; emin: number; emax: number; ebits: number; mbits: number; bias: number }
const S: F = { bits: 32, p: 24, emin: -126, emax: 127, ebits: 8, mbits: 23, bias: 127 };
const D: F = { bits: 64, p: 53, emin: -1022, emax: 1023, ebits: 11, mbits: 52, bias: 1023 };
const NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;
const RM = [0, 1, 2, 3, 4] as const;

const signBit = (f: F): bigint => 1n << BigInt(f.bits - 1);
const expMax = (f: F): bigint => (1n << BigInt(f.ebits)) - 1n;
const canon = (f: F): bigint => (f === S ? 0x7fc00000n : 0x7ff8000000000000n);
const infBits = (f: F, neg: boolean): bigint => (neg ? signBit(f) : 0n) | (expMax(f) << BigInt(f.mbits));
const maxBits = (f: F, neg: boolean): bigint => infBits(f, neg) - 1n;

type Val =
  | { k: 'nan'; sig: boolean }
  | { k: 'inf'; neg: boolean }
  | { k: 'zero'; neg: boolean }
  | { k: 'num'; neg: boolean; n: bigint; d: bigint }; // |value| = n / d

function decode(f: F, b: bigint): Val {
  const neg = (b & signBit(f)) !== 0n;
  const e = (b >> BigInt(f.mbits)) & expMax(f);
  const m = b & ((1n << BigInt(f.mbits)) - 1n);
  if (e === expMax(f)) return m === 0n ? { k: 'inf', neg } : { k: 'nan', sig: (m >> BigInt(f.mbits - 1)) === 0n };
  if (e === 0n && m === 0n) return { k: 'zero', neg };
  const mant = e === 0n ? m : m | (1n << BigInt(f.mbits));
  const ex = Number(e === 0n ? 1n : e) - f.bias - f.mbits;
  return ex >= 0 ? { k: 'num', neg, n: mant << BigInt(ex), d: 1n } : { k: 'num', neg, n: mant, d: 1n << BigInt(-ex) };
}

interface Res { bits: bigint; fl: number }

/** Round the nonzero exact value (-1)^neg * n / d (n, d > 0) to f in mode rm. */
function round(f: F, neg: boolean, n: bigint, d: bigint, rm: number): Res {
  const len = (v: bigint): number => v.toString(2).length;
  let E = len(n) - len(d); // 2^E <= n/d < 2^(E+1) after the adjustment
  const ge = (e: number): boolean => (e >= 0 ? n >= d << BigInt(e) : n << BigInt(-e) >= d);
  if (!ge(E)) E--;
  /** n/d / 2^u rounded to an integer; sets inexact. */
  let inexact = false;
  const roundAt = (u: number): bigint => {
    const num = u >= 0 ? n : n << BigInt(-u), den = u >= 0 ? d << BigInt(u) : d;
    const q = num / den, r = num % den;
    inexact = r !== 0n;
    if (!inexact) return q;
    const c = 2n * r < den ? -1 : 2n * r > den ? 1 : 0;
    let up: boolean;
    switch (rm) {
      case 0: up = c > 0 || (c === 0 && (q & 1n) === 1n); break;
      case 4: up = c >= 0; break;
      case 2: up = neg; break;
      case 3: up = !neg; break;
      default: up = false;
    }
    return up ? q + 1n : q;
  };
  const qu = roundAt(E - f.p + 1);
  const Eu = qu === 1n << BigInt(f.p) ? E + 1 : E;
  if (Eu > f.emax) {
    const toMax = rm === 1 || (rm === 2 && !neg) || (rm === 3 && neg);
    return { bits: toMax ? maxBits(f, neg) : infBits(f, neg), fl: OF | NX };
  }
  let u = Math.max(E, f.emin) - f.p + 1;
  let q = roundAt(u);
  let fl = inexact ? NX : 0;
  if (inexact && Eu < f.emin) fl |= UF;
  if (q === 1n << BigInt(f.p)) { q >>= 1n; u++; }
  const sign = neg ? signBit(f) : 0n;
  if (q >= 1n << BigInt(f.p - 1)) {
    const be = BigInt(u + f.p - 1 + f.bias);
    return { bits: sign | (be << BigInt(f.mbits)) | (q - (1n << BigInt(f.p - 1))), fl };
  }
  return { bits: sign | q, fl };
}

/** Exact a + b for num/zero values, as (neg, n, d) or zero. */
function addVals(a: Val & { k: 'num' | 'zero' }, b: Val & { k: 'num' | 'zero' }): { neg: boolean; n: bigint; d: bigint } | null {
  const sn = (v: Val): [bigint, bigint] => (v.k === 'num' ? [v.neg ? -v.n : v.n, v.d] : [0n, 1n]);
  const [an, ad] = sn(a), [bn, bd] = sn(b);
  const n = an * bd + bn * ad, d = ad * bd;
  if (n === 0n) return null;
  return { neg: n < 0n, n: n < 0n ? -n : n, d };
}
const zero = (f: F, neg: boolean): Res => ({ bits: neg ? signBit(f) : 0n, fl: 0 });

function refAdd(f: F, x: bigint, y: bigint, rm: number): Res {
  const a = decode(f, x), b = decode(f, y);
  if (a.k === 'nan' || b.k === 'nan') return { bits: canon(f), fl: (a.k === 'nan' && a.sig) || (b.k === 'nan' && b.sig) ? NV : 0 };
  if (a.k === 'inf' || b.k === 'inf') {
    if (a.k === 'inf' && b.k === 'inf' && a.neg !== b.neg) return { bits: canon(f), fl: NV };
    return { bits: infBits(f, a.k === 'inf' ? a.neg : (b as { neg: boolean }).neg), fl: 0 };
  }
  const s = addVals(a, b);
  if (s === null) return zero(f, a.k === 'zero' && b.k === 'zero' && a.neg === b.neg ? a.neg : rm === 2);
  return round(f, s.neg, s.n, s.d, rm);
}

function refMul(f: F, x: bigint, y: bigint, rm: number): Res {
  const a = decode(f, x), b = decode(f, y);
  if (a.k === 'nan' || b.k === 'nan') return { bits: canon(f), fl: (a.k === 'nan' && a.sig) || (b.k === 'nan' && b.sig) ? NV : 0 };
  const neg = a.neg !== b.neg;
  if ((a.k === 'inf' && b.k === 'zero') || (a.k === 'zero' && b.k === 'inf')) return { bits: canon(f), fl: NV };
  if (a.k === 'inf' || b.k === 'inf') return { bits: infBits(f, neg), fl: 0 };
  if (a.k === 'zero' || b.k === 'zero') return zero(f, neg);
  return round(f, neg, a.n * b.n, a.d * b.d, rm);
}

function refDiv(f: F, x: bigint, y: bigint, rm: number): Res {
  const a = decode(f, x), b = decode(f, y);
  if (a.k === 'nan' || b.k === 'nan') return { bits: canon(f), fl: (a.k === 'nan' && a.sig) || (b.k === 'nan' && b.sig) ? NV : 0 };
  const neg = a.neg !== b.neg;
  if ((a.k === 'inf' && b.k === 'inf') || (a.k === 'zero' && b.k === 'zero')) return { bits: canon(f), fl: NV };
  if (a.k === 'inf') return { bits: infBits(f, neg), fl: 0 };
  if (b.k === 'inf' || a.k === 'zero') return zero(f, neg);
  if (b.k === 'zero') return { bits: infBits(f, neg), fl: DZ };
  return round(f, neg, a.n * b.d, a.d * b.n, rm);
}

function refFma(f: F, x: bigint, y: bigint, z: bigint, negP: boolean, negC: boolean, rm: number): Res {
  const a = decode(f, x), b = decode(f, y), c0 = decode(f, z);
  const infzero = (a.k === 'inf' && b.k === 'zero') || (a.k === 'zero' && b.k === 'inf');
  const anyS = [a, b, c0].some((v) => v.k === 'nan' && v.sig);
  if (a.k === 'nan' || b.k === 'nan' || c0.k === 'nan') return { bits: canon(f), fl: anyS || infzero ? NV : 0 };
  if (infzero) return { bits: canon(f), fl: NV };
  const pneg = (a.neg !== b.neg) !== negP;
  const c = { ...c0, neg: c0.neg !== negC } as Val;
  if (a.k === 'inf' || b.k === 'inf') {
    if (c.k === 'inf' && c.neg !== pneg) return { bits: canon(f), fl: NV };
    return { bits: infBits(f, pneg), fl: 0 };
  }
  if (c.k === 'inf') return { bits: infBits(f, c.neg), fl: 0 };
  const c2 = c as Val & { k: 'num' | 'zero' };
  const p: Val & { k: 'num' | 'zero' } = a.k === 'zero' || b.k === 'zero' ? { k: 'zero', neg: pneg }
    : { k: 'num', neg: pneg, n: (a as { n: bigint }).n * (b as { n: bigint }).n, d: (a as { d: bigint }).d * (b as { d: bigint }).d };
  const s = addVals(p, c2);
  if (s === null) return zero(f, p.k === 'zero' && c2.k === 'zero' && p.neg === c2.neg ? p.neg : rm === 2);
  return round(f, s.neg, s.n, s.d, rm);
}

/** Float to integer (bits-wide, signed or not) with saturation. */
function refToInt(f: F, x: bigint, rm: number, bits: number, signed: boolean): { v: bigint; fl: number } {
  const a = decode(f, x);
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n, max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (a.k === 'nan') return { v: max, fl: NV };
  if (a.k === 'inf') return { v: a.neg ? min : max, fl: NV };
  if (a.k === 'zero') return { v: 0n, fl: 0 };
  let q = a.n / a.d;
  const r = a.n % a.d;
  if (r !== 0n) {
    const c = 2n * r < a.d ? -1 : 2n * r > a.d ? 1 : 0;
    const up = rm === 0 ? c > 0 || (c === 0 && (q & 1n) === 1n) : rm === 4 ? c >= 0 : rm === 2 ? a.neg : rm === 3 ? !a.neg : false;
    if (up) q++;
  }
  const v = a.neg ? -q : q;
  if (v < min) return { v: min, fl: NV };
  if (v > max) return { v: max, fl: NV };
  return { v, fl: r !== 0n ? NX : 0 };
}

function refFromInt(f: F, v: bigint, rm: number): Res {
  if (v === 0n) return zero(f, false);
  return round(f, v < 0n, v < 0n ? -v : v, 1n, rm);
}

// ---- test values ------------------------------------------------------------------------------------
let seed = 0x243f6a8885a308d3n;
function rand64(): bigint {
  seed ^= (seed << 13n) & 0xffffffffffffffffn; seed ^= seed >> 7n; seed ^= (seed << 17n) & 0xffffffffffffffffn;
  return seed;
}
const rnd = (n: number): number => Number(rand64() % BigInt(n));
const mk = (f: F, neg: boolean, e: number, m: bigint): bigint =>
  (neg ? signBit(f) : 0n) | (BigInt(e) << BigInt(f.mbits)) | (m & ((1n << BigInt(f.mbits)) - 1n));

function edges(f: F): bigint[] {
  const E = Number(expMax(f)), fm = (1n << BigInt(f.mbits)) - 1n, top = 1n << BigInt(f.mbits - 1);
  const out: bigint[] = [];
  for (const neg of [false, true]) {
    out.push(mk(f, neg, 0, 0n), mk(f, neg, 0, 1n), mk(f, neg, 0, 3n), mk(f, neg, 0, fm), mk(f, neg, 1, 0n), mk(f, neg, 1, 1n),
      mk(f, neg, f.bias, 0n), mk(f, neg, f.bias, 1n), mk(f, neg, f.bias, top), mk(f, neg, f.bias - 1, fm), mk(f, neg, f.bias + 1, top | 1n),
      mk(f, neg, E - 1, fm), mk(f, neg, E - 1, 0n), mk(f, neg, E - 2, fm), mk(f, neg, E, 0n));
  }
  out.push(mk(f, false, E, top), mk(f, true, E, top | 3n), mk(f, false, E, 1n), mk(f, true, E, 5n));
  return out;
}

function randVal(f: F): bigint {
  const E = Number(expMax(f));
  const neg = rnd(2) === 1;
  const frac = rand64() & ((1n << BigInt(f.mbits)) - 1n);
  const k = rnd(f.mbits + 1);
  const short = (frac >> BigInt(k)) << BigInt(k);
  switch (rnd(8)) {
    case 0: return rand64() & ((1n << BigInt(f.bits)) - 1n);
    case 1: return mk(f, neg, f.bias - 10 + rnd(21), frac);
    case 2: return mk(f, neg, f.bias - 10 + rnd(21), short);
    case 3: return mk(f, neg, E - 1 - rnd(3), frac);
    case 4: return mk(f, neg, rnd(3), frac);
    case 5: return mk(f, neg, f.bias + f.mbits - 3 + rnd(6), short);
    case 6: return mk(f, neg, (f.bias >> 1) + rnd(f.bias), frac);
    default: return mk(f, neg, 1 + rnd(E - 1), short);
  }
}

// ---- running the helpers -----------------------------------------------------------------------------
const fp = new FpState();
const BOX = 0xffffffff00000000n;
function setF(r: number, f: F, v: bigint): void {
  const w = f === S ? BOX | v : v;
  fp.f[2 * r] = Number(BigInt.asIntN(32, w)); fp.f[2 * r + 1] = Number(BigInt.asIntN(32, w >> 32n));
}
function getF(r: number, f: F): bigint {
  const w = (BigInt(fp.f[2 * r + 1]! >>> 0) << 32n) | BigInt(fp.f[2 * r]! >>> 0);
  if (f === S) {
    assert.equal(w >> 32n, 0xffffffffn, 'single results are NaN-boxed');
    return w & 0xffffffffn;
  }
  return w;
}

const hex = (v: bigint): string => '0x' + v.toString(16);
type Check = (bad: string[]) => void;

function bin(f: F, name: string, helper: (fp: FpState, rd: number, a: number, b: number, rm: number) => void, ref: (f: F, a: bigint, b: bigint, rm: number) => Res, pairs: [bigint, bigint][]): Check {
  return (bad) => {
    for (const [a, b] of pairs) for (const rm of RM) {
      setF(1, f, a); setF(2, f, b); fp.fflags = 0;
      helper(fp, 3, 1, 2, rm);
      const got = getF(3, f), want = ref(f, a, b, rm);
      if (got !== want.bits || fp.fflags !== want.fl) bad.push(`${name} rm${rm} ${hex(a)} ${hex(b)}: got ${hex(got)}/${fp.fflags} want ${hex(want.bits)}/${want.fl}`);
    }
  };
}

function pairsFor(f: F, nRandom: number): [bigint, bigint][] {
  const e = edges(f);
  const out: [bigint, bigint][] = [];
  for (const a of e) for (const b of e) out.push([a, b]);
  for (let i = 0; i < nRandom; i++) {
    const a = randVal(f);
    let b = randVal(f);
    if (rnd(3) === 0) b = (a & ~((1n << BigInt(rnd(f.mbits))) - 1n)) ^ (rnd(2) ? signBit(f) : 0n) ^ BigInt(rnd(4)); // cancellation
    out.push([a, b]);
  }
  return out;
}

function run(checks: Check[]): void {
  const bad: string[] = [];
  for (const c of checks) c(bad);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
}

for (const f of [S, D]) {
  const t = f === S ? 's' : 'd';
  const H = insns as unknown as Record<string, (...a: never[]) => unknown>;
  const h = (n: string): never => H[n + t.toUpperCase()] as never;

  test(`f${t}: add, sub, mul, div on edge x edge and random pairs, all modes`, () => {
    const pairs = pairsFor(f, 1500);
    run([
      bin(f, 'add', h('fadd'), refAdd, pairs),
      bin(f, 'sub', h('fsub'), (f, a, b, rm) => refAdd(f, a, b ^ signBit(f), rm), pairs.filter((p) => decode(f, p[1]).k !== 'nan')),
      bin(f, 'mul', h('fmul'), refMul, pairs),
      bin(f, 'div', h('fdiv'), refDiv, pairs),
    ]);
  });

  test(`f${t}: products and quotients straddling overflow and the subnormal boundary`, () => {
    const E = Number(expMax(f));
    const pairs: [bigint, bigint][] = [], divPairs: [bigint, bigint][] = [];
    for (let i = 0; i < 1500; i++) {
      const ea = 1 + rnd(E - 1);
      const toward = [E - 1, E, 1, 0, -f.mbits, 2 - f.mbits][rnd(6)]!; // biased exponent of the result
      const a = mk(f, rnd(2) === 1, ea, rand64());
      const frac = rand64() >> BigInt(rnd(f.mbits));
      const em = toward - ea + f.bias, ed = ea - toward + f.bias;
      if (em >= 0 && em < E) pairs.push([a, mk(f, rnd(2) === 1, em, frac)]);
      if (ed >= 0 && ed < E) divPairs.push([a, mk(f, rnd(2) === 1, ed, frac)]);
    }
    run([bin(f, 'mul', h('fmul'), refMul, pairs), bin(f, 'div', h('fdiv'), refDiv, divPairs)]);
  });

  test(`f${t}: fused multiply-add (all four forms), all modes`, () => {
    const e = edges(f);
    const triples: [bigint, bigint, bigint][] = [];
    for (let i = 0; i < 1500; i++) {
      const a = rnd(6) === 0 ? e[rnd(e.length)]! : randVal(f);
      const b = rnd(6) === 0 ? e[rnd(e.length)]! : randVal(f);
      let c = rnd(6) === 0 ? e[rnd(e.length)]! : randVal(f);
      const pa = decode(f, a), pb = decode(f, b);
      if (rnd(2) === 0 && pa.k === 'num' && pb.k === 'num') {
        // c near -(a*b): heavy cancellation
        const r = round(f, !(pa.neg !== pb.neg), pa.n * pb.n, pa.d * pb.d, rnd(5));
        c = r.bits + BigInt(rnd(5)) - 2n;
        if (c < 0n) c = 0n;
      }
      triples.push([a, b, c]);
    }
    for (const a of e.slice(0, 12)) for (const b of e.slice(12, 24)) triples.push([a, b, e[rnd(e.length)]!]);
    // a * b exactly halfway between two neighbours, plus a tiny addend of either sign (or zero):
    // the addend must decide the rounding (a double-rounding trap for a JS-double implementation)
    while (triples.length < 2300) {
      const ka = 1 + rnd(f.mbits), kb = f.mbits + 1 - ka;
      if (kb < 1) continue;
      const fa = ((rand64() & ((1n << BigInt(ka)) - 1n)) | 1n) << BigInt(f.mbits - ka);
      const fb = ((rand64() & ((1n << BigInt(kb)) - 1n)) | 1n) << BigInt(f.mbits - kb);
      let P = ((1n << BigInt(f.mbits)) | fa) * ((1n << BigInt(f.mbits)) | fb);
      while ((P & 1n) === 0n) P >>= 1n;
      if (P.toString(2).length !== f.p + 1) continue;
      const ea = f.bias - 30 + rnd(60), eb = f.bias - 30 + rnd(60);
      const c = rnd(5) === 0 ? mk(f, rnd(2) === 1, 0, 0n) : mk(f, rnd(2) === 1, Math.max(0, ea + eb - f.bias - f.p - 2 - rnd(80)), rand64());
      triples.push([mk(f, rnd(2) === 1, ea, fa), mk(f, rnd(2) === 1, eb, fb), c]);
    }
    const bad: string[] = [];
    const forms = [['fmadd', false, false], ['fmsub', false, true], ['fnmsub', true, false], ['fnmadd', true, true]] as const;
    for (const [name, negP, negC] of forms) {
      const helper = h(name) as unknown as (fp: FpState, rd: number, a: number, b: number, c: number, rm: number) => void;
      for (const [a, b, c] of triples) for (const rm of RM) {
        setF(1, f, a); setF(2, f, b); setF(4, f, c); fp.fflags = 0;
        helper(fp, 3, 1, 2, 4, rm);
        const got = getF(3, f), want = refFma(f, a, b, c, negP, negC, rm);
        if (got !== want.bits || fp.fflags !== want.fl) bad.push(`${name} rm${rm} ${hex(a)} ${hex(b)} ${hex(c)}: got ${hex(got)}/${fp.fflags} want ${hex(want.bits)}/${want.fl}`);
      }
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
  });

  test(`f${t}: square root is bracketed by exact squares in every mode`, () => {
    const vals = [...edges(f)];
    for (let i = 0; i < 2500; i++) vals.push(randVal(f));
    const bad: string[] = [];
    const helper = h('fsqrt') as unknown as (fp: FpState, rd: number, a: number, rm: number) => void;
    for (const a of vals) for (const rm of RM) {
      setF(1, f, a); fp.fflags = 0;
      helper(fp, 3, 1, rm);
      const got = getF(3, f), fl = fp.fflags;
      const v = decode(f, a);
      const fail = (why: string): void => { bad.push(`sqrt rm${rm} ${hex(a)}: got ${hex(got)}/${fl} (${why})`); };
      if (v.k === 'nan' || (v.neg && v.k !== 'zero')) {
        if (got !== canon(f) || fl !== (v.k === 'nan' && !v.sig ? 0 : NV)) fail('NaN expected');
        continue;
      }
      if (v.k !== 'num') { if (got !== a || fl !== 0) fail('identity expected'); continue; }
      const y = decode(f, got);
      if (y.k !== 'num' || y.neg) { fail('positive result expected'); continue; }
      // compare (y +- half/one ulp)^2 with a exactly: values as rationals over a common denominator
      const ulp = (b: bigint): { n: bigint; d: bigint } => { const s = decode(f, b + 1n) as { n: bigint; d: bigint }; return { n: s.n * y.d - y.n * s.d, d: s.d * y.d }; };
      const up = ulp(got); // succ(y) - y
      const cmpSq = (kn: bigint, kd: bigint): number => { // sign of (y + kn/kd)^2 - a
        const tn = y.n * kd + kn * y.d, td = y.d * kd;
        const l = tn * tn * v.d, r = v.n * td * td;
        return l < r ? -1 : l > r ? 1 : 0;
      };
      const exact = cmpSq(0n, 1n) === 0;
      if ((fl !== 0) !== !exact || (fl & ~NX) !== 0) { fail('flags'); continue; }
      if (exact) continue;
      // predecessor gap: y - pred(y)
      const pv = decode(f, got - 1n) as { n: bigint; d: bigint };
      const dn = { n: y.n * pv.d - pv.n * y.d, d: y.d * pv.d };
      let ok: boolean;
      if (rm === 0 || rm === 4) ok = cmpSq(-dn.n, 2n * dn.d) < 0 && cmpSq(up.n, 2n * up.d) > 0;
      else if (rm === 3) ok = cmpSq(0n, 1n) > 0 && cmpSq(-dn.n, dn.d) < 0;
      else ok = cmpSq(0n, 1n) < 0 && cmpSq(up.n, up.d) > 0;
      if (!ok) fail('not correctly rounded');
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
  });

  test(`f${t}: conversions to and from integers, all modes`, () => {
    const vals = [...edges(f)];
    for (let i = 0; i < 1500; i++) vals.push(randVal(f));
    // around integer boundaries: k, k +- 1/2, k +- ulp for k near 0, 2^31, 2^32, 2^63, 2^64
    for (const k of [0, 1, 2, 30, 31, 32, 52, 62, 63, 64]) for (let i = 0; i < 8; i++) {
      vals.push(mk(f, rnd(2) === 1, f.bias + k, rand64() >> BigInt(rnd(f.mbits + 1))), mk(f, rnd(2) === 1, f.bias + k - 1, (1n << BigInt(f.mbits)) - 1n - BigInt(rnd(3))));
      vals.push(mk(f, rnd(2) === 1, f.bias - 1 - rnd(2), rand64() >> BigInt(f.mbits - rnd(4))));
    }
    const bad: string[] = [];
    const kinds = [['W', 32, true], ['WU', 32, false], ['L', 64, true], ['LU', 64, false]] as const;
    for (const [k, bits, signed] of kinds) {
      const helper = H[`fcvt${k}${t.toUpperCase()}`] as unknown as (fp: FpState, a: number, rm: number) => number;
      for (const a of vals) for (const rm of RM) {
        setF(1, f, a); fp.fflags = 0;
        const r = helper(fp, 1, rm);
        const got = bits === 32 ? BigInt.asUintN(64, BigInt(r)) : (BigInt(insns.R[1]! >>> 0) << 32n) | BigInt(insns.R[0]! >>> 0);
        const want = refToInt(f, a, rm, bits, signed);
        const w = BigInt.asUintN(64, bits === 32 ? BigInt.asIntN(32, want.v) : want.v); // 32-bit results are sign-extended
        if (got !== w || fp.fflags !== want.fl) bad.push(`fcvt.${k}.${t} rm${rm} ${hex(a)}: got ${hex(got)}/${fp.fflags} want ${hex(w)}/${want.fl}`);
      }
    }
    const ints: bigint[] = [0n, 1n, -1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n];
    for (let n = 25; n < 64; n++) for (const p of [24, 53]) for (const d of [-2n, -1n, 0n, 1n, 2n]) {
      if (n - p < 1) continue;
      const mid = (1n << BigInt(n)) + (1n << BigInt(n - p)) + (BigInt(rnd(4)) << BigInt(n - p + 1)); // halfway between two p-bit values
      ints.push(mid + d, -(mid + d));
    }
    for (let i = 0; i < 1500; i++) {
      const n = 1 + rnd(64);
      let v = rand64() & ((1n << BigInt(n)) - 1n);
      if (rnd(3) === 0) v = (v >> BigInt(rnd(n))) << BigInt(rnd(n)); // few significant bits: exact and tie cases
      ints.push(rnd(2) ? v : -v);
    }
    const from = [['W', 32, true], ['WU', 32, false], ['L', 64, true], ['LU', 64, false]] as const;
    for (const [k, bits, signed] of from) {
      const helper = H[`fcvt${t.toUpperCase()}${k}`] as unknown as (fp: FpState, rd: number, lo: number, hi: number, rm: number) => void;
      for (const v0 of ints) for (const rm of RM) {
        const v = signed ? BigInt.asIntN(bits, v0) : BigInt.asUintN(bits, v0);
        const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
        fp.fflags = 0;
        if (bits === 32) (helper as unknown as (fp: FpState, rd: number, lo: number, rm: number) => void)(fp, 3, lo, rm);
        else helper(fp, 3, lo, hi, rm);
        const got = getF(3, f), want = refFromInt(f, v, rm);
        if (got !== want.bits || fp.fflags !== want.fl) bad.push(`fcvt.${t}.${k} rm${rm} ${v}: got ${hex(got)}/${fp.fflags} want ${hex(want.bits)}/${want.fl}`);
      }
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
  });
}

test('fcvt.s.d and fcvt.d.s, all modes', () => {
  const vals = [...edges(D)];
  for (let i = 0; i < 2500; i++) {
    const v = randVal(D);
    // bias exponents into and around the binary32 range
    vals.push(rnd(3) === 0 ? v : mk(D, rnd(2) === 1, 1023 - 155 + rnd(290), v));
  }
  for (const b of edges(S)) {
    // binary32 boundary values widened, and their double neighbours (halfway cases included)
    const v = decode(S, b);
    if (v.k !== 'num') continue;
    const d = round(D, v.neg, v.n, v.d, 0).bits;
    vals.push(d, d + 1n, d - 1n, d + (1n << 28n), d - (1n << 28n), d + (1n << 28n) + 1n);
  }
  const bad: string[] = [];
  for (const a of vals) for (const rm of RM) {
    setF(1, D, a); fp.fflags = 0;
    insns.fcvtSD(fp, 3, 1, rm);
    const got = getF(3, S);
    const v = decode(D, a);
    const want: Res = v.k === 'nan' ? { bits: canon(S), fl: v.sig ? NV : 0 } : v.k === 'inf' ? { bits: infBits(S, v.neg), fl: 0 }
      : v.k === 'zero' ? zero(S, v.neg) : round(S, v.neg, v.n, v.d, rm);
    if (got !== want.bits || fp.fflags !== want.fl) bad.push(`fcvt.s.d rm${rm} ${hex(a)}: got ${hex(got)}/${fp.fflags} want ${hex(want.bits)}/${want.fl}`);
  }
  for (const a of [...edges(S), ...Array.from({ length: 500 }, () => randVal(S))]) {
    setF(1, S, a); fp.fflags = 0;
    insns.fcvtDS(fp, 3, 1);
    const got = getF(3, D);
    const v = decode(S, a);
    const want: Res = v.k === 'nan' ? { bits: canon(D), fl: v.sig ? NV : 0 } : v.k === 'inf' ? { bits: infBits(D, v.neg), fl: 0 }
      : v.k === 'zero' ? zero(D, v.neg) : round(D, v.neg, v.n, v.d, 0);
    if (got !== want.bits || fp.fflags !== want.fl) bad.push(`fcvt.d.s ${hex(a)}: got ${hex(got)}/${fp.fflags} want ${hex(want.bits)}/${want.fl}`);
  }
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
});

test('the exact (BigInt) slow paths agree with the reference on finite operands', () => {
  const bad: string[] = [];
  const fl = { fflags: 0 };
  for (const f of [S, D]) {
    const fmt = f === S ? FMT32 : FMT64;
    const num = (b: bigint): number => {
      const dv = new DataView(new ArrayBuffer(8));
      if (f === S) { dv.setUint32(0, Number(b)); return dv.getFloat32(0); }
      dv.setBigUint64(0, b); return dv.getFloat64(0);
    };
    const bitsOf = (x: number): bigint => {
      const dv = new DataView(new ArrayBuffer(8));
      if (f === S) { dv.setFloat32(0, x); return BigInt(dv.getUint32(0)); }
      dv.setFloat64(0, x); return dv.getBigUint64(0);
    };
    const fin = (b: bigint): boolean => { const k = decode(f, b).k; return k === 'num' || k === 'zero'; };
    for (let i = 0; i < 1200; i++) {
      const a = randVal(f), b = randVal(f), c = randVal(f);
      if (!fin(a) || !fin(b) || !fin(c)) continue;
      const x = num(a), y = num(b), z = num(c);
      const rm = rnd(5);
      const cases: [string, () => number, Res][] = [
        ['add', () => addExact(fl, x, y, rm, fmt), refAdd(f, a, b, rm)],
        ['mul', () => mulExact(fl, x, y, rm, fmt), refMul(f, a, b, rm)],
        ['fma', () => fmaExact(fl, x, y, z, rm, fmt), refFma(f, a, b, c, false, false, rm)],
      ];
      if (y !== 0) cases.push(['div', () => divExact(fl, x, y, rm, fmt), refDiv(f, a, b, rm)]);
      if (x > 0) {
        // sqrt: the slow path must agree with the (separately bracket-checked) fast helper
        setF(1, f, a); fp.fflags = 0;
        (f === S ? insns.fsqrtS : insns.fsqrtD)(fp, 3, 1, rm);
        cases.push(['sqrt', () => sqrtExact(fl, x, rm, fmt), { bits: getF(3, f), fl: fp.fflags }]);
      }
      for (const [name, fn, want] of cases) {
        fl.fflags = 0;
        const got = bitsOf(fn());
        if (got !== want.bits || fl.fflags !== want.fl) bad.push(`${name}.${f === S ? 's' : 'd'} exact rm${rm} ${hex(a)} ${hex(b)} ${hex(c)}: got ${hex(got)}/${fl.fflags} want ${hex(want.bits)}/${want.fl}`);
      }
    }
  }
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
});

test('compare, min/max and fclass on edge x edge values (NaN-boxing included)', async () => {
  const cmp = await import('./compare.js');
  const cls = await import('./classify.js');
  const bad: string[] = [];
  for (const f of [S, D]) {
    const t = f === S ? 'S' : 'D';
    const vals = [...edges(f), canon(f), canon(f) | signBit(f), canon(f) | 1n];
    const C = cmp as unknown as Record<string, (fp: FpState, ...r: number[]) => number>;
    /** Operand images: NaN-boxed (or a double), plus for singles an unboxed one (reads as the canonical NaN). */
    const images: [bigint, bigint][] = vals.map((v) => [f === S ? BOX | v : v, v]);
    if (f === S) images.push([0x3f800000n, canon(S)], [0xfffffffe7f800001n, canon(S)]);
    for (const [ia, a] of images) {
      // fclass
      const va = decode(f, a);
      const neg = (a & signBit(f)) !== 0n;
      const sub = va.k === 'num' && ((a >> BigInt(f.mbits)) & expMax(f)) === 0n;
      const want = va.k === 'nan' ? (va.sig ? 1 << 8 : 1 << 9) : va.k === 'inf' ? (neg ? 1 : 1 << 7) : va.k === 'zero' ? (neg ? 1 << 3 : 1 << 4)
        : sub ? (neg ? 1 << 2 : 1 << 5) : (neg ? 1 << 1 : 1 << 6);
      fp.f[2] = Number(BigInt.asIntN(32, ia)); fp.f[3] = Number(BigInt.asIntN(32, ia >> 32n));
      const gotc = (t === 'S' ? cls.fclassS : cls.fclassD)(fp, 1);
      if (gotc !== want) bad.push(`fclass.${t} ${hex(ia)}: got ${gotc} want ${want}`);
      for (const [ib, b] of images) {
        const x = decode(f, a), y = decode(f, b);
        const isNaN = x.k === 'nan' || y.k === 'nan';
        const sig = (x.k === 'nan' && x.sig) || (y.k === 'nan' && y.sig);
        // exact order of two non-NaN values, -0 == +0: infinities by sign, the rest as rationals
        const order = (): number => {
          const rank = (v: Val): number => (v.k === 'inf' ? (v.neg ? -1 : 1) : 0);
          if (rank(x) !== rank(y)) return Math.sign(rank(x) - rank(y));
          if (x.k === 'inf') return 0;
          const q = (v: Val): [bigint, bigint] => (v.k === 'num' ? [v.neg ? -v.n : v.n, v.d] : [0n, 1n]);
          const [xn, xd] = q(x), [yn, yd] = q(y);
          const l = xn * yd, r = yn * xd;
          return l < r ? -1 : l > r ? 1 : 0;
        };
        const o = isNaN ? NaN : order();
        const expect: Record<string, [number, number]> = {
          feq: [o === 0 ? 1 : 0, sig ? NV : 0],
          flt: [o < 0 ? 1 : 0, isNaN ? NV : 0],
          fle: [o <= 0 ? 1 : 0, isNaN ? NV : 0],
        };
        const set = (r: number, img: bigint): void => { fp.f[2 * r] = Number(BigInt.asIntN(32, img)); fp.f[2 * r + 1] = Number(BigInt.asIntN(32, img >> 32n)); };
        for (const [op, [wv, wf]] of Object.entries(expect)) {
          set(1, ia); set(2, ib); fp.fflags = 0;
          const g = C[`${op}${t}`]!(fp, 1, 2);
          if (g !== wv || fp.fflags !== wf) bad.push(`${op}.${t} ${hex(ia)} ${hex(ib)}: got ${g}/${fp.fflags} want ${wv}/${wf}`);
        }
        for (const op of ['fmin', 'fmax']) {
          set(1, ia); set(2, ib); fp.fflags = 0;
          C[`${op}${t}`]!(fp, 3, 1, 2);
          const got = getF(3, f);
          let w: bigint;
          if (x.k === 'nan' && y.k === 'nan') w = canon(f);
          else if (x.k === 'nan') w = b;
          else if (y.k === 'nan') w = a;
          else if (o === 0) w = (op === 'fmin') === ((a & signBit(f)) !== 0n) ? a : b; // -0 < +0
          else w = (o < 0) === (op === 'fmin') ? a : b;
          if (got !== w || fp.fflags !== (sig ? NV : 0)) bad.push(`${op}.${t} ${hex(ia)} ${hex(ib)}: got ${hex(got)}/${fp.fflags} want ${hex(w)}/${sig ? NV : 0}`);
        }
      }
    }
  }
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} mismatches`);
});
