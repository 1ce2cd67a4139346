/**
 * Zba, Zbb, Zbc and Zbs: the generated code of every instruction (emit-bitmanip.ts) against
 * BigInt reference implementations on edge and random values, for RV32 and RV64; decode()
 * against what QEMU 7.2 executes across the whole bit-manipulation encoding space; and
 * disassemble() against objdump 2.40 built for rv{64,32}gc_zba_zbb_zbc_zbs_zicbom_zicboz.
 *
 * The semantics tests compile each emitter's code on its own (new Function over a fake hart
 * holding only `x`), so they need no machine. The QEMU and objdump results are fixtures (see
 * fixtures/README.md); RISCV_REGEN_QEMU=1 / RISCV_REGEN_FIXTURES=1 rebuild them with the tools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EmitContext } from '../../core/blockgen.js';
import { JitBuilder } from '../../core/jit.js';
import { Gen } from './emit.js';
import { BITMANIP_SEMANTICS } from './emit-bitmanip.js';
import { ENCODINGS, decode, type Encoding } from './encodings.js';
import { QEMU_PROBE_CPU_FLAGS, qemuLegality } from './test-support/qemu-legality.js';
import { disassemble } from './disasm.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const XLENS = [64, 32] as const;
type Xlen = 32 | 64;
const BITMANIP_EXTS = new Set(['Zba', 'Zbb', 'Zbc', 'Zbs']);

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

// ---------------------------------------------------------------------------
// Reference semantics: unsigned XLEN-bit BigInt in, unsigned XLEN-bit BigInt out.

type Ref = (a: bigint, b: bigint, X: bigint) => bigint;

const mask = (X: bigint): bigint => (1n << X) - 1n;
const sx = (v: bigint, bits: bigint, X: bigint): bigint => BigInt.asUintN(Number(X), BigInt.asIntN(Number(bits), v));
const zx32 = (v: bigint): bigint => v & 0xffffffffn;
const signed = (v: bigint, X: bigint): bigint => BigInt.asIntN(Number(X), v);
function clz(v: bigint, bits: bigint): bigint {
  let n = 0n;
  for (let i = bits - 1n; i >= 0n && ((v >> i) & 1n) === 0n; i--) n++;
  return n;
}
function ctz(v: bigint, bits: bigint): bigint {
  let n = 0n;
  for (let i = 0n; i < bits && ((v >> i) & 1n) === 0n; i++) n++;
  return n;
}
function cpop(v: bigint, bits: bigint): bigint {
  let n = 0n;
  for (let i = 0n; i < bits; i++) n += (v >> i) & 1n;
  return n;
}
const rotr = (v: bigint, n: bigint, bits: bigint): bigint => {
  n %= bits;
  return ((v >> n) | (v << ((bits - n) % bits))) & mask(bits);
};
/** Carry-less multiply per the Zbc specification's loops. */
function clmulRef(a: bigint, b: bigint, X: bigint, kind: 'lo' | 'hi' | 'rev'): bigint {
  let out = 0n;
  if (kind === 'lo') for (let i = 0n; i < X; i++) { if ((b >> i) & 1n) out ^= a << i; }
  if (kind === 'hi') for (let i = 1n; i <= X; i++) { if ((b >> i) & 1n) out ^= a >> (X - i); }
  if (kind === 'rev') for (let i = 0n; i < X; i++) { if ((b >> i) & 1n) out ^= a >> (X - i - 1n); }
  return out & mask(X);
}
const bit = (b: bigint, X: bigint): bigint => 1n << (b & (X - 1n));

/** Reference for each instruction; immediate forms receive the shift amount as `b`. */
const REF: Record<string, Ref> = {
  sh1add: (a, b, X) => (b + (a << 1n)) & mask(X),
  sh2add: (a, b, X) => (b + (a << 2n)) & mask(X),
  sh3add: (a, b, X) => (b + (a << 3n)) & mask(X),
  'add.uw': (a, b, X) => (b + zx32(a)) & mask(X),
  'sh1add.uw': (a, b, X) => (b + (zx32(a) << 1n)) & mask(X),
  'sh2add.uw': (a, b, X) => (b + (zx32(a) << 2n)) & mask(X),
  'sh3add.uw': (a, b, X) => (b + (zx32(a) << 3n)) & mask(X),
  'slli.uw': (a, sh, X) => (zx32(a) << sh) & mask(X),
  andn: (a, b, X) => a & ~b & mask(X),
  orn: (a, b, X) => (a | ~b) & mask(X),
  xnor: (a, b, X) => ~(a ^ b) & mask(X),
  clz: (a, _b, X) => clz(a, X),
  ctz: (a, _b, X) => ctz(a, X),
  cpop: (a, _b, X) => cpop(a, X),
  clzw: (a) => clz(zx32(a), 32n),
  // QEMU 7.2 (not the specification, nor QEMU 8.0+): trailing zeros of the whole register, 32 if it is 0.
  ctzw: (a, _b, X) => (a === 0n ? 32n : ctz(a, X)),
  cpopw: (a) => cpop(zx32(a), 32n),
  max: (a, b, X) => (signed(a, X) > signed(b, X) ? a : b),
  maxu: (a, b) => (a > b ? a : b),
  min: (a, b, X) => (signed(a, X) < signed(b, X) ? a : b),
  minu: (a, b) => (a < b ? a : b),
  'sext.b': (a, _b, X) => sx(a, 8n, X),
  'sext.h': (a, _b, X) => sx(a, 16n, X),
  'zext.h': (a) => a & 0xffffn,
  rol: (a, b, X) => rotr(a, X - (b & (X - 1n)), X),
  ror: (a, b, X) => rotr(a, b & (X - 1n), X),
  rori: (a, sh, X) => rotr(a, sh, X),
  rolw: (a, b, X) => sx(rotr(zx32(a), 32n - (b & 31n), 32n), 32n, X),
  rorw: (a, b, X) => sx(rotr(zx32(a), b & 31n, 32n), 32n, X),
  roriw: (a, sh, X) => sx(rotr(zx32(a), sh, 32n), 32n, X),
  'orc.b': (a, _b, X) => {
    let r = 0n;
    for (let i = 0n; i < X; i += 8n) if (((a >> i) & 0xffn) !== 0n) r |= 0xffn << i;
    return r;
  },
  rev8: (a, _b, X) => {
    let r = 0n;
    for (let i = 0n; i < X; i += 8n) r |= ((a >> i) & 0xffn) << (X - 8n - i);
    return r;
  },
  clmul: (a, b, X) => clmulRef(a, b, X, 'lo'),
  clmulh: (a, b, X) => clmulRef(a, b, X, 'hi'),
  clmulr: (a, b, X) => clmulRef(a, b, X, 'rev'),
  bclr: (a, b, X) => a & ~bit(b, X) & mask(X),
  bset: (a, b, X) => a | bit(b, X),
  binv: (a, b, X) => a ^ bit(b, X),
  bext: (a, b, X) => (a >> (b & (X - 1n))) & 1n,
  bclri: (a, sh, X) => a & ~(1n << sh) & mask(X),
  bseti: (a, sh) => a | (1n << sh),
  binvi: (a, sh) => a ^ (1n << sh),
  bexti: (a, sh) => (a >> sh) & 1n,
};

// ---------------------------------------------------------------------------
// Running an emitter: its code compiled alone, over a fake hart that only has `x`.

interface Compiled {
  readonly run: (s: { x: Int32Array }) => void;
  readonly source: string;
}

function compile(name: string, w: number, xlen: Xlen): Compiled {
  const sem = BITMANIP_SEMANTICS[name];
  assert.ok(sem, `no semantics for ${name}`);
  const jit = new JitBuilder();
  const ctx: EmitContext = { k: 0, jit, mem: () => '', memHooked: false };
  const code = sem({ name, w, pcLo: 0x1000, pcHi: 0, size: 4 }, new Gen(xlen, null, null), ctx);
  const source = `const x = s.x;\n{\n${code}}\n`;
  return { run: jit.compile<(s: { x: Int32Array }) => void>('s', source, 'insn'), source };
}

function setReg(x: Int32Array, xlen: Xlen, r: number, v: bigint): void {
  if (r === 0) return;
  if (xlen === 32) x[r] = Number(BigInt.asIntN(32, v));
  else { x[2 * r] = Number(BigInt.asIntN(32, v)); x[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n)); }
}
function getReg(x: Int32Array, xlen: Xlen, r: number): bigint {
  if (r === 0) return 0n;
  if (xlen === 32) return BigInt(x[r]! >>> 0);
  return (BigInt(x[2 * r + 1]! >>> 0) << 32n) | BigInt(x[2 * r]! >>> 0);
}

/** Edge values, for both operands (shift/bit-index operands see their low bits and junk above). */
function edgeValues(xlen: Xlen): bigint[] {
  const X = BigInt(xlen);
  const m = mask(X);
  const out = new Set<bigint>();
  for (const v of [0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n,
    0xffffffffn, 0x100000000n, 0x180000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xffffffff00000000n,
    0x00000000ffffffffn, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, 0x0123456789abcdefn, 0xfedcba9876543210n, 0x00ff00ff00ff00ffn,
    0x0100000001000000n, 0x8080808080808080n, 0x0000800000008000n, 31n, 32n, 33n, 63n, 64n, 65n, 0x1fn | (1n << 40n), 0xffffffc0n]) {
    out.add(v & m);
    out.add(-v & m);
  }
  return [...out];
}

function randomValue(rnd: () => number, xlen: Xlen): bigint {
  const r = rnd();
  let v = (BigInt(rnd()) << 32n) | BigInt(rnd());
  // Bias towards values with long runs of zeros or ones (interesting for clz/ctz/cpop/clmul).
  if (r % 4 === 0) v &= (1n << BigInt(rnd() % 64)) - 1n;
  if (r % 4 === 1) v |= ~((1n << BigInt(rnd() % 64)) - 1n);
  return v & mask(BigInt(xlen));
}

const ENC_BY_NAME = (xlen: Xlen): Map<string, Encoding> =>
  new Map(ENCODINGS.filter((e) => BITMANIP_EXTS.has(e.ext) && (e.xlen === undefined || e.xlen === xlen)).map((e) => [e.name, e]));

/** Register triples (rd, rs1, rs2) covering aliasing and x0 as source and destination. */
const REG_CASES: readonly (readonly [number, number, number])[] = [
  [5, 6, 7], [10, 10, 11], [12, 13, 12], [14, 14, 14], [15, 0, 16], [17, 18, 0], [0, 19, 20], [31, 30, 29],
];

function checkInstruction(xlen: Xlen, e: Encoding, rnd: () => number): void {
  const X = BigInt(xlen);
  const ref = REF[e.name]!;
  const isImm = e.format === 'Ishift';
  const unary = e.format === 'R1';
  const edges = edgeValues(xlen);
  const maxSh = isImm ? (e.name.endsWith('w') && e.name !== 'slli.uw' ? 32 : xlen) : 1;
  // Every register holds a distinct value, so that a stray read or write shows up.
  const template = new Int32Array(64);
  for (let r = 1; r < 32; r++) setReg(template, xlen, r, (BigInt(r) * 0x0101010101010101n) & mask(X));
  const x = new Int32Array(64);
  for (let sh = 0; sh < maxSh; sh++) {
    REG_CASES.forEach(([rd, rs1, rs2Field], regCase) => {
      // Immediate forms get every shift amount but fewer register cases and values.
      if (isImm && rd !== 5 && rd !== 10 && rd !== 0) return;
      const rs2 = isImm || unary ? 0 : rs2Field;
      const w = (e.match | (rd << 7) | (rs1 << 15) | ((isImm ? sh : rs2) << 20)) >>> 0;
      assert.equal(decode(w, xlen), e, `rv${xlen} ${e.name}: built word ${w.toString(16)} decodes as something else`);
      const insn = compile(e.name, w, xlen);
      // All edge pairs with the first register case; edge x a few edges and random pairs with the others.
      const pairs: [bigint, bigint][] = [];
      const nEdge = isImm ? 12 : edges.length;
      for (let i = 0; i < nEdge; i++) {
        const a = edges[isImm ? (i * 7 + sh) % edges.length : i]!;
        if (isImm || unary) pairs.push([a, 0n]);
        else if (regCase === 0) for (const b of edges) pairs.push([a, b]);
        else for (let j = 0; j < 4; j++) pairs.push([a, edges[(i * 5 + j * 17 + regCase) % edges.length]!]);
      }
      for (let i = 0; i < (isImm ? 24 : regCase === 0 ? 600 : 100); i++) pairs.push([randomValue(rnd, xlen), randomValue(rnd, xlen)]);
      const dst = xlen === 32 ? [rd] : [2 * rd, 2 * rd + 1];
      for (const [va, vb] of pairs) {
        x.set(template);
        setReg(x, xlen, rs1, va);
        if (!isImm && !unary) setReg(x, xlen, rs2, vb);
        const a = getReg(x, xlen, rs1), b = isImm ? BigInt(sh) : getReg(x, xlen, rs2);
        const before = Int32Array.from(x);
        insn.run({ x });
        const want = rd === 0 ? 0n : ref(a, b, X);
        const got = getReg(x, xlen, rd);
        if (got !== want) {
          assert.fail(`rv${xlen} ${e.name} rd=x${rd} rs1=x${rs1} rs2=x${rs2}${isImm ? ` shamt=${sh}` : ''} a=0x${a.toString(16)} b=0x${b.toString(16)}: ` +
            `got 0x${got.toString(16)}, want 0x${want.toString(16)}\n${insn.source}`);
        }
        for (let i = 0; i < 64; i++) {
          if (x[i] !== before[i] && (rd === 0 || !dst.includes(i))) assert.fail(`rv${xlen} ${e.name}: x[${i}] changed\n${insn.source}`);
        }
      }
    });
  }
}

for (const xlen of XLENS) {
  test(`rv${xlen}: every bit-manipulation instruction computes what the reference does`, () => {
    const rnd = xorshift(0xb17 + xlen);
    const encs = [...ENC_BY_NAME(xlen).values()];
    assert.equal(encs.length, xlen === 64 ? 43 : 32);
    for (const e of encs) checkInstruction(xlen, e, rnd);
  });
}

test('BITMANIP_SEMANTICS covers exactly the Zba/Zbb/Zbc/Zbs encodings, and REF every one', () => {
  const names = new Set(ENCODINGS.filter((e) => BITMANIP_EXTS.has(e.ext)).map((e) => e.name));
  assert.deepEqual(Object.keys(BITMANIP_SEMANTICS).sort(), [...names].sort());
  assert.deepEqual(Object.keys(REF).sort(), [...names].sort());
});

test('emitters write nothing for rd = x0 and stay within the instruction scope', () => {
  for (const xlen of XLENS) {
    for (const e of ENC_BY_NAME(xlen).values()) {
      assert.equal(compile(e.name, (e.match | (9 << 15) | (e.format === 'R' ? 8 << 20 : 0)) >>> 0, xlen).source, 'const x = s.x;\n{\n}\n', e.name);
    }
  }
});

test('decode: XLEN-specific forms, shift limits, and what stays illegal', () => {
  const name = (w: number, xlen: Xlen): string | undefined => decode(w >>> 0, xlen)?.name;
  assert.equal(name(0x6b85d513, 64), 'rev8');
  assert.equal(name(0x6b85d513, 32), undefined);
  assert.equal(name(0x6985d513, 32), 'rev8');
  assert.equal(name(0x6985d513, 64), undefined);
  assert.equal(name(0x0805c53b, 64), 'zext.h');
  assert.equal(name(0x0805c53b, 32), undefined);
  assert.equal(name(0x0805c533, 32), 'zext.h');
  assert.equal(name(0x0805c533, 64), undefined); // pack a0,a1,zero (Zbkb)
  assert.equal(name(0x08c5c533, 32), undefined); // pack
  assert.equal(name(0x08c5f533, 64), undefined); // packh
  assert.equal(name(0x6875d513, 64), undefined); // brev8
  assert.equal(name(0x08f59513, 32), undefined); // zip
  assert.equal(name(0x28c5a533, 64), undefined); // xperm4
  assert.equal(name(0x6205d513, 64), 'rori'); // rori a0,a1,32
  assert.equal(name(0x6205d513, 32), undefined);
  assert.equal(name(0x6405d513, 64), undefined); // shamt bit 6
  assert.equal(name(0x4a059513, 64), 'bclri');
  assert.equal(name(0x4a059513, 32), undefined);
  assert.equal(name(0x0a05951b, 64), 'slli.uw'); // slli.uw a0,a1,32
  assert.equal(name(0x0c05951b, 64), undefined); // slli.uw with shamt bit 6
  assert.equal(name(0x0805951b, 32), undefined);
  assert.equal(name(0x6205d51b, 64), undefined); // roriw with shamt bit 5
  assert.equal(name(0x60359513, 64), undefined); // clz's rs2 field is an opcode field
  assert.equal(name(0x08c5853b, 32), undefined); // add.uw on RV32
  assert.equal(name(0x0805853b, 64), 'add.uw'); // zext.w
  // Zicbom/Zicboz: QEMU 7.2 has neither; Zihintpause's pause is a fence.
  for (const w of [0x0015200f, 0x0021200f, 0x0000200f, 0x004fa00f]) {
    assert.equal(name(w, 64), undefined, w.toString(16));
    assert.equal(name(w, 32), undefined, w.toString(16));
  }
  assert.equal(name(0x0100000f, 64), 'fence');
  assert.equal(name(0x0100000f, 32), 'fence');
});

// ---------------------------------------------------------------------------
// The bit-manipulation encoding space, as QEMU 7.2 and objdump 2.40 see it.

/**
 * Every OP-IMM/OP-IMM-32 word with funct3 001/101 (all 4096 immediates), every OP/OP-32
 * funct3 x funct7 (rs2 = 0 and two random rs2), and MISC-MEM funct3 010 (the cbo.* space);
 * rs1/rd random.
 */
function spaceWords(xlen: Xlen): number[] {
  const rnd = xorshift(0xb17 ^ xlen);
  const regs = (): number => rnd() & 0x000f8f80;
  const out: number[] = [];
  for (const op of [0x13, 0x1b]) for (const f3 of [1, 5]) for (let imm = 0; imm < 4096; imm++) out.push(((imm << 20) | regs() | (f3 << 12) | op) >>> 0);
  for (const op of [0x33, 0x3b]) {
    for (let f3 = 0; f3 < 8; f3++) {
      for (let f7 = 0; f7 < 128; f7++) {
        for (let i = 0; i < 3; i++) {
          const rs2 = i === 0 ? 0 : rnd() & 31;
          out.push(((f7 << 25) | (rs2 << 20) | regs() | (f3 << 12) | op) >>> 0);
        }
      }
    }
  }
  for (let imm = 0; imm < 4096; imm += imm < 16 ? 1 : 61) {
    for (const rd0 of [true, false]) {
      let w = (imm << 20) | regs() | (2 << 12) | 0x0f;
      if (rd0) w &= ~(31 << 7);
      out.push(w >>> 0);
    }
  }
  return out;
}

const MARCH = 'gc_zba_zbb_zbc_zbs_zicbom_zicboz';
/** QEMU 7.2's default CPU minus what the emulator lacks (H, Zfh, Sstc): Zba/Zbb/Zbc/Zbs stay on. */
const CPU_FLAGS = QEMU_PROBE_CPU_FLAGS;
const QEMU_FIXTURE = join(FIX, 'qemu-bitmanip-legality.json');

function runQemu(xlen: Xlen, words: readonly number[]): string {
  return qemuLegality(xlen, words.map((w) => [4, w] as const));
}

/** objdump -d of the words assembled as instructions (.insn) into an object for `march`. */
function objdumpWords(words: readonly number[], xlen: Xlen): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvfix-'));
  try {
    writeFileSync(join(dir, 'w.S'), words.map((w) => `.insn 0x${(w >>> 0).toString(16)}\n`).join(''));
    execFileSync('riscv64-unknown-elf-gcc', ['-c', `-march=rv${xlen}${MARCH}`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, '-Wa,-mpriv-spec=1.12', '-o', 'w.o', 'w.S'], { cwd: dir });
    // Without symbols objdump prints targets as it does for raw binaries.
    execFileSync('riscv64-unknown-elf-objcopy', ['--strip-all', 'w.o'], { cwd: dir });
    const out = execFileSync('riscv64-unknown-elf-objdump', ['-d', '--adjust-vma=0x80000000', 'w.o'], { cwd: dir, maxBuffer: 1 << 30 }).toString();
    return out.split('\n').filter((l) => /^\s*[0-9a-f]+:\t/.test(l)).map((l) => l.replace(/^\s*[0-9a-f]+:\t/, '')).join('\n') + '\n';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.RISCV_REGEN_QEMU === '1') {
  const version = execFileSync('qemu-system-riscv64', ['--version']).toString().split('\n')[0]!;
  const fx: Record<string, unknown> = { qemu: version, cpuFlags: CPU_FLAGS };
  for (const xlen of XLENS) {
    const words = spaceWords(xlen);
    const verdicts = runQemu(xlen, words);
    const bytes = Buffer.alloc(Math.ceil(words.length / 8));
    for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === '.') bytes[i >> 3]! |= 1 << (i & 7);
    fx[`rv${xlen}`] = { probes: words.length, legal: bytes.toString('base64') };
  }
  writeFileSync(QEMU_FIXTURE, JSON.stringify(fx, null, 1) + '\n');
}

if (process.env.RISCV_REGEN_FIXTURES === '1') {
  const dir = mkdtempSync(join(tmpdir(), 'rvfix-'));
  try {
    for (const xlen of XLENS) {
      execFileSync('riscv64-unknown-elf-gcc', ['-c', `-march=rv${xlen}${MARCH}`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, '-Wa,-mpriv-spec=1.12',
        '-o', `bitmanip.rv${xlen}.o`, join(FIX, 'bitmanip.S')], { cwd: dir });
      writeFileSync(join(FIX, `bitmanip.rv${xlen}.objdump.txt`), execFileSync('riscv64-unknown-elf-objdump', ['-d', `bitmanip.rv${xlen}.o`], { cwd: dir }));
      writeFileSync(join(FIX, `bitmanip-space.rv${xlen}.objdump.txt.gz`), gzipSync(objdumpWords(spaceWords(xlen), xlen), { level: 9 }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Results QEMU 7.2 computes, for a deterministic set of operands (pins down its quirks).

const QEMU_VALUES = join(FIX, 'qemu-bitmanip-values.json');

interface ValueCase { readonly e: Encoding; readonly w: number; readonly a: bigint; readonly b: bigint }

/** 24 cases per instruction: rd = a0, rs1 = a1, rs2 = a2 (or a shift amount). */
function valueCases(xlen: Xlen): ValueCase[] {
  const rnd = xorshift(0x7a1 + xlen);
  const m = mask(BigInt(xlen));
  const edges = edgeValues(xlen);
  const value = (i: number): bigint => {
    const r = (BigInt(rnd()) << 32n) | BigInt(rnd());
    return (i % 4 === 0 ? edges[rnd() % edges.length]! : i % 4 === 1 ? r << 32n : i % 4 === 2 ? r >> 32n : r) & m;
  };
  const out: ValueCase[] = [];
  for (const e of ENC_BY_NAME(xlen).values()) {
    const maxSh = e.name === 'roriw' ? 32 : xlen;
    for (let i = 0; i < 24; i++) {
      const a = value(i), b = value(i + 1);
      const sh = [0, 1, maxSh - 1, 31, rnd() % maxSh][i % 5]!;
      const f2 = e.format === 'Ishift' ? sh : e.format === 'R1' ? 0 : 12;
      out.push({ e, w: (e.match | (10 << 7) | (11 << 15) | (f2 << 20)) >>> 0, a, b });
    }
  }
  return out;
}

/** Runs the cases under QEMU; returns each a0 as XLEN/4 hex digits, little-endian bytes. */
function runQemuValues(xlen: Xlen, cases: readonly ValueCase[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvqemu-'));
  try {
    const sd = xlen === 64 ? 'sd' : 'sw';
    let asm = '.option norvc\n.globl _start\n_start:\n  la s0, results\n';
    for (const c of cases) asm += `  li a1, 0x${c.a.toString(16)}\n  li a2, 0x${c.b.toString(16)}\n  .insn 0x${c.w.toString(16)}\n  ${sd} a0, 0(s0)\n  addi s0, s0, ${xlen / 8}\n`;
    // Print the results as hex bytes on the UART, then stop QEMU through the sifive_test device.
    asm += `  mv s1, s0\n  la s0, results\n  li t0, 0x10000000\n  la t2, hex\n1: lbu t1, 0(s0)\n  srli t3, t1, 4\n  add t3, t2, t3\n  lbu t3, 0(t3)\n  sb t3, 0(t0)\n` +
      `  andi t3, t1, 15\n  add t3, t2, t3\n  lbu t3, 0(t3)\n  sb t3, 0(t0)\n  addi s0, s0, 1\n  bltu s0, s1, 1b\n  li t1, 10\n  sb t1, 0(t0)\n` +
      `  li t0, 0x100000\n  li t1, 0x5555\n  sw t1, 0(t0)\n2: j 2b\n  .data\nhex: .ascii "0123456789abcdef"\n  .align 4\nresults: .space ${cases.length * 8}\n`;
    writeFileSync(join(dir, 'values.S'), asm);
    execFileSync('riscv64-unknown-elf-gcc', [`-march=rv${xlen}gc`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, '-nostdlib', '-nostartfiles',
      '-T', join(FIX, 'qemu', 'link.ld'), '-o', 'values.elf', 'values.S'], { cwd: dir, stdio: 'pipe' });
    execFileSync(`qemu-system-riscv${xlen}`, ['-M', 'virt', '-m', '256M', '-display', 'none', '-monitor', 'none', '-bios', 'none',
      '-cpu', `rv${xlen},${CPU_FLAGS}`, '-serial', 'file:out.txt', '-kernel', 'values.elf'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
    const out = readFileSync(join(dir, 'out.txt'), 'utf8').trim();
    if (out.length !== cases.length * xlen / 4 || /[^0-9a-f]/.test(out)) throw new Error(`unexpected QEMU output (${out.length} chars)`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.RISCV_REGEN_QEMU === '1') {
  const version = execFileSync('qemu-system-riscv64', ['--version']).toString().split('\n')[0]!;
  const fx: Record<string, unknown> = { qemu: version, cpuFlags: CPU_FLAGS, note: 'a0 after each case of valueCases() in bitmanip.test.ts, little-endian hex' };
  for (const xlen of XLENS) fx[`rv${xlen}`] = runQemuValues(xlen, valueCases(xlen));
  writeFileSync(QEMU_VALUES, JSON.stringify(fx, null, 1) + '\n');
}

for (const xlen of XLENS) {
  test(`rv${xlen}: generated code and the references give QEMU 7.2's results`, () => {
    const hex = (JSON.parse(readFileSync(QEMU_VALUES, 'utf8')) as Record<string, string>)[`rv${xlen}`]!;
    const cases = valueCases(xlen);
    const digits = xlen / 4;
    assert.equal(hex.length, cases.length * digits, 'case list changed: regenerate the fixture');
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const le = hex.slice(i * digits, (i + 1) * digits);
      let want = 0n;
      for (let j = digits / 2 - 1; j >= 0; j--) want = (want << 8n) | BigInt(parseInt(le.slice(2 * j, 2 * j + 2), 16));
      const x = new Int32Array(64);
      setReg(x, xlen, 11, c.a);
      setReg(x, xlen, 12, c.b);
      compile(c.e.name, c.w, xlen).run({ x });
      const got = getReg(x, xlen, 10);
      const sh = BigInt((c.w >>> 20) & (xlen - 1));
      const ref = REF[c.e.name]!(c.a, c.e.format === 'Ishift' ? sh : c.e.format === 'R1' ? 0n : c.b, BigInt(xlen));
      if (got !== want || ref !== want) {
        bad.push(`${c.e.name} ${c.w.toString(16)} a=0x${c.a.toString(16)} b=0x${c.b.toString(16)}: QEMU 0x${want.toString(16)}, code 0x${got.toString(16)}, reference 0x${ref.toString(16)}`);
      }
    });
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} of ${cases.length} differ`);
  });
}

test('ctzw counts in the whole register, as QEMU 7.2 does', () => {
  const e = ENC_BY_NAME(64).get('ctzw')!;
  const insn = compile('ctzw', (e.match | (10 << 7) | (11 << 15)) >>> 0, 64);
  for (const [a, want] of [[0n, 32n], [1n, 0n], [0x80000000n, 31n], [0x100000000n, 32n], [0x200000000n, 33n], [0x8000000000000000n, 63n], [0xffffffff00000000n, 32n]] as const) {
    const x = new Int32Array(64);
    setReg(x, 64, 11, a);
    insn.run({ x });
    assert.equal(getReg(x, 64, 10), want, `ctzw 0x${a.toString(16)}`);
  }
});

function readFixture(name: string): string {
  const buf = readFileSync(join(FIX, name));
  return name.endsWith('.gz') ? gunzipSync(buf).toString() : buf.toString();
}

/** `addr:\tbytes \ttext` lines of objdump -d (the address column is optional: then addresses run on from 0x80000000). */
function objdumpLines(out: string): { addr: bigint; word: number; text: string }[] {
  const lines: { addr: bigint; word: number; text: string }[] = [];
  let next = 0x80000000n;
  for (const raw of out.split('\n')) {
    const m = /^(?:\s*([0-9a-f]+):\t)?([0-9a-f]{8})\s+\t(.*)$/.exec(raw);
    if (!m) continue;
    const addr = m[1] !== undefined ? BigInt('0x' + m[1]) : next;
    next = addr + 4n;
    lines.push({ addr, word: parseInt(m[2]!, 16) >>> 0, text: m[3]!.replace(/ # .*$/, '').replace(/ <[^>]*>$/, '') });
  }
  return lines;
}

for (const xlen of XLENS) {
  test(`rv${xlen}: decode agrees with QEMU 7.2 across the bit-manipulation encoding space`, () => {
    const fx = JSON.parse(readFileSync(QEMU_FIXTURE, 'utf8')) as Record<string, { probes: number; legal: string }>;
    const words = spaceWords(xlen);
    assert.equal(words.length, fx[`rv${xlen}`]!.probes, 'probe list changed: regenerate the fixture');
    const bits = Buffer.from(fx[`rv${xlen}`]!.legal, 'base64');
    const diffs = new Map<string, string[]>();
    words.forEach((w, i) => {
      const qemuLegal = (bits[i >> 3]! & (1 << (i & 7))) !== 0;
      const ours = decode(w, xlen) !== undefined;
      if (ours !== qemuLegal) {
        const key = `${qemuLegal ? 'QEMU legal' : 'QEMU illegal'}: ${decode(w, xlen)?.name ?? disassemble(w, 4, xlen).split('\t')[0]}`;
        diffs.set(key, [...(diffs.get(key) ?? []), w.toString(16)].slice(0, 5));
      }
    });
    assert.deepEqual(Object.fromEntries(diffs), {});
    // The space holds every bit-manipulation encoding QEMU accepts.
    const seen = new Set(words.map((w) => decode(w, xlen)?.name));
    for (const name of ENC_BY_NAME(xlen).keys()) assert.ok(seen.has(name), `space lacks ${name}`);
  });

  test(`rv${xlen}: disassemble() matches objdump on the bit-manipulation program and encoding space`, () => {
    const bad: string[] = [];
    for (const file of [`bitmanip.rv${xlen}.objdump.txt`, `bitmanip-space.rv${xlen}.objdump.txt.gz`]) {
      const lines = objdumpLines(readFixture(file));
      assert.ok(lines.length > (file.endsWith('.gz') ? 20000 : 60), file);
      for (const l of lines) {
        const got = disassemble(l.word, 4, xlen, l.addr);
        if (got !== l.text) bad.push(`${file} ${l.word.toString(16)}: expected ${JSON.stringify(l.text)}, got ${JSON.stringify(got)}`);
      }
    }
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} lines differ`);
  });
}

test('the encoding-space words are those the fixtures were made from', () => {
  for (const xlen of XLENS) {
    const lines = objdumpLines(readFixture(`bitmanip-space.rv${xlen}.objdump.txt.gz`));
    assert.deepEqual(lines.map((l) => l.word), spaceWords(xlen));
  }
});
