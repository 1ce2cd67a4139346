/**
 * Control-flow events on AVR (`api.onControlFlow`), with byte addresses as everywhere in the
 * plugin API: conditional branches and skips taken / not taken (a skip over a two-word
 * instruction lands after both words), RJMP/JMP, IJMP, RCALL/CALL/ICALL, RET, RETI after an
 * interrupt, FallThrough at SEI and at the block size limit; the event stream against the
 * instructions executed; and that without transfer registrations no event code is compiled.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, Flow, flowName, type Plugin } from '../../plugin/api.js';
import { PluginHost } from '../../plugin/host.js';
import type { AvrCpu } from './cpu.js';
import { runAvr, type AvrRunResult } from './test-support/harness.js';
import { translate } from './translate.js';

/** One event as the tests compare it: kind name, fromPc, toPc (byte addresses). */
type Ev = [string, number, number];

/** Run `prog` with `plugins` installed (none: no plugin host registrations at all). */
async function runWith(prog: string, plugins: Plugin[], setup?: (cpu: AvrCpu) => void): Promise<{ r: AvrRunResult; host: PluginHost; L: (l: string) => number }> {
  const host = new PluginHost();
  const r = await runAvr(prog, {
    host,
    setup: (m, cpu) => { for (const p of plugins) host.install(p, {}, m); setup?.(cpu); },
  });
  const L = (l: string): number => {
    const a = r.labels.get(l);
    assert.ok(a !== undefined, `label ${l}`);
    return a;
  };
  return { r, host, L };
}

async function run(prog: string, mask: number = Flow.Any, setup?: (cpu: AvrCpu) => void) {
  const events: Ev[] = [];
  const plugin = definePlugin({
    name: 'flow-recorder',
    install(api) { api.onControlFlow(mask, (_v, ev) => { events.push([flowName(ev.kind), ev.fromLo, ev.toLo]); }); },
  });
  return { ...(await runWith(prog, [plugin], setup)), events };
}

const BRANCHES = `
    ldi r16, 2
  loop:
    dec r16
  brne1:
    brne loop           ; taken once, then not taken
    ldi r17, 5
  cpse1:
    cpse r16, r16       ; equal: skips one word
    ldi r18, 1
  sbrc1:
    sbrc r17, 0         ; bit set: no skip
    ldi r19, 1
  sbrs1:
    sbrs r17, 2         ; bit set: skips the two-word LDS
    lds r20, 0x0100
  sbis1:
    sbis 0x1e, 0        ; GPIOR0 bit 0 clear: no skip
    nop
  sbic1:
    sbic 0x1e, 0        ; clear: skip
    ldi r21, 1
  rj1:
    rjmp j2
    ldi r21, 2
  j2:
  jmp1:
    jmp j3
    ldi r21, 3
  j3:
  rc1:
    rcall f1
  c1:
    call f2
    ldi r30, 0x00
    ldi r31, 0x01       ; Z = word 0x100 = byte 0x200
  ic1:
    icall
  ij1:
    ldi r31, 0x01
    ldi r30, 0x02       ; Z = word 0x102 = byte 0x204
    ijmp
  f1:
  ret1:
    ret
  f2:
  ret2:
    ret
  .org 0x200
  f3:
  ret3:
    ret
  .org 0x204
  ijt:
    exit`;

/** Vector 1 jumps to isr1; main enables interrupts and waits in a loop. */
const INTERRUPT = `
  .org 0
    rjmp main
  .org 4
  vec1:
    rjmp isr1
  .org 0x68
  main:
    ldi r16, 0
  sei1:
    sei
  loop:
    inc r16
    cpi r16, 3
  brne2:
    brne loop
  exit1:
    exit
  isr1:
    cpi r16, 0
  breq1:
    breq done
  reti1:
    reti
  done:
    exit`;

describe('AVR control-flow events', () => {
  it('branches and skips taken / not taken, jumps, calls, returns', async () => {
    const { r, L, events } = await run(BRANCHES);
    assert.deepEqual([r.r(18), r.r(19), r.r(20), r.r(21)], [0, 1, 0, 0]);
    assert.deepEqual(events, [
      ['branch-taken', L('brne1'), L('loop')],
      ['branch-not-taken', L('brne1'), L('brne1') + 2],
      ['branch-taken', L('cpse1'), L('cpse1') + 4],
      ['branch-not-taken', L('sbrc1'), L('sbrc1') + 2],
      ['branch-taken', L('sbrs1'), L('sbrs1') + 6],
      ['branch-not-taken', L('sbis1'), L('sbis1') + 2],
      ['branch-taken', L('sbic1'), L('sbic1') + 4],
      ['jump', L('rj1'), L('j2')],
      ['jump', L('jmp1'), L('j3')],
      ['call', L('rc1'), L('f1')],
      ['return', L('ret1'), L('c1')],
      ['call', L('c1'), L('f2')],
      ['return', L('ret2'), L('c1') + 4],
      ['call', L('ic1'), L('f3')],
      ['return', L('ret3'), L('ij1')],
      ['indirect-jump', L('ij1') + 4, L('ijt')],
      // The exit is a write to GPIOR0, which a hook watches: the block ends after it.
      ['fall-through', L('ijt'), L('ijt') + 2],
    ]);
  });

  it('an interrupt, RETI as a trap return, FallThrough at SEI', async () => {
    const { L, events } = await run(INTERRUPT, Flow.Any, (cpu) => {
      cpu.setInterrupt(1, true);
      cpu.onInterruptTaken(1, () => cpu.setInterrupt(1, false));
    });
    // SEI ends its block; the instruction after it runs before the interrupt (inc at `loop`).
    assert.deepEqual(events, [
      ['jump', 0, L('main')],
      ['fall-through', L('sei1'), L('loop')],
      // The instruction after SEI runs as a block of its own, which falls through.
      ['fall-through', L('loop'), L('loop') + 2],
      ['interrupt', L('loop') + 2, L('vec1')],
      ['jump', L('vec1'), L('isr1')],
      ['branch-not-taken', L('breq1'), L('reti1')],
      ['trap-return', L('reti1'), L('loop') + 2],
      ['branch-taken', L('brne2'), L('loop')],
      ['branch-taken', L('brne2'), L('loop')],
      ['branch-not-taken', L('brne2'), L('exit1')],
      ['fall-through', L('exit1'), L('exit1') + 2],
    ]);
  });

  it('FallThrough at the block size limit (64 instructions)', async () => {
    const { L, events } = await run(`
    nops:
${'    nop\n'.repeat(100)}    exit1:
    exit`);
    const last = L('nops') + 2 * 63;
    assert.deepEqual(events, [['fall-through', last, last + 2], ['fall-through', L('exit1'), L('exit1') + 2]]);
  });

  it('with only Flow.Interrupt registered, or nothing, blocks have no event code and results agree', async () => {
    const blocks = async (plugins: Plugin[]) => {
      const x = await runWith(BRANCHES, plugins);
      const src = ['', 'sbrc1', 'j3', 'f1', 'ij1'].map((l) => {
        x.r.cpu.pcLo = l === '' ? 0 : x.L(l);
        return translate(x.r.cpu, { host: x.host, symbolAt: () => undefined }, 0).source;
      });
      return { ...x, src };
    };
    const irqOnly = definePlugin({ name: 'irq', install(api) { api.onControlFlow(Flow.Interrupt, () => {}); } });
    const any = definePlugin({ name: 'any', install(api) { api.onControlFlow(Flow.Any, () => {}); } });
    const none = await blocks([]);
    const irq = await blocks([irqOnly]);
    const all = await blocks([any]);
    assert.equal(irq.host.flowMask, 0);
    for (const s of [...none.src, ...irq.src]) assert.doesNotMatch(s, /\bflow\d+\(/);
    assert.deepEqual(irq.src, none.src);
    assert.ok(all.src.some((s) => /\bflow\d+\(/.test(s)), 'Flow.Any compiles event calls');
    for (const x of [irq, all]) {
      assert.equal(x.r.cycles, none.r.cycles);
      assert.equal(x.r.sp, none.r.sp);
      assert.equal(x.r.flags, none.r.flags);
      for (let reg = 0; reg < 32; reg++) assert.equal(x.r.r(reg), none.r.r(reg), `r${reg}`);
    }
  });

  for (const [name, prog, setup] of [
    ['branches', BRANCHES, undefined],
    ['interrupt', INTERRUPT, (cpu: AvrCpu) => { cpu.setInterrupt(1, true); cpu.onInterruptTaken(1, () => cpu.setInterrupt(1, false)); }],
  ] as [string, string, ((cpu: AvrCpu) => void) | undefined][]) {
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
      await runWith(prog, [plugin], setup);
      let transfers = 0;
      stream.forEach((item, k) => {
        if ('exec' in item) return;
        // The next instruction executed is at toPc, unless an interrupt is taken first: at toPc.
        const next = stream[k + 1];
        if (next !== undefined && 'exec' in next) assert.equal(next.exec, item.to, `event ${k} (${flowName(item.kind)}) toPc`);
        else if (next !== undefined) assert.equal(next.from, item.to, `event ${k} (${flowName(item.kind)}) toPc, interrupted`);
        if (item.kind >= Flow.BranchTaken) {
          transfers++;
          const prev = stream[k - 1];
          assert.ok(prev !== undefined && 'exec' in prev && prev.exec === item.from, `event ${k} (${flowName(item.kind)}) fromPc`);
        }
      });
      assert.ok(transfers > 5);
    });
  }
});
