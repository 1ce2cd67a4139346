import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bus } from '../bus.js';
import { UserError } from '../errors.js';
import { EM, loadImage, parseImage, placeImage, SymbolTable, type LoadedImage } from './index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const RISCV64 = { machine: [EM.RISCV], name: 'RISC-V', bits: 64 as const };

function throwsUser(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

/** Run `f` with a fresh temporary directory. */
function withTmp(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-loader-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

test('loads an ELF at its physical addresses with the entry translated like QEMU', () => {
  const img = loadImage(fixture('tiny-rv64.elf'), { expect: RISCV64 });
  assert.equal(img.format, 'elf');
  assert.equal(img.entry, 0x80000000n); // e_entry 0xffffffff80000000 lies in the R+X segment
  assert.equal(img.elf?.entry, 0xffffffff80000000n);
  assert.deepEqual(img.segments.map((s) => [s.addr, s.data.length, s.memsz]), [[0x80000000n, 0x1a, 0x1an], [0x80001000n, 6, 0x10n]]);
  // Symbols stay virtual: they name PCs.
  assert.equal(img.symbols.lookup(0xffffffff80000004n), '_start');
  assert.equal(img.symbols.byName('counter'), 0xffffffff80001008n);
});

test('keeps the ELF entry when vaddr = paddr', () => {
  const img = loadImage(fixture('tiny-rv32.elf'), { expect: { machine: [EM.RISCV], name: 'RISC-V', bits: 32 } });
  assert.equal(img.entry, 0x80000000n);
  assert.deepEqual(img.segments.map((s) => s.addr), [0x80000000n, 0x80001000n]);
  assert.equal(img.symbols.at(0x80001006n), '__bss_start');
});

test('rejects an ELF for another machine or class', () => {
  const path = fixture('tiny-rv32.elf');
  assert.throws(() => loadImage(path, { expect: RISCV64 }), (e: unknown) =>
    e instanceof UserError && e.message === `${path}: ELF is 32-bit, expected 64-bit`);
  assert.throws(() => loadImage(path, { expect: { machine: [EM.ARM], name: 'ARM' } }), (e: unknown) =>
    e instanceof UserError && e.message === `${path}: ELF machine is RISC-V, expected ARM`);
});

test('detects Intel HEX by extension or by content', () => {
  withTmp((dir) => {
    for (const name of ['fw.hex', 'fw.IHEX', 'fw.txt', 'fw']) {
      const p = join(dir, name);
      copyFileSync(fixture('tiny-rv32.hex'), p);
      const img = loadImage(p);
      assert.equal(img.format, 'ihex', name);
      assert.equal(img.entry, 0x80000000n, name);
      assert.deepEqual(img.segments.map((s) => [s.addr, s.data.length, s.memsz]), [[0x80000000n, 0x1a, 0x1an], [0x80001000n, 6, 6n]]);
      assert.equal(img.symbols.size, 0);
    }
  });
});

test('a .hex file that is not valid HEX is an error, not a raw binary', () => {
  throwsUser(() => parseImage(new Uint8Array([0x13, 0, 0, 0]), 'fw.hex', { loadAddr: 0 }),
    "fw.hex:1: expected a record starting with ':'");
  // Without the extension, a ':' that does not start a valid record means raw.
  const img = parseImage(new TextEncoder().encode(':-) hello'), 'x.bin', { loadAddr: 0x1000 });
  assert.equal(img.format, 'raw');
});

test('loads a raw binary at the given address, entry there too', () => {
  withTmp((dir) => {
    const p = join(dir, 'kernel.bin');
    writeFileSync(p, new Uint8Array([0x6f, 0, 0, 0]));
    const img = loadImage(p, { loadAddr: 0x80000000, expect: RISCV64 });
    assert.equal(img.format, 'raw');
    assert.equal(img.entry, 0x80000000n);
    assert.deepEqual(img.segments.map((s) => [s.addr, [...s.data], s.memsz]), [[0x80000000n, [0x6f, 0, 0, 0], 4n]]);
    assert.equal(img.symbols, SymbolTable.empty);
    throwsUser(() => loadImage(p), `${p}: not an ELF or Intel HEX file, and no load address was given for a raw binary`);
  });
});

test('reports missing, empty and directory paths', () => {
  withTmp((dir) => {
    throwsUser(() => loadImage(join(dir, 'kernel.elf')), `${join(dir, 'kernel.elf')}: no such file`);
    throwsUser(() => loadImage(dir, { loadAddr: 0 }), `${dir}: is a directory`);
    writeFileSync(join(dir, 'empty.bin'), '');
    throwsUser(() => loadImage(join(dir, 'empty.bin'), { loadAddr: 0 }), `${join(dir, 'empty.bin')}: file is empty`);
  });
});

test('a truncated ELF is reported as such, not loaded as raw', () => {
  withTmp((dir) => {
    const p = join(dir, 'kernel.elf');
    writeFileSync(p, readFileSync(fixture('tiny-rv64.elf')).subarray(0, 100));
    throwsUser(() => loadImage(p, { loadAddr: 0 }), `${p}: truncated ELF (program header 0 extends past end of file)`);
  });
});

/** A bus with 8 KiB of RAM at 0x80000000, pre-filled with 0xaa to show what gets written. */
function ramBus(): { bus: Bus; ram: Uint8Array } {
  const bus = new Bus();
  const ram = bus.addRam('ram', 0x80000000, 0x2000).bytes;
  ram.fill(0xaa);
  return { bus, ram };
}

test('placeImage writes each segment and zero-fills up to memsz', () => {
  const { bus, ram } = ramBus();
  const img = loadImage(fixture('tiny-rv64.elf'));
  const writes: [number, number][] = [];
  bus.onRamWrite = (_r, off, size) => writes.push([off, size]);
  placeImage(bus, img, 'tiny-rv64.elf');
  assert.deepEqual([...ram.subarray(0, 0x1a)], [...img.segments[0]!.data]);
  assert.equal(ram[0x1a], 0xaa); // untouched between segments
  assert.equal(new TextDecoder().decode(ram.subarray(0x1000, 0x1006)), 'hello\0');
  assert.deepEqual([...ram.subarray(0x1006, 0x1010)], new Array(10).fill(0)); // .bss
  assert.equal(ram[0x1010], 0xaa);
  assert.deepEqual(writes, [[0, 0x1a], [0x1000, 6], [0x1006, 10]]);
});

test('placeImage zero-fills large memsz in chunks', () => {
  const bus = new Bus();
  const ram = bus.addRam('ram', 0, 0x50000).bytes.fill(0xaa);
  const img: LoadedImage = {
    format: 'elf', entry: undefined, symbols: SymbolTable.empty,
    segments: [{ addr: 0x10n, data: new Uint8Array([1]), memsz: 0x40000n }],
  };
  placeImage(bus, img, 'big.elf');
  assert.equal(ram[0x10], 1);
  assert.ok(ram.subarray(0x11, 0x40010).every((b) => b === 0));
  assert.equal(ram[0x40010], 0xaa);
});

test('placeImage reports a segment outside guest memory', () => {
  const seg = (addr: bigint, len: number, memsz: bigint): LoadedImage => ({
    format: 'elf', entry: undefined, symbols: SymbolTable.empty, segments: [{ addr, data: new Uint8Array(len), memsz }],
  });
  const { bus } = ramBus();
  throwsUser(() => placeImage(bus, seg(0x1000n, 4, 4n), 'kernel.elf'),
    'kernel.elf: segment at 0x1000 (0x4 bytes) does not fit in guest memory');
  // Data fits, zero fill runs past the end of RAM.
  throwsUser(() => placeImage(bus, seg(0x80001ff0n, 4, 0x20n), 'kernel.elf'),
    'kernel.elf: segment at 0x80001ff0 (0x20 bytes) does not fit in guest memory');
  // Addresses a number cannot hold exactly.
  throwsUser(() => placeImage(bus, seg(0xffffffff80000000n, 4, 4n), 'kernel.elf'),
    'kernel.elf: segment at 0xffffffff80000000 (0x4 bytes) does not fit in guest memory');
  // The un-translated 64-bit fixture (paddr = 0x80000000) fits; a 4 KiB bus does not hold its data segment.
  const small = new Bus();
  small.addRam('ram', 0x80000000, 0x1000);
  throwsUser(() => placeImage(small, loadImage(fixture('tiny-rv64.elf')), 'tiny-rv64.elf'),
    'tiny-rv64.elf: segment at 0x80001000 (0x10 bytes) does not fit in guest memory');
});

test('placeImage writes ROM too and does not swallow errors other than RangeError', () => {
  const bus = new Bus();
  const rom = bus.addRam('rom', 0x1000, 0x100, true).bytes;
  placeImage(bus, parseImage(new Uint8Array([1, 2, 3]), 'boot.bin', { loadAddr: 0x1000 }), 'boot.bin');
  assert.deepEqual([...rom.subarray(0, 3)], [1, 2, 3]);
  bus.onRamWrite = () => { throw new TypeError('hook bug'); };
  assert.throws(() => placeImage(bus, parseImage(new Uint8Array([1]), 'boot.bin', { loadAddr: 0x1000 }), 'boot.bin'), TypeError);
});

test('ARM ELF function symbols lose the Thumb bit, the entry keeps it', () => {
  // Turn the RISC-V fixture into a Thumb-style ARM one: e_machine = ARM, entry and _start odd.
  const elf = new Uint8Array(readFileSync(fixture('tiny-rv32.elf')));
  const v = new DataView(elf.buffer);
  v.setUint16(18, EM.ARM, true);
  v.setUint32(24, 0x80000001, true);
  // _start's Elf32_Sym: st_value 0x80000000, st_size 24, st_info GLOBAL|FUNC (0x12).
  const pattern = [0, 0, 0, 0x80, 24, 0, 0, 0, 0x12];
  const at = elf.findIndex((_, i) => pattern.every((b, k) => elf[i + k] === b));
  assert.ok(at > 0);
  v.setUint32(at, 0x80000001, true);
  const img = parseImage(elf, 'arm.elf', { expect: { machine: [EM.ARM], name: 'ARM', bits: 32 } });
  assert.equal(img.elf?.machineName, 'ARM');
  assert.equal(img.entry, 0x80000001n);
  assert.equal(img.symbols.at(0x80000000n), '_start');
  assert.equal(img.symbols.byName('_start'), 0x80000000n);
  assert.equal(img.symbols.byName('message'), 0x80001000n);
  // Not for other machines.
  v.setUint16(18, EM.RISCV, true);
  assert.equal(parseImage(elf, 'rv.elf').symbols.byName('_start'), 0x80000001n);
});
