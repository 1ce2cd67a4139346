/**
 * Interrupt timing and delivery (ATmega328P datasheet 7.7 "Reset and Interrupt Handling"):
 * 4-cycle response (push PC, clear I, jump to the vector), 4 more when waking from sleep, the
 * instruction after SEI and one instruction after RETI run before a pending interrupt, the lowest
 * vector wins, a reset request is an interrupt event to 0. Vectors are raised from test timers
 * (`cpu.timer`) exactly as a peripheral raises them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Discon } from '../../plugin/api.js';
import { PluginHost } from '../../plugin/host.js';
import discons from '../../plugins/discons.js';
import type { AvrCpu } from './cpu.js';
import { runAvr } from './test-support/harness.js';

/** Raise `vector` at absolute cycle `at`; taking it clears the request (like a timer flag). */
function raiseAt(cpu: AvrCpu, vector: number, at: number): void {
  cpu.timer(() => cpu.setInterrupt(vector, true)).armAt(at);
  cpu.onInterruptTaken(vector, () => cpu.setInterrupt(vector, false));
}

interface Event { kind: number; from: bigint; to: bigint; cycle: number }

/** A host recording discontinuities with the cycle they were reported at. */
function recorder(events: Event[], getCpu: () => AvrCpu): PluginHost {
  const host = new PluginHost();
  return Object.assign(host, {
    recorder: (m: Parameters<PluginHost['install']>[2]) => host.install({
      name: 'rec', install: (api) => api.onDiscontinuity(Discon.All, (_v, kind, from, to) => events.push({ kind, from, to, cycle: getCpu().cycles() })),
    }, {}, m),
  });
}

const VECTORS = `
  .org 0
    rjmp main
  .org 4          ; vector 1 (INT0)
    rjmp isr1
  .org 12         ; vector 3 (PCINT0)
    rjmp isr3
  .org 44         ; vector 11 (TIMER1_COMPA)
    rjmp isr11
  .org 0x68
`;

describe('AVR interrupts', () => {
  it('entry takes 4 cycles and is taken at the first instruction boundary at or after the request', async () => {
    const log: string[] = [];
    const r = await runAvr(`${VECTORS}
    main:
      sei               ; cycles 2..3
    loop:
      rjmp loop         ; 3..5, 5..7, 7..9, 9..11: the request at 10 is taken at 11
    isr1:
    isr3:
    isr11:
      exit              ; 11 + 4 (entry) + 2 (rjmp isr1) = 17`, { setup: (_m, cpu) => raiseAt(cpu, 1, 10), intLog: (l) => log.push(l) });
    assert.equal(r.cycles, 17);
    assert.deepEqual(log, ['avr_interrupt: vector 1 INT0 at cycle 11: pc 0x006a -> 0x0004, sp 0x08fd\n']);
    assert.equal(r.sp, 0x8fd);
    assert.deepEqual([r.mem(0x8ff), r.mem(0x8fe)], [0x35, 0x00], 'return word 0x35 = byte 0x6a, low byte pushed first');
    assert.equal(r.flags, '', 'I cleared on entry');
  });

  it('the instruction after SEI runs before a pending interrupt', async () => {
    const r = await runAvr(`${VECTORS}
    main:
      ldi r16, 0
      sei
      inc r16
      inc r16
    loop: rjmp loop
    isr1:
    isr3:
    isr11:
      exit`, { setup: (_m, cpu) => cpu.setInterrupt(1, true) });
    assert.equal(r.r(16), 1);
  });

  it('SEI then CLI: the pending interrupt is never taken', async () => {
    const r = await runAvr(`${VECTORS}
    main:
      sei
      cli
      ldi r20, 1
      exit
    isr1:
    isr3:
    isr11:
      ldi r20, 2
      exit`, { setup: (_m, cpu) => cpu.setInterrupt(1, true) });
    assert.equal(r.r(20), 1);
  });

  it('one instruction of the interrupted code runs after each RETI', async () => {
    const r = await runAvr(`${VECTORS}
    main:
      ldi r16, 0
      ldi r17, 0
      sei
    loop:
      inc r16
      rjmp loop
    isr1:
    isr3:
    isr11:
      inc r17
      cpi r17, 5
      breq done
      reti
    done:
      exit`, { setup: (_m, cpu) => cpu.setInterrupt(1, true) /* never cleared: always pending */ });
    // sei, inc (1) | reti, rjmp | reti, inc (2) | reti, rjmp | reti, inc (3) | 5th entry
    assert.equal(r.r(16), 3);
    assert.equal(r.r(17), 5);
  });

  it('the lowest vector number wins', async () => {
    const order: number[] = [];
    const r = await runAvr(`${VECTORS}
    main:
      sei
    loop: rjmp loop
    isr1:
      ldi r20, 1
      exit
    isr3:
      ldi r21, 3
      reti
    isr11:
      ldi r22, 11
      reti`, {
      setup: (_m, cpu) => {
        for (const v of [11, 3]) { cpu.setInterrupt(v, true); cpu.onInterruptTaken(v, () => { order.push(v); cpu.setInterrupt(v, false); }); }
        raiseAt(cpu, 1, 60);
      },
    });
    assert.deepEqual(order, [3, 11]);
    assert.deepEqual([r.r(20), r.r(21), r.r(22)], [1, 3, 11]);
  });

  it('SLEEP halts until an interrupt; waking adds 4 cycles; the event reports SLEEP + 2', async () => {
    const events: Event[] = [];
    let cpuRef: AvrCpu | undefined;
    const host = recorder(events, () => cpuRef!);
    const r = await runAvr(`${VECTORS}
    main:
      ldi r16, 1
      out 0x33, r16     ; SMCR: SE, idle mode
      sei
      sleep             ; at byte 0x6e
      ldi r20, 1
    isr1:
    isr3:
    isr11:
      exit`, {
      host,
      setup: (m, cpu) => { cpuRef = cpu; (host as unknown as { recorder: (x: typeof m) => void }).recorder(m); raiseAt(cpu, 1, 1000); },
    });
    assert.equal(r.cycles, 1000 + 4 + 4 + 2);
    assert.equal(r.r(20), 0);
    assert.deepEqual(events, [{ kind: Discon.Interrupt, from: 0x70n, to: 4n, cycle: 1008 }]);
  });

  it('SLEEP with SMCR.SE clear is a NOP', async () => {
    const r = await runAvr('sleep\nldi r20, 1');
    assert.equal(r.r(20), 1);
    assert.equal(r.cycles, 2);
  });

  it('a reset request restarts at 0 as an interrupt event, keeping SRAM and MCUSR', async () => {
    const events: Event[] = [];
    let cpuRef: AvrCpu | undefined;
    const host = recorder(events, () => cpuRef!);
    let resets = 0;
    const r = await runAvr(`
      lds r16, 0x100
      inc r16
      sts 0x100, r16
      cpi r16, 2
      breq done
      ldi r17, 0x20
      out 0x3d, r17     ; SP changed: reset puts it back
    loop: rjmp loop
    done:
      exit`, {
      host,
      setup: (m, cpu) => {
        cpuRef = cpu;
        (host as unknown as { recorder: (x: typeof m) => void }).recorder(m);
        cpu.timer(() => { cpu.data[0x54] = 0x08; cpu.requestReset(); }).armAt(100);
        cpu.onSystemReset = () => { resets++; };
      },
    });
    assert.equal(resets, 1);
    assert.equal(r.mem(0x100), 2);
    assert.equal(r.mem(0x54), 0x08, 'MCUSR.WDRF kept');
    assert.equal(r.sp, 0x8ff);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, Discon.Interrupt);
    assert.equal(events[0]!.to, 0n);
    assert.equal(events[0]!.from, 0x12n, 'the loop instruction that would have run next');
  });

  it('interrupts pass the discons checker (nested: SEI inside a handler)', async () => {
    let checked = '';
    const host = new PluginHost();
    host.out = (t) => { checked += t; };
    const r = await runAvr(`${VECTORS}
    main:
      sei
    loop:
      inc r16
      lds r18, 0x100
      cpi r18, 20
      brne loop
      exit
    isr1:
      sei               ; nested: vector 11 may interrupt this handler
      push r16
      lds r16, 0x100
      inc r16
      sts 0x100, r16
      pop r16
      reti
    isr3:
      reti
    isr11:
      push r16
      lds r16, 0x101
      inc r16
      sts 0x101, r16
      pop r16
      reti`, {
      host,
      maxCycles: 100_000,
      setup: (m, cpu) => {
        host.install(discons, { abort: true, 'trace-all': false }, m);
        const t1 = cpu.timer((now) => { cpu.setInterrupt(1, true); t1.armAt(now + 97); });
        t1.armAt(50);
        cpu.onInterruptTaken(1, () => cpu.setInterrupt(1, false));
        const t11 = cpu.timer((now) => { cpu.setInterrupt(11, true); t11.armAt(now + 41); });
        t11.armAt(60);
        cpu.onInterruptTaken(11, () => cpu.setInterrupt(11, false));
      },
    });
    assert.equal(r.mem(0x100), 20);
    assert.ok(r.mem(0x101) > 20);
    assert.match(checked, /discons: checked [1-9]\d* events, skipped \d+, 0 mismatches/);
  });
});
