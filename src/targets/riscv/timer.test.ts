/**
 * Timer and software interrupts with `-icount`-style exactness: at shift 0 one instruction is
 * one nanosecond and one CLINT tick (10 MHz) is 100 instructions, so an interrupt due at tick N
 * must be taken once exactly N * 100 instructions have retired, whatever the translation block
 * boundaries — including a deadline that falls exactly at the end of a block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ROM_INSNS, runProgram } from './test-support/harness.js';

const MTIMECMP = 0x2004000;
const LOOP_BODY = 13; // 12 addi + j: the loop is one 13-instruction block

/** Busy loop of one block; the handler records minstret, mepc and mcause. */
const BUSY = `
  la t0, handler
  csrw mtvec, t0
  li t0, 0x80
  csrw mie, t0
  csrsi mstatus, 8
  li a0, 0
loop:
${'  addi a0, a0, 1\n'.repeat(LOOP_BODY - 1)}  j loop
  .align 2
handler:
  csrr s2, minstret
  csrr s3, mepc
  csrr s4, mcause
  exit
`;
/** Instructions before the loop: boot ROM, la (2), csrw, li, csrw, csrsi, li. */
const BEFORE_LOOP = BOOT_ROM_INSNS + 7;

for (const xlen of [32, 64] as const) {
  const irq = (xlen === 64 ? 1n << 63n : 1n << 31n) | 7n;

  test(`RV${xlen} a timer armed before the run interrupts at exactly N*100 instructions, at every position in a block`, async () => {
    for (let ticks = 1; ticks <= LOOP_BODY + 1; ticks++) {
      const deadline = ticks * 100;
      const r = await runProgram(xlen, BUSY, { setup: (m) => m.clint.setMtimecmp(0, BigInt(ticks)) });
      const inLoop = deadline - BEFORE_LOOP;
      const pos = inLoop % LOOP_BODY;
      const addis = Math.floor(inLoop / LOOP_BODY) * (LOOP_BODY - 1) + pos;
      const what = `deadline ${deadline} (position ${pos} of the block)`;
      assert.equal(r.x('s4'), irq, what);
      assert.equal(r.x('s2'), BigInt(deadline + 1), `minstret in the handler, ${what}`);
      assert.equal(r.x('s3'), r.label('loop') + BigInt(4 * pos), `mepc, ${what}`);
      assert.equal(r.x('a0'), BigInt(addis), `instructions run before the interrupt, ${what}`);
    }
  });

  test(`RV${xlen} with -icount shift=2 a tick is 25 instructions: the same exactness`, async () => {
    for (let ticks = 1; ticks <= LOOP_BODY; ticks++) {
      const deadline = ticks * 25;
      const r = await runProgram(xlen, BUSY, { icountShift: 2, setup: (m) => m.clint.setMtimecmp(0, BigInt(ticks)) });
      const inLoop = deadline - BEFORE_LOOP;
      const pos = inLoop % LOOP_BODY;
      // minstret reads virtual time in ns under -icount, as QEMU 7.2's does: 4 per instruction
      assert.equal(r.x('s2'), BigInt(deadline + 1) * 4n, `minstret in the handler, deadline ${deadline}`);
      assert.equal(r.x('s3'), r.label('loop') + BigInt(4 * pos), `mepc, deadline ${deadline}`);
      assert.equal(r.x('a0'), BigInt(Math.floor(inLoop / LOOP_BODY) * (LOOP_BODY - 1) + pos), `addis run, deadline ${deadline}`);
    }
  });

  test(`RV${xlen} a pending timer interrupt is taken right after the instruction that enables it`, async () => {
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li t0, 0x80
      csrw mie, t0          # MTIP is already pending (mtimecmp = 0 <= mtime)
      li a0, 1
      li a0, 2
    enable:
      csrsi mstatus, 8
      li a0, 3
      exit
      .align 2
    handler:
      csrr s3, mepc
      csrr s4, mcause
      exit
    `);
    assert.equal(r.x('a0'), 2n);
    assert.equal(r.x('s3'), r.label('enable') + 4n);
    assert.equal(r.x('s4'), irq);
  });

  test(`RV${xlen} a CLINT msip store interrupts at the next instruction, in the middle of a block`, async () => {
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li t0, 0x8
      csrw mie, t0
      csrsi mstatus, 8
      li t1, 0x2000000
      li t2, 1
      li a0, 0
    store:
      sw t2, 0(t1)
      addi a0, a0, 1
      addi a0, a0, 1
      exit
      .align 2
    handler:
      csrr s3, mepc
      csrr s4, mcause
      sw zero, 0(t1)
      exit
    `);
    assert.equal(r.x('a0'), 0n);
    assert.equal(r.x('s3'), r.label('store') + 4n);
    assert.equal(r.x('s4'), (xlen === 64 ? 1n << 63n : 1n << 31n) | 3n);
  });

  test(`RV${xlen} wfi sleeps until a timer the guest armed, and wakes at the exact instruction count`, async () => {
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li s0, ${MTIMECMP}
      sw zero, 4(s0)
      li t1, 7
      sw t1, 0(s0)          # mtimecmp = 7: due 700 ns after this store
      li t0, 0x80
      csrw mie, t0
      csrsi mstatus, 8
    sleep:
      wfi
      li a0, 1
      j .
      .align 2
    handler:
      csrr s2, minstret
      csrr s3, mepc
      exit
    `);
    // the store is instruction 13 (boot 6, la 2, csrw, li, sw, li, sw): due at 13 + 700
    assert.equal(r.x('s2'), 714n);
    assert.equal(r.x('s3'), r.label('sleep') + 4n);
    assert.equal(r.x('a0'), 0n);
  });

  test(`RV${xlen} a timer the guest arms while busy-looping interrupts on time (QEMU: minstret 714)`, async () => {
    // Same as the wfi case, but spinning: the CLINT arms its event in the middle of a run slice.
    // (Found by this test: clock.reschedule() had no listener, so the engine ran on to the end
    // of its slice — 4M instructions, or -max-insns — before the event fired.)
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li s0, ${MTIMECMP}
      sw zero, 4(s0)
      li t1, 7
      sw t1, 0(s0)
      li t0, 0x80
      csrw mie, t0
      csrsi mstatus, 8
      li a0, 0
    loop:
${'      addi a0, a0, 1\n'.repeat(12)}      j loop
      .align 2
    handler:
      csrr s2, minstret
      csrr s3, mepc
      exit
    `, { maxInsns: 100_000 });
    // values from qemu-system-riscv${xlen} -icount shift=0,sleep=off on the same program
    assert.equal(r.x('s2'), 714n);
    assert.equal(r.x('a0'), 643n);
    assert.equal(r.x('s3'), r.label('loop') + 4n * BigInt((714 - 1 - 17) % 13));
  });
}
