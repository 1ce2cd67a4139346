/**
 * `tracehook-arm` end to end (the built CLI, dist/cli/arm.js): a guest with UART0 on stdout, the
 * semihosting console on stderr and its exit status; `-d int` to a file; the umbrella
 * `tracehook arm`; and bad input: every case one line on stderr starting `tracehook-arm: `, a
 * nonzero status, no stack trace.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'arm.js');
const GUESTS = join(ROOT, 'guests', 'arm');
const guest = (name: string): string => join(GUESTS, name);
const expected = (name: string): string => readFileSync(join(GUESTS, 'expected', name), 'latin1');

function run(args: string[], o: { input?: string; cli?: string[] } = {}) {
  const r = spawnSync(process.execPath, [...(o.cli ?? [CLI]), ...args], { cwd: ROOT, input: o.input ?? '', encoding: 'latin1', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const AN385 = ['-M', 'mps2-an385', '-nographic'];

let tmp = '';
before(() => { tmp = mkdtempSync(join(tmpdir(), 'tracehook-arm-cli-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

describe('tracehook-arm', () => {
  it('runs hello.m3 as QEMU 7.2: UART0 on stdout, semihosting console on stderr, -d int to -D, exit 0', () => {
    const log = join(tmp, 'hello.int.log');
    const r = run([...AN385, '-kernel', guest('hello.m3.elf'), '-icount', 'shift=0,sleep=off', '-d', 'int', '-D', log, '-semihosting']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, expected('hello.m3.stdout'));
    assert.equal(r.stderr, expected('hello.m3.stderr'));
    assert.equal(readFileSync(log, 'utf8'), expected('hello.m3.int.log'));
  });

  it('the exit status is the guest\'s (faults.m3 with a plugin; -serial file: for UART0)', () => {
    const uart = join(tmp, 'faults.uart');
    const r = run(['-M', 'mps2-an385', '-kernel', guest('faults.m3.elf'), '-serial', `file:${uart}`, '-semihosting', '-plugin', 'discons']);
    assert.equal(r.code, 0);
    assert.equal(readFileSync(uart, 'latin1'), expected('faults.m3.uart'));
    assert.match(r.stderr, /discons: checked 13 events, skipped \d+, 0 mismatches/);
  });

  it('without -semihosting the BKPT 0xAB is a HardFault: the guest reports it, its exit BKPT in the handler locks up (QEMU 7.2: the same fatal line)', () => {
    const r = run([...AN385, '-kernel', guest('hello.m3.elf'), '-max-insns', '2000000']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /unexpected exception: exc 3 HardFault/);
    assert.equal(r.stderr, "tracehook-arm: Lockup: can't escalate 3 to HardFault (current priority -1)\n");
  });

  it('-cpu cortex-m0 on mps2-an385 (tracehook only): CPUID 0x410cc200', () => {
    const r = run([...AN385, '-cpu', 'cortex-m0', '-kernel', guest('hello.m0.elf'), '-semihosting']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /CPUID 410cc200 \(partno c20\)/);
  });

  it('mps2-an386 is a Cortex-M4 (CPUID 0x410fc240, as QEMU 7.2)', () => {
    const r = run(['-M', 'mps2-an386', '-nographic', '-kernel', guest('hello.m3.elf'), '-semihosting']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, expected('hello.m3.an386.stdout'));
  });

  it('`tracehook arm ...` is `tracehook-arm ...`', () => {
    const r = run([...AN385, '-kernel', guest('hello.m3.elf'), '-semihosting'], { cli: [join(ROOT, 'dist', 'cli', 'tracehook.js'), 'arm'] });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, expected('hello.m3.stdout'));
  });

  it('-d in_asm,cpu: blocks with objdump-style disassembly and the register dump', () => {
    const log = join(tmp, 'asm.log');
    const r = run([...AN385, '-kernel', guest('hello.m3.elf'), '-semihosting', '-d', 'in_asm,cpu', '-D', log, '-max-insns', '50']);
    assert.match(r.stderr, /-max-insns/);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^----------------\nIN: Reset_Handler\n0x000000c0:  4812       ldr      r0, \[pc, #72\]\n/m);
    assert.match(text, /^R00=00000000 R01=00000000 R02=00000000 R03=00000000$/m);
    assert.match(text, /^XPSR=41000000 -Z-- T priv-thread$/m);
  });

  it('-M help lists both boards', () => {
    const r = run(['-M', 'help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /mps2-an385 .*Cortex-M3\nmps2-an386 .*Cortex-M4\n/);
  });
});

describe('tracehook-arm: bad input, one line each', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a RISC-V ELF', () => [...AN385, '-kernel', join(ROOT, 'guests', 'riscv', 'demo.rv64.elf')], /: ELF machine is RISC-V, expected ARM$/],
    ['a missing file', () => [...AN385, '-kernel', join(tmp, 'nope.elf')], /nope\.elf: /],
    ['an empty file', () => [...AN385, '-kernel', join(tmp, 'empty.bin')], /empty\.bin: file is empty$/],
    ['a raw image too large for SSRAM1', () => [...AN385, '-kernel', join(tmp, 'big.bin')], /big\.bin: raw image of 5242880 bytes is larger than the 4 MiB at 0$/],
    ['no -kernel', () => [...AN385], /no -kernel given/],
    ['no machine', () => ['-kernel', guest('hello.m3.elf')], /no machine specified \(use -M mps2-an385 or -M mps2-an386\)$/],
    ['another machine', () => ['-M', 'virt', '-kernel', guest('hello.m3.elf')], /-M virt: unsupported machine type/],
    ['cortex-m4 on mps2-an385 (QEMU 7.2\'s words)', () => [...AN385, '-cpu', 'cortex-m4', '-kernel', guest('hello.m3.elf')], /This board can only be used with CPU cortex-m3-arm-cpu$/],
    ['cortex-m3 on mps2-an386', () => ['-M', 'mps2-an386', '-cpu', 'cortex-m3', '-kernel', guest('hello.m3.elf')], /This board can only be used with CPU cortex-m4-arm-cpu$/],
    ['an unknown CPU', () => [...AN385, '-cpu', 'cortex-a53', '-kernel', guest('hello.m3.elf')], /unknown CPU model 'cortex-a53'/],
    ['-m other than 16M', () => [...AN385, '-m', '64M', '-kernel', guest('hello.m3.elf')], /-m: invalid RAM size, should be 16 MiB$/],
    ['-smp 2', () => [...AN385, '-smp', '2', '-kernel', guest('hello.m3.elf')], /-smp: the MPS2 boards have one CPU$/],
    ['-bios', () => [...AN385, '-bios', guest('hello.m3.elf')], /-bios: not supported/],
    ['a machine property', () => ['-M', 'mps2-an385,foo=1', '-kernel', guest('hello.m3.elf')], /has no property 'foo'$/],
    ['an unknown flag', () => [...AN385, '-frobnicate'], /-frobnicate: invalid option$/],
    ['a bad -icount', () => [...AN385, '-icount', 'shift=99', '-kernel', guest('hello.m3.elf')], /-icount: invalid shift '99'/],
    ['an unknown plugin', () => [...AN385, '-kernel', guest('hello.m3.elf'), '-plugin', 'no-such-plugin'], /no-such-plugin/],
  ];
  before(() => {
    writeFileSync(join(tmp, 'empty.bin'), new Uint8Array(0));
    writeFileSync(join(tmp, 'big.bin'), new Uint8Array(5 << 20));
  });
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const r = run(args());
      assert.notEqual(r.code, 0, `exit status (stderr: ${r.stderr})`);
      assert.notEqual(r.code, 70, `not an internal error: ${r.stderr}`);
      const lines = r.stderr.split('\n');
      assert.equal(lines.length, 2, `one line: ${JSON.stringify(r.stderr)}`);
      assert.match(lines[0]!, /^tracehook-arm: /);
      assert.match(lines[0]!, msg);
    });
  }
});
