/**
 * The ARM M-profile guests (guests/arm/) on the `mps2-an385` / `mps2-an386` machines, each under
 * the bundled `discons` checker in abort mode, compared with the committed QEMU 7.2 reference runs
 * (guests/arm/expected/): UART0 bytes, stdout (UART0 and semihosting ":tt" stdout, in order),
 * stderr (the semihosting console), the exit status, and the `-d int` log byte for byte (except
 * uart-rx's, which follows QEMU's host-timed input delivery). Hermetic: no QEMU needed.
 *
 * Also: the M0 builds on tracehook's Cortex-M0 core (`-cpu cortex-m0`, which QEMU's mps2 boards
 * refuse), and the microbit build of the workload on mps2-an385 (QEMU ran it on `microbit`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginHost } from '../plugin/host.js';
import discons from '../plugins/discons.js';
import { Mps2Machine, mps2Cpu, type Mps2Cpu } from './mps2.js';
import type { Mps2BoardName } from './mps2-map.js';
import { assemble } from '../targets/arm/test-support/asm.js';

const GUESTS = fileURLToPath(new URL('../../guests/arm/', import.meta.url));
const expected = (f: string): Buffer => readFileSync(join(GUESTS, 'expected', f));
const summary = JSON.parse(readFileSync(join(GUESTS, 'expected', 'summary.json'), 'utf8')) as Record<string, { exit: number }>;

interface Run { exit: number; uart: Buffer; stdout: Buffer; stderr: Buffer; intLog: string; report: string; machine: Mps2Machine }

async function runGuest(elf: string, board: Mps2BoardName, o: { cpu?: Mps2Cpu; input?: string; maxInsns?: number; singleStep?: boolean; flow?: boolean } = {}): Promise<Run> {
  const uart: number[] = [], stdout: number[] = [], stderr: number[] = [];
  let intLog = '', report = '';
  const host = new PluginHost();
  host.out = (t) => { report += t; };
  const machine = new Mps2Machine({
    board, cpu: o.cpu, kernel: join(GUESTS, elf), semihosting: true, icountShift: 0, maxInsns: o.maxInsns ?? 400_000_000, singleStep: o.singleStep ?? false,
    uartOut: (b) => { uart.push(b); stdout.push(b); },
    semihostingOut: (b) => { stderr.push(...b); },
    semihostingTtyOut: (s, b) => { (s === 'stdout' ? stdout : stderr).push(...b); },
    intLog: (l) => { intLog += l; },
    host,
  });
  host.install(discons, { abort: true, 'trace-all': false, flow: o.flow ?? false }, machine);
  if (o.input !== undefined) {
    machine.inputClosed = false;
    machine.input(readFileSync(join(GUESTS, o.input)));
    machine.closeInput();
  }
  const exit = await machine.run();
  machine.finish();
  return { exit, uart: Buffer.from(uart), stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), intLog, report, machine };
}

function assertDiscons(r: Run): void {
  assert.match(r.report, /discons: checked \d+ events, skipped \d+, 0 mismatches/);
}

/** Guests as QEMU 7.2 ran them (scripts/arm/guests.ts): name, ELF, board, input. */
const REFERENCE: { name: string; elf: string; board: Mps2BoardName; input?: string; hostTimedLog?: boolean; todo?: string }[] = [
  { name: 'hello.m3', elf: 'hello.m3.elf', board: 'mps2-an385' },
  { name: 'hello.m0', elf: 'hello.m0.elf', board: 'mps2-an385' },
  { name: 'hello.m3.an386', elf: 'hello.m3.elf', board: 'mps2-an386' },
  { name: 'svc.m3', elf: 'svc.m3.elf', board: 'mps2-an385' },
  { name: 'rtos.m3', elf: 'rtos.m3.elf', board: 'mps2-an385' },
  { name: 'rtos.m0', elf: 'rtos.m0.elf', board: 'mps2-an385' },
  { name: 'timer.m3', elf: 'timer.m3.elf', board: 'mps2-an385' },
  { name: 'faults.m3', elf: 'faults.m3.elf', board: 'mps2-an385' },
  { name: 'hardfault.m3', elf: 'hardfault.m3.elf', board: 'mps2-an385' },
  { name: 'chain.m3', elf: 'chain.m3.elf', board: 'mps2-an385' },
  { name: 'uart-irq.m3', elf: 'uart-irq.m3.elf', board: 'mps2-an385' },
  { name: 'uart-rx.m3', elf: 'uart-rx.m3.elf', board: 'mps2-an385', input: 'uart-rx.input', hostTimedLog: true },
  { name: 'fpu.m4', elf: 'fpu.m4.elf', board: 'mps2-an386' },
  { name: 'printf-semihost.m3', elf: 'printf-semihost.m3.elf', board: 'mps2-an385' },
  { name: 'printf-uart.m3', elf: 'printf-uart.m3.elf', board: 'mps2-an385' },
  { name: 'workload.m3', elf: 'workload.m3.elf', board: 'mps2-an385' },
  { name: 'workload.m0', elf: 'workload.m0.elf', board: 'mps2-an385' },
  { name: 'crc-loop.m0', elf: 'crc-loop.m0.elf', board: 'mps2-an385' },
];

describe('guests/arm on mps2, identical to QEMU 7.2 (expected/)', () => {
  for (const g of REFERENCE) {
    it(`${g.name}: exit status, UART0, stdout, stderr${g.hostTimedLog ? '' : ', -d int log'}`, { ...(g.todo !== undefined ? { todo: g.todo } : {}) }, async () => {
      const r = await runGuest(g.elf, g.board, { ...(g.input !== undefined ? { input: g.input } : {}) });
      assertDiscons(r);
      assert.equal(r.exit, summary[g.name]!.exit, 'exit status');
      assert.equal(r.uart.toString('latin1'), expected(`${g.name}.uart`).toString('latin1'), 'UART0');
      assert.equal(r.stdout.toString('latin1'), expected(`${g.name}.stdout`).toString('latin1'), 'stdout');
      assert.equal(r.stderr.toString('latin1'), expected(`${g.name}.stderr`).toString('latin1'), 'stderr');
      if (!g.hostTimedLog) assert.equal(r.intLog, expected(`${g.name}.int.log`).toString('utf8'), '-d int');
    });
  }
});

describe('control-flow events explain every step of the guests (discons,flow=on)', () => {
  // Not the workloads and the CRC loop: an exec callback on each of their ~40-70M instructions.
  for (const g of REFERENCE.filter((x) => !/^(workload|crc-loop)/.test(x.name))) {
    it(g.name, async () => {
      const r = await runGuest(g.elf, g.board, { flow: true, ...(g.input !== undefined ? { input: g.input } : {}) });
      assert.match(r.report, /discons: checked \d+ events, skipped 0, 0 mismatches/);
      assert.equal(r.exit, summary[g.name]!.exit, 'exit status');
    });
  }
});

describe('-singlestep (one instruction per block) gives the same -d int log', () => {
  for (const [name, board] of [['timer.m3', 'mps2-an385'], ['chain.m3', 'mps2-an385'], ['fpu.m4', 'mps2-an386']] as const) {
    it(name, async () => {
      const r = await runGuest(`${name}.elf`, board, { singleStep: true });
      assertDiscons(r);
      assert.equal(r.exit, 0);
      assert.equal(r.stdout.toString('latin1'), expected(`${name}.stdout`).toString('latin1'));
      assert.equal(r.intLog, expected(`${name}.int.log`).toString('utf8'));
    });
  }
});

describe('the Cortex-M3 guests on mps2-an386 (Cortex-M4 with FPU and MPU): the same as on mps2-an385', () => {
  for (const name of ['svc.m3', 'rtos.m3', 'timer.m3', 'faults.m3', 'hardfault.m3', 'chain.m3', 'uart-irq.m3']) {
    it(name, async () => {
      const r = await runGuest(`${name}.elf`, 'mps2-an386');
      assertDiscons(r);
      assert.equal(r.exit, 0);
      assert.equal(r.stdout.toString('latin1'), expected(`${name}.stdout`).toString('latin1'));
      assert.equal(r.intLog, expected(`${name}.int.log`).toString('utf8'));
    });
  }
});

describe('ARMv6-M builds on tracehook\'s Cortex-M0 (-cpu cortex-m0)', () => {
  for (const name of ['rtos.m0', 'workload.m0', 'crc-loop.m0']) {
    it(`${name}: the same outputs and -d int log as QEMU's Cortex-M3 run`, async () => {
      const r = await runGuest(`${name}.elf`, 'mps2-an385', { cpu: 'cortex-m0' });
      assertDiscons(r);
      assert.equal(r.exit, 0);
      assert.equal(r.stdout.toString('latin1'), expected(`${name}.stdout`).toString('latin1'));
      assert.equal(r.stderr.toString('latin1'), expected(`${name}.stderr`).toString('latin1'));
      assert.equal(r.intLog, expected(`${name}.int.log`).toString('utf8'));
    });
  }
  it('hello.m0: only the CPUID line differs (0x410cc200, partno c20)', async () => {
    const r = await runGuest('hello.m0.elf', 'mps2-an385', { cpu: 'cortex-m0' });
    assertDiscons(r);
    assert.equal(r.exit, 0);
    const want = expected('hello.m0.stdout').toString('latin1').replace('CPUID 410fc231 (partno c23)', 'CPUID 410cc200 (partno c20)');
    assert.equal(r.stdout.toString('latin1'), want);
  });
  it('workload-microbit.m0 (QEMU: microbit) runs on mps2-an385 with the same console, exit and -d int log', async () => {
    const r = await runGuest('workload-microbit.m0.elf', 'mps2-an385', { cpu: 'cortex-m0' });
    assertDiscons(r);
    assert.equal(r.exit, 0);
    assert.equal(r.stderr.toString('latin1'), expected('workload-microbit.m0.stderr').toString('latin1'));
    assert.equal(r.intLog, expected('workload-microbit.m0.int.log').toString('utf8'));
  });
});

describe('mps2 machine', () => {
  it('-cpu: each board its own core (QEMU 7.2\'s message otherwise), cortex-m0 on both', () => {
    assert.equal(mps2Cpu('mps2-an385', undefined), 'cortex-m3');
    assert.equal(mps2Cpu('mps2-an386', undefined), 'cortex-m4');
    assert.equal(mps2Cpu('mps2-an385', 'cortex-m3'), 'cortex-m3');
    assert.equal(mps2Cpu('mps2-an386', 'cortex-m0'), 'cortex-m0');
    assert.throws(() => mps2Cpu('mps2-an385', 'cortex-m4'), /^UserError: This board can only be used with CPU cortex-m3-arm-cpu$|This board can only be used with CPU cortex-m3-arm-cpu/);
    assert.throws(() => mps2Cpu('mps2-an386', 'cortex-m3'), /This board can only be used with CPU cortex-m4-arm-cpu/);
    assert.throws(() => mps2Cpu('mps2-an385', 'cortex-a9'), /unknown CPU model 'cortex-a9'/);
  });
  it('AIRCR.SYSRESETREQ resets the board: the images are loaded again and the CPU restarts from the vector table', async () => {
    // hello.m3 with a plugin that requests a reset once, at the first semihosting call.
    const host = new PluginHost();
    let out = '', intLog = '', resets = 0;
    host.out = () => {};
    const machine = new Mps2Machine({
      board: 'mps2-an385', kernel: join(GUESTS, 'hello.m3.elf'), semihosting: true,
      uartOut: (b) => { out += String.fromCharCode(b); }, semihostingOut: () => {}, intLog: (l) => { intLog += l; }, host,
    });
    host.install({
      name: 'reset-once',
      install: (api) => api.onDiscontinuity(4, () => {
        if (resets++ === 0) machine.writePhysicalMemory(0x20000000n, Uint8Array.of(1)); // dirty RAM
        if (resets === 1) machine.bus.write(0xe000ed0c, 4, 0x05fa0004); // AIRCR: VECTKEY | SYSRESETREQ
      }),
    }, {}, machine);
    assert.equal(await machine.run(), 0);
    assert.equal(out.split('hello from ARMv7-M').length - 1, 2, 'the program ran twice');
    assert.equal(intLog.split('Loaded reset SP 0x20400000 PC 0xc1 from vector table').length - 1, 2);
  });
  /** Semihosting from unprivileged Thread mode: SYS_WRITE0 then SYS_EXIT; the HardFault handler exits too. */
  async function unprivilegedSemihosting(userspace: boolean): Promise<{ err: string; intLog: string }> {
    const { bytes } = assemble(`
      .word 0x20008000
      .word reset + 1
      .fill 1, 4, 0
      .word hardfault + 1
    reset:
      movs r0, #1
      msr CONTROL, r0        @ unprivileged
      isb
      movs r0, #4            @ SYS_WRITE0
      adr r1, msg
      bkpt 0xab
      movs r0, #0x18         @ SYS_EXIT, still unprivileged
      ldr r1, =0x20026
      bkpt 0xab
    hardfault:
      movs r0, #0x18         @ SYS_EXIT from the (privileged) handler
      ldr r1, =0x20026
      bkpt 0xab
      .align 2
    msg:
      .asciz "from thread mode\\n"
    `, { base: 0, fixtures: fileURLToPath(new URL('./fixtures/mps2.json', import.meta.url)) });
    let err = '', intLog = '';
    const m = new Mps2Machine({
      board: 'mps2-an385', kernelImage: { bytes, name: 'unpriv.bin' }, semihosting: true, semihostingUserspace: userspace, maxInsns: 100_000,
      uartOut: () => {}, semihostingOut: (b) => { err += Buffer.from(b).toString(); }, intLog: (l) => { intLog += l; },
    });
    assert.equal(await m.run(), 0);
    return { err, intLog };
  }
  it('semihosting from unprivileged Thread mode is refused as in QEMU 7.2: the BKPT is a HardFault', async () => {
    const { err, intLog } = await unprivilegedSemihosting(false);
    assert.equal(err, '');
    assert.match(intLog, /Taking exception 7 \[Breakpoint\] on CPU 0\n\.\.\.taking pending nonsecure exception 3\n/);
    assert.doesNotMatch(intLog, /semihosting call 0x4/);
  });
  it('with -semihosting-config userspace=on, unprivileged Thread mode may call semihosting', async () => {
    const { err, intLog } = await unprivilegedSemihosting(true);
    assert.equal(err, 'from thread mode\n');
    assert.doesNotMatch(intLog, /Breakpoint/);
  });
  it('SYSRESETREQ from the guest: -d int as QEMU 7.2 records it (a second "Loaded reset" line; RAM outside the images kept)', async () => {
    const { bytes } = assemble(`
      .word 0x20008000
      .word reset + 1
    reset:
      ldr r0, =0x20100000
      ldr r1, [r0]
      cbnz r1, second
      movs r1, #1
      str r1, [r0]
      ldr r0, =0xe000ed0c
      ldr r1, =0x05fa0004
      str r1, [r0]           @ AIRCR: VECTKEY | SYSRESETREQ
      dsb
      b .
    second:
      movs r0, #0x18
      ldr r1, =0x20026
      bkpt 0xab
    `, { base: 0, fixtures: fileURLToPath(new URL('./fixtures/mps2.json', import.meta.url)) });
    let intLog = '';
    const m = new Mps2Machine({ board: 'mps2-an385', kernelImage: { bytes, name: 'reset.bin' }, semihosting: true, uartOut: () => {}, semihostingOut: () => {}, intLog: (l) => { intLog += l; } });
    assert.equal(await m.run(), 0);
    // -no-reboot: the reset request ends the run with status 0 instead
    let noRebootLog = '';
    const n = new Mps2Machine({ board: 'mps2-an385', kernelImage: { bytes, name: 'reset.bin' }, semihosting: true, noReboot: true, uartOut: () => {}, semihostingOut: () => {}, intLog: (l) => { noRebootLog += l; } });
    assert.equal(await n.run(), 0);
    assert.equal(noRebootLog, 'Loaded reset SP 0x0 PC 0x0 from vector table\nLoaded reset SP 0x20008000 PC 0x9 from vector table\n');
    // qemu-system-arm -M mps2-an385 -kernel (the same program as an ELF) -semihosting -icount shift=0,sleep=off -d int
    assert.equal(intLog, 'Loaded reset SP 0x0 PC 0x0 from vector table\nLoaded reset SP 0x20008000 PC 0x9 from vector table\n' +
      'Loaded reset SP 0x20008000 PC 0x9 from vector table\nTaking exception 16 [Semihosting call] on CPU 0\n...handling as semihosting call 0x18\n');
  });
  it('bit-band windows: word n of 0x22000000 / 0x42000000 is bit n%8 of byte n/8 at 0x20000000 / 0x40000000', () => {
    const m = new Mps2Machine({ board: 'mps2-an385', kernel: join(GUESTS, 'hello.m3.elf'), uartOut: () => {}, semihostingOut: () => {} });
    const bus = m.bus;
    bus.write(0x20000100, 4, 0x00000005);
    assert.equal(bus.read(0x22000000 + 0x100 * 32 + 0 * 4, 4), 1);
    assert.equal(bus.read(0x22000000 + 0x100 * 32 + 1 * 4, 4), 0);
    assert.equal(bus.read(0x22000000 + 0x100 * 32 + 2 * 4, 1), 1);
    bus.write(0x22000000 + 0x101 * 32 + 7 * 4, 4, 1);   // bit 7 of byte 0x20000101
    bus.write(0x22000000 + 0x100 * 32 + 0 * 4, 4, 0);   // clear bit 0
    assert.equal(bus.read(0x20000100, 4), 0x00008004);
    // the peripheral window reaches the devices: UART0 CTRL (0x40004008) bit 0 = TX enable
    bus.write(0x42000000 + 0x4008 * 32, 4, 1);
    assert.equal(bus.read(0x40004008, 4), 1);
  });
  it('plugins see the FP registers (s0..s31, fpscr) on the Cortex-M4 only', () => {
    const o = { kernel: join(GUESTS, 'hello.m3.elf'), uartOut: () => {}, semihostingOut: () => {} };
    const m4 = new Mps2Machine({ board: 'mps2-an386', ...o });
    assert.ok(m4.registers(0).some((r) => r.name === 's31' && r.feature === 'fpu'));
    m4.writeRegister(0, 's3', 0x3fc00000n);
    assert.equal(m4.readRegister(0, 's3'), 0x3fc00000n);
    assert.equal(m4.core.fpu?.s[3], 0x3fc00000);
    const m3 = new Mps2Machine({ board: 'mps2-an385', ...o });
    assert.ok(!m3.registers(0).some((r) => r.name === 's0'));
    assert.throws(() => m3.readRegister(0, 's0'), /no register 's0'/);
  });
  it('one-line errors: not an ARM ELF, no -kernel, -m other than 16M', () => {
    const o = { board: 'mps2-an385' as const, uartOut: () => {}, semihostingOut: () => {} };
    assert.throws(() => new Mps2Machine({ ...o, kernel: fileURLToPath(new URL('../../guests/riscv/demo.rv64.elf', import.meta.url)) }),
      /demo\.rv64\.elf: ELF machine is RISC-V, expected ARM/);
    assert.throws(() => new Mps2Machine(o), /no -kernel/);
    assert.throws(() => new Mps2Machine({ ...o, kernel: join(GUESTS, 'hello.m3.elf'), memBytes: 32 << 20 }), /16 MiB/);
  });
  it('a raw image (not ELF) is loaded at 0, and SP/PC come from its first two words', () => {
    const bin = readFileSync(join(GUESTS, 'crc-loop.m0.bin'));
    const m = new Mps2Machine({ board: 'mps2-an385', kernel: join(GUESTS, 'crc-loop.m0.bin'), uartOut: () => {}, semihostingOut: () => {} });
    assert.deepEqual(Buffer.from(m.readPhysicalMemory(0n, bin.length)!), bin);
    assert.equal(m.core.cpu.msp, bin.readUInt32LE(0) & ~3);
    assert.equal(m.core.cpu.pc, bin.readUInt32LE(4) & ~1);
  });
});
