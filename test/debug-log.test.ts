/**
 * `-d in_asm` on RISC-V in QEMU 7.2's layout: a header per block (`IN: symbol`, `Priv: P; Virt: 0`),
 * then address, raw bits (words with bit 31 set included) and the disassembly in columns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

test('tracehook-riscv64 -d in_asm writes the boot ROM block as QEMU 7.2 does', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/riscv64.js'), '-M', 'virt', '-nographic', '-bios', 'none',
    '-kernel', join(root, 'guests/riscv/demo.rv64.elf'), '-d', 'in_asm'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    '----------------',
    'IN: ',
    'Priv: 3; Virt: 0',
    '0x0000000000001000:  00000297          auipc                   t0,0x0',
    '0x0000000000001004:  02828613          add                     a2,t0,40',
    '0x0000000000001008:  f1402573          csrr                    a0,mhartid',
  ]);
});
