import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import { CfiCmd, CfiFlash, VIRT_FLASH_BANKS, VIRT_FLASH_BASE, VIRT_FLASH_SECTOR_SIZE } from './cfi-flash.js';

/** Both `virt` banks on a bus. */
function rig(opts: ConstructorParameters<typeof CfiFlash>[0] = {}) {
  const bus = new Bus();
  const banks = VIRT_FLASH_BANKS.map((b) => new CfiFlash({ ...opts, name: b.name }));
  banks.forEach((f, i) => f.map(bus, VIRT_FLASH_BANKS[i]!.base));
  const rd = (a: number, size = 4) => bus.read(a, size);
  const wr = (a: number, v: number, size = 4) => bus.write(a, size, v);
  return { bus, banks, rd, wr };
}

const B = VIRT_FLASH_BASE;

test('CFI query at 0x55 * 4 answers "QRY" and a geometry from which U-Boot computes 32 MiB per bank', () => {
  const r = rig();
  for (const { base } of VIRT_FLASH_BANKS) {
    r.wr(base, CfiCmd.AMD_PROBE);
    r.wr(base, CfiCmd.READ_ARRAY);
    r.wr(base + 0x55 * 4, CfiCmd.CFI_QUERY);
    const q = (i: number) => r.rd(base + 4 * i);
    // every answer is replicated for the two x16 devices of the 32-bit bank
    assert.deepEqual([q(0x10), q(0x11), q(0x12)], [0x0051_0051, 0x0052_0052, 0x0059_0059]);
    const byte = (i: number) => q(i) & 0xff;
    const devSize = 2 ** byte(0x27);
    assert.equal(devSize, 16 * 2 ** 20, 'one x16 device: 16 MiB');
    assert.equal(byte(0x28) | (byte(0x29) << 8), 2, 'x8/x16 interface');
    assert.equal(byte(0x2c), 1, 'one erase region');
    const blocks = (byte(0x2d) | (byte(0x2e) << 8)) + 1;
    const blockSize = (byte(0x2f) | (byte(0x30) << 8)) * 256;
    assert.deepEqual([blocks, blockSize], [128, 128 * 1024]);
    const ratio = 4 / 2; // U-Boot: portwidth / chipwidth
    assert.equal(devSize * ratio, 32 * 2 ** 20, 'U-Boot prints "Flash: 32 MiB"');
    assert.equal(blockSize * ratio, VIRT_FLASH_SECTOR_SIZE);
    assert.equal(byte(0x13), 1, 'Intel command set');
    assert.equal(byte(0x2a), 0x0b, '2 KiB write buffer per device');
    assert.deepEqual([0x31, 0x32, 0x33, 0x34, 0x35].map(byte), [0x50, 0x52, 0x49, 0x31, 0x30], '"PRI1.0"');
    assert.equal(q(0x52), 0, 'past the 0x52-byte table');
  }
});

test('the CFI table matches QEMU 7.2 byte for byte', () => {
  const f = new CfiFlash();
  const expect = new Uint8Array(0x52);
  expect.set([0x51, 0x52, 0x59, 0x01, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45, 0x55, 0x00, 0x00,
    0x07, 0x07, 0x0a, 0x00, 0x04, 0x04, 0x04, 0x00, 0x18, 0x02, 0x00, 0x0b, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x02,
    0x50, 0x52, 0x49, 0x31, 0x30], 0x10);
  expect[0x3f] = 0x01;
  assert.deepEqual(f.cfiTable, expect);
  assert.equal(f.writeBlockSize, 4096);
});

test('narrow query reads return the low bytes of the replicated word at that word index', () => {
  const r = rig();
  r.wr(B, CfiCmd.CFI_QUERY);
  assert.equal(r.rd(B + 0x40, 1), 0x51);
  assert.equal(r.rd(B + 0x41, 1), 0x51, 'every byte of the word gives the same answer');
  assert.equal(r.rd(B + 0x42, 2), 0x0051);
  r.bus.read(B + 0x40, 8);
  assert.equal(r.bus.hi32, 0x0052_0052);
});

test('read identifier (0x90) gives manufacturer 0x89 and device 0x18 in each half, 0 elsewhere', () => {
  const r = rig();
  r.wr(B, CfiCmd.READ_ID);
  assert.equal(r.rd(B), 0x0089_0089);
  assert.equal(r.rd(B + 4), 0x0018_0018);
  assert.equal(r.rd(B + 8), 0);
  assert.equal(r.rd(B + 0x400), 0x0089_0089, 'only the low 8 bits of the word index count');
  r.wr(B, CfiCmd.READ_ARRAY);
  assert.equal(r.rd(B), 0);
});

test('with no image the contents read all zero; an image reads back at every width', () => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const f = new CfiFlash({ data });
  const bus = new Bus();
  f.map(bus);
  assert.equal(bus.read(B, 4), 0x0403_0201);
  assert.equal(bus.read(B + 2, 2), 0x0403);
  assert.equal(bus.read(B + 7, 1), 8);
  assert.equal(bus.read(B, 8), 0x0403_0201);
  assert.equal(bus.hi32, 0x0807_0605);
  assert.equal(bus.read(B + 8, 4), 0);
  assert.equal(rig().rd(B + 0x100_0000), 0);
});

test('single program stores the next write at its width; reads then give the status of both devices', () => {
  const updates: [number, number][] = [];
  const r = rig({ onUpdate: (o, l) => updates.push([o, l]) });
  r.wr(B + 0x100, CfiCmd.SINGLE_PROGRAM_ALT);
  r.wr(B + 0x100, 0xdead_beef);
  assert.equal(r.rd(B + 0x100), 0x0080_0080, 'status: ready, in both halves');
  assert.equal(r.rd(B + 0x100, 2), 0x0080);
  r.wr(B, CfiCmd.SINGLE_PROGRAM);
  r.wr(B + 0x105, 0x77, 1);
  r.wr(B, CfiCmd.READ_ARRAY);
  assert.equal(r.rd(B + 0x100), 0xdead_beef);
  assert.equal(r.rd(B + 0x104), 0x7700);
  assert.deepEqual(updates, [[0x100, 4], [0x105, 1]]);
});

test('block erase fills the whole 256 KiB sector with 0xff at once; 0xd0 confirms', () => {
  const r = rig();
  r.wr(B + 0x4_0010, CfiCmd.BLOCK_ERASE);
  assert.equal(r.rd(B + 0x4_0000), 0x0080_0080);
  r.wr(B + 0x4_0010, CfiCmd.CONFIRM);
  assert.equal(r.rd(B), 0x0080_0080, 'still status mode after confirm');
  r.wr(B, CfiCmd.READ_ARRAY);
  assert.equal(r.rd(B + 0x3_fffc), 0);
  assert.equal(r.rd(B + 0x4_0000), 0xffff_ffff);
  assert.equal(r.rd(B + 0x7_fffc), 0xffff_ffff);
  assert.equal(r.rd(B + 0x8_0000), 0);
});

test('write-to-buffer collects count + 1 writes in a 4 KiB buffer and commits them on 0xd0', () => {
  const r = rig();
  r.wr(B + 0x2000, CfiCmd.WRITE_TO_BUFFER);
  r.wr(B + 0x2000, 0x0001_0001); // count - 1 = 1, per device
  r.wr(B + 0x2000, 0x1111_1111);
  r.wr(B + 0x2004, 0x2222_2222);
  r.wr(B, CfiCmd.READ_ARRAY); // not yet visible: the buffer is not committed...
  assert.equal(r.banks[0]!.storage[0x2000], 0);
  r.wr(B + 0x3000, CfiCmd.WRITE_TO_BUFFER);
  r.wr(B + 0x3000, 0);
  r.wr(B + 0x3008, 0x3333_3333);
  r.wr(B + 0x3000, CfiCmd.CONFIRM);
  r.wr(B, CfiCmd.READ_ARRAY);
  assert.equal(r.rd(B + 0x3008), 0x3333_3333);
  assert.equal(r.rd(B + 0x2000), 0, '...and the abandoned sequence was dropped');
});

test('a write outside the open buffer is a program error, and the commit is refused', () => {
  const r = rig();
  r.wr(B + 0x3000, CfiCmd.WRITE_TO_BUFFER);
  r.wr(B + 0x3000, 0);
  r.wr(B + 0x4000, 0x1234); // outside 0x3000..0x3fff
  assert.equal(r.banks[0]!.status & 0x10, 0x10);
  r.wr(B + 0x3000, CfiCmd.CONFIRM);
  assert.equal(r.banks[0]!.mode, 0, 'back to read array');
  r.wr(B, CfiCmd.CLEAR_STATUS);
  assert.equal(r.banks[0]!.status, 0);
});

test('a read-only bank refuses program and erase with error bits; clear status (0x50) clears them', () => {
  const r = rig({ readOnly: true });
  r.wr(B, CfiCmd.SINGLE_PROGRAM);
  r.wr(B, 0x1234);
  r.wr(B, CfiCmd.BLOCK_ERASE);
  assert.equal(r.rd(B), 0x00b0_00b0);
  r.wr(B, CfiCmd.CLEAR_STATUS); // second cycle of the erase: a wrong one, back to read array
  assert.equal(r.rd(B), 0, 'read array, contents untouched');
  r.wr(B, CfiCmd.READ_STATUS);
  assert.equal(r.rd(B), 0x00b0_00b0, 'the errors are still there');
  r.wr(B, CfiCmd.CLEAR_STATUS);
  r.wr(B, CfiCmd.READ_STATUS);
  assert.equal(r.rd(B), 0);
});

test('an unknown command, or a wrong second cycle, returns to read-array mode', () => {
  const r = rig({ data: Uint8Array.of(0xaa) });
  r.wr(B, 0x41);
  assert.equal(r.rd(B, 1), 0xaa);
  r.wr(B, CfiCmd.BLOCK_ERASE);
  r.wr(B, 0x12);
  assert.equal(r.banks[0]!.mode, 0);
  assert.equal(r.rd(B, 1), 0xff, 'the erase itself already happened');
});

test('query mode stays until 0xff: any other write is ignored', () => {
  const r = rig();
  r.wr(B, CfiCmd.CFI_QUERY);
  r.wr(B, CfiCmd.AMD_PROBE);
  assert.equal(r.rd(B + 0x40), 0x0051_0051);
  r.wr(B, CfiCmd.READ_ARRAY);
  assert.equal(r.rd(B + 0x40), 0);
});

test('the two banks are independent and each covers 32 MiB', () => {
  const r = rig();
  r.wr(VIRT_FLASH_BANKS[1].base, CfiCmd.READ_ID);
  assert.equal(r.rd(VIRT_FLASH_BANKS[0].base), 0);
  assert.equal(r.rd(VIRT_FLASH_BANKS[1].base), 0x0089_0089);
  assert.equal(r.banks[1]!.size, 32 * 2 ** 20);
  r.bus.error = 0;
  r.bus.read(VIRT_FLASH_BASE + 64 * 2 ** 20, 4);
  assert.equal(r.bus.error, 1, 'nothing after the second bank');
});

test('reset returns to read-array mode with status ready', () => {
  const r = rig({ readOnly: true });
  r.wr(B, CfiCmd.BLOCK_ERASE);
  r.banks[0]!.reset();
  assert.equal(r.banks[0]!.mode, 0);
  assert.equal(r.banks[0]!.status, 0x80);
});
