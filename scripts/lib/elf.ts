/**
 * Minimal ELF reader for the comparison script: enough to read the instruction word at a guest
 * address of a statically linked, little-endian RISC-V image (ELFCLASS32 or ELFCLASS64).
 */
import { readFileSync } from 'node:fs';

interface Segment {
  vaddr: bigint;
  paddr: bigint;
  offset: number;
  filesz: number;
}

export class ElfImage {
  private readonly data: Buffer;
  private readonly segments: Segment[] = [];

  constructor(path: string) {
    this.data = readFileSync(path);
    const d = this.data;
    if (d.length < 52 || d.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
    const is64 = d[4] === 2;
    if (d[5] !== 1) throw new Error(`${path}: not little-endian`);
    const phoff = is64 ? Number(d.readBigUInt64LE(0x20)) : d.readUInt32LE(0x1c);
    const phentsize = d.readUInt16LE(is64 ? 0x36 : 0x2a);
    const phnum = d.readUInt16LE(is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (d.readUInt32LE(p) !== 1 /* PT_LOAD */) continue;
      if (is64) {
        this.segments.push({
          offset: Number(d.readBigUInt64LE(p + 0x08)),
          vaddr: d.readBigUInt64LE(p + 0x10),
          paddr: d.readBigUInt64LE(p + 0x18),
          filesz: Number(d.readBigUInt64LE(p + 0x20)),
        });
      } else {
        this.segments.push({
          offset: d.readUInt32LE(p + 0x04),
          vaddr: BigInt(d.readUInt32LE(p + 0x08)),
          paddr: BigInt(d.readUInt32LE(p + 0x0c)),
          filesz: d.readUInt32LE(p + 0x10),
        });
      }
    }
  }

  /** The 16-bit halfword at guest address `addr` (virtual = physical on these bare-metal images), or undefined. */
  read16(addr: bigint): number | undefined {
    for (const s of this.segments) {
      for (const base of [s.vaddr, s.paddr]) {
        if (addr >= base && addr + 2n <= base + BigInt(s.filesz)) {
          return this.data.readUInt16LE(s.offset + Number(addr - base));
        }
      }
    }
    return undefined;
  }

  /** The instruction at `addr`: 16 bits for a compressed one, 32 bits otherwise; undefined if not in the image. */
  insnAt(addr: bigint): { bits: number; size: 2 | 4 } | undefined {
    const lo = this.read16(addr);
    if (lo === undefined) return undefined;
    if ((lo & 3) !== 3) return { bits: lo, size: 2 };
    const hi = this.read16(addr + 2n);
    if (hi === undefined) return undefined;
    return { bits: (lo | (hi << 16)) >>> 0, size: 4 };
  }
}

/** True if `bits` encodes an A-extension AMO (AMOSWAP/ADD/XOR/AND/OR/MIN/MAX/MINU/MAXU .W/.D; not LR, not SC). */
export function isAmo(bits: number): boolean {
  if ((bits & 0x7f) !== 0x2f) return false;
  const funct3 = (bits >>> 12) & 7;
  if (funct3 !== 2 && funct3 !== 3) return false; // .w / .d
  const funct5 = bits >>> 27;
  return funct5 !== 0b00010 && funct5 !== 0b00011; // LR, SC
}
