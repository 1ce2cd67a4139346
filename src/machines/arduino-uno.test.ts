/**
 * Every AVR guest (guests/avr/, sketches included) on arduino-uno, in-process, under the
 * `discons` checker: its USART0 output must be the reference run's (avr8js with the datasheet
 * corrections: guests/avr/expected/NAME.reference.txt; arduino-uno-avr8js.test.ts checks the
 * interrupt entries and cycles too). Inputs and pin drives are those of scripts/avr/guests.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PluginHost } from '../plugin/host.js';
import discons from '../plugins/discons.js';
import { ArduinoUno } from './arduino-uno.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AVR = join(ROOT, 'guests', 'avr');

interface Guest { name: string; elf: string; input?: string; pins?: string[] }

const PINS = ['D2=1@100000', 'D2=0@150000', 'D3=1@200000', 'D3=0@250000', 'B0=1@300000', 'C1=1@350000', 'B0=0@400000', 'D2=1@450000', 'D2=0@460000'];
const GUESTS: Guest[] = [
  ...['hello', 'timer1-ctc', 'timer0-ctc', 'usart-tx-irq', 'extint-self', 'irq-timing', 'wdt-irq', 'wdt-reset', 'eeprom', 'nested', 'sleep-idle', 'workload']
    .map((name) => ({ name, elf: join(AVR, `${name}.elf`) })),
  { name: 'usart-rx-irq', elf: join(AVR, 'usart-rx-irq.elf'), input: 'Hello, AVR!\n' },
  { name: 'extint-pins', elf: join(AVR, 'extint-pins.elf'), pins: PINS },
  ...['serial-millis', 'attach-interrupt'].map((name) => ({ name, elf: join(AVR, 'sketches', name, `${name}.elf`) })),
];

function expected(name: string): string {
  return readFileSync(join(AVR, 'expected', `${name}.reference.txt`), 'latin1');
}

describe('AVR guests on arduino-uno', () => {
  // With flow=on, discons checks every control-flow event too (not for the workload: an exec
  // callback on each of its instructions).
  for (const [g, flow] of [...GUESTS.map((x) => [x, false] as const), ...GUESTS.filter((x) => x.name !== 'workload').map((x) => [x, true] as const)]) {
    it(`${g.name}: USART output as avr8js, ${flow ? 'every control-flow event' : 'discontinuities'} consistent`, { skip: !existsSync(g.elf) }, async () => {
      let out = '';
      let report = '';
      const host = new PluginHost();
      host.out = (t) => { report += t; };
      const m = new ArduinoUno({ bios: g.elf, host, maxCycles: 400_000_000, uartOut: (b) => { out += String.fromCharCode(b); } });
      host.install(discons, { abort: true, 'trace-all': false, flow }, m);
      for (const spec of g.pins ?? []) {
        const [, port, bit, level, at] = /^([BCD])(\d)=([01])@(\d+)$/.exec(spec)!;
        m.cpu.timer(() => m.devices!.gpio.setPin(port as 'B' | 'C' | 'D', Number(bit), level === '1')).armAt(Number(at));
      }
      if (g.input !== undefined) { m.inputClosed = false; m.input(new TextEncoder().encode(g.input)); m.closeInput(); }
      try {
        await m.run();
      } catch (e) {
        // the end of every guest: SLEEP with interrupts off
        assert.match((e as Error).message, /idle \(sleep\)/);
        assert.ok(m.cpu.halted && (m.cpu.sreg & 0x80) === 0, 'ends asleep with I clear');
      }
      m.finish();
      assert.equal(out, expected(g.name));
      assert.match(report, /0 mismatches/);
    });
  }
});

describe('determinism', () => {
  /** Every event as (kind, from, to, cycle), and the end cycle. */
  async function trace(elf: string, singleStep: boolean, instrument: boolean): Promise<string[]> {
    const host = new PluginHost();
    const m = new ArduinoUno({ bios: elf, host, singleStep, maxCycles: 50_000_000 });
    const events: string[] = [];
    host.install({
      name: 'trace',
      install: (api) => {
        api.onDiscontinuity(7, (_v, kind, from, to) => events.push(`${kind} ${from} ${to} ${m.cpu.cycles()}`));
        if (instrument) {
          const c = api.counter('n');
          api.onTranslate((tb) => { for (const i of tb.insns) i.inlineAdd(c, 1); });
        }
      },
    }, {}, m);
    await m.run().catch(() => undefined);
    events.push(`end ${m.clock.icount()} pc ${m.cpu.pcLo}`);
    return events;
  }

  it('block size, chaining and instrumentation do not change the event sequence or cycle counts', async () => {
    const elf = join(AVR, 'nested.elf');
    const normal = await trace(elf, false, false);
    assert.ok(normal.length > 10);
    assert.deepEqual(await trace(elf, true, false), normal, '-singlestep');
    assert.deepEqual(await trace(elf, false, true), normal, 'instrumented');
  });
});
