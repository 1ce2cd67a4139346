/**
 * RISC-V instruction semantics, emitted as JavaScript, one instruction per entry. The same
 * entries serve RV32 and RV64 through {@link Gen}, which knows how XLEN-wide values are held
 * (one Int32 for RV32; lo/hi Int32 halves for RV64).
 *
 * Conventions inside a block function `tb(s)`: `x` is the register file, `s` the hart. Every
 * instruction sits in its own `{ }` scope. Leaving the block sets the PC, adds the number of
 * instructions executed to `s.icount` and returns.
 */
import type { EmitContext, FlowEmitter } from '../../core/blockgen.js';
import { Flow, type FlowKind } from '../../plugin/api.js';
import * as alu from './alu.js';
import { BITMANIP_SEMANTICS } from './emit-bitmanip.js';
import type { Tlb } from './mmu.js';

/** Field extraction from a 32-bit instruction word. */
export const f = {
  rd: (w: number) => (w >>> 7) & 31,
  rs1: (w: number) => (w >>> 15) & 31,
  rs2: (w: number) => (w >>> 20) & 31,
  funct3: (w: number) => (w >>> 12) & 7,
  immI: (w: number) => w >> 20,
  immS: (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 31),
  immB: (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) | (((w >>> 8) & 15) << 1),
  immU: (w: number) => w & 0xfffff000 | 0,
  immJ: (w: number) => ((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 1023) << 1),
  csr: (w: number) => w >>> 20,
  shamt: (w: number, xlen: number) => (w >>> 20) & (xlen === 64 ? 63 : 31),
};

/** Where main RAM is, for the inline fast path. */
export interface RamInfo {
  base: number;
  size: number;
  i32: Int32Array; i16: Int16Array; u16: Uint16Array; i8: Int8Array; u8: Uint8Array;
  /** One byte per 4 KiB page: nonzero if translated code lives there. */
  codePages: Uint8Array;
}

/** What an instruction needs to know to emit itself. */
export interface InsnSite {
  readonly name: string;
  readonly w: number;
  readonly pcLo: number;
  readonly pcHi: number;
  readonly size: number;
  /** wfi only: the instructions after it in QEMU 7.2's translation block (translate.ts). */
  readonly tbTail?: number;
  /**
   * With C off: where QEMU 7.2's translation block holding this instruction starts (its cpu_pc,
   * which gen_exception_inst_addr_mis stores as the bad address of a misaligned jal or branch).
   */
  readonly qemuTbLo?: number;
  readonly qemuTbHi?: number;
}

const hexs = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

export class Gen {
  /** Set when a branch back to the block's own start was emitted as `continue L`. */
  usedLoop = false;
  /** C is off (IALIGN=32): jumps and taken branches to a target with bit 1 set raise misaligned fetch. */
  ialign32 = false;
  /** Control-transfer events plugins registered (none by default). */
  flow: FlowEmitter | null = null;
  /** Statement reporting a transfer event of `kind` from the instruction, or ''. */
  event(kind: FlowKind, site: InsnSite, toLo: string, toHi: string): string {
    return this.flow === null ? '' : this.flow.event(kind, site.pcLo, site.pcHi, toLo, this.xlen === 32 ? '0' : toHi);
  }
  constructor(readonly xlen: 32 | 64, readonly ram: RamInfo | null,
    /** RAM offsets [start, end) that generated code may access directly (PMP allows all of it). */
    readonly fastRange: readonly [number, number] | null,
    /** Start of the block being generated and whether looping in place is allowed. */
    readonly startLo = 0, readonly startHi = 0, readonly allowLoop = false,
    /** Data TLBs when data accesses are translated (the fast path then looks pages up inline). */
    readonly tlb: { read: Tlb; write: Tlb } | null = null) {}

  lo(r: number): string { return r === 0 ? '0' : this.xlen === 32 ? `x[${r}]` : `x[${2 * r}]`; }
  hi(r: number): string { return r === 0 ? '0' : this.xlen === 32 ? `(x[${r}] >> 31)` : `x[${2 * r + 1}]`; }

  /** Write rd from expressions already held in locals (never reads rd after writing). */
  set(rd: number, lo: string, hi: string): string {
    if (rd === 0) return '';
    return this.xlen === 32 ? `x[${rd}] = ${lo};\n` : `x[${2 * rd}] = ${lo}; x[${2 * rd + 1}] = ${hi};\n`;
  }
  /** Write a 32-bit result, sign-extended to XLEN. */
  set32(rd: number, expr: string): string {
    if (rd === 0) return '';
    return this.xlen === 32 ? `x[${rd}] = ${expr};\n` : `{ const t = ${expr}; x[${2 * rd}] = t; x[${2 * rd + 1}] = t >> 31; }\n`;
  }
  /** Constant XLEN value from a sign-extended 32-bit number plus the PC high half. */
  pcPlus(site: InsnSite, off: number): [number, number] {
    const sum = (site.pcLo >>> 0) + off;
    const lo = sum | 0;
    const hi = this.xlen === 32 ? 0 : (site.pcHi + Math.floor(sum / 4294967296)) | 0;
    return [lo, hi];
  }
  /** Leave the block at a constant PC after `n` instructions. */
  exit(n: number, lo: number, hi: number): string {
    if (this.allowLoop && lo === this.startLo && hi === this.startHi) {
      // A branch back to the block's start: keep going without returning to the dispatcher while a
      // whole further iteration fits before the deadline and nothing asked to leave.
      this.usedLoop = true;
      return `s.icount += ${n}; if (s.icount + ${n} <= s.limit && s.exitReq === 0) continue L; ` +
        (this.xlen === 32 ? `s.pcLo = ${lo}; return;\n` : `s.pcLo = ${lo}; s.pcHi = ${hi}; return;\n`);
    }
    return this.xlen === 32
      ? `s.pcLo = ${lo}; s.icount += ${n}; return;\n`
      : `s.pcLo = ${lo}; s.pcHi = ${hi}; s.icount += ${n}; return;\n`;
  }
}

/** Emits one instruction's semantics. */
export type Emitter = (site: InsnSite, g: Gen, c: EmitContext) => string;

// ---- integer computational ------------------------------------------------------------------

function aluImm(op32: (a: string, imm: number) => string, op64: ((g: Gen, rd: number, rs1: number, imm: number) => string) | null): Emitter {
  return (s, g) => {
    const rd = f.rd(s.w), rs1 = f.rs1(s.w), imm = f.immI(s.w);
    if (rd === 0) return '';
    if (g.xlen === 32) return g.set32(rd, op32(g.lo(rs1), imm));
    return op64!(g, rd, rs1, imm);
  };
}

const bitwiseImm = (op: string): Emitter => aluImm((a, imm) => `${a} ${op} ${hexs(imm)}`, (g, rd, rs1, imm) =>
  `const l = ${g.lo(rs1)} ${op} ${hexs(imm)}, h = ${g.hi(rs1)} ${op} ${imm < 0 ? '-1' : '0'};\n` + g.set(rd, 'l', 'h'));

const add64 = (g: Gen, rd: number, al: string, ah: string, bl: string, bh: string): string =>
  `const a = ${al}, l = (a + ${bl}) | 0;\nconst h = (${ah} + ${bh} + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;\n` + g.set(rd, 'l', 'h');

const sltCode = (g: Gen, al: string, ah: string, bl: string, bh: string, unsigned: boolean): string =>
  g.xlen === 32
    ? (unsigned ? `((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0)` : `(${al} < ${bl} ? 1 : 0)`)
    : unsigned
      ? `(((${ah} >>> 0) < (${bh} >>> 0) || (${ah} === ${bh} && (${al} >>> 0) < (${bl} >>> 0))) ? 1 : 0)`
      : `((${ah} < ${bh} || (${ah} === ${bh} && (${al} >>> 0) < (${bl} >>> 0))) ? 1 : 0)`;

function shiftImm64(kind: 'sll' | 'srl' | 'sra', g: Gen, rd: number, rs1: number, sh: number): string {
  const al = g.lo(rs1), ah = g.hi(rs1);
  let l: string, h: string;
  if (sh === 0) { l = al; h = ah; }
  else if (sh < 32) {
    if (kind === 'sll') { l = `${al} << ${sh}`; h = `(${ah} << ${sh}) | (${al} >>> ${32 - sh})`; }
    else { l = `(${al} >>> ${sh}) | (${ah} << ${32 - sh})`; h = kind === 'srl' ? `(${ah} >>> ${sh}) | 0` : `${ah} >> ${sh}`; }
  } else if (sh === 32) {
    if (kind === 'sll') { l = '0'; h = al; } else { l = ah; h = kind === 'srl' ? '0' : `${ah} >> 31`; }
  } else {
    if (kind === 'sll') { l = '0'; h = `${al} << ${sh - 32}`; }
    else { l = kind === 'srl' ? `(${ah} >>> ${sh - 32}) | 0` : `${ah} >> ${sh - 32}`; h = kind === 'srl' ? '0' : `${ah} >> 31`; }
  }
  return `const l = ${l}, h = ${h};\n` + g.set(rd, 'l', 'h');
}

function aluReg(op32: (a: string, b: string) => string, op64: (g: Gen, rd: number, rs1: number, rs2: number, c: EmitContext) => string): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w), rs1 = f.rs1(s.w), rs2 = f.rs2(s.w);
    if (rd === 0) return '';
    if (g.xlen === 32) return g.set32(rd, op32(g.lo(rs1), g.lo(rs2)));
    return op64(g, rd, rs1, rs2, c);
  };
}

const bitwiseReg = (op: string): Emitter => aluReg((a, b) => `${a} ${op} ${b}`, (g, rd, a, b) =>
  `const l = ${g.lo(a)} ${op} ${g.lo(b)}, h = ${g.hi(a)} ${op} ${g.hi(b)};\n` + g.set(rd, 'l', 'h'));

/** A 64-bit helper from alu.ts writing R[0]/R[1]. */
function helper64(name: keyof typeof alu): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w), rs1 = f.rs1(s.w), rs2 = f.rs2(s.w);
    if (rd === 0) return '';
    const fn = c.jit.constant(alu[name], name);
    const R = c.jit.constant(alu.R, 'R');
    return `${fn}(${g.lo(rs1)}, ${g.hi(rs1)}, ${g.lo(rs2)}, ${g.hi(rs2)});\n` + g.set(rd, `${R}[0]`, `${R}[1]`);
  };
}

/** A 32-bit operation whose result is sign-extended (RV32 base ops and RV64 *W ops). */
function op32(expr: (a: string, b: string, c: EmitContext) => string): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w);
    if (rd === 0) return '';
    return g.set32(rd, expr(g.lo(f.rs1(s.w)), g.lo(f.rs2(s.w)), c));
  };
}
function op32imm(expr: (a: string, imm: number) => string): Emitter {
  return (s, g) => {
    const rd = f.rd(s.w);
    if (rd === 0) return '';
    return g.set32(rd, expr(g.lo(f.rs1(s.w)), f.immI(s.w)));
  };
}
const call32 = (name: keyof typeof alu) => (a: string, b: string, c: EmitContext) => `${c.jit.constant(alu[name], name)}(${a}, ${b})`;

// ---- control transfer --------------------------------------------------------------------------

/** x1 and x5: the link registers of the calling convention (the ISA's return-address stack hints). */
const isLink = (r: number): boolean => r === 1 || r === 5;

/**
 * The kind of transfer a `jalr rd, rs1` is, by the ISA's link-register rules: linking is a call
 * (also the co-routine swap `jalr x1, x5`), jumping through a link register without linking a
 * return, anything else an indirect jump.
 */
function jalrKind(rd: number, rs1: number): FlowKind {
  if (isLink(rd)) return Flow.Call;
  return isLink(rs1) ? Flow.Return : Flow.IndirectJump;
}

/**
 * IALIGN=32 (C off): a jal or taken branch to a target with bit 1 set raises
 * instruction-address-misaligned at the instruction, with QEMU 7.2's bad address: the start of its
 * translation block (gen_exception_inst_addr_mis stores cpu_pc, not the target), rd unwritten.
 */
const misalignedStatic = (s: InsnSite, c: EmitContext): string =>
  `s.misalignedFetch(${c.k}, ${s.qemuTbLo ?? s.pcLo}, ${s.qemuTbHi ?? s.pcHi});\n`;

function branch(cond: (g: Gen, a: number, b: number) => string): Emitter {
  return (s, g, c) => {
    const [tl, th] = g.pcPlus(s, f.immB(s.w));
    const [nl, nh] = g.pcPlus(s, s.size);
    if (g.ialign32 && (tl & 2) !== 0) {
      return `if (${cond(g, f.rs1(s.w), f.rs2(s.w))}) { ${misalignedStatic(s, c)}}\n` + g.exit(c.k + 1, nl, nh);
    }
    return `if (${cond(g, f.rs1(s.w), f.rs2(s.w))}) { ${g.event(Flow.BranchTaken, s, String(tl), String(th))}${g.exit(c.k + 1, tl, th)}}\n` +
      g.event(Flow.BranchNotTaken, s, String(nl), String(nh)) + g.exit(c.k + 1, nl, nh);
  };
}
const eq = (g: Gen, a: number, b: number): string =>
  g.xlen === 32 ? `${g.lo(a)} === ${g.lo(b)}` : `${g.lo(a)} === ${g.lo(b)} && ${g.hi(a)} === ${g.hi(b)}`;
const lt = (unsigned: boolean) => (g: Gen, a: number, b: number): string =>
  `${sltCode(g, g.lo(a), g.hi(a), g.lo(b), g.hi(b), unsigned)} === 1`;

// ---- memory ----------------------------------------------------------------------------------------

/** Code computing the effective address into `u` (double, see below) plus `al`/`ah` exact halves. */
function effAddr(g: Gen, rs1: number, imm: number): string {
  if (g.xlen === 32) return `const al = (${g.lo(rs1)} + ${hexs(imm)}) | 0, ah = 0;\n`;
  return `const u = (${g.lo(rs1)} >>> 0) + ${hexs(imm)};\nconst al = u | 0, ah = (${g.hi(rs1)} + Math.floor(u / 4294967296)) | 0;\n`;
}

/** The RAM fast-path condition for an access of `size` bytes; sets `o` (offset in RAM). */
function ramCheck(g: Gen, size: number, store: boolean, c: EmitContext): string | null {
  const ram = g.ram;
  if (ram === null) return null;
  const align = size === 8 ? 3 : size - 1;
  if (g.tlb !== null) {
    // Translated: look the page up in the soft TLB; entries exist only for RAM pages the PMP allows.
    const t = store ? g.tlb.write : g.tlb.read;
    const tag = c.jit.constant(t.tag, store ? 'TWT' : 'TRT'), off = c.jit.constant(t.off, store ? 'TWO' : 'TRO');
    const key = g.xlen === 64 ? 'ah * 1048576 + (al >>> 12)' : '(al >>> 12)';
    const inPage = `(al & 4095) <= ${4096 - size}`;
    return `const e = (al >>> 12) & 255; const o = ${off}[e] + (al & 4095);\nif (${tag}[e] === ${key} && ${inPage}${align === 0 ? '' : ` && (al & ${align}) === 0`})`;
  }
  const range = g.fastRange;
  if (range === null || range[1] - range[0] < size) return null;
  const [lo, hi] = range;
  const alignCheck = align === 0 ? '' : ` && (o & ${align}) === 0`;
  const safe = ram.base > 4096 && ram.base + ram.size <= 0x100000000 - 4096;
  const within = lo === 0 ? `o <= ${hi - size}` : `((o - ${lo}) >>> 0) <= ${hi - lo - size}`;
  const inRange = safe ? within : `${within} && (al >>> 0) >= ${ram.base}`;
  const hiCheck = g.xlen === 64 ? 'ah === 0 && ' : '';
  return `const o = ((al >>> 0) - ${ram.base}) >>> 0;\nif (${hiCheck}${inRange}${alignCheck})`;
}

/**
 * Code that loads `size` bytes at rs1 + imm into the locals `vl`/`vh` (low/high words, extended
 * per `signed`), with the RAM fast path when allowed and plugin memory hooks after the access.
 * Shared by integer and floating-point loads.
 */
export function loadCode(g: Gen, c: EmitContext, rs1: number, imm: number, size: number, signed: boolean): string {
  let code = effAddr(g, rs1, imm);
  code += 'let vl, vh;\n';
  const check = c.memHooked ? null : ramCheck(g, size, false, c);
  const slow = `vl = s.load(${c.k}, al, ah, ${size}, ${signed}); vh = s.rhi;`;
  if (check !== null) {
    const ram = g.ram!;
    let fast: string;
    switch (size) {
      case 1: fast = signed ? `vl = ${c.jit.constant(ram.i8, 'I8')}[o]; vh = vl >> 31;` : `vl = ${c.jit.constant(ram.u8, 'U8')}[o]; vh = 0;`; break;
      case 2: fast = signed ? `vl = ${c.jit.constant(ram.i16, 'I16')}[o >> 1]; vh = vl >> 31;` : `vl = ${c.jit.constant(ram.u16, 'U16')}[o >> 1]; vh = 0;`; break;
      case 4: fast = `vl = ${c.jit.constant(ram.i32, 'I32')}[o >> 2]; vh = ${signed ? 'vl >> 31' : '0'};`; break;
      default: { const m = c.jit.constant(ram.i32, 'I32'); fast = `vl = ${m}[o >> 2]; vh = ${m}[(o >> 2) + 1];`; }
    }
    code += `${check} { ${fast} } else { ${slow} }\n`;
  } else {
    code += slow + '\n';
  }
  return code + c.mem(false, size, signed, 'al', 'ah', 'vl', 'vh');
}

/**
 * Code that stores `size` bytes of the expressions `vlExpr`/`vhExpr` at rs1 + imm, ending the
 * block after it when the store hit translated code or a device asked to stop. Shared by integer
 * and floating-point stores.
 */
export function storeCode(site: InsnSite, g: Gen, c: EmitContext, rs1: number, imm: number, size: number, vlExpr: string, vhExpr: string): string {
  let code = effAddr(g, rs1, imm);
  code += `const vl = ${vlExpr}, vh = ${size === 8 ? vhExpr : '0'};\n`;
  const [nl, nh] = g.pcPlus(site, site.size);
  const memCode = c.mem(true, size, false, 'al', 'ah', size === 8 ? 'vl' : `vl & ${size === 4 ? -1 : (1 << (size * 8)) - 1}`, 'vh');
  // A store that ends the block (an MMIO write asking to stop, a write to translated code) still
  // reaches the plugin memory callbacks first.
  const leave = memCode + g.exit(c.k + 1, nl, nh);
  const slow = `if (s.store(${c.k}, al, ah, ${size}, vl, vh) !== 0) { ${leave} }`;
  const check = c.memHooked ? null : ramCheck(g, size, true, c);
  if (check !== null) {
    const ram = g.ram!;
    let fast: string;
    switch (size) {
      case 1: fast = `${c.jit.constant(ram.u8, 'U8')}[o] = vl;`; break;
      case 2: fast = `${c.jit.constant(ram.u16, 'U16')}[o >> 1] = vl;`; break;
      case 4: fast = `${c.jit.constant(ram.i32, 'I32')}[o >> 2] = vl;`; break;
      default: { const m = c.jit.constant(ram.i32, 'I32'); fast = `${m}[o >> 2] = vl; ${m}[(o >> 2) + 1] = vh;`; }
    }
    const cp = c.jit.constant(ram.codePages, 'CP');
    fast += ` if (${cp}[o >>> 12] !== 0 && s.codeWritten(${ram.base} + o, ${size}) !== 0) { ${leave} }`;
    code += `${check} { ${fast} } else { ${slow} }\n`;
  } else {
    code += slow + '\n';
  }
  return code + memCode;
}

function load(size: number, signed: boolean): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w);
    return loadCode(g, c, f.rs1(s.w), f.immI(s.w), size, signed) + (rd !== 0 ? g.set(rd, 'vl', 'vh') : '');
  };
}

function store(size: number): Emitter {
  return (s, g, c) => {
    const rs2 = f.rs2(s.w);
    return storeCode(s, g, c, f.rs1(s.w), f.immS(s.w), size, g.lo(rs2), g.hi(rs2));
  };
}

function amo(op: number, size: number): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w), rs1 = f.rs1(s.w), rs2 = f.rs2(s.w);
    let code = `const al = ${g.lo(rs1)}, ah = ${g.xlen === 64 ? g.hi(rs1) : '0'};\n`;
    code += `const vl = s.amo(${c.k}, ${op}, al, ah, ${size}, ${g.lo(rs2)}, ${size === 8 ? g.hi(rs2) : '0'}); const vh = s.rhi;\n`;
    code += c.mem(false, size, true, 'al', 'ah', 'vl', 'vh');
    code += c.mem(true, size, false, 'al', 'ah', g.lo(rs2), size === 8 ? g.hi(rs2) : '0');
    if (rd !== 0) code += size === 4 ? g.set32(rd, 'vl') : g.set(rd, 'vl', 'vh');
    const [nl, nh] = g.pcPlus(s, s.size);
    return code + `if (s.exitReq !== 0) { ${g.exit(c.k + 1, nl, nh)}}\n`;
  };
}

const lr = (size: number): Emitter => (s, g, c) => {
  const rd = f.rd(s.w), rs1 = f.rs1(s.w);
  let code = `const al = ${g.lo(rs1)}, ah = ${g.xlen === 64 ? g.hi(rs1) : '0'};\n`;
  code += `const vl = s.lr(${c.k}, al, ah, ${size}), vh = s.rhi;\n`;
  code += c.mem(false, size, true, 'al', 'ah', 'vl', 'vh');
  if (rd !== 0) code += size === 4 ? g.set32(rd, 'vl') : g.set(rd, 'vl', 'vh');
  return code;
};
const sc = (size: number): Emitter => (s, g, c) => {
  const rd = f.rd(s.w), rs1 = f.rs1(s.w), rs2 = f.rs2(s.w);
  let code = `const al = ${g.lo(rs1)}, ah = ${g.xlen === 64 ? g.hi(rs1) : '0'};\n`;
  code += `const r = s.sc(${c.k}, al, ah, ${size}, ${g.lo(rs2)}, ${size === 8 ? g.hi(rs2) : '0'});\n`;
  code += `if (r === 0) {\n${c.mem(true, size, false, 'al', 'ah', g.lo(rs2), size === 8 ? g.hi(rs2) : '0')}}\n`;
  code += g.set(rd, 'r', '0');
  const [nl, nh] = g.pcPlus(s, s.size);
  return code + `if (s.exitReq !== 0) { ${g.exit(c.k + 1, nl, nh)}}\n`;
};

// ---- system ----------------------------------------------------------------------------------------

function csrOp(op: number, imm: boolean): Emitter {
  return (s, g, c) => {
    const rd = f.rd(s.w), src = f.rs1(s.w), csr = f.csr(s.w);
    const write = op === 1 || src !== 0;
    const read = op !== 1 || rd !== 0;
    const sl = imm ? String(src) : g.lo(src), sh = imm ? '0' : g.xlen === 64 ? g.hi(src) : '0';
    if (!write && csr === 0xc01) return `const l = s.readTime(${c.k}), h = s.rhi;\n` + g.set(rd, 'l', 'h');
    let code = `const l = s.csr(${c.k}, ${csr}, ${op}, ${sl}, ${sh}, ${write}, ${read}), h = s.rhi;\n`;
    code += g.set(rd, 'l', 'h');
    if (write) {
      const [nl, nh] = g.pcPlus(s, s.size);
      code += g.event(Flow.FallThrough, s, String(nl), String(nh)) + g.exit(c.k + 1, nl, nh);
    }
    return code;
  };
}

const endAfter = (call: string): Emitter => (s, g, c) => {
  const [nl, nh] = g.pcPlus(s, s.size);
  return `${call.replace('K', String(c.k)).replace('NL', String(nl)).replace('NH', String(nh))}\n${'return;\n'}`;
};

/** Instructions whose semantics are written here, by name as in encodings.ts. */
export const SEMANTICS: Record<string, Emitter> = {
  lui: (s, g) => { const v = f.immU(s.w); return g.set(f.rd(s.w), String(v), String(v >> 31)); },
  auipc: (s, g) => { const [l, h] = g.pcPlus(s, f.immU(s.w)); return g.set(f.rd(s.w), String(l), String(h)); },
  jal: (s, g, c) => {
    const [tl, th] = g.pcPlus(s, f.immJ(s.w));
    const [nl, nh] = g.pcPlus(s, s.size);
    if (g.ialign32 && (tl & 2) !== 0) return misalignedStatic(s, c);
    const kind = isLink(f.rd(s.w)) ? Flow.Call : Flow.DirectJump;
    return g.set(f.rd(s.w), String(nl), String(nh)) + g.event(kind, s, String(tl), String(th)) + g.exit(c.k + 1, tl, th);
  },
  jalr: (s, g, c) => {
    const rd = f.rd(s.w), rs1 = f.rs1(s.w), imm = f.immI(s.w);
    const [nl, nh] = g.pcPlus(s, s.size);
    // IALIGN=32 (C off): a target with bit 1 set raises before rd is written; the bad address is the target (QEMU 7.2).
    if (g.xlen === 32) {
      const mis = g.ialign32 ? `if ((t & 2) !== 0) s.misalignedFetch(${c.k}, t, 0);\n` : '';
      return `const t = (${g.lo(rs1)} + ${hexs(imm)}) & -2;\n` + mis + g.set(rd, String(nl), '0') + g.event(jalrKind(rd, rs1), s, 't', '0') +
        `s.pcLo = t; s.icount += ${c.k + 1}; return;\n`;
    }
    const mis = g.ialign32 ? `if ((al & 2) !== 0) s.misalignedFetch(${c.k}, al & -2, ah);\n` : '';
    return effAddr(g, rs1, imm) + mis + g.set(rd, String(nl), String(nh)) + g.event(jalrKind(rd, rs1), s, '(al & -2)', 'ah') +
      `s.pcLo = al & -2; s.pcHi = ah; s.icount += ${c.k + 1}; return;\n`;
  },
  beq: branch(eq),
  bne: branch((g, a, b) => `!(${eq(g, a, b)})`),
  blt: branch(lt(false)),
  bge: branch((g, a, b) => `!(${lt(false)(g, a, b)})`),
  bltu: branch(lt(true)),
  bgeu: branch((g, a, b) => `!(${lt(true)(g, a, b)})`),

  lb: load(1, true), lh: load(2, true), lw: load(4, true), lbu: load(1, false), lhu: load(2, false),
  lwu: load(4, false), ld: load(8, true),
  sb: store(1), sh: store(2), sw: store(4), sd: store(8),

  addi: aluImm((a, imm) => `(${a} + ${hexs(imm)}) | 0`, (g, rd, rs1, imm) =>
    rs1 === 0 ? g.set(rd, String(imm), String(imm >> 31)) : add64(g, rd, g.lo(rs1), g.hi(rs1), String(imm), imm < 0 ? '-1' : '0')),
  slti: aluImm((a, imm) => `${a} < ${imm} ? 1 : 0`, (g, rd, rs1, imm) => g.set(rd, sltCode(g, g.lo(rs1), g.hi(rs1), String(imm), String(imm >> 31), false), '0')),
  sltiu: aluImm((a, imm) => `(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`, (g, rd, rs1, imm) => g.set(rd, sltCode(g, g.lo(rs1), g.hi(rs1), String(imm), String(imm >> 31), true), '0')),
  xori: bitwiseImm('^'), ori: bitwiseImm('|'), andi: bitwiseImm('&'),
  slli: (s, g) => { const rd = f.rd(s.w); if (rd === 0) return ''; const sh = f.shamt(s.w, g.xlen); return g.xlen === 32 ? g.set32(rd, `${g.lo(f.rs1(s.w))} << ${sh}`) : shiftImm64('sll', g, rd, f.rs1(s.w), sh); },
  srli: (s, g) => { const rd = f.rd(s.w); if (rd === 0) return ''; const sh = f.shamt(s.w, g.xlen); return g.xlen === 32 ? g.set32(rd, `(${g.lo(f.rs1(s.w))} >>> ${sh}) | 0`) : shiftImm64('srl', g, rd, f.rs1(s.w), sh); },
  srai: (s, g) => { const rd = f.rd(s.w); if (rd === 0) return ''; const sh = f.shamt(s.w, g.xlen); return g.xlen === 32 ? g.set32(rd, `${g.lo(f.rs1(s.w))} >> ${sh}`) : shiftImm64('sra', g, rd, f.rs1(s.w), sh); },

  add: aluReg((a, b) => `(${a} + ${b}) | 0`, (g, rd, a, b) => add64(g, rd, g.lo(a), g.hi(a), g.lo(b), g.hi(b))),
  sub: aluReg((a, b) => `(${a} - ${b}) | 0`, (g, rd, a, b) =>
    `const a = ${g.lo(a)}, b = ${g.lo(b)}, l = (a - b) | 0;\nconst h = (${g.hi(a)} - ${g.hi(b)} - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;\n` + g.set(rd, 'l', 'h')),
  sll: aluReg((a, b) => `${a} << (${b} & 31)`, (g, rd, a, b, c) => helperShift(g, rd, a, b, c, 'sll64')),
  srl: aluReg((a, b) => `(${a} >>> (${b} & 31)) | 0`, (g, rd, a, b, c) => helperShift(g, rd, a, b, c, 'srl64')),
  sra: aluReg((a, b) => `${a} >> (${b} & 31)`, (g, rd, a, b, c) => helperShift(g, rd, a, b, c, 'sra64')),
  slt: aluReg((a, b) => `${a} < ${b} ? 1 : 0`, (g, rd, a, b) => g.set(rd, sltCode(g, g.lo(a), g.hi(a), g.lo(b), g.hi(b), false), '0')),
  sltu: aluReg((a, b) => `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`, (g, rd, a, b) => g.set(rd, sltCode(g, g.lo(a), g.hi(a), g.lo(b), g.hi(b), true), '0')),
  xor: bitwiseReg('^'), or: bitwiseReg('|'), and: bitwiseReg('&'),

  // RV64 word operations
  addiw: op32imm((a, imm) => `(${a} + ${hexs(imm)}) | 0`),
  slliw: (s, g) => g.set32(f.rd(s.w), `${g.lo(f.rs1(s.w))} << ${f.rs2(s.w)}`),
  srliw: (s, g) => g.set32(f.rd(s.w), `(${g.lo(f.rs1(s.w))} >>> ${f.rs2(s.w)}) | 0`),
  sraiw: (s, g) => g.set32(f.rd(s.w), `${g.lo(f.rs1(s.w))} >> ${f.rs2(s.w)}`),
  addw: op32((a, b) => `(${a} + ${b}) | 0`),
  subw: op32((a, b) => `(${a} - ${b}) | 0`),
  sllw: op32((a, b) => `${a} << (${b} & 31)`),
  srlw: op32((a, b) => `(${a} >>> (${b} & 31)) | 0`),
  sraw: op32((a, b) => `${a} >> (${b} & 31)`),

  // M
  mul: aluReg((a, b) => `Math.imul(${a}, ${b})`, (g, rd, a, b, c) => helper64('mul64')({ name: 'mul', w: (rd << 7) | (a << 15) | (b << 20), pcLo: 0, pcHi: 0, size: 4 }, g, c)),
  mulh: (s, g, c) => g.xlen === 32 ? op32(call32('mulh32'))(s, g, c) : helper64('mulh64')(s, g, c),
  mulhsu: (s, g, c) => g.xlen === 32 ? op32(call32('mulhsu32'))(s, g, c) : helper64('mulhsu64')(s, g, c),
  mulhu: (s, g, c) => g.xlen === 32 ? op32(call32('mulhu32'))(s, g, c) : helper64('mulhu64')(s, g, c),
  div: (s, g, c) => g.xlen === 32 ? op32(call32('div32'))(s, g, c) : helper64('div64')(s, g, c),
  divu: (s, g, c) => g.xlen === 32 ? op32(call32('divu32'))(s, g, c) : helper64('divu64')(s, g, c),
  rem: (s, g, c) => g.xlen === 32 ? op32(call32('rem32'))(s, g, c) : helper64('rem64')(s, g, c),
  remu: (s, g, c) => g.xlen === 32 ? op32(call32('remu32'))(s, g, c) : helper64('remu64')(s, g, c),
  mulw: op32((a, b) => `Math.imul(${a}, ${b})`),
  divw: op32(call32('div32')),
  divuw: op32(call32('divu32')),
  remw: op32(call32('rem32')),
  remuw: op32(call32('remu32')),

  // A
  'lr.w': lr(4), 'sc.w': sc(4), 'lr.d': lr(8), 'sc.d': sc(8),
  'amoswap.w': amo(0, 4), 'amoadd.w': amo(1, 4), 'amoxor.w': amo(2, 4), 'amoand.w': amo(3, 4), 'amoor.w': amo(4, 4),
  'amomin.w': amo(5, 4), 'amomax.w': amo(6, 4), 'amominu.w': amo(7, 4), 'amomaxu.w': amo(8, 4),
  'amoswap.d': amo(0, 8), 'amoadd.d': amo(1, 8), 'amoxor.d': amo(2, 8), 'amoand.d': amo(3, 8), 'amoor.d': amo(4, 8),
  'amomin.d': amo(5, 8), 'amomax.d': amo(6, 8), 'amominu.d': amo(7, 8), 'amomaxu.d': amo(8, 8),

  // fences and system
  fence: () => '',
  'fence.tso': () => '',
  pause: () => '',
  'fence.i': (s, g, c) => { const [nl, nh] = g.pcPlus(s, s.size); return g.event(Flow.FallThrough, s, String(nl), String(nh)) + g.exit(c.k + 1, nl, nh); },
  'sfence.vma': (s, g, c) => {
    const [nl, nh] = g.pcPlus(s, s.size);
    return `s.sfenceVma(${c.k});\n` + g.event(Flow.FallThrough, s, String(nl), String(nh)) + g.exit(c.k + 1, nl, nh);
  },
  ecall: endAfter('s.ecall(K);'),
  ebreak: endAfter('s.ebreak(K);'),
  mret: (s, g, c) => `s.mret(${c.k});\n${g.event(Flow.TrapReturn, s, 's.pcLo', 's.pcHi')}return;\n`,
  sret: (s, g, c) => `s.sret(${c.k});\n${g.event(Flow.TrapReturn, s, 's.pcLo', 's.pcHi')}return;\n`,
  wfi: (s, g, c) => endAfter(`s.wfi(K, NL, NH, ${s.tbTail ?? 0});`)(s, g, c),
  csrrw: csrOp(1, false), csrrs: csrOp(2, false), csrrc: csrOp(3, false),
  csrrwi: csrOp(1, true), csrrsi: csrOp(2, true), csrrci: csrOp(3, true),
  // Zba, Zbb, Zbc, Zbs
  ...BITMANIP_SEMANTICS,
};

function helperShift(g: Gen, rd: number, a: number, b: number, c: EmitContext, name: 'sll64' | 'srl64' | 'sra64'): string {
  const fn = c.jit.constant(alu[name], name);
  const R = c.jit.constant(alu.R, 'R');
  return `${fn}(${g.lo(a)}, ${g.hi(a)}, ${g.lo(b)});\n` + g.set(rd, `${R}[0]`, `${R}[1]`);
}

/** Names that end a block (control transfer or state change that affects translation/interrupts). */
export const ENDS_BLOCK = new Set([
  'jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'ecall', 'ebreak', 'mret', 'sret', 'wfi',
  'fence.i', 'sfence.vma',
]);
