/**
 * `-serial file:PATH` as QEMU: the guest's console output goes to the file (complete at exit) and
 * not to stdout, for every command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;

const cases: [string, string[], RegExp][] = [
  ['riscv64', ['-M', 'virt', '-bios', 'none', '-kernel', join(root, 'guests/riscv/demo.rv64.elf')], /Done: 6 traps handled\. Bye!/],
  ['avr', ['-M', 'arduino-uno', '-bios', join(root, 'guests/avr/hello.elf')], /^done$/m],
];

for (const [cli, args, last] of cases) {
  test(`tracehook-${cli} -serial file:PATH writes the whole console output to the file, none to stdout`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracehook-serial-'));
    try {
      const out = join(dir, 'uart.txt');
      const r = spawnSync(process.execPath, [join(root, `dist/cli/${cli}.js`), ...args, '-serial', `file:${out}`], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(readFileSync(out, 'latin1'), last);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
