import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { EM, PF, checkElfMachine, elfMachineName, isElf, parseElf, type ElfImage, type ElfSymbol } from './elf.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const RV32 = new Uint8Array(readFileSync(fixture('tiny-rv32.elf')));
const RV64 = new Uint8Array(readFileSync(fixture('tiny-rv64.elf')));

// ---------------------------------------------------------------------------------------------
// A small ELF writer, to synthesise big-endian, other-machine and deliberately broken files.

interface SynthSegment {
  type?: number;
  vaddr: bigint;
  paddr?: bigint;
  data: Uint8Array;
  memsz?: bigint;
  flags?: number;
}

interface SynthSymbol {
  name: string;
  value: bigint;
  size?: bigint;
  /** STT_* */
  stt?: number;
  /** STB_* */
  stb?: number;
  shndx?: number;
}

interface SynthElf {
  bits: 32 | 64;
  endian: 'little' | 'big';
  machine?: number;
  type?: number;
  entry?: bigint;
  segments: SynthSegment[];
  /** Omit for a stripped file (no section headers at all). */
  symbols?: SynthSymbol[];
  /** Write e_phnum = 0xffff and the real count in section 0's sh_info. */
  phnumInSection0?: boolean;
}

function synthElf(o: SynthElf): Uint8Array {
  const is64 = o.bits === 64, le = o.endian === 'little';
  const ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32, shsize = is64 ? 64 : 40, symsize = is64 ? 24 : 16;
  const out = new Uint8Array(1 << 16);
  const v = new DataView(out.buffer);
  const u8 = (at: number, x: number): void => v.setUint8(at, x);
  const u16 = (at: number, x: number): void => v.setUint16(at, x, le);
  const u32 = (at: number, x: number): void => v.setUint32(at, x, le);
  const word = (at: number, x: bigint): void => {
    if (is64) v.setBigUint64(at, x, le);
    else v.setUint32(at, Number(x), le);
  };
  const w = is64 ? 8 : 4;

  out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  u16(16, o.type ?? 2);
  u16(18, o.machine ?? EM.RISCV);
  u32(20, 1);
  word(24, o.entry ?? 0n);
  word(24 + w, BigInt(ehsize)); // phoff
  u16(24 + 3 * w + 4, ehsize);
  u16(24 + 3 * w + 6, phsize);
  u16(24 + 3 * w + 8, o.phnumInSection0 === true ? 0xffff : o.segments.length);

  let pos = ehsize + phsize * o.segments.length;
  o.segments.forEach((s, i) => {
    const at = ehsize + i * phsize;
    const memsz = s.memsz ?? BigInt(s.data.length);
    out.set(s.data, pos);
    u32(at, s.type ?? 1);
    if (is64) {
      u32(at + 4, s.flags ?? PF.R | PF.X);
      word(at + 8, BigInt(pos));
      word(at + 16, s.vaddr);
      word(at + 24, s.paddr ?? s.vaddr);
      word(at + 32, BigInt(s.data.length));
      word(at + 40, memsz);
      word(at + 48, 4n);
    } else {
      word(at + 4, BigInt(pos));
      word(at + 8, s.vaddr);
      word(at + 12, s.paddr ?? s.vaddr);
      word(at + 16, BigInt(s.data.length));
      word(at + 20, memsz);
      u32(at + 24, s.flags ?? PF.R | PF.X);
      u32(at + 28, 4);
    }
    pos += s.data.length;
  });

  if (o.symbols === undefined && o.phnumInSection0 !== true) return out.slice(0, pos);

  // Sections: [0] null, [1] .symtab, [2] .strtab.
  const names: number[] = [0];
  const nameOffsets = (o.symbols ?? []).map((s) => {
    const off = names.length;
    names.push(...new TextEncoder().encode(s.name), 0);
    return off;
  });
  pos = (pos + 7) & ~7;
  const symoff = pos;
  (o.symbols ?? []).forEach((s, k) => {
    const at = symoff + (k + 1) * symsize;
    const info = ((s.stb ?? 1) << 4) | (s.stt ?? 2);
    u32(at, s.name === '' ? 0 : nameOffsets[k]!);
    if (is64) {
      u8(at + 4, info);
      u16(at + 6, s.shndx ?? 1);
      word(at + 8, s.value);
      word(at + 16, s.size ?? 0n);
    } else {
      word(at + 4, s.value);
      word(at + 8, s.size ?? 0n);
      u8(at + 12, info);
      u16(at + 14, s.shndx ?? 1);
    }
  });
  const symbytes = ((o.symbols ?? []).length + 1) * symsize;
  pos = symoff + symbytes;
  const stroff = pos;
  out.set(names, stroff);
  pos = (stroff + names.length + 7) & ~7;
  const shoff = pos;
  const section = (i: number, type: number, off: number, size: number, link: number, info: number, entsize: number): void => {
    const at = shoff + i * shsize;
    u32(at + 4, type);
    if (is64) {
      word(at + 24, BigInt(off)); word(at + 32, BigInt(size));
      u32(at + 40, link); u32(at + 44, info); word(at + 56, BigInt(entsize));
    } else {
      u32(at + 16, off); u32(at + 20, size);
      u32(at + 24, link); u32(at + 28, info); u32(at + 36, entsize);
    }
  };
  section(0, 0, 0, 0, 0, o.phnumInSection0 === true ? o.segments.length : 0, 0);
  section(1, 2, symoff, symbytes, 2, 1, symsize);
  section(2, 3, stroff, names.length, 0, 0, 0);
  word(24 + 2 * w, BigInt(shoff));
  u16(24 + 3 * w + 10, shsize);
  u16(24 + 3 * w + 12, 3);
  return out.slice(0, shoff + 3 * shsize);
}

/** Offsets of header fields, for patching files. */
const at32 = { phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shoff: 32 };

function patch(bytes: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

function throwsUser(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** Parse, requiring success or a one-line UserError prefixed with the name; never anything else. */
function parseOrUserError(bytes: Uint8Array, name: string): ElfImage | UserError {
  try {
    return parseElf(bytes, name);
  } catch (e) {
    if (!(e instanceof UserError)) {
      assert.fail(`${name}: ${bytes.length} bytes: non-UserError ${String(e)}`);
    }
    assert.ok(e.message.startsWith(`${name}: `), e.message);
    assert.ok(!e.message.includes('\n'), e.message);
    return e;
  }
}

const text = (bytes: number[]): Uint8Array => new Uint8Array(bytes);
const plain = (syms: ElfSymbol[]): [string, bigint, bigint, string][] =>
  syms.map((s) => [s.name, s.value, s.size, s.type]);

// ---------------------------------------------------------------------------------------------

test('parses the 32-bit RISC-V fixture: class, machine, entry, segments and symbols', () => {
  const img = parseElf(RV32, 'tiny-rv32.elf');
  assert.equal(img.bits, 32);
  assert.equal(img.endian, 'little');
  assert.equal(img.machine, EM.RISCV);
  assert.equal(img.machineName, 'RISC-V');
  assert.equal(img.entry, 0x80000000n);
  // readelf -l: LOAD 0x80000000 filesz 0x1a memsz 0x1a R E; LOAD 0x80001000 filesz 6 memsz 0x10 RW.
  // The RISCV_ATTRIBUTES program header is not PT_LOAD and is skipped.
  assert.deepEqual(img.segments.map((s) => [s.vaddr, s.paddr, s.data.length, s.memsz, s.flags]), [
    [0x80000000n, 0x80000000n, 0x1a, 0x1an, PF.R | PF.X],
    [0x80001000n, 0x80001000n, 6, 0x10n, PF.R | PF.W],
  ]);
  assert.deepEqual([...img.segments[0]!.data.subarray(0, 4)], [0x17, 0x15, 0x00, 0x00]); // auipc a0, 0x1
  assert.equal(new TextDecoder().decode(img.segments[1]!.data), 'hello\0');
  // readelf -s, without the null, section and file symbols. The $x mapping symbol is kept here
  // (SymbolTable is what ignores it).
  assert.deepEqual(plain(img.symbols), [
    ['$xrv32i2p1_m2p0_a2p1_c2p0_zmmul1p0', 0x80000000n, 0n, 'notype'],
    ['helper', 0x80000018n, 0n, 'notype'],
    ['message', 0x80001000n, 6n, 'object'],
    ['_start', 0x80000000n, 24n, 'func'],
    ['counter', 0x80001008n, 8n, 'object'],
    ['__bss_start', 0x80001006n, 0n, 'notype'],
    ['_end', 0x80001010n, 0n, 'notype'],
  ]);
  assert.deepEqual(img.symbols.map((s) => s.bind), ['local', 'global', 'global', 'global', 'global', 'global', 'global']);
});

test('parses the 64-bit fixture with exact addresses above 2^53 and vaddr != paddr', () => {
  const img = parseElf(RV64, 'tiny-rv64.elf');
  assert.equal(img.bits, 64);
  assert.equal(img.entry, 0xffffffff80000000n);
  assert.deepEqual(img.segments.map((s) => [s.vaddr, s.paddr, s.data.length, s.memsz, s.flags]), [
    [0xffffffff80000000n, 0x80000000n, 0x1a, 0x1an, PF.R | PF.X],
    [0xffffffff80001000n, 0x80001000n, 6, 0x10n, PF.R | PF.W],
  ]);
  assert.deepEqual(plain(img.symbols).slice(1), [
    ['helper', 0xffffffff80000018n, 0n, 'notype'],
    ['message', 0xffffffff80001000n, 6n, 'object'],
    ['_start', 0xffffffff80000000n, 24n, 'func'],
    ['counter', 0xffffffff80001008n, 8n, 'object'],
  ]);
});

test('segment data is a copy, not a view of the input', () => {
  const bytes = RV32.slice();
  const img = parseElf(bytes, 'x.elf');
  bytes.fill(0);
  assert.equal(img.segments[0]!.data[0], 0x17);
});

const readelf = spawnSync('riscv64-unknown-elf-readelf', ['--version']).status === 0;

test('matches riscv64-unknown-elf-readelf -s -l on both fixtures', { skip: !readelf && 'readelf not installed' }, () => {
  for (const name of ['tiny-rv32.elf', 'tiny-rv64.elf']) {
    const out = spawnSync('riscv64-unknown-elf-readelf', ['-W', '-s', '-l', fixture(name)], { encoding: 'utf8' }).stdout;
    const img = parseElf(name === 'tiny-rv32.elf' ? RV32 : RV64, name);
    // LOAD  Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align
    const loads = [...out.matchAll(/^\s+LOAD\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+([RWE ]+?)\s+0x/gm)]
      .map((m) => [BigInt(m[2]!), BigInt(m[3]!), Number(m[4]!), BigInt(m[5]!),
        (m[6]!.includes('R') ? PF.R : 0) | (m[6]!.includes('W') ? PF.W : 0) | (m[6]!.includes('E') ? PF.X : 0)]);
    assert.deepEqual(img.segments.map((s) => [s.vaddr, s.paddr, s.data.length, s.memsz, s.flags]), loads, name);
    // Num: Value Size Type Bind Vis Ndx Name
    const syms = [...out.matchAll(/^\s*\d+: ([0-9a-f]+)\s+(\d+) (\w+)\s+(\w+)\s+\w+\s+(\w+) ?(.*)$/gm)]
      .filter((m) => m[3] !== 'SECTION' && m[3] !== 'FILE' && m[5] !== 'UND' && m[6] !== '')
      .map((m) => [m[6]!, BigInt('0x' + m[1]!), BigInt(m[2]!),
        m[3] === 'FUNC' ? 'func' : m[3] === 'OBJECT' ? 'object' : m[3] === 'NOTYPE' ? 'notype' : 'other']);
    assert.deepEqual(plain(img.symbols), syms, name);
    assert.ok(syms.length >= 5, name);
  }
});

test('round-trips synthesised ELFs of both classes and byte orders', () => {
  for (const bits of [32, 64] as const) {
    for (const endian of ['little', 'big'] as const) {
      const hi = bits === 64 ? 0xfedcba9876543210n : 0xfedcba98n;
      const bytes = synthElf({
        bits, endian, machine: EM.SPARC, entry: hi,
        segments: [
          { vaddr: hi, paddr: 0x1000n, data: text([1, 2, 3, 4, 5]), memsz: 0x20n, flags: PF.R | PF.X },
          { type: 4, vaddr: 0n, data: text([9, 9]) }, // PT_NOTE: skipped
          { vaddr: 0x2000n, data: text([]), memsz: 0x10n, flags: PF.R | PF.W },
        ],
        symbols: [
          { name: 'f', value: hi, size: 5n, stt: 2 },
          { name: 'o', value: 0x2000n, size: 16n, stt: 1, stb: 0 },
          { name: 'w', value: 0x2004n, stt: 0, stb: 2 },
          { name: 'tls', value: 8n, size: 4n, stt: 6 },
        ],
      });
      const name = `synth-${bits}-${endian}.elf`;
      const img = parseElf(bytes, name);
      assert.equal(img.bits, bits, name);
      assert.equal(img.endian, endian, name);
      assert.equal(img.machine, EM.SPARC, name);
      assert.equal(img.machineName, 'SPARC', name);
      assert.equal(img.entry, hi, name);
      assert.deepEqual(img.segments.map((s) => [s.vaddr, s.paddr, [...s.data], s.memsz, s.flags]), [
        [hi, 0x1000n, [1, 2, 3, 4, 5], 0x20n, PF.R | PF.X],
        [0x2000n, 0x2000n, [], 0x10n, PF.R | PF.W],
      ], name);
      assert.deepEqual(img.symbols, [
        { name: 'f', value: hi, size: 5n, type: 'func', bind: 'global' },
        { name: 'o', value: 0x2000n, size: 16n, type: 'object', bind: 'local' },
        { name: 'w', value: 0x2004n, size: 0n, type: 'notype', bind: 'weak' },
        { name: 'tls', value: 8n, size: 4n, type: 'other', bind: 'global' },
      ], name);
    }
  }
});

test('a stripped file has no symbols', () => {
  const img = parseElf(synthElf({ bits: 32, endian: 'big', segments: [{ vaddr: 0n, data: text([0]) }] }), 's.elf');
  assert.deepEqual(img.symbols, []);
  assert.equal(img.segments.length, 1);
});

test('skips section, file, undefined, common and empty-named symbols', () => {
  const img = parseElf(synthElf({
    bits: 64, endian: 'little', segments: [{ vaddr: 0n, data: text([0]) }],
    symbols: [
      { name: '.text', value: 0n, stt: 3, stb: 0 },
      { name: 'a.c', value: 0n, stt: 4, stb: 0, shndx: 0xfff1 },
      { name: 'printf', value: 0n, stt: 2, shndx: 0 },
      { name: 'common', value: 8n, size: 4n, stt: 1, shndx: 0xfff2 },
      { name: '', value: 0x40n, stt: 2 },
      { name: 'abs', value: 0x1234n, stt: 0, shndx: 0xfff1 },
      { name: 'ünïcode', value: 0x10n, stt: 2 },
    ],
  }), 'x.elf');
  assert.deepEqual(img.symbols.map((s) => s.name), ['abs', 'ünïcode']);
});

test('reads the program header count from section 0 when e_phnum is PN_XNUM', () => {
  const img = parseElf(synthElf({
    bits: 32, endian: 'little', phnumInSection0: true,
    segments: [{ vaddr: 0x100n, data: text([1]) }, { vaddr: 0x200n, data: text([2]) }],
  }), 'x.elf');
  assert.deepEqual(img.segments.map((s) => s.vaddr), [0x100n, 0x200n]);
});

test('names machines', () => {
  assert.deepEqual(
    [243, 40, 83, 2, 18, 43, 183, 62, 3, 1234].map(elfMachineName),
    ['RISC-V', 'ARM', 'AVR', 'SPARC', 'SPARC V8+', 'SPARC V9', 'AArch64', 'x86-64', 'x86', 'machine 1234']);
});

test('rejects files that are not ELF', () => {
  for (const b of [text([]), text([0x7f, 0x45, 0x4c]), new TextEncoder().encode('#!/bin/sh\n'), text([0x7f, 0x45, 0x4c, 0x47])]) {
    assert.equal(isElf(b), false);
    throwsUser(() => parseElf(b, 'kernel.elf'), 'kernel.elf: not an ELF file');
  }
});

test('every truncation of both fixtures is a one-line UserError', () => {
  for (const [name, bytes] of [['tiny-rv32.elf', RV32], ['tiny-rv64.elf', RV64]] as const) {
    for (let len = 0; len < bytes.length; len++) {
      const r = parseOrUserError(bytes.subarray(0, len), name);
      assert.ok(r instanceof UserError, `${name} truncated to ${len} bytes parsed`);
    }
  }
});

test('names what a truncation cut off', () => {
  throwsUser(() => parseElf(RV32.subarray(0, 10), 'kernel.elf'),
    'kernel.elf: truncated ELF (identification extends past end of file)');
  throwsUser(() => parseElf(RV32.subarray(0, 40), 'kernel.elf'), 'kernel.elf: truncated ELF (ELF header extends past end of file)');
  // Program headers start at 52 and are 32 bytes each: cut in the middle of header 2.
  throwsUser(() => parseElf(RV32.subarray(0, 52 + 2 * 32 + 5), 'kernel.elf'),
    'kernel.elf: truncated ELF (program header 2 extends past end of file)');
  // The first PT_LOAD (program header 1) has its data at 0xa0.
  throwsUser(() => parseElf(RV32.subarray(0, 0xa0 + 3), 'kernel.elf'),
    'kernel.elf: truncated ELF (program header 1 data extends past end of file)');
  throwsUser(() => parseElf(RV64.subarray(0, RV64.length - 1), 'kernel.elf'),
    'kernel.elf: truncated ELF (section header 7 extends past end of file)');
});

test('corrupting any single byte gives a valid parse or a one-line UserError', () => {
  const synthBE = synthElf({
    bits: 64, endian: 'big', segments: [{ vaddr: 0x1000n, data: text([1, 2, 3]) }],
    symbols: [{ name: 'main', value: 0x1000n, size: 3n }],
  });
  for (const [name, bytes] of [['tiny-rv32.elf', RV32], ['tiny-rv64.elf', RV64], ['synth-be.elf', synthBE]] as const) {
    for (let i = 0; i < bytes.length; i++) {
      for (const x of [0x00, 0xff, 0x7f, 0x80, bytes[i]! ^ 0x01, bytes[i]! ^ 0x10]) {
        const b = bytes.slice();
        b[i] = x;
        parseOrUserError(b, name);
      }
    }
  }
});

test('random multi-byte corruption gives a valid parse or a one-line UserError', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (const bytes of [RV32, RV64]) {
    for (let k = 0; k < 3000; k++) {
      const b = bytes.slice(0, bytes.length - rand(4) * rand(64));
      const n = 1 + rand(8);
      // Aim mostly at the headers (first 0xa0 bytes) and the section header table (the end).
      for (let j = 0; j < n; j++) {
        const i = rand(2) === 0 ? rand(Math.min(0xa0, b.length)) : Math.max(0, b.length - 1 - rand(0x140));
        b[i] = rand(2) === 0 ? rand(256) : [0, 0xff, 0x7f, 0x80][rand(4)]!;
      }
      parseOrUserError(b, 'fuzz.elf');
    }
  }
});

test('rejects inconsistent headers with a specific message', () => {
  const seg = [{ vaddr: 0x1000n, data: text([1, 2, 3, 4]) }];
  const f = 'bad.elf';
  throwsUser(() => parseElf(patch(RV32, (v) => v.setUint8(4, 3)), f), 'bad.elf: malformed ELF (unknown class 3)');
  throwsUser(() => parseElf(patch(RV32, (v) => v.setUint8(5, 0)), f), 'bad.elf: malformed ELF (unknown byte order 0)');
  throwsUser(() => parseElf(patch(RV32, (v) => v.setUint8(6, 2)), f), 'bad.elf: malformed ELF (unknown version 2)');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'little', type: 1, segments: seg }), f),
    'bad.elf: is a relocatable object file (ET_REL), not an executable; link it first');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'little', type: 4, segments: seg }), f),
    'bad.elf: is a core dump (ET_CORE), not an executable');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'little', type: 9, segments: seg }), f),
    'bad.elf: malformed ELF (unknown file type 0x9)');
  throwsUser(() => parseElf(synthElf({ bits: 64, endian: 'big', type: 3, segments: [] }), f), 'bad.elf: no loadable segments');
  throwsUser(() => parseElf(synthElf({ bits: 64, endian: 'big', segments: [{ type: 4, vaddr: 0n, data: text([1]) }] }), f),
    'bad.elf: no loadable segments');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'little', segments: [{ vaddr: 0n, data: text([]), memsz: 0n }] }), f),
    'bad.elf: no loadable segments');
  throwsUser(() => parseElf(patch(RV32, (v) => v.setUint16(at32.phentsize, 16, true)), f),
    'bad.elf: malformed ELF (program header size 16, expected at least 32)');
  throwsUser(() => parseElf(patch(RV32, (v) => v.setUint16(at32.shentsize, 20, true)), f),
    'bad.elf: malformed ELF (section header size 20, expected at least 40)');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'little', segments: [{ vaddr: 0n, data: text([1, 2]), memsz: 1n }] }), f),
    'bad.elf: malformed ELF (program header 0: file size 0x2 exceeds memory size 0x1)');
  throwsUser(() => parseElf(synthElf({ bits: 32, endian: 'big', segments: [{ vaddr: 0xfffffff0n, data: text([1]), memsz: 0x20n }] }), f),
    'bad.elf: malformed ELF (program header 0: segment wraps past the end of the address space)');
  throwsUser(() => parseElf(synthElf({ bits: 64, endian: 'little',
    segments: [{ vaddr: 0x1000n, paddr: 0xfffffffffffffff0n, data: text([1]), memsz: 0x20n }] }), f),
    'bad.elf: malformed ELF (program header 0: segment wraps past the end of the address space)');
  // A segment ending exactly at the top of the address space is fine.
  assert.equal(parseElf(synthElf({ bits: 32, endian: 'big', segments: [{ vaddr: 0xfffffff0n, data: text([1]), memsz: 0x10n }] }), f)
    .segments[0]!.memsz, 0x10n);
  // A huge segment file size (64-bit) is reported as truncation, not a RangeError.
  const huge = synthElf({ bits: 64, endian: 'little', segments: [{ vaddr: 0n, data: text([1]) }] });
  throwsUser(() => parseElf(patch(huge, (v) => {
    v.setBigUint64(64 + 32, 0xffffffffffffff00n, true);
    v.setBigUint64(64 + 40, 0xffffffffffffff00n, true);
  }), f), 'bad.elf: truncated ELF (program header 0 data extends past end of file)');
});

test('rejects a broken symbol table with a specific message', () => {
  const base = { bits: 32 as const, endian: 'little' as const, segments: [{ vaddr: 0n, data: text([1]) }], symbols: [{ name: 'main', value: 0n }] };
  const good = synthElf(base);
  const shoff = new DataView(good.buffer).getUint32(at32.shoff, true);
  const sym = (i: number): number => shoff + i * 40;
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(1) + 24, 7, true)), 'k.elf'),
    'k.elf: malformed ELF (symbol table links to string table section 7, but there are 3 sections)');
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(1) + 24, 1, true)), 'k.elf'),
    "k.elf: malformed ELF (symbol table's string table (section 1) is not a string table)");
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(1) + 36, 8, true)), 'k.elf'),
    'k.elf: malformed ELF (symbol size 8, expected at least 16)');
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(1) + 20, 0x10000, true)), 'k.elf'),
    'k.elf: truncated ELF (symbol table extends past end of file)');
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(2) + 16, 0xfffffff0, true)), 'k.elf'),
    'k.elf: truncated ELF (string table extends past end of file)');
  // String table "\0main\0": shrink it to cut the terminator, then point a name past its end.
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(2) + 20, 5, true)), 'k.elf'),
    'k.elf: malformed ELF (symbol 1 name is not NUL-terminated)');
  throwsUser(() => parseElf(patch(good, (v) => v.setUint32(sym(2) + 20, 1, true)), 'k.elf'),
    'k.elf: malformed ELF (symbol 1 name offset 0x1 is outside the string table)');
  throwsUser(() => parseElf(patch(good, (v) => v.setUint16(at32.shnum, 200, true)), 'k.elf'),
    'k.elf: truncated ELF (section header 199 extends past end of file)');
  // Section headers absent (e_shoff = 0): treated as stripped.
  assert.deepEqual(parseElf(patch(good, (v) => v.setUint32(at32.shoff, 0, true)), 'k.elf').symbols, []);
});

test('checkElfMachine reports machine, class and byte-order mismatches', () => {
  const img = parseElf(RV32, 'kernel.elf');
  const riscv = { machine: [EM.RISCV], name: 'RISC-V' };
  checkElfMachine(img, 'kernel.elf', riscv);
  checkElfMachine(img, 'kernel.elf', { ...riscv, bits: 32, endian: 'little' });
  throwsUser(() => checkElfMachine(img, 'kernel.elf', { ...riscv, bits: 64 }), 'kernel.elf: ELF is 32-bit, expected 64-bit');
  throwsUser(() => checkElfMachine(img, 'kernel.elf', { ...riscv, endian: 'big' }),
    'kernel.elf: ELF is little-endian, expected big-endian');
  const arm = parseElf(synthElf({ bits: 32, endian: 'little', machine: EM.ARM, segments: [{ vaddr: 0n, data: text([1]) }] }), 'kernel.elf');
  throwsUser(() => checkElfMachine(arm, 'kernel.elf', riscv), 'kernel.elf: ELF machine is ARM, expected RISC-V');
  const odd = parseElf(synthElf({ bits: 32, endian: 'little', machine: 4321, segments: [{ vaddr: 0n, data: text([1]) }] }), 'kernel.elf');
  throwsUser(() => checkElfMachine(odd, 'kernel.elf', riscv), 'kernel.elf: ELF machine is machine 4321, expected RISC-V');
  const sparc = { machine: [EM.SPARC, EM.SPARC32PLUS], name: 'SPARC', bits: 32 as const };
  const v8plus = parseElf(synthElf({ bits: 32, endian: 'big', machine: EM.SPARC32PLUS, segments: [{ vaddr: 0n, data: text([1]) }] }), 'k');
  checkElfMachine(v8plus, 'k', sparc);
});
