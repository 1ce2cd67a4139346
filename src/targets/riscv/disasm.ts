/**
 * RISC-V disassembler producing exactly the mnemonic and operand text that
 * GNU objdump 2.40 (`riscv64-unknown-elf-objdump -d`, default options, for an
 * rv64gc / rv32gc object) prints, e.g. `li\ta0,1`, `csrr\ta0,mstatus`,
 * `sext.w\ta0,a0`, `c.nop\t3`, `.2byte\t0x8000`.
 *
 * How objdump chooses a spelling: it walks its opcode table in order and
 * prints the first entry whose bits match and whose extension is enabled
 * (I, M, A, F, D, C, Zicsr, Zifencei, plus Zba, Zbb, Zbc, Zbs, Zicbom and
 * Zicboz: the reference is objdump on objects built with
 * `-march=rv64gc_zba_zbb_zbc_zbs_zicbom_zicboz`). Aliases come first, and in
 * binutils 2.40 the register-form mnemonic precedes the immediate form, so
 * `addi` prints as `add`, `andi` as `and`, `slli` as `sll`, `addiw` as `addw`,
 * `csrrwi` as `csrrw` (unless a more specific alias such as `li`, `mv`, `not`,
 * `csrw` applies); likewise `rori` prints as `ror`, `roriw` as `rorw` and
 * `bclri`/`bexti`/`binvi`/`bseti` as `bclr`/`bext`/`binv`/`bset`. Compressed instructions print as their 32-bit alias; the
 * `c.` spelling only appears where no alias accepts the operands (HINTs such
 * as `c.nop 3`, `c.li zero,5`, `c.slli64 a0`). The tables below reproduce that
 * order for every entry that can match in those extensions.
 *
 * Differences from objdump's full output line, by design:
 *  - branch/jump targets are printed as a bare hex address (no `<symbol>`);
 *  - the trailing ` # <address>` comment objdump appends after some
 *    `auipc`/`lui`-based sequences and x0/tp/gp-relative accesses is not
 *    produced (it depends on earlier instructions, not on this word).
 */

import { ENCODINGS } from './encodings.js';
import {
  cAddi16spImm,
  cAddi4spnImm,
  cBImm,
  cImm6,
  cJImm,
  cLdImm,
  cLdspImm,
  cLwImm,
  cLwspImm,
  cSdspImm,
  cSwspImm,
} from './compressed.js';
import { csrName, fregName, xregName, type PrivSpec } from './regnames.js';

export interface DisasmOptions {
  /** Privileged spec whose CSR names are used (objdump's `-M priv-spec=`); default '1.12'. */
  readonly privSpec?: PrivSpec;
}

// ---------------------------------------------------------------------------
// Operand printing

interface Ctx {
  readonly w: number;
  readonly pc: bigint;
  readonly xlen: 32 | 64;
  readonly privSpec: PrivSpec;
}

const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn'];
const FENCE_SET = [
  'unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw',
  'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw',
];

function target(c: Ctx, offset: number): string {
  const mask = c.xlen === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  return ((c.pc + BigInt(offset)) & mask).toString(16);
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

const w = (c: Ctx): number => c.w;
const rdF = (c: Ctx): number => (w(c) >>> 7) & 31;
const rs1F = (c: Ctx): number => (w(c) >>> 15) & 31;
const rs2F = (c: Ctx): number => (w(c) >>> 20) & 31;
const crs1p = (c: Ctx): number => 8 + ((w(c) >>> 7) & 7);
const crs2p = (c: Ctx): number => 8 + ((w(c) >>> 2) & 7);

/** Operand printers, referenced from templates as `{name}`. */
const OPERANDS: Readonly<Record<string, (c: Ctx) => string>> = {
  // 32-bit formats
  rd: (c) => xregName(rdF(c)),
  rs1: (c) => xregName(rs1F(c)),
  rs2: (c) => xregName(rs2F(c)),
  frd: (c) => fregName(rdF(c)),
  frs1: (c) => fregName(rs1F(c)),
  frs2: (c) => fregName(rs2F(c)),
  frs3: (c) => fregName((w(c) >>> 27) & 31),
  immI: (c) => String(w(c) >> 20),
  immS: (c) => String(((w(c) >> 25) << 5) | ((w(c) >>> 7) & 31)),
  immU: (c) => hex(w(c) >>> 12),
  shamt6: (c) => hex((w(c) >>> 20) & 63),
  shamt5: (c) => hex((w(c) >>> 20) & 31),
  jtarget: (c) => {
    const x = w(c);
    return target(c, ((x >> 31) << 20) | (((x >>> 12) & 0xff) << 12) | (((x >>> 20) & 1) << 11) | (((x >>> 21) & 0x3ff) << 1));
  },
  btarget: (c) => {
    const x = w(c);
    return target(c, ((x >> 31) << 12) | (((x >>> 7) & 1) << 11) | (((x >>> 25) & 0x3f) << 5) | (((x >>> 8) & 0xf) << 1));
  },
  csr: (c) => {
    const n = (w(c) >>> 20) & 0xfff;
    return csrName(n, c.privSpec) ?? hex(n);
  },
  zimm: (c) => String(rs1F(c)),
  pred: (c) => FENCE_SET[(w(c) >>> 24) & 15]!,
  succ: (c) => FENCE_SET[(w(c) >>> 20) & 15]!,
  rm: (c) => RM_NAMES[(w(c) >>> 12) & 7]!,
  // 16-bit formats
  crd: (c) => xregName(rdF(c)),
  crs2: (c) => xregName((w(c) >>> 2) & 31),
  crs1p: (c) => xregName(crs1p(c)),
  crs2p: (c) => xregName(crs2p(c)),
  cfrd: (c) => fregName(rdF(c)),
  cfrs2: (c) => fregName((w(c) >>> 2) & 31),
  cfrs2p: (c) => fregName(crs2p(c)),
  cimm: (c) => String(cImm6(w(c))),
  cluiimm: (c) => hex(cImm6(w(c)) & 0xfffff),
  cshamt: (c) => hex(cImm6(w(c)) & 63),
  caddi4spn: (c) => String(cAddi4spnImm(w(c))),
  caddi16sp: (c) => String(cAddi16spImm(w(c))),
  clw: (c) => String(cLwImm(w(c))),
  cld: (c) => String(cLdImm(w(c))),
  clwsp: (c) => String(cLwspImm(w(c))),
  cldsp: (c) => String(cLdspImm(w(c))),
  cswsp: (c) => String(cSwspImm(w(c))),
  csdsp: (c) => String(cSdspImm(w(c))),
  cjtarget: (c) => target(c, cJImm(w(c))),
  cbtarget: (c) => target(c, cBImm(w(c))),
};

type Piece = string | ((c: Ctx) => string);

function compileTemplate(t: string): Piece[] {
  const out: Piece[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m.index > last) out.push(t.slice(last, m.index));
    const f = OPERANDS[m[1]!];
    if (!f) throw new Error(`unknown operand {${m[1]}} in "${t}"`);
    out.push(f);
    last = m.index + m[0].length;
  }
  if (last < t.length) out.push(t.slice(last));
  return out;
}

// ---------------------------------------------------------------------------
// Tables

type Cond = (x: number) => boolean;

interface DisOp {
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  readonly xlen: 0 | 32 | 64;
  readonly cond: Cond | undefined;
  readonly args: readonly Piece[];
}

interface Bits {
  readonly match: number;
  readonly mask: number;
}

/** Field positions usable in `fix` (value is shifted into place). */
const FIELDS = {
  rd: [7, 31],
  rs1: [15, 31],
  rs2: [20, 31],
  imm: [20, 0xfff],
  csr: [20, 0xfff],
  rm: [12, 7],
  aqrl: [25, 3],
  predsucc: [20, 0xff],
  fm: [28, 15],
} as const satisfies Record<string, readonly [number, number]>;

type Fix = Partial<Record<keyof typeof FIELDS, number>>;

function fix(b: Bits, f: Fix): Bits {
  let match = b.match;
  let mask = b.mask;
  for (const [k, v] of Object.entries(f) as [keyof typeof FIELDS, number][]) {
    const [sh, m] = FIELDS[k];
    mask |= m << sh;
    match = (match & ~(m << sh)) | ((v & m) << sh);
  }
  return { match: match >>> 0, mask: mask >>> 0 };
}

const encBits = new Map<string, Bits>();
for (const e of ENCODINGS) {
  // For shifts keep the RV64 (6-bit shamt) variant: objdump accepts it on both XLENs.
  if (e.xlen === 32 && encBits.has(e.name)) continue;
  if (e.xlen === 64 || !encBits.has(e.name)) encBits.set(e.name, { match: e.match, mask: e.mask });
}
/** Bits of a real instruction from encodings.ts; for rounding-mode forms, rm is left free. */
function I(name: string): Bits {
  const b = encBits.get(name);
  if (!b) throw new Error(`no encoding ${name}`);
  return b;
}
/** The same instruction with rm fixed to 7 (dynamic), as objdump's rm-less spelling requires. */
const dyn = (b: Bits): Bits => fix(b, { rm: 7 });
const exact = (word: number): Bits => ({ match: word >>> 0, mask: 0xffffffff });

const rdNonzero: Cond = (x) => ((x >>> 7) & 31) !== 0;
const rs2Nonzero16: Cond = (x) => ((x >>> 2) & 31) !== 0;
const cImmNonzero: Cond = (x) => cImm6(x) !== 0;
const rs1EqRs2: Cond = (x) => ((x >>> 15) & 31) === ((x >>> 20) & 31);
const and = (...cs: Cond[]): Cond => (x) => cs.every((c) => c(x));

const OPS32: DisOp[] = [];
const OPS16: DisOp[] = [];

function op32(name: string, args: string, b: Bits, xlen: 0 | 32 | 64 = 0, cond?: Cond): void {
  OPS32.push({ name, match: b.match, mask: b.mask, xlen, cond, args: compileTemplate(args) });
}
function op16(name: string, args: string, match: number, mask: number, xlen: 0 | 32 | 64 = 0, cond?: Cond): void {
  OPS16.push({ name, match, mask, xlen, cond, args: compileTemplate(args) });
}

// 16-bit base encodings (match, mask).
const C = {
  ADDI4SPN: [0x0000, 0xe003], FLD: [0x2000, 0xe003], LW: [0x4000, 0xe003], FLW_LD: [0x6000, 0xe003],
  FSD: [0xa000, 0xe003], SW: [0xc000, 0xe003], FSW_SD: [0xe000, 0xe003],
  ADDI: [0x0001, 0xe003], JAL_ADDIW: [0x2001, 0xe003], LI: [0x4001, 0xe003], LUI: [0x6001, 0xe003],
  ADDI16SP: [0x6101, 0xef83], SRLI: [0x8001, 0xec03], SRAI: [0x8401, 0xec03], ANDI: [0x8801, 0xec03],
  SUB: [0x8c01, 0xfc63], XOR: [0x8c21, 0xfc63], OR: [0x8c41, 0xfc63], AND: [0x8c61, 0xfc63],
  SUBW: [0x9c01, 0xfc63], ADDW: [0x9c21, 0xfc63], J: [0xa001, 0xe003], BEQZ: [0xc001, 0xe003],
  BNEZ: [0xe001, 0xe003], SLLI: [0x0002, 0xe003], FLDSP: [0x2002, 0xe003], LWSP: [0x4002, 0xe003],
  FLWSP_LDSP: [0x6002, 0xe003], JR: [0x8002, 0xf07f], MV: [0x8002, 0xf003], EBREAK: [0x9002, 0xffff],
  JALR: [0x9002, 0xf07f], ADD: [0x9002, 0xf003], FSDSP: [0xa002, 0xe003], SWSP: [0xc002, 0xe003],
  FSWSP_SDSP: [0xe002, 0xe003],
  SLLI64: [0x0002, 0xf07f], SRLI64: [0x8001, 0xfc7f], SRAI64: [0x8401, 0xfc7f],
} as const satisfies Record<string, readonly [number, number]>;

type CName = keyof typeof C;
function c16(name: string, args: string, base: CName, xlen: 0 | 32 | 64 = 0, cond?: Cond, extraMask = 0, extraMatch = 0): void {
  const [m, k] = C[base];
  op16(name, args, m | extraMatch, k | extraMask, xlen, cond);
}
const CI_IMM_MASK = 0x107c; // bit 12 and bits 6:2
const RD_MASK = 0xf80;

const cLuiOk: Cond = (x) => ((x >>> 7) & 31) !== 2 && cImm6(x) !== 0;

// --- 32-bit table, in objdump 2.40 order --------------------------------

op32('unimp', '', exact(0xc0001073)); // csrrw zero,cycle,zero
op32('ebreak', '', I('ebreak'));
op32('ret', '', fix(I('jalr'), { rd: 0, rs1: 1, imm: 0 }));
op32('jr', '{rs1}', fix(I('jalr'), { rd: 0, imm: 0 }));
op32('jr', '{immI}({rs1})', fix(I('jalr'), { rd: 0 }));
op32('jalr', '{rs1}', fix(I('jalr'), { rd: 1, imm: 0 }));
op32('jalr', '{immI}({rs1})', fix(I('jalr'), { rd: 1 }));
op32('jalr', '{rd},{rs1}', fix(I('jalr'), { imm: 0 }));
op32('jalr', '{rd},{immI}({rs1})', I('jalr'));
op32('j', '{jtarget}', fix(I('jal'), { rd: 0 }));
op32('jal', '{jtarget}', fix(I('jal'), { rd: 1 }));
op32('jal', '{rd},{jtarget}', I('jal'));
op32('nop', '', fix(I('addi'), { rd: 0, rs1: 0, imm: 0 }));
op32('lui', '{rd},{immU}', I('lui'));
op32('li', '{rd},{immI}', fix(I('addi'), { rs1: 0 }));
op32('mv', '{rd},{rs1}', fix(I('addi'), { imm: 0 }));
op32('zext.b', '{rd},{rs1}', fix(I('andi'), { imm: 255 }));
op32('and', '{rd},{rs1},{rs2}', I('and'));
op32('and', '{rd},{rs1},{immI}', I('andi'));
op32('beqz', '{rs1},{btarget}', fix(I('beq'), { rs2: 0 }));
op32('beq', '{rs1},{rs2},{btarget}', I('beq'));
op32('blez', '{rs2},{btarget}', fix(I('bge'), { rs1: 0 }));
op32('bgez', '{rs1},{btarget}', fix(I('bge'), { rs2: 0 }));
op32('bge', '{rs1},{rs2},{btarget}', I('bge'));
op32('bgeu', '{rs1},{rs2},{btarget}', I('bgeu'));
op32('bltz', '{rs1},{btarget}', fix(I('blt'), { rs2: 0 }));
op32('bgtz', '{rs2},{btarget}', fix(I('blt'), { rs1: 0 }));
op32('blt', '{rs1},{rs2},{btarget}', I('blt'));
op32('bltu', '{rs1},{rs2},{btarget}', I('bltu'));
op32('bnez', '{rs1},{btarget}', fix(I('bne'), { rs2: 0 }));
op32('bne', '{rs1},{rs2},{btarget}', I('bne'));
op32('add', '{rd},{rs1},{rs2}', I('add'));
op32('add', '{rd},{rs1},{immI}', I('addi'));
op32('neg', '{rd},{rs2}', fix(I('sub'), { rs1: 0 }));
op32('sll', '{rd},{rs1},{rs2}', I('sll'));
op32('sll', '{rd},{rs1},{shamt6}', I('slli'));
op32('srl', '{rd},{rs1},{rs2}', I('srl'));
op32('srl', '{rd},{rs1},{shamt6}', I('srli'));
op32('sra', '{rd},{rs1},{rs2}', I('sra'));
op32('sra', '{rd},{rs1},{shamt6}', I('srai'));
op32('sub', '{rd},{rs1},{rs2}', I('sub'));
for (const n of ['lb', 'lbu', 'lh', 'lhu', 'lw']) op32(n, '{rd},{immI}({rs1})', I(n));
op32('not', '{rd},{rs1}', fix(I('xori'), { imm: 0xfff }));
op32('or', '{rd},{rs1},{immI}', I('ori'));
op32('or', '{rd},{rs1},{rs2}', I('or'));
op32('auipc', '{rd},{immU}', I('auipc'));
op32('seqz', '{rd},{rs1}', fix(I('sltiu'), { imm: 1 }));
op32('snez', '{rd},{rs2}', fix(I('sltu'), { rs1: 0 }));
op32('sltz', '{rd},{rs1}', fix(I('slt'), { rs2: 0 }));
op32('sgtz', '{rd},{rs2}', fix(I('slt'), { rs1: 0 }));
op32('slti', '{rd},{rs1},{immI}', I('slti'));
op32('slt', '{rd},{rs1},{rs2}', I('slt'));
op32('sltiu', '{rd},{rs1},{immI}', I('sltiu'));
op32('sltu', '{rd},{rs1},{rs2}', I('sltu'));
for (const n of ['sb', 'sh', 'sw']) op32(n, '{rs2},{immS}({rs1})', I(n));
op32('fence', '', exact(0x0ff0000f));
op32('fence', '{pred},{succ}', fix(I('fence'), { fm: 0, rs1: 0, rd: 0 }));
op32('fence.i', '', exact(0x0000100f));
op32('fence.tso', '', exact(0x8330000f));
op32('rdcycle', '{rd}', fix(I('csrrs'), { csr: 0xc00, rs1: 0 }));
op32('rdinstret', '{rd}', fix(I('csrrs'), { csr: 0xc02, rs1: 0 }));
op32('rdtime', '{rd}', fix(I('csrrs'), { csr: 0xc01, rs1: 0 }));
op32('rdcycleh', '{rd}', fix(I('csrrs'), { csr: 0xc80, rs1: 0 }), 32);
op32('rdinstreth', '{rd}', fix(I('csrrs'), { csr: 0xc82, rs1: 0 }), 32);
op32('rdtimeh', '{rd}', fix(I('csrrs'), { csr: 0xc81, rs1: 0 }), 32);
op32('ecall', '', I('ecall'));
op32('xor', '{rd},{rs1},{immI}', I('xori'));
op32('xor', '{rd},{rs1},{rs2}', I('xor'));
op32('lwu', '{rd},{immI}({rs1})', I('lwu'), 64);
op32('ld', '{rd},{immI}({rs1})', I('ld'), 64);
op32('sd', '{rs2},{immS}({rs1})', I('sd'), 64);
op32('sext.w', '{rd},{rs1}', fix(I('addiw'), { imm: 0 }), 64);
op32('addw', '{rd},{rs1},{rs2}', I('addw'), 64);
op32('addw', '{rd},{rs1},{immI}', I('addiw'), 64);
op32('negw', '{rd},{rs2}', fix(I('subw'), { rs1: 0 }), 64);
op32('sllw', '{rd},{rs1},{rs2}', I('sllw'), 64);
op32('sllw', '{rd},{rs1},{shamt5}', I('slliw'), 64);
op32('srlw', '{rd},{rs1},{rs2}', I('srlw'), 64);
op32('srlw', '{rd},{rs1},{shamt5}', I('srliw'), 64);
op32('sraw', '{rd},{rs1},{rs2}', I('sraw'), 64);
op32('sraw', '{rd},{rs1},{shamt5}', I('sraiw'), 64);
op32('subw', '{rd},{rs1},{rs2}', I('subw'), 64);

// A: the ordering suffix is part of the mnemonic.
for (const [sfx, bits] of [['', 0], ['.aq', 2], ['.rl', 1], ['.aqrl', 3]] as const) {
  for (const sz of ['w', 'd'] as const) {
    const xl = sz === 'd' ? 64 : 0;
    op32(`lr.${sz}${sfx}`, '{rd},({rs1})', fix(I(`lr.${sz}`), { aqrl: bits }), xl);
    for (const n of ['sc', 'amoadd', 'amoswap', 'amoand', 'amoor', 'amoxor', 'amomax', 'amomaxu', 'amomin', 'amominu']) {
      op32(`${n}.${sz}${sfx}`, '{rd},{rs2},({rs1})', fix(I(`${n}.${sz}`), { aqrl: bits }), xl);
    }
  }
}

// M
for (const n of ['mul', 'mulh', 'mulhu', 'mulhsu', 'div', 'divu', 'rem', 'remu']) op32(n, '{rd},{rs1},{rs2}', I(n));
for (const n of ['mulw', 'divw', 'divuw', 'remw', 'remuw']) op32(n, '{rd},{rs1},{rs2}', I(n), 64);

// F (the fcsr/frm/fflags accessors come first)
const FCSR = 3;
const FRM = 2;
const FFLAGS = 1;
op32('frcsr', '{rd}', fix(I('csrrs'), { csr: FCSR, rs1: 0 }));
op32('fscsr', '{rs1}', fix(I('csrrw'), { csr: FCSR, rd: 0 }));
op32('fscsr', '{rd},{rs1}', fix(I('csrrw'), { csr: FCSR }));
op32('frrm', '{rd}', fix(I('csrrs'), { csr: FRM, rs1: 0 }));
op32('fsrm', '{rs1}', fix(I('csrrw'), { csr: FRM, rd: 0 }));
op32('fsrm', '{rd},{rs1}', fix(I('csrrw'), { csr: FRM }));
op32('fsrmi', '{rd},{zimm}', fix(I('csrrwi'), { csr: FRM }));
op32('frflags', '{rd}', fix(I('csrrs'), { csr: FFLAGS, rs1: 0 }));
op32('fsflags', '{rs1}', fix(I('csrrw'), { csr: FFLAGS, rd: 0 }));
op32('fsflags', '{rd},{rs1}', fix(I('csrrw'), { csr: FFLAGS }));
op32('fsflagsi', '{rd},{zimm}', fix(I('csrrwi'), { csr: FFLAGS }));

/** Floating-point family for one precision (s or d), in objdump's order. */
function fpArith(p: 's' | 'd'): void {
  op32(`fsgnj.${p}`, '{frd},{frs1},{frs2}', I(`fsgnj.${p}`));
  op32(`fsgnjn.${p}`, '{frd},{frs1},{frs2}', I(`fsgnjn.${p}`));
  op32(`fsgnjx.${p}`, '{frd},{frs1},{frs2}', I(`fsgnjx.${p}`));
  for (const n of ['fadd', 'fsub', 'fmul', 'fdiv']) {
    op32(`${n}.${p}`, '{frd},{frs1},{frs2}', dyn(I(`${n}.${p}`)));
    op32(`${n}.${p}`, '{frd},{frs1},{frs2},{rm}', I(`${n}.${p}`));
  }
  op32(`fsqrt.${p}`, '{frd},{frs1}', dyn(I(`fsqrt.${p}`)));
  op32(`fsqrt.${p}`, '{frd},{frs1},{rm}', I(`fsqrt.${p}`));
  op32(`fmin.${p}`, '{frd},{frs1},{frs2}', I(`fmin.${p}`));
  op32(`fmax.${p}`, '{frd},{frs1},{frs2}', I(`fmax.${p}`));
  for (const n of ['fmadd', 'fnmadd', 'fmsub', 'fnmsub']) {
    op32(`${n}.${p}`, '{frd},{frs1},{frs2},{frs3}', dyn(I(`${n}.${p}`)));
    op32(`${n}.${p}`, '{frd},{frs1},{frs2},{frs3},{rm}', I(`${n}.${p}`));
  }
}
function fpSignAliases(p: 's' | 'd'): void {
  op32(`fmv.${p}`, '{frd},{frs1}', I(`fsgnj.${p}`), 0, rs1EqRs2);
  op32(`fneg.${p}`, '{frd},{frs1}', I(`fsgnjn.${p}`), 0, rs1EqRs2);
  op32(`fabs.${p}`, '{frd},{frs1}', I(`fsgnjx.${p}`), 0, rs1EqRs2);
}
function fpCompare(p: 's' | 'd'): void {
  op32(`fclass.${p}`, '{rd},{frs1}', I(`fclass.${p}`));
  op32(`feq.${p}`, '{rd},{frs1},{frs2}', I(`feq.${p}`));
  op32(`flt.${p}`, '{rd},{frs1},{frs2}', I(`flt.${p}`));
  op32(`fle.${p}`, '{rd},{frs1},{frs2}', I(`fle.${p}`));
}
/** Conversion with optional rounding mode: spelled without it when rm is dyn. */
function fcvt(name: string, args: string, xlen: 0 | 64 = 0): void {
  op32(name, args, dyn(I(name)), xlen);
  op32(name, `${args},{rm}`, I(name), xlen);
}
/** Conversion objdump 2.40 only knows with rm=0 (exact conversions); other rm values are unknown words. */
function fcvtRne(name: string, args: string): void {
  op32(name, args, fix(I(name), { rm: 0 }));
}

op32('flw', '{frd},{immI}({rs1})', I('flw'));
op32('fsw', '{frs2},{immS}({rs1})', I('fsw'));
op32('fmv.x.w', '{rd},{frs1}', I('fmv.x.w'));
op32('fmv.w.x', '{frd},{rs1}', I('fmv.w.x'));
fpSignAliases('s');
fpArith('s');
fcvt('fcvt.w.s', '{rd},{frs1}');
fcvt('fcvt.wu.s', '{rd},{frs1}');
fcvt('fcvt.s.w', '{frd},{rs1}');
fcvt('fcvt.s.wu', '{frd},{rs1}');
fpCompare('s');
fcvt('fcvt.l.s', '{rd},{frs1}', 64);
fcvt('fcvt.lu.s', '{rd},{frs1}', 64);
fcvt('fcvt.s.l', '{frd},{rs1}', 64);
fcvt('fcvt.s.lu', '{frd},{rs1}', 64);

// D
op32('fld', '{frd},{immI}({rs1})', I('fld'));
op32('fsd', '{frs2},{immS}({rs1})', I('fsd'));
fpSignAliases('d');
fpArith('d');
fcvt('fcvt.w.d', '{rd},{frs1}');
fcvt('fcvt.wu.d', '{rd},{frs1}');
fcvtRne('fcvt.d.w', '{frd},{rs1}');
fcvtRne('fcvt.d.wu', '{frd},{rs1}');
fcvtRne('fcvt.d.s', '{frd},{frs1}');
fcvt('fcvt.s.d', '{frd},{frs1}');
fpCompare('d');
op32('fmv.x.d', '{rd},{frs1}', I('fmv.x.d'), 64);
op32('fmv.d.x', '{frd},{rs1}', I('fmv.d.x'), 64);
fcvt('fcvt.l.d', '{rd},{frs1}', 64);
fcvt('fcvt.lu.d', '{rd},{frs1}', 64);
fcvt('fcvt.d.l', '{frd},{rs1}', 64);
fcvt('fcvt.d.lu', '{frd},{rs1}', 64);

// Zba, Zbb, Zbc, Zbs (objdump 2.40 accepts a 6-bit shamt for the immediate forms on RV32 too)
op32('sh1add', '{rd},{rs1},{rs2}', I('sh1add'));
op32('sh2add', '{rd},{rs1},{rs2}', I('sh2add'));
op32('sh3add', '{rd},{rs1},{rs2}', I('sh3add'));
op32('zext.w', '{rd},{rs1}', fix(I('add.uw'), { rs2: 0 }), 64);
op32('add.uw', '{rd},{rs1},{rs2}', I('add.uw'), 64);
for (const n of ['sh1add.uw', 'sh2add.uw', 'sh3add.uw']) op32(n, '{rd},{rs1},{rs2}', I(n), 64);
op32('slli.uw', '{rd},{rs1},{shamt6}', I('slli.uw'), 64);
for (const n of ['andn', 'orn', 'xnor', 'max', 'maxu', 'min', 'minu', 'rol', 'ror']) op32(n, '{rd},{rs1},{rs2}', I(n));
for (const n of ['clz', 'ctz', 'cpop', 'sext.b', 'sext.h', 'orc.b']) op32(n, '{rd},{rs1}', I(n));
op32('ror', '{rd},{rs1},{shamt6}', I('rori'));
op32('zext.h', '{rd},{rs1}', { match: 0x08004033, mask: 0xfff0707f }, 32);
op32('zext.h', '{rd},{rs1}', { match: 0x0800403b, mask: 0xfff0707f }, 64);
op32('rev8', '{rd},{rs1}', { match: 0x69805013, mask: 0xfff0707f }, 32);
op32('rev8', '{rd},{rs1}', { match: 0x6b805013, mask: 0xfff0707f }, 64);
for (const n of ['clzw', 'ctzw', 'cpopw']) op32(n, '{rd},{rs1}', I(n), 64);
op32('rolw', '{rd},{rs1},{rs2}', I('rolw'), 64);
op32('rorw', '{rd},{rs1},{rs2}', I('rorw'), 64);
op32('rorw', '{rd},{rs1},{shamt5}', I('roriw'), 64);
for (const n of ['clmul', 'clmulh', 'clmulr']) op32(n, '{rd},{rs1},{rs2}', I(n));
for (const n of ['bclr', 'bext', 'binv', 'bset']) {
  op32(n, '{rd},{rs1},{rs2}', I(n));
  op32(n, '{rd},{rs1},{shamt6}', I(`${n}i`));
}

// Zicbom, Zicboz: MISC-MEM funct3=010 with rd=0 (not in encodings.ts: QEMU 7.2 does not implement them)
for (const [n, imm] of [['cbo.clean', 1], ['cbo.flush', 2], ['cbo.inval', 0], ['cbo.zero', 4]] as const) {
  op32(n, '({rs1})', { match: ((imm << 20) | 0x200f) >>> 0, mask: 0xfff07fff });
}

// Zicsr and privileged
op32('csrr', '{rd},{csr}', fix(I('csrrs'), { rs1: 0 }));
op32('csrw', '{csr},{rs1}', fix(I('csrrw'), { rd: 0 }));
op32('csrw', '{csr},{zimm}', fix(I('csrrwi'), { rd: 0 }));
op32('csrs', '{csr},{rs1}', fix(I('csrrs'), { rd: 0 }));
op32('csrs', '{csr},{zimm}', fix(I('csrrsi'), { rd: 0 }));
op32('csrc', '{csr},{rs1}', fix(I('csrrc'), { rd: 0 }));
op32('csrc', '{csr},{zimm}', fix(I('csrrci'), { rd: 0 }));
op32('csrrw', '{rd},{csr},{rs1}', I('csrrw'));
op32('csrrw', '{rd},{csr},{zimm}', I('csrrwi'));
op32('csrrs', '{rd},{csr},{rs1}', I('csrrs'));
op32('csrrs', '{rd},{csr},{zimm}', I('csrrsi'));
op32('csrrc', '{rd},{csr},{rs1}', I('csrrc'));
op32('csrrc', '{rd},{csr},{zimm}', I('csrrci'));
op32('uret', '', exact(0x00200073));
op32('sret', '', I('sret'));
op32('hret', '', exact(0x20200073));
op32('mret', '', I('mret'));
op32('dret', '', exact(0x7b200073));
op32('sfence.vm', '', exact(0x10400073));
op32('sfence.vm', '{rs1}', { match: 0x10400073, mask: 0xfff07fff });
op32('sfence.vma', '', fix(I('sfence.vma'), { rs1: 0, rs2: 0 }));
op32('sfence.vma', '{rs1}', fix(I('sfence.vma'), { rs2: 0 }));
op32('sfence.vma', '{rs1},{rs2}', I('sfence.vma'));
op32('wfi', '', I('wfi'));

// --- 16-bit table, in objdump 2.40 order ----------------------------------

const CLW = '{clw}({crs1p})';
const CLD = '{cld}({crs1p})';

c16('unimp', '', 'ADDI4SPN', 0, undefined, 0xffff);
c16('ebreak', '', 'EBREAK');
c16('ret', '', 'JR', 0, undefined, RD_MASK, 1 << 7);
c16('jr', '{crd}', 'JR', 0, rdNonzero);
c16('jalr', '{crd}', 'JALR', 0, rdNonzero);
c16('j', '{cjtarget}', 'J');
c16('jal', '{cjtarget}', 'JAL_ADDIW', 32);
c16('nop', '', 'ADDI', 0, undefined, 0xffff);
c16('lui', '{crd},{cluiimm}', 'LUI', 0, and(rdNonzero, cLuiOk));
c16('li', '{crd},{cimm}', 'LI', 0, rdNonzero);
c16('mv', '{crd},{crs2}', 'MV', 0, and(rdNonzero, rs2Nonzero16));
c16('and', '{crs1p},{crs1p},{crs2p}', 'AND');
c16('and', '{crs1p},{crs1p},{cimm}', 'ANDI');
c16('beqz', '{crs1p},{cbtarget}', 'BEQZ');
c16('bnez', '{crs1p},{cbtarget}', 'BNEZ');
c16('add', '{crd},{crd},{crs2}', 'ADD', 0, and(rdNonzero, rs2Nonzero16));
c16('add', '{crd},{crd},{cimm}', 'ADDI', 0, rdNonzero);
c16('add', '{crs2p},sp,{caddi4spn}', 'ADDI4SPN', 0, (x) => cAddi4spnImm(x) !== 0);
c16('add', 'sp,sp,{caddi16sp}', 'ADDI16SP');
c16('sll', '{crd},{crd},{cshamt}', 'SLLI', 0, and(rdNonzero, cImmNonzero));
c16('srl', '{crs1p},{crs1p},{cshamt}', 'SRLI', 0, cImmNonzero);
c16('sra', '{crs1p},{crs1p},{cshamt}', 'SRAI', 0, cImmNonzero);
c16('sub', '{crs1p},{crs1p},{crs2p}', 'SUB');
c16('lw', '{crd},{clwsp}(sp)', 'LWSP', 0, rdNonzero);
c16('lw', `{crs2p},${CLW}`, 'LW');
c16('or', '{crs1p},{crs1p},{crs2p}', 'OR');
c16('sw', '{crs2},{cswsp}(sp)', 'SWSP');
c16('sw', `{crs2p},${CLW}`, 'SW');
c16('xor', '{crs1p},{crs1p},{crs2p}', 'XOR');
c16('ld', '{crd},{cldsp}(sp)', 'FLWSP_LDSP', 64, rdNonzero);
c16('ld', `{crs2p},${CLD}`, 'FLW_LD', 64);
c16('sd', '{crs2},{csdsp}(sp)', 'FSWSP_SDSP', 64);
c16('sd', `{crs2p},${CLD}`, 'FSW_SD', 64);
c16('sext.w', '{crd},{crd}', 'JAL_ADDIW', 64, rdNonzero, CI_IMM_MASK);
c16('addw', '{crs1p},{crs1p},{crs2p}', 'ADDW', 64);
c16('addw', '{crd},{crd},{cimm}', 'JAL_ADDIW', 64, rdNonzero);
c16('subw', '{crs1p},{crs1p},{crs2p}', 'SUBW', 64);
c16('flw', '{cfrd},{clwsp}(sp)', 'FLWSP_LDSP', 32);
c16('flw', `{cfrs2p},${CLW}`, 'FLW_LD', 32);
c16('fsw', '{cfrs2},{cswsp}(sp)', 'FSWSP_SDSP', 32);
c16('fsw', `{cfrs2p},${CLW}`, 'FSW_SD', 32);
c16('fld', '{cfrd},{cldsp}(sp)', 'FLDSP');
c16('fld', `{cfrs2p},${CLD}`, 'FLD');
c16('fsd', '{cfrs2},{csdsp}(sp)', 'FSDSP');
c16('fsd', `{cfrs2p},${CLD}`, 'FSD');
// The `c.` spellings: only reached by HINTs and encodings no alias accepts.
c16('c.nop', '{cimm}', 'ADDI', 0, undefined, RD_MASK);
c16('c.mv', '{crd},{crs2}', 'MV', 0, rs2Nonzero16);
c16('c.lui', '{crd},{cluiimm}', 'LUI', 0, cLuiOk);
c16('c.li', '{crd},{cimm}', 'LI');
c16('c.addi4spn', '{crs2p},sp,{caddi4spn}', 'ADDI4SPN', 0, (x) => cAddi4spnImm(x) !== 0);
c16('c.addi', '{crd},{cimm}', 'ADDI');
c16('c.add', '{crd},{crs2}', 'ADD', 0, rs2Nonzero16);
c16('c.slli', '{crd},{cshamt}', 'SLLI', 0, cImmNonzero);
c16('c.slli64', '{crd}', 'SLLI64', 0, (x) => cImm6(x) === 0);
c16('c.srli64', '{crs1p}', 'SRLI64', 0, (x) => cImm6(x) === 0);
c16('c.srai64', '{crs1p}', 'SRAI64', 0, (x) => cImm6(x) === 0);

// Index the tables by major opcode (32-bit) / quadrant (16-bit), keeping order.
function index(ops: readonly DisOp[], keyMask: number, n: number): readonly (readonly DisOp[])[] {
  const buckets: DisOp[][] = Array.from({ length: n }, () => []);
  for (const o of ops) buckets[o.match & keyMask]!.push(o);
  return buckets;
}
const BY_OPCODE = index(OPS32, 0x7f, 128);
const BY_QUADRANT = index(OPS16, 3, 4);

// ---------------------------------------------------------------------------

/**
 * Disassemble one instruction as objdump prints it: the mnemonic, then (if it
 * has operands) a tab and the comma-separated operands. `size` is the
 * instruction length in bytes (2 for RVC); pc-relative targets are computed
 * from `pc` (default 0) and printed as bare hex.
 */
export function disassemble(word: number, size: 2 | 4, xlen: 32 | 64, pc: bigint = 0n, options: DisasmOptions = {}): string {
  const x = size === 2 ? word & 0xffff : word >>> 0;
  const bucket = size === 2 ? BY_QUADRANT[x & 3]! : BY_OPCODE[x & 0x7f]!;
  for (const o of bucket) {
    if (((x & o.mask) >>> 0) !== o.match) continue;
    if (o.xlen !== 0 && o.xlen !== xlen) continue;
    if (o.cond && !o.cond(x)) continue;
    if (o.args.length === 0) return o.name;
    const ctx: Ctx = { w: x, pc, xlen, privSpec: options.privSpec ?? '1.12' };
    let s = o.name + '\t';
    for (const p of o.args) s += typeof p === 'string' ? p : p(ctx);
    return s;
  }
  return `.${size}byte\t0x${x.toString(16)}`;
}

/** Length in bytes of the instruction whose first halfword is `half` (2 or 4; longer encodings are not supported). */
export function instructionLength(half: number): 2 | 4 {
  return (half & 3) !== 3 ? 2 : 4;
}
