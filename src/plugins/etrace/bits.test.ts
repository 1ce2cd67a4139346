import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitReader, BitWriter, compressBits, decompressBits, signExtend } from './bits.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('bit writer packs fields LSB first and rejects values that do not fit', () => {
  const w = new BitWriter();
  w.write(3, 2);
  w.write(0, 2);
  w.write(0x1234n, 16);
  w.write(-1, 4);
  assert.deepEqual(w.toBits().slice(0, 6), [1, 1, 0, 0, 0, 0]);
  assert.equal(w.length, 24);
  assert.throws(() => w.write(4, 2), RangeError);
});

test('compression cuts the run of sign bits to one and pads the byte with that bit', () => {
  // 0b0000_0101 in 16 bits -> one byte 0x05 (MSB run of 0s cut to one copy, bit 3 = 0)
  const bits = [1, 0, 1, ...Array<number>(13).fill(0)];
  assert.equal(hex(compressBits(bits)), '05');
  // negative: 0xfff5 (16 bits) -> 0xf5 (bit 3 of 0xf5 = 0, so the sign run starts at bit 4)
  const neg = [1, 0, 1, 0, ...Array<number>(12).fill(1)];
  assert.equal(hex(compressBits(neg)), 'f5');
  // a value whose top kept bit differs from the sign needs the extra sign copy: 0x0080 -> 80 00
  const big = [...Array<number>(7).fill(0), 1, ...Array<number>(8).fill(0)];
  assert.equal(hex(compressBits(big)), '8000');
  // all ones compresses to a single byte of ones
  assert.equal(hex(compressBits(Array<number>(40).fill(1))), 'ff');
});

test('decompression sign-extends from the last received bit', () => {
  const r = new BitReader(new Uint8Array([0xf5]));
  assert.equal(r.read(4), 5);
  assert.equal(r.readBig(60), (1n << 60n) - 1n);
  assert.deepEqual(decompressBits(new Uint8Array([0x05]), 12), [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('compress then decompress returns the original bits (random packets)', () => {
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 1;
  for (let n = 0; n < 500; n++) {
    const len = 2 + (n % 120);
    const top = rnd();
    const bits = Array.from({ length: len }, (_, i) => (i > len / 2 && n % 3 === 0 ? top : rnd()));
    const packed = compressBits(bits);
    assert.ok(packed.length <= Math.ceil(len / 8));
    assert.deepEqual(decompressBits(packed, len), bits);
  }
});

test('signExtend reads two\'s complement fields', () => {
  assert.equal(signExtend(0x7ffffffffffffff7n, 63), -9n);
  assert.equal(signExtend(0x19n, 63), 0x19n);
});
