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
