import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeImage } from './code-image.js';
import { ProgramImage } from './image.js';

test('a code image is an ELF the decoder reads back: instructions at their addresses, first version kept', () => {
  for (const xlen of [32, 64] as const) {
    const img = new CodeImage();
    img.add(0x80000000n, Uint8Array.of(0x13, 0x05, 0x10, 0x00)); // addi a0,zero,1
    img.add(0x80000ffen, Uint8Array.of(0x82, 0x80)); // ret, at the end of a page
    img.add(0x80001000n, Uint8Array.of(0x6f, 0x00, 0x00, 0x00)); // j . (next page: one segment)
    img.add(0x80200000n, Uint8Array.of(0x73, 0x00, 0x20, 0x30)); // mret (another segment)
    img.add(0x80000000n, Uint8Array.of(0x73, 0x00, 0x00, 0x00)); // rewritten later: ignored
    assert.equal(img.pageCount, 3);
    const p = ProgramImage.fromElf(img.toElf(xlen, 0x80000000n), 'image.elf');
    assert.equal(p.xlen, xlen);
    assert.equal(p.entry, 0x80000000n);
    assert.equal(p.instrAt(0x80000000n).kind, 'other');
    assert.equal(p.instrAt(0x80000ffen).name, 'c.jr');
    assert.equal(p.instrAt(0x80001000n).kind, 'jal');
    assert.equal(p.instrAt(0x80200000n).name, 'mret');
    assert.throws(() => p.instrAt(0x80100000n), /not in the program image/);
  }
});
