/**
 * Control flow and the exception interface: IT blocks (conditions, ITSTATE advance, 16-bit
 * instructions not setting flags inside), branches, BL/BX/BLX with interworking (an even target
 * raises INVSTATE at the target), CBZ/CBNZ, TBB/TBH, SVC/UDF/BKPT/coprocessor space, divide by zero
 * with DIV_0_TRP, EXC_RETURN loads detected in Handler mode, special registers (MRS/MSR/CPS), and
 * the ARMv6-M profile, where ARMv7-M-only encodings are UNDEFINED.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CODE_BASE, runArm, type ArmRunOptions } from './test-support/harness.js';
import { ArmExc, Ccr, Cfsr } from './exception-model.js';

const fixtures = fileURLToPath(new URL('./fixtures/control.json', import.meta.url));
const run = (prog: string, o: Partial<ArmRunOptions> = {}) => runArm(prog, { fixtures, ...o });

describe('IT blocks', () => {
  it('ite eq: then and else arms', async () => {
    const r = await run(`
      movs r0, #1
      cmp r0, #1
      ite eq
      moveq r1, #10
      movne r1, #20
      cmp r0, #2
      ite eq
      moveq r2, #10
      movne r2, #20`);
    assert.equal(r.r(1), 10);
    assert.equal(r.r(2), 20);
  });
  it('16-bit adds inside IT does not set flags; outside it does', async () => {
    const r = await run(`
      movs r0, #0
      cmp r0, #0          @ Z C
      it eq
      addeq r0, r0, #1    @ 16-bit ADD: no flags in IT
      mrs r1, APSR
      adds r0, r0, #0     @ flags from 1: none
      mrs r2, APSR`);
    assert.equal(r.r(0), 1);
    assert.equal(r.u(1), 0x60000000);
    assert.equal(r.u(2), 0);
  });
  it('itttt with a condition changed inside the block by a 32-bit flag-setting instruction', async () => {
    const r = await run(`
      movs r0, #5
      cmp r0, #5
      itttt eq
      moveq r1, #1
      subseq.w r0, r0, #1  @ 4: Z clear now
      moveq r2, #1         @ skipped
      moveq r3, #1         @ skipped
      movs r4, #9`);
    assert.equal(r.r(1), 1);
    assert.equal(r.r(2), 0);
    assert.equal(r.r(3), 0);
    assert.equal(r.r(4), 9);
  });
  it('a branch as the last instruction of an IT block', async () => {
    const r = await run(`
      movs r0, #3
    loop:
      subs r0, #1
      cmp r0, #0
      it ne
      bne.w loop
      movs r1, #7`);
    assert.equal(r.r(0), 0);
    assert.equal(r.r(1), 7);
  });
  it('ITSTATE survives a block boundary (MSR inside an IT block ends the block)', async () => {
    const r = await run(`
      movs r0, #1
      cmp r0, #1
      itete eq
      msreq APSR_nzcvq, r0   @ clears every flag (ends the block)
      movne r1, #1           @ runs: Z is now clear
      moveq r2, #1           @ skipped
      movne r3, #1`);
    assert.equal(r.r(1), 1);
    assert.equal(r.r(2), 0);
    assert.equal(r.r(3), 1);
  });
  it('every condition code', async () => {
    // r5 collects one bit per condition that holds after cmp 1, 2 (N, borrow: C clear, V clear)
    const conds = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
    const body = conds.map((c, i) => `  cmp r0, r1\n  it ${c}\n  orr${c} r5, r5, #${1 << i}`).join('\n');
    const r = await run(`  movs r0, #1\n  movs r1, #2\n  movs r5, #0\n${body}`);
    const holds = ['ne', 'cc', 'mi', 'vc', 'ls', 'lt', 'le'];
    const want = conds.reduce((a, c, i) => a | (holds.includes(c) ? 1 << i : 0), 0);
    assert.equal(r.r(5), want);
  });
});

describe('branches', () => {
  it('bl and bx lr', async () => {
    const r = await run(`
      bl f
      movs r1, #2
      b done
    f:
      movs r0, #1
      bx lr
    done:`);
    assert.equal(r.r(0), 1);
    assert.equal(r.r(1), 2);
  });
  it('blx register, and lr has bit 0 set', async () => {
    const r = await run(`
      adr r2, f
      adds r2, #1
      blx r2
      b done
      .align 2
    f:
      mov r3, lr
      bx lr
    done:`);
    assert.equal(r.r(3) & 1, 1);
    assert.equal(r.r(3) & ~1, r.labels.get('_start')! + 6);
  });
  it('bx to an even address: INVSTATE UsageFault at the target', async () => {
    const r = await run(`
      adr r2, t
      bx r2
      .align 2
    t:
      movs r0, #1`);
    assert.equal(r.model.taken.length, 1);
    const e = r.model.taken[0]!;
    assert.equal(e.exc, ArmExc.UsageFault);
    assert.equal(e.cfsr, Cfsr.INVSTATE);
    assert.equal(e.pc, r.labels.get('t'));
    assert.equal(r.r(0), 0);
  });
  it('cbz / cbnz', async () => {
    const r = await run(`
      movs r0, #0
      cbz r0, a
      movs r1, #1
    a:
      cbnz r0, b
      movs r2, #1
    b:`);
    assert.equal(r.r(1), 0);
    assert.equal(r.r(2), 1);
  });
  it('tbb and tbh', async () => {
    const r = await run(`
      movs r0, #2
      tbb [pc, r0]
    t1:
      .byte (c0 - t1) / 2, (c1 - t1) / 2, (c2 - t1) / 2, 0
    c0: movs r1, #10
      b next
    c1: movs r1, #11
      b next
    c2: movs r1, #12
    next:
      movs r0, #1
      tbh [pc, r0, lsl #1]
    t2:
      .hword (d0 - t2) / 2, (d1 - t2) / 2
    d0: movs r2, #20
      b done
    d1: movs r2, #21
    done:`);
    assert.equal(r.r(1), 12);
    assert.equal(r.r(2), 21);
  });
  it('a loop back to the block start runs in place', async () => {
    const r = await run(`
      movs r0, #0
      movw r1, #1000
    loop:
      adds r0, #2
      subs r1, #1
      bne loop`);
    assert.equal(r.r(0), 2000);
    assert.equal(r.icount, 2 + 3000 + 1); // the exit bkpt completes too
  });
  it('forward branches inside a looping block (nested, crossing, cbz) count only what ran', async () => {
    // In one block: b<c> over one instruction, a branch whose range nests inside another's, one
    // whose range crosses an earlier one (that one leaves the block), cbz; a self-loop around it.
    const prog = `
      movs r0, #0
      movs r4, #0
      movw r1, #300
    loop:
      lsrs r2, r1, #1
      bcc even
      adds r0, #1
    even:
      movs r3, #3
      ands r3, r1
      beq four
      cmp r3, #1
      bne four
      adds r0, #5
    four:
      cmp r3, #2
      bhi cross
      adds r4, #1
      cbz r3, past
      adds r4, #2
    cross:
      adds r4, #4
    past:
      subs r1, #1
      bne loop`;
    const fast = await run(prog);
    const step = await run(prog, { singleStep: true });
    assert.deepEqual([fast.r(0), fast.r(4)], [150 + 5 * 75, 75 * (1 + 7 + 7 + 4)]);
    assert.deepEqual([fast.r(0), fast.r(4)], [step.r(0), step.r(4)]);
    assert.equal(fast.icount, step.icount);
  });
  it('an inner loop inside its outer loop\'s block, with a forward branch in it, counts what ran', async () => {
    const prog = `
      movs r0, #0
      movs r5, #0
      movs r1, #40
    outer:
      movs r2, #7
    inner:
      lsrs r3, r2, #1
      bcs odd
      adds r0, #1
    odd:
      adds r5, r5, r2
      subs r2, #1
      bne inner
      subs r1, #1
      bne outer`;
    const fast = await run(prog);
    const step = await run(prog, { singleStep: true });
    assert.deepEqual([fast.r(0), fast.r(5)], [40 * 3, 40 * 28]);
    assert.deepEqual([fast.r(0), fast.r(5), fast.icount], [step.r(0), step.r(5), step.icount]);
  });
  it('an in-block loop stops at the deadline like any block', async () => {
    const prog = `
      movs r1, #0
      movw r2, #5000
    spin:
      adds r1, #1
      subs r2, #1
      bne spin
      movs r0, #9`;
    const r = await run(prog, { maxInsns: 1000 }).catch((e: Error) => e);
    assert.ok(r instanceof Error && /1000 instructions/.test(r.message), String(r));
  });
  it('a fault after a taken in-block forward branch reports the instructions that ran', async () => {
    const prog = `
      movs r0, #0
      cmp r0, #0
      beq skip
      movs r1, #1
      movs r1, #2
      movs r1, #3
    skip:
      movs r2, #7
      udf #1`;
    const fast = await run(prog);
    const step = await run(prog, { singleStep: true });
    assert.equal(fast.model.taken[0]!.exc, ArmExc.UsageFault);
    assert.deepEqual([fast.r(1), fast.r(2)], [0, 7]);
    assert.equal(fast.icount, 4);
    assert.equal(step.icount, 4);
  });
  it('pop {pc} and ldr pc interwork', async () => {
    const r = await run(`
      adr r0, f
      adds r0, #1
      push {r0}
      pop {pc}
      .align 2
    f:
      movs r1, #1
      ldr r2, =g + 1
      str r2, [sp, #-4]!
      ldr pc, [sp], #4
      .align 2
    g:
      movs r3, #3`);
    assert.deepEqual([r.r(1), r.r(3), r.model.taken.length], [1, 3, 0]);
    assert.equal(r.u(13), 0x20040000);
  });
});

describe('synchronous exceptions', () => {
  it('svc: exception 11, return address after it, counted', async () => {
    const r = await run(`
      movs r0, #1
      svc #5
      movs r0, #2`);
    const e = r.model.taken[0]!;
    assert.equal(e.exc, ArmExc.SVCall);
    assert.equal(e.pc, CODE_BASE + 2);
    assert.equal(e.returnPc, CODE_BASE + 4);
    assert.equal(r.cpu.pc, CODE_BASE + 4);
    assert.equal(r.icount, 2);
  });
  it('udf: UNDEFINSTR at the instruction, not counted', async () => {
    const r = await run(`
      movs r0, #1
      udf #3`);
    const e = r.model.taken[0]!;
    assert.deepEqual([e.exc, e.cfsr, e.pc], [ArmExc.UsageFault, Cfsr.UNDEFINSTR, CODE_BASE + 2]);
    assert.equal(r.cpu.pc, CODE_BASE + 2);
    assert.equal(r.icount, 1);
  });
  it('coprocessor instruction: NOCP', async () => {
    const r = await run(`
      .inst.w 0xee000a10   @ vmov s0, r0
    `);
    assert.equal(r.model.taken[0]!.cfsr, Cfsr.NOCP);
  });
  it('udiv by zero traps with DIV_0_TRP', async () => {
    const r = await run(`
      movs r1, #5
      movs r2, #0
      udiv r0, r1, r2`, { ccr: Ccr.DIV_0_TRP });
    const e = r.model.taken[0]!;
    assert.deepEqual([e.exc, e.cfsr, e.pc], [ArmExc.UsageFault, Cfsr.DIVBYZERO, CODE_BASE + 4]);
  });
  it('a fault inside an IT block rolls ITSTATE back to the faulting instruction', async () => {
    const r = await run(`
      movs r0, #0
      cmp r0, #0
      itt eq
      udfeq.w #1
      moveq r1, #1`);
    assert.equal(r.model.taken[0]!.cfsr, Cfsr.UNDEFINSTR);
    assert.equal(r.cpu.itstate, 0x04); // ITT EQ at its first instruction: firstcond 0000, mask 0100
  });
  it('bkpt other than the harness exit goes to the model as a breakpoint (HardFault without a debug monitor)', async () => {
    const r = await run('  bkpt #0xab');
    assert.equal(r.model.taken[0]!.exc, ArmExc.HardFault);
    assert.equal(r.model.taken[0]!.pc, CODE_BASE);
  });
  it('EXC_RETURN through bx lr in Handler mode goes to the model; in Thread mode it is a plain branch', async () => {
    const r = await run(`
      mvn.w lr, #6      @ 0xfffffff9
      bx lr`, { setup: (cpu) => cpu.setIpsr(3) });
    assert.deepEqual(r.model.returns, [0xfffffff9]);
    const t = await run(`
      mvn.w lr, #6
      bx lr`);
    assert.deepEqual(t.model.returns, []);
  });
  it('pop {pc} with EXC_RETURN in Handler mode', async () => {
    const r = await run(`
      mvn.w r0, #2       @ 0xfffffffd
      push {r0}
      pop {pc}`, { setup: (cpu) => cpu.setIpsr(11) });
    assert.deepEqual(r.model.returns, [0xfffffffd]);
  });
});

describe('special registers', () => {
  it('mrs/msr MSP, PSP and CONTROL.SPSEL switch the stack pointer', async () => {
    const r = await run(`
      ldr r0, =0x20001000
      msr PSP, r0
      movs r1, #2
      msr CONTROL, r1
      isb
      mov r2, sp
      mrs r3, MSP
      mrs r4, CONTROL`);
    assert.equal(r.u(2), 0x20001000);
    assert.equal(r.u(3), 0x20040000);
    assert.equal(r.r(4), 2);
  });
  it('primask, faultmask, basepri, basepri_max, cps', async () => {
    const r = await run(`
      cpsid i
      mrs r0, PRIMASK
      cpsie i
      mrs r1, PRIMASK
      cpsid f
      mrs r2, FAULTMASK
      movs r3, #0x40
      msr BASEPRI, r3
      movs r3, #0x80
      msr BASEPRI_MAX, r3    @ ignored: not higher priority
      mrs r4, BASEPRI
      movs r3, #0x20
      msr BASEPRI_MAX, r3
      mrs r5, BASEPRI`);
    assert.deepEqual([r.r(0), r.r(1), r.r(2), r.r(4), r.r(5)], [1, 0, 1, 0x40, 0x20]);
  });
  it('unprivileged Thread mode: MSR PRIMASK ignored, MRS reads 0', async () => {
    const r = await run(`
      movs r0, #1
      msr CONTROL, r0        @ nPRIV
      msr PRIMASK, r0
      mrs r1, PRIMASK
      mrs r2, CONTROL`);
    assert.equal(r.cpu.primask, 0);
    assert.equal(r.r(1), 0);
    assert.equal(r.r(2), 1);
  });
  it('xPSR views: IPSR, APSR, xPSR', async () => {
    const r = await run(`
      movs r0, #0
      subs r0, #1    @ N
      mrs r1, APSR
      mrs r2, IPSR
      mrs r3, XPSR
      mrs r4, EPSR`, { setup: (cpu) => cpu.setIpsr(15) });
    assert.equal(r.u(1), 0x80000000);
    assert.equal(r.r(2), 15);
    assert.equal(r.u(3), 0x8000000f);
    assert.equal(r.r(4), 0);
  });
});

describe('ARMv6-M (cortex-m0)', () => {
  it('runs the v6-M subset', async () => {
    const r = await run(`
      movs r0, #3
      lsls r0, r0, #4
      bl f
      b done
    f:
      adds r0, #1
      bx lr
    done:
      mrs r1, PRIMASK`, { profile: 'v6m' });
    assert.equal(r.r(0), 49);
    assert.equal(r.model.taken.length, 0);
  });
  it('a Thumb-2 data-processing encoding is UNDEFINED', async () => {
    const r = await run(`
      movs r0, #1
      .inst.w 0xf1000001    @ add.w r0, r0, #1
    `, { profile: 'v6m' });
    assert.deepEqual([r.model.taken[0]!.exc, r.model.taken[0]!.cfsr], [ArmExc.UsageFault, Cfsr.UNDEFINSTR]);
    assert.equal(r.r(0), 1);
  });
  it('cbz and it are UNDEFINED', async () => {
    const a = await run('  .hword 0xb100  @ cbz r0, .+4\n  nop\n  nop', { profile: 'v6m' });
    assert.equal(a.model.taken[0]!.cfsr, Cfsr.UNDEFINSTR);
    const b = await run('  .hword 0xbf08  @ it eq\n  nop', { profile: 'v6m' });
    assert.equal(b.model.taken[0]!.cfsr, Cfsr.UNDEFINSTR);
  });
  it('unaligned word loads always fault', async () => {
    const r = await run(`
      ldr r1, =0x20000001
      ldr r0, [r1]`, { profile: 'v6m' });
    assert.equal(r.model.taken[0]!.cfsr, Cfsr.UNALIGNED);
  });
});
