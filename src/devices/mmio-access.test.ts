import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BusError, type MmioHandler } from '../core/bus.js';
import { checkedMmio, mapChecked } from './mmio-access.js';

/** A device that records accesses and reads back byte-addressed little-endian memory. */
function recorder() {
  const mem = new Uint8Array(16).map((_, i) => 0x10 + i);
  const log: string[] = [];
  const dev: MmioHandler = {
    read(off, size) {
      log.push(`r${size}@${off}`);
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + mem[off + i]!;
      return v;
    },
    write(off, size, value) {
      log.push(`w${size}@${off}=${value.toString(16)}`);
      for (let i = 0; i < size; i++) mem[off + i] = (value >>> (8 * i)) & 0xff;
    },
  };
  return { mem, log, dev };
}

test('a misaligned load becomes two aligned loads of the same size, combined, as TCG does', () => {
  const bus = new Bus();
  const r = recorder();
  mapChecked(bus, 'dev', 0x1000, 16, r.dev);
  assert.equal(bus.read(0x1002, 4), 0x1514_1312);
  assert.deepEqual(r.log, ['r4@0', 'r4@4']);
  r.log.length = 0;
  assert.equal(bus.read(0x1001, 2), 0x1211);
  assert.deepEqual(r.log, ['r2@0', 'r2@2']);
  assert.equal(bus.error, 0);
});

test('a misaligned word load combines all-ones halves exactly (no floating-point rounding)', () => {
  const bus = new Bus();
  const dev: MmioHandler = { read: (_o, size) => (size === 4 ? 0xffff_ffff : 0xffff), write() {} };
  mapChecked(bus, 'ones', 0x1000, 16, dev);
  for (const a of [0x1001, 0x1002, 0x1003]) assert.equal(bus.read(a, 4), 0xffff_ffff, `word at 0x${a.toString(16)}`);
  assert.equal(bus.read(0x1001, 2), 0xffff);
});

test('a misaligned store becomes byte stores in ascending address order', () => {
  const bus = new Bus();
  const r = recorder();
  mapChecked(bus, 'dev', 0x1000, 16, r.dev);
  bus.write(0x1003, 4, 0xaabb_ccdd);
  assert.deepEqual(r.log, ['w1@3=dd', 'w1@4=cc', 'w1@5=bb', 'w1@6=aa']);
});

test('an access size outside the valid range is an access fault and never reaches the device', () => {
  const bus = new Bus();
  const r = recorder();
  mapChecked(bus, 'dev', 0x1000, 16, r.dev, { minSize: 4, maxSize: 4 });
  bus.error = 0;
  assert.equal(bus.read(0x1000, 1), 0);
  assert.equal(bus.error, BusError.Unmapped);
  bus.error = 0;
  bus.write(0x1004, 2, 0xffff);
  assert.equal(bus.error, BusError.Unmapped);
  assert.deepEqual(r.log, []);
  bus.error = 0;
  assert.equal(bus.read(0x1004, 4), 0x1716_1514);
  assert.equal(bus.error, 0);
});

test('a misaligned load whose aligned halves are invalid faults after the first half', () => {
  const bus = new Bus();
  const r = recorder();
  mapChecked(bus, 'dev', 0x1000, 16, r.dev, { minSize: 4, maxSize: 4 });
  bus.error = 0;
  assert.equal(bus.read(0x1001, 2), 0);
  assert.equal(bus.error, BusError.Unmapped);
  assert.deepEqual(r.log, []);
});

test('a narrow write hands the device only the bytes written', () => {
  const bus = new Bus();
  const r = recorder();
  const h = checkedMmio(bus, r.dev);
  h.write(0, 1, 0x1234_5678);
  h.write(2, 2, 0xffff_abcd);
  assert.deepEqual(r.log, ['w1@0=78', 'w2@2=abcd']);
});
