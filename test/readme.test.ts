/**
 * The README's examples run as written: the plugin example loads from a file and reports the
 * demo guest's traps; the commands quoted in it behave as the README says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function blocks(lang: string): string[] {
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  return [...readme.matchAll(re)].map((m) => m[1]!);
}

test('the README plugin example loads and reports the first traps of the demo guest', () => {
  const src = blocks('ts')[0];
  assert.ok(src, 'README has a ts example');
  // Inside the package so that `import ... from 'tracehook'` resolves to this package.
  const dir = mkdtempSync(join(root, 'test', '.readme-'));
  try {
    const file = join(dir, 'first-traps.ts');
    writeFileSync(file, src);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), '-M', 'virt', '-nographic', '-bios', 'none',
      '-kernel', join(root, 'guests/riscv/demo.rv64.elf'), '-plugin', `${file},limit=2`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^vcpu 0: exception 0x80000[0-9a-f]+ -> 0x80000[0-9a-f]+$/);
    assert.equal(lines.filter((l) => l.startsWith('vcpu 0:')).length, 2);
    assert.ok(lines.includes('6 traps'), r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README error example prints one line naming the file and both machines', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), '-M', 'virt', '-bios', 'none', '-kernel', '/bin/sh'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^tracehook-riscv64: \/bin\/sh: ELF machine is [^,]+, expected RISC-V\n$/);
});

test('the README AVR example runs the Timer1 guest and the traps plugin counts its 10 interrupts', () => {
  const cmd = blocks('sh').map((b) => b.trim()).find((b) => b.startsWith('npx tracehook-avr '));
  assert.ok(cmd, 'README has a tracehook-avr example');
  const args = cmd.split(/\s+/).slice(2);
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/avr.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^tick 5$/m);
  assert.match(r.stdout, /^done$/m);
  assert.match(r.stderr, /^total \|\s+10 \|\s+0 \|\s+0$/m);
});

test('`tracehook avr` is `tracehook-avr`', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/tracehook.js'), 'avr', '-M', 'arduino-uno', '-nographic', '-bios',
    join(root, 'guests/avr/hello.elf')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^hello from the ATmega328P$/m);
});

test('the README ARM example runs the RTOS guest and the traps plugin counts what the README says', () => {
  const block = blocks('sh').map((b) => b.trim()).find((b) => b.startsWith('npx tracehook-arm '));
  assert.ok(block, 'README has a tracehook-arm example');
  const args = block.replace(/\\\n/g, ' ').split(/\s+/).slice(2);
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/arm.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^PASS rtos$/m);
  assert.match(r.stderr, /^total \|\s+14 \|\s+5 \|\s+1$/m);
});

test('the README control-flow example counts calls and returns on the demo guest', () => {
  const src = blocks('ts')[1];
  assert.ok(src?.includes('onControlFlow'), 'README has an onControlFlow example');
  const dir = mkdtempSync(join(root, 'test', '.readme-'));
  try {
    const file = join(dir, 'calls.ts');
    writeFileSync(file, src);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), '-M', 'virt', '-nographic', '-bios', 'none',
      '-kernel', join(root, 'guests/riscv/demo.rv64.elf'), '-plugin', file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = /^(\d+) calls, (\d+) returns, (\d+) deep$/m.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(Number(m[1]) > 10 && Number(m[3]) >= 2, r.stderr);
    assert.ok(Math.abs(Number(m[1]) - Number(m[2])) <= Number(m[3]), 'calls and returns balance up to the depth reached');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README cflow example reports the three most taken branch sites', () => {
  const cmd = blocks('sh').map((b) => b.trim()).find((b) => b.includes('-plugin cflow'));
  assert.ok(cmd, 'README has a cflow example');
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), ...cmd.split(/\s+/).slice(2)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^collected \d+ control-flow sites, \d+ events$/m);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('  addr: ')).length, 3, r.stderr);
  assert.match(r.stderr, /^ {4}taken \d+, not taken \d+$/m);
});

test('the README E-Trace example encodes the timer guest and decodes every retired PC back', () => {
  const block = blocks('sh').map((b) => b.trim()).find((b) => b.includes('-plugin etrace'));
  assert.ok(block, 'README has an etrace example');
  const [run, decode] = block.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim().split(/\s+/));
  const dir = mkdtempSync(join(root, 'test', '.readme-'));
  try {
    // The README's paths are relative to the repository: run from there, the trace file into dir.
    const r2 = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), ...run!.slice(2).map((a) => a.replace('out=timer.etrace', `out=${join(dir, 'timer.etrace')}`))],
      { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r2.status, 0, r2.stderr);
    const n = Number(/^etrace: (\d+) instructions, \d+ packets/m.exec(r2.stderr)?.[1]);
    const d = spawnSync(process.execPath, [join(root, 'dist/cli/tracehook.js'), ...decode!.slice(2).map((a) => (a === 'timer.etrace' ? join(dir, a) : a))],
      { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(d.status, 0, d.stderr);
    const pcs = d.stdout.trim().split('\n');
    assert.equal(pcs.length, n);
    assert.equal(pcs[0], '80000000');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
