import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BusError } from '../core/bus.js';
import {
  VIRT_VIRTIO_BASE, VIRT_VIRTIO_COUNT, VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_VENDOR, VirtioMmio, VirtioMmioReg as R, virtVirtioBase,
} from './virtio-mmio.js';

function rig(legacy?: boolean) {
  const bus = new Bus();
  for (let i = 0; i < VIRT_VIRTIO_COUNT; i++) new VirtioMmio({ legacy }).map(bus, virtVirtioBase(i));
  return bus;
}

test('an empty transport reads magic "virt", version 1 (force-legacy default), device 0, vendor "QEMU"', () => {
  const bus = rig();
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.MAGIC_VALUE, 4), 0x7472_6976);
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.VERSION, 4), 1);
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.DEVICE_ID, 4), 0, 'no backend: no driver claims it');
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.VENDOR_ID, 4), 0x554d_4551);
  assert.equal(VIRTIO_MMIO_MAGIC, 0x7472_6976);
  assert.equal(VIRTIO_MMIO_VENDOR, 0x554d_4551);
});

test('the non-legacy transport reports version 2', () => {
  assert.equal(rig(false).read(VIRT_VIRTIO_BASE + R.VERSION, 4), 2);
});

test('every other register reads 0, SHM lengths and config space included', () => {
  const bus = rig();
  for (let off = 0x10; off < 0x200; off += 4) assert.equal(bus.read(VIRT_VIRTIO_BASE + off, 4), 0, off.toString(16));
});

test('narrow reads return the low bytes at the three answered offsets and 0 anywhere else', () => {
  const bus = rig();
  const b = VIRT_VIRTIO_BASE;
  assert.equal(bus.read(b, 1), 0x76);
  assert.equal(bus.read(b, 2), 0x6976);
  assert.equal(bus.read(b + 1, 1), 0);
  assert.equal(bus.read(b + 2, 2), 0);
  assert.equal(bus.read(b + R.VENDOR_ID, 2), 0x4551);
  assert.equal(bus.read(b, 8), VIRTIO_MMIO_MAGIC);
  assert.equal(bus.hi32, 1);
});

test('writes are ignored', () => {
  const bus = rig();
  bus.write(VIRT_VIRTIO_BASE + R.STATUS, 4, 0xf);
  bus.write(VIRT_VIRTIO_BASE + R.MAGIC_VALUE, 4, 0);
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.STATUS, 4), 0);
  assert.equal(bus.read(VIRT_VIRTIO_BASE + R.MAGIC_VALUE, 4), VIRTIO_MMIO_MAGIC);
});

test('eight transports 0x1000 apart, each mapping 0x200 bytes: past them an access faults', () => {
  const bus = rig();
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => virtVirtioBase(i)), [
    0x1000_1000, 0x1000_2000, 0x1000_3000, 0x1000_4000, 0x1000_5000, 0x1000_6000, 0x1000_7000, 0x1000_8000,
  ]);
  for (let i = 0; i < 8; i++) assert.equal(bus.read(virtVirtioBase(i), 4), VIRTIO_MMIO_MAGIC);
  bus.error = 0;
  bus.read(VIRT_VIRTIO_BASE + 0x1fc, 4);
  assert.equal(bus.error, 0);
  bus.read(VIRT_VIRTIO_BASE + 0x200, 4);
  assert.equal(bus.error, BusError.Unmapped);
  assert.throws(() => virtVirtioBase(8), /no transport 8/);
});
