/**
 * A small RISC-V instruction classifier for the trace decoder: instruction length and the
 * control-flow facts E-Trace needs (branches and their targets, jal targets, jalr/c.jr/c.jalr
 * registers, xRET, ecall/ebreak), for RV32 and RV64 with the C extension.
 */

/** Control-flow class of an instruction. */
export type InstrKind =
  | 'other'
  | 'branch' // B-type, c.beqz, c.bnez: `imm` is the taken offset
  | 'jal' // jal, c.j, c.jal: `imm` is the offset
  | 'jalr' // jalr, c.jr, c.jalr: `rd`, `rs1`
  | 'xret' // mret, sret, uret, dret
  | 'ecall'
  | 'ebreak'; // ebreak, c.ebreak

/** A classified instruction. */
export interface Instr {
  kind: InstrKind;
  /** 2 or 4 bytes. */
  size: number;
  /** Offset for branches and jal (bytes, signed). */
  imm: number;
  rd: number;
  rs1: number;
  /** Mnemonic-ish name, for messages. */
  name: string;
}

function sext(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}
const bit = (v: number, i: number): number => (v >>> i) & 1;
const bits = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

function make(kind: InstrKind, size: number, name: string, imm = 0, rd = 0, rs1 = 0): Instr {
  return { kind, size, imm, rd, rs1, name };
}

/** Classify a 16-bit compressed instruction. `xlen` decides c.jal (RV32) vs c.addiw (RV64). */
export function classify16(h: number, xlen: 32 | 64): Instr {
  const op = h & 3, f3 = bits(h, 15, 13);
  if (op === 1) {
    if (f3 === 5 || (f3 === 1 && xlen === 32)) {
      const imm = sext(
        (bit(h, 12) << 11) | (bit(h, 11) << 4) | (bits(h, 10, 9) << 8) | (bit(h, 8) << 10) |
          (bit(h, 7) << 6) | (bit(h, 6) << 7) | (bits(h, 5, 3) << 1) | (bit(h, 2) << 5),
        12,
      );
      return f3 === 5 ? make('jal', 2, 'c.j', imm, 0) : make('jal', 2, 'c.jal', imm, 1);
    }
    if (f3 === 6 || f3 === 7) {
      const imm = sext((bit(h, 12) << 8) | (bits(h, 11, 10) << 3) | (bits(h, 6, 5) << 6) | (bits(h, 4, 3) << 1) | (bit(h, 2) << 5), 9);
      return make('branch', 2, f3 === 6 ? 'c.beqz' : 'c.bnez', imm);
    }
  } else if (op === 2 && f3 === 4) {
    const rs1 = bits(h, 11, 7), rs2 = bits(h, 6, 2);
    if (rs2 === 0) {
      if (bit(h, 12) === 0 && rs1 !== 0) return make('jalr', 2, 'c.jr', 0, 0, rs1);
      if (bit(h, 12) === 1 && rs1 === 0) return make('ebreak', 2, 'c.ebreak');
      if (bit(h, 12) === 1) return make('jalr', 2, 'c.jalr', 0, 1, rs1);
    }
  }
  return make('other', 2, 'c.other');
}

/** Classify a 32-bit instruction. */
export function classify32(w: number): Instr {
  const opcode = w & 0x7f, rd = bits(w, 11, 7), rs1 = bits(w, 19, 15);
  switch (opcode) {
    case 0x6f: {
      const imm = sext((bit(w, 31) << 20) | (bits(w, 19, 12) << 12) | (bit(w, 20) << 11) | (bits(w, 30, 21) << 1), 21);
      return make('jal', 4, 'jal', imm, rd);
    }
    case 0x67:
      if (bits(w, 14, 12) === 0) return make('jalr', 4, 'jalr', sext(w >>> 20, 12), rd, rs1);
      break;
    case 0x63: {
      const imm = sext((bit(w, 31) << 12) | (bit(w, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1), 13);
      return make('branch', 4, 'branch', imm);
    }
    case 0x73:
      switch (w >>> 0) {
        case 0x00000073: return make('ecall', 4, 'ecall');
        case 0x00100073: return make('ebreak', 4, 'ebreak');
        case 0x30200073: return make('xret', 4, 'mret');
        case 0x10200073: return make('xret', 4, 'sret');
        case 0x00200073: return make('xret', 4, 'uret');
        case 0x7b200073: return make('xret', 4, 'dret');
      }
      break;
  }
  return make('other', 4, 'other');
}

/** True for calls (push a return address): jal/jalr linking x1 or x5, c.jal, c.jalr (not x5). */
export function isCall(i: Instr): boolean {
  if (i.kind === 'jal') return i.rd === 1 || i.rd === 5;
  if (i.kind !== 'jalr') return false;
  if (i.name === 'c.jalr') return i.rs1 !== 5;
  return (i.rd === 1 && i.rs1 !== 5) || (i.rd === 5 && i.rs1 !== 1);
}

/** True for returns: jalr/c.jr through x1 or x5 without linking x1/x5. */
export function isReturn(i: Instr): boolean {
  if (i.kind !== 'jalr') return false;
  return (i.rs1 === 1 || i.rs1 === 5) && i.rd !== 1 && i.rd !== 5;
}

/** True for uninferable discontinuities: jalr with rs1 != 0, c.jr, c.jalr, xRET, ecall, ebreak. */
export function isUninferable(i: Instr): boolean {
  return (i.kind === 'jalr' && i.rs1 !== 0) || i.kind === 'xret' || i.kind === 'ecall' || i.kind === 'ebreak';
}

/** An inferable jump: jal, c.j, c.jal, or jalr with rs1 = x0 (target = imm). */
export function isInferableJump(i: Instr): boolean {
  return i.kind === 'jal' || (i.kind === 'jalr' && i.rs1 === 0);
}

/**
 * The ingress itype of a retired instruction that did not trap (ecall/ebreak rows are itype 1
 * with the trap's cause; see ingress.ts), for itype width 3 or 4. `taken` matters for branches.
 * xRET is 6 (width 3) / 14 (width 4) as the reference flow's rows have it.
 */
export function itypeForInstr(i: Instr, width: 3 | 4, taken = false): number {
  if (i.kind === 'branch') return taken ? 5 : 4;
  if (i.kind === 'xret') return width === 3 ? 6 : 14;
  const link = (r: number): boolean => r === 1 || r === 5;
  if (isInferableJump(i)) {
    if (width === 3) return 0;
    return link(i.rd) ? 9 : i.rd === 0 ? 11 : 15;
  }
  if (i.kind !== 'jalr') return 0;
  if (width === 3) return 6;
  if (i.rd === 0) return link(i.rs1) ? 13 : 10;
  if (link(i.rd)) return link(i.rs1) && i.rs1 !== i.rd ? 12 : 8;
  return link(i.rs1) ? 13 : 14;
}
