/**
 * RV64-only arithmetic: the *W instructions (32-bit operation, result sign-extended to 64 bits),
 * `li` of arbitrary 64-bit constants (lui/addiw/slli/addi sequences) and 64-bit shifts across
 * the word boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPairs, edgeValues, runPairs, runProgram } from './test-support/harness.js';
import { liLength } from './test-support/asm.js';

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** Sign-extend the low 32 bits to an unsigned 64-bit register value. */
const w = (v: bigint): bigint => u64(BigInt.asIntN(32, v));
const lo = (v: bigint): bigint => BigInt.asUintN(32, v);

const W_REF: Record<string, (a: bigint, b: bigint) => bigint> = {
  addw: (a, b) => w(a + b),
  subw: (a, b) => w(a - b),
  sllw: (a, b) => w(lo(a) << (b & 31n)),
  srlw: (a, b) => w(lo(a) >> (b & 31n)),
  sraw: (a, b) => w(BigInt.asIntN(32, a) >> (b & 31n)),
};

function report(name: string, pairs: readonly (readonly [bigint, bigint])[], got: [bigint, bigint][], want: (a: bigint, b: bigint) => bigint): void {
  const bad: string[] = [];
  pairs.forEach(([a, b], i) => {
    const g = got[i]![0], x = want(a, b);
    if (g !== x) bad.push(`${name} a=0x${u64(a).toString(16)} b=0x${u64(b).toString(16)}: got 0x${g.toString(16)}, want 0x${x.toString(16)}`);
  });
  assert.deepEqual(bad.slice(0, 10), [], `${name}: ${bad.length} mismatches`);
}

test('RV64 addw/subw/sllw/srlw/sraw use the low words and sign-extend the 32-bit result', async () => {
  const pairs = allPairs(edgeValues(64));
  const ops = Object.keys(W_REF);
  const res = await runPairs(64, ops.map((op) => `${op} a2, a0, a1`), pairs);
  ops.forEach((op, i) => report(op, pairs, res[i]!, W_REF[op]!));
});

test('RV64 addiw/slliw/srliw/sraiw sign-extend (including shifts by 0 and 31)', async () => {
  const values = edgeValues(64);
  const pairs = values.map((v) => [v, 0n] as [bigint, bigint]);
  const cases: [string, (a: bigint) => bigint][] = [];
  for (const imm of [0n, 1n, -1n, 2047n, -2048n]) cases.push([`addiw a2, a0, ${imm}`, (a) => w(a + imm)]);
  for (const sh of [0n, 1n, 16n, 31n]) {
    cases.push([`slliw a2, a0, ${sh}`, (a) => w(lo(a) << sh)]);
    cases.push([`srliw a2, a0, ${sh}`, (a) => w(lo(a) >> sh)]);
    cases.push([`sraiw a2, a0, ${sh}`, (a) => w(BigInt.asIntN(32, a) >> sh)]);
  }
  cases.push(['sext.w a2, a0', (a) => w(a)], ['negw a2, a0', (a) => w(-a)]);
  const res = await runPairs(64, cases.map(([b]) => b), pairs);
  cases.forEach(([body, want], i) => report(body, pairs, res[i]!, (a) => want(a)));
});

test('RV64 li materialises any 64-bit constant', async () => {
  const consts = [
    0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7ffff800n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn,
    0x100000000n, 0x123456789abcdef0n, -0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffff00000000n,
    0x0000000100000001n, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, 0x8000000000000800n, 0x7ffffffffffff800n,
    0xfffffffffffff7ffn, 0x0000800000000000n, -0x123456789n, 0x00000000fffff800n,
  ];
  const regs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't0', 't1', 't2', 't3', 't4', 'gp', 'tp'];
  const r = await runProgram(64, consts.map((c, i) => `li ${regs[i]}, ${c}`).join('\n') + '\nexit');
  consts.forEach((c, i) => assert.equal(r.x(regs[i]!), u64(c), `li ${c.toString(16)} (${liLength(64, c)} insns)`));
});

test('RV32 li materialises any 32-bit constant (unsigned spellings wrap)', async () => {
  const consts = [0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7ffff800n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 0x12345678n, 0xfffff800n];
  const regs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6'];
  const r = await runProgram(32, consts.map((c, i) => `li ${regs[i]}, ${c}`).join('\n') + '\nexit');
  consts.forEach((c, i) => assert.equal(r.x(regs[i]!), BigInt.asUintN(32, c), `li ${c}`));
});

test('RV64 64-bit shifts move bits across the word boundary (sll/srl/sra by 31, 32, 33, 63)', async () => {
  const r = await runProgram(64, `
    li a0, 0x00000000ffffffff
    slli a1, a0, 32
    slli a2, a0, 33
    srli a3, a1, 31
    li t0, 0x8000000000000001
    srai a4, t0, 63
    srli a5, t0, 63
    srai a6, t0, 32
    slli a7, t0, 63
    li t1, 63
    sra s2, t0, t1
    li t1, 32
    srl s3, t0, t1
    sll s4, a0, t1
    exit
  `);
  assert.equal(r.x('a1'), 0xffffffff00000000n);
  assert.equal(r.x('a2'), 0xfffffffe00000000n);
  assert.equal(r.x('a3'), 0x1fffffffen);
  assert.equal(r.x('a4'), u64(-1n));
  assert.equal(r.x('a5'), 1n);
  assert.equal(r.x('a6'), 0xffffffff80000000n);
  assert.equal(r.x('a7'), 0x8000000000000000n);
  assert.equal(r.x('s2'), u64(-1n));
  assert.equal(r.x('s3'), 0x80000000n);
  assert.equal(r.x('s4'), 0xffffffff00000000n);
});

test('RV64 add/sub carry and borrow across the 32-bit halves', async () => {
  const r = await runProgram(64, `
    li a0, 0x00000000ffffffff
    addi a1, a0, 1
    li t0, 0x0000000100000000
    addi a2, t0, -1
    li t1, 0x7fffffffffffffff
    addi a3, t1, 1
    sub a4, zero, t0
    li t2, 0xffffffff80000000
    add a5, t2, t2
    sltiu a6, a0, -1
    slti a7, t2, 0
    exit
  `);
  assert.equal(r.x('a1'), 0x100000000n);
  assert.equal(r.x('a2'), 0xffffffffn);
  assert.equal(r.x('a3'), 0x8000000000000000n);
  assert.equal(r.x('a4'), 0xffffffff00000000n);
  assert.equal(r.x('a5'), 0xffffffff00000000n);
  assert.equal(r.x('a6'), 1n);
  assert.equal(r.x('a7'), 1n);
});
