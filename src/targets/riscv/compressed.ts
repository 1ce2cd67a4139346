/**
 * RVC: expansion of 16-bit compressed instructions to their 32-bit equivalents.
 *
 * Legality follows QEMU 7.2 (target/riscv/insn16.decode and the trans_*
 * functions it calls) for RV32C/RV64C with F and D:
 *  - illegal: the all-zero halfword and every C.ADDI4SPN with nzuimm=0;
 *    C.ADDI16SP and C.LUI with a zero immediate (any rd); C.LWSP with rd=0;
 *    C.LDSP with rd=0 (RV64); C.JR with rs1=0; C.ADDIW with rd=0 (RV64);
 *    C.SLLI/C.SRLI/C.SRAI with shamt[5]=1 on RV32; C.SUBW/C.ADDW on RV32;
 *    the reserved quadrant-0 funct3=100 and quadrant-1 `100 1 11 xxx 1x` slots;
 *  - legal HINTs (executed as their 32-bit forms, which write x0 or do nothing):
 *    C.NOP with imm≠0, C.ADDI with rd=0 or imm=0, C.LI/C.LUI/C.MV/C.ADD/C.SLLI
 *    with rd=0, shifts with shamt=0, C.FLWSP (RV32) with any rd.
 *
 * C.MV expands to `add rd, x0, rs2` as in the ISA manual (QEMU uses
 * `addi rd, rs2, 0`; the effect is identical).
 */

const OP_LOAD = 0x03;
const OP_LOAD_FP = 0x07;
const OP_IMM = 0x13;
const OP_IMM_32 = 0x1b;
const OP_STORE = 0x23;
const OP_STORE_FP = 0x27;
const OP = 0x33;
const OP_LUI = 0x37;
const OP_32 = 0x3b;
const OP_BRANCH = 0x63;
const OP_JALR = 0x67;
const OP_JAL = 0x6f;
const OP_SYSTEM = 0x73;

const SP = 2;
const RA = 1;

/** True if `half` (the low 16 bits of an instruction) starts a 16-bit instruction. */
export function isCompressed(half: number): boolean {
  return (half & 3) !== 3;
}

function iType(op: number, rd: number, f3: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

function sType(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
}

function rType(op: number, f7: number, rd: number, f3: number, rs1: number, rs2: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

function bType(f3: number, rs1: number, rs2: number, imm: number): number {
  return (
    ((((imm >> 12) & 1) << 31) |
      (((imm >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (f3 << 12) |
      (((imm >> 1) & 0xf) << 8) |
      (((imm >> 11) & 1) << 7) |
      OP_BRANCH) >>>
    0
  );
}

function jal(rd: number, imm: number): number {
  return (
    ((((imm >> 20) & 1) << 31) |
      (((imm >> 1) & 0x3ff) << 21) |
      (((imm >> 11) & 1) << 20) |
      (((imm >> 12) & 0xff) << 12) |
      (rd << 7) |
      OP_JAL) >>>
    0
  );
}

// --- Compressed-field extractors (h = the 16-bit instruction) ---

/** rd / rs1 of the CR/CI formats (bits 11:7). */
function cRd(h: number): number {
  return (h >>> 7) & 31;
}
/** rs2 of the CR/CSS formats (bits 6:2). */
function cRs2(h: number): number {
  return (h >>> 2) & 31;
}
/** rs1' / rd' (bits 9:7) of the CL/CS/CB/CA formats, as x8..x15. */
function cRs1p(h: number): number {
  return 8 + ((h >>> 7) & 7);
}
/** rs2' / rd' (bits 4:2) of the CIW/CL/CS/CA formats, as x8..x15. */
function cRs2p(h: number): number {
  return 8 + ((h >>> 2) & 7);
}
/** CI-format 6-bit immediate, sign-extended: imm[5] = bit 12, imm[4:0] = bits 6:2. */
export function cImm6(h: number): number {
  return ((((h >>> 12) & 1) << 5) | ((h >>> 2) & 31)) << 26 >> 26;
}
/** CI-format 6-bit immediate, zero-extended (shift amounts). */
export function cUimm6(h: number): number {
  return (((h >>> 12) & 1) << 5) | ((h >>> 2) & 31);
}
/** C.ADDI4SPN: nzuimm[5:4|9:6|2|3] in bits 12:5. */
export function cAddi4spnImm(h: number): number {
  return (
    (((h >>> 11) & 3) << 4) | (((h >>> 7) & 0xf) << 6) | (((h >>> 6) & 1) << 2) | (((h >>> 5) & 1) << 3)
  );
}
/** C.ADDI16SP: nzimm[9|4|6|8:7|5], sign-extended. */
export function cAddi16spImm(h: number): number {
  const v =
    (((h >>> 12) & 1) << 9) |
    (((h >>> 6) & 1) << 4) |
    (((h >>> 5) & 1) << 6) |
    (((h >>> 3) & 3) << 7) |
    (((h >>> 2) & 1) << 5);
  return (v << 22) >> 22;
}
/** C.LW / C.SW / C.FLW / C.FSW offset: uimm[5:3] = bits 12:10, uimm[2] = bit 6, uimm[6] = bit 5. */
export function cLwImm(h: number): number {
  return (((h >>> 10) & 7) << 3) | (((h >>> 6) & 1) << 2) | (((h >>> 5) & 1) << 6);
}
/** C.LD / C.SD / C.FLD / C.FSD offset: uimm[5:3] = bits 12:10, uimm[7:6] = bits 6:5. */
export function cLdImm(h: number): number {
  return (((h >>> 10) & 7) << 3) | (((h >>> 5) & 3) << 6);
}
/** C.LWSP / C.FLWSP offset: uimm[5] = bit 12, uimm[4:2] = bits 6:4, uimm[7:6] = bits 3:2. */
export function cLwspImm(h: number): number {
  return (((h >>> 12) & 1) << 5) | (((h >>> 4) & 7) << 2) | (((h >>> 2) & 3) << 6);
}
/** C.LDSP / C.FLDSP offset: uimm[5] = bit 12, uimm[4:3] = bits 6:5, uimm[8:6] = bits 4:2. */
export function cLdspImm(h: number): number {
  return (((h >>> 12) & 1) << 5) | (((h >>> 5) & 3) << 3) | (((h >>> 2) & 7) << 6);
}
/** C.SWSP / C.FSWSP offset: uimm[5:2] = bits 12:9, uimm[7:6] = bits 8:7. */
export function cSwspImm(h: number): number {
  return (((h >>> 9) & 0xf) << 2) | (((h >>> 7) & 3) << 6);
}
/** C.SDSP / C.FSDSP offset: uimm[5:3] = bits 12:10, uimm[8:6] = bits 9:7. */
export function cSdspImm(h: number): number {
  return (((h >>> 10) & 7) << 3) | (((h >>> 7) & 7) << 6);
}
/** C.J / C.JAL offset: imm[11|4|9:8|10|6|7|3:1|5], sign-extended. */
export function cJImm(h: number): number {
  const v =
    (((h >>> 12) & 1) << 11) |
    (((h >>> 11) & 1) << 4) |
    (((h >>> 9) & 3) << 8) |
    (((h >>> 8) & 1) << 10) |
    (((h >>> 7) & 1) << 6) |
    (((h >>> 6) & 1) << 7) |
    (((h >>> 3) & 7) << 1) |
    (((h >>> 2) & 1) << 5);
  return (v << 20) >> 20;
}
/** C.BEQZ / C.BNEZ offset: imm[8|4:3] = bits 12:10, imm[7:6|2:1|5] = bits 6:2, sign-extended. */
export function cBImm(h: number): number {
  const v =
    (((h >>> 12) & 1) << 8) |
    (((h >>> 10) & 3) << 3) |
    (((h >>> 5) & 3) << 6) |
    (((h >>> 3) & 3) << 1) |
    (((h >>> 2) & 1) << 5);
  return (v << 23) >> 23;
}

/**
 * Expand a 16-bit compressed instruction to the equivalent 32-bit instruction
 * word (unsigned). Returns 0 for illegal or reserved encodings (0 is itself an
 * illegal 32-bit instruction). `half` must satisfy isCompressed().
 */
export function expandCompressed(half: number, xlen: 32 | 64): number {
  const h = half & 0xffff;
  const f3 = h >>> 13;
  switch (h & 3) {
    case 0: // Quadrant 0
      switch (f3) {
        case 0: {
          // C.ADDI4SPN
          const imm = cAddi4spnImm(h);
          return imm === 0 ? 0 : iType(OP_IMM, cRs2p(h), 0, SP, imm);
        }
        case 1: // C.FLD
          return iType(OP_LOAD_FP, cRs2p(h), 3, cRs1p(h), cLdImm(h));
        case 2: // C.LW
          return iType(OP_LOAD, cRs2p(h), 2, cRs1p(h), cLwImm(h));
        case 3: // C.FLW (RV32) / C.LD (RV64)
          return xlen === 32
            ? iType(OP_LOAD_FP, cRs2p(h), 2, cRs1p(h), cLwImm(h))
            : iType(OP_LOAD, cRs2p(h), 3, cRs1p(h), cLdImm(h));
        case 5: // C.FSD
          return sType(OP_STORE_FP, 3, cRs1p(h), cRs2p(h), cLdImm(h));
        case 6: // C.SW
          return sType(OP_STORE, 2, cRs1p(h), cRs2p(h), cLwImm(h));
        case 7: // C.FSW (RV32) / C.SD (RV64)
          return xlen === 32
            ? sType(OP_STORE_FP, 2, cRs1p(h), cRs2p(h), cLwImm(h))
            : sType(OP_STORE, 3, cRs1p(h), cRs2p(h), cLdImm(h));
        default: // 4: reserved
          return 0;
      }

    case 1: // Quadrant 1
      switch (f3) {
        case 0: // C.NOP / C.ADDI (HINTs when rd=0 or imm=0)
          return iType(OP_IMM, cRd(h), 0, cRd(h), cImm6(h));
        case 1: // C.JAL (RV32) / C.ADDIW (RV64)
          if (xlen === 32) return jal(RA, cJImm(h));
          return cRd(h) === 0 ? 0 : iType(OP_IMM_32, cRd(h), 0, cRd(h), cImm6(h));
        case 2: // C.LI
          return iType(OP_IMM, cRd(h), 0, 0, cImm6(h));
        case 3: {
          // C.ADDI16SP / C.LUI; a zero immediate is reserved for both
          if ((h & 0x107c) === 0) return 0;
          const rd = cRd(h);
          if (rd === SP) return iType(OP_IMM, SP, 0, SP, cAddi16spImm(h));
          return (((cImm6(h) << 12) | (rd << 7) | OP_LUI) >>> 0);
        }
        case 4: {
          const rd = cRs1p(h);
          switch ((h >>> 10) & 3) {
            case 0: {
              // C.SRLI
              const sh = cUimm6(h);
              if (xlen === 32 && sh >= 32) return 0;
              return iType(OP_IMM, rd, 5, rd, sh);
            }
            case 1: {
              // C.SRAI
              const sh = cUimm6(h);
              if (xlen === 32 && sh >= 32) return 0;
              return iType(OP_IMM, rd, 5, rd, 0x400 | sh);
            }
            case 2: // C.ANDI
              return iType(OP_IMM, rd, 7, rd, cImm6(h));
            default: {
              const rs2 = cRs2p(h);
              const sel = (h >>> 5) & 3;
              if ((h & 0x1000) === 0) {
                switch (sel) {
                  case 0: return rType(OP, 0x20, rd, 0, rd, rs2); // C.SUB
                  case 1: return rType(OP, 0, rd, 4, rd, rs2); // C.XOR
                  case 2: return rType(OP, 0, rd, 6, rd, rs2); // C.OR
                  default: return rType(OP, 0, rd, 7, rd, rs2); // C.AND
                }
              }
              if (xlen === 32) return 0;
              if (sel === 0) return rType(OP_32, 0x20, rd, 0, rd, rs2); // C.SUBW
              if (sel === 1) return rType(OP_32, 0, rd, 0, rd, rs2); // C.ADDW
              return 0; // reserved
            }
          }
        }
        case 5: // C.J
          return jal(0, cJImm(h));
        case 6: // C.BEQZ
          return bType(0, cRs1p(h), 0, cBImm(h));
        default: // 7: C.BNEZ
          return bType(1, cRs1p(h), 0, cBImm(h));
      }

    case 2: // Quadrant 2
      switch (f3) {
        case 0: {
          // C.SLLI
          const sh = cUimm6(h);
          if (xlen === 32 && sh >= 32) return 0;
          return iType(OP_IMM, cRd(h), 1, cRd(h), sh);
        }
        case 1: // C.FLDSP
          return iType(OP_LOAD_FP, cRd(h), 3, SP, cLdspImm(h));
        case 2: // C.LWSP
          return cRd(h) === 0 ? 0 : iType(OP_LOAD, cRd(h), 2, SP, cLwspImm(h));
        case 3: // C.FLWSP (RV32) / C.LDSP (RV64)
          if (xlen === 32) return iType(OP_LOAD_FP, cRd(h), 2, SP, cLwspImm(h));
          return cRd(h) === 0 ? 0 : iType(OP_LOAD, cRd(h), 3, SP, cLdspImm(h));
        case 4: {
          const rd = cRd(h);
          const rs2 = cRs2(h);
          if ((h & 0x1000) === 0) {
            if (rs2 === 0) return rd === 0 ? 0 : iType(OP_JALR, 0, 0, rd, 0); // C.JR
            return rType(OP, 0, rd, 0, 0, rs2); // C.MV
          }
          if (rs2 === 0) {
            if (rd === 0) return iType(OP_SYSTEM, 0, 0, 0, 1); // C.EBREAK
            return iType(OP_JALR, RA, 0, rd, 0); // C.JALR
          }
          return rType(OP, 0, rd, 0, rd, rs2); // C.ADD
        }
        case 5: // C.FSDSP
          return sType(OP_STORE_FP, 3, SP, cRs2(h), cSdspImm(h));
        case 6: // C.SWSP
          return sType(OP_STORE, 2, SP, cRs2(h), cSwspImm(h));
        default: // 7: C.FSWSP (RV32) / C.SDSP (RV64)
          return xlen === 32
            ? sType(OP_STORE_FP, 2, SP, cRs2(h), cSwspImm(h))
            : sType(OP_STORE, 3, SP, cRs2(h), cSdspImm(h));
      }

    default:
      return 0; // not a compressed instruction
  }
}
