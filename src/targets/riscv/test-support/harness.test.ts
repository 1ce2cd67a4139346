/**
 * The test harness itself: exit macros and codes, the default trap handler, `dump`, and
 * `runPairs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ROM_INSNS, EXIT_INSNS, parseDump, runPairs, runProgram, TRAP_EXIT_CODE } from './harness.js';

for (const xlen of [32, 64] as const) {
  test(`RV${xlen} exit ends the run with code 0, exit N with N; the boot ROM hands over a0 = hart id, a1 = DTB`, async () => {
    const r = await runProgram(xlen, 'mv s2, a0\n mv s3, a1\n exit');
    assert.equal(r.code, 0);
    assert.equal(r.x('s2'), 0n);
    assert.equal(r.x('s3'), 0x80e00000n);
    assert.equal(r.icount, BOOT_ROM_INSNS + 2 + EXIT_INSNS);
    assert.equal(r.hart.pc, 0x80000000n + 8n + 4n * BigInt(EXIT_INSNS), 'stopped right after the store to the test device');
    const r2 = await runProgram(xlen, 'li a0, 1\n beqz a0, 1f\n exit 42\n1:\n exit');
    assert.equal(r2.code, 42);
  });

  test(`RV${xlen} an unexpected trap throws with mcause/mepc/mtval; allowTrap returns instead`, async () => {
    await assert.rejects(runProgram(xlen, 'nop\n lw a0, 0(zero)'), /guest trapped: mcause=0x5 mepc=0x80000004 mtval=0x0/);
    const r = await runProgram(xlen, 'c.nop\n ebreak', { allowTrap: true });
    assert.ok(r.trapped);
    assert.equal(r.code, TRAP_EXIT_CODE);
    assert.equal(r.hart.mcause, 3n);
    assert.equal(r.hart.mepc, 0x80000002n);
  });

  test(`RV${xlen} a runaway program stops at maxInsns`, async () => {
    await assert.rejects(runProgram(xlen, 'j .', { maxInsns: 5000 }), /5000 instructions/);
  });

  test(`RV${xlen} dump prints every register as QEMU's console would`, async () => {
    const r = await runProgram(xlen, 'li s2, -2\n li t4, 0x1234\n dump');
    const regs = parseDump(r.uart);
    assert.equal(regs.length, 32);
    assert.equal(regs[18], BigInt.asUintN(xlen, -2n));
    assert.equal(regs[29], 0x1234n);
    assert.equal(r.uart.split('\n')[0]!.length, xlen / 4);
  });

  test(`RV${xlen} runPairs runs each body once per pair with a0/a1 loaded and a2/a3 saved`, async () => {
    const pairs: [bigint, bigint][] = [[1n, 2n], [-1n, 5n], [0x7fffffffn, 1n]];
    const res = await runPairs(xlen, ['add a2, a0, a1\n sub a3, a0, a1', 'mv a2, a1'], pairs);
    const u = (v: bigint): bigint => BigInt.asUintN(xlen, v);
    assert.deepEqual(res[0], pairs.map(([a, b]) => [u(a + b), u(a - b)]));
    assert.deepEqual(res[1], pairs.map(([, b]) => [u(b), 0n]));
  });
}
