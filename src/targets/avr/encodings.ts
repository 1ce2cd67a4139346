/**
 * The ATmega328P (AVRe+) instruction set as data: one line per encoding, with its bit pattern
 * (fields named by letters, MSB first, as in the AVR Instruction Set Manual), its operand syntax,
 * its cycle count and how it uses SREG. The decoder, the disassembler and the test assembler are
 * all derived from this table.
 *
 * Pattern letters: `d` destination register, `r` source register, `K` immediate, `k` address or
 * relative offset, `A` I/O address, `b` bit number, `s` SREG bit, `q` displacement. A 32-bit
 * pattern is two words: the first word fetched, then the second.
 *
 * Operand kinds (how a field becomes an operand):
 * - `Rd`/`Rr`: r0..r31 from 5 bits; `Rd16`/`Rr16`: r16 + field (4 or 3 bits);
 *   `Rd2`/`Rr2`: register pair 2 × field (MOVW); `Rw`: r24 + 2 × field (ADIW/SBIW);
 * - `K`: unsigned immediate; `A`: I/O address (0..63 or 0..31); `b`, `s`: bit numbers;
 * - `k7`/`k12`: signed word offset relative to the next instruction; `k22`: absolute word address;
 *   `k16`: data-space address (LDS/STS);
 * - pointer operands `X`, `X+`, `-X`, `Y`, `Y+`, `-Y`, `Z`, `Z+`, `-Z`, and `Y+q`/`Z+q`.
 */

/** SREG bit numbers. */
export const SREG = { C: 0, Z: 1, N: 2, V: 3, S: 4, H: 5, T: 6, I: 7 } as const;

/** Where an instruction may send the PC (the `discons` checker and block formation use it). */
export type AvrFlow = 'seq' | 'branch' | 'skip' | 'jump' | 'call' | 'ret' | 'reti' | 'sleep';

export interface AvrEncoding {
  /** Unique id: the semantics and tests key on it (`ld_xi` is `ld Rd, X+`). */
  readonly id: string;
  /** Assembly mnemonic as avr-as spells it. */
  readonly mnemonic: string;
  /** 16 or 32 characters of `0`, `1` and field letters (spaces ignored). */
  readonly pattern: string;
  /** Operands in assembly order, comma-separated kinds (see the module comment). */
  readonly operands: string;
  /** Cycles when not branching/skipping (ATmega328P: 2-byte PC, AVRe+ column of the manual). */
  readonly cycles: number;
  /** SREG bits the instruction writes unconditionally (letters of ITHSVNZC). */
  readonly writes: string;
  /** SREG bits it reads ('*': may read the whole of SREG, e.g. through the data space). */
  readonly reads: string;
  readonly flow: AvrFlow;
}

type Row = [id: string, mnemonic: string, pattern: string, operands: string, cycles: number, writes: string, reads: string, flow?: AvrFlow];

const ARITH = 'HSVNZC';
const LOGIC = 'SVNZ';

/**
 * The table. Order does not matter for decoding: more specific patterns (more fixed bits) win.
 * Cycle counts: AVR Instruction Set Manual (DS40002198), AVRe+ column, 16-bit PC.
 */
const ROWS: readonly Row[] = [
  // arithmetic and logic
  ['add', 'add', '0000 11rd dddd rrrr', 'Rd,Rr', 1, ARITH, ''],
  ['adc', 'adc', '0001 11rd dddd rrrr', 'Rd,Rr', 1, ARITH, 'C'],
  ['adiw', 'adiw', '1001 0110 KKdd KKKK', 'Rw,K', 2, 'SVNZC', ''],
  ['sub', 'sub', '0001 10rd dddd rrrr', 'Rd,Rr', 1, ARITH, ''],
  ['subi', 'subi', '0101 KKKK dddd KKKK', 'Rd16,K', 1, ARITH, ''],
  ['sbc', 'sbc', '0000 10rd dddd rrrr', 'Rd,Rr', 1, 'HSVNC', 'CZ'],
  ['sbci', 'sbci', '0100 KKKK dddd KKKK', 'Rd16,K', 1, 'HSVNC', 'CZ'],
  ['sbiw', 'sbiw', '1001 0111 KKdd KKKK', 'Rw,K', 2, 'SVNZC', ''],
  ['and', 'and', '0010 00rd dddd rrrr', 'Rd,Rr', 1, LOGIC, ''],
  ['andi', 'andi', '0111 KKKK dddd KKKK', 'Rd16,K', 1, LOGIC, ''],
  ['or', 'or', '0010 10rd dddd rrrr', 'Rd,Rr', 1, LOGIC, ''],
  ['ori', 'ori', '0110 KKKK dddd KKKK', 'Rd16,K', 1, LOGIC, ''],
  ['eor', 'eor', '0010 01rd dddd rrrr', 'Rd,Rr', 1, LOGIC, ''],
  ['com', 'com', '1001 010d dddd 0000', 'Rd', 1, 'SVNZC', ''],
  ['neg', 'neg', '1001 010d dddd 0001', 'Rd', 1, ARITH, ''],
  ['inc', 'inc', '1001 010d dddd 0011', 'Rd', 1, 'SVNZ', ''],
  ['dec', 'dec', '1001 010d dddd 1010', 'Rd', 1, 'SVNZ', ''],
  ['mul', 'mul', '1001 11rd dddd rrrr', 'Rd,Rr', 2, 'ZC', ''],
  ['muls', 'muls', '0000 0010 dddd rrrr', 'Rd16,Rr16', 2, 'ZC', ''],
  ['mulsu', 'mulsu', '0000 0011 0ddd 0rrr', 'Rd16,Rr16', 2, 'ZC', ''],
  ['fmul', 'fmul', '0000 0011 0ddd 1rrr', 'Rd16,Rr16', 2, 'ZC', ''],
  ['fmuls', 'fmuls', '0000 0011 1ddd 0rrr', 'Rd16,Rr16', 2, 'ZC', ''],
  ['fmulsu', 'fmulsu', '0000 0011 1ddd 1rrr', 'Rd16,Rr16', 2, 'ZC', ''],
  // branches
  ['rjmp', 'rjmp', '1100 kkkk kkkk kkkk', 'k12', 2, '', '', 'jump'],
  ['ijmp', 'ijmp', '1001 0100 0000 1001', '', 2, '', '', 'jump'],
  ['jmp', 'jmp', '1001 010k kkkk 110k kkkk kkkk kkkk kkkk', 'k22', 3, '', '', 'jump'],
  ['rcall', 'rcall', '1101 kkkk kkkk kkkk', 'k12', 3, '', '', 'call'],
  ['icall', 'icall', '1001 0101 0000 1001', '', 3, '', '', 'call'],
  ['call', 'call', '1001 010k kkkk 111k kkkk kkkk kkkk kkkk', 'k22', 4, '', '', 'call'],
  ['ret', 'ret', '1001 0101 0000 1000', '', 4, '', '', 'ret'],
  ['reti', 'reti', '1001 0101 0001 1000', '', 4, 'I', '', 'reti'],
  ['cpse', 'cpse', '0001 00rd dddd rrrr', 'Rd,Rr', 1, '', '', 'skip'],
  ['cp', 'cp', '0001 01rd dddd rrrr', 'Rd,Rr', 1, ARITH, ''],
  ['cpc', 'cpc', '0000 01rd dddd rrrr', 'Rd,Rr', 1, 'HSVNC', 'CZ'],
  ['cpi', 'cpi', '0011 KKKK dddd KKKK', 'Rd16,K', 1, ARITH, ''],
  ['sbrc', 'sbrc', '1111 110r rrrr 0bbb', 'Rr,b', 1, '', '', 'skip'],
  ['sbrs', 'sbrs', '1111 111r rrrr 0bbb', 'Rr,b', 1, '', '', 'skip'],
  ['sbic', 'sbic', '1001 1001 AAAA Abbb', 'A,b', 1, '', '', 'skip'],
  ['sbis', 'sbis', '1001 1011 AAAA Abbb', 'A,b', 1, '', '', 'skip'],
  ['brbs', 'brbs', '1111 00kk kkkk ksss', 's,k7', 1, '', '*', 'branch'],
  ['brbc', 'brbc', '1111 01kk kkkk ksss', 's,k7', 1, '', '*', 'branch'],
  // data transfer
  ['mov', 'mov', '0010 11rd dddd rrrr', 'Rd,Rr', 1, '', ''],
  ['movw', 'movw', '0000 0001 dddd rrrr', 'Rd2,Rr2', 1, '', ''],
  ['ldi', 'ldi', '1110 KKKK dddd KKKK', 'Rd16,K', 1, '', ''],
  ['lds', 'lds', '1001 000d dddd 0000 kkkk kkkk kkkk kkkk', 'Rd,k16', 2, '', '*'],
  ['ld_x', 'ld', '1001 000d dddd 1100', 'Rd,X', 2, '', '*'],
  ['ld_xi', 'ld', '1001 000d dddd 1101', 'Rd,X+', 2, '', '*'],
  ['ld_xd', 'ld', '1001 000d dddd 1110', 'Rd,-X', 2, '', '*'],
  ['ld_y', 'ld', '1000 000d dddd 1000', 'Rd,Y', 2, '', '*'],
  ['ld_yi', 'ld', '1001 000d dddd 1001', 'Rd,Y+', 2, '', '*'],
  ['ld_yd', 'ld', '1001 000d dddd 1010', 'Rd,-Y', 2, '', '*'],
  ['ldd_y', 'ldd', '10q0 qq0d dddd 1qqq', 'Rd,Y+q', 2, '', '*'],
  ['ld_z', 'ld', '1000 000d dddd 0000', 'Rd,Z', 2, '', '*'],
  ['ld_zi', 'ld', '1001 000d dddd 0001', 'Rd,Z+', 2, '', '*'],
  ['ld_zd', 'ld', '1001 000d dddd 0010', 'Rd,-Z', 2, '', '*'],
  ['ldd_z', 'ldd', '10q0 qq0d dddd 0qqq', 'Rd,Z+q', 2, '', '*'],
  ['sts', 'sts', '1001 001r rrrr 0000 kkkk kkkk kkkk kkkk', 'k16,Rr', 2, '', '*'],
  ['st_x', 'st', '1001 001r rrrr 1100', 'X,Rr', 2, '', '*'],
  ['st_xi', 'st', '1001 001r rrrr 1101', 'X+,Rr', 2, '', '*'],
  ['st_xd', 'st', '1001 001r rrrr 1110', '-X,Rr', 2, '', '*'],
  ['st_y', 'st', '1000 001r rrrr 1000', 'Y,Rr', 2, '', '*'],
  ['st_yi', 'st', '1001 001r rrrr 1001', 'Y+,Rr', 2, '', '*'],
  ['st_yd', 'st', '1001 001r rrrr 1010', '-Y,Rr', 2, '', '*'],
  ['std_y', 'std', '10q0 qq1r rrrr 1qqq', 'Y+q,Rr', 2, '', '*'],
  ['st_z', 'st', '1000 001r rrrr 0000', 'Z,Rr', 2, '', '*'],
  ['st_zi', 'st', '1001 001r rrrr 0001', 'Z+,Rr', 2, '', '*'],
  ['st_zd', 'st', '1001 001r rrrr 0010', '-Z,Rr', 2, '', '*'],
  ['std_z', 'std', '10q0 qq1r rrrr 0qqq', 'Z+q,Rr', 2, '', '*'],
  ['lpm', 'lpm', '1001 0101 1100 1000', '', 3, '', ''],
  ['lpm_z', 'lpm', '1001 000d dddd 0100', 'Rd,Z', 3, '', ''],
  ['lpm_zi', 'lpm', '1001 000d dddd 0101', 'Rd,Z+', 3, '', ''],
  ['elpm', 'elpm', '1001 0101 1101 1000', '', 3, '', ''],
  ['elpm_z', 'elpm', '1001 000d dddd 0110', 'Rd,Z', 3, '', ''],
  ['elpm_zi', 'elpm', '1001 000d dddd 0111', 'Rd,Z+', 3, '', ''],
  ['spm', 'spm', '1001 0101 1110 1000', '', 1, '', ''],
  ['in', 'in', '1011 0AAd dddd AAAA', 'Rd,A', 1, '', '*'],
  ['out', 'out', '1011 1AAr rrrr AAAA', 'A,Rr', 1, '', '*'],
  ['push', 'push', '1001 001r rrrr 1111', 'Rr', 2, '', '*'],
  ['pop', 'pop', '1001 000d dddd 1111', 'Rd', 2, '', '*'],
  // bit and bit-test
  ['lsr', 'lsr', '1001 010d dddd 0110', 'Rd', 1, 'SVNZC', ''],
  ['ror', 'ror', '1001 010d dddd 0111', 'Rd', 1, 'SVNZC', 'C'],
  ['asr', 'asr', '1001 010d dddd 0101', 'Rd', 1, 'SVNZC', ''],
  ['swap', 'swap', '1001 010d dddd 0010', 'Rd', 1, '', ''],
  ['sbi', 'sbi', '1001 1010 AAAA Abbb', 'A,b', 2, '', '*'],
  ['cbi', 'cbi', '1001 1000 AAAA Abbb', 'A,b', 2, '', '*'],
  ['bst', 'bst', '1111 101d dddd 0bbb', 'Rd,b', 1, 'T', ''],
  ['bld', 'bld', '1111 100d dddd 0bbb', 'Rd,b', 1, '', 'T'],
  ['bset', 'bset', '1001 0100 0sss 1000', 's', 1, '', ''],
  ['bclr', 'bclr', '1001 0100 1sss 1000', 's', 1, '', ''],
  // MCU control
  ['nop', 'nop', '0000 0000 0000 0000', '', 1, '', ''],
  ['sleep', 'sleep', '1001 0101 1000 1000', '', 1, '', '', 'sleep'],
  ['wdr', 'wdr', '1001 0101 1010 1000', '', 1, '', ''],
  ['break', 'break', '1001 0101 1001 1000', '', 1, '', ''],
];

function build(row: Row): AvrEncoding {
  const [id, mnemonic, pattern, operands, cycles, writes, reads, flow] = row;
  return { id, mnemonic, pattern: pattern.replace(/ /g, ''), operands, cycles, writes, reads, flow: flow ?? 'seq' };
}

export const ENCODINGS: readonly AvrEncoding[] = ROWS.map(build);
export const BY_ID: ReadonlyMap<string, AvrEncoding> = new Map(ENCODINGS.map((e) => [e.id, e]));

/** Bits of `letters` in a SREG mask. */
export function sregMask(letters: string): number {
  if (letters === '*') return 0xff;
  let m = 0;
  for (const c of letters) m |= 1 << SREG[c as keyof typeof SREG];
  return m;
}

/** Fixed-bit mask and value of a pattern's first word. */
function firstWord(p: string): { mask: number; match: number } {
  let mask = 0, match = 0;
  for (let i = 0; i < 16; i++) {
    const c = p[i]!;
    if (c === '0' || c === '1') { mask |= 1 << (15 - i); if (c === '1') match |= 1 << (15 - i); }
  }
  return { mask, match };
}

let table: Uint8Array | undefined;

/** 65536 entries: index + 1 into ENCODINGS of the first word, 0 for undefined opcodes. */
function decodeTable(): Uint8Array {
  if (table !== undefined) return table;
  const t = new Uint8Array(65536);
  const order = ENCODINGS.map((e, i) => ({ i, ...firstWord(e.pattern) }));
  const bits = (m: number) => { let n = 0; for (; m; m &= m - 1) n++; return n; };
  order.sort((a, b) => bits(b.mask) - bits(a.mask));
  for (const { i, mask, match } of order) {
    // enumerate the free bits of the first word
    const free = ~mask & 0xffff;
    let sub = 0;
    do {
      const w = match | sub;
      if (t[w] === 0) t[w] = i + 1;
      sub = (sub - free) & free;
    } while (sub !== 0);
  }
  table = t;
  return t;
}

/** The encoding of an instruction by its first word, or undefined (not an ATmega328P instruction). */
export function decode(w0: number): AvrEncoding | undefined {
  const i = decodeTable()[w0 & 0xffff]!;
  return i === 0 ? undefined : ENCODINGS[i - 1];
}

/** True if the instruction starting with `w0` is two words long (LDS, STS, JMP, CALL). */
export function isTwoWord(w0: number): boolean {
  const e = decode(w0);
  return e !== undefined && e.pattern.length === 32;
}

/** The value of field `letter` in an instruction (`w` = first word << 16 | second word for 32-bit ones). */
export function field(e: AvrEncoding, w0: number, w1: number, letter: string): number {
  const p = e.pattern;
  let v = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== letter) continue;
    const bit = i < 16 ? (w0 >> (15 - i)) & 1 : (w1 >> (31 - i)) & 1;
    v = v * 2 + bit;
  }
  return v;
}

/** Width of field `letter` in bits. */
export function fieldWidth(e: AvrEncoding, letter: string): number {
  let n = 0;
  for (const c of e.pattern) if (c === letter) n++;
  return n;
}

/** Put `value` into field `letter` of a pattern: returns [w0, w1]. */
export function encodeField(e: AvrEncoding, words: [number, number], letter: string, value: number): [number, number] {
  const p = e.pattern;
  let [w0, w1] = words;
  let k = fieldWidth(e, letter);
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== letter) continue;
    k--;
    const bit = Math.floor(value / 2 ** k) & 1;
    if (i < 16) w0 |= bit << (15 - i); else w1 |= bit << (31 - i);
  }
  return [w0 & 0xffff, w1 & 0xffff];
}

/** The fixed bits of a pattern: [w0, w1]. */
export function baseWords(e: AvrEncoding): [number, number] {
  let w0 = 0, w1 = 0;
  for (let i = 0; i < e.pattern.length; i++) {
    if (e.pattern[i] !== '1') continue;
    if (i < 16) w0 |= 1 << (15 - i); else w1 |= 1 << (31 - i);
  }
  return [w0, w1];
}

/** Decoded operands of one instruction, ready for semantics and disassembly. */
export interface AvrOperands {
  /** Destination (or only) register number; for Rd2/Rw the low register of the pair. */
  d: number;
  /** Source register number. */
  r: number;
  /** Immediate. */
  K: number;
  /** I/O address (0..63), data address (k16), absolute word address (k22) or signed word offset (k7/k12). */
  k: number;
  A: number;
  b: number;
  s: number;
  q: number;
}

/** Operands of an instruction, with register numbers and offsets already mapped. */
export function operands(e: AvrEncoding, w0: number, w1: number): AvrOperands {
  const o: AvrOperands = { d: 0, r: 0, K: 0, k: 0, A: 0, b: 0, s: 0, q: 0 };
  for (const kind of e.operands.split(',')) {
    switch (kind) {
      case 'Rd': o.d = field(e, w0, w1, 'd'); break;
      case 'Rr': o.r = field(e, w0, w1, 'r'); break;
      case 'Rd16': o.d = 16 + field(e, w0, w1, 'd'); break;
      case 'Rr16': o.r = 16 + field(e, w0, w1, 'r'); break;
      case 'Rd2': o.d = 2 * field(e, w0, w1, 'd'); break;
      case 'Rr2': o.r = 2 * field(e, w0, w1, 'r'); break;
      case 'Rw': o.d = 24 + 2 * field(e, w0, w1, 'd'); break;
      case 'K': o.K = field(e, w0, w1, 'K'); break;
      case 'A': o.A = field(e, w0, w1, 'A'); break;
      case 'b': o.b = field(e, w0, w1, 'b'); break;
      case 's': o.s = field(e, w0, w1, 's'); break;
      case 'k7': { const v = field(e, w0, w1, 'k'); o.k = v >= 64 ? v - 128 : v; break; }
      case 'k12': { const v = field(e, w0, w1, 'k'); o.k = v >= 2048 ? v - 4096 : v; break; }
      case 'k22': case 'k16': o.k = field(e, w0, w1, 'k'); break;
      case 'Y+q': case 'Z+q': o.q = field(e, w0, w1, 'q'); break;
      default: break; // pointer operands and the empty list carry no field
    }
  }
  return o;
}
