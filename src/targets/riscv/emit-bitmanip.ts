/**
 * Semantics of the bit-manipulation extensions Zba, Zbb, Zbc and Zbs (those QEMU 7.2's default
 * rv32/rv64 CPUs enable), emitted as JavaScript in the conventions of emit.ts: RV32 registers are
 * one Int32 `x[r]`, RV64 registers are `x[2r]` (low) / `x[2r+1]` (high) Int32 halves. Every entry
 * is keyed by its name in encodings.ts; decode() has already rejected what QEMU 7.2 rejects
 * (RV64-only forms on RV32, shift amounts >= XLEN), so the emitters only see legal words.
 * Results are QEMU 7.2's, which are the specification's except for `ctzw` (see there).
 */
import type { EmitContext } from '../../core/blockgen.js';
// Types only from emit.ts: no runtime import, so emit.ts can import this module (no cycle).
import type { Gen, InsnSite } from './emit.js';
import * as alu from './alu.js';
import * as bm from './alu-bitmanip.js';
import { rd as rdOf, rs1 as rs1Of, rs2 as rs2Of } from './encodings.js';

/** Structurally the same as emit.ts's (unexported) Emitter. */
export type Emitter = (site: InsnSite, g: Gen, c: EmitContext) => string;

type Helper = Exclude<keyof typeof bm, 'R'>;
const fn = (c: EmitContext, name: Helper): string => c.jit.constant(bm[name], name);
const scratch = (c: EmitContext): string => c.jit.constant(alu.R, 'R');

/** Register operands of an R-type word; null when rd is x0 (nothing to do: no side effects). */
function regs(s: InsnSite): { rd: number; a: number; b: number } | null {
  const rd = rdOf(s.w);
  return rd === 0 ? null : { rd, a: rs1Of(s.w), b: rs2Of(s.w) };
}

/**
 * An R-type instruction given as a 32-bit expression (RV32, or the RV64 *w forms: the result
 * is sign-extended) and, for RV64, as code that leaves the result in locals `l`/`h`.
 */
function rtype(
  e32: ((a: string, b: string, c: EmitContext) => string) | null,
  e64: ((g: Gen, a: number, b: number, c: EmitContext) => string) | null,
): Emitter {
  return (s, g, c) => {
    const r = regs(s);
    if (r === null) return '';
    if (g.xlen === 32 || e64 === null) return g.set32(r.rd, e32!(g.lo(r.a), g.lo(r.b), c));
    return e64(g, r.a, r.b, c) + g.set(r.rd, 'l', 'h');
  };
}

/** A unary instruction (rd, rs1). */
function unary(
  e32: ((a: string, c: EmitContext) => string) | null,
  e64: ((g: Gen, a: number, c: EmitContext) => string) | null,
): Emitter {
  return rtype(e32 && ((a, _b, c) => e32(a, c)), e64 && ((g, a, _b, c) => e64(g, a, c)));
}

/** A shift-immediate instruction; `sh` is the shift amount (already < XLEN, or < 32 for *w). */
function imm(
  e32: ((a: string, sh: number, c: EmitContext) => string) | null,
  e64: ((g: Gen, a: number, sh: number, c: EmitContext) => string) | null,
): Emitter {
  return (s, g, c) => {
    const r = regs(s);
    if (r === null) return '';
    const sh = (s.w >>> 20) & (g.xlen === 64 && e64 !== null ? 63 : 31);
    if (g.xlen === 32 || e64 === null) return g.set32(r.rd, e32!(g.lo(r.a), sh, c));
    return e64(g, r.a, sh, c) + g.set(r.rd, 'l', 'h');
  };
}

/** A 64-bit result from a helper writing R. */
const viaR = (c: EmitContext, call: string): string => {
  const R = scratch(c);
  return `${call};\nconst l = ${R}[0], h = ${R}[1];\n`;
};

/** l:h = b + (a << n) with a given as (lo, hi) expressions; `a` is read once. */
function shiftAdd(g: Gen, aLo: string, aHi: string, b: number, n: number): string {
  const sl = n === 0 ? 'al' : `al << ${n}`;
  const sh = n === 0 ? aHi : aHi === '0' ? `al >>> ${32 - n}` : `(${aHi} << ${n}) | (al >>> ${32 - n})`;
  return `const al = ${aLo}, sl = ${sl}, sh = ${sh}, l = (sl + ${g.lo(b)}) | 0;\n` +
    `const h = (sh + ${g.hi(b)} + ((l >>> 0) < (sl >>> 0) ? 1 : 0)) | 0;\n`;
}

const shNadd = (n: number): Emitter => rtype(
  (a, b) => `((${a} << ${n}) + ${b}) | 0`,
  (g, a, b) => shiftAdd(g, g.lo(a), g.hi(a), b, n),
);
/** add.uw / shN.add.uw (RV64 only): rs2 + (zext32(rs1) << n). */
const shNaddUw = (n: number): Emitter => rtype(null, (g, a, b) => shiftAdd(g, g.lo(a), '0', b, n));

/** Bitwise operation applied to each half. */
const bitwise = (op: (a: string, b: string) => string): Emitter => rtype(
  (a, b) => op(a, b),
  (g, a, b) => `const l = ${op(g.lo(a), g.lo(b))}, h = ${op(g.hi(a), g.hi(b))};\n`,
);

/** min/max: `pickA` says which operand wins when a < b (true for min). */
function minmax(unsigned: boolean, pickAWhenLess: boolean): Emitter {
  const [x, y] = pickAWhenLess ? ['a', 'b'] : ['b', 'a'];
  return rtype(
    (a, b) => `((${unsigned ? `(${a} >>> 0) < (${b} >>> 0)` : `${a} < ${b}`}) ? ${pickAWhenLess ? a : b} : ${pickAWhenLess ? b : a})`,
    (g, a, b) => {
      const hiLess = unsigned ? '(ah >>> 0) < (bh >>> 0)' : 'ah < bh';
      return `const al = ${g.lo(a)}, ah = ${g.hi(a)}, bl = ${g.lo(b)}, bh = ${g.hi(b)};\n` +
        `const lt = ${hiLess} || (ah === bh && (al >>> 0) < (bl >>> 0));\n` +
        `const l = lt ? ${x}l : ${y}l, h = lt ? ${x}h : ${y}h;\n`;
    },
  );
}

/** 32-bit rotations of `a` by the expression `n` (any value; only n & 31 counts). */
const rotr32 = (a: string, n: string): string => `((${a} >>> (${n} & 31)) | (${a} << (-${n} & 31)))`;
const rotl32 = (a: string, n: string): string => `((${a} << (${n} & 31)) | (${a} >>> (-${n} & 31)))`;
/** 32-bit rotate right of `a` by a constant. */
const rotr32c = (a: string, n: number): string => (n & 31) === 0 ? a : `((${a} >>> ${n & 31}) | (${a} << ${32 - (n & 31)}))`;

/** 64-bit rotate right by a constant into l/h. */
function rotr64c(g: Gen, a: number, n: number): string {
  const [xl, xh] = n & 32 ? [g.hi(a), g.lo(a)] : [g.lo(a), g.hi(a)];
  const s = n & 31;
  if (s === 0) return `const l = ${xl}, h = ${xh};\n`;
  return `const xl = ${xl}, xh = ${xh}, l = (xl >>> ${s}) | (xh << ${32 - s}), h = (xh >>> ${s}) | (xl << ${32 - s});\n`;
}

/** Single-bit operations (Zbs) with the bit index in a register. */
function bitReg(kind: 'clr' | 'set' | 'inv'): Emitter {
  const apply = (v: string, m: string): string => kind === 'clr' ? `${v} & ~${m}` : kind === 'set' ? `${v} | ${m}` : `${v} ^ ${m}`;
  return rtype(
    (a, b) => apply(a, `(1 << (${b} & 31))`),
    (g, a, b) => `const n = ${g.lo(b)}, m = 1 << (n & 31), al = ${g.lo(a)}, ah = ${g.hi(a)};\n` +
      `const l = (n & 32) === 0 ? ${apply('al', 'm')} : al, h = (n & 32) !== 0 ? ${apply('ah', 'm')} : ah;\n`,
  );
}
/** Single-bit operations with a constant bit index. */
function bitImm(kind: 'clr' | 'set' | 'inv'): Emitter {
  const apply = (v: string, m: number): string => kind === 'clr' ? `${v} & ${~m}` : kind === 'set' ? `${v} | ${m}` : `${v} ^ ${m}`;
  return imm(
    (a, n) => apply(a, 1 << n),
    (g, a, n) => n < 32
      ? `const l = ${apply(g.lo(a), 1 << n)}, h = ${g.hi(a)};\n`
      : `const l = ${g.lo(a)}, h = ${apply(g.hi(a), 1 << (n - 32))};\n`,
  );
}

/** Carry-less multiply: part 0 = clmul, 1 = clmulh, 2 = clmulr. */
function clmul(part: 0 | 1 | 2): Emitter {
  return rtype(
    (a, b, c) => {
      const R = scratch(c);
      const pick = part === 0 ? `${R}[0]` : part === 1 ? `${R}[1]` : `((${R}[1] << 1) | (${R}[0] >>> 31))`;
      return `(${fn(c, 'clmul32')}(${a}, ${b}), ${pick})`;
    },
    (g, a, b, c) => viaR(c, `${fn(c, 'clmul64')}(${g.lo(a)}, ${g.hi(a)}, ${g.lo(b)}, ${g.hi(b)}, ${part})`),
  );
}

/** Instructions whose semantics are written here, by name as in encodings.ts. */
export const BITMANIP_SEMANTICS: Record<string, Emitter> = {
  // Zba
  sh1add: shNadd(1), sh2add: shNadd(2), sh3add: shNadd(3),
  'add.uw': shNaddUw(0), 'sh1add.uw': shNaddUw(1), 'sh2add.uw': shNaddUw(2), 'sh3add.uw': shNaddUw(3),
  'slli.uw': imm(null, (g, a, n) => {
    const al = g.lo(a);
    if (n === 0) return `const l = ${al}, h = 0;\n`;
    if (n < 32) return `const al = ${al}, l = al << ${n}, h = al >>> ${32 - n} | 0;\n`;
    return `const l = 0, h = ${al} << ${n - 32};\n`;
  }),

  // Zbb: logic with negate
  andn: bitwise((a, b) => `${a} & ~${b}`),
  orn: bitwise((a, b) => `${a} | ~${b}`),
  xnor: bitwise((a, b) => `~(${a} ^ ${b})`),

  // Zbb: counting
  clz: unary((a) => `Math.clz32(${a})`, (g, a) =>
    `const ah = ${g.hi(a)}, l = ah !== 0 ? Math.clz32(ah) : 32 + Math.clz32(${g.lo(a)}), h = 0;\n`),
  ctz: unary((a, c) => `${fn(c, 'ctz32')}(${a})`, (g, a, c) =>
    `const al = ${g.lo(a)}, l = al !== 0 ? ${fn(c, 'ctz32')}(al) : 32 + ${fn(c, 'ctz32')}(${g.hi(a)}), h = 0;\n`),
  cpop: unary((a, c) => `${fn(c, 'popcount32')}(${a})`, (g, a, c) =>
    `const l = ${fn(c, 'popcount32')}(${g.lo(a)}) + ${fn(c, 'popcount32')}(${g.hi(a)}), h = 0;\n`),
  clzw: unary((a) => `Math.clz32(${a})`, null),
  // QEMU 7.2 counts ctzw's trailing zeros in the whole 64-bit register (limited to 32 only when it
  // is 0): ctzw of 0x1_0000_0000 is 32 there, of 0x2_0000_0000 33. Fixed in QEMU 8.0; kept here.
  ctzw: unary(null, (g, a, c) =>
    `const al = ${g.lo(a)}, ah = ${g.hi(a)}, l = al !== 0 ? ${fn(c, 'ctz32')}(al) : ah !== 0 ? 32 + ${fn(c, 'ctz32')}(ah) : 32, h = 0;\n`),
  cpopw: unary((a, c) => `${fn(c, 'popcount32')}(${a})`, null),

  // Zbb: integer minimum/maximum
  min: minmax(false, true), minu: minmax(true, true),
  max: minmax(false, false), maxu: minmax(true, false),

  // Zbb: sign and zero extension (the result is a sign-extended 32-bit value on both XLENs)
  'sext.b': unary((a) => `(${a} << 24) >> 24`, null),
  'sext.h': unary((a) => `(${a} << 16) >> 16`, null),
  'zext.h': unary((a) => `${a} & 0xffff`, null),

  // Zbb: rotations
  rol: rtype((a, b) => rotl32(a, b), (g, a, b, c) => viaR(c, `${fn(c, 'rol64')}(${g.lo(a)}, ${g.hi(a)}, ${g.lo(b)})`)),
  ror: rtype((a, b) => rotr32(a, b), (g, a, b, c) => viaR(c, `${fn(c, 'ror64')}(${g.lo(a)}, ${g.hi(a)}, ${g.lo(b)})`)),
  rori: imm((a, n) => rotr32c(a, n), rotr64c),
  rolw: rtype((a, b) => rotl32(a, b), null),
  rorw: rtype((a, b) => rotr32(a, b), null),
  roriw: imm((a, n) => rotr32c(a, n), null),

  // Zbb: byte operations
  'orc.b': unary((a, c) => `${fn(c, 'orcb32')}(${a})`, (g, a, c) =>
    `const l = ${fn(c, 'orcb32')}(${g.lo(a)}), h = ${fn(c, 'orcb32')}(${g.hi(a)});\n`),
  rev8: unary((a, c) => `${fn(c, 'bswap32')}(${a})`, (g, a, c) =>
    `const al = ${g.lo(a)}, l = ${fn(c, 'bswap32')}(${g.hi(a)}), h = ${fn(c, 'bswap32')}(al);\n`),

  // Zbc
  clmul: clmul(0), clmulh: clmul(1), clmulr: clmul(2),

  // Zbs
  bclr: bitReg('clr'), bset: bitReg('set'), binv: bitReg('inv'),
  bext: rtype((a, b) => `(${a} >>> (${b} & 31)) & 1`, (g, a, b) =>
    `const n = ${g.lo(b)}, l = (((n & 32) === 0 ? ${g.lo(a)} : ${g.hi(a)}) >>> (n & 31)) & 1, h = 0;\n`),
  bclri: bitImm('clr'), bseti: bitImm('set'), binvi: bitImm('inv'),
  bexti: imm((a, n) => `(${a} >>> ${n}) & 1`, (g, a, n) =>
    `const l = (${n < 32 ? g.lo(a) : g.hi(a)} >>> ${n & 31}) & 1, h = 0;\n`),
};
