/**
 * Integer computational instructions (RV32I / RV64I register-register and register-immediate
 * forms, lui, auipc) run on the virt machine over edge-value operand pairs and compared with a
 * BigInt reference written from the ISA manual.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPairs, edgeValues, runPairs, runProgram, RAM_BASE } from './test-support/harness.js';
import { type Xlen } from './test-support/asm.js';

const XLENS: Xlen[] = [32, 64];
const u = (xlen: Xlen, v: bigint): bigint => BigInt.asUintN(xlen, v);
const s = (xlen: Xlen, v: bigint): bigint => BigInt.asIntN(xlen, v);

/** Reference semantics: operands and results as unsigned XLEN values. */
function ref(xlen: Xlen, op: string, a: bigint, b: bigint): bigint {
  const X = BigInt(xlen), shMask = X - 1n;
  switch (op) {
    case 'add': return u(xlen, a + b);
    case 'sub': return u(xlen, a - b);
    case 'sll': return u(xlen, u(xlen, a) << (b & shMask));
    case 'srl': return u(xlen, a) >> (b & shMask);
    case 'sra': return u(xlen, s(xlen, a) >> (b & shMask));
    case 'slt': return s(xlen, a) < s(xlen, b) ? 1n : 0n;
    case 'sltu': return u(xlen, a) < u(xlen, b) ? 1n : 0n;
    case 'xor': return u(xlen, a ^ b);
    case 'or': return u(xlen, a | b);
    case 'and': return u(xlen, a & b);
    default: throw new Error(op);
  }
}

function check(xlen: Xlen, what: string, pairs: readonly (readonly [bigint, bigint])[], got: [bigint, bigint][],
  want: (a: bigint, b: bigint) => bigint): void {
  const bad: string[] = [];
  pairs.forEach(([a, b], i) => {
    const w = want(a, b), g = got[i]![0];
    if (g !== w) bad.push(`${what} a=0x${u(xlen, a).toString(16)} b=0x${u(xlen, b).toString(16)}: got 0x${g.toString(16)}, want 0x${w.toString(16)}`);
  });
  assert.deepEqual(bad.slice(0, 10), [], `RV${xlen} ${what}: ${bad.length} mismatches`);
}

const REG_OPS = ['add', 'sub', 'sll', 'srl', 'sra', 'slt', 'sltu', 'xor', 'or', 'and'];

for (const xlen of XLENS) {
  test(`RV${xlen} register-register ALU ops match the reference on edge values (overflow, shift masking, signed edges)`, async () => {
    const pairs = allPairs(edgeValues(xlen));
    const res = await runPairs(xlen, REG_OPS.map((op) => `${op} a2, a0, a1`), pairs);
    REG_OPS.forEach((op, i) => check(xlen, op, pairs, res[i]!, (a, b) => ref(xlen, op, a, b)));
  });

  test(`RV${xlen} register-immediate ALU ops sign-extend the 12-bit immediate`, async () => {
    const imms = [0n, 1n, -1n, 2047n, -2048n, 0x555n, -0x556n, 31n];
    const ops: [string, string][] = [['addi', 'add'], ['slti', 'slt'], ['sltiu', 'sltu'], ['xori', 'xor'], ['ori', 'or'], ['andi', 'and']];
    const values = edgeValues(xlen);
    const pairs = values.map((v) => [v, 0n] as [bigint, bigint]);
    const bodies: string[] = [], wants: ((a: bigint) => bigint)[] = [], names: string[] = [];
    for (const [iop, rop] of ops) {
      for (const imm of imms) {
        bodies.push(`${iop} a2, a0, ${imm}`);
        wants.push((a) => ref(xlen, rop, a, imm));
        names.push(`${iop} ${imm}`);
      }
    }
    const res = await runPairs(xlen, bodies, pairs);
    bodies.forEach((_, i) => check(xlen, names[i]!, pairs, res[i]!, (a) => wants[i]!(a)));
  });

  test(`RV${xlen} shift-immediates by 0, 1, 31${xlen === 64 ? ', 32 and 63' : ''}`, async () => {
    const shamts = xlen === 64 ? [0n, 1n, 31n, 32n, 33n, 63n] : [0n, 1n, 7n, 31n];
    const values = edgeValues(xlen);
    const pairs = values.map((v) => [v, 0n] as [bigint, bigint]);
    const bodies: string[] = [], names: string[] = [], wants: ((a: bigint) => bigint)[] = [];
    for (const op of ['slli', 'srli', 'srai']) {
      for (const sh of shamts) {
        bodies.push(`${op} a2, a0, ${sh}`);
        names.push(`${op} ${sh}`);
        wants.push((a) => ref(xlen, op.slice(0, 3), a, sh));
      }
    }
    const res = await runPairs(xlen, bodies, pairs);
    bodies.forEach((_, i) => check(xlen, names[i]!, pairs, res[i]!, (a) => wants[i]!(a)));
  });

  test(`RV${xlen} register shifts use only the low ${xlen === 64 ? 6 : 5} bits of rs2`, async () => {
    const amounts = [0n, 1n, BigInt(xlen - 1), BigInt(xlen), BigInt(xlen + 1), -1n, 0x100n + 3n];
    const pairs = amounts.map((b) => [-0x76543211n, b] as [bigint, bigint]);
    const res = await runPairs(xlen, ['sll a2, a0, a1', 'srl a2, a0, a1', 'sra a2, a0, a1'], pairs);
    ['sll', 'srl', 'sra'].forEach((op, i) => check(xlen, op, pairs, res[i]!, (a, b) => ref(xlen, op, a, b)));
  });

  test(`RV${xlen} writes to x0 are discarded and x0 reads as zero`, async () => {
    const r = await runProgram(xlen, `
      li a0, 5
      addi x0, a0, 1
      add zero, a0, a0
      lui x0, 0x12345
      auipc x0, 1
      slli x0, a0, 3
      mv a1, x0
      add a2, zero, a0
      sub a3, zero, a0
      exit
    `);
    assert.equal(r.hart.getX(0), 0n);
    assert.equal(r.x('a1'), 0n);
    assert.equal(r.x('a2'), 5n);
    assert.equal(r.x('a3'), u(xlen, -5n));
  });

  test(`RV${xlen} lui and auipc (sign extension of the upper immediate on RV64)`, async () => {
    const r = await runProgram(xlen, `
      lui a0, 0x80000
      lui a1, 0x7ffff
      lui a2, 0xfffff
      lui a3, 0
    here:
      auipc a4, 0
      auipc a5, 0x80000
      auipc a6, 0xfffff
      auipc a7, 0x7ffff
      exit
    `);
    const here = r.label('here');
    assert.equal(here, RAM_BASE + 16n);
    assert.equal(r.x('a0'), u(xlen, -0x80000000n));
    assert.equal(r.x('a1'), 0x7ffff000n);
    assert.equal(r.x('a2'), u(xlen, -0x1000n));
    assert.equal(r.x('a3'), 0n);
    assert.equal(r.x('a4'), here);
    assert.equal(r.x('a5'), u(xlen, here + 4n - 0x80000000n));
    assert.equal(r.x('a6'), u(xlen, here + 8n - 0x1000n));
    assert.equal(r.x('a7'), u(xlen, here + 12n + 0x7ffff000n));
  });

  test(`RV${xlen} an instruction whose destination is also a source reads the old value`, async () => {
    const r = await runProgram(xlen, `
      li a0, 0x1234
      li a1, -3
      add a0, a0, a0
      sub a1, a1, a1
      li a2, 7
      sltu a2, a2, a2
      li a3, -1
      srai a3, a3, 1
      li a4, 1
      sll a4, a4, a4
      exit
    `);
    assert.equal(r.x('a0'), 0x2468n);
    assert.equal(r.x('a1'), 0n);
    assert.equal(r.x('a2'), 0n);
    assert.equal(r.x('a3'), u(xlen, -1n));
    assert.equal(r.x('a4'), 2n);
  });
}
