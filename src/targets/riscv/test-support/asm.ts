/**
 * A small RISC-V assembler for tests, so that a test reads as the program it runs.
 *
 * ```ts
 * const code = asm(64, `
 *   li   a0, 0x123456789abcdef0
 *   li   a1, -1
 * loop:
 *   addi a1, a1, 1
 *   bnez a1, loop
 *   c.addi a0, 1
 *   .word 0x00000013
 * `);
 * ```
 *
 * Syntax (a subset of GNU as):
 *  - one statement per line (`;` also separates statements); comments start with `#` or `//`;
 *  - labels `name:` (also several per line) and numeric local labels `1:` referred to as `1b`/`1f`;
 *  - registers by ABI name (`a0`, `fp`, ...) or `xN`; CSRs by name (`mstatus`) or number;
 *  - immediates: decimal, `0x`, `0b`, `0o`, negative, character `'c'`, and expressions with
 *    `+ - * / % << >> & | ^ ~ ( )`, symbols, `.` (address of the statement), `%hi(e)`, `%lo(e)`;
 *  - branch/jump targets: an expression that involves a label or `.` is an address (the offset is
 *    computed); a plain number is the PC-relative offset itself (`beq a0, a1, 8`, `j .+8`, `j 1f`);
 *  - every RV32I/RV64I, M, A (with optional `.aq`, `.rl`, `.aqrl`), Zicsr, Zifencei and
 *    privileged instruction the encoding table of `encodings.ts` knows (integer ones), using
 *    the table's match values;
 *  - pseudo-instructions: `nop li la lla mv not neg negw sext.w zext.b seqz snez sltz sgtz
 *    beqz bnez blez bgez bltz bgtz bgt ble bgtu bleu j jr jal(label) jalr(reg) ret call tail
 *    csrr csrw csrs csrc csrwi csrsi csrci rdcycle rdtime rdinstret (rdcycleh ... on RV32)
 *    unimp`; `li` takes any 32/64-bit constant (expanding to lui/addi(w)/slli as LLVM does);
 *  - compressed instructions with an explicit `c.` prefix (`c.addi a0, 1`, `c.lw a0, 4(a1)`,
 *    `c.j label`, ...); nothing is compressed implicitly;
 *  - directives `.word .half .2byte .4byte .8byte .byte .dword .space/.zero N .align P
 *    .balign N .equ/.set NAME, VALUE` (`.align` pads with nops); `.text .globl .option .section`
 *    are accepted and ignored.
 */
import { ENCODINGS } from '../encodings.js';
import { csrNumber, xregNumber } from '../regnames.js';

export type Xlen = 32 | 64;

export class AsmError extends Error {}

export interface AsmOptions {
  /** Address of the first byte (for labels used as values, `.`, `la`, `%hi`): default 0x80000000. */
  origin?: bigint | number;
}

export interface Assembled {
  bytes: Uint8Array;
  /** Label and `.equ` symbol values: labels as absolute addresses. */
  symbols: ReadonlyMap<string, bigint>;
  /** Address of each statement's first byte, with its source text (for failure messages). */
  listing: readonly { addr: bigint; size: number; text: string }[];
}

/** Assemble `source` for RV32 or RV64; returns the bytes (little-endian). */
export function asm(xlen: Xlen, source: string, opts: AsmOptions = {}): Uint8Array {
  return assemble(xlen, source, opts).bytes;
}

// ---- statements ---------------------------------------------------------------------------------

interface Stmt {
  line: number;
  text: string;
  op: string;
  args: string[];
  /** Offset from the origin. */
  off: number;
  size: number;
  /** For `li`: the expanded sequence, computed in pass 1. */
  seq?: number[];
}

interface Ctx {
  xlen: Xlen;
  origin: bigint;
  symbols: Map<string, bigint>;
  /** Numeric local labels: name -> offsets (ascending). */
  local: Map<string, number[]>;
  /** Names in `symbols` that are labels (addresses) rather than `.equ` constants. */
  labels: Set<string>;
  /** Pass 1 evaluation: unknown symbols are an error only in pass 2. */
  final: boolean;
  stmt: Stmt;
}

function fail(st: { line: number; text: string }, msg: string): never {
  throw new AsmError(`asm line ${st.line}: ${msg}\n  ${st.text.trim()}`);
}

/** Split an operand list at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '', quote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { cur += c; if (c === "'" ) quote = false; else if (c === '\\') { cur += s[++i] ?? ''; } continue; }
    if (c === "'") { quote = true; cur += c; continue; }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

/** Remove a comment (`#` or `//`) outside character literals. */
function stripComment(line: string): string {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) { if (c === '\\') i++; else if (c === "'") quote = false; continue; }
    if (c === "'") { quote = true; continue; }
    if (c === '#' || (c === '/' && line[i + 1] === '/')) return line.slice(0, i);
  }
  return line;
}

function splitStatements(line: string): string[] {
  const out: string[] = [];
  let quote = false, cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) { cur += c; if (c === '\\') { cur += line[++i] ?? ''; } else if (c === "'") quote = false; continue; }
    if (c === "'") { quote = true; cur += c; continue; }
    if (c === ';') { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

// ---- expressions ------------------------------------------------------------------------------

interface Value { v: bigint; /** true if it is an address (involves a label or `.`) */ rel: boolean }

class ExprParser {
  private i = 0;
  constructor(private readonly s: string, private readonly c: Ctx) {}

  parse(): Value {
    const v = this.or();
    this.ws();
    if (this.i < this.s.length) fail(this.c.stmt, `unexpected '${this.s.slice(this.i)}' in expression '${this.s}'`);
    return v;
  }
  private ws(): void { while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++; }
  private peek(t: string): boolean { this.ws(); return this.s.startsWith(t, this.i); }
  private eat(t: string): boolean { if (this.peek(t)) { this.i += t.length; return true; } return false; }

  private bin(next: () => Value, ops: string[], f: (op: string, a: bigint, b: bigint) => bigint): Value {
    let a = next();
    for (;;) {
      const op = ops.find((o) => this.peek(o));
      if (op === undefined) return a;
      this.i += op.length;
      const b = next();
      a = { v: f(op, a.v, b.v), rel: op === '-' ? a.rel !== b.rel : a.rel || b.rel };
    }
  }
  private or(): Value { return this.bin(() => this.xor(), ['|'], (_o, a, b) => a | b); }
  private xor(): Value { return this.bin(() => this.and(), ['^'], (_o, a, b) => a ^ b); }
  private and(): Value { return this.bin(() => this.shift(), ['&'], (_o, a, b) => a & b); }
  private shift(): Value { return this.bin(() => this.add(), ['<<', '>>'], (o, a, b) => (o === '<<' ? a << b : a >> b)); }
  private add(): Value { return this.bin(() => this.mul(), ['+', '-'], (o, a, b) => (o === '+' ? a + b : a - b)); }
  private mul(): Value {
    return this.bin(() => this.unary(), ['*', '/', '%'], (o, a, b) => {
      if (o !== '*' && b === 0n) fail(this.c.stmt, 'division by zero in expression');
      return o === '*' ? a * b : o === '/' ? a / b : a % b;
    });
  }
  private unary(): Value {
    if (this.eat('-')) { const v = this.unary(); return { v: -v.v, rel: v.rel }; }
    if (this.eat('+')) return this.unary();
    if (this.eat('~')) { const v = this.unary(); return { v: ~v.v, rel: v.rel }; }
    return this.primary();
  }
  private primary(): Value {
    this.ws();
    const s = this.s, c = this.c;
    if (this.eat('(')) { const v = this.or(); if (!this.eat(')')) fail(c.stmt, `missing ')' in '${s}'`); return v; }
    const pct = /^%(hi|lo)\s*\(/.exec(s.slice(this.i));
    if (pct) {
      this.i += pct[0].length;
      const v = this.or();
      if (!this.eat(')')) fail(c.stmt, `missing ')' in '${s}'`);
      const lo = BigInt.asIntN(12, v.v);
      return { v: pct[1] === 'lo' ? lo : BigInt.asUintN(20, (v.v - lo) >> 12n), rel: false };
    }
    const rest = s.slice(this.i);
    let m = /^'(\\.|[^'\\])'/.exec(rest);
    if (m) {
      this.i += m[0].length;
      const ch = m[1]!;
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'" };
      return { v: BigInt((ch.length === 2 ? esc[ch[1]!] ?? ch[1]! : ch).charCodeAt(0)), rel: false };
    }
    m = /^(\d+)([bf])(?![\w.$])/.exec(rest);
    if (m) {
      this.i += m[0].length;
      return { v: this.localLabel(m[1]!, m[2] === 'f'), rel: true };
    }
    m = /^(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|\d[\d_]*)(?![\w.$])/i.exec(rest);
    if (m) {
      this.i += m[0].length;
      const t = m[1]!.replace(/_/g, '').toLowerCase();
      return { v: t.startsWith('0o') ? BigInt('0o' + t.slice(2)) : BigInt(t), rel: false };
    }
    m = /^[A-Za-z_.$][\w.$]*/.exec(rest);
    if (m) {
      this.i += m[0].length;
      const name = m[0];
      if (name === '.') return { v: c.origin + BigInt(c.stmt.off), rel: true };
      const v = c.symbols.get(name);
      if (v !== undefined) return { v, rel: c.labels.has(name) };
      if (!c.final) return { v: 0n, rel: true };
      fail(c.stmt, `undefined symbol '${name}'`);
    }
    fail(c.stmt, `bad expression '${s}'`);
  }
  private localLabel(n: string, fwd: boolean): bigint {
    const c = this.c;
    const offs = c.local.get(n) ?? [];
    const here = c.stmt.off;
    const t = fwd ? offs.find((o) => o > here) : [...offs].reverse().find((o) => o <= here);
    if (t === undefined) {
      if (!c.final) return c.origin;
      fail(c.stmt, `no local label ${n}${fwd ? 'f' : 'b'}`);
    }
    return c.origin + BigInt(t);
  }
}

function evalExpr(c: Ctx, s: string): Value {
  if (s.trim() === '') fail(c.stmt, 'missing operand');
  return new ExprParser(s, c).parse();
}

function num(c: Ctx, s: string): bigint { return evalExpr(c, s).v; }

// ---- operands ---------------------------------------------------------------------------------

function reg(c: Ctx, s: string): number {
  const r = xregNumber(s.trim().toLowerCase());
  if (r === undefined) fail(c.stmt, `not a register: '${s}'`);
  return r;
}
function cReg(c: Ctx, s: string): number {
  const r = reg(c, s);
  if (r < 8 || r > 15) fail(c.stmt, `compressed instruction needs x8..x15 (s0-s1, a0-a5), got '${s}'`);
  return r - 8;
}
function isReg(s: string): boolean { return xregNumber(s.trim().toLowerCase()) !== undefined; }

/** `imm(reg)` or `(reg)` or `imm` alone with reg given separately. */
function memOperand(c: Ctx, s: string): { imm: bigint; base: number } {
  const m = /^(.*)\(\s*([\w]+)\s*\)\s*$/.exec(s.trim());
  if (!m) fail(c.stmt, `expected offset(register), got '${s}'`);
  const immText = m[1]!.trim();
  return { imm: immText === '' ? 0n : num(c, immText), base: reg(c, m[2]!) };
}

function csr(c: Ctx, s: string): number {
  const t = s.trim().toLowerCase();
  const n = csrNumber(t);
  if (n !== undefined) return n;
  const v = num(c, s);
  if (v < 0n || v > 0xfffn) fail(c.stmt, `CSR number out of range: ${s}`);
  return Number(v);
}

function checkRange(c: Ctx, v: bigint, lo: bigint, hi: bigint, what: string): number {
  if (v < lo || v > hi) fail(c.stmt, `${what} ${v} out of range [${lo}, ${hi}]`);
  return Number(v);
}
const simm12 = (c: Ctx, v: bigint): number => checkRange(c, v, -2048n, 2047n, 'immediate');

/** A branch/jump target: address expressions become offsets from this statement. */
function target(c: Ctx, s: string, bits: number, pcOff = 0): number {
  const e = evalExpr(c, s);
  const off = e.rel ? e.v - (c.origin + BigInt(c.stmt.off + pcOff)) : e.v;
  if (!c.final) return 0;
  const lim = 1n << BigInt(bits - 1);
  checkRange(c, off, -lim, lim - 1n, 'offset');
  if ((off & 1n) !== 0n) fail(c.stmt, `odd offset ${off}`);
  return Number(off);
}

function nargs(c: Ctx, args: string[], n: number | number[]): void {
  const ok = typeof n === 'number' ? args.length === n : n.includes(args.length);
  if (!ok) fail(c.stmt, `expected ${Array.isArray(n) ? n.join(' or ') : n} operand(s), got ${args.length}`);
}

// ---- 32-bit encodings ---------------------------------------------------------------------------

const MATCH = new Map<string, { match: number; xlen?: 32 | 64; format: string }[]>();
for (const e of ENCODINGS) {
  if (e.ext === 'F' || e.ext === 'D') continue;
  const l = MATCH.get(e.name) ?? [];
  l.push(e.xlen === undefined ? { match: e.match, format: e.format } : { match: e.match, xlen: e.xlen, format: e.format });
  MATCH.set(e.name, l);
}

function base(c: Ctx, name: string): { match: number; format: string } {
  const l = MATCH.get(name);
  if (l === undefined) fail(c.stmt, `unknown instruction '${name}'`);
  const e = l.find((x) => x.xlen === undefined || x.xlen === c.xlen);
  if (e === undefined) fail(c.stmt, `'${name}' is not an RV${c.xlen} instruction`);
  return e;
}

const rType = (m: number, rd: number, rs1: number, rs2: number): number => (m | (rd << 7) | (rs1 << 15) | (rs2 << 20)) >>> 0;
const iType = (m: number, rd: number, rs1: number, imm: number): number => (m | (rd << 7) | (rs1 << 15) | ((imm & 0xfff) << 20)) >>> 0;
const sType = (m: number, rs1: number, rs2: number, imm: number): number =>
  (m | ((imm & 31) << 7) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 0x7f) << 25)) >>> 0;
const bType = (m: number, rs1: number, rs2: number, imm: number): number =>
  (m | (((imm >> 11) & 1) << 7) | (((imm >> 1) & 15) << 8) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 63) << 25) | (((imm >> 12) & 1) << 31)) >>> 0;
const uType = (m: number, rd: number, imm20: number): number => (m | (rd << 7) | ((imm20 & 0xfffff) << 12)) >>> 0;
const jType = (m: number, rd: number, imm: number): number =>
  (m | (rd << 7) | (((imm >> 12) & 255) << 12) | (((imm >> 11) & 1) << 20) | (((imm >> 1) & 1023) << 21) | (((imm >> 20) & 1) << 31)) >>> 0;

/** The `li rd, v` sequence (RISCVMatInt's basic recursion; the same words GNU as 2.40 emits for the values tested). */
function liSeq(xlen: Xlen, rd: number, v: bigint): number[] {
  const ADDI = 0x13, ADDIW = 0x1b, LUI = 0x37, SLLI = 0x1013;
  const out: number[] = [];
  const gen = (val: bigint, nested: boolean): void => {
    // val is a signed XLEN value
    if (val >= -(1n << 31n) && val < 1n << 31n) {
      const lo = BigInt.asIntN(12, val);
      const hi = BigInt.asUintN(20, (val - lo) >> 12n);
      if (hi !== 0n) out.push(uType(LUI, rd, Number(hi)));
      if (lo !== 0n || hi === 0n) {
        // GNU as uses addiw on RV64 after a lui and for the head of a shifted sequence
        const useW = xlen === 64 && (hi !== 0n || nested);
        out.push(iType(useW ? ADDIW : ADDI, rd, hi !== 0n ? rd : 0, Number(lo)));
      }
      return;
    }
    // RV64 only from here
    const lo12 = BigInt.asIntN(12, val);
    let hi52 = BigInt.asUintN(64, val + 0x800n) >> 12n;
    let shift = 12n;
    while ((hi52 & 1n) === 0n) { hi52 >>= 1n; shift++; }
    hi52 = BigInt.asIntN(Number(64n - shift), hi52);
    gen(hi52, true);
    out.push(iType(SLLI, rd, rd, Number(shift)));
    if (lo12 !== 0n) out.push(iType(ADDI, rd, rd, Number(lo12)));
  };
  gen(xlen === 32 ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v), false);
  return out;
}

const FENCE_BITS = (c: Ctx, s: string): number => {
  const t = s.trim().toLowerCase();
  if (t === '0') return 0;
  let v = 0;
  for (const ch of t) {
    const b = 'wroi'.indexOf(ch);
    if (b < 0) fail(c.stmt, `bad fence set '${s}'`);
    v |= 1 << b;
  }
  return v;
};

const BRANCH_ALIAS: Record<string, [string, boolean /* swap */]> = {
  bgt: ['blt', true], ble: ['bge', true], bgtu: ['bltu', true], bleu: ['bgeu', true],
};
const BRANCH_Z: Record<string, [string, 'rs1' | 'rs2']> = {
  beqz: ['beq', 'rs1'], bnez: ['bne', 'rs1'], bltz: ['blt', 'rs1'], bgez: ['bge', 'rs1'],
  blez: ['bge', 'rs2'], bgtz: ['blt', 'rs2'],
};

/** Encode one 32-bit statement (or a multi-word pseudo). */
function encode32(c: Ctx, op: string, a: string[]): number[] {
  // pseudo-instructions first
  switch (op) {
    case 'nop': nargs(c, a, 0); return [0x13];
    case 'li': return c.stmt.seq!;
    case 'mv': nargs(c, a, 2); return [iType(0x13, reg(c, a[0]!), reg(c, a[1]!), 0)];
    case 'not': nargs(c, a, 2); return [iType(0x4013, reg(c, a[0]!), reg(c, a[1]!), -1)];
    case 'neg': nargs(c, a, 2); return [rType(base(c, 'sub').match, reg(c, a[0]!), 0, reg(c, a[1]!))];
    case 'negw': nargs(c, a, 2); return [rType(base(c, 'subw').match, reg(c, a[0]!), 0, reg(c, a[1]!))];
    case 'sext.w': nargs(c, a, 2); return [iType(base(c, 'addiw').match, reg(c, a[0]!), reg(c, a[1]!), 0)];
    case 'zext.b': nargs(c, a, 2); return [iType(0x7013, reg(c, a[0]!), reg(c, a[1]!), 255)];
    case 'seqz': nargs(c, a, 2); return [iType(0x3013, reg(c, a[0]!), reg(c, a[1]!), 1)];
    case 'snez': nargs(c, a, 2); return [rType(0x3033, reg(c, a[0]!), 0, reg(c, a[1]!))];
    case 'sltz': nargs(c, a, 2); return [rType(0x2033, reg(c, a[0]!), reg(c, a[1]!), 0)];
    case 'sgtz': nargs(c, a, 2); return [rType(0x2033, reg(c, a[0]!), 0, reg(c, a[1]!))];
    case 'j': nargs(c, a, 1); return [jType(0x6f, 0, target(c, a[0]!, 21))];
    case 'jr': nargs(c, a, 1); return [iType(0x67, 0, reg(c, a[0]!), 0)];
    case 'ret': nargs(c, a, 0); return [iType(0x67, 0, 1, 0)];
    case 'call': case 'tail': {
      nargs(c, a, 1);
      const off = target(c, a[0]!, 32);
      const lo = (off << 20) >> 20, hi = ((off - lo) >> 12) & 0xfffff;
      const r = op === 'call' ? 1 : 6;
      return [uType(0x17, r, hi), iType(0x67, op === 'call' ? 1 : 0, r, lo)];
    }
    case 'la': case 'lla': {
      nargs(c, a, 2);
      const rd = reg(c, a[0]!);
      const e = evalExpr(c, a[1]!);
      const off = c.final ? Number(BigInt.asIntN(32, e.v - (c.origin + BigInt(c.stmt.off)))) : 0;
      const lo = (off << 20) >> 20, hi = ((off - lo) >> 12) & 0xfffff;
      return [uType(0x17, rd, hi), iType(0x13, rd, rd, lo)];
    }
    case 'csrr': nargs(c, a, 2); return [iType(0x2073, reg(c, a[0]!), 0, csr(c, a[1]!))];
    case 'csrw': case 'csrs': case 'csrc': case 'csrwi': case 'csrsi': case 'csrci': {
      nargs(c, a, 2);
      const f3 = { w: 1, s: 2, c: 3 }[op[3] as 'w' | 's' | 'c'];
      const imm = op.endsWith('i') || !isReg(a[1]!);
      const src = imm ? checkRange(c, num(c, a[1]!), 0n, 31n, 'CSR immediate') : reg(c, a[1]!);
      return [iType(0x73 | ((f3 + (imm ? 4 : 0)) << 12), 0, src, csr(c, a[0]!))];
    }
    case 'rdcycle': case 'rdtime': case 'rdinstret': case 'rdcycleh': case 'rdtimeh': case 'rdinstreth': {
      nargs(c, a, 1);
      if (op.endsWith('h') && c.xlen !== 32) fail(c.stmt, `${op} is RV32 only`);
      const n = { cycle: 0xc00, time: 0xc01, instret: 0xc02 }[op.slice(2).replace(/h$/, '') as 'cycle' | 'time' | 'instret'];
      return [iType(0x2073, reg(c, a[0]!), 0, n + (op.endsWith('h') ? 0x80 : 0))];
    }
    case 'unimp': nargs(c, a, 0); return [0xc0001073];
    case 'fence.tso': nargs(c, a, 0); return [0x8330000f];
    case 'pause': nargs(c, a, 0); return [0x0100000f];
    default: break;
  }
  if (op in BRANCH_ALIAS) {
    nargs(c, a, 3);
    const [name, swap] = BRANCH_ALIAS[op]!;
    const r1 = reg(c, a[0]!), r2 = reg(c, a[1]!);
    return [bType(base(c, name).match, swap ? r2 : r1, swap ? r1 : r2, target(c, a[2]!, 13))];
  }
  if (op in BRANCH_Z) {
    nargs(c, a, 2);
    const [name, pos] = BRANCH_Z[op]!;
    const r = reg(c, a[0]!);
    return [bType(base(c, name).match, pos === 'rs1' ? r : 0, pos === 'rs1' ? 0 : r, target(c, a[1]!, 13))];
  }

  // real instructions, with optional .aq/.rl on atomics
  let name = op, aqrl = 0;
  const am = /^(.*\.[wd])\.(aq|rl|aqrl)$/.exec(op);
  if (am && (am[1]!.startsWith('amo') || am[1]!.startsWith('lr.') || am[1]!.startsWith('sc.'))) {
    name = am[1]!;
    aqrl = am[2] === 'aq' ? 2 : am[2] === 'rl' ? 1 : 3;
  }
  const e = base(c, name);
  const m = e.match;
  switch (e.format) {
    case 'R': nargs(c, a, 3); return [rType(m, reg(c, a[0]!), reg(c, a[1]!), reg(c, a[2]!))];
    case 'I': {
      if (name === 'jalr') {
        // jalr rs | jalr rd, rs | jalr rd, rs, imm | jalr rd, imm(rs)
        if (a.length === 1) return [iType(m, 1, reg(c, a[0]!), 0)];
        if (a.length === 2 && isReg(a[1]!)) return [iType(m, reg(c, a[0]!), reg(c, a[1]!), 0)];
        if (a.length === 2) { const mo = memOperand(c, a[1]!); return [iType(m, reg(c, a[0]!), mo.base, simm12(c, mo.imm))]; }
        nargs(c, a, 3);
        return [iType(m, reg(c, a[0]!), reg(c, a[1]!), simm12(c, num(c, a[2]!)))];
      }
      if ((m & 0x7f) === 0x03) {
        nargs(c, a, 2);
        const mo = memOperand(c, a[1]!);
        return [iType(m, reg(c, a[0]!), mo.base, simm12(c, mo.imm))];
      }
      nargs(c, a, 3);
      return [iType(m, reg(c, a[0]!), reg(c, a[1]!), simm12(c, num(c, a[2]!)))];
    }
    case 'Ishift': {
      nargs(c, a, 3);
      const max = name.endsWith('w') || c.xlen === 32 ? 31n : 63n;
      const sh = checkRange(c, num(c, a[2]!), 0n, max, 'shift amount');
      return [(m | (reg(c, a[0]!) << 7) | (reg(c, a[1]!) << 15) | (sh << 20)) >>> 0];
    }
    case 'S': {
      nargs(c, a, 2);
      const mo = memOperand(c, a[1]!);
      return [sType(m, mo.base, reg(c, a[0]!), simm12(c, mo.imm))];
    }
    case 'B': nargs(c, a, 3); return [bType(m, reg(c, a[0]!), reg(c, a[1]!), target(c, a[2]!, 13))];
    case 'U': {
      nargs(c, a, 2);
      const v = checkRange(c, num(c, a[1]!), -(1n << 19n), 0xfffffn, 'upper immediate');
      return [uType(m, reg(c, a[0]!), v)];
    }
    case 'J': {
      if (a.length === 1) return [jType(m, 1, target(c, a[0]!, 21))];
      nargs(c, a, 2);
      return [jType(m, reg(c, a[0]!), target(c, a[1]!, 21))];
    }
    case 'CSR': case 'CSRI': {
      nargs(c, a, 3);
      const imm = e.format === 'CSRI' || !isReg(a[2]!);
      const f3 = (m >>> 12) & 3;
      const src = imm ? checkRange(c, num(c, a[2]!), 0n, 31n, 'CSR immediate') : reg(c, a[2]!);
      return [iType(0x73 | ((f3 + (imm ? 4 : 0)) << 12), reg(c, a[0]!), src, csr(c, a[1]!))];
    }
    case 'LR': {
      nargs(c, a, 2);
      const mo = memOperand(c, a[1]!);
      if (mo.imm !== 0n) fail(c.stmt, 'atomic address must be (reg) or 0(reg)');
      return [(m | (reg(c, a[0]!) << 7) | (mo.base << 15) | (aqrl << 25)) >>> 0];
    }
    case 'AMO': {
      nargs(c, a, 3);
      const mo = memOperand(c, a[2]!);
      if (mo.imm !== 0n) fail(c.stmt, 'atomic address must be (reg) or 0(reg)');
      return [(rType(m, reg(c, a[0]!), mo.base, reg(c, a[1]!)) | (aqrl << 25)) >>> 0];
    }
    case 'FENCE': {
      if (a.length === 0) return [(m | (0xff << 20)) >>> 0];
      nargs(c, a, 2);
      return [(m | (FENCE_BITS(c, a[0]!) << 24) | (FENCE_BITS(c, a[1]!) << 20)) >>> 0];
    }
    case 'NONE': if (name !== 'fence.i') nargs(c, a, 0); return [m];
    case 'SFENCE': {
      nargs(c, a, [0, 1, 2]);
      return [(m | ((a[0] ? reg(c, a[0]) : 0) << 15) | ((a[1] ? reg(c, a[1]) : 0) << 20)) >>> 0];
    }
    default: return fail(c.stmt, `unsupported instruction '${op}'`);
  }
}

// ---- compressed encodings ----------------------------------------------------------------------

const bit = (v: number, hi: number, lo = hi): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

function uimmScaled(c: Ctx, v: bigint, scale: number, max: number, what: string): number {
  const n = checkRange(c, v, 0n, BigInt(max), what);
  if (n % scale !== 0) fail(c.stmt, `${what} ${n} is not a multiple of ${scale}`);
  return n;
}

function encode16(c: Ctx, op: string, a: string[]): number {
  const ci = (f3: number, rd: number, imm: number, q: number): number =>
    (f3 << 13) | (bit(imm, 5) << 12) | (rd << 7) | (bit(imm, 4, 0) << 2) | q;
  const simm6 = (s: string): number => checkRange(c, num(c, s), -32n, 31n, 'immediate');
  const uimm6 = (s: string): number => checkRange(c, num(c, s), 0n, c.xlen === 64 ? 63n : 31n, 'shift amount');
  switch (op) {
    case 'c.nop': nargs(c, a, 0); return 0x0001;
    case 'c.ebreak': nargs(c, a, 0); return 0x9002;
    case 'c.unimp': nargs(c, a, 0); return 0x0000;
    case 'c.addi4spn': {
      nargs(c, a, 3);
      if (reg(c, a[1]!) !== 2) fail(c.stmt, 'c.addi4spn needs sp');
      const imm = uimmScaled(c, num(c, a[2]!), 4, 1020, 'immediate');
      if (imm === 0) fail(c.stmt, 'c.addi4spn immediate must be nonzero');
      return (bit(imm, 5, 4) << 11) | (bit(imm, 9, 6) << 7) | (bit(imm, 2) << 6) | (bit(imm, 3) << 5) | (cReg(c, a[0]!) << 2);
    }
    case 'c.lw': case 'c.sw': case 'c.ld': case 'c.sd': {
      nargs(c, a, 2);
      const dbl = op.endsWith('d');
      if (dbl && c.xlen !== 64) fail(c.stmt, `${op} is RV64 only`);
      const mo = memOperand(c, a[1]!);
      if (mo.base < 8 || mo.base > 15) fail(c.stmt, 'compressed load/store base must be x8..x15');
      const imm = uimmScaled(c, mo.imm, dbl ? 8 : 4, dbl ? 248 : 124, 'offset');
      const f3 = { 'c.lw': 2, 'c.ld': 3, 'c.sw': 6, 'c.sd': 7 }[op]!;
      const mid = dbl ? bit(imm, 7, 6) << 5 : (bit(imm, 2) << 6) | (bit(imm, 6) << 5);
      return (f3 << 13) | (bit(imm, 5, 3) << 10) | ((mo.base - 8) << 7) | mid | (cReg(c, a[0]!) << 2);
    }
    case 'c.addi': case 'c.addiw': case 'c.li': {
      nargs(c, a, 2);
      if (op === 'c.addiw' && c.xlen !== 64) fail(c.stmt, 'c.addiw is RV64 only');
      const f3 = op === 'c.addi' ? 0 : op === 'c.addiw' ? 1 : 2;
      return ci(f3, reg(c, a[0]!), simm6(a[1]!), 1);
    }
    case 'c.jal': case 'c.j': {
      nargs(c, a, 1);
      if (op === 'c.jal' && c.xlen !== 32) fail(c.stmt, 'c.jal is RV32 only');
      const o = target(c, a[0]!, 12);
      return ((op === 'c.jal' ? 1 : 5) << 13) | (bit(o, 11) << 12) | (bit(o, 4) << 11) | (bit(o, 9, 8) << 9) | (bit(o, 10) << 8) |
        (bit(o, 6) << 7) | (bit(o, 7) << 6) | (bit(o, 3, 1) << 3) | (bit(o, 5) << 2) | 1;
    }
    case 'c.addi16sp': {
      nargs(c, a, 2);
      if (reg(c, a[0]!) !== 2) fail(c.stmt, 'c.addi16sp needs sp');
      const imm = checkRange(c, num(c, a[1]!), -512n, 496n, 'immediate');
      if (imm === 0 || imm % 16 !== 0) fail(c.stmt, 'c.addi16sp immediate must be a nonzero multiple of 16');
      return (3 << 13) | (bit(imm, 9) << 12) | (2 << 7) | (bit(imm, 4) << 6) | (bit(imm, 6) << 5) | (bit(imm, 8, 7) << 3) | (bit(imm, 5) << 2) | 1;
    }
    case 'c.lui': {
      nargs(c, a, 2);
      let v = num(c, a[1]!);
      if (v >= 0xfffe0n && v <= 0xfffffn) v -= 0x100000n;
      const imm = checkRange(c, v, -32n, 31n, 'immediate');
      if (imm === 0) fail(c.stmt, 'c.lui immediate must be nonzero');
      const rd = reg(c, a[0]!);
      if (rd === 2) fail(c.stmt, 'c.lui cannot target sp');
      return ci(3, rd, imm, 1);
    }
    case 'c.srli': case 'c.srai': case 'c.andi': {
      nargs(c, a, 2);
      const sub = op === 'c.srli' ? 0 : op === 'c.srai' ? 1 : 2;
      const imm = op === 'c.andi' ? simm6(a[1]!) : uimm6(a[1]!);
      return (4 << 13) | (bit(imm, 5) << 12) | (sub << 10) | (cReg(c, a[0]!) << 7) | (bit(imm, 4, 0) << 2) | 1;
    }
    case 'c.sub': case 'c.xor': case 'c.or': case 'c.and': case 'c.subw': case 'c.addw': {
      nargs(c, a, 2);
      const w = op === 'c.subw' || op === 'c.addw';
      if (w && c.xlen !== 64) fail(c.stmt, `${op} is RV64 only`);
      const sel = { 'c.sub': 0, 'c.xor': 1, 'c.or': 2, 'c.and': 3, 'c.subw': 0, 'c.addw': 1 }[op]!;
      return (4 << 13) | ((w ? 1 : 0) << 12) | (3 << 10) | (cReg(c, a[0]!) << 7) | (sel << 5) | (cReg(c, a[1]!) << 2) | 1;
    }
    case 'c.beqz': case 'c.bnez': {
      nargs(c, a, 2);
      const o = target(c, a[1]!, 9);
      return ((op === 'c.beqz' ? 6 : 7) << 13) | (bit(o, 8) << 12) | (bit(o, 4, 3) << 10) | (cReg(c, a[0]!) << 7) |
        (bit(o, 7, 6) << 5) | (bit(o, 2, 1) << 3) | (bit(o, 5) << 2) | 1;
    }
    case 'c.slli': return nargs(c, a, 2), ci(0, reg(c, a[0]!), uimm6(a[1]!), 2);
    case 'c.lwsp': case 'c.ldsp': {
      nargs(c, a, 2);
      const dbl = op === 'c.ldsp';
      if (dbl && c.xlen !== 64) fail(c.stmt, 'c.ldsp is RV64 only');
      const mo = memOperand(c, a[1]!);
      if (mo.base !== 2) fail(c.stmt, `${op} base must be sp`);
      const imm = uimmScaled(c, mo.imm, dbl ? 8 : 4, dbl ? 504 : 252, 'offset');
      const low = dbl ? (bit(imm, 4, 3) << 3) | bit(imm, 8, 6) : (bit(imm, 4, 2) << 2) | bit(imm, 7, 6);
      return ((dbl ? 3 : 2) << 13) | (bit(imm, 5) << 12) | (reg(c, a[0]!) << 7) | (low << 2) | 2;
    }
    case 'c.swsp': case 'c.sdsp': {
      nargs(c, a, 2);
      const dbl = op === 'c.sdsp';
      if (dbl && c.xlen !== 64) fail(c.stmt, 'c.sdsp is RV64 only');
      const mo = memOperand(c, a[1]!);
      if (mo.base !== 2) fail(c.stmt, `${op} base must be sp`);
      const imm = uimmScaled(c, mo.imm, dbl ? 8 : 4, dbl ? 504 : 252, 'offset');
      const f = dbl ? (bit(imm, 5, 3) << 3) | bit(imm, 8, 6) : (bit(imm, 5, 2) << 2) | bit(imm, 7, 6);
      return ((dbl ? 7 : 6) << 13) | (f << 7) | (reg(c, a[0]!) << 2) | 2;
    }
    case 'c.jr': case 'c.jalr': {
      nargs(c, a, 1);
      const r = reg(c, a[0]!);
      if (r === 0) fail(c.stmt, `${op} needs a nonzero register`);
      return (4 << 13) | ((op === 'c.jalr' ? 1 : 0) << 12) | (r << 7) | 2;
    }
    case 'c.mv': case 'c.add': {
      nargs(c, a, 2);
      const rs2 = reg(c, a[1]!);
      if (rs2 === 0) fail(c.stmt, `${op} needs a nonzero source register`);
      return (4 << 13) | ((op === 'c.add' ? 1 : 0) << 12) | (reg(c, a[0]!) << 7) | (rs2 << 2) | 2;
    }
    default: return fail(c.stmt, `unknown compressed instruction '${op}'`);
  }
}

// ---- driver -------------------------------------------------------------------------------------

const DATA_DIRECTIVES: Record<string, number> = {
  '.byte': 1, '.half': 2, '.2byte': 2, '.short': 2, '.word': 4, '.4byte': 4, '.long': 4, '.dword': 8, '.8byte': 8, '.quad': 8,
};
const IGNORED = new Set(['.text', '.data', '.globl', '.global', '.option', '.section', '.type', '.size', '.attribute', '.file']);

/** Assemble, returning the bytes, symbols and a listing. */
export function assemble(xlen: Xlen, source: string, opts: AsmOptions = {}): Assembled {
  const origin = BigInt(opts.origin ?? 0x80000000n);
  const symbols = new Map<string, bigint>();
  const labels = new Set<string>();
  const local = new Map<string, number[]>();
  const stmts: Stmt[] = [];
  const c: Ctx = { xlen, origin, symbols, local, final: false, labels, stmt: { line: 0, text: '', op: '', args: [], off: 0, size: 0 } };

  // pass 1: labels, sizes
  let off = 0;
  source.split('\n').forEach((rawLine, i) => {
    for (let piece of splitStatements(stripComment(rawLine))) {
      const st: Stmt = { line: i + 1, text: rawLine, op: '', args: [], off, size: 0 };
      c.stmt = st;
      for (;;) {
        const m = /^\s*([A-Za-z_.$][\w.$]*|\d+)\s*:(?!=)/.exec(piece);
        if (!m) break;
        const name = m[1]!;
        if (/^\d+$/.test(name)) {
          const l = local.get(name) ?? [];
          l.push(off);
          local.set(name, l);
        } else {
          if (symbols.has(name)) fail(st, `label '${name}' defined twice`);
          symbols.set(name, origin + BigInt(off));
          labels.add(name);
        }
        piece = piece.slice(m[0].length);
      }
      piece = piece.trim();
      if (piece === '') continue;
      const sp = /^(\S+)\s*(.*)$/.exec(piece)!;
      st.op = sp[1]!.toLowerCase();
      st.args = splitArgs(sp[2]!);
      const op = st.op;
      if (op in DATA_DIRECTIVES) st.size = DATA_DIRECTIVES[op]! * st.args.length;
      else if (op === '.space' || op === '.zero' || op === '.skip') { nargs(c, st.args, [1, 2]); st.size = Number(num(c, st.args[0]!)); }
      else if (op === '.align' || op === '.p2align' || op === '.balign') {
        nargs(c, st.args, [1, 2, 3]);
        const n = Number(num(c, st.args[0]!));
        const al = op === '.balign' ? n : 1 << n;
        st.size = (al - (off % al)) % al;
      } else if (op === '.equ' || op === '.set') {
        nargs(c, st.args, 2);
        symbols.set(st.args[0]!, evalExpr({ ...c, final: true }, st.args[1]!).v);
        continue;
      } else if (IGNORED.has(op)) continue;
      else if (op.startsWith('c.')) st.size = 2;
      else if (op === 'li') {
        nargs(c, st.args, 2);
        // unknown (later) symbols evaluate as addresses here: li only takes constants
        const v = evalExpr({ ...c, final: false }, st.args[1]!);
        const lim = 1n << BigInt(xlen);
        if (v.rel) fail(st, 'li takes a constant (a number or an earlier .equ): use la for addresses');
        if (v.v < -(lim >> 1n) || v.v >= lim) fail(st, `li constant out of range for RV${xlen}`);
        st.seq = liSeq(xlen, reg(c, st.args[0]!), v.v);
        st.size = 4 * st.seq.length;
      } else if (op === 'la' || op === 'lla' || op === 'call' || op === 'tail') st.size = 8;
      else st.size = 4;
      off += st.size;
      stmts.push(st);
    }
  });

  // pass 2: encode
  c.final = true;
  const out = new Uint8Array(off);
  const dv = new DataView(out.buffer);
  const listing: { addr: bigint; size: number; text: string }[] = [];
  for (const st of stmts) {
    c.stmt = st;
    const op = st.op, a = st.args;
    let p = st.off;
    listing.push({ addr: origin + BigInt(st.off), size: st.size, text: st.text.trim() });
    if (op in DATA_DIRECTIVES) {
      const n = DATA_DIRECTIVES[op]!;
      for (const s of a) {
        const v = BigInt.asUintN(n * 8, num(c, s));
        for (let b = 0; b < n; b++) out[p++] = Number((v >> BigInt(8 * b)) & 0xffn);
      }
    } else if (op === '.space' || op === '.zero' || op === '.skip') {
      out.fill(a[1] === undefined ? 0 : Number(num(c, a[1]) & 0xffn), p, p + st.size);
    } else if (op.startsWith('.align') || op === '.p2align' || op === '.balign') {
      // nops where they fit, then c.nop, then zero bytes
      while (st.off + st.size - p >= 4 && p % 2 === 0) { dv.setUint32(p, 0x13, true); p += 4; }
      if (st.off + st.size - p >= 2 && p % 2 === 0) { dv.setUint16(p, 0x0001, true); p += 2; }
    } else if (op.startsWith('.')) {
      fail(st, `unknown directive '${op}'`);
    } else if (op.startsWith('c.')) {
      dv.setUint16(p, encode16(c, op, a), true);
    } else {
      const words = encode32(c, op, a);
      if (words.length * 4 !== st.size) fail(st, 'internal: size changed between passes');
      for (const w of words) { dv.setUint32(p, w >>> 0, true); p += 4; }
    }
  }
  return { bytes: out, symbols, listing };
}

/** Size in bytes that `li rd, v` expands to (for tests counting instructions). */
export function liLength(xlen: Xlen, v: bigint): number {
  return liSeq(xlen, 5, v).length;
}
