/**
 * Control-flow events on ARM M-profile (`api.onControlFlow`): every transfer kind with its exact
 * fromPc/toPc — B<c>/CBZ/CBNZ taken and not taken (also as in-block loops and forward branches),
 * B, BL, BLX, BX LR, BX Rm, POP {PC}, LDR PC, [SP], #4, LDM SP!, other loads of the PC, MOV PC,
 * TBB, IT-conditional transfers, EXC_RETURN (TrapReturn; a return that tail-chains is a TrapReturn
 * to the retained frame's return address, then the chained entry from there),
 * FallThrough at MSR/ISB and at the block size limit; the event stream against the instructions
 * executed; and that without transfer registrations no event code is compiled.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CODE_BASE, runArm, type ArmRunOptions, type ArmRunResult } from './test-support/harness.js';
import { definePlugin, Flow, flowName, type Plugin } from '../../plugin/api.js';
import { translate } from './translate.js';

const fixtures = fileURLToPath(new URL('./fixtures/flow-events.json', import.meta.url));

/** One event as the tests compare it: kind name, fromPc, toPc. */
type Ev = [string, number, number];

/** A plugin recording the events of `mask`. */
function recorder(mask: number): { plugin: Plugin; events: Ev[] } {
  const events: Ev[] = [];
  const plugin = definePlugin({
    name: 'flow-recorder',
    install(api) { api.onControlFlow(mask, (_v, ev) => { events.push([flowName(ev.kind), ev.fromLo, ev.toLo]); }); },
  });
  return { plugin, events };
}

async function run(prog: string, o: Partial<ArmRunOptions> = {}, mask: number = Flow.Any) {
  const rec = recorder(mask);
  const r = await runArm(prog, { fixtures, ...o, plugins: [{ plugin: rec.plugin }, ...(o.plugins ?? [])] });
  const L = (l: string): number => {
    const a = r.labels.get(l);
    assert.ok(a !== undefined, `label ${l}`);
    return a;
  };
  return { ...r, events: rec.events, L };
}

const noFallThrough = (events: readonly Ev[]): Ev[] => events.filter((e) => e[0] !== 'fall-through');

const BRANCHES = `
    movs r0, #3
  loop:
    subs r0, #1
  bne1:
    bne loop            @ in-block loop: taken twice, then not taken
    cmp r0, #0
  beq1:
    beq fwd             @ in-block forward branch, taken
    movs r7, #1
  fwd:
  cbnz1:
    cbnz r0, bad        @ not taken
  cbz1:
    cbz r0, cz          @ taken (in-block forward)
    movs r7, #2
  cz:
  b1:
    b.w far             @ direct jump
    movs r7, #3
  far:
  bl1:
    bl func
  after_bl:
    movs r5, #5
  b2:
    b done
  func:
    movs r6, #9
  bxlr:
    bx lr
  bad:
    movs r7, #4
  done:
    exit`;

const INDIRECT = `
    adr r1, ind
    adds r1, #1
  bx1:
    bx r1               @ indirect jump
    movs r7, #1
    .align 2
  ind:
  bl_pop:
    bl popf
  bl_ldr:
    bl ldrf
  bl_ldm:
    bl ldmf
    adr r2, blxt
    adds r2, #1
  blx1:
    blx r2
  after_blx:
    adr r3, movt
  mov1:
    mov pc, r3          @ ALUWritePC: indirect jump
    .align 2
  movt:
    movw r5, #0
    movt r5, #0x2000
    adr r3, ldrt
    adds r3, #1
    str r3, [r5]
  ldrpc:
    ldr.w pc, [r5]      @ load of the PC, not from SP: indirect jump
    .align 2
  ldrt:
    adr r3, ldmt
    adds r3, #1
    str r3, [r5, #4]
  ldmpc:
    ldmia.w r5, {r4, pc} @ LDM of another base: indirect jump
    .align 2
  ldmt:
    movs r0, #1
  tbb1:
    tbb [pc, r0]
  tbl:
    .byte (c0 - tbl) / 2
    .byte (c1 - tbl) / 2
    .align 1
  c0:
    movs r7, #2
  c1:
    exit
  popf:
    push {r4, lr}
  pop1:
    pop {r4, pc}
  ldrf:
    str lr, [sp, #-4]!
  ldr1:
    ldr pc, [sp], #4
  ldmf:
    push {r4, lr}
  ldm1:
    ldmia.w sp!, {r4, pc}
  blxt:
  bxlr:
    bx lr`;

const IT_PROGRAM = `
    movs r0, #1
    cmp r0, #1
    it eq
  bt:
    beq.w taken1        @ IT condition passes: branch taken
    exit
  taken1:
    cmp r0, #2
    it eq
  bf:
    beq.w bad           @ IT condition fails: branch not taken
  bl1:
    bl f2
  after:
    exit
  f2:
    cmp r0, #2
    it eq
  bxf:
    bxeq lr             @ skipped: not taken
    it ne
  bxt:
    bxne lr             @ passes: a return
  bad:
    movs r7, #1
    exit`;

describe('ARM control-flow events: branches, jumps, calls, returns', () => {
  it('B<c> (in-block loop and forward branch), CBZ/CBNZ, B, BL, BX LR', async () => {
    const r = await run(BRANCHES);
    const { L } = r;
    assert.equal(r.r(7), 0);
    assert.deepEqual(r.events, [
      ['branch-taken', L('bne1'), L('loop')],
      ['branch-taken', L('bne1'), L('loop')],
      ['branch-not-taken', L('bne1'), L('bne1') + 2],
      ['branch-taken', L('beq1'), L('fwd')],
      ['branch-not-taken', L('cbnz1'), L('cbnz1') + 2],
      ['branch-taken', L('cbz1'), L('cz')],
      ['jump', L('b1'), L('far')],
      ['call', L('bl1'), L('func')],
      ['return', L('bxlr'), L('after_bl')],
      ['jump', L('b2'), L('done')],
    ]);
  });

  it('a loop back to its block start (the block repeats in place) and a long in-block loop report every iteration', async () => {
    const r = await run(`
      ldr r0, =5000
    j1:
      b loop              @ the loop is a block of its own
    loop:
      subs r0, #1
    bne1:
      bne loop
      ldr r0, =3000
      movs r1, #0
    inner:
      adds r1, #1
      subs r0, #1
    bne2:
      bne inner           @ in-block backward loop (labelled continue)
      exit`);
    const { L } = r;
    const count = (e: Ev): number => r.events.filter((x) => x[0] === e[0] && x[1] === e[1] && x[2] === e[2]).length;
    assert.equal(count(['branch-taken', L('bne1'), L('loop')]), 4999);
    assert.equal(count(['branch-not-taken', L('bne1'), L('bne1') + 2]), 1);
    assert.equal(count(['branch-taken', L('bne2'), L('inner')]), 2999);
    assert.equal(count(['branch-not-taken', L('bne2'), L('bne2') + 2]), 1);
    assert.deepEqual(r.events[0], ['jump', L('j1'), L('loop')]);
    assert.equal(r.events.length, 1 + 5000 + 3000);
  });

  it('BX Rm, BLX, POP {PC}, LDR PC, [SP], #4, LDM SP!, MOV PC, LDR PC, LDM Rn, TBB', async () => {
    const r = await run(INDIRECT);
    const { L } = r;
    assert.equal(r.r(7), 0);
    assert.deepEqual(r.events, [
      ['indirect-jump', L('bx1'), L('ind')],
      ['call', L('bl_pop'), L('popf')],
      ['return', L('pop1'), L('bl_ldr')],
      ['call', L('bl_ldr'), L('ldrf')],
      ['return', L('ldr1'), L('bl_ldm')],
      ['call', L('bl_ldm'), L('ldmf')],
      ['return', L('ldm1'), L('bl_ldm') + 4],
      ['call', L('blx1'), L('blxt')],
      ['return', L('bxlr'), L('after_blx')],
      ['indirect-jump', L('mov1'), L('movt')],
      ['indirect-jump', L('ldrpc'), L('ldrt')],
      ['indirect-jump', L('ldmpc'), L('ldmt')],
      ['indirect-jump', L('tbb1'), L('c1')],
    ]);
  });

  it('IT-conditional transfers: passed is the instruction kind, failed is a branch not taken', async () => {
    const r = await run(IT_PROGRAM);
    const { L } = r;
    assert.equal(r.r(7), 0);
    assert.deepEqual(r.events, [
      ['branch-taken', L('bt'), L('taken1')],
      ['branch-not-taken', L('bf'), L('bl1')],
      ['call', L('bl1'), L('f2')],
      ['branch-not-taken', L('bxf'), L('bxf') + 2],
      ['return', L('bxt'), L('after')],
    ]);
  });

  it('FallThrough where a block ends without a transfer: MSR, ISB, the block size limit', async () => {
    const r = await run(`
      movs r0, #0
    msr1:
      msr APSR_nzcvq, r0
    isb1:
      isb
    nops:
      .rept 200
      nop
      .endr
      exit`);
    const { L } = r;
    const lastOfBlock = L('nops') + 2 * 127; // a block holds 128 instructions
    assert.deepEqual(r.events, [
      ['fall-through', L('msr1'), L('msr1') + 4],
      ['fall-through', L('isb1'), L('isb1') + 4],
      ['fall-through', lastOfBlock, lastOfBlock + 2],
    ]);
  });

  it('single-step, instrumented and unchained runs report the same transfers', async () => {
    const base = await run(BRANCHES);
    const counting = definePlugin({ name: 'exec', install(api) { api.onTranslate((tb) => { for (const i of tb.insns) i.onExec(() => {}); }); } });
    for (const o of [{ singleStep: true }, { plugins: [{ plugin: counting }] }, { chaining: false }] as Partial<ArmRunOptions>[]) {
      const r = await run(BRANCHES, o);
      assert.deepEqual(noFallThrough(r.events), noFallThrough(base.events), JSON.stringify(o));
      assert.equal(r.icount, base.icount);
    }
    // One instruction per block: every sequential instruction ends its block.
    const single = await run(BRANCHES, { singleStep: true });
    assert.ok(single.events.some((e) => e[0] === 'fall-through'));
  });
});

/** A program with a vector table: SVC, PendSV and a default handler. */
function vectored(body: string): string {
  const names = ['nmi', 'hardfault', 'memmanage', 'busfault', 'usagefault', '', '', '', '', 'svc', 'debugmon', '', 'pendsv', 'systick'];
  const vec = names.map((n) => (n !== '' && new RegExp(`^\\s*${n}:`, 'm').test(body) ? `  .word ${n} + 1` : '  .word default_handler + 1')).join('\n');
  return `vectors:
  .word 0x20040000
  .word reset + 1
${vec}
default_handler:
  movs r7, #0xee
  exit
reset:
${body}`;
}

describe('ARM control-flow events: exception return', () => {
  it('EXC_RETURN through BX LR and POP {PC} is a TrapReturn to the unstacked PC', async () => {
    const r = await run(vectored(`
    call1:
      svc #1
    after1:
    call2:
      svc #2
    after2:
      exit
    svc:
      push {r4, lr}
      mrs r0, IPSR
      ldr r1, [sp, #32]     @ stacked PC
      subs r1, #2
      ldrb r1, [r1]         @ SVC number
      cmp r1, #1
    beqsite:
      beq viabx
    viapop:
      pop {r4, pc}
    viabx:
      pop {r4}
      ldr lr, [sp], #4
    bxlr:
      bx lr`), { exceptions: true });
    const { L } = r;
    assert.equal(r.r(7), 0);
    assert.deepEqual(noFallThrough(r.events), [
      ['exception', L('call1'), L('svc')],
      ['branch-taken', L('beqsite'), L('viabx')],
      ['trap-return', L('bxlr'), L('after1')],
      ['exception', L('call2'), L('svc')],
      ['branch-not-taken', L('beqsite'), L('viapop')],
      ['trap-return', L('viapop'), L('after2')],
    ]);
  });

  it('a return that tail-chains is a TrapReturn to the retained frame, then the chained entry from there', async () => {
    const r = await run(vectored(`
    call:
      svc #0
    after:
      exit
    svc:
      ldr r0, =0xe000ed04
      mov.w r1, #0x10000000   @ PENDSVSET
    pend:
      str r1, [r0]
    svcret:
      bx lr
    pendsv:
      movs r6, #7
    pendret:
      bx lr`), { exceptions: true });
    const { L } = r;
    assert.equal(r.r(6), 7);
    assert.deepEqual(r.events, [
      ['exception', L('call'), L('svc')],
      // The store pends PendSV (same priority as SVCall: it waits) and ends the block.
      ['fall-through', L('pend'), L('svcret')],
      ['trap-return', L('svcret'), L('after')],
      ['interrupt', L('after'), L('pendsv')],
      ['trap-return', L('pendret'), L('after')],
    ]);
  });
});

describe('ARM control-flow events: cost and consistency', () => {
  it('with only Flow.Interrupt registered, or nothing, blocks have no event code and results agree', async () => {
    const sources = async (mask: number | undefined): Promise<{ r: ArmRunResult; src: string[] }> => {
      const rec = recorder(mask ?? Flow.Interrupt);
      const r = await runArm(BRANCHES, { fixtures, plugins: mask === undefined ? [] : [{ plugin: rec.plugin }] });
      // Translate the program's blocks again with the run's plugin host.
      const src: string[] = [];
      for (const l of ['', 'b1', 'far', 'func', 'after_bl']) {
        r.cpu.pcLo = l === '' ? CODE_BASE : r.labels.get(l)!;
        src.push(translate(r.cpu, { host: r.host, symbolAt: () => undefined }, 0)!.source);
      }
      return { r, src };
    };
    const none = await sources(undefined);
    const irq = await sources(Flow.Interrupt);
    const all = await sources(Flow.Any);
    assert.equal(irq.r.host.flowMask, 0);
    for (const s of [...none.src, ...irq.src]) assert.doesNotMatch(s, /\bflow\d+\(/);
    assert.deepEqual(irq.src, none.src);
    assert.ok(all.src.some((s) => /\bflow\d+\(/.test(s)), 'Flow.Any compiles event calls');
    for (const x of [irq, all]) {
      assert.equal(x.r.icount, none.r.icount);
      for (const reg of [0, 5, 6, 7, 13, 14]) assert.equal(x.r.r(reg), none.r.r(reg));
      assert.equal(x.r.flags, none.r.flags);
    }
  });

  for (const [name, prog, o] of [
    ['branches', BRANCHES, {}], ['indirect', INDIRECT, {}], ['IT', IT_PROGRAM, {}],
    ['exception return', vectored(`
      svc #0
      exit
    svc:
      push {r4, lr}
      pop {r4, pc}`), { exceptions: true }],
  ] as [string, string, Partial<ArmRunOptions>][]) {
    it(`every transfer goes from the instruction just executed to the next one executed (${name})`, async () => {
      type Item = { exec: number } | { kind: number; from: number; to: number };
      const stream: Item[] = [];
      const plugin = definePlugin({
        name: 'check',
        install(api) {
          api.onTranslate((tb) => { for (const i of tb.insns) { const pc = Number(i.vaddr); i.onExec(() => { stream.push({ exec: pc }); }); } });
          api.onControlFlow(Flow.Any, (_v, ev) => { stream.push({ kind: ev.kind, from: ev.fromLo, to: ev.toLo }); });
        },
      });
      await runArm(prog, { fixtures, ...o, plugins: [{ plugin }] });
      let transfers = 0;
      stream.forEach((item, k) => {
        if ('exec' in item) return;
        const next = stream.slice(k + 1).find((x) => 'exec' in x);
        if (next !== undefined && 'exec' in next) assert.equal(next.exec, item.to, `event ${k} (${flowName(item.kind)}) toPc`);
        if (item.kind >= Flow.BranchTaken) {
          transfers++;
          const prev = stream.slice(0, k).reverse().find((x) => 'exec' in x);
          assert.ok(prev !== undefined && 'exec' in prev && prev.exec === item.from, `event ${k} (${flowName(item.kind)}) fromPc`);
        }
      });
      assert.ok(transfers > 0);
    });
  }
});
