/**
 * Bad input to the CLI: every case must end (quickly) with exactly one line on stderr starting
 * with `tracehook-riscv64: ` (or `tracehook-riscv32: `), a nonzero exit status and no stack trace.
 *
 * Inputs that do not exist in the repository (truncated or patched ELFs, raw images, plugins in a
 * directory outside the package) are written to a temporary directory; plugin fixtures that live
 * in the package are under test/fixtures/plugins/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOneLineError, BARE, FIXTURES, describeRun, guest, runCli, type Arch } from './helpers.js';

const concurrency = Math.min(4, Math.max(2, availableParallelism()));

let tmp = '';
const file = (name: string) => join(tmp, name);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tracehook-cli-errors-'));
  const elf = readFileSync(guest('ecall', 'riscv64'));
  // The first 100 bytes of an ELF: a complete header whose program headers are cut off.
  writeFileSync(file('truncated.elf'), elf.subarray(0, 100));
  // A RISC-V ELF relabelled ARM: e_machine (offset 18, 16-bit little-endian) = 40 (EM_ARM).
  const arm = Buffer.from(elf);
  arm.writeUInt16LE(40, 18);
  writeFileSync(file('arm.elf'), arm);
  // Not an ELF: with -bios none it is a raw image loaded at 0x80000000 and runs as garbage.
  writeFileSync(file('notes.txt'), 'This is not a kernel, just a text file.\nSecond line.\n');
  // Raw images: `j .` (0x0000006f), and `wfi; j .-4` (0x10500073, 0xffdff06f) with no timer armed.
  writeFileSync(file('loop.bin'), Buffer.from([0x6f, 0x00, 0x00, 0x00]));
  writeFileSync(file('wfi.bin'), Buffer.from([0x73, 0x00, 0x50, 0x10, 0x6f, 0xf0, 0xdf, 0xff]));
  // A TypeScript plugin outside any package with "type": "module" (e.g. a user's home directory).
  mkdirSync(file('plugins'));
  writeFileSync(file('plugins/boom-exec.ts'),
    "export default { name: 'boom', install(api: any) { api.onTranslate((tb: any) => tb.insns[0].onExec(() => { throw new Error('boom'); })); } };\n");
  copyFileSync(join(FIXTURES, 'plugins', 'thrower.js'), file('plugins/thrower.mjs'));
});

after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

interface Case {
  name: string;
  args: () => string[];
  /** The message after `tracehook-ARCH: `: exact text, or a pattern. */
  expect: string | RegExp | (() => string);
  arch?: Arch;
  /** Expected exit status when it is known exactly (otherwise: any nonzero). */
  code?: number;
  /** The run must end within this many ms (it is killed 2 s later). */
  withinMs?: number;
  /** Nothing may be printed on stdout (the guest never ran). */
  noStdout?: boolean;
  todo?: string;
}

const ecall64 = () => [...BARE, '-kernel', guest('ecall', 'riscv64')];

const CASES: Case[] = [
  // ---- kernel files
  { name: 'missing kernel file', args: () => [...BARE, '-kernel', file('no-such.elf')],
    expect: () => `${file('no-such.elf')}: no such file`, noStdout: true },
  { name: 'a directory as kernel', args: () => [...BARE, '-kernel', tmp],
    expect: () => `${tmp}: is a directory`, noStdout: true },
  { name: 'a truncated ELF (first 100 bytes)', args: () => [...BARE, '-kernel', file('truncated.elf')],
    expect: /^\/.*truncated\.elf: truncated ELF \(.+\)$/, noStdout: true },
  { name: 'an ARM ELF', args: () => [...BARE, '-kernel', file('arm.elf')],
    expect: () => `${file('arm.elf')}: ELF machine is ARM, expected RISC-V`, noStdout: true },
  { name: 'an rv32 ELF given to riscv64', args: () => [...BARE, '-kernel', guest('ecall', 'riscv32')],
    expect: () => `${guest('ecall', 'riscv32')}: ELF is 32-bit, expected 64-bit`, noStdout: true },
  { name: 'an rv64 ELF given to riscv32', arch: 'riscv32', args: () => [...BARE, '-kernel', guest('ecall', 'riscv64')],
    expect: () => `${guest('ecall', 'riscv64')}: ELF is 64-bit, expected 32-bit`, noStdout: true },
  // The text runs as instructions until one faults; mtvec is still 0 (its reset value) and
  // nothing is executable there, so the hart takes instruction-access faults at 0 forever without
  // retiring anything (-max-insns alone would never end it). QEMU hangs there; tracehook stops.
  { name: 'a text file as kernel with -bios none (raw image of garbage) and -max-insns 100000',
    args: () => [...BARE, '-kernel', file('notes.txt'), '-max-insns', '100000'],
    expect: /^vCPU 0 is stuck: .*fetch faults.* \(trap vector at 0x0 is not executable\)$|^guest still running after 100000 instructions/,
    withinMs: 3_000, noStdout: true },
  { name: 'a text file as kernel with -bios none, no -max-insns',
    args: () => [...BARE, '-kernel', file('notes.txt')],
    expect: /^vCPU 0 is stuck: .*fetch faults.* \(trap vector at 0x0 is not executable\)$/,
    withinMs: 5_000, noStdout: true },

  // ---- command line
  { name: 'unknown flag', args: () => [...ecall64(), '-foo'], expect: '-foo: invalid option', noStdout: true },
  { name: 'bad -m value', args: () => [...ecall64(), '-m', 'abc'], expect: "-m: invalid size 'abc'", noStdout: true },
  { name: 'unknown -d item', args: () => [...ecall64(), '-d', 'int,foo'],
    expect: /^-d: unknown log item 'foo' \(accepted: .*\bint\b.*\)$/, noStdout: true },
  { name: '-bios none without -kernel', args: () => ['-M', 'virt', '-bios', 'none', '-nographic'],
    expect: '-bios none needs -kernel FILE', noStdout: true },
  { name: '-M foo', args: () => ['-M', 'foo', '-bios', 'none', '-nographic', '-kernel', guest('ecall', 'riscv64')],
    expect: '-M foo: unsupported machine type (use -M help)', noStdout: true },
  { name: 'no machine', args: () => ['-bios', 'none', '-nographic', '-kernel', guest('ecall', 'riscv64')],
    expect: 'no machine specified (use -M virt)', noStdout: true },
  { name: 'flag without its value', args: () => [...ecall64(), '-max-insns'],
    expect: '-max-insns: requires an argument', noStdout: true },

  // ---- plugins: loading and arguments
  { name: 'unknown plugin name', args: () => [...ecall64(), '-plugin', 'nosuch'],
    expect: 'plugin nosuch: no such file (bundled plugins: traps, discons, insn, execlog, hotblocks, cflow, etrace)', noStdout: true },
  { name: 'plugin with an unknown argument', args: () => [...ecall64(), '-plugin', 'insn,foo=1'],
    expect: "plugin insn: unknown argument 'foo' (accepted: inline)", noStdout: true },
  { name: 'plugin argument of the wrong type', args: () => [...ecall64(), '-plugin', 'hotblocks,limit=many'],
    expect: "plugin hotblocks: argument 'limit' expects an integer (decimal or 0x hex), got 'many'", noStdout: true },

  // ---- plugins that throw: one line naming the plugin and the callback, exit status 1
  { name: 'plugin throws in install', args: () => [...ecall64(), '-plugin', join(FIXTURES, 'plugins', 'thrower.js')],
    expect: 'plugin thrower: install callback threw: thrown from install', code: 1, noStdout: true },
  { name: 'plugin rejecting its arguments with the package\'s UserError prints just its message',
    args: () => [...ecall64(), '-plugin', join(FIXTURES, 'plugins', 'rejects-args.js')],
    expect: 'rejects: needs an out= file', code: 1, noStdout: true },
  { name: 'plugin (.ts) throws in an exec callback', args: () => [...ecall64(), '-plugin', join(FIXTURES, 'plugins', 'boom-exec.ts')],
    expect: 'plugin boom: exec callback threw: boom', code: 1, noStdout: true },
  ...['translate', 'exec', 'memory', 'discontinuity', 'exit'].map((where): Case => ({
    name: `plugin (.js) throws in the ${where} callback`,
    args: () => [...ecall64(), '-plugin', `${join(FIXTURES, 'plugins', 'thrower.js')},where=${where}`],
    expect: `plugin thrower: ${where} callback threw: thrown from ${where}`, code: 1,
  })),
  { name: 'plugin (.mjs) outside the package throws in an exec callback',
    args: () => [...ecall64(), '-plugin', `${file('plugins/thrower.mjs')},where=exec`],
    expect: 'plugin thrower: exec callback threw: thrown from exec', code: 1, noStdout: true },
  { name: 'plugin (.ts) outside a "type": "module" package throws in an exec callback',
    args: () => [...ecall64(), '-plugin', file('plugins/boom-exec.ts')],
    expect: 'plugin boom: exec callback threw: boom', code: 1, noStdout: true, },

  // ---- runaway and stuck guests
  { name: 'runaway raw binary `j .` with -max-insns 1000000', args: () => [...BARE, '-kernel', file('loop.bin'), '-max-insns', '1000000'],
    expect: 'guest still running after 1000000 instructions (-max-insns): stopped', withinMs: 5_000, noStdout: true },
  { name: 'timer guest cut short with -max-insns 10000', args: () => [...BARE, '-kernel', guest('timer', 'riscv64'), '-max-insns', '10000'],
    expect: 'guest still running after 10000 instructions (-max-insns): stopped', withinMs: 5_000 },
  { name: 'wfi with no timer armed and no input', args: () => [...BARE, '-kernel', file('wfi.bin')],
    expect: 'all vCPUs are idle (wfi) with no timer armed and no input: the guest can never wake', withinMs: 5_000, noStdout: true },
  // ---- -cpu: QEMU 7.2's refusals in its words (src/targets/riscv/isa.ts)
  { name: '-cpu with an unknown property', args: () => [...ecall64(), '-cpu', 'rv64,zfoo=on'], code: 1, noStdout: true,
    expect: "-cpu rv64,zfoo=on: can't apply global rv64-riscv-cpu.zfoo=on: Property 'rv64-riscv-cpu.zfoo' not found" },
  { name: '-cpu with a lower-case Zicsr (QEMU 7.2 spells it Zicsr)', args: () => [...ecall64(), '-cpu', 'rv64,zicsr=off'], code: 1, noStdout: true,
    expect: "-cpu rv64,zicsr=off: can't apply global rv64-riscv-cpu.zicsr=off: Property 'rv64-riscv-cpu.zicsr' not found" },
  { name: '-cpu with a bad boolean', args: () => [...ecall64(), '-cpu', 'rv64,zba=1'], code: 1, noStdout: true,
    expect: "-cpu rv64,zba=1: can't apply global rv64-riscv-cpu.zba=1: Parameter 'zba' expects 'on' or 'off'" },
  { name: '-cpu f=off with D on', args: () => [...ecall64(), '-cpu', 'rv64,h=false,f=off'], code: 1, noStdout: true,
    expect: '-cpu rv64,h=false,f=off: D extension requires F extension' },
  { name: '-cpu Zicsr=off with F on', arch: 'riscv32', args: () => [...BARE, '-kernel', guest('ecall', 'riscv32'), '-cpu', 'rv32,Zicsr=off'], code: 1, noStdout: true,
    expect: '-cpu rv32,Zicsr=off: F extension requires Zicsr' },
  { name: '-cpu h=on (tracehook has no H)', args: () => [...ecall64(), '-cpu', 'rv64,h=on'], code: 1, noStdout: true,
    expect: "-cpu rv64,h=on: enabling 'h' is not supported by tracehook (no hypervisor extension)" },
];

describe('CLI errors: one line, nonzero status, no stack trace', { concurrency }, () => {
  for (const c of CASES) {
    const arch = c.arch ?? 'riscv64';
    it(c.name, { todo: c.todo }, async () => {
      const within = c.withinMs ?? 20_000;
      const r = await runCli(arch, c.args(), { timeoutMs: within + 2_000 });
      const msg = assertOneLineError(r, arch);
      const expect = typeof c.expect === 'function' ? c.expect() : c.expect;
      if (typeof expect === 'string') assert.equal(msg, expect);
      else assert.match(msg, expect);
      if (c.code !== undefined) assert.equal(r.code, c.code, describeRun(r));
      if (c.noStdout) assert.equal(r.stdout, '', describeRun(r));
      assert.ok(r.ms < within, `took ${Math.round(r.ms)} ms (limit ${within} ms)`);
    });
  }

  it('a guest cut short by -max-insns keeps the console output it produced', async () => {
    const r = await runCli('riscv64', [...BARE, '-kernel', guest('timer', 'riscv64'), '-max-insns', '10000']);
    assertOneLineError(r, 'riscv64');
    assert.match(r.stdout, /^timer test \(rv64\)$/m, describeRun(r));
  });

  it('-cpu switches reach the device tree; g=on prints QEMU\'s warning and restores G', async () => {
    const out = file('nozb.dtb');
    const r = await runCli('riscv64', ['-M', `virt,dumpdtb=${out}`, '-nographic', '-bios', 'none', '-kernel', guest('ecall', 'riscv64'), '-cpu', 'rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false']);
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(readFileSync(out).includes('rv64imafdc_zicsr_zifencei_zihintpause_sstc\0'));
    const g = await runCli('riscv64', ['-M', `virt,dumpdtb=${out}`, '-nographic', '-bios', 'none', '-kernel', guest('ecall', 'riscv64'), '-cpu', 'rv64,h=false,m=off,g=on']);
    assert.equal(g.code, 0, describeRun(g));
    assert.equal(g.stderr, 'tracehook-riscv64: warning: Setting G will also set IMAFD_Zicsr_Zifencei\n');
    assert.ok(readFileSync(out).includes('rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc\0'));
  });

  it('the same errors from riscv32 carry its own program name', async () => {
    const r = await runCli('riscv32', [...BARE, '-kernel', file('no-such.elf')]);
    assert.equal(assertOneLineError(r, 'riscv32'), `${file('no-such.elf')}: no such file`);
  });
});
