/**
 * Control transfer: conditional branches over signed/unsigned edge pairs, jal/jalr link values,
 * jalr clearing bit 0, jalr with rd = rs1, and backward loops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPairs, edgeValues, runPairs, runProgram } from './test-support/harness.js';

for (const xlen of [32, 64] as const) {
  const s = (v: bigint): bigint => BigInt.asIntN(xlen, v);
  const u = (v: bigint): bigint => BigInt.asUintN(xlen, v);
  const conds: Record<string, (a: bigint, b: bigint) => boolean> = {
    beq: (a, b) => u(a) === u(b),
    bne: (a, b) => u(a) !== u(b),
    blt: (a, b) => s(a) < s(b),
    bge: (a, b) => s(a) >= s(b),
    bltu: (a, b) => u(a) < u(b),
    bgeu: (a, b) => u(a) >= u(b),
    bgt: (a, b) => s(a) > s(b),
    ble: (a, b) => s(a) <= s(b),
    bgtu: (a, b) => u(a) > u(b),
    bleu: (a, b) => u(a) <= u(b),
  };

  test(`RV${xlen} conditional branches are taken exactly when the condition holds`, async () => {
    const values = edgeValues(xlen).filter((_, i) => i < 20);
    const pairs = [...allPairs(values), ...values.map((v) => [v, v] as [bigint, bigint])];
    const ops = Object.keys(conds);
    // a2 = 1 if taken; the not-taken path also runs a distinct instruction to prove the fall-through
    const res = await runPairs(xlen, ops.map((op) => `
      li a2, 1
      ${op} a0, a1, 9f
      li a2, 0
      li a3, 1
    9:`), pairs);
    const bad: string[] = [];
    ops.forEach((op, i) => pairs.forEach(([a, b], j) => {
      const [taken, fell] = res[i]![j]!;
      const want = conds[op]!(a, b);
      if ((taken === 1n) !== want || (fell === 1n) === want) bad.push(`${op} 0x${u(a).toString(16)}, 0x${u(b).toString(16)}: taken=${taken} want ${want}`);
    }));
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} mismatches`);
  });

  test(`RV${xlen} zero-compare branch pseudos and c.beqz/c.bnez`, async () => {
    const vals: [bigint, bigint][] = [[0n, 0n], [1n, 0n], [-1n, 0n], [-(1n << BigInt(xlen - 1)), 0n], [1n << 32n, 0n]];
    const zs: Record<string, (a: bigint) => boolean> = {
      beqz: (a) => u(a) === 0n, bnez: (a) => u(a) !== 0n, bltz: (a) => s(a) < 0n, bgez: (a) => s(a) >= 0n,
      blez: (a) => s(a) <= 0n, bgtz: (a) => s(a) > 0n, 'c.beqz': (a) => u(a) === 0n, 'c.bnez': (a) => u(a) !== 0n,
    };
    const ops = Object.keys(zs);
    const res = await runPairs(xlen, ops.map((op) => `li a2, 1\n ${op} a0, 9f\n li a2, 0\n9:`), vals);
    ops.forEach((op, i) => vals.forEach(([a], j) => assert.equal(res[i]![j]![0] === 1n, zs[op]!(a), `${op} ${a}`)));
  });

  test(`RV${xlen} jal and jalr write the return address; jalr clears bit 0 and reads rs1 before writing rd`, async () => {
    const r = await runProgram(xlen, `
      jal ra, f1
    back1:
      la t0, f2
      addi t0, t0, 1        # odd target: bit 0 is cleared
      jalr s2, 0(t0)
    back2:
      la ra, f3
      jalr ra, 0(ra)        # rd = rs1
    back3:
      la t1, f4 - 8
      jalr a7, 8(t1)        # offset added before clearing bit 0
    back4:
      exit
    f1:
      mv a0, ra
      ret
    f2:
      mv a1, s2
      jr s2
    f3:
      mv a2, ra
      jr ra
    f4:
      mv a3, a7
      jr a7
    `);
    assert.equal(r.x('a0'), r.label('back1'));
    assert.equal(r.x('a1'), r.label('back2'));
    assert.equal(r.x('a2'), r.label('back3'));
    assert.equal(r.x('a3'), r.label('back4'));
  });

  test(`RV${xlen} a backward loop runs the right number of times (block chaining through the cache)`, async () => {
    const r = await runProgram(xlen, `
      li a0, 0
      li a1, 1000
    loop:
      addi a0, a0, 3
      addi a1, a1, -1
      bnez a1, loop
      exit
    `);
    assert.equal(r.x('a0'), 3000n);
    // boot ROM + 2 + 3 per iteration + the exit sequence's first 3 instructions + the store
    assert.equal(r.icount, 6 + 2 + 3000 + 4);
  });

  test(`RV${xlen} branch and jump offsets at the encodable extremes`, async () => {
    const r = await runProgram(xlen, `
      li a0, 0
      beq zero, zero, far
    back:
      addi a0, a0, 1
      j done
      .space 4080
    far:
      addi a0, a0, 10
      j back
    done:
      exit
    `);
    assert.equal(r.x('a0'), 11n);
  });
}
