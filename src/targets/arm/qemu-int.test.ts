/**
 * `-d int` of the exception model, line for line against QEMU 7.2 on the same binaries (recorded
 * by test-support/qemu-int-diff.ts --save from the programs in test-support/qemu-int/): SVC with
 * PendSV tail-chaining, DIVBYZERO, UNALIGNED, precise BusFault, UDF, INVSTATE, SysTick interrupts
 * and their timing under -icount shift=0, semihosting exit; PSP Thread mode, NVIC priorities with
 * BASEPRI and preemption, PRIMASK; lockup in the HardFault handler.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bus } from '../../core/bus.js';
import { VirtualClock } from '../../core/clock.js';
import { Runner } from '../../core/runner.js';
import { PluginHost } from '../../plugin/host.js';
import { buildArmCore } from './system.js';

const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/qemu-int.json', import.meta.url)), 'utf8')) as Record<string, { bin: string; log: string }>;

async function intLog(bin: Uint8Array): Promise<string> {
  const bus = new Bus('little');
  const ram0 = bus.addRam('ssram1', 0, 0x400000);
  const ram1 = bus.addRam('ssram23', 0x20000000, 0x800000);
  const clock = new VirtualClock(0);
  let log = '';
  let exit: () => void = () => {};
  const core = buildArmCore({
    bus, clock, host: new PluginHost(), cpuHz: 25_000_000, fastRams: [ram0, ram1], intLog: (l) => { log += l; },
    semihosting: (cpu) => { if (cpu.r[0] === 0x18) { exit(); return true; } return false; },
  });
  bus.load(0, bin);
  clock.addSource(core.cpu);
  const runner = new Runner(clock, [core.cpu], core.engine, { maxInsns: 1_000_000, inputOpen: () => false, waitInput: () => Promise.resolve() });
  exit = () => runner.requestExit(0);
  core.reset();
  try { await runner.run(); } catch (e) { log += `qemu: fatal: ${(e as Error).message}\n`; }
  return log;
}

describe('-d int matches QEMU 7.2', () => {
  for (const [name, rec] of Object.entries(recorded)) {
    it(name, async () => {
      const got = await intLog(Uint8Array.from(Buffer.from(rec.bin, 'hex')));
      assert.equal(got, rec.log);
    });
  }
});
