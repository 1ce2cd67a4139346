/**
 * The test assembler (and so the encoding table it is driven by) against avr-as: fixtures/forms.S
 * holds every encoding with edge operands plus the aliases, fixtures/forms.objdump.txt what
 * binutils 2.40 made of it.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENCODINGS } from '../encodings.js';
import { assemble, encodingOf } from './asm.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

it('assembles forms.S to the bytes avr-as produced', () => {
  const mine = assemble(fixture('forms.S')).bytes;
  const theirs: number[] = [];
  for (const line of fixture('forms.objdump.txt').split('\n')) {
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)/.exec(line);
    if (!m) continue;
    const at = parseInt(m[1]!, 16);
    m[2]!.trim().split(' ').forEach((b, i) => { theirs[at + i] = parseInt(b, 16); });
  }
  assert.equal(mine.length, theirs.length);
  for (let i = 0; i < mine.length; i += 2) {
    assert.equal(mine[i]! | (mine[i + 1]! << 8), theirs[i]! | (theirs[i + 1]! << 8), `word at 0x${i.toString(16)}`);
  }
});

it('forms.S covers every encoding of the table', () => {
  const seen = new Set<string>();
  for (const line of fixture('forms.S').split('\n')) {
    const t = line.replace(/;.*/, '').trim();
    if (t !== '') seen.add(encodingOf(t) ?? `?${t}`);
  }
  assert.deepEqual(ENCODINGS.map((e) => e.id).filter((id) => !seen.has(id)), []);
});

it('resolves labels, relative targets and lo8/hi8', () => {
  const r = assemble(`
    start: ldi r30, lo8(table)
           ldi r31, hi8(table)
           rjmp start
    table: .word 0x1234`);
  assert.equal(r.labels.get('table'), 6);
  assert.deepEqual([...r.bytes], [0xe6, 0xe0, 0xf0, 0xe0, 0xfd, 0xcf, 0x34, 0x12]);
});
