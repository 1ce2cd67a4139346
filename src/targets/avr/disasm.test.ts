/**
 * The disassembler against avr-objdump (binutils 2.40, `-mmcu=atmega328p`) on a sample of every
 * 13th opcode plus random ones, each followed by a random word (fixtures/sample.objdump.txt.gz,
 * made by fixtures/README.md's recipe). objdump's trailing comments are ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { disassemble } from './disasm.js';
import { decode } from './encodings.js';

/** Mnemonics objdump knows that the ATmega328P does not have (XMEGA, >64K devices, DES). */
const NOT_ON_328P = /^(spm Z\+|eijmp|eicall|des|xch|las|lac|lat)\b/;

describe('AVR disassembler', () => {
  const text = gunzipSync(readFileSync(new URL('./fixtures/sample.objdump.txt.gz', import.meta.url))).toString('latin1');
  const lines = text.split('\n').filter((l) => /^\s*[0-9a-f]+:\t/.test(l));

  it('agrees with avr-objdump on every sampled opcode', () => {
    let checked = 0;
    const bad: string[] = [];
    for (const line of lines) {
      const parts = line.split('\t');
      const bytesText = parts[1]!, insn = parts.slice(2).join('\t');
      const bytes = bytesText.trim().split(' ').map((b) => parseInt(b, 16));
      const w0 = bytes[0]! | (bytes[1]! << 8);
      const w1 = bytes.length >= 4 ? bytes[2]! | (bytes[3]! << 8) : 0;
      const want = insn.split('\t;')[0]!.replace('\t', ' ').trim().replace(/\s+$/, '');
      if (NOT_ON_328P.test(want)) {
        assert.equal(decode(w0), undefined, `${want} must not decode on the ATmega328P`);
        continue;
      }
      const got = disassemble(w0, w1);
      if (got !== want) bad.push(`${w0.toString(16)}: got '${got}', objdump '${want}'`);
      checked++;
    }
    assert.deepEqual(bad.slice(0, 20), []);
    assert.ok(checked > 10000, `checked ${checked}`);
  });
});
