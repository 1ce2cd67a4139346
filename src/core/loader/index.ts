/**
 * Image loading: detect the format of a file (ELF, Intel HEX or raw binary), turn it into
 * segments with physical load addresses, and copy those into guest memory.
 *
 * ```ts
 * const img = loadImage('kernel.elf', { expect: { machine: [EM.RISCV], name: 'RISC-V', bits: 64 } });
 * placeImage(bus, img, 'kernel.elf');
 * cpu.pc = img.entry ?? 0x80000000n;
 * ```
 *
 * @module
 */
import type { Bus } from '../bus.js';
import { UserError } from '../errors.js';
import { EM, PF, checkElfMachine, isElf, parseElf, type ElfExpectation, type ElfImage } from './elf.js';
import { loadFile } from './file.js';
import { looksLikeIntelHex, parseIntelHex } from './ihex.js';
import { rawImage } from './raw.js';
import { SymbolTable } from './symbols.js';

export { EM, PF, checkElfMachine, elfMachineName, isElf, parseElf } from './elf.js';
export type { ElfExpectation, ElfImage, ElfSegment, ElfSymbol, ElfSymbolBind, ElfSymbolType } from './elf.js';
export { loadFile } from './file.js';
export { looksLikeIntelHex, parseIntelHex, type HexImage, type HexSegment } from './ihex.js';
export { rawImage, type RawImage } from './raw.js';
export { SymbolTable, isLocalLabel, type SymbolEntry, type SymbolTableOptions } from './symbols.js';

/** A piece of an image, at its physical load address. */
export interface LoadedSegment {
  addr: bigint;
  /** Bytes to copy to `addr`. */
  data: Uint8Array;
  /** Size in memory, at least `data.length`: the rest is zero-filled. */
  memsz: bigint;
}

/** An image ready to be placed in guest memory. */
export interface LoadedImage {
  format: 'elf' | 'ihex' | 'raw';
  /**
   * Where to start: the ELF entry point (translated to a physical address, as QEMU does, when it
   * lies in an executable segment whose vaddr and paddr differ), the Intel HEX start address,
   * or a raw image's load address. Undefined for a HEX file without a start record.
   */
  entry: bigint | undefined;
  /** Segments in file order; ELF segments are at their `paddr`. */
  segments: LoadedSegment[];
  /** The ELF symbols (virtual addresses), or an empty table. */
  symbols: SymbolTable;
  /** The parsed ELF, for ELF images. */
  elf?: ElfImage;
}

/** Options for {@link loadImage}. */
export interface LoadImageOptions {
  /** For ELF files: the machine, class and byte order the image must have. Not checked for other formats. */
  expect?: ElfExpectation;
  /** Load address of a raw binary (required for raw binaries, ignored otherwise). */
  loadAddr?: number;
}

/**
 * Read an image file and detect its format: ELF by its magic number; Intel HEX by a `.hex` or
 * `.ihex` extension or a first line that is a valid HEX record; otherwise a raw binary, which
 * needs `opts.loadAddr`.
 *
 * @throws {UserError} for unreadable files, empty files, malformed images, a machine mismatch
 *   and raw binaries without a load address; messages start with `path: `.
 */
export function loadImage(path: string, opts: LoadImageOptions = {}): LoadedImage {
  return parseImage(loadFile(path), path, opts);
}

/** {@link loadImage} for bytes already in memory; `fileName` is used for detection and messages. */
export function parseImage(bytes: Uint8Array, fileName: string, opts: LoadImageOptions = {}): LoadedImage {
  if (bytes.length === 0) throw new UserError(`${fileName}: file is empty`);
  if (isElf(bytes)) return fromElf(bytes, fileName, opts.expect);

  const hexByName = /\.i?hex$/i.test(fileName);
  if (hexByName || looksLikeIntelHex(latin1(bytes.subarray(0, 1024)))) {
    const hex = parseIntelHex(latin1(bytes), fileName);
    return {
      format: 'ihex',
      entry: hex.entry === undefined ? undefined : BigInt(hex.entry),
      segments: hex.segments.map((s) => ({ addr: BigInt(s.addr), data: s.data, memsz: BigInt(s.data.length) })),
      symbols: SymbolTable.empty,
    };
  }

  if (opts.loadAddr === undefined) {
    throw new UserError(`${fileName}: not an ELF or Intel HEX file, and no load address was given for a raw binary`);
  }
  const raw = rawImage(bytes, opts.loadAddr);
  const seg = raw.segments[0];
  return {
    format: 'raw',
    entry: BigInt(seg.addr),
    segments: [{ addr: BigInt(seg.addr), data: seg.data, memsz: BigInt(seg.data.length) }],
    symbols: SymbolTable.empty,
  };
}

/** Bytes to a string one char per byte (HEX files are ASCII; anything else fails to parse anyway). */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return s;
}

function fromElf(bytes: Uint8Array, fileName: string, expect: ElfExpectation | undefined): LoadedImage {
  const elf = parseElf(bytes, fileName);
  if (expect !== undefined) checkElfMachine(elf, fileName, expect);
  let entry = elf.entry;
  for (const s of elf.segments) {
    if ((s.flags & PF.X) !== 0 && s.vaddr !== s.paddr &&
        elf.entry >= s.vaddr && elf.entry < s.vaddr + BigInt(s.data.length)) {
      entry = elf.entry - s.vaddr + s.paddr;
      break;
    }
  }
  return {
    format: 'elf',
    entry,
    segments: elf.segments.map((s) => ({ addr: s.paddr, data: s.data, memsz: s.memsz })),
    symbols: new SymbolTable(elf.symbols, { clearThumbBit: elf.machine === EM.ARM }),
    elf,
  };
}

/** Largest zero-fill chunk handed to `Bus.load`. */
const ZERO_CHUNK = 1 << 16;

/**
 * Copy an image's segments into guest memory through {@link Bus.load} (which may write ROM),
 * zero-filling each segment from its data's end to `memsz`.
 *
 * @throws {UserError} `kernel.elf: segment at 0x80000000 (0x1000 bytes) does not fit in guest memory`
 *   when a segment is not entirely within RAM or ROM.
 */
export function placeImage(bus: Bus, img: LoadedImage, fileName: string): void {
  for (const seg of img.segments) {
    const doesNotFit = (): UserError => new UserError(
      `${fileName}: segment at 0x${seg.addr.toString(16)} (0x${seg.memsz.toString(16)} bytes) does not fit in guest memory`);
    if (seg.addr + seg.memsz > BigInt(Number.MAX_SAFE_INTEGER)) throw doesNotFit();
    const addr = Number(seg.addr), memsz = Number(seg.memsz);
    try {
      bus.load(addr, seg.data);
      let off = seg.data.length;
      if (off < memsz) {
        const zeros = new Uint8Array(Math.min(ZERO_CHUNK, memsz - off));
        for (; off < memsz; off += zeros.length) {
          bus.load(addr + off, memsz - off >= zeros.length ? zeros : zeros.subarray(0, memsz - off));
        }
      }
    } catch (e) {
      if (e instanceof RangeError) throw doesNotFit();
      throw e;
    }
  }
}
