/**
 * RISC-V 32-bit instruction encodings: RV32I/RV64I, M, A, F, D, Zicsr,
 * Zifencei, Zba, Zbb, Zbc, Zbs and the privileged instructions.
 *
 * One line per encoding, written as a bit pattern from bit 31 down to bit 0
 * (spaces are ignored; `0`/`1` are fixed bits, `.` is an operand bit), in the
 * spirit of riscv-opcodes and QEMU's decodetree files.
 *
 * What is legal follows QEMU 7.2 (target/riscv/insn32.decode and its trans_*
 * functions) for these extensions, not the letter of the ISA manual:
 *  - `fence` accepts any fm/pred/succ/rs1/rd (so `fence.tso` and `pause`
 *    decode as `fence`), and `fence.i` accepts any imm/rs1/rd;
 *  - shift-immediates with shamt >= XLEN are illegal (two entries per XLEN);
 *  - floating-point instructions with a rounding-mode field (`hasRm`) are
 *    illegal with rm=5 or rm=6, as in QEMU (which raises the exception when the
 *    instruction executes; it is always raised). rm=7 (dynamic) is accepted
 *    here: it is illegal only if frm holds 5..7 at execution time, which the
 *    code generator must check;
 *  - `uret`, `sfence.vm` (priv 1.9) and `dret` are illegal, as QEMU decodes them to
 *    trans functions that return false (or does not know them);
 *  - Zba/Zbb/Zbc/Zbs are the ratified 1.0 bit-manipulation extensions QEMU 7.2's default
 *    `rv32`/`rv64` CPUs enable. Their shift-immediates (`slli.uw`, `rori`, `roriw`, `bclri`,
 *    `bexti`, `binvi`, `bseti`) are illegal with shamt >= XLEN (32 for `roriw`), like the base
 *    shifts; `rev8` and `zext.h` have one encoding per XLEN and the other XLEN's encoding is
 *    illegal (QEMU 7.2 rejects it; the `zext.h` words are Zbkb's `pack`/`packw` with
 *    rs2 = x0, and QEMU 7.2 leaves Zbkb off), and the
 *    `.uw`/`*w` forms are RV64-only. The Zbkb/Zbkx-only encodings (`pack`, `packh`, `packw`,
 *    `brev8`, `zip`, `unzip`, `xperm4`, `xperm8`) stay illegal. Checked against QEMU 7.2 over
 *    the whole bit-manipulation encoding space (bitmanip.test.ts);
 *  - Zicbom/Zicboz (`cbo.*`, MISC-MEM funct3=010) are illegal: QEMU 7.2 does not implement
 *    them (they arrived in QEMU 8.0), and `pause` decodes as `fence` (Zihintpause).
 */

export type Format =
  | 'R' // rd, rs1, rs2
  | 'I' // rd, rs1, immI (also loads, jalr)
  | 'S' // rs1, rs2, immS (stores)
  | 'B' // rs1, rs2, immB
  | 'U' // rd, immU
  | 'J' // rd, immJ
  | 'Ishift' // rd, rs1, shamt
  | 'CSR' // rd, rs1, csr
  | 'CSRI' // rd, uimm (in the rs1 field), csr
  | 'AMO' // rd, rs1 (address), rs2, aq/rl
  | 'LR' // rd, rs1 (address), aq/rl (rs2 must be 0)
  | 'FENCE' // pred, succ (fm, rs1, rd ignored)
  | 'NONE' // no operands (ecall, ebreak, mret, sret, wfi, fence.i)
  | 'SFENCE' // rs1 (vaddr), rs2 (asid)
  | 'R4' // rd, rs1, rs2, rs3, rm (fused multiply-add)
  | 'FR' // rd, rs1, rs2 and, for arithmetic, rm in funct3
  | 'FR1' // rd, rs1 and, for conversions/sqrt, rm in funct3 (the rs2 field is an opcode field)
  | 'R1'; // rd, rs1 (integer unary: clz, rev8, sext.b, ...; the rs2 field is an opcode field)

export type Ext = 'I' | 'M' | 'A' | 'F' | 'D' | 'Zicsr' | 'Zifencei' | 'Priv' | 'Zba' | 'Zbb' | 'Zbc' | 'Zbs';

export interface Encoding {
  /** Mnemonic, e.g. 'addi', 'lr.w', 'amoadd.d', 'fence.i', 'csrrw', 'sfence.vma', 'fmadd.d'. */
  readonly name: string;
  /** Unsigned 32-bit mask of the fixed bits. */
  readonly mask: number;
  /** Unsigned 32-bit value of the fixed bits. */
  readonly match: number;
  readonly format: Format;
  /** Only valid for this XLEN; absent = both. */
  readonly xlen?: 32 | 64;
  readonly ext: Ext;
  /** funct3 is a rounding mode (0..4 static, 7 dynamic); decode() rejects 5 and 6. */
  readonly hasRm?: true;
}

type Line = readonly [name: string, pattern: string, format: Format, ext: Ext, xlen?: 32 | 64];

// prettier-ignore
const TABLE: readonly Line[] = [
  //  name            31       25 24  20 19  15 14 12 11   7 6     0
  // RV32I
  ['lui',           '....... ..... ..... ... ..... 0110111', 'U', 'I'],
  ['auipc',         '....... ..... ..... ... ..... 0010111', 'U', 'I'],
  ['jal',           '....... ..... ..... ... ..... 1101111', 'J', 'I'],
  ['jalr',          '....... ..... ..... 000 ..... 1100111', 'I', 'I'],
  ['beq',           '....... ..... ..... 000 ..... 1100011', 'B', 'I'],
  ['bne',           '....... ..... ..... 001 ..... 1100011', 'B', 'I'],
  ['blt',           '....... ..... ..... 100 ..... 1100011', 'B', 'I'],
  ['bge',           '....... ..... ..... 101 ..... 1100011', 'B', 'I'],
  ['bltu',          '....... ..... ..... 110 ..... 1100011', 'B', 'I'],
  ['bgeu',          '....... ..... ..... 111 ..... 1100011', 'B', 'I'],
  ['lb',            '....... ..... ..... 000 ..... 0000011', 'I', 'I'],
  ['lh',            '....... ..... ..... 001 ..... 0000011', 'I', 'I'],
  ['lw',            '....... ..... ..... 010 ..... 0000011', 'I', 'I'],
  ['lbu',           '....... ..... ..... 100 ..... 0000011', 'I', 'I'],
  ['lhu',           '....... ..... ..... 101 ..... 0000011', 'I', 'I'],
  ['sb',            '....... ..... ..... 000 ..... 0100011', 'S', 'I'],
  ['sh',            '....... ..... ..... 001 ..... 0100011', 'S', 'I'],
  ['sw',            '....... ..... ..... 010 ..... 0100011', 'S', 'I'],
  ['addi',          '....... ..... ..... 000 ..... 0010011', 'I', 'I'],
  ['slti',          '....... ..... ..... 010 ..... 0010011', 'I', 'I'],
  ['sltiu',         '....... ..... ..... 011 ..... 0010011', 'I', 'I'],
  ['xori',          '....... ..... ..... 100 ..... 0010011', 'I', 'I'],
  ['ori',           '....... ..... ..... 110 ..... 0010011', 'I', 'I'],
  ['andi',          '....... ..... ..... 111 ..... 0010011', 'I', 'I'],
  ['slli',          '0000000 ..... ..... 001 ..... 0010011', 'Ishift', 'I', 32],
  ['srli',          '0000000 ..... ..... 101 ..... 0010011', 'Ishift', 'I', 32],
  ['srai',          '0100000 ..... ..... 101 ..... 0010011', 'Ishift', 'I', 32],
  ['slli',          '000000. ..... ..... 001 ..... 0010011', 'Ishift', 'I', 64],
  ['srli',          '000000. ..... ..... 101 ..... 0010011', 'Ishift', 'I', 64],
  ['srai',          '010000. ..... ..... 101 ..... 0010011', 'Ishift', 'I', 64],
  ['add',           '0000000 ..... ..... 000 ..... 0110011', 'R', 'I'],
  ['sub',           '0100000 ..... ..... 000 ..... 0110011', 'R', 'I'],
  ['sll',           '0000000 ..... ..... 001 ..... 0110011', 'R', 'I'],
  ['slt',           '0000000 ..... ..... 010 ..... 0110011', 'R', 'I'],
  ['sltu',          '0000000 ..... ..... 011 ..... 0110011', 'R', 'I'],
  ['xor',           '0000000 ..... ..... 100 ..... 0110011', 'R', 'I'],
  ['srl',           '0000000 ..... ..... 101 ..... 0110011', 'R', 'I'],
  ['sra',           '0100000 ..... ..... 101 ..... 0110011', 'R', 'I'],
  ['or',            '0000000 ..... ..... 110 ..... 0110011', 'R', 'I'],
  ['and',           '0000000 ..... ..... 111 ..... 0110011', 'R', 'I'],
  ['fence',         '....... ..... ..... 000 ..... 0001111', 'FENCE', 'I'],
  ['ecall',         '0000000 00000 00000 000 00000 1110011', 'NONE', 'I'],
  ['ebreak',        '0000000 00001 00000 000 00000 1110011', 'NONE', 'I'],

  // RV64I
  ['lwu',           '....... ..... ..... 110 ..... 0000011', 'I', 'I', 64],
  ['ld',            '....... ..... ..... 011 ..... 0000011', 'I', 'I', 64],
  ['sd',            '....... ..... ..... 011 ..... 0100011', 'S', 'I', 64],
  ['addiw',         '....... ..... ..... 000 ..... 0011011', 'I', 'I', 64],
  ['slliw',         '0000000 ..... ..... 001 ..... 0011011', 'Ishift', 'I', 64],
  ['srliw',         '0000000 ..... ..... 101 ..... 0011011', 'Ishift', 'I', 64],
  ['sraiw',         '0100000 ..... ..... 101 ..... 0011011', 'Ishift', 'I', 64],
  ['addw',          '0000000 ..... ..... 000 ..... 0111011', 'R', 'I', 64],
  ['subw',          '0100000 ..... ..... 000 ..... 0111011', 'R', 'I', 64],
  ['sllw',          '0000000 ..... ..... 001 ..... 0111011', 'R', 'I', 64],
  ['srlw',          '0000000 ..... ..... 101 ..... 0111011', 'R', 'I', 64],
  ['sraw',          '0100000 ..... ..... 101 ..... 0111011', 'R', 'I', 64],

  // Zifencei
  ['fence.i',       '....... ..... ..... 001 ..... 0001111', 'NONE', 'Zifencei'],

  // Zicsr
  ['csrrw',         '....... ..... ..... 001 ..... 1110011', 'CSR', 'Zicsr'],
  ['csrrs',         '....... ..... ..... 010 ..... 1110011', 'CSR', 'Zicsr'],
  ['csrrc',         '....... ..... ..... 011 ..... 1110011', 'CSR', 'Zicsr'],
  ['csrrwi',        '....... ..... ..... 101 ..... 1110011', 'CSRI', 'Zicsr'],
  ['csrrsi',        '....... ..... ..... 110 ..... 1110011', 'CSRI', 'Zicsr'],
  ['csrrci',        '....... ..... ..... 111 ..... 1110011', 'CSRI', 'Zicsr'],

  // Privileged
  ['sret',          '0001000 00010 00000 000 00000 1110011', 'NONE', 'Priv'],
  ['mret',          '0011000 00010 00000 000 00000 1110011', 'NONE', 'Priv'],
  ['wfi',           '0001000 00101 00000 000 00000 1110011', 'NONE', 'Priv'],
  ['sfence.vma',    '0001001 ..... ..... 000 00000 1110011', 'SFENCE', 'Priv'],

  // M
  ['mul',           '0000001 ..... ..... 000 ..... 0110011', 'R', 'M'],
  ['mulh',          '0000001 ..... ..... 001 ..... 0110011', 'R', 'M'],
  ['mulhsu',        '0000001 ..... ..... 010 ..... 0110011', 'R', 'M'],
  ['mulhu',         '0000001 ..... ..... 011 ..... 0110011', 'R', 'M'],
  ['div',           '0000001 ..... ..... 100 ..... 0110011', 'R', 'M'],
  ['divu',          '0000001 ..... ..... 101 ..... 0110011', 'R', 'M'],
  ['rem',           '0000001 ..... ..... 110 ..... 0110011', 'R', 'M'],
  ['remu',          '0000001 ..... ..... 111 ..... 0110011', 'R', 'M'],
  ['mulw',          '0000001 ..... ..... 000 ..... 0111011', 'R', 'M', 64],
  ['divw',          '0000001 ..... ..... 100 ..... 0111011', 'R', 'M', 64],
  ['divuw',         '0000001 ..... ..... 101 ..... 0111011', 'R', 'M', 64],
  ['remw',          '0000001 ..... ..... 110 ..... 0111011', 'R', 'M', 64],
  ['remuw',         '0000001 ..... ..... 111 ..... 0111011', 'R', 'M', 64],

  // A (bits 26/25 are aq/rl)
  ['lr.w',          '00010.. 00000 ..... 010 ..... 0101111', 'LR', 'A'],
  ['sc.w',          '00011.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amoswap.w',     '00001.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amoadd.w',      '00000.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amoxor.w',      '00100.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amoand.w',      '01100.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amoor.w',       '01000.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amomin.w',      '10000.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amomax.w',      '10100.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amominu.w',     '11000.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['amomaxu.w',     '11100.. ..... ..... 010 ..... 0101111', 'AMO', 'A'],
  ['lr.d',          '00010.. 00000 ..... 011 ..... 0101111', 'LR', 'A', 64],
  ['sc.d',          '00011.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amoswap.d',     '00001.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amoadd.d',      '00000.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amoxor.d',      '00100.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amoand.d',      '01100.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amoor.d',       '01000.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amomin.d',      '10000.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amomax.d',      '10100.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amominu.d',     '11000.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],
  ['amomaxu.d',     '11100.. ..... ..... 011 ..... 0101111', 'AMO', 'A', 64],

  // F
  ['flw',           '....... ..... ..... 010 ..... 0000111', 'I', 'F'],
  ['fsw',           '....... ..... ..... 010 ..... 0100111', 'S', 'F'],
  ['fmadd.s',       '.....00 ..... ..... ... ..... 1000011', 'R4', 'F'],
  ['fmsub.s',       '.....00 ..... ..... ... ..... 1000111', 'R4', 'F'],
  ['fnmsub.s',      '.....00 ..... ..... ... ..... 1001011', 'R4', 'F'],
  ['fnmadd.s',      '.....00 ..... ..... ... ..... 1001111', 'R4', 'F'],
  ['fadd.s',        '0000000 ..... ..... ... ..... 1010011', 'FR', 'F'],
  ['fsub.s',        '0000100 ..... ..... ... ..... 1010011', 'FR', 'F'],
  ['fmul.s',        '0001000 ..... ..... ... ..... 1010011', 'FR', 'F'],
  ['fdiv.s',        '0001100 ..... ..... ... ..... 1010011', 'FR', 'F'],
  ['fsqrt.s',       '0101100 00000 ..... ... ..... 1010011', 'FR1', 'F'],
  ['fsgnj.s',       '0010000 ..... ..... 000 ..... 1010011', 'FR', 'F'],
  ['fsgnjn.s',      '0010000 ..... ..... 001 ..... 1010011', 'FR', 'F'],
  ['fsgnjx.s',      '0010000 ..... ..... 010 ..... 1010011', 'FR', 'F'],
  ['fmin.s',        '0010100 ..... ..... 000 ..... 1010011', 'FR', 'F'],
  ['fmax.s',        '0010100 ..... ..... 001 ..... 1010011', 'FR', 'F'],
  ['fcvt.w.s',      '1100000 00000 ..... ... ..... 1010011', 'FR1', 'F'],
  ['fcvt.wu.s',     '1100000 00001 ..... ... ..... 1010011', 'FR1', 'F'],
  ['fmv.x.w',       '1110000 00000 ..... 000 ..... 1010011', 'FR1', 'F'],
  ['feq.s',         '1010000 ..... ..... 010 ..... 1010011', 'FR', 'F'],
  ['flt.s',         '1010000 ..... ..... 001 ..... 1010011', 'FR', 'F'],
  ['fle.s',         '1010000 ..... ..... 000 ..... 1010011', 'FR', 'F'],
  ['fclass.s',      '1110000 00000 ..... 001 ..... 1010011', 'FR1', 'F'],
  ['fcvt.s.w',      '1101000 00000 ..... ... ..... 1010011', 'FR1', 'F'],
  ['fcvt.s.wu',     '1101000 00001 ..... ... ..... 1010011', 'FR1', 'F'],
  ['fmv.w.x',       '1111000 00000 ..... 000 ..... 1010011', 'FR1', 'F'],
  ['fcvt.l.s',      '1100000 00010 ..... ... ..... 1010011', 'FR1', 'F', 64],
  ['fcvt.lu.s',     '1100000 00011 ..... ... ..... 1010011', 'FR1', 'F', 64],
  ['fcvt.s.l',      '1101000 00010 ..... ... ..... 1010011', 'FR1', 'F', 64],
  ['fcvt.s.lu',     '1101000 00011 ..... ... ..... 1010011', 'FR1', 'F', 64],

  // D
  ['fld',           '....... ..... ..... 011 ..... 0000111', 'I', 'D'],
  ['fsd',           '....... ..... ..... 011 ..... 0100111', 'S', 'D'],
  ['fmadd.d',       '.....01 ..... ..... ... ..... 1000011', 'R4', 'D'],
  ['fmsub.d',       '.....01 ..... ..... ... ..... 1000111', 'R4', 'D'],
  ['fnmsub.d',      '.....01 ..... ..... ... ..... 1001011', 'R4', 'D'],
  ['fnmadd.d',      '.....01 ..... ..... ... ..... 1001111', 'R4', 'D'],
  ['fadd.d',        '0000001 ..... ..... ... ..... 1010011', 'FR', 'D'],
  ['fsub.d',        '0000101 ..... ..... ... ..... 1010011', 'FR', 'D'],
  ['fmul.d',        '0001001 ..... ..... ... ..... 1010011', 'FR', 'D'],
  ['fdiv.d',        '0001101 ..... ..... ... ..... 1010011', 'FR', 'D'],
  ['fsqrt.d',       '0101101 00000 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fsgnj.d',       '0010001 ..... ..... 000 ..... 1010011', 'FR', 'D'],
  ['fsgnjn.d',      '0010001 ..... ..... 001 ..... 1010011', 'FR', 'D'],
  ['fsgnjx.d',      '0010001 ..... ..... 010 ..... 1010011', 'FR', 'D'],
  ['fmin.d',        '0010101 ..... ..... 000 ..... 1010011', 'FR', 'D'],
  ['fmax.d',        '0010101 ..... ..... 001 ..... 1010011', 'FR', 'D'],
  ['fcvt.s.d',      '0100000 00001 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fcvt.d.s',      '0100001 00000 ..... ... ..... 1010011', 'FR1', 'D'],
  ['feq.d',         '1010001 ..... ..... 010 ..... 1010011', 'FR', 'D'],
  ['flt.d',         '1010001 ..... ..... 001 ..... 1010011', 'FR', 'D'],
  ['fle.d',         '1010001 ..... ..... 000 ..... 1010011', 'FR', 'D'],
  ['fclass.d',      '1110001 00000 ..... 001 ..... 1010011', 'FR1', 'D'],
  ['fcvt.w.d',      '1100001 00000 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fcvt.wu.d',     '1100001 00001 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fcvt.d.w',      '1101001 00000 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fcvt.d.wu',     '1101001 00001 ..... ... ..... 1010011', 'FR1', 'D'],
  ['fcvt.l.d',      '1100001 00010 ..... ... ..... 1010011', 'FR1', 'D', 64],
  ['fcvt.lu.d',     '1100001 00011 ..... ... ..... 1010011', 'FR1', 'D', 64],
  ['fmv.x.d',       '1110001 00000 ..... 000 ..... 1010011', 'FR1', 'D', 64],
  ['fcvt.d.l',      '1101001 00010 ..... ... ..... 1010011', 'FR1', 'D', 64],
  ['fcvt.d.lu',     '1101001 00011 ..... ... ..... 1010011', 'FR1', 'D', 64],
  ['fmv.d.x',       '1111001 00000 ..... 000 ..... 1010011', 'FR1', 'D', 64],

  // Zba
  ['sh1add',        '0010000 ..... ..... 010 ..... 0110011', 'R', 'Zba'],
  ['sh2add',        '0010000 ..... ..... 100 ..... 0110011', 'R', 'Zba'],
  ['sh3add',        '0010000 ..... ..... 110 ..... 0110011', 'R', 'Zba'],
  ['add.uw',        '0000100 ..... ..... 000 ..... 0111011', 'R', 'Zba', 64],
  ['sh1add.uw',     '0010000 ..... ..... 010 ..... 0111011', 'R', 'Zba', 64],
  ['sh2add.uw',     '0010000 ..... ..... 100 ..... 0111011', 'R', 'Zba', 64],
  ['sh3add.uw',     '0010000 ..... ..... 110 ..... 0111011', 'R', 'Zba', 64],
  ['slli.uw',       '000010. ..... ..... 001 ..... 0011011', 'Ishift', 'Zba', 64],

  // Zbb
  ['andn',          '0100000 ..... ..... 111 ..... 0110011', 'R', 'Zbb'],
  ['orn',           '0100000 ..... ..... 110 ..... 0110011', 'R', 'Zbb'],
  ['xnor',          '0100000 ..... ..... 100 ..... 0110011', 'R', 'Zbb'],
  ['clz',           '0110000 00000 ..... 001 ..... 0010011', 'R1', 'Zbb'],
  ['ctz',           '0110000 00001 ..... 001 ..... 0010011', 'R1', 'Zbb'],
  ['cpop',          '0110000 00010 ..... 001 ..... 0010011', 'R1', 'Zbb'],
  ['sext.b',        '0110000 00100 ..... 001 ..... 0010011', 'R1', 'Zbb'],
  ['sext.h',        '0110000 00101 ..... 001 ..... 0010011', 'R1', 'Zbb'],
  ['max',           '0000101 ..... ..... 110 ..... 0110011', 'R', 'Zbb'],
  ['maxu',          '0000101 ..... ..... 111 ..... 0110011', 'R', 'Zbb'],
  ['min',           '0000101 ..... ..... 100 ..... 0110011', 'R', 'Zbb'],
  ['minu',          '0000101 ..... ..... 101 ..... 0110011', 'R', 'Zbb'],
  ['zext.h',        '0000100 00000 ..... 100 ..... 0110011', 'R1', 'Zbb', 32],
  ['zext.h',        '0000100 00000 ..... 100 ..... 0111011', 'R1', 'Zbb', 64],
  ['rol',           '0110000 ..... ..... 001 ..... 0110011', 'R', 'Zbb'],
  ['ror',           '0110000 ..... ..... 101 ..... 0110011', 'R', 'Zbb'],
  ['rori',          '0110000 ..... ..... 101 ..... 0010011', 'Ishift', 'Zbb', 32],
  ['rori',          '011000. ..... ..... 101 ..... 0010011', 'Ishift', 'Zbb', 64],
  ['orc.b',         '0010100 00111 ..... 101 ..... 0010011', 'R1', 'Zbb'],
  ['rev8',          '0110100 11000 ..... 101 ..... 0010011', 'R1', 'Zbb', 32],
  ['rev8',          '0110101 11000 ..... 101 ..... 0010011', 'R1', 'Zbb', 64],
  ['clzw',          '0110000 00000 ..... 001 ..... 0011011', 'R1', 'Zbb', 64],
  ['ctzw',          '0110000 00001 ..... 001 ..... 0011011', 'R1', 'Zbb', 64],
  ['cpopw',         '0110000 00010 ..... 001 ..... 0011011', 'R1', 'Zbb', 64],
  ['rolw',          '0110000 ..... ..... 001 ..... 0111011', 'R', 'Zbb', 64],
  ['rorw',          '0110000 ..... ..... 101 ..... 0111011', 'R', 'Zbb', 64],
  ['roriw',         '0110000 ..... ..... 101 ..... 0011011', 'Ishift', 'Zbb', 64],

  // Zbc
  ['clmul',         '0000101 ..... ..... 001 ..... 0110011', 'R', 'Zbc'],
  ['clmulr',        '0000101 ..... ..... 010 ..... 0110011', 'R', 'Zbc'],
  ['clmulh',        '0000101 ..... ..... 011 ..... 0110011', 'R', 'Zbc'],

  // Zbs (the immediate forms: shamt < XLEN)
  ['bclr',          '0100100 ..... ..... 001 ..... 0110011', 'R', 'Zbs'],
  ['bext',          '0100100 ..... ..... 101 ..... 0110011', 'R', 'Zbs'],
  ['binv',          '0110100 ..... ..... 001 ..... 0110011', 'R', 'Zbs'],
  ['bset',          '0010100 ..... ..... 001 ..... 0110011', 'R', 'Zbs'],
  ['bclri',         '0100100 ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 32],
  ['bexti',         '0100100 ..... ..... 101 ..... 0010011', 'Ishift', 'Zbs', 32],
  ['binvi',         '0110100 ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 32],
  ['bseti',         '0010100 ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 32],
  ['bclri',         '010010. ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 64],
  ['bexti',         '010010. ..... ..... 101 ..... 0010011', 'Ishift', 'Zbs', 64],
  ['binvi',         '011010. ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 64],
  ['bseti',         '001010. ..... ..... 001 ..... 0010011', 'Ishift', 'Zbs', 64],
];

const FUNCT3_MASK = 0x7000;

/** Parses a 32-character bit pattern (spaces ignored) into mask/match. */
export function parsePattern(pattern: string): { mask: number; match: number } {
  const bits = pattern.replace(/ /g, '');
  if (bits.length !== 32 || /[^01.]/.test(bits)) throw new Error(`bad encoding pattern: ${pattern}`);
  let mask = 0;
  let match = 0;
  for (let i = 0; i < 32; i++) {
    const bit = 31 - i;
    const c = bits[i];
    if (c === '.') continue;
    mask |= 1 << bit;
    if (c === '1') match |= 1 << bit;
  }
  return { mask: mask >>> 0, match: match >>> 0 };
}

export const ENCODINGS: readonly Encoding[] = Object.freeze(
  TABLE.map(([name, pattern, format, ext, xlen]): Encoding => {
    const { mask, match } = parsePattern(pattern);
    // In F and D, a funct3 that is not fixed by the pattern is always a rounding mode.
    const hasRm = (ext === 'F' || ext === 'D') && (mask & FUNCT3_MASK) === 0;
    return Object.freeze({ name, mask, match, format, ext, ...(xlen !== undefined && { xlen }), ...(hasRm && { hasRm }) });
  }),
);

// ---------------------------------------------------------------------------
// Decoding: buckets indexed by opcode[6:0] | funct3 << 7 (1024 buckets per
// XLEN); an encoding whose funct3 is an operand lands in all eight buckets
// (a rounding mode: all but the reserved 5 and 6).

function buildBuckets(xlen: 32 | 64): readonly (readonly Encoding[])[] {
  const buckets: Encoding[][] = Array.from({ length: 1024 }, () => []);
  for (const e of ENCODINGS) {
    if (e.xlen !== undefined && e.xlen !== xlen) continue;
    const op = e.match & 0x7f;
    if ((e.mask & FUNCT3_MASK) === FUNCT3_MASK) {
      buckets[op | (((e.match >>> 12) & 7) << 7)]!.push(e);
    } else {
      for (let f3 = 0; f3 < 8; f3++) if (!(e.hasRm && (f3 === 5 || f3 === 6))) buckets[op | (f3 << 7)]!.push(e);
    }
  }
  return buckets;
}

const BUCKETS32 = buildBuckets(32);
const BUCKETS64 = buildBuckets(64);

/** Decode a 32-bit instruction word; undefined if no encoding matches for this XLEN (=> illegal). */
export function decode(word: number, xlen: 32 | 64): Encoding | undefined {
  const bucket = (xlen === 64 ? BUCKETS64 : BUCKETS32)[(word & 0x7f) | ((word >>> 5) & 0x380)]!;
  for (let i = 0; i < bucket.length; i++) {
    const e = bucket[i]!;
    if (((word & e.mask) >>> 0) === e.match) return e;
  }
  return undefined;
}

/**
 * The F/D encoding a word would be but for a reserved static rounding mode (rm = 5 or 6), or
 * undefined. decode() rejects these words (they are always illegal), but QEMU 7.2 translates
 * them like any other F/D instruction and raises illegal instruction only when they execute
 * (gen_set_rm's helper_set_rounding_mode): not counted by icount, and the translation block
 * goes on after them. The translator uses this to do the same.
 */
export function decodeReservedRm(word: number, xlen: 32 | 64): Encoding | undefined {
  const f3 = (word >>> 12) & 7;
  if (f3 !== 5 && f3 !== 6) return undefined;
  const e = decode((word | FUNCT3_MASK) >>> 0, xlen); // the same word with rm = 7 (dynamic)
  return e?.hasRm === true ? e : undefined;
}

// ---------------------------------------------------------------------------
// Field extractors. All take the 32-bit word; immediates are sign-extended.

export function opcode(w: number): number {
  return w & 0x7f;
}
export function rd(w: number): number {
  return (w >>> 7) & 31;
}
export function rs1(w: number): number {
  return (w >>> 15) & 31;
}
export function rs2(w: number): number {
  return (w >>> 20) & 31;
}
export function rs3(w: number): number {
  return (w >>> 27) & 31;
}
export function funct3(w: number): number {
  return (w >>> 12) & 7;
}
export function funct7(w: number): number {
  return (w >>> 25) & 0x7f;
}
/** I-type immediate, sign-extended (-2048..2047). */
export function immI(w: number): number {
  return w >> 20;
}
/** S-type immediate, sign-extended. */
export function immS(w: number): number {
  return ((w >> 25) << 5) | ((w >>> 7) & 31);
}
/** B-type immediate (branch offset), sign-extended, always even. */
export function immB(w: number): number {
  return ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
}
/** U-type immediate: the value imm<<12, as a signed 32-bit number. */
export function immU(w: number): number {
  return w & 0xfffff000;
}
/** J-type immediate (jump offset), sign-extended, always even. */
export function immJ(w: number): number {
  return ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);
}
/** CSR number (0..4095). */
export function csrAddr(w: number): number {
  return (w >>> 20) & 0xfff;
}
/** CSR immediate of csrr*i (the rs1 field, zero-extended). */
export function csrImm(w: number): number {
  return (w >>> 15) & 31;
}
/** Shift amount of a shift-immediate: 5 bits on RV32 and for the *w forms, 6 bits on RV64 (and for `slli.uw`). */
export function shamt(w: number, xlen: 32 | 64): number {
  return (w >>> 20) & (xlen === 64 && ((w & 0x7f) === 0x13 || (w & 0xfc00707f) === 0x0800101b) ? 63 : 31);
}
/** Rounding mode (funct3 of FP instructions). */
export function rm(w: number): number {
  return (w >>> 12) & 7;
}
/** aq/rl bits of an atomic: bit 1 = aq, bit 0 = rl. */
export function aqrl(w: number): number {
  return (w >>> 25) & 3;
}
/** FENCE predecessor set (bits 27:24: i, o, r, w). */
export function pred(w: number): number {
  return (w >>> 24) & 0xf;
}
/** FENCE successor set (bits 23:20: i, o, r, w). */
export function succ(w: number): number {
  return (w >>> 20) & 0xf;
}
/** FENCE mode (bits 31:28; 0b1000 with pred=succ=rw is fence.tso). */
export function fm(w: number): number {
  return (w >>> 28) & 0xf;
}
