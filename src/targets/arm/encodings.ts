/**
 * The Thumb instruction set of ARMv7-M (Cortex-M3) as data: one line per encoding, with its bit
 * pattern as the ARMv7-M Architecture Reference Manual draws it (chapter A5/A7), and whether
 * ARMv6-M (Cortex-M0) has it. The decoder and the disassembler are derived from this table; the
 * semantics (emit.ts) key on the id.
 *
 * Pattern: 16 characters (a 16-bit encoding) or 32 (first halfword, then second), MSB first,
 * spaces ignored. `0`/`1` are fixed bits, `-` is a don't-care bit (the manual's should-be bits
 * `(0)`/`(1)` included), any letter is a field bit. Bits of one letter are concatenated in pattern
 * order, so `i` in `11110i0...` + `0iii....iiiiiiii` is the manual's i:imm3:imm8.
 *
 * Field letters used: d n m t (Rd Rn Rm Rt), T (Rt2), a (Ra), l h (RdLo RdHi), i (immediate),
 * S (setflags), c (condition), r (register list), P U W (index, add, writeback), p (saturate to),
 * w (width/msb), s (shift type or sh), o (option), J K (J1 J2), I h (second immediate parts),
 * M (the LR/PC bit of PUSH/POP), x (SYSm), k (mask).
 *
 * When several rows match a word, the one with more fixed bits wins (so `tst` beats `and` with
 * Rd = 1111 and S = 1, `mov` beats `orr` with Rn = 1111). A row may add a guard on its fields.
 */

export interface ArmEncoding {
  /** Unique id (`add_i3` is ADD immediate T1, `ldr_i12` is LDR immediate T3...). */
  readonly id: string;
  /** 16 or 32 */
  readonly bits: 16 | 32;
  readonly mask: number;
  readonly value: number;
  /** In ARMv6-M too. */
  readonly v6m: boolean;
  /** Only in ARMv7E-M (the DSP extension of the Cortex-M4). */
  readonly dsp: boolean;
  /** Field letter → list of bit positions, MSB first. */
  readonly fields: ReadonlyMap<string, readonly number[]>;
  readonly fixedBits: number;
  readonly guard: ((f: Fields) => boolean) | undefined;
}

/** Decoded fields by letter. */
export type Fields = Readonly<Record<string, number>>;

type Row = [id: string, pattern: string, level?: 'v6' | 'e', guard?: (f: Fields) => boolean];

/** Indexed forms with P = 0 and W = 0 are undefined. */
const PW = (f: Fields): boolean => f.P === 1 || f.W === 1;
/** Rn = PC selects the literal form of a load. */
const RN_NOT_PC = (f: Fields): boolean => f.n !== 15;

const ROWS16: readonly Row[] = [
  // shift (immediate), add, subtract, move, compare
  ['movs_r', '000 00 00000 mmm ddd', 'v6'],
  ['lsl_i', '000 00 iiiii mmm ddd', 'v6'],
  ['lsr_i', '000 01 iiiii mmm ddd', 'v6'],
  ['asr_i', '000 10 iiiii mmm ddd', 'v6'],
  ['add_r3', '000 1100 mmm nnn ddd', 'v6'],
  ['sub_r3', '000 1101 mmm nnn ddd', 'v6'],
  ['add_i3', '000 1110 iii nnn ddd', 'v6'],
  ['sub_i3', '000 1111 iii nnn ddd', 'v6'],
  ['mov_i8', '001 00 ddd iiiiiiii', 'v6'],
  ['cmp_i8', '001 01 nnn iiiiiiii', 'v6'],
  ['add_i8', '001 10 ddd iiiiiiii', 'v6'],
  ['sub_i8', '001 11 ddd iiiiiiii', 'v6'],
  // data processing (register)
  ['and_r2', '010000 0000 mmm ddd', 'v6'],
  ['eor_r2', '010000 0001 mmm ddd', 'v6'],
  ['lsl_r2', '010000 0010 mmm ddd', 'v6'],
  ['lsr_r2', '010000 0011 mmm ddd', 'v6'],
  ['asr_r2', '010000 0100 mmm ddd', 'v6'],
  ['adc_r2', '010000 0101 mmm ddd', 'v6'],
  ['sbc_r2', '010000 0110 mmm ddd', 'v6'],
  ['ror_r2', '010000 0111 mmm ddd', 'v6'],
  ['tst_r2', '010000 1000 mmm nnn', 'v6'],
  ['rsb_i0', '010000 1001 nnn ddd', 'v6'],
  ['cmp_r2', '010000 1010 mmm nnn', 'v6'],
  ['cmn_r2', '010000 1011 mmm nnn', 'v6'],
  ['orr_r2', '010000 1100 mmm ddd', 'v6'],
  ['mul_r2', '010000 1101 nnn ddd', 'v6'],
  ['bic_r2', '010000 1110 mmm ddd', 'v6'],
  ['mvn_r2', '010000 1111 mmm ddd', 'v6'],
  // special data processing, branch and exchange (D:Rd and N:Rn concatenate to 4 bits)
  ['add_hr', '01000100 d mmmm ddd', 'v6'],
  ['cmp_hr', '01000101 n mmmm nnn', 'v6'],
  ['mov_hr', '01000110 d mmmm ddd', 'v6'],
  ['bx', '010001110 mmmm ---', 'v6'],
  ['blx_r', '010001111 mmmm ---', 'v6'],
  ['ldr_lit', '01001 ttt iiiiiiii', 'v6'],
  // load/store single
  ['str_r', '0101 000 mmm nnn ttt', 'v6'],
  ['strh_r', '0101 001 mmm nnn ttt', 'v6'],
  ['strb_r', '0101 010 mmm nnn ttt', 'v6'],
  ['ldrsb_r', '0101 011 mmm nnn ttt', 'v6'],
  ['ldr_r', '0101 100 mmm nnn ttt', 'v6'],
  ['ldrh_r', '0101 101 mmm nnn ttt', 'v6'],
  ['ldrb_r', '0101 110 mmm nnn ttt', 'v6'],
  ['ldrsh_r', '0101 111 mmm nnn ttt', 'v6'],
  ['str_i5', '011 0 0 iiiii nnn ttt', 'v6'],
  ['ldr_i5', '011 0 1 iiiii nnn ttt', 'v6'],
  ['strb_i5', '011 1 0 iiiii nnn ttt', 'v6'],
  ['ldrb_i5', '011 1 1 iiiii nnn ttt', 'v6'],
  ['strh_i5', '1000 0 iiiii nnn ttt', 'v6'],
  ['ldrh_i5', '1000 1 iiiii nnn ttt', 'v6'],
  ['str_sp', '1001 0 ttt iiiiiiii', 'v6'],
  ['ldr_sp', '1001 1 ttt iiiiiiii', 'v6'],
  ['adr', '1010 0 ddd iiiiiiii', 'v6'],
  ['add_spi8', '1010 1 ddd iiiiiiii', 'v6'],
  // miscellaneous
  ['add_spi7', '1011 0000 0 iiiiiii', 'v6'],
  ['sub_spi7', '1011 0000 1 iiiiiii', 'v6'],
  ['cbz', '1011 0 0 i 1 iiiii nnn'],
  ['cbnz', '1011 1 0 i 1 iiiii nnn'],
  ['sxth', '1011 0010 00 mmm ddd', 'v6'],
  ['sxtb', '1011 0010 01 mmm ddd', 'v6'],
  ['uxth', '1011 0010 10 mmm ddd', 'v6'],
  ['uxtb', '1011 0010 11 mmm ddd', 'v6'],
  ['push', '1011 010 M rrrrrrrr', 'v6'],
  ['cps', '1011 0110 011 o -- I F', 'v6'],
  ['rev', '1011 1010 00 mmm ddd', 'v6'],
  ['rev16', '1011 1010 01 mmm ddd', 'v6'],
  ['revsh', '1011 1010 11 mmm ddd', 'v6'],
  ['pop', '1011 110 M rrrrrrrr', 'v6'],
  ['bkpt', '1011 1110 iiiiiiii', 'v6'],
  ['it', '1011 1111 cccc kkkk', undefined, (f) => f.k !== 0],
  ['nop', '1011 1111 0000 0000', 'v6'],
  ['yield', '1011 1111 0001 0000', 'v6'],
  ['wfe', '1011 1111 0010 0000', 'v6'],
  ['wfi', '1011 1111 0011 0000', 'v6'],
  ['sev', '1011 1111 0100 0000', 'v6'],
  ['hint', '1011 1111 iiii 0000', 'v6'],
  // load/store multiple, branches
  ['stm16', '1100 0 nnn rrrrrrrr', 'v6'],
  ['ldm16', '1100 1 nnn rrrrrrrr', 'v6'],
  ['b_c16', '1101 cccc iiiiiiii', 'v6', (f) => f.c < 14],
  ['udf', '1101 1110 iiiiiiii', 'v6'],
  ['svc', '1101 1111 iiiiiiii', 'v6'],
  ['b16', '11100 iiiiiiiiiii', 'v6'],
];

const DP_MOD = ['and', 'bic', 'orr', 'orn', 'eor', '', '', '', 'add', '', 'adc', 'sbc', '', 'sub', 'rsb', ''];
const TESTS: Record<string, string> = { and: 'tst', eor: 'teq', add: 'cmn', sub: 'cmp' };
const MOVES: Record<string, string> = { orr: 'mov', orn: 'mvn' };
const bin4 = (n: number): string => n.toString(2).padStart(4, '0');

/** Data processing (modified immediate) and (shifted register): generated from the opcode list. */
function dataProcessingRows(): Row[] {
  const rows: Row[] = [];
  DP_MOD.forEach((op, code) => {
    if (op === '') return;
    const o = bin4(code);
    rows.push([`${op}_mi`, `11110 i 0 ${o} S nnnn 0 iii dddd iiiiiiii`]);
    rows.push([`${op}_sr`, `1110101 ${o} S nnnn - iii dddd ii ss mmmm`]);
    const t = TESTS[op];
    if (t !== undefined) {
      rows.push([`${t}_mi`, `11110 i 0 ${o} 1 nnnn 0 iii 1111 iiiiiiii`]);
      rows.push([`${t}_sr`, `1110101 ${o} 1 nnnn - iii 1111 ii ss mmmm`]);
    }
    const m = MOVES[op];
    if (m !== undefined) {
      rows.push([`${m}_mi`, `11110 i 0 ${o} S 1111 0 iii dddd iiiiiiii`]);
      rows.push([`${m}_sr`, `1110101 ${o} S 1111 - iii dddd ii ss mmmm`]);
    }
  });
  return rows;
}

/** Parallel add/subtract: operation and op1 bits; kinds: prefix, U bit, op2 (plain, saturating, halving). */
export const PARALLEL_OPS: readonly (readonly [string, string])[] = [['add8', '000'], ['add16', '001'], ['asx', '010'], ['sub8', '100'], ['sub16', '101'], ['sax', '110']];
export const PARALLEL_KINDS: readonly (readonly [string, string, string])[] = [['s', '0', '00'], ['q', '0', '01'], ['sh', '0', '10'], ['u', '1', '00'], ['uq', '1', '01'], ['uh', '1', '10']];

const ROWS32: readonly Row[] = [
  // load/store multiple
  ['stm_w', '1110100 010 W 0 nnnn rrrrrrrrrrrrrrrr'],
  ['ldm_w', '1110100 010 W 1 nnnn rrrrrrrrrrrrrrrr'],
  ['stmdb', '1110100 100 W 0 nnnn rrrrrrrrrrrrrrrr'],
  ['ldmdb', '1110100 100 W 1 nnnn rrrrrrrrrrrrrrrr'],
  // load/store dual or exclusive, table branch
  ['strex', '1110100 0010 0 nnnn tttt dddd iiiiiiii'],
  ['ldrex', '1110100 0010 1 nnnn tttt ---- iiiiiiii'],
  ['strd', '1110100 P U 1 W 0 nnnn tttt TTTT iiiiiiii', undefined, PW],
  ['ldrd', '1110100 P U 1 W 1 nnnn tttt TTTT iiiiiiii', undefined, PW],
  ['strexb', '1110100 0110 0 nnnn tttt ---- 0100 dddd'],
  ['strexh', '1110100 0110 0 nnnn tttt ---- 0101 dddd'],
  ['tbb', '1110100 0110 1 nnnn ---- ---- 0000 mmmm'],
  ['tbh', '1110100 0110 1 nnnn ---- ---- 0001 mmmm'],
  ['ldrexb', '1110100 0110 1 nnnn tttt ---- 0100 ----'],
  ['ldrexh', '1110100 0110 1 nnnn tttt ---- 0101 ----'],
  // data processing (shifted register): moves and shifts by immediate (ORR/ORN with Rn = PC)
  ['lsl_is', '1110101 0010 S 1111 - iii dddd ii 00 mmmm'],
  ['lsr_is', '1110101 0010 S 1111 - iii dddd ii 01 mmmm'],
  ['asr_is', '1110101 0010 S 1111 - iii dddd ii 10 mmmm'],
  ['ror_is', '1110101 0010 S 1111 - iii dddd ii 11 mmmm'],
  ['mov_rw', '1110101 0010 S 1111 - 000 dddd 00 00 mmmm'],
  ['rrx', '1110101 0010 S 1111 - 000 dddd 00 11 mmmm'],
  ...dataProcessingRows(),
  // data processing (plain binary immediate)
  ['addw', '11110 i 1 0000 0 nnnn 0 iii dddd iiiiiiii'],
  ['adr_w_add', '11110 i 1 0000 0 1111 0 iii dddd iiiiiiii'],
  ['movw', '11110 I 1 0010 0 hhhh 0 iii dddd iiiiiiii'],
  ['subw', '11110 i 1 0101 0 nnnn 0 iii dddd iiiiiiii'],
  ['adr_w_sub', '11110 i 1 0101 0 1111 0 iii dddd iiiiiiii'],
  ['movt', '11110 I 1 0110 0 hhhh 0 iii dddd iiiiiiii'],
  ['ssat', '11110 - 1 100 s 0 nnnn 0 iii dddd ii - ppppp'],
  ['sbfx', '11110 - 1 1010 0 nnnn 0 iii dddd ii - wwwww'],
  ['bfi', '11110 - 1 1011 0 nnnn 0 iii dddd ii - wwwww'],
  ['bfc', '11110 - 1 1011 0 1111 0 iii dddd ii - wwwww'],
  ['usat', '11110 - 1 110 s 0 nnnn 0 iii dddd ii - ppppp'],
  ['ubfx', '11110 - 1 1110 0 nnnn 0 iii dddd ii - wwwww'],
  // branches and miscellaneous control
  ['b_c32', '11110 S cccc jjjjjj 10 J 0 K iiiiiiiiiii', undefined, (f) => f.c < 14],
  ['msr', '11110 0111 00 0 nnnn 10 0 0 kk -- xxxxxxxx', 'v6'],
  ['nop_w', '11110 0111 01 0 1111 10 0 0 0 000 00000000'],
  ['yield_w', '11110 0111 01 0 1111 10 0 0 0 000 00000001'],
  ['wfe_w', '11110 0111 01 0 1111 10 0 0 0 000 00000010'],
  ['wfi_w', '11110 0111 01 0 1111 10 0 0 0 000 00000011'],
  ['sev_w', '11110 0111 01 0 1111 10 0 0 0 000 00000100'],
  ['dbg', '11110 0111 01 0 1111 10 0 0 0 000 1111 iiii'],
  ['hint_w', '11110 0111 01 0 1111 10 0 0 0 000 iiiiiiii'],
  ['clrex', '11110 0111 01 1 1111 10 0 0 1111 0010 ----'],
  ['dsb', '11110 0111 01 1 1111 10 0 0 1111 0100 oooo', 'v6'],
  ['dmb', '11110 0111 01 1 1111 10 0 0 1111 0101 oooo', 'v6'],
  ['isb', '11110 0111 01 1 1111 10 0 0 1111 0110 oooo', 'v6'],
  ['mrs', '11110 0111 11 0 1111 10 0 0 dddd xxxxxxxx', 'v6'],
  ['udf_w', '11110 1111111 iiii 1010 iiiiiiiiiiii', 'v6'],
  ['b32', '11110 S iiiiiiiiii 10 J 1 K iiiiiiiiiii'],
  ['bl', '11110 S iiiiiiiiii 11 J 1 K iiiiiiiiiii', 'v6'],
  // store single
  ['strb_i12', '11111000 1000 nnnn tttt iiiiiiiiiiii'],
  ['strb_i8', '11111000 0000 nnnn tttt 1 P U W iiiiiiii', undefined, PW],
  ['strbt', '11111000 0000 nnnn tttt 1110 iiiiiiii'],
  ['strb_rw', '11111000 0000 nnnn tttt 000000 ii mmmm'],
  ['strh_i12', '11111000 1010 nnnn tttt iiiiiiiiiiii'],
  ['strh_i8', '11111000 0010 nnnn tttt 1 P U W iiiiiiii', undefined, PW],
  ['strht', '11111000 0010 nnnn tttt 1110 iiiiiiii'],
  ['strh_rw', '11111000 0010 nnnn tttt 000000 ii mmmm'],
  ['str_i12', '11111000 1100 nnnn tttt iiiiiiiiiiii'],
  ['str_i8', '11111000 0100 nnnn tttt 1 P U W iiiiiiii', undefined, PW],
  ['strt', '11111000 0100 nnnn tttt 1110 iiiiiiii'],
  ['str_rw', '11111000 0100 nnnn tttt 000000 ii mmmm'],
  // loads: byte, halfword, word (signed variants have bit 24 set); Rt = PC makes byte/halfword loads hints
  ...['b', 'h'].flatMap((sz): Row[] => {
    const b = sz === 'b' ? '0' : '1';
    const hintName = sz === 'b' ? 'pld' : 'nophint';
    const sHint = sz === 'b' ? 'pli' : 'nophint';
    return [
      [`ldr${sz}_i12`, `11111000 10${b}1 nnnn tttt iiiiiiiiiiii`],
      [`ldr${sz}_i8`, `11111000 00${b}1 nnnn tttt 1 P U W iiiiiiii`, undefined, PW],
      [`ldr${sz}t`, `11111000 00${b}1 nnnn tttt 1110 iiiiiiii`, undefined, RN_NOT_PC],
      [`ldr${sz}_lit`, `11111000 U 0${b}1 1111 tttt iiiiiiiiiiii`],
      [`ldr${sz}_rw`, `11111000 00${b}1 nnnn tttt 000000 ii mmmm`, undefined, RN_NOT_PC],
      [`ldrs${sz}_i12`, `11111001 10${b}1 nnnn tttt iiiiiiiiiiii`],
      [`ldrs${sz}_i8`, `11111001 00${b}1 nnnn tttt 1 P U W iiiiiiii`, undefined, PW],
      [`ldrs${sz}t`, `11111001 00${b}1 nnnn tttt 1110 iiiiiiii`, undefined, RN_NOT_PC],
      [`ldrs${sz}_lit`, `11111001 U 0${b}1 1111 tttt iiiiiiiiiiii`],
      [`ldrs${sz}_rw`, `11111001 00${b}1 nnnn tttt 000000 ii mmmm`, undefined, RN_NOT_PC],
      [`${hintName}_i12`, `11111000 10${b}1 nnnn 1111 iiiiiiiiiiii`, undefined, RN_NOT_PC],
      [`${hintName}_i8`, `11111000 00${b}1 nnnn 1111 1100 iiiiiiii`, undefined, RN_NOT_PC],
      [`${hintName}_lit`, `11111000 U 0${b}1 1111 1111 iiiiiiiiiiii`],
      [`${hintName}_r`, `11111000 00${b}1 nnnn 1111 000000 ii mmmm`, undefined, RN_NOT_PC],
      [`${sHint}_i12s`, `11111001 10${b}1 nnnn 1111 iiiiiiiiiiii`, undefined, RN_NOT_PC],
      [`${sHint}_i8s`, `11111001 00${b}1 nnnn 1111 1100 iiiiiiii`, undefined, RN_NOT_PC],
      [`${sHint}_lits`, `11111001 U 0${b}1 1111 1111 iiiiiiiiiiii`],
      [`${sHint}_rs`, `11111001 00${b}1 nnnn 1111 000000 ii mmmm`, undefined, RN_NOT_PC],
    ];
  }),
  ['ldr_i12', '11111000 1101 nnnn tttt iiiiiiiiiiii'],
  ['ldr_i8', '11111000 0101 nnnn tttt 1 P U W iiiiiiii', undefined, PW],
  ['ldrt', '11111000 0101 nnnn tttt 1110 iiiiiiii', undefined, RN_NOT_PC],
  ['ldr_lit_w', '11111000 U 101 1111 tttt iiiiiiiiiiii'],
  ['ldr_rw', '11111000 0101 nnnn tttt 000000 ii mmmm', undefined, RN_NOT_PC],
  // data processing (register)
  ['lsl_rw', '11111010 000 S nnnn 1111 dddd 0000 mmmm'],
  ['lsr_rw', '11111010 001 S nnnn 1111 dddd 0000 mmmm'],
  ['asr_rw', '11111010 010 S nnnn 1111 dddd 0000 mmmm'],
  ['ror_rw', '11111010 011 S nnnn 1111 dddd 0000 mmmm'],
  ['sxth_w', '11111010 0000 1111 1111 dddd 10 ss mmmm'],
  ['uxth_w', '11111010 0001 1111 1111 dddd 10 ss mmmm'],
  ['sxtb_w', '11111010 0100 1111 1111 dddd 10 ss mmmm'],
  ['uxtb_w', '11111010 0101 1111 1111 dddd 10 ss mmmm'],
  ['rev_w', '11111010 1001 ---- 1111 dddd 1000 mmmm'],
  ['rev16_w', '11111010 1001 ---- 1111 dddd 1001 mmmm'],
  ['rbit', '11111010 1001 ---- 1111 dddd 1010 mmmm'],
  ['revsh_w', '11111010 1001 ---- 1111 dddd 1011 mmmm'],
  ['clz', '11111010 1011 ---- 1111 dddd 1000 mmmm'],
  // multiply, multiply accumulate, long multiply, divide
  ['mla', '111110110 000 nnnn aaaa dddd 0000 mmmm'],
  ['mul_w', '111110110 000 nnnn 1111 dddd 0000 mmmm'],
  ['mls', '111110110 000 nnnn aaaa dddd 0001 mmmm'],
  ['smull', '111110111 000 nnnn llll hhhh 0000 mmmm'],
  ['sdiv', '111110111 001 nnnn ---- dddd 1111 mmmm'],
  ['umull', '111110111 010 nnnn llll hhhh 0000 mmmm'],
  ['udiv', '111110111 011 nnnn ---- dddd 1111 mmmm'],
  ['smlal', '111110111 100 nnnn llll hhhh 0000 mmmm'],
  ['umlal', '111110111 110 nnnn llll hhhh 0000 mmmm'],
  // ARMv7E-M DSP: extend and add, parallel add/subtract, saturating, SEL, packing, DSP multiplies
  ['sxtah', '11111010 0000 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ['uxtah', '11111010 0001 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ['sxtab16', '11111010 0010 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ['sxtb16', '11111010 0010 1111 1111 dddd 10 ss mmmm', 'e'],
  ['uxtab16', '11111010 0011 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ['uxtb16', '11111010 0011 1111 1111 dddd 10 ss mmmm', 'e'],
  ['sxtab', '11111010 0100 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ['uxtab', '11111010 0101 nnnn 1111 dddd 10 ss mmmm', 'e', RN_NOT_PC],
  ...PARALLEL_OPS.flatMap(([op, op1]) => PARALLEL_KINDS.map(([k, u, op2]): Row => [`${k}${op}`, `11111010 1 ${op1} nnnn 1111 dddd 0 ${u} ${op2} mmmm`, 'e'])),
  ['qadd', '11111010 1000 nnnn 1111 dddd 1000 mmmm', 'e'],
  ['qdadd', '11111010 1000 nnnn 1111 dddd 1001 mmmm', 'e'],
  ['qsub', '11111010 1000 nnnn 1111 dddd 1010 mmmm', 'e'],
  ['qdsub', '11111010 1000 nnnn 1111 dddd 1011 mmmm', 'e'],
  ['sel', '11111010 1010 nnnn 1111 dddd 1000 mmmm', 'e'],
  ['ssat16', '11110 - 1 1001 0 nnnn 0 000 dddd 00 -- pppp', 'e'],
  ['usat16', '11110 - 1 1101 0 nnnn 0 000 dddd 00 -- pppp', 'e'],
  ['pkhbt', '1110101 0110 0 nnnn - iii dddd ii 0 0 mmmm', 'e'],
  ['pkhtb', '1110101 0110 0 nnnn - iii dddd ii 1 0 mmmm', 'e'],
  ['smlaxy', '111110110 001 nnnn aaaa dddd 00 N M mmmm', 'e'],
  ['smulxy', '111110110 001 nnnn 1111 dddd 00 N M mmmm', 'e'],
  ['smlad', '111110110 010 nnnn aaaa dddd 000 X mmmm', 'e'],
  ['smuad', '111110110 010 nnnn 1111 dddd 000 X mmmm', 'e'],
  ['smlawy', '111110110 011 nnnn aaaa dddd 000 M mmmm', 'e'],
  ['smulwy', '111110110 011 nnnn 1111 dddd 000 M mmmm', 'e'],
  ['smlsd', '111110110 100 nnnn aaaa dddd 000 X mmmm', 'e'],
  ['smusd', '111110110 100 nnnn 1111 dddd 000 X mmmm', 'e'],
  ['smmla', '111110110 101 nnnn aaaa dddd 000 R mmmm', 'e'],
  ['smmul', '111110110 101 nnnn 1111 dddd 000 R mmmm', 'e'],
  ['smmls', '111110110 110 nnnn aaaa dddd 000 R mmmm', 'e'],
  ['usada8', '111110110 111 nnnn aaaa dddd 0000 mmmm', 'e'],
  ['usad8', '111110110 111 nnnn 1111 dddd 0000 mmmm', 'e'],
  ['smlalxy', '111110111 100 nnnn llll hhhh 10 N M mmmm', 'e'],
  ['smlald', '111110111 100 nnnn llll hhhh 110 X mmmm', 'e'],
  ['smlsld', '111110111 101 nnnn llll hhhh 110 X mmmm', 'e'],
  ['umaal', '111110111 110 nnnn llll hhhh 0110 mmmm', 'e'],
  // CP10/CP11: FPv4-SP on a Cortex-M4 with its FPU (fpu.ts decodes the rest; NOCP without one)
  ['vfp', '111 0 11 ---------- ---- 101- --------'],
  // coprocessor space: no other coprocessors (UsageFault NOCP)
  ['cop', '111 - 11 ---------- ----------------'],
];

function compile(row: Row): ArmEncoding {
  const [id, pattern, v6, guard] = row;
  const p = pattern.replace(/\s+/g, '');
  if (p.length !== 16 && p.length !== 32) throw new Error(`encoding ${id}: pattern has ${p.length} bits`);
  let mask = 0, value = 0, fixedBits = 0;
  const fields = new Map<string, number[]>();
  for (let i = 0; i < p.length; i++) {
    const bit = p.length - 1 - i;
    const ch = p[i]!;
    if (ch === '0' || ch === '1') {
      mask |= 1 << bit;
      if (ch === '1') value |= 1 << bit;
      fixedBits++;
    } else if (ch !== '-') {
      let l = fields.get(ch);
      if (l === undefined) { l = []; fields.set(ch, l); }
      l.push(bit);
    }
  }
  return { id, bits: p.length as 16 | 32, mask: mask >>> 0, value: value >>> 0, v6m: v6 === 'v6', dsp: v6 === 'e', fields, fixedBits, guard };
}

function byFixed(a: ArmEncoding, b: ArmEncoding): number { return b.fixedBits - a.fixedBits; }

export const ENCODINGS16: readonly ArmEncoding[] = ROWS16.map(compile).sort(byFixed);
export const ENCODINGS32: readonly ArmEncoding[] = ROWS32.map(compile).sort(byFixed);
export const ALL_ENCODINGS: readonly ArmEncoding[] = [...ENCODINGS16, ...ENCODINGS32];

{
  const seen = new Set<string>();
  for (const e of ALL_ENCODINGS) {
    if (seen.has(e.id)) throw new Error(`duplicate encoding id ${e.id}`);
    seen.add(e.id);
  }
}

/** Extract the fields of `e` from `word` (a halfword, or hw1 << 16 | hw2). */
export function fields(e: ArmEncoding, word: number): Fields {
  const out: Record<string, number> = {};
  for (const [letter, bits] of e.fields) {
    let v = 0;
    for (const b of bits) v = (v * 2) + ((word >>> b) & 1);
    out[letter] = v;
  }
  return out;
}

/** Is the halfword the first half of a 32-bit Thumb instruction? */
export const isThumb32 = (hw1: number): boolean => (hw1 >>> 11) >= 0x1d;

/** 'v7m' Cortex-M3, 'v6m' Cortex-M0, 'v7em' Cortex-M4 (DSP; FP not yet). */
export type Profile = 'v7m' | 'v6m' | 'v7em';

/** Decode a 16-bit halfword or a 32-bit word (hw1 << 16 | hw2); undefined if UNDEFINED for the profile. */
export function decode(word: number, bits: 16 | 32, profile: Profile = 'v7m'): { e: ArmEncoding; f: Fields } | undefined {
  const table = bits === 16 ? ENCODINGS16 : ENCODINGS32;
  const w = word >>> 0;
  for (const e of table) {
    if (((w & e.mask) >>> 0) !== e.value) continue;
    const f = fields(e, w);
    if (e.guard !== undefined && !e.guard(f)) continue;
    if (profile === 'v6m' && !e.v6m) return undefined;
    if (e.dsp && profile !== 'v7em') return undefined;
    return { e, f };
  }
  return undefined;
}
