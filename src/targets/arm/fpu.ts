/**
 * FPv4-SP, the single-precision floating-point unit of the Cortex-M4 (ARMv7-M A2.5, A7.7, B1.5.7):
 * S0..S31 and FPSCR, the coprocessor-space instructions of CP10/CP11 (interpreted: `ArmCpu.vfp`
 * calls {@link ArmFpu.exec} with the instruction word), CPACR, FPCCR (ASPEN, LSPEN, LSPACT...),
 * FPCAR, FPDSCR, MVFR0/1, and lazy state preservation ({@link ArmFpu.preserve}). Exception entry
 * and return with the extended frame are in exceptions.ts.
 *
 * Arithmetic: each operation is computed in binary64, and the two singles around the exact
 * result are found with an exact comparison (`side`: the product of two singles is exact in
 * binary64, sums carry their TwoSum error, a quotient or root is checked by multiplying back), so
 * every FPSCR.RMode (nearest-even, toward +inf, -inf, zero) and the cumulative flags (IOC, DZC,
 * OFC, UFC with tininess before rounding, IXC) are exact. NaNs follow the ARM rules (a signalling
 * NaN operand is quieted; the first NaN operand propagates, the addend first for fused
 * multiply-add; FPNeg flips a NaN's sign; invalid operations and FPSCR.DN give the default NaN
 * 0x7fc00000); FPSCR.FZ flushes subnormal operands (IDC) and tiny results (UFC). Checked against
 * QEMU 7.2 by scripts/arm/fp-diff.ts. Not modelled: the half-precision and fixed-point conversions.
 */
import type { ArmCpu } from './cpu.js';

/** FPCCR bits. */
export const Fpccr = { LSPACT: 1 << 0, USER: 1 << 1, THREAD: 1 << 3, HFRDY: 1 << 4, MMRDY: 1 << 5, BFRDY: 1 << 6, MONRDY: 1 << 8, LSPEN: 1 << 30, ASPEN: 1 << 31 } as const;
/** FPSCR cumulative exception bits. */
export const Fpscr = { IOC: 1, DZC: 2, OFC: 4, UFC: 8, IXC: 16, IDC: 128 } as const;

/** MVFR0/MVFR1 of QEMU 7.2's Cortex-M4. */
export const MVFR0 = 0x10110021;
export const MVFR1 = 0x11000011;

const DEFAULT_NAN = 0x7fc00000;
/** FPSCR.FZ */
const FZ = 1 << 24;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const toF = (bits: number): number => { u32[0] = bits; return f32[0]!; };
const isNaNBits = (b: number): boolean => (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
const isSNaN = (b: number): boolean => isNaNBits(b) && (b & 0x400000) === 0;

/** Bits of a non-NaN number as binary32 (after fround). */
function toBits(v: number): number { f32[0] = v; return u32[0]!; }

export class ArmFpu {
  /** S0..S31 as raw bits. */
  readonly s = new Uint32Array(32);
  fpscr = 0;
  cpacr = 0;
  fpccr = Fpccr.ASPEN | Fpccr.LSPEN;
  fpcar = 0;
  fpdscr = 0;

  reset(): void {
    this.s.fill(0);
    this.fpscr = 0; this.cpacr = 0; this.fpccr = (Fpccr.ASPEN | Fpccr.LSPEN) >>> 0; this.fpcar = 0; this.fpdscr = 0;
  }

  /** CP10 access for the current privilege (CPACR.CP10: 01 privileged, 11 full). */
  enabled(cpu: ArmCpu): boolean {
    const cp10 = (this.cpacr >>> 20) & 3;
    return cp10 === 3 || (cp10 === 1 && cpu.privileged);
  }

  /** PreserveFPState(): the lazily reserved frame at FPCAR gets S0..S15 and FPSCR. */
  preserve(cpu: ArmCpu, k: number): void {
    const a = this.fpcar & ~7;
    for (let i = 0; i < 16; i++) cpu.st(k, (a + 4 * i) >>> 0, 4, this.s[i]! | 0, true);
    cpu.st(k, (a + 0x40) >>> 0, 4, this.fpscr | 0, true);
    this.fpccr = (this.fpccr & ~Fpccr.LSPACT) >>> 0;
  }

  // ---- arithmetic with flags -------------------------------------------------------------

  private flag(bits: number): void { this.fpscr = (this.fpscr | bits) >>> 0; }

  /** NaN operands: the result bits if any operand is a NaN (IOC for a signalling one), else -1. */
  private nanResult(...ops: number[]): number {
    let sn = -1, qn = -1;
    for (const b of ops) {
      if (isSNaN(b)) { if (sn < 0) sn = b; } else if (isNaNBits(b) && qn < 0) qn = b;
    }
    if (sn < 0 && qn < 0) return -1;
    if (sn >= 0) this.flag(Fpscr.IOC);
    if ((this.fpscr & (1 << 25)) !== 0) return DEFAULT_NAN;
    return sn >= 0 ? (sn | 0x400000) >>> 0 : qn >>> 0;
  }

  /** FPUnpack under FPSCR.FZ: a subnormal operand is a signed zero (IDC). */
  private fz(b: number): number {
    if ((this.fpscr & FZ) === 0 || (b & 0x7f800000) !== 0 || (b & 0x7fffff) === 0) return b;
    this.flag(Fpscr.IDC);
    return (b & 0x80000000) >>> 0;
  }

  /** FPSCR.RMode: 0 nearest, 1 toward +inf, 2 toward -inf, 3 toward zero. */
  private get rmode(): number { return (this.fpscr >>> 22) & 3; }

  /**
   * Round the exact result to binary32 in FPSCR.RMode, setting OFC/UFC/IXC. `v` is the result
   * rounded to binary64 (never 0 or infinite here); `side(c)` is the sign of (exact - c) for a
   * single, or the midpoint of two adjacent singles, near `v` (each caller computes it exactly).
   */
  private round(v: number, side: (c: number) => number): number {
    if ((this.fpscr & FZ) !== 0 && Math.abs(v) < 2 ** -126 && side(v < 0 ? -(2 ** -126) : 2 ** -126) !== (v < 0 ? -1 : 1)) {
      // flush-to-zero: a tiny result (before rounding) is a signed zero, UFC without IXC
      this.flag(Fpscr.UFC);
      return v < 0 ? 0x80000000 : 0;
    }
    let r = Math.fround(v);
    let lo: number, hi: number;
    if (!Number.isFinite(r)) {
      lo = v > 0 ? MAX_F32 : -Infinity; hi = v > 0 ? Infinity : -MAX_F32;
    } else {
      const d = side(r);
      if (d === 0) return toBits(r);
      if (d > 0) { lo = r; hi = nextUp(r); } else { lo = nextDown(r); hi = r; }
    }
    const positive = lo >= 0 && hi > 0;
    switch (this.rmode) {
      case 0: {
        // nearest, ties to even; the midpoint of MAX and the next power of two bounds overflow
        const m = !Number.isFinite(hi) ? 2 ** 128 - 2 ** 103 : !Number.isFinite(lo) ? -(2 ** 128 - 2 ** 103) : (lo + hi) / 2;
        const sm = side(m);
        r = sm < 0 ? lo : sm > 0 ? hi : (toBits(lo) & 1) === 0 ? lo : hi;
        break;
      }
      case 1: r = hi; break;
      case 2: r = lo; break;
      default: r = positive ? lo : hi;
    }
    // overflow: the result rounded with an unbounded exponent is beyond MAX (|exact| >= 2^128
    // in the directed modes, past the midpoint in round-to-nearest)
    const over = !Number.isFinite(r) || (Math.abs(r) === MAX_F32 && side(positive ? 2 ** 128 : -(2 ** 128)) !== (positive ? -1 : 1));
    if (over) this.flag(Fpscr.OFC);
    else if (Math.max(Math.abs(lo), Math.abs(hi)) <= 2 ** -126) this.flag(Fpscr.UFC);
    this.flag(Fpscr.IXC);
    return toBits(r);
  }

  /** An exact zero result of a sum (x + y, both finite): IEEE's sign rule, -0 in round toward -inf. */
  private zeroSum(x: number, y: number): number {
    if (x === 0 && y === 0 && Object.is(x, y)) return toBits(x);
    return this.rmode === 2 ? 0x80000000 : 0;
  }

  private invalid(): number { this.flag(Fpscr.IOC); return DEFAULT_NAN; }

  add(a: number, b: number): number {
    a = this.fz(a); b = this.fz(b);
    const n = this.nanResult(a, b); if (n >= 0) return n;
    const x = toF(a), y = toF(b);
    if (x === Infinity && y === -Infinity || x === -Infinity && y === Infinity) return this.invalid();
    if (!Number.isFinite(x) || !Number.isFinite(y)) return toBits(x + y);
    const s = x + y;
    const bb = s - x, err = (x - (s - bb)) + (y - bb);
    if (s === 0 && err === 0) return this.zeroSum(x, y);
    return this.round(s, sumSide(s, err));
  }

  /** a - b (NaN operands are not negated: FPSub). */
  sub(a: number, b: number): number {
    a = this.fz(a); b = this.fz(b);
    const n = this.nanResult(a, b); if (n >= 0) return n;
    return this.add(a, (b ^ 0x80000000) >>> 0);
  }

  mul(a: number, b: number): number {
    a = this.fz(a); b = this.fz(b);
    const n = this.nanResult(a, b); if (n >= 0) return n;
    const x = toF(a), y = toF(b);
    if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) return this.invalid();
    const p = x * y; // exact
    if (p === 0 || !Number.isFinite(p)) return toBits(p);
    return this.round(p, (c) => Math.sign(p - c));
  }

  div(a: number, b: number): number {
    a = this.fz(a); b = this.fz(b);
    const n = this.nanResult(a, b); if (n >= 0) return n;
    const x = toF(a), y = toF(b);
    if ((x === 0 && y === 0) || (!Number.isFinite(x) && !Number.isFinite(y))) return this.invalid();
    if (x === 0 || !Number.isFinite(x) || !Number.isFinite(y)) return toBits(x / y); // exact: 0 or inf
    if (y === 0) { this.flag(Fpscr.DZC); return toBits(x / y); }
    const q = x / y; // finite, nonzero in binary64 for any two finite nonzero singles
    return this.round(q, (c) => Math.sign(y > 0 ? x - c * y : c * y - x)); // c * y is exact
  }

  sqrt(a: number): number {
    a = this.fz(a);
    const n = this.nanResult(a); if (n >= 0) return n;
    const x = toF(a);
    if (x < 0) return this.invalid();
    if (x === 0 || x === Infinity) return a >>> 0;
    return this.round(Math.sqrt(x), (c) => Math.sign(x - c * c));
  }

  /** Fused d + n*m with one rounding. */
  fma(d: number, n: number, m: number): number {
    d = this.fz(d); n = this.fz(n); m = this.fz(m);
    // FPMulAdd: NaNs first (addend, then the operands); 0 * inf is invalid, also with a quiet NaN addend.
    const nn = this.nanResult(d, n, m);
    const x = toF(n), y = toF(m), z = toF(d);
    const zeroInf = (x === 0 && !Number.isFinite(y) && !Number.isNaN(y)) || (y === 0 && !Number.isFinite(x) && !Number.isNaN(x));
    if (nn >= 0) {
      if (zeroInf && isNaNBits(d) && !isSNaN(d)) return this.invalid();
      return nn;
    }
    if (zeroInf) return this.invalid();
    const p = x * y; // exact
    if (!Number.isFinite(p) && !Number.isFinite(z) && p !== z) return this.invalid();
    if (!Number.isFinite(p) || !Number.isFinite(z)) return toBits(z + p);
    const s = z + p;
    const bb = s - z, err = (z - (s - bb)) + (p - bb);
    if (s === 0 && err === 0) return this.zeroSum(z, p);
    return this.round(s, sumSide(s, err));
  }

  /** VCMP/VCMPE: FPSCR.NZCV. */
  compare(a: number, b: number, quietNanSignals: boolean): void {
    a = this.fz(a); b = this.fz(b);
    let nzcv: number;
    if (isNaNBits(a) || isNaNBits(b)) {
      if (quietNanSignals || isSNaN(a) || isSNaN(b)) this.flag(Fpscr.IOC);
      nzcv = 0x3;
    } else {
      const x = toF(a), y = toF(b);
      nzcv = x === y ? 0x6 : x < y ? 0x8 : 0x2;
    }
    this.fpscr = ((this.fpscr & 0x0fffffff) | (nzcv << 28)) >>> 0;
  }

  /** VCVT to a 32-bit integer (toward zero, or nearest with `nearest`), saturating. */
  toInt(a: number, signed: boolean, nearest: boolean): number {
    a = this.fz(a);
    if (isNaNBits(a)) { this.flag(Fpscr.IOC); return 0; }
    const x = toF(a);
    const mode = nearest ? this.rmode : 3;
    let i = mode === 0 ? roundHalfEven(x) : mode === 1 ? Math.ceil(x) : mode === 2 ? Math.floor(x) : Math.trunc(x);
    const lo = signed ? -(2 ** 31) : 0, hi = signed ? 2 ** 31 - 1 : 2 ** 32 - 1;
    if (i < lo || i > hi) { this.flag(Fpscr.IOC); i = i < lo ? lo : hi; return i | 0; }
    if (i !== x) this.flag(Fpscr.IXC);
    return i | 0;
  }

  fromInt(v: number, signed: boolean): number {
    const x = signed ? v | 0 : v >>> 0;
    if (x === 0) return 0;
    return this.round(x, (c) => Math.sign(x - c));
  }
}

const MAX_F32 = 3.4028234663852886e38;

/** The next single above / below a single (finite or infinite). */
function nextUp(x: number): number {
  if (x === Infinity) return x;
  if (x === 0) return 2 ** -149;
  const b = toBits(x);
  return toF(x > 0 ? b + 1 : b - 1);
}
function nextDown(x: number): number { return -nextUp(-x); }

/** side() for a sum computed as s with TwoSum error err (exact = s + err), at a nearby single or midpoint c. */
function sumSide(s: number, err: number): (c: number) => number {
  return (c) => { const d = s - c; return d !== 0 ? Math.sign(d) : Math.sign(err); };
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** VFPExpandImm for single precision. */
function expandImm(imm8: number): number {
  const a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1, cd = (imm8 >> 4) & 3, efgh = imm8 & 0xf;
  const exp = (b ? 0x7c : 0x80) | cd;
  return ((a << 31) | (exp << 23) | (efgh << 19)) >>> 0;
}

/**
 * Execute the CP10/CP11 instruction `w` (hw1 << 16 | hw2) at instruction k of the running block
 * (address `pc`): ExecuteFPCheck (NOCP, lazy preservation, CONTROL.FPCA), then the operation.
 */
export function vfpExec(cpu: ArmCpu, fpu: ArmFpu, k: number, w: number, pc: number): void {
  if (!fpu.enabled(cpu)) cpu.undefined(k, true);
  const undef = (): never => cpu.undefined(k);
  const op = decodeVfp(w);
  if (op === undefined) undef();
  if ((fpu.fpccr & Fpccr.LSPACT) !== 0) fpu.preserve(cpu, k);
  if ((fpu.fpccr & Fpccr.ASPEN) !== 0 && (cpu.control & 4) === 0) {
    fpu.fpscr = ((fpu.fpscr & ~(0x1f << 22)) | (fpu.fpdscr & (0x1f << 22))) >>> 0;
    cpu.setControl(cpu.control | 4);
  }
  const s = fpu.s, r = cpu.r;
  const { kind, d, n, m } = op!;
  switch (kind) {
    case 'vmov_rs': if (((w >>> 20) & 1) !== 0) { if (op!.t !== 15 && op!.t !== 13) r[op!.t] = s[n]! | 0; else undef(); } else s[n] = r[op!.t]! >>> 0; return;
    case 'vmov_rrss': {
      const t = op!.t, t2 = op!.t2;
      if (((w >>> 20) & 1) !== 0) { r[t] = s[m]! | 0; r[t2] = s[(m + 1) & 31]! | 0; } else { s[m] = r[t]! >>> 0; s[(m + 1) & 31] = r[t2]! >>> 0; }
      return;
    }
    case 'vmrs': {
      const reg = (w >>> 16) & 0xf;
      const v = reg === 1 ? fpu.fpscr : reg === 0 ? 0x410fa041 : reg === 7 ? MVFR0 : reg === 6 ? MVFR1 : undef();
      if (op!.t === 15) { if (reg !== 1) undef(); cpu.apsr = (cpu.apsr & 0x0fffffff) | (fpu.fpscr & 0xf0000000); }
      else r[op!.t] = v | 0;
      return;
    }
    case 'vmsr': if (((w >>> 16) & 0xf) === 1) fpu.fpscr = (r[op!.t]! & 0xf7c0009f) >>> 0; return;
    case 'vldr': case 'vstr': {
      const imm = (w & 0xff) << 2;
      const rn = (w >>> 16) & 0xf;
      const base = rn === 15 ? ((pc + 4) & ~3) : r[rn]!;
      const a = (((w >>> 23) & 1) !== 0 ? base + imm : base - imm) >>> 0;
      if (kind === 'vldr') s[d] = cpu.ld(k, a, 4, false, true) >>> 0; else cpu.st(k, a, 4, s[d]! | 0, true);
      return;
    }
    case 'vldm': case 'vstm': {
      const rn = (w >>> 16) & 0xf, count = w & 0xff;
      if (count === 0 || d + count > 32 || rn === 15) undef();
      const up = ((w >>> 23) & 1) !== 0, wb = ((w >>> 21) & 1) !== 0;
      let a = up ? r[rn]! >>> 0 : (r[rn]! - 4 * count) >>> 0;
      const final = up ? (r[rn]! + 4 * count) | 0 : a | 0;
      for (let i = 0; i < count; i++, a = (a + 4) >>> 0) {
        if (kind === 'vldm') s[d + i] = cpu.ld(k, a, 4, false, true) >>> 0; else cpu.st(k, a, 4, s[d + i]! | 0, true);
      }
      if (wb) r[rn] = final;
      return;
    }
    case 'vmla': case 'vmls': case 'vnmla': case 'vnmls': {
      // not fused: product rounded, then the sum
      // (FPNeg flips the sign of NaNs too, as QEMU 7.2)
      let p = fpu.mul(s[n]!, s[m]!);
      if (kind === 'vmls' || kind === 'vnmla') p = (p ^ 0x80000000) >>> 0;
      const acc = kind === 'vnmla' || kind === 'vnmls' ? (s[d]! ^ 0x80000000) >>> 0 : s[d]!;
      s[d] = fpu.add(acc, p);
      return;
    }
    case 'vmul': s[d] = fpu.mul(s[n]!, s[m]!); return;
    case 'vnmul': s[d] = (fpu.mul(s[n]!, s[m]!) ^ 0x80000000) >>> 0; return;
    case 'vadd': s[d] = fpu.add(s[n]!, s[m]!); return;
    case 'vsub': s[d] = fpu.sub(s[n]!, s[m]!); return;
    case 'vdiv': s[d] = fpu.div(s[n]!, s[m]!); return;
    case 'vfma': case 'vfms': case 'vfnma': case 'vfnms': {
      const neg = (b: number): number => (b ^ 0x80000000) >>> 0;
      const nv = kind === 'vfms' || kind === 'vfnma' ? neg(s[n]!) : s[n]!;
      const dv = kind === 'vfnma' || kind === 'vfnms' ? neg(s[d]!) : s[d]!;
      s[d] = fpu.fma(dv, nv, s[m]!);
      return;
    }
    case 'vmov_i': s[d] = expandImm(((w >>> 12) & 0xf0) | (w & 0xf)); return;
    case 'vmov_r': s[d] = s[m]!; return;
    case 'vabs': s[d] = (s[m]! & 0x7fffffff) >>> 0; return;
    case 'vneg': s[d] = (s[m]! ^ 0x80000000) >>> 0; return;
    case 'vsqrt': s[d] = fpu.sqrt(s[m]!); return;
    case 'vcmp': fpu.compare(s[d]!, ((w >>> 16) & 1) !== 0 ? 0 : s[m]!, ((w >>> 7) & 1) !== 0); return;
    case 'vcvt_fi': s[d] = fpu.fromInt(s[m]! | 0, ((w >>> 7) & 1) !== 0); return;
    case 'vcvt_if': s[d] = fpu.toInt(s[m]!, ((w >>> 16) & 1) !== 0, ((w >>> 7) & 1) === 0) >>> 0; return;
    default: undef();
  }
}

interface VfpOp { kind: string; d: number; n: number; m: number; t: number; t2: number }

/** Decode a CP10/CP11 instruction of FPv4-SP; undefined if UNDEFINED (double precision, reserved). */
export function decodeVfp(w: number): VfpOp | undefined {
  const hw1 = w >>> 16;
  const D = (w >>> 22) & 1, N = (w >>> 7) & 1, M = (w >>> 5) & 1;
  const d = (((w >>> 12) & 0xf) << 1) | D, n = (((w >>> 16) & 0xf) << 1) | N, m = ((w & 0xf) << 1) | M;
  const t = (w >>> 12) & 0xf;
  const o = (kind: string, x: Partial<VfpOp> = {}): VfpOp => ({ kind, d, n, m, t, t2: 0, ...x });
  if ((hw1 & 0xfe00) === 0xec00) {
    // extension register load/store, 64-bit transfers
    const P = (w >>> 24) & 1, U = (w >>> 23) & 1, W = (w >>> 21) & 1, L = (w >>> 20) & 1;
    if (((w >>> 8) & 1) !== 0) return undefined; // CP11 (double) forms
    if (P === 0 && U === 0) {
      if (W !== 0 || D !== 1 || ((w >>> 4) & 0xd) !== 1) return undefined;
      return o('vmov_rrss', { t: (w >>> 12) & 0xf, t2: (w >>> 16) & 0xf, m });
    }
    if (P === 1 && W === 0) return o(L ? 'vldr' : 'vstr');
    if (P === U && W === 1) return undefined;
    if (P === 1 && U === 1) return undefined;
    return o(L ? 'vldm' : 'vstm');
  }
  if ((hw1 & 0xff00) !== 0xee00) return undefined;
  if (((w >>> 4) & 1) !== 0) {
    // 8/16/32-bit transfers between ARM core and extension registers
    if (((w >>> 8) & 1) !== 0 || (w & 0x7f) !== 0x10) return undefined;
    const A = (w >>> 21) & 7;
    if (A === 0) return o('vmov_rs');
    if (A === 7) return o(((w >>> 20) & 1) !== 0 ? 'vmrs' : 'vmsr');
    return undefined;
  }
  if (((w >>> 8) & 1) !== 0) return undefined; // sz = 1: double precision
  const opc1 = ((w >>> 20) & 0xb), opc3 = (w >>> 6) & 1;
  switch (opc1) {
    case 0x0: return o(opc3 ? 'vmls' : 'vmla');
    case 0x1: return o(opc3 ? 'vnmla' : 'vnmls');
    case 0x2: return o(opc3 ? 'vnmul' : 'vmul');
    case 0x3: return o(opc3 ? 'vsub' : 'vadd');
    case 0x8: return opc3 ? undefined : o('vdiv');
    case 0x9: return o(opc3 ? 'vfnma' : 'vfnms');
    case 0xa: return o(opc3 ? 'vfms' : 'vfma');
    case 0xb: {
      if (opc3 === 0) return o('vmov_i');
      const opc2 = (w >>> 16) & 0xf, hi = (w >>> 7) & 1;
      switch (opc2) {
        case 0x0: return o(hi ? 'vabs' : 'vmov_r');
        case 0x1: return o(hi ? 'vsqrt' : 'vneg');
        case 0x4: case 0x5: return o('vcmp');
        case 0x8: return o('vcvt_fi');
        case 0xc: case 0xd: return o('vcvt_if');
        default: return undefined;
      }
    }
    default: return undefined;
  }
}

const SREG = (i: number): string => `s${i}`;

/** objdump-style disassembly of a CP10 instruction (`vadd.f32 s0, s1, s2`). */
export function disasVfp(w: number, cond: string): [string, string] {
  const op = decodeVfp(w);
  if (op === undefined) return ['cdp', '...'];
  const { kind, d, n, m, t } = op;
  const R = (i: number): string => (i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`);
  const rn = (w >>> 16) & 0xf, imm = (w & 0xff) << 2, U = (w >>> 23) & 1;
  const f32m = (mn: string): string => `${mn}${cond}.f32`;
  switch (kind) {
    case 'vmov_rs': return ((w >>> 20) & 1) ? [`vmov${cond}`, `${R(t)}, ${SREG(n)}`] : [`vmov${cond}`, `${SREG(n)}, ${R(t)}`];
    case 'vmov_rrss': return ((w >>> 20) & 1) ? [`vmov${cond}`, `${R(op.t)}, ${R(op.t2)}, ${SREG(m)}, ${SREG(m + 1)}`] : [`vmov${cond}`, `${SREG(m)}, ${SREG(m + 1)}, ${R(op.t)}, ${R(op.t2)}`];
    case 'vmrs': return [`vmrs${cond}`, `${t === 15 ? 'APSR_nzcv' : R(t)}, ${['fpsid', 'fpscr', '', '', '', '', 'mvfr1', 'mvfr0'][(w >>> 16) & 7] ?? 'fpscr'}`];
    case 'vmsr': return [`vmsr${cond}`, `fpscr, ${R(t)}`];
    case 'vldr': case 'vstr': return [`${kind}${cond}`, `${SREG(d)}, [${R(rn)}${imm ? `, #${U ? '' : '-'}${imm}` : ''}]`];
    case 'vldm': case 'vstm': {
      const list = `{${SREG(d)}${(w & 0xff) > 1 ? `-${SREG(d + (w & 0xff) - 1)}` : ''}}`;
      if (rn === 13 && ((w >>> 21) & 1)) return kind === 'vstm' && !U ? [`vpush${cond}`, list] : kind === 'vldm' && U ? [`vpop${cond}`, list] : [`${kind}${U ? 'ia' : 'db'}${cond}`, `sp!, ${list}`];
      return [`${kind}${U ? 'ia' : 'db'}${cond}`, `${R(rn)}${(w >>> 21) & 1 ? '!' : ''}, ${list}`];
    }
    case 'vmov_i': {
      // objdump: `vmov.f32 s14, #63	@ 0x41f80000  31.0`
      const imm8 = ((w >>> 12) & 0xf0) | (w & 0xf), bits = expandImm(imm8), v = toF(bits);
      const txt = Number.isInteger(v) ? v.toFixed(1) : String(v);
      return [f32m('vmov'), `${SREG(d)}, #${imm8}\t@ 0x${bits.toString(16).padStart(8, '0')} ${v < 0 ? '' : ' '}${txt}`];
    }
    case 'vmov_r': case 'vabs': case 'vneg': case 'vsqrt': return [f32m(kind === 'vmov_r' ? 'vmov' : kind), `${SREG(d)}, ${SREG(m)}`];
    case 'vcmp': return [f32m(((w >>> 7) & 1) ? 'vcmpe' : 'vcmp'), `${SREG(d)}, ${((w >>> 16) & 1) ? '#0.0' : SREG(m)}`];
    case 'vcvt_fi': return [`vcvt${cond}.f32.${((w >>> 7) & 1) ? 's32' : 'u32'}`, `${SREG(d)}, ${SREG(m)}`];
    case 'vcvt_if': return [`vcvt${((w >>> 7) & 1) ? '' : 'r'}${cond}.${((w >>> 16) & 1) ? 's32' : 'u32'}.f32`, `${SREG(d)}, ${SREG(m)}`];
    default: return [f32m(kind), `${SREG(d)}, ${SREG(n)}, ${SREG(m)}`];
  }
}
