/**
 * The disassembler against `arm-none-eabi-objdump -d`: every instruction of the corpus (ARMv7-M and
 * the ARMv7E-M DSP instructions, assembled for cortex-m4)
 * (test-support/disasm-corpus.ts, assembled at 0x1000 and dumped into fixtures/disasm.json) must
 * disassemble to objdump's text, symbol names in `<...>` aside (we print no symbols here). ITSTATE
 * is followed through the listing as objdump does, so conditional suffixes inside IT blocks match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { disassemble } from './disasm.js';
import { decode } from './encodings.js';
import { itAdvance } from './translate.js';

interface Row { addr: number; hex: string; text: string }
const rows = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/disasm.json', import.meta.url)), 'utf8')) as Row[];

/** objdump's text without symbol annotations. */
const normalize = (t: string): string => t.replace(/\s*<[^>]*>/g, '').replace(/\t/g, ' ').trim();

describe('disassembly matches objdump', () => {
  it(`${rows.length} instructions`, () => {
    let it = 0;
    const bad: string[] = [];
    for (const row of rows) {
      const halves = row.hex.split(' ').map((h) => parseInt(h, 16));
      const size = halves.length === 2 ? 4 : 2;
      const word = size === 4 ? ((halves[0]! << 16) | halves[1]!) >>> 0 : halves[0]!;
      const got = disassemble(word, size, row.addr, it, 'v7em');
      if (normalize(got) !== normalize(row.text)) bad.push(`${row.addr.toString(16)} ${row.hex}: objdump '${normalize(row.text)}', we '${normalize(got)}'`);
      const hit = decode(word, size === 2 ? 16 : 32, 'v7em');
      it = hit?.e.id === 'it' ? (hit.f.c! << 4) | hit.f.k! : (it & 0xf) !== 0 ? itAdvance(it) : 0;
    }
    assert.deepEqual(bad, []);
  });
});
