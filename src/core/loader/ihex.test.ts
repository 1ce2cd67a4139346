import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { parseElf } from './elf.js';
import { looksLikeIntelHex, parseIntelHex } from './ihex.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Build one record with a correct checksum. */
function rec(type: number, offset: number, data: number[] = []): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const sum = bytes.reduce((a, b) => a + b, 0);
  return ':' + [...bytes, (-sum) & 0xff].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}
const EOF = ':00000001FF';
const hexFile = (...lines: string[]): string => lines.join('\n') + '\n';

function throwsUser(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('parses the objcopy-made fixture to the same bytes as the ELF, with its start address', () => {
  const hex = parseIntelHex(readFileSync(fixture('tiny-rv32.hex'), 'latin1'), 'tiny-rv32.hex');
  const elf = parseElf(new Uint8Array(readFileSync(fixture('tiny-rv32.elf'))), 'tiny-rv32.elf');
  assert.deepEqual(hex.segments.map((s) => [s.addr, [...s.data]]),
    elf.segments.map((s) => [Number(s.paddr), [...s.data]]));
  assert.equal(hex.entry, 0x80000000);
});

test('merges contiguous records into one segment and sorts out-of-order records', () => {
  const img = parseIntelHex(hexFile(
    rec(0, 0x0104, [5, 6]),
    rec(0, 0x0100, [1, 2]),
    rec(0, 0x0102, [3, 4]),
    rec(0, 0x0200, [9]),
    rec(0, 0x0106, []),
    EOF), 'f.hex');
  assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data]]), [[0x100, [1, 2, 3, 4, 5, 6]], [0x200, [9]]]);
  assert.equal(img.entry, undefined);
});

test('type 04 sets the upper 16 bits linearly; type 05 gives the entry', () => {
  const img = parseIntelHex(hexFile(
    rec(4, 0, [0x12, 0x34]),
    rec(0, 0xfffe, [1, 2, 3, 4]), // crosses into 0x12350000 (linear: no wrap)
    rec(5, 0, [0x12, 0x34, 0x56, 0x78]),
    EOF), 'f.hex');
  assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data]]), [[0x1234fffe, [1, 2, 3, 4]]]);
  assert.equal(img.entry, 0x12345678);
});

test('type 02 sets a segment base (x16) and offsets wrap within the 64 KiB segment; type 03 gives CS:IP', () => {
  const img = parseIntelHex(hexFile(
    rec(2, 0, [0x10, 0x00]), // base 0x10000
    rec(0, 0xfffe, [1, 2, 3, 4]), // 1, 2 at 0x1fffe; 3, 4 wrap to 0x10000
    rec(3, 0, [0xf0, 0x00, 0xff, 0xf0]), // 0xf000:0xfff0
    EOF), 'f.hex');
  assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data]]), [[0x10000, [3, 4]], [0x1fffe, [1, 2]]]);
  assert.equal(img.entry, 0xf000 * 16 + 0xfff0);
});

test('a type 04 record ends segment addressing', () => {
  const img = parseIntelHex(hexFile(rec(2, 0, [0x10, 0x00]), rec(4, 0, [0, 2]), rec(0, 0xffff, [1, 2]), EOF), 'f.hex');
  assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data]]), [[0x2ffff, [1, 2]]]);
});

test('accepts CRLF, blank lines, surrounding spaces, lower-case hex, a BOM, and ignores text after EOF', () => {
  const text = '\uFEFF' + rec(0, 0x10, [0xab]).toLowerCase() + '\r\n\r\n  ' + rec(0, 0x11, [0xcd]) + '  \r\n' + EOF + '\r\ngarbage\n';
  const img = parseIntelHex(text, 'f.hex');
  assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data]]), [[0x10, [0xab, 0xcd]]]);
});

test('reports syntax errors with file name and line number', () => {
  const good = rec(0, 0, [1, 2, 3]);
  throwsUser(() => parseIntelHex(hexFile(good, 'hello', EOF), 'fw.hex'), "fw.hex:2: expected a record starting with ':'");
  throwsUser(() => parseIntelHex(hexFile(good, good.slice(0, 5) + 'G' + good.slice(6), EOF), 'fw.hex'),
    'fw.hex:2: invalid character "G" in record');
  throwsUser(() => parseIntelHex(hexFile(good + '0', EOF), 'fw.hex'), 'fw.hex:1: odd number of hex digits in record');
  throwsUser(() => parseIntelHex(hexFile(':0000', EOF), 'fw.hex'), 'fw.hex:1: record too short');
  throwsUser(() => parseIntelHex(hexFile(':', EOF), 'fw.hex'), 'fw.hex:1: record too short');
  throwsUser(() => parseIntelHex(hexFile(':04000000010203F5', EOF), 'fw.hex'),
    'fw.hex:1: record length byte says 4 data bytes, line has 3');
  throwsUser(() => parseIntelHex(hexFile(rec(6, 0, [1]), EOF), 'fw.hex'), 'fw.hex:1: unknown record type 0x06');
  throwsUser(() => parseIntelHex(hexFile(good, rec(4, 0, [1]), EOF), 'fw.hex'),
    'fw.hex:2: extended linear address record (type 04) must have 2 data bytes, has 1');
  throwsUser(() => parseIntelHex(hexFile(good, rec(1, 0, [0])), 'fw.hex'),
    'fw.hex:2: end-of-file record (type 01) must have 0 data bytes, has 1');
  throwsUser(() => parseIntelHex(hexFile(good, rec(3, 0, [0])), 'fw.hex'),
    'fw.hex:2: start segment address record (type 03) must have 4 data bytes, has 1');
});

test('reports a checksum mismatch with the line number and both checksums', () => {
  const good = rec(0, 0x100, [1, 2, 3]); // :03010000010203F6
  const bad = good.slice(0, -2) + 'F7';
  throwsUser(() => parseIntelHex(hexFile(rec(0, 0, [0]), '', bad, EOF), 'fw.hex'),
    'fw.hex:3: checksum mismatch (record has 0xf7, expected 0xf6)');
});

test('rejects overlapping data, naming both lines', () => {
  throwsUser(() => parseIntelHex(hexFile(rec(0, 0x100, [1, 2, 3, 4]), rec(0, 0x200, [0]), rec(0, 0x102, [9]), EOF), 'fw.hex'),
    'fw.hex:3: data at 0x102 overlaps data from line 1');
  throwsUser(() => parseIntelHex(hexFile(rec(0, 0x102, [9]), rec(0, 0x100, [1, 2, 3, 4]), EOF), 'fw.hex'),
    'fw.hex:2: data at 0x102 overlaps data from line 1');
});

test('rejects data past 4 GiB, a missing end-of-file record and files without data', () => {
  throwsUser(() => parseIntelHex(hexFile(rec(4, 0, [0xff, 0xff]), rec(0, 0xfffe, [1, 2, 3]), EOF), 'fw.hex'),
    'fw.hex:2: data extends past 4 GiB');
  throwsUser(() => parseIntelHex(hexFile(rec(0, 0, [1])), 'fw.hex'),
    'fw.hex: missing end-of-file record (:00000001FF); is the file truncated?');
  throwsUser(() => parseIntelHex('', 'fw.hex'), 'fw.hex: missing end-of-file record (:00000001FF); is the file truncated?');
  throwsUser(() => parseIntelHex(hexFile(rec(5, 0, [0, 0, 0, 0]), EOF), 'fw.hex'), 'fw.hex: no data records');
  // Data right up to the 4 GiB boundary is fine.
  const top = parseIntelHex(hexFile(rec(4, 0, [0xff, 0xff]), rec(0, 0xfffe, [1, 2]), EOF), 'fw.hex');
  assert.equal(top.segments[0]!.addr, 0xfffffffe);
});

test('looksLikeIntelHex accepts a valid first record only', () => {
  assert.ok(looksLikeIntelHex(readFileSync(fixture('tiny-rv32.hex'), 'latin1')));
  assert.ok(looksLikeIntelHex('\n\r\n  ' + rec(0, 0, [1]) + '\r\n'));
  assert.ok(!looksLikeIntelHex(''));
  assert.ok(!looksLikeIntelHex(':'));
  assert.ok(!looksLikeIntelHex(':10000000'));
  assert.ok(!looksLikeIntelHex(rec(0, 0, [1]).slice(0, -2) + '00'));
  assert.ok(!looksLikeIntelHex('\x7fELF'));
  assert.ok(!looksLikeIntelHex(': not a record'));
});
