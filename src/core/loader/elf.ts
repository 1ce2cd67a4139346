/**
 * ELF executable parser: ELF32 and ELF64, little- and big-endian.
 *
 * It extracts what an emulator needs to boot an image: the machine, the entry point, the
 * `PT_LOAD` segments and the `.symtab` symbols. All addresses are exact `bigint`s.
 *
 * Every malformed or truncated input is reported as a one-line {@link UserError} prefixed with
 * the file name (`kernel.elf: truncated ELF (program header 2 extends past end of file)`):
 * every offset and size read from the file is checked before it is used, so no `RangeError`
 * from a `DataView` or typed array can escape.
 *
 * @module
 */
import { UserError } from '../errors.js';

/** ELF machine numbers (`e_machine`) of the architectures tracehook knows by name. */
export const EM = {
  SPARC: 2,
  X86: 3,
  SPARC32PLUS: 18,
  ARM: 40,
  SPARCV9: 43,
  X86_64: 62,
  AVR: 83,
  AARCH64: 183,
  RISCV: 243,
} as const;

/** Segment permission bits (`p_flags`). */
export const PF = { X: 1, W: 2, R: 4 } as const;

const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [EM.SPARC, 'SPARC'],
  [EM.X86, 'x86'],
  [EM.SPARC32PLUS, 'SPARC V8+'],
  [EM.ARM, 'ARM'],
  [EM.SPARCV9, 'SPARC V9'],
  [EM.X86_64, 'x86-64'],
  [EM.AVR, 'AVR'],
  [EM.AARCH64, 'AArch64'],
  [EM.RISCV, 'RISC-V'],
]);

/** Human-readable name of an ELF machine number: `'RISC-V'` for 243, `'machine 1234'` if unknown. */
export function elfMachineName(machine: number): string {
  return MACHINE_NAMES.get(machine) ?? `machine ${machine}`;
}

/** A `PT_LOAD` segment. */
export interface ElfSegment {
  /** Virtual address (`p_vaddr`): where the program expects to run. */
  vaddr: bigint;
  /** Physical (load) address (`p_paddr`). */
  paddr: bigint;
  /** The `p_filesz` bytes from the file (a copy, not a view of the input). */
  data: Uint8Array;
  /** Size in memory (`p_memsz`, at least `data.length`); the rest is zero-filled when loaded. */
  memsz: bigint;
  /** Permissions: OR of {@link PF} bits. */
  flags: number;
}

/** Kind of a symbol, from `STT_*`: functions, data objects, untyped labels, everything else. */
export type ElfSymbolType = 'func' | 'object' | 'notype' | 'other';

/** Symbol binding, from `STB_*` (`STB_GNU_UNIQUE` counts as global). */
export type ElfSymbolBind = 'local' | 'global' | 'weak';

/** A symbol from `.symtab`. */
export interface ElfSymbol {
  name: string;
  /** `st_value`: an address for functions and objects in an executable. */
  value: bigint;
  /** `st_size` in bytes; 0 for labels without a `.size`. */
  size: bigint;
  /** `'other'` covers TLS (value is an offset, not an address), GNU ifunc and anything unknown. */
  type: ElfSymbolType;
  /** Binding; always set by {@link parseElf}, optional so symbols can be written by hand. */
  bind?: ElfSymbolBind;
}

/** What {@link parseElf} extracts from an ELF file. */
export interface ElfImage {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** `e_machine`, see {@link EM}. */
  machine: number;
  /** {@link elfMachineName} of `machine`. */
  machineName: string;
  /** `e_entry` as written in the file (a virtual address). */
  entry: bigint;
  /** `PT_LOAD` segments with a non-zero memory size, in program header order. */
  segments: ElfSegment[];
  /**
   * Symbols from `.symtab` in table order, without section and file symbols, undefined and
   * common symbols, and symbols with empty names. Empty for a stripped file.
   */
  symbols: ElfSymbol[];
}

/** What a machine accepts, for {@link checkElfMachine}. */
export interface ElfExpectation {
  /** Accepted `e_machine` values, e.g. `[EM.SPARC, EM.SPARC32PLUS]`. */
  machine: number[];
  /** Name used in the error message (`expected RISC-V`). */
  name: string;
  /** Required ELF class, if the machine cares. */
  bits?: 32 | 64;
  /** Required byte order, if the machine cares. */
  endian?: 'little' | 'big';
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHN_UNDEF = 0;
const SHN_COMMON = 0xfff2;
const PN_XNUM = 0xffff;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
const STB_LOCAL = 0, STB_WEAK = 2;

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** Field layout of the two ELF classes. */
interface Layout {
  ehsize: number;
  phsize: number;
  shsize: number;
  symsize: number;
}
const LAYOUT32: Layout = { ehsize: 52, phsize: 32, shsize: 40, symsize: 16 };
const LAYOUT64: Layout = { ehsize: 64, phsize: 56, shsize: 64, symsize: 24 };

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: bigint;
}

/** Bounds-checked big/little-endian reader over the file, producing prefixed UserErrors. */
class Reader {
  private readonly view: DataView;
  readonly len: number;
  readonly le: boolean;
  readonly is64: boolean;

  constructor(readonly bytes: Uint8Array, readonly fileName: string, le: boolean, is64: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = bytes.length;
    this.le = le;
    this.is64 = is64;
  }

  fail(message: string): never {
    throw new UserError(`${this.fileName}: ${message}`);
  }

  truncated(what: string): never {
    this.fail(`truncated ELF (${what} extends past end of file)`);
  }

  malformed(what: string): never {
    this.fail(`malformed ELF (${what})`);
  }

  /** Check that `size` bytes at `offset` (bigint or number) are in the file; returns the offset. */
  range(offset: bigint | number, size: bigint | number, what: string): number {
    const end = BigInt(offset) + BigInt(size);
    if (end > BigInt(this.len)) this.truncated(what);
    return Number(offset);
  }

  // The accessors below assume their range has been checked with `range`.
  u8(off: number): number { return this.view.getUint8(off); }
  u16(off: number): number { return this.view.getUint16(off, this.le); }
  u32(off: number): number { return this.view.getUint32(off, this.le); }
  u64(off: number): bigint { return this.view.getBigUint64(off, this.le); }
  /** A class-sized word (`Elf32_Addr`/`Elf64_Addr`, `Off`, `Xword`). */
  word(off: number): bigint { return this.is64 ? this.u64(off) : BigInt(this.u32(off)); }
}

/** True if `bytes` starts with the ELF magic `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Parse an ELF executable.
 *
 * Accepts `ET_EXEC` and `ET_DYN` files of either class and byte order. Relocatable objects,
 * core dumps and files without a loadable segment are rejected.
 *
 * @param bytes The whole file.
 * @param fileName Prefix for error messages (normally the path the user gave).
 * @throws {UserError} for anything that is not a well-formed ELF executable.
 */
export function parseElf(bytes: Uint8Array, fileName: string): ElfImage {
  if (!isElf(bytes)) throw new UserError(`${fileName}: not an ELF file`);
  if (bytes.length < 16) throw new UserError(`${fileName}: truncated ELF (identification extends past end of file)`);
  const cls = bytes[4]!, data = bytes[5]!, version = bytes[6]!;
  if (cls !== 1 && cls !== 2) throw new UserError(`${fileName}: malformed ELF (unknown class ${cls})`);
  if (data !== 1 && data !== 2) throw new UserError(`${fileName}: malformed ELF (unknown byte order ${data})`);
  if (version !== 1) throw new UserError(`${fileName}: malformed ELF (unknown version ${version})`);
  const is64 = cls === 2;
  const r = new Reader(bytes, fileName, data === 1, is64);
  const L = is64 ? LAYOUT64 : LAYOUT32;
  r.range(0, L.ehsize, 'ELF header');

  const type = r.u16(16);
  if (type === 1) r.fail('is a relocatable object file (ET_REL), not an executable; link it first');
  if (type === 4) r.fail('is a core dump (ET_CORE), not an executable');
  if (type !== 2 && type !== 3) r.malformed(`unknown file type ${hex(type)}`);

  const machine = r.u16(18);
  const entry = r.word(24);
  const w = is64 ? 8 : 4;
  const phoff = r.word(24 + w);
  const shoff = r.word(24 + 2 * w);
  const phentsize = r.u16(24 + 3 * w + 6);
  let phnum = r.u16(24 + 3 * w + 8);
  const shentsize = r.u16(24 + 3 * w + 10);
  let shnum = r.u16(24 + 3 * w + 12);

  // Section 0 holds the real counts when they overflow the 16-bit header fields.
  if (shoff !== 0n && (shnum === 0 || phnum === PN_XNUM)) {
    checkEntSize(r, shentsize, L.shsize, 'section header');
    const section0 = readSection(r, shoff, shentsize, 0);
    if (shnum === 0) shnum = section0.size;
    if (phnum === PN_XNUM) phnum = section0.info;
  }

  const segments = readSegments(r, phoff, phentsize, phnum, L);
  if (segments.length === 0) r.fail('no loadable segments');

  const symbols = shoff === 0n || shnum === 0 ? [] : readSymbols(r, shoff, shentsize, shnum, L);

  return {
    bits: is64 ? 64 : 32,
    endian: r.le ? 'little' : 'big',
    machine,
    machineName: elfMachineName(machine),
    entry,
    segments,
    symbols,
  };
}

function checkEntSize(r: Reader, size: number, min: number, what: string): void {
  if (size < min) r.malformed(`${what} size ${size}, expected at least ${min}`);
}

function readSegments(r: Reader, phoff: bigint, phentsize: number, phnum: number, L: Layout): ElfSegment[] {
  const segments: ElfSegment[] = [];
  if (phnum === 0) return segments;
  checkEntSize(r, phentsize, L.phsize, 'program header');
  // Check the whole table before any segment data, so truncation names the first missing header.
  for (let i = 0; i < phnum; i++) r.range(phoff + BigInt(i * phentsize), L.phsize, `program header ${i}`);
  const top = r.is64 ? 1n << 64n : 1n << 32n;
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * phentsize;
    if (r.u32(at) !== PT_LOAD) continue;
    let offset: bigint, vaddr: bigint, paddr: bigint, filesz: bigint, memsz: bigint, flags: number;
    if (r.is64) {
      flags = r.u32(at + 4);
      offset = r.u64(at + 8);
      vaddr = r.u64(at + 16);
      paddr = r.u64(at + 24);
      filesz = r.u64(at + 32);
      memsz = r.u64(at + 40);
    } else {
      offset = BigInt(r.u32(at + 4));
      vaddr = BigInt(r.u32(at + 8));
      paddr = BigInt(r.u32(at + 12));
      filesz = BigInt(r.u32(at + 16));
      memsz = BigInt(r.u32(at + 20));
      flags = r.u32(at + 24);
    }
    if (filesz > memsz) {
      r.malformed(`program header ${i}: file size ${hex(filesz)} exceeds memory size ${hex(memsz)}`);
    }
    if (memsz === 0n) continue;
    if (vaddr + memsz > top || paddr + memsz > top) {
      r.malformed(`program header ${i}: segment wraps past the end of the address space`);
    }
    const start = r.range(offset, filesz, `program header ${i} data`);
    segments.push({ vaddr, paddr, data: r.bytes.slice(start, start + Number(filesz)), memsz, flags });
  }
  return segments;
}

function readSection(r: Reader, shoff: bigint, shentsize: number, i: number): Section {
  const at = r.range(shoff + BigInt(i) * BigInt(shentsize), r.is64 ? LAYOUT64.shsize : LAYOUT32.shsize,
    `section header ${i}`);
  // Offsets and sizes beyond the file are only an error for the sections we read, so they are
  // clamped here (to a value that fails `range`) rather than checked.
  const clamp = (v: bigint): number => (v > BigInt(r.len) ? r.len + 1 : Number(v));
  if (r.is64) {
    return {
      type: r.u32(at + 4), offset: clamp(r.u64(at + 24)), size: clamp(r.u64(at + 32)),
      link: r.u32(at + 40), info: r.u32(at + 44), entsize: r.u64(at + 56),
    };
  }
  return {
    type: r.u32(at + 4), offset: r.u32(at + 16), size: r.u32(at + 20),
    link: r.u32(at + 24), info: r.u32(at + 28), entsize: BigInt(r.u32(at + 36)),
  };
}

function readSymbols(r: Reader, shoff: bigint, shentsize: number, shnum: number, L: Layout): ElfSymbol[] {
  checkEntSize(r, shentsize, L.shsize, 'section header');
  // The whole table must be present, even though only .symtab and its strings are used.
  r.range(shoff, BigInt(shnum) * BigInt(shentsize), `section header ${shnum - 1}`);
  let symtab: Section | undefined;
  for (let i = 1; i < shnum && symtab === undefined; i++) {
    const s = readSection(r, shoff, shentsize, i);
    if (s.type === SHT_SYMTAB) symtab = s;
  }
  if (symtab === undefined) return [];
  if (symtab.link === SHN_UNDEF || symtab.link >= shnum) {
    r.malformed(`symbol table links to string table section ${symtab.link}, but there are ${shnum} sections`);
  }
  const strtab = readSection(r, shoff, shentsize, symtab.link);
  if (strtab.type !== SHT_STRTAB) r.malformed(`symbol table's string table (section ${symtab.link}) is not a string table`);
  if (symtab.entsize < BigInt(L.symsize)) r.malformed(`symbol size ${symtab.entsize}, expected at least ${L.symsize}`);
  const symBase = r.range(symtab.offset, symtab.size, 'symbol table');
  const strBase = r.range(strtab.offset, strtab.size, 'string table');
  const strings = r.bytes.subarray(strBase, strBase + strtab.size);
  const entsize = Number(symtab.entsize);
  const count = Math.floor(symtab.size / entsize);

  const symbols: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = symBase + i * entsize;
    const nameOff = r.u32(at);
    let info: number, shndx: number, value: bigint, size: bigint;
    if (r.is64) {
      info = r.u8(at + 4);
      shndx = r.u16(at + 6);
      value = r.u64(at + 8);
      size = r.u64(at + 16);
    } else {
      value = BigInt(r.u32(at + 4));
      size = BigInt(r.u32(at + 8));
      info = r.u8(at + 12);
      shndx = r.u16(at + 14);
    }
    const stt = info & 0xf, stb = info >> 4;
    if (stt === STT_SECTION || stt === STT_FILE || shndx === SHN_UNDEF || shndx === SHN_COMMON) continue;
    if (nameOff === 0) continue;
    const name = readString(r, strings, nameOff, i);
    if (name === '') continue;
    symbols.push({
      name,
      value,
      size,
      type: stt === STT_FUNC ? 'func' : stt === STT_OBJECT ? 'object' : stt === STT_NOTYPE ? 'notype' : 'other',
      bind: stb === STB_LOCAL ? 'local' : stb === STB_WEAK ? 'weak' : 'global',
    });
  }
  return symbols;
}

const utf8 = new TextDecoder('utf-8');

function readString(r: Reader, strings: Uint8Array, off: number, sym: number): string {
  if (off >= strings.length) r.malformed(`symbol ${sym} name offset ${hex(off)} is outside the string table`);
  let end = off, ascii = true;
  while (end < strings.length && strings[end] !== 0) {
    if (strings[end]! >= 0x80) ascii = false;
    end++;
  }
  if (end === strings.length) r.malformed(`symbol ${sym} name is not NUL-terminated`);
  const s = strings.subarray(off, end);
  return ascii && s.length <= 1024 ? String.fromCharCode(...s) : utf8.decode(s);
}

/**
 * Check that an ELF image suits the machine it is about to be loaded into.
 *
 * @throws {UserError} `kernel.elf: ELF machine is ARM, expected RISC-V`,
 *   `kernel.elf: ELF is 32-bit, expected 64-bit` or `kernel.elf: ELF is big-endian, expected little-endian`.
 */
export function checkElfMachine(img: ElfImage, fileName: string, expected: ElfExpectation): void {
  if (!expected.machine.includes(img.machine)) {
    throw new UserError(`${fileName}: ELF machine is ${img.machineName}, expected ${expected.name}`);
  }
  if (expected.bits !== undefined && img.bits !== expected.bits) {
    throw new UserError(`${fileName}: ELF is ${img.bits}-bit, expected ${expected.bits}-bit`);
  }
  if (expected.endian !== undefined && img.endian !== expected.endian) {
    throw new UserError(`${fileName}: ELF is ${img.endian}-endian, expected ${expected.endian}-endian`);
  }
}
