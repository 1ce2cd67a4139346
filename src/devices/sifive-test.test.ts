import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import { SifiveTest, SifiveTestStatus, VIRT_TEST_BASE, VIRT_TEST_SIZE } from './sifive-test.js';

function rig() {
  const events: string[] = [];
  const dev = new SifiveTest({
    onExit: (code) => events.push(`exit ${code}`),
    onReset: () => events.push('reset'),
  });
  const bus = new Bus();
  bus.addMmio('test', VIRT_TEST_BASE, VIRT_TEST_SIZE, dev);
  return { bus, events };
}

test('0x5555 passes with exit code 0, whatever the upper half says', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, (7 << 16) | SifiveTestStatus.PASS);
  assert.deepEqual(r.events, ['exit 0']);
});

test('0x3333 fails with the exit code from bits 31..16', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, (0xbeef << 16) | SifiveTestStatus.FAIL);
  assert.deepEqual(r.events, ['exit 48879']);
});

test('0x3333 with a zero code exits 0, as QEMU exit(code) does', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, SifiveTestStatus.FAIL);
  assert.deepEqual(r.events, ['exit 0']);
});

test('0x7777 requests a reset', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, SifiveTestStatus.RESET);
  assert.deepEqual(r.events, ['reset']);
});

test('a 16-bit store of the status also acts (QEMU accepts sizes 2 and 4)', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 2, SifiveTestStatus.PASS);
  assert.deepEqual(r.events, ['exit 0']);
});

test('other values, other offsets and byte stores are ignored', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, 0x1234);
  r.bus.write(VIRT_TEST_BASE, 4, 0x5556);
  r.bus.write(VIRT_TEST_BASE + 4, 4, SifiveTestStatus.PASS);
  r.bus.write(VIRT_TEST_BASE + 2, 2, SifiveTestStatus.FAIL);
  r.bus.write(VIRT_TEST_BASE, 1, 0x55);
  assert.deepEqual(r.events, []);
});

test('reads return 0', () => {
  const r = rig();
  r.bus.write(VIRT_TEST_BASE, 4, 0x1234);
  assert.equal(r.bus.read(VIRT_TEST_BASE, 4), 0);
  assert.equal(r.bus.read(VIRT_TEST_BASE + 0x10, 2), 0);
});
