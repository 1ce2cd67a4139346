/**
 * buildArmCore as a machine uses it: memories on the bus, the core with its SCS, reset from the
 * vector table at 0, a SysTick interrupt, and semihosting through the BKPT 0xAB hook (a HostCall
 * event, the PC after the BKPT).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Bus } from '../../core/bus.js';
import { VirtualClock } from '../../core/clock.js';
import { Runner } from '../../core/runner.js';
import { Discon } from '../../plugin/api.js';
import { PluginHost } from '../../plugin/host.js';
import { buildArmCore } from './system.js';
import { assemble } from './test-support/asm.js';
import { SemihostingService } from '../../core/semihosting/service.js';
import { armSemihosting, armSemihostingGuest } from './semihosting.js';

const fixtures = fileURLToPath(new URL('./fixtures/system.json', import.meta.url));

describe('buildArmCore', () => {
  it('boots from the vector table, takes SysTick, ends through semihosting', async () => {
    const { bytes, labels } = assemble(`
      .word 0x20008000
      .word reset + 1
      .fill 13, 4, 0
      .word systick + 1
    reset:
      ldr r0, =0xe000e010
      movs r1, #39
      str r1, [r0, #4]       @ RVR: every 40 CPU ticks = 1600 instructions
      movs r1, #7
      str r1, [r0]
    wait:
      cmp r4, #2
      blt wait
      movs r0, #0x18
      bkpt 0xab
    systick:
      adds r4, #1
      bx lr
    `, { base: 0, fixtures });
    const bus = new Bus('little');
    const flash = bus.addRam('flash', 0, 0x10000);
    const sram = bus.addRam('sram', 0x20000000, 0x8000);
    const clock = new VirtualClock(0);
    const host = new PluginHost();
    const events: [number, number, number][] = [];
    let log = '';
    const core = buildArmCore({
      bus, clock, host, cpuHz: 25_000_000, fastRams: [flash, sram], intLog: (l) => { log += l; },
      semihosting: (cpu) => { if (cpu.r[0] === 0x18) { runner.requestExit(0); return true; } return false; },
    });
    host.install({ name: 'ev', install: (api) => api.onDiscontinuity(Discon.All, (_v, k, f, t) => { events.push([k, Number(f), Number(t)]); }) }, {}, {
      arch: 'arm', vcpus: 1, registers: () => [], readRegister: () => 0n, writeRegister: () => {}, pc: () => 0n, readMemory: () => undefined,
      writeMemory: () => false, translateAddress: (_v, a) => a, readPhysicalMemory: () => undefined, writePhysicalMemory: () => false, symbolAt: () => undefined, flushCode: () => {},
    });
    bus.load(0, bytes);
    clock.addSource(core.cpu);
    const runner = new Runner(clock, [core.cpu], core.engine, { maxInsns: 100_000, inputOpen: () => false, waitInput: () => Promise.resolve() });
    core.reset();
    assert.equal(core.cpu.msp, 0x20008000);
    const code = await runner.run();
    assert.equal(code, 0);
    assert.equal(core.cpu.r[4], 2);
    const ints = events.filter((e) => e[0] === Discon.Interrupt);
    assert.equal(ints.length, 2);
    for (const e of ints) assert.equal(e[2], labels.get('systick'));
    const hc = events.filter((e) => e[0] === Discon.HostCall);
    assert.equal(hc.length, 1);
    assert.equal(hc[0]![2], hc[0]![1] + 2);
    assert.match(log, /^Loaded reset SP 0x20008000 PC 0x41 from vector table\nTaking exception 5 \[IRQ\] on CPU 0\n...taking pending nonsecure exception 15\n/);
  });
});

describe('semihosting', () => {
  it('SYS_WRITE0 and SYS_EXIT through BKPT 0xAB: console output, exit status, HostCall events', async () => {
    const { bytes } = assemble(`
      .word 0x20008000
      .word reset + 1
    reset:
      movs r0, #4            @ SYS_WRITE0
      adr r1, msg
      bkpt 0xab
      mov r5, r0             @ corrupted: 0xdeadbeef, as QEMU
      movs r0, #0x18         @ SYS_EXIT
      ldr r1, =0x20026       @ ADP_Stopped_ApplicationExit
      bkpt 0xab
      .align 2
    msg:
      .asciz "hello from M3\\n"
    `, { base: 0, fixtures });
    const bus = new Bus('little');
    const flash = bus.addRam('flash', 0, 0x10000);
    const sram = bus.addRam('sram', 0x20000000, 0x8000);
    const clock = new VirtualClock(0);
    const host = new PluginHost();
    let out = '';
    let exitCode = -1;
    let runner: Runner<never, never> | undefined;
    let hook: ((cpu: import('./cpu.js').ArmCpu) => boolean) | undefined;
    const events: number[] = [];
    const core = buildArmCore({ bus, clock, host, cpuHz: 25_000_000, fastRams: [flash, sram], semihosting: (cpu) => hook!(cpu) });
    const service = new SemihostingService(armSemihostingGuest(core.cpu), {
      consoleOut: (b) => { out += Buffer.from(b).toString(); }, consoleIn: () => undefined, cmdline: '',
      heapInfo: { heapBase: 0n, heapLimit: 0n, stackBase: 0n, stackLimit: 0n },
    });
    hook = armSemihosting(service, (code) => { exitCode = code; runner!.requestExit(code); });
    host.install({ name: 'ev', install: (api) => api.onDiscontinuity(Discon.HostCall, (_v, k) => { events.push(k); }) }, {}, {
      arch: 'arm', vcpus: 1, registers: () => [], readRegister: () => 0n, writeRegister: () => {}, pc: () => 0n, readMemory: () => undefined,
      writeMemory: () => false, translateAddress: (_v, a) => a, readPhysicalMemory: () => undefined, writePhysicalMemory: () => false, symbolAt: () => undefined, flushCode: () => {},
    });
    bus.load(0, bytes);
    clock.addSource(core.cpu);
    const r = new Runner(clock, [core.cpu], core.engine, { maxInsns: 10_000, inputOpen: () => false, waitInput: () => Promise.resolve() });
    runner = r as unknown as Runner<never, never>;
    core.reset();
    await r.run();
    assert.equal(out, 'hello from M3\n');
    assert.equal(exitCode, 0);
    assert.equal(core.cpu.r[5]! >>> 0, 0xdeadbeef);
    assert.deepEqual(events, [Discon.HostCall, Discon.HostCall]);
  });
});
