/**
 * The M extension on RV32 and RV64: every multiply and divide over edge-value pairs (negative,
 * maximum, minimum, zero divisor, MIN / -1 overflow), against a BigInt reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPairs, edgeValues, runPairs } from './test-support/harness.js';
import { type Xlen } from './test-support/asm.js';

function reference(xlen: Xlen): Record<string, (a: bigint, b: bigint) => bigint> {
  const X = BigInt(xlen);
  const u = (v: bigint): bigint => BigInt.asUintN(xlen, v);
  const s = (v: bigint): bigint => BigInt.asIntN(xlen, v);
  const min = -(1n << (X - 1n));
  return {
    mul: (a, b) => u(s(a) * s(b)),
    mulh: (a, b) => u((s(a) * s(b)) >> X),
    mulhsu: (a, b) => u((s(a) * u(b)) >> X),
    mulhu: (a, b) => u((u(a) * u(b)) >> X),
    div: (a, b) => (s(b) === 0n ? u(-1n) : s(a) === min && s(b) === -1n ? u(min) : u(s(a) / s(b))),
    divu: (a, b) => (u(b) === 0n ? u(-1n) : u(a) / u(b)),
    rem: (a, b) => (s(b) === 0n ? u(a) : s(a) === min && s(b) === -1n ? 0n : u(s(a) % s(b))),
    remu: (a, b) => (u(b) === 0n ? u(a) : u(a) % u(b)),
  };
}

/** RV64 *W forms: the 32-bit operation on the low words, sign-extended. */
function referenceW(): Record<string, (a: bigint, b: bigint) => bigint> {
  const r32 = reference(32);
  const sx = (v: bigint): bigint => BigInt.asUintN(64, BigInt.asIntN(32, v));
  const lo = (v: bigint): bigint => BigInt.asUintN(32, v);
  return {
    mulw: (a, b) => sx(r32.mul!(lo(a), lo(b))),
    divw: (a, b) => sx(r32.div!(lo(a), lo(b))),
    divuw: (a, b) => sx(r32.divu!(lo(a), lo(b))),
    remw: (a, b) => sx(r32.rem!(lo(a), lo(b))),
    remuw: (a, b) => sx(r32.remu!(lo(a), lo(b))),
  };
}

async function checkAll(xlen: Xlen, refs: Record<string, (a: bigint, b: bigint) => bigint>, extra: bigint[] = []): Promise<void> {
  const pairs = allPairs([...edgeValues(xlen), ...extra]);
  const ops = Object.keys(refs);
  const res = await runPairs(xlen, ops.map((op) => `${op} a2, a0, a1`), pairs);
  const bad: string[] = [];
  ops.forEach((op, i) => pairs.forEach(([a, b], j) => {
    const got = res[i]![j]![0], want = refs[op]!(a, b);
    const h = (v: bigint): string => '0x' + BigInt.asUintN(xlen, v).toString(16);
    if (got !== want) bad.push(`${op} ${h(a)}, ${h(b)}: got ${h(got)}, want ${h(want)}`);
  }));
  assert.deepEqual(bad.slice(0, 12), [], `${bad.length} mismatches`);
}

for (const xlen of [32, 64] as const) {
  test(`RV${xlen} mul/mulh/mulhsu/mulhu/div/divu/rem/remu on edge values`, async () => {
    await checkAll(xlen, reference(xlen), [-0x10000n, 0xffffn, 0x10001n, 46341n]);
  });

  test(`RV${xlen} division by zero and signed overflow follow the spec table`, async () => {
    const min = -(1n << BigInt(xlen - 1));
    const m = (1n << BigInt(xlen)) - 1n;
    const pairs: [bigint, bigint][] = [[7n, 0n], [-7n, 0n], [0n, 0n], [min, -1n], [min, 1n], [-1n, -1n]];
    const ops = ['div', 'divu', 'rem', 'remu'];
    const res = await runPairs(xlen, ops.map((op) => `${op} a2, a0, a1`), pairs);
    const col = (op: string): bigint[] => res[ops.indexOf(op)]!.map((r) => r[0]);
    assert.deepEqual(col('div'), [m, m, m, min & m, min & m, 1n]);
    assert.deepEqual(col('divu'), [m, m, m, 0n, min & m, 1n]);
    assert.deepEqual(col('rem'), [7n, -7n & m, 0n, 0n, 0n, 0n]);
    assert.deepEqual(col('remu'), [7n, -7n & m, 0n, min & m, 0n, 0n]);
  });

  test(`RV${xlen} a multiply whose destination is a source, and rd = x0`, async () => {
    const pairs: [bigint, bigint][] = [[-3n, 5n], [0x12345n, 0x6789n]];
    const res = await runPairs(xlen, [
      'mv a2, a0\n  mul a2, a2, a1',
      'mv a2, a1\n  mulhu a2, a0, a2',
      'mv a2, a0\n  div x0, a2, a1\n  rem a3, a2, a1',
    ], pairs);
    const ref = reference(xlen);
    pairs.forEach(([a, b], j) => {
      assert.equal(res[0]![j]![0], ref.mul!(a, b));
      assert.equal(res[1]![j]![0], ref.mulhu!(a, b));
      assert.equal(res[2]![j]![0], BigInt.asUintN(xlen, a));
      assert.equal(res[2]![j]![1], ref.rem!(a, b));
    });
  });
}

test('RV64 mulw/divw/divuw/remw/remuw use the low words and sign-extend', async () => {
  await checkAll(64, referenceW());
});
