/**
 * The program image the trace decoder walks: the loadable segments of a RISC-V ELF, with
 * classified instructions cached by address.
 */
import { EM, parseElf } from '../../core/loader/index.js';
import { classify16, classify32, type Instr } from './classify.js';

/** A PC outside the image, or a non-RISC-V file. */
export class ImageError extends Error {
  override name = 'ImageError';
}

interface Segment {
  start: bigint;
  end: bigint;
  data: Uint8Array;
}

/** Read-only instruction memory for the decoder. */
export class ProgramImage {
  private readonly cache = new Map<bigint, Instr>();

  constructor(
    private readonly segments: readonly Segment[],
    /** 32 for RV32, 64 for RV64 (decides c.jal vs c.addiw). */
    readonly xlen: 32 | 64,
    /** Entry point. */
    readonly entry: bigint,
  ) {}

  /** Build from the bytes of a RISC-V ELF file (`name` is used in error messages). */
  static fromElf(bytes: Uint8Array, name: string): ProgramImage {
    const elf = parseElf(bytes, name);
    if (elf.machine !== EM.RISCV) throw new ImageError(`${name}: not a RISC-V ELF (${elf.machineName})`);
    const segs = elf.segments.map((s) => ({ start: s.vaddr, end: s.vaddr + BigInt(s.data.length), data: s.data }));
    return new ProgramImage(segs, elf.bits, elf.entry);
  }

  private halfword(pc: bigint): number | undefined {
    for (const s of this.segments) {
      if (pc >= s.start && pc + 2n <= s.end) {
        const o = Number(pc - s.start);
        return s.data[o]! | (s.data[o + 1]! << 8);
      }
    }
    return undefined;
  }

  /** The classified instruction at `pc`; throws ImageError if it is not in the image. */
  instrAt(pc: bigint): Instr {
    const hit = this.cache.get(pc);
    if (hit) return hit;
    const lo = this.halfword(pc);
    if (lo === undefined) throw new ImageError(`PC 0x${pc.toString(16)} is not in the program image`);
    let instr: Instr;
    if ((lo & 3) !== 3) {
      instr = classify16(lo, this.xlen);
    } else {
      const hi = this.halfword(pc + 2n);
      if (hi === undefined) throw new ImageError(`PC 0x${pc.toString(16)}: 32-bit instruction runs past the program image`);
      instr = classify32((lo | (hi << 16)) >>> 0);
    }
    this.cache.set(pc, instr);
    return instr;
  }
}
