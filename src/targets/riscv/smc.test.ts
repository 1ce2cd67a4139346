/**
 * Self-modifying code: a store (inline RAM path, slow misaligned path, AMO, SC) over an
 * instruction later in the same translated block, over the very next instruction, over code
 * already translated and run, and over compressed code; the new instruction must run, without
 * fence.i (as on QEMU), and instruction counts must stay exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ROM_INSNS, EXIT_INSNS, runProgram } from './test-support/harness.js';
import { asm, type Xlen } from './test-support/asm.js';

const enc32 = (xlen: Xlen, s: string): number => new DataView(asm(xlen, s).buffer).getUint32(0, true);
const enc16 = (xlen: Xlen, s: string): number => new DataView(asm(xlen, s).buffer).getUint16(0, true);

for (const xlen of [32, 64] as const) {
  const NEW = enc32(xlen, 'addi a0, zero, 42');

  test(`RV${xlen} a store over a later instruction of the same block takes effect before it runs`, async () => {
    const r = await runProgram(xlen, `
      la t0, target
      li t1, ${NEW}
      sw t1, 0(t0)
      addi a1, zero, 1
      addi a2, zero, 2
    target:
      addi a0, zero, 1
      csrr a3, minstret
      exit
    `);
    assert.equal(r.x('a0'), 42n);
    assert.equal(r.x('a1'), 1n);
    assert.equal(r.x('a2'), 2n);
    // la (2) + li (1 or 2) + sw + 2 addi + target + csrr: every instruction counted once
    const li = NEW >= 0x800 ? 2 : 1;
    assert.equal(r.x('a3'), BigInt(BOOT_ROM_INSNS + 2 + li + 1 + 2 + 1 + 1));
    assert.equal(r.icount, BOOT_ROM_INSNS + 2 + li + 1 + 2 + 1 + 1 + EXIT_INSNS);
  });

  test(`RV${xlen} a store over the very next instruction`, async () => {
    const r = await runProgram(xlen, `
      la t0, next
      li t1, ${NEW}
      sw t1, 0(t0)
    next:
      addi a0, zero, 1
      exit
    `);
    assert.equal(r.x('a0'), 42n);
  });

  test(`RV${xlen} code that already ran (translated and cached) is re-translated after a store`, async () => {
    const r = await runProgram(xlen, `
      li s0, 0
      li s1, 0
      la t0, patch
      li t1, ${enc32(xlen, 'addi s1, s1, 100')}
    loop:
    patch:
      addi s1, s1, 1
      addi s0, s0, 1
      li t2, 2
      beq s0, t2, done
      sw t1, 0(t0)          # first pass: patch the loop body for the second pass
      j loop
    done:
      exit
    `);
    assert.equal(r.x('s1'), 101n);
  });

  test(`RV${xlen} a function in another page, called, patched and called again`, async () => {
    const r = await runProgram(xlen, `
      jal ra, func
      mv s2, a0
      la t0, func
      li t1, ${enc32(xlen, 'addi a0, zero, 7')}
      sw t1, 0(t0)
      jal ra, func
      mv s3, a0
      exit
      .space 0x80002000 - .
    func:
      addi a0, zero, 3
      ret
    `);
    assert.equal(r.x('s2'), 3n);
    assert.equal(r.x('s3'), 7n);
  });

  test(`RV${xlen} a halfword store over a compressed instruction in the same block`, async () => {
    const r = await runProgram(xlen, `
      la t0, target
      li t1, ${enc16(xlen, 'c.li a0, 9')}
      sh t1, 0(t0)
      c.nop
    target:
      c.li a0, 1
      c.nop
      exit
    `);
    assert.equal(r.x('a0'), 9n);
  });

  test(`RV${xlen} a misaligned store (slow path) that rewrites halves of two instructions`, async () => {
    // target: addi a0,zero,1 ; addi a1,zero,2 -> the store replaces the upper half of the first
    // and the lower half of the second, turning them into addi a0,zero,42 ; addi a1,zero,... kept
    const first = enc32(xlen, 'addi a0, zero, 1'), second = enc32(xlen, 'addi a1, zero, 2');
    const newFirst = NEW, newSecond = enc32(xlen, 'addi a2, zero, 2');
    // only possible when the halves that stay are equal
    assert.equal(first & 0xffff, newFirst & 0xffff);
    assert.equal(second >>> 16, newSecond >>> 16);
    const straddle = ((newFirst >>> 16) | ((newSecond & 0xffff) << 16)) >>> 0;
    const r = await runProgram(xlen, `
      li a1, 0
      la t0, target
      li t1, ${straddle}
      sw t1, 2(t0)
    target:
      addi a0, zero, 1
      addi a1, zero, 2
      exit
    `);
    assert.equal(r.x('a0'), 42n);
    assert.equal(r.x('a1'), 0n);
    assert.equal(r.x('a2'), 2n);
  });

  test(`RV${xlen} an AMO and an SC over code in the same block`, async () => {
    const r = await runProgram(xlen, `
      la t0, t1insn
      li t1, ${NEW}
      amoswap.w t2, t1, (t0)
      la t3, t2insn
      li t4, ${enc32(xlen, 'addi a1, zero, 43')}
      lr.w a4, (t3)
      sc.w a5, t4, (t3)
    t1insn:
      addi a0, zero, 1
    t2insn:
      addi a1, zero, 1
      exit
    `);
    assert.equal(r.x('a0'), 42n);
    assert.equal(r.x('a1'), 43n);
    assert.equal(r.x('a5'), 0n);
    assert.equal(Number(r.x('t2')) >>> 0, enc32(xlen, 'addi a0, zero, 1'));
  });

  test(`RV${xlen} a store into the block that contains it, before the store (already executed part)`, async () => {
    const r = await runProgram(xlen, `
      li s0, 0
      la t0, top
      li t1, ${enc32(xlen, 'addi s1, s1, 10')}
    top:
      addi s1, s1, 1
      sw t1, 0(t0)
      addi s0, s0, 1
      li t2, 3
      bne s0, t2, top
      exit
    `);
    assert.equal(r.x('s1'), 21n);
  });
}
