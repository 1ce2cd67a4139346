/**
 * The exception model (exceptions.ts, scb.ts, nvic.ts, systick.ts) running real handlers: SVC
 * and its frame, PSP and EXC_RETURN values, PendSV tail-chaining, SysTick waking WFI, NVIC
 * priorities with BASEPRI and nested preemption, fault escalation to HardFault, enabled
 * UsageFault with CFSR and the stacked PC, 8-byte stack alignment, lockup; every handler entry
 * is one discontinuity with the fromPc/toPc of discon-semantics.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runArm, type ArmRunOptions } from './test-support/harness.js';
import { definePlugin, Discon } from '../../plugin/api.js';
import { Cfsr } from './exception-model.js';
import { Hfsr } from './exceptions.js';
import discons from '../../plugins/discons.js';

const fixtures = fileURLToPath(new URL('./fixtures/exceptions.json', import.meta.url));

const NAMES = ['nmi', 'hardfault', 'memmanage', 'busfault', 'usagefault', '', '', '', '', 'svc', 'debugmon', '', 'pendsv', 'systick', 'irq0', 'irq1', 'irq2'];

/** A program with its vector table: handlers not defined in `body` store IPSR at 0x20000000 and exit. */
function program(body: string): string {
  const defined = (n: string): boolean => new RegExp(`^\\s*${n}:`, 'm').test(body);
  const vec = NAMES.map((n) => (n !== '' && defined(n) ? `  .word ${n} + 1` : '  .word default_handler + 1')).join('\n');
  return `vectors:
  .word 0x20040000
  .word reset + 1
${vec}
default_handler:
  mrs r0, IPSR
  ldr r1, =0x20000000
  str r0, [r1]
  exit
reset:
${body}`;
}

interface Event { kind: number; from: number; to: number }

async function run(body: string, o: Partial<ArmRunOptions> = {}) {
  const events: Event[] = [];
  const plugin = definePlugin({
    name: 'events',
    install(api) { api.onDiscontinuity(Discon.All, (_v, kind, from, to) => { events.push({ kind, from: Number(from), to: Number(to) }); }); },
  });
  // Every run also goes through the bundled discontinuity checker (abort on the first mismatch).
  let report = '';
  const checker = { plugin: discons, args: { abort: true, 'trace-all': false } };
  const r = await runArm(program(body), { fixtures, exceptions: true, ...o, plugins: [{ plugin }, checker, ...(o.plugins ?? [])], onOut: (t: string) => { report += t; } });
  assert.match(report, /discons: checked \d+ events, skipped \d+, 0 mismatches/);
  return { ...r, events, L: (l: string): number => r.labels.get(l)! };
}

describe('SVC and exception return', () => {
  it('svc from Thread mode on MSP: frame, LR = 0xfffffff9, return to the next instruction', async () => {
    const r = await run(`
      movs r0, #42
    call:
      svc #1
    after:
      movs r7, #2
      exit
    svc:
      mov r5, lr
      ldr r6, [sp]          @ stacked r0
      mrs r4, IPSR
      bx lr`);
    assert.equal(r.u(5), 0xfffffff9);
    assert.equal(r.r(6), 42);
    assert.equal(r.r(4), 11);
    assert.equal(r.r(7), 2);
    assert.equal(r.cpu.ipsr, 0);
    assert.equal(r.u(13), 0x20040000);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('call'), to: r.L('svc') }]);
  });
  it('Thread mode on PSP: LR = 0xfffffffd; PendSV pended in the SVC handler is tail-chained', async () => {
    const r = await run(`
      ldr r0, =0x20020000
      msr PSP, r0
      movs r0, #2
      msr CONTROL, r0
      isb
    call:
      svc #0
    after:
      mov r3, sp
      exit
    svc:
      mov r5, lr
      ldr r0, =0xe000ed04
      mov.w r1, #0x10000000   @ PENDSVSET
      str r1, [r0]
      bx lr
    pendsv:
      mov r6, lr
      movs r7, #7
      bx lr`);
    assert.equal(r.u(5), 0xfffffffd);
    assert.equal(r.u(6), 0xfffffffd, 'the tail-chained handler keeps EXC_RETURN');
    assert.equal(r.r(7), 7);
    assert.equal(r.u(3), 0x20020000, 'back on PSP, frame popped');
    assert.equal(r.cpu.msp, 0x20040000);
    assert.deepEqual(r.events, [
      { kind: Discon.Exception, from: r.L('call'), to: r.L('svc') },
      { kind: Discon.Interrupt, from: r.L('after'), to: r.L('pendsv') },
    ]);
  });
  it('8-byte stack alignment: the frame is aligned and xPSR bit 9 records it', async () => {
    const r = await run(`
      ldr r0, =0x2003fffc
      mov sp, r0
      svc #0
      mov r3, sp
      exit
    svc:
      mov r4, sp
      ldr r5, [sp, #28]     @ stacked xPSR
      bx lr`);
    assert.equal(r.u(4), 0x2003ffd8);
    assert.equal((r.u(5) >>> 9) & 1, 1);
    assert.equal(r.u(3), 0x2003fffc);
  });
});

describe('interrupts', () => {
  it('SysTick wakes WFI; each entry reports the instruction after the WFI', async () => {
    const r = await run(`
      ldr r0, =0xe000e010
      movs r1, #99
      str r1, [r0, #4]       @ RVR
      str r1, [r0, #8]       @ CVR (clears)
      movs r1, #7
      str r1, [r0]           @ CSR: enable, interrupt, CPU clock
      movs r4, #0
    sleep:
      wfi
    woke:
      cmp r4, #3
      blt sleep
      movs r1, #0
      str r1, [r0]
      exit
    systick:
      adds r4, #1
      bx lr`);
    assert.equal(r.r(4), 3);
    assert.equal(r.events.length, 3);
    for (const e of r.events) assert.deepEqual(e, { kind: Discon.Interrupt, from: r.L('woke'), to: r.L('systick') });
  });
  it('NVIC: BASEPRI holds an IRQ back; a higher-priority IRQ preempts its handler (LR = 0xfffffff1)', async () => {
    const r = await run(`
      ldr r0, =0xe000e100
      movs r1, #3
      str r1, [r0]           @ ISER0: IRQ0, IRQ1
      ldr r0, =0xe000e400
      movs r1, #0x80
      strb r1, [r0]          @ IRQ0 priority 0x80
      movs r1, #0x40
      strb r1, [r0, #1]      @ IRQ1 priority 0x40
      movs r1, #0x80
      msr BASEPRI, r1
      ldr r0, =0xe000ef00
      movs r1, #0
      str r1, [r0]           @ STIR: pend IRQ0
      movs r6, #1            @ still here: masked by BASEPRI
      movs r1, #0
    unmask:
      msr BASEPRI, r1
    back:
      exit
    irq0:
      push {lr}
      ldr r0, =0xe000ef00
      movs r1, #1
      str r1, [r0]           @ pend IRQ1: preempts now
    irq0_after:
      pop {pc}
    irq1:
      mov r5, lr
      bx lr`);
    assert.equal(r.r(6), 1);
    assert.equal(r.u(5), 0xfffffff1);
    assert.deepEqual(r.events.map((e) => [e.kind, e.from, e.to]), [
      [Discon.Interrupt, r.L('back'), r.L('irq0')],
      [Discon.Interrupt, r.L('irq0_after'), r.L('irq1')],
    ]);
  });
});

describe('faults', () => {
  it('UsageFault disabled: escalates to HardFault (HFSR.FORCED, CFSR.UNDEFINSTR)', async () => {
    const r = await run(`
    bad:
      udf #0
    hardfault:
      ldr r6, [sp, #24]     @ stacked PC
      ldr r0, =0xe000ed28
      ldr r4, [r0]          @ CFSR
      ldr r5, [r0, #4]      @ HFSR
      exit`);
    assert.equal(r.u(6), r.L('bad'));
    assert.equal(r.u(4), Cfsr.UNDEFINSTR);
    assert.equal(r.u(5), Hfsr.FORCED >>> 0);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('bad'), to: r.L('hardfault') }]);
  });
  it('UsageFault enabled: divide by zero with DIV_0_TRP enters the UsageFault handler', async () => {
    const r = await run(`
      ldr r0, =0xe000ed14
      ldr r1, [r0]
      orr r1, r1, #0x10      @ CCR.DIV_0_TRP
      str r1, [r0]
      ldr r0, =0xe000ed24
      mov.w r1, #0x40000     @ SHCSR.USGFAULTENA
      str r1, [r0]
      movs r2, #0
    bad:
      udiv r3, r2, r2
    usagefault:
      ldr r6, [sp, #24]
      ldr r0, =0xe000ed28
      ldr r4, [r0]
      exit`);
    assert.equal(r.u(6), r.L('bad'));
    assert.equal(r.u(4), Cfsr.DIVBYZERO);
  });
  it('a fault in the HardFault handler locks up: the run stops with one line', async () => {
    await assert.rejects(run(`
      udf #0
    hardfault:
      udf #1`), /Lockup/);
  });
  it('exception return with a bad EXC_RETURN is an INVPC UsageFault (escalated)', async () => {
    const r = await run(`
      svc #0
      exit
    svc:
      ldr r0, =0xfffffff5
      bx r0
    hardfault:
      ldr r0, =0xe000ed28
      ldr r4, [r0]
      exit`);
    assert.equal(r.u(4), Cfsr.INVPC);
  });
});

describe('-d int', () => {
  it('logs entries, tail-chaining and returns in QEMU 7.2\'s words', async () => {
    let log = '';
    const r = await run(`
      svc #1
      udf #0
    svc:
      ldr r0, =0xe000ed04
      mov.w r1, #0x10000000
      str r1, [r0]
      bx lr
    pendsv:
      bx lr
    hardfault:
      exit`, { intLog: (l) => { log += l; } });
    const svcVec = r.L('svc') + 1, pendVec = r.L('pendsv') + 1, hfVec = r.L('hardfault') + 1;
    const v = (n: number): string => `0x${(0x1000 + 4 * n).toString(16)}`;
    assert.equal(log, [
      'Taking exception 2 [SVC] on CPU 0',
      '...taking pending nonsecure exception 11',
      `...loading from element 11 of non-secure vector table at ${v(11)}`,
      `...loaded new PC 0x${svcVec.toString(16)}`,
      'Taking exception 8 [QEMU v7M exception exit] on CPU 0',
      'Exception return: magic PC fffffff9 previous exception 11',
      '...tailchaining to pending exception',
      '...taking pending nonsecure exception 14',
      `...loading from element 14 of non-secure vector table at ${v(14)}`,
      `...loaded new PC 0x${pendVec.toString(16)}`,
      'Taking exception 8 [QEMU v7M exception exit] on CPU 0',
      'Exception return: magic PC fffffff9 previous exception 14',
      '...successful exception return',
      'Taking exception 1 [Undefined Instruction] on CPU 0',
      '...taking pending nonsecure exception 3',
      `...loading from element 3 of non-secure vector table at ${v(3)}`,
      `...loaded new PC 0x${hfVec.toString(16)}`,
      '',
    ].join('\n'));
  });
});

describe('registers', () => {
  it('NVIC enable/pending/priority and ICSR read back; PRIMASK-masked WFI wakes without taking the IRQ', async () => {
    const r = await run(`
      cpsid i
      ldr r0, =0xe000e100
      movs r1, #4
      str r1, [r0]           @ ISER0: IRQ2
      ldr r2, [r0]           @ reads back 4
      ldr r0, =0xe000e402
      movs r1, #0xa0
      strb r1, [r0]          @ IRQ2 priority
      ldrb r3, [r0]
      ldr r0, =0xe000e200
      movs r1, #4
      str r1, [r0]           @ ISPR0: pend IRQ2 (masked by PRIMASK)
      ldr r4, [r0]
      ldr r0, =0xe000ed04
      ldr r5, [r0]           @ ICSR: VECTPENDING = 18, ISRPENDING
      wfi                    @ wakes: would preempt if PRIMASK were clear
      movs r6, #1
      cpsie i                @ taken here
    after:
      exit
    irq2:
      mov r7, lr
      bx lr`);
    assert.deepEqual([r.r(2), r.r(3), r.r(4)], [4, 0xa0, 4]);
    assert.equal((r.u(5) >>> 12) & 0x1ff, 18);
    assert.equal((r.u(5) >>> 22) & 1, 1);
    assert.equal(r.r(6), 1);
    assert.equal(r.u(7), 0xfffffff9);
    assert.deepEqual(r.events.map((e) => e.from), [r.L('after')]);
  });
  it('SysTick counts down in CPU clock ticks (25 MHz: 40 instructions per tick) and sets COUNTFLAG', async () => {
    const r = await run(`
      ldr r0, =0xe000e010
      ldr r1, =1000
      str r1, [r0, #4]       @ RVR
      str r1, [r0, #8]       @ CVR = 0
      movs r1, #5
      str r1, [r0]           @ enable, CPU clock, no interrupt
      ldr r2, [r0, #8]       @ right after: still 0 (RVR is loaded on the first tick, 40 ns later)
      movs r3, #200
    spin:
      subs r3, #1
      bne spin
      ldr r4, [r0, #8]
      ldr r5, [r0]           @ COUNTFLAG not yet
      exit`);
    assert.equal(r.u(2), 0);
    const elapsedTicks = 1001 - r.u(4); // the first tick loads 1000
    assert.ok(elapsedTicks >= 9 && elapsedTicks <= 11, `ticks ${elapsedTicks}`); // ~403 instructions / 40 per tick
    assert.equal(r.u(5) >>> 16, 0);
  });
});

describe('MPU', () => {
  const SETUP = `
      ldr r0, =0xe000ed9c    @ MPU_RBAR (RASR follows)
      ldr r1, =0x20000011    @ region 1: SRAM, 256 KiB, full access, XN
      ldr r2, =0x13000023
      stm r0, {r1, r2}
      ldr r1, =0x00000012    @ region 2: code, 64 KiB, read-only for everyone
      ldr r2, =0x0600001f
      stm r0, {r1, r2}
      ldr r1, =0x20002013    @ region 3: 4 KiB at 0x20002000, privileged only
      ldr r2, =0x01000017
      stm r0, {r1, r2}
      ldr r0, =0xe000ed24
      mov.w r1, #0x10000     @ SHCSR.MEMFAULTENA
      str r1, [r0]
      ldr r0, =0xe000ed94
      movs r1, #5            @ MPU_CTRL: ENABLE | PRIVDEFENA
      str r1, [r0]
      isb
      ldr r5, =0x20002000
      movs r1, #9
      str r1, [r5]           @ privileged: allowed
      movs r1, #1
      msr CONTROL, r1        @ unprivileged Thread mode
      isb`;
  it('an unprivileged load from a privileged-only region is a MemManage DACCVIOL with MMFAR', async () => {
    const r = await run(`${SETUP}
      ldr r3, [r5, #-4]      @ region 1: allowed
    bad:
      ldr r4, [r5]
    memmanage:
      ldr r6, [sp, #24]
      ldr r0, =0xe000ed28
      ldr r7, [r0]           @ CFSR
      ldr r3, [r0, #12]      @ MMFAR
      exit`);
    assert.equal(r.u(6), r.L('bad'));
    assert.equal(r.u(7), Cfsr.DACCVIOL | Cfsr.MMARVALID);
    assert.equal(r.u(3), 0x20002000);
    assert.equal(r.r(4), 0);
    assert.deepEqual(r.events.map((e) => [e.kind, e.from, e.to]), [[Discon.Exception, r.L('bad'), r.L('memmanage')]]);
  });
  it('executing from an XN region is a MemManage IACCVIOL at the target', async () => {
    const r = await run(`${SETUP}
      ldr r0, =0x20001001
      bx r0
    memmanage:
      ldr r6, [sp, #24]
      ldr r0, =0xe000ed28
      ldr r7, [r0]
      exit`);
    assert.equal(r.u(6), 0x20001000);
    assert.equal(r.u(7), Cfsr.IACCVIOL);
  });
  it('a store to a read-only region faults; unprivileged STRT from privileged code is checked as unprivileged', async () => {
    const r = await run(`${SETUP.replace('msr CONTROL, r1        @ unprivileged Thread mode', 'nop')}
      movs r1, #3
      strt r1, [r5, #4]      @ privileged code, unprivileged access: faults
    memmanage:
      ldr r0, =0xe000ed28
      ldr r7, [r0]
      ldr r3, [r0, #12]
      exit`);
    assert.equal(r.u(7), Cfsr.DACCVIOL | Cfsr.MMARVALID);
    assert.equal(r.u(3), 0x20002004);
  });
});

describe('determinism', () => {
  it('the same events at the same instruction counts with single-stepping, without chaining, and instrumented', async () => {
    const prog = `
      ldr r0, =0xe000e010
      movs r1, #29
      str r1, [r0, #4]
      movs r1, #7
      str r1, [r0]
      movs r4, #0
      movs r5, #0
    loop:
      adds r5, #1
      cmp r4, #5
      blt loop
      exit
    systick:
      adds r4, #1
      svc #0
      bx lr
    svc:
      bx lr`;
    const seq = async (o: Partial<ArmRunOptions>): Promise<string> => {
      const r = await run(prog, o);
      return JSON.stringify([r.events, r.icount, r.r(5)]);
    };
    const base = await seq({});
    assert.equal(await seq({ singleStep: true }), base);
    assert.equal(await seq({ chaining: false }), base);
    const counting = definePlugin({ name: 'count', install(api) { const c = api.counter('n'); api.onTranslate((tb) => { for (const i of tb.insns) i.inlineAdd(c, 1); }); } });
    assert.equal(await seq({ plugins: [{ plugin: counting }] }), base);
  });
});

describe('interrupts inside IT blocks', () => {
  it('ITSTATE and flags survive interrupts taken between the instructions of an IT block', async () => {
    const r = await run(`
      ldr r0, =0xe000e010
      movs r1, #7            @ every 8 ticks = 320 instructions (not a multiple of the loop)
      str r1, [r0, #4]
      movs r1, #7
      str r1, [r0]
      movs r5, #0
      movw r6, #2000
      movs r7, #0
      mov r9, r7
    loop:
      cmp r6, r6             @ Z set
      itttt eq
      addeq r5, #1
      addeq r5, #1
      addeq r5, #1
      addeq r5, #1
      subs r6, #1
      bne loop
      movs r1, #0
      str r1, [r0]
      exit
    systick:
      movs r0, #1
      cmp r0, #2             @ the handler's flags: Z clear
      add r9, r0
      ldr r0, =0xe000e010
      bx lr`);
    assert.equal(r.r(5), 8000);
    assert.ok(r.r(9) > 30, `${r.r(9)} interrupts`);
    const inIt = r.events.filter((e) => e.from > r.L('loop') + 2 && e.from <= r.L('loop') + 12).length;
    assert.ok(inIt > 5, `${inIt} interrupts inside the IT block`);
  });
});

describe('found by the guests (guests/arm, QEMU 7.2 behaviour)', () => {
  it('a stacking error takes the BusFault instead of the IRQ (LR = the thread\'s EXC_RETURN), the IRQ stays pending', async () => {
    let log = '';
    const r = await run(`
      ldr r0, =0xe000ed24
      mov.w r1, #0x20000     @ SHCSR.BUSFAULTENA
      str r1, [r0]
      ldr r0, =0x60000100    @ unmapped: stacking on the PSP fails
      msr PSP, r0
      movs r0, #2
      msr CONTROL, r0
      isb
      ldr r0, =0xe000e100
      movs r1, #1
      str r1, [r0]           @ ISER0: IRQ 0
      ldr r0, =0xe000e200
    pend:
      str r1, [r0]           @ ISPR0: IRQ 0 pending
    after:
      nop
      exit
    busfault:
      mov r5, lr
      mrs r6, PSP
      ldr r0, =0xe000ed28
      ldr r4, [r0]          @ CFSR
      ldr r0, =0xe000e200
      ldr r7, [r0]          @ ISPR0
      exit
    irq0:
      movs r3, #1
      exit`, { intLog: (l) => { log += l; } });
    assert.equal(r.u(4), Cfsr.STKERR);
    assert.equal(r.u(5), 0xfffffffd);
    assert.equal(r.u(6), 0x600000e0, 'PSP moved down by the frame');
    assert.equal(r.u(7), 1, 'IRQ 0 still pending');
    assert.equal(r.r(3), 0, 'IRQ 0 handler not entered');
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('after'), to: r.L('busfault') }]);
    assert.match(log, /Taking exception 5 \[IRQ\] on CPU 0\n\.\.\.BusFault with BFSR\.STKERR\n\.\.\.taking pending nonsecure exception 5\n/);
  });
  it('a stacking write the MPU refuses is MSTKERR: the derived MemManage is taken, the SVC stays pending (QEMU 7.2)', async () => {
    let log = '';
    const r = await run(`
      ldr r0, =0xe000ed24
      mov.w r1, #0x10000     @ SHCSR.MEMFAULTENA
      str r1, [r0]
      ldr r0, =0xe000ed98
      movs r1, #0
      str r1, [r0]           @ RNR
      ldr r1, =0x20038000
      str r1, [r0, #4]       @ RBAR
      ldr r1, =0x0600001d
      str r1, [r0, #8]       @ RASR: 32 KiB read-only (the stack)
      ldr r0, =0xe000ed94
      movs r1, #5
      str r1, [r0]           @ MPU_CTRL: ENABLE | PRIVDEFENA
      dsb
      isb
    call:
      svc #0
      exit
    memmanage:
      ldr r0, =0xe000ed28
      ldr r4, [r0]           @ CFSR
      ldr r0, =0xe000ed24
      ldr r5, [r0]           @ SHCSR (SVCALLPENDED = bit 15)
      mov r6, lr
      exit
    svc:
      movs r7, #1
      exit`, { intLog: (l) => { log += l; } });
    assert.equal(r.u(4), Cfsr.MSTKERR);
    assert.equal((r.u(5) >>> 15) & 1, 1, 'SVCall still pending');
    assert.equal(r.u(6), 0xfffffff9);
    assert.equal(r.r(7), 0);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('call'), to: r.L('memmanage') }]);
    assert.match(log, /Taking exception 2 \[SVC\] on CPU 0\n\.\.\.MemManageFault with CFSR\.MSTKERR\n\.\.\.taking pending nonsecure exception 4\n/);
  });
  it('BKPT (not semihosting) escalates to HardFault with HFSR.FORCED and DFSR 0, as QEMU 7.2', async () => {
    const r = await run(`
    bad:
      bkpt #1
    hardfault:
      ldr r0, =0xe000ed2c
      ldr r5, [r0]          @ HFSR
      ldr r6, [r0, #4]      @ DFSR
      exit`);
    assert.equal(r.u(5), Hfsr.FORCED >>> 0);
    assert.equal(r.u(6), 0);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('bad'), to: r.L('hardfault') }]);
  });
  it('an unprivileged load from the SCS is a precise BusFault (BFAR = the address)', async () => {
    const r = await run(`
      movs r0, #1
      msr CONTROL, r0       @ nPRIV
      isb
      ldr r0, =0xe000ed04
    bad:
      ldr r1, [r0]          @ ICSR
      exit
    hardfault:
      ldr r0, =0xe000ed28
      ldr r4, [r0]          @ CFSR
      ldr r5, [r0, #0x10]   @ BFAR
      exit`);
    assert.equal(r.u(4), Cfsr.PRECISERR | Cfsr.BFARVALID);
    assert.equal(r.u(5), 0xe000ed04);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('bad'), to: r.L('hardfault') }]);
  });
  it('ARMv6-M: SVC enters the SVCall handler (only faults become HardFault)', async () => {
    const r = await run(`
      movs r0, #42
    call:
      svc #1
      exit
    svc:
      mrs r4, IPSR
      exit`, { profile: 'v6m' });
    assert.equal(r.r(4), 11);
    assert.deepEqual(r.events, [{ kind: Discon.Exception, from: r.L('call'), to: r.L('svc') }]);
  });
});
