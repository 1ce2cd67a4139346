/**
 * Encoding F/D instructions (the test assembler, src/targets/riscv/test-support/asm.ts, knows the
 * integer ones only): 32-bit words from encodings.ts's table, emitted as `.word`, and the
 * compressed FP loads/stores, emitted as `.half` and checked against the project's RVC expansion.
 */
import { decode, ENCODINGS, expandCompressed, type Encoding } from './deps.js';
import type { Xlen } from './layout.js';

export const FP_ENCODINGS: readonly Encoding[] = ENCODINGS.filter((e) => e.ext === 'F' || e.ext === 'D');

export function fpEncoding(name: string, xlen: Xlen): Encoding {
  const e = FP_ENCODINGS.find((x) => x.name === name && (x.xlen === undefined || x.xlen === xlen));
  if (e === undefined) throw new Error(`no F/D encoding ${name} on RV${xlen}`);
  return e;
}

/** Instructions whose rd is an x register. */
export const WRITES_X = new Set([
  'fcvt.w.s', 'fcvt.wu.s', 'fcvt.l.s', 'fcvt.lu.s', 'fmv.x.w', 'feq.s', 'flt.s', 'fle.s', 'fclass.s',
  'fcvt.w.d', 'fcvt.wu.d', 'fcvt.l.d', 'fcvt.lu.d', 'fmv.x.d', 'feq.d', 'flt.d', 'fle.d', 'fclass.d',
]);
/** Instructions whose rs1 is an x register (besides loads/stores, where it is the base). */
export const READS_X = new Set([
  'fcvt.s.w', 'fcvt.s.wu', 'fcvt.s.l', 'fcvt.s.lu', 'fmv.w.x', 'fcvt.d.w', 'fcvt.d.wu', 'fcvt.d.l', 'fcvt.d.lu', 'fmv.d.x',
]);

export interface FpFields { rd: number; rs1: number; rs2?: number; rs3?: number; rm?: number }

/** The word of `e` with the given fields (fixed bits of the table win over the fields). */
export function fpWord(e: Encoding, f: FpFields): number {
  let w = (f.rd << 7) | (f.rs1 << 15) | ((f.rs2 ?? 0) << 20) | ((f.rs3 ?? 0) << 27) | ((f.rm ?? 0) << 12);
  w = (e.match | (w & ~e.mask)) >>> 0;
  return w;
}

/** `.word` text with the mnemonic as a comment. */
export function wordText(w: number, what: string): string {
  return `.word 0x${(w >>> 0).toString(16).padStart(8, '0')} # ${what}`;
}

const I = (op: number, f3: number, rd: number, rs1: number, imm: number): number => ((((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0);
const S = (op: number, f3: number, rs1: number, rs2: number, imm: number): number =>
  (((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0);

export const flwWord = (rd: number, rs1: number, imm: number): number => I(0x07, 2, rd, rs1, imm);
export const fldWord = (rd: number, rs1: number, imm: number): number => I(0x07, 3, rd, rs1, imm);
export const fswWord = (rs2: number, rs1: number, imm: number): number => S(0x27, 2, rs1, rs2, imm);
export const fsdWord = (rs2: number, rs1: number, imm: number): number => S(0x27, 3, rs1, rs2, imm);

/** `fld fN, off(xR)` etc. as assembler text. */
export const fld = (rd: number, rs1: number, imm: number): string => wordText(fldWord(rd, rs1, imm), `fld f${rd}, ${imm}(x${rs1})`);
export const fsd = (rs2: number, rs1: number, imm: number): string => wordText(fsdWord(rs2, rs1, imm), `fsd f${rs2}, ${imm}(x${rs1})`);

const b = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

/**
 * Compressed FP loads/stores. `kind`: c.fld c.fsd c.flw c.fsw (x8..x15 base, 3-bit registers) or
 * c.fldsp c.fsdsp c.flwsp c.fswsp (sp base). `r` is the f register (full number for the sp forms,
 * 8..15 for the others), `base` x8..x15. The word is checked against the RVC expansion.
 */
export function cfp(xlen: Xlen, kind: string, r: number, base: number, off: number): number {
  let h: number;
  const rp = r - 8, bp = base - 8;
  switch (kind) {
    case 'c.fld': case 'c.fsd':
      h = ((kind === 'c.fld' ? 1 : 5) << 13) | (b(off, 5, 3) << 10) | (bp << 7) | (b(off, 7, 6) << 5) | (rp << 2);
      break;
    case 'c.flw': case 'c.fsw':
      h = ((kind === 'c.flw' ? 3 : 7) << 13) | (b(off, 5, 3) << 10) | (bp << 7) | (b(off, 2, 2) << 6) | (b(off, 6, 6) << 5) | (rp << 2);
      break;
    case 'c.fldsp':
      h = (1 << 13) | (b(off, 5, 5) << 12) | (r << 7) | (b(off, 4, 3) << 5) | (b(off, 8, 6) << 2) | 2;
      break;
    case 'c.fsdsp':
      h = (5 << 13) | (b(off, 5, 3) << 10) | (b(off, 8, 6) << 7) | (r << 2) | 2;
      break;
    case 'c.flwsp':
      h = (3 << 13) | (b(off, 5, 5) << 12) | (r << 7) | (b(off, 4, 2) << 4) | (b(off, 7, 6) << 2) | 2;
      break;
    case 'c.fswsp':
      h = (7 << 13) | (b(off, 5, 2) << 9) | (b(off, 7, 6) << 7) | (r << 2) | 2;
      break;
    default: throw new Error(`cfp: ${kind}`);
  }
  // check: the expansion is the 32-bit load/store with the same operands
  const sp = kind.endsWith('sp');
  const rb = sp ? 2 : base;
  const dbl = kind.startsWith('c.fld') || kind.startsWith('c.fsd');
  const store = kind.startsWith('c.fs');
  const want = store ? (dbl ? fsdWord(r, rb, off) : fswWord(r, rb, off)) : dbl ? fldWord(r, rb, off) : flwWord(r, rb, off);
  const got = expandCompressed(h, xlen);
  if (got !== want) throw new Error(`cfp: ${kind} f${r}, ${off}(x${rb}) encodes 0x${h.toString(16)} expanding to 0x${got.toString(16)}, want 0x${want.toString(16)}`);
  return h;
}

/** True if the word decodes on this XLEN (F/D legality as the built tracehook sees it). */
export const legal = (w: number, xlen: Xlen): boolean => decode(w, xlen) !== undefined;
