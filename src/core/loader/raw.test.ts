import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawImage } from './raw.js';

test('wraps bytes as one segment at the load address', () => {
  const data = new Uint8Array([0x13, 0, 0, 0]);
  const img = rawImage(data, 0x80000000);
  assert.equal(img.segments.length, 1);
  assert.equal(img.segments[0].addr, 0x80000000);
  assert.equal(img.segments[0].data, data);
});

test('rejects a load address that is not a non-negative safe integer', () => {
  for (const a of [-1, 1.5, NaN, 2 ** 53]) assert.throws(() => rawImage(new Uint8Array(1), a), RangeError);
});
