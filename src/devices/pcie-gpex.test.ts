import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import {
  PcieGpex, PciConfigReg as C, VIRT_PCIE_ECAM_BASE, VIRT_PCIE_MMIO_BASE, VIRT_PCIE_PIO_BASE, virtHighPcieMmio,
} from './pcie-gpex.js';

const E = VIRT_PCIE_ECAM_BASE;
/** ECAM address of bus/device/function/register. */
const cfg = (bus: number, dev: number, fn: number, reg: number) => E + bus * 0x10_0000 + dev * 0x8000 + fn * 0x1000 + reg;

function rig() {
  const bus = new Bus();
  const pci = new PcieGpex();
  pci.map(bus);
  const rd = (a: number, size = 4) => { bus.error = 0; const v = bus.read(a, size); assert.equal(bus.error, 0); return v; };
  const wr = (a: number, v: number, size = 4) => { bus.error = 0; bus.write(a, size, v); assert.equal(bus.error, 0); };
  return { bus, pci, rd, wr };
}

test('00:00.0 is QEMU\'s host bridge: 1b36:0008, class 060000, subsystem 1af4:1100, nothing else', () => {
  const r = rig();
  const words = Array.from({ length: 16 }, (_, i) => r.rd(cfg(0, 0, 0, 4 * i)));
  assert.deepEqual(words, [
    0x0008_1b36, 0, 0x0600_0000, 0, 0, 0, 0, 0, 0, 0, 0, 0x1100_1af4, 0, 0, 0, 0,
  ]);
  assert.equal(r.rd(cfg(0, 0, 0, C.HEADER_TYPE), 1), 0, 'single-function, type 0');
  assert.equal(r.rd(cfg(0, 0, 0, C.STATUS), 2) & 0x10, 0, 'no capability list');
  assert.equal(r.rd(cfg(0, 0, 0, C.DEVICE_ID), 2), 0x0008);
  assert.equal(r.rd(cfg(0, 0, 0, 0x80)), 0, 'device-specific space is zero');
});

test('absent functions, other buses and offsets past 0xff read all-ones at every width', () => {
  const r = rig();
  for (const a of [cfg(0, 0, 1, 0), cfg(0, 1, 0, 0), cfg(0, 31, 7, 0), cfg(1, 0, 0, 0), cfg(255, 31, 7, 0xffc), cfg(0, 0, 0, 0x100), cfg(0, 0, 0, 0xffc)]) {
    assert.equal(r.rd(a), 0xffff_ffff, a.toString(16));
    assert.equal(r.rd(a, 2), 0xffff);
    assert.equal(r.rd(a, 1), 0xff);
  }
  r.wr(cfg(0, 1, 0, 4), 7);
  r.wr(cfg(0, 0, 0, 0x100), 7);
  assert.equal(r.rd(cfg(0, 1, 0, 4)), 0xffff_ffff);
});

test('the command register keeps only IO, memory, master, SERR and INTx-disable (0x0507)', () => {
  const r = rig();
  r.wr(cfg(0, 0, 0, C.COMMAND), 0xffff_ffff);
  assert.equal(r.rd(cfg(0, 0, 0, C.COMMAND)), 0x0507, 'status bits stay 0 (write-1-to-clear)');
  r.wr(cfg(0, 0, 0, C.COMMAND), 0, 2);
  assert.equal(r.rd(cfg(0, 0, 0, C.COMMAND)), 0);
});

test('BARs, ROM, ids and class are read-only; cache line size and interrupt line are writable', () => {
  const r = rig();
  for (let off = 0; off < 0x40; off += 4) r.wr(cfg(0, 0, 0, off), 0xffff_ffff);
  const words = Array.from({ length: 16 }, (_, i) => r.rd(cfg(0, 0, 0, 4 * i)));
  assert.deepEqual(words, [
    0x0008_1b36, 0x0507, 0x0600_0000, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x1100_1af4, 0, 0, 0, 0xff,
  ]);
});

test('bytes 0x40..0xff are plain read/write storage at any width', () => {
  const r = rig();
  r.wr(cfg(0, 0, 0, 0x40), 0x1234_5678);
  r.wr(cfg(0, 0, 0, 0x41), 0xaa, 1);
  r.wr(cfg(0, 0, 0, 0xfe), 0xbeef, 2);
  assert.equal(r.rd(cfg(0, 0, 0, 0x40)), 0x1234_aa78);
  assert.equal(r.rd(cfg(0, 0, 0, 0xfc)), 0xbeef_0000);
});

test('an 8-byte ECAM read is two 4-byte config reads', () => {
  const r = rig();
  r.wr(cfg(0, 0, 0, C.COMMAND), 0x6);
  r.bus.read(cfg(0, 0, 0, 0), 8);
  assert.equal(r.bus.hi32, 0x6);
});

test('the PIO, MMIO and high MMIO windows read all-ones and ignore writes', () => {
  const r = rig();
  const high = virtHighPcieMmio(64, 128 * 2 ** 20);
  for (const a of [VIRT_PCIE_PIO_BASE, VIRT_PCIE_PIO_BASE + 0xfffc, VIRT_PCIE_MMIO_BASE, 0x7fff_fffc, high.base, high.base + high.size - 4]) {
    r.wr(a, 0x1234);
    assert.equal(r.rd(a), 0xffff_ffff, a.toString(16));
    assert.equal(r.rd(a, 1), 0xff);
  }
  for (const a of [VIRT_PCIE_PIO_BASE + 0x1_0000, high.base + high.size]) {
    r.bus.error = 0;
    r.bus.read(a, 4);
    assert.equal(r.bus.error, 1, `nothing at ${a.toString(16)}`);
  }
});

test('the high MMIO window follows QEMU: 16 GiB at the next 16 GiB boundary above RAM (RV64), 4 GiB at 12 GiB (RV32)', () => {
  assert.deepEqual(virtHighPcieMmio(64, 128 * 2 ** 20), { base: 0x4_0000_0000, size: 0x4_0000_0000 });
  assert.deepEqual(virtHighPcieMmio(64, 16 * 2 ** 30), { base: 0x8_0000_0000, size: 0x4_0000_0000 });
  assert.deepEqual(virtHighPcieMmio(32, 128 * 2 ** 20), { base: 0x3_0000_0000, size: 0x1_0000_0000 });
});

test('reset clears the command register, cache line size and interrupt line but not device-specific bytes', () => {
  const r = rig();
  r.wr(cfg(0, 0, 0, C.COMMAND), 0x7);
  r.wr(cfg(0, 0, 0, C.CACHE_LINE_SIZE), 0x10, 1);
  r.wr(cfg(0, 0, 0, C.INTERRUPT_LINE), 0x21, 1);
  r.wr(cfg(0, 0, 0, 0x40), 0x55);
  r.pci.reset();
  assert.equal(r.rd(cfg(0, 0, 0, C.COMMAND)), 0);
  assert.equal(r.rd(cfg(0, 0, 0, C.CACHE_LINE_SIZE)), 0);
  assert.equal(r.rd(cfg(0, 0, 0, C.INTERRUPT_LINE)), 0);
  assert.equal(r.rd(cfg(0, 0, 0, 0x40)), 0x55);
});
