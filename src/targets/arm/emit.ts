/**
 * Thumb instruction semantics emitted as JavaScript, one entry per encoding id (encodings.ts).
 * Read an entry next to the ARMv7-M ARM's "Operation" pseudocode: `AddWithCarry` is {@link addc},
 * `Shift_C` with an immediate is {@link immShift}, `ThumbExpandImm_C` is alu.thumbExpandImm.
 *
 * Conventions inside a block function `tb(s)`: `r` is the register file (Int32Array, r13 = SP),
 * `f` the flags (see cpu.ts: f[0] N as a sign, f[1] Z as zero/nonzero, f[2] C, f[3] V as a sign,
 * f[4] Q), `s` the CPU. Each instruction sits in its own `{ }` scope; the translator wraps
 * instructions inside an IT block in `if (<cond>) { }`. Reading the PC gives the instruction's
 * address + 4 (a constant); leaving the block sets `s.pcLo`, adds the instructions executed to
 * `s.icount`, writes `s.mode` when ITSTATE changed, and returns.
 */
import type { EmitContext, FlowEmitter } from '../../core/blockgen.js';
import { Flow, type FlowKind } from '../../plugin/api.js';
import * as alu from './alu.js';
import type { ArmCpu, ArmRam } from './cpu.js';
import type { JitBuilder } from '../../core/jit.js';
import { PARALLEL_KINDS, PARALLEL_OPS, type Fields } from './encodings.js';
import { writeBackMarker } from './loop-locals.js';

/** What an instruction knows when it emits itself. */
export interface ArmSite {
  readonly id: string;
  readonly f: Fields;
  /** Address of the instruction and of the next one. */
  readonly pc: number;
  readonly next: number;
  readonly size: 2 | 4;
  /** Inside an IT block (16-bit data processing then does not set flags). */
  readonly inIT: boolean;
  /** ITSTATE after the instruction (IT advanced, or set by IT). */
  readonly itAfter: number;
  /** The instruction word (a halfword, or hw1 << 16 | hw2). */
  readonly raw: number;
}

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/** Most blocks one block may chain into before returning to the engine (bounds the JS stack). */
export const CHAIN_DEPTH = 16;

/** What chaining needs of a translated block. */
export interface ChainTarget { readonly n: number; readonly valid: boolean; readonly fn: (s: ArmCpu, depth?: number) => void }

/** A constant block exit's successor, looked up on first use and dropped when it is invalidated. */
export class ChainLink {
  b: ChainTarget | null = null;
  constructor(readonly pc: number, readonly mode: number) {}
  find(s: ArmCpu): ChainTarget | null {
    this.b = s.findBlock(this.pc, this.mode) ?? null;
    return this.b;
  }
}

/** Block-level state for emission. */
export class Gen {
  /** Set when a branch back to the block's own start was emitted as `continue L`. */
  usedLoop = false;
  /**
   * Conditional branches (by index) whose target is another instruction of the same block, with
   * that instruction's index (translate.ts puts the labelled statements around them). Taken, a
   * forward one `break`s out of `F<k>` and a backward one `continue`s `B<k>`, first adjusting
   * `s.icount` so that `icount + index` stays the count of instructions run (for traps and device
   * time) and the exits keep their constant counts.
   */
  readonly inBlock = new Map<number, number>();
  /** Control-transfer events plugins registered when translation started (none by default). */
  flow: FlowEmitter | null = null;
  constructor(
    /** Start PC and mode (ITSTATE and flags, without MODE_SINGLE) of the block. */
    readonly startPc: number, readonly startMode: number,
    /** Instructions in the block (a bound for one more loop iteration). */
    readonly count: number,
    readonly allowLoop: boolean,
    readonly rams: readonly ArmRam[],
    /** Instrumented: keep `s.pcLo` exact before each instruction. */
    readonly instrumented: boolean,
    /** Constant exits may run the cached successor block directly (not single-step, not instrumented). */
    readonly chain: boolean = false,
    readonly jit: JitBuilder | null = null,
  ) {}

  /**
   * Statement reporting a control-transfer event of `kind` from the instruction at `from` to the
   * address in expression `to`, or '' when no plugin registered the kind.
   */
  event(kind: FlowKind, from: number, to: string): string {
    return this.flow === null ? '' : this.flow.event(kind, from, 0, to, '0');
  }

  /**
   * Leave the block after instruction `s` for the next one in sequence (MSR, CPS, ISB, a store
   * that asks to end the block): a FallThrough event, then {@link exit}.
   */
  exitNext(s: ArmSite, c: EmitContext): string {
    return this.event(Flow.FallThrough, s.pc, String(s.next)) + this.exit(c.k + 1, s.next, s.itAfter);
  }

  /** `s.mode = ...;` if ITSTATE after the instruction differs from the block's start. */
  modeSet(it: number): string {
    return it === (this.startMode & 0xff) ? '' : `s.mode = (s.mode & -256) | ${it};\n`;
  }

  /** Leave the block at a constant PC after `n` instructions with ITSTATE `it`. */
  exit(n: number, pc: number, it: number): string {
    if (this.allowLoop && pc === this.startPc && it === (this.startMode & 0xff)) {
      this.usedLoop = true;
      return `s.icount += ${n}; if (s.icount + ${this.count} <= s.limit && s.exitReq === 0) continue L; s.pcLo = ${pc}; return;\n`;
    }
    if (this.chain && this.jit !== null) {
      // Chaining: run the block at `pc` from here when the engine would do nothing else first
      // (nothing pending, the whole block fits before the deadline), up to CHAIN_DEPTH deep.
      const mode = (this.startMode & ~0xff) | it;
      const link = this.jit.constant(new ChainLink(pc, mode), 'ln');
      return `s.pcLo = ${pc}; ${this.modeSet(it)}s.icount += ${n}; if (s.exitReq === 0 && s.irqPending === 0 && (dp | 0) < ${CHAIN_DEPTH}) { ` +
        `const nb = ${link}.b !== null && ${link}.b.valid ? ${link}.b : ${link}.find(s); ` +
        `if (nb !== null && s.icount + nb.n <= s.limit) { s.curBlock = nb; nb.fn(s, (dp | 0) + 1); return; } } return;\n`;
    }
    return `s.pcLo = ${pc}; ${this.modeSet(it)}s.icount += ${n}; return;\n`;
  }

  /** BranchWritePC(v) by instruction `s` (ALUWritePC: MOV PC, ADD PC): leave at v with bit 0 cleared, an IndirectJump. */
  exitBranch(s: ArmSite, n: number, v: string, it: number): string {
    return `s.pcLo = (${v}) & -2; ${this.event(Flow.IndirectJump, s.pc, 's.pcLo')}${this.modeSet(it)}s.icount += ${n}; return;\n`;
  }

  /**
   * BXWritePC / LoadWritePC(v) by instruction `s`: interworking and exception return. Reports the
   * instruction's {@link transferKind} (BX LR, POP {PC}: Return; BLX: Call; ...), or TrapReturn
   * when the value was an EXC_RETURN that returned from the handler (nothing when that return
   * tail-chained into another handler or faulted: the entry reports its own trap event).
   */
  exitBx(s: ArmSite, n: number, v: string, it: number): string {
    const plain = this.event(transferKind(s.id, s.f) ?? Flow.IndirectJump, s.pc, 's.pcLo');
    const trapReturn = this.event(Flow.TrapReturn, s.pc, 's.pcLo');
    const write = plain === '' && trapReturn === '' ? 's.bxWritePc(tgt); '
      : `const how = s.bxWritePc(tgt${trapReturn === '' ? '' : `, ${s.pc}`}); if (how === ${BX_BRANCH}) { ${plain}} else if (how === ${BX_EXCEPTION_RETURN}) { ${trapReturn}} `;
    return `{ const tgt = ${v}; ${this.modeSet(it)}s.icount += ${n}; if ((tgt & 1) !== 0 && (tgt >>> 28) !== 15) { s.pcLo = tgt & -2; ${plain}return; } ${write}return; }\n`;
  }
}

export type Emitter = (s: ArmSite, g: Gen, c: EmitContext) => string;

/** {@link BxWrite} values as generated code compares them (cpu.ts is imported as a type only). */
const BX_BRANCH = 0, BX_EXCEPTION_RETURN = 1;

/**
 * The control-flow event kind an executed instruction that writes the PC reports, by encoding
 * and fields; null for an instruction that does not transfer control (sequential, or a trap).
 * Conditional branches (B<c>, CBZ, CBNZ) give BranchTaken here (BranchNotTaken when not taken).
 * B is a DirectJump (a BranchTaken as the last instruction of an IT block); BL and BLX a Call;
 * BX LR, POP {..,PC}, LDM SP!, {..,PC} and LDR PC, [SP], #4 a Return; every other load of the
 * PC, BX through another register, MOV/ADD PC (ALUWritePC) and TBB/TBH an IndirectJump. An EXC_RETURN value in Handler mode turns a BX/POP/LDR/LDM into a
 * TrapReturn at run time ({@link Gen.exitBx}).
 */
export function transferKind(id: string, f: Fields): FlowKind | null {
  switch (id) {
    case 'b_c16': case 'b_c32': case 'cbz': case 'cbnz': return Flow.BranchTaken;
    case 'b16': case 'b32': return Flow.DirectJump;
    case 'bl': case 'blx_r': return Flow.Call;
    case 'bx': return f.m === 14 ? Flow.Return : Flow.IndirectJump;
    case 'tbb': case 'tbh': return Flow.IndirectJump;
    case 'add_hr': case 'mov_hr': return f.d === 15 ? Flow.IndirectJump : null;
    case 'pop': return f.M === 1 ? Flow.Return : null;
    case 'ldm_w': case 'ldmdb':
      if (((f.r! >> 15) & 1) === 0) return null;
      return id === 'ldm_w' && f.n === 13 && f.W === 1 ? Flow.Return : Flow.IndirectJump;
    default:
      if (!/^ldr(_i12|_i8|t|_rw|_lit_w)$/.test(id) || f.t !== 15) return null;
      // LDR PC, [SP], #4: the POP {PC} alias.
      return id === 'ldr_i8' && f.n === 13 && f.P === 0 && f.U === 1 && f.W === 1 && f.i === 4 ? Flow.Return : Flow.IndirectJump;
  }
}

// ---- operands ----------------------------------------------------------------------------------

/** Register read; PC reads as the instruction's address + 4. */
const R = (s: ArmSite, n: number): string => (n === 15 ? hex((s.pc + 4) | 0) : `r[${n}]`);
/** Align(PC, 4) */
const alignedPc = (s: ArmSite): number => ((s.pc + 4) & ~3) | 0;

/** Write a register (not the PC: callers branch). */
const W = (d: number, v: string): string => `r[${d}] = ${v};\n`;

/** Write Rd; Rd = PC is ALUWritePC (a branch, no interworking). */
function writeRd(s: ArmSite, g: Gen, c: EmitContext, d: number, v: string): string {
  if (d === 15) return g.exitBranch(s, c.k + 1, v, s.itAfter);
  return W(d, v);
}

/** `const res`, and the flags when `S`: AddWithCarry(a, b, cin). */
function addc(a: string, b: string, cin: string, S: boolean): string {
  let code = `const x = ${a}, y = ${b}, ci = ${cin}, res = (x + y + ci) | 0;\n`;
  if (S) code += 'f[0] = f[1] = res; f[2] = (x >>> 0) + (y >>> 0) + ci > 4294967295 ? 1 : 0; f[3] = (x ^ res) & (y ^ res);\n';
  return code;
}

/** Shift by an immediate (DecodeImmShift + Shift_C): [value expression, carry expression or null = unchanged]. */
function immShift(v: string, type: number, imm5: number): [string, string | null] {
  switch (type) {
    case 0: return imm5 === 0 ? [v, null] : [`(${v} << ${imm5})`, `((${v} >>> ${32 - imm5}) & 1)`];
    case 1: return imm5 === 0 ? ['0', `(${v} >>> 31)`] : [`((${v} >>> ${imm5}) | 0)`, `((${v} >>> ${imm5 - 1}) & 1)`];
    case 2: return imm5 === 0 ? [`(${v} >> 31)`, `(${v} >>> 31)`] : [`(${v} >> ${imm5})`, `((${v} >> ${imm5 - 1}) & 1)`];
    default:
      if (imm5 === 0) return [`((f[2] << 31) | (${v} >>> 1))`, `(${v} & 1)`]; // RRX
      return [`((${v} >>> ${imm5}) | (${v} << ${32 - imm5}))`, `((${v} >>> ${imm5 - 1}) & 1)`];
  }
}

type DpOp = 'and' | 'bic' | 'orr' | 'orn' | 'eor' | 'add' | 'adc' | 'sbc' | 'sub' | 'rsb' | 'mov' | 'mvn' | 'tst' | 'teq' | 'cmn' | 'cmp';

/**
 * A data-processing operation: Rd (or none for the tests) = a op b, flags when S. `b` is a local
 * or constant; `carry` the shifter carry out (logical ops), null when the shifter leaves C alone.
 */
function dp(s: ArmSite, g: Gen, c: EmitContext, op: DpOp, d: number, a: string, b: string, carry: string | null, S: boolean): string {
  let code = '';
  const logical = (expr: string): string => {
    let t = `const res = ${expr};\n`;
    if (S) t += `f[0] = f[1] = res;${carry !== null ? ` f[2] = ${carry};` : ''}\n`;
    return t;
  };
  switch (op) {
    case 'and': case 'tst': code = logical(`${a} & ${b}`); break;
    case 'bic': code = logical(`${a} & ~${b}`); break;
    case 'orr': code = logical(`${a} | ${b}`); break;
    case 'orn': code = logical(`${a} | ~${b}`); break;
    case 'eor': case 'teq': code = logical(`${a} ^ ${b}`); break;
    case 'mov': code = logical(`${b}`); break;
    case 'mvn': code = logical(`~${b}`); break;
    case 'add': case 'cmn': code = addc(a, b, '0', S); break;
    case 'adc': code = addc(a, b, 'f[2]', S); break;
    case 'sub': case 'cmp': code = addc(a, `~${b}`, '1', S); break;
    case 'sbc': code = addc(a, `~${b}`, 'f[2]', S); break;
    case 'rsb': code = addc(`~${a}`, b, '1', S); break;
  }
  if (op === 'tst' || op === 'teq' || op === 'cmn' || op === 'cmp') return code;
  return code + writeRd(s, g, c, d, 'res');
}

// ---- memory ------------------------------------------------------------------------------------

/** Where a load puts its value: a fresh `const`. Fast path through the RAM views, else `s.ld`. */
function loadCode(_s: ArmSite, g: Gen, c: EmitContext, addr: string, size: number, signed: boolean, strict: boolean, name: string, unpriv = false): string {
  let code = `const a${name} = (${addr}) | 0;\nlet ${name};\n`;
  const slow = `${name} = s.ld(${c.k}, a${name}, ${size}, ${signed}, ${strict}${unpriv ? ', true' : ''});`;
  const rams = c.memHooked ? [] : g.rams;
  let chain = '';
  for (const ram of rams) {
    let view: string, idx: string;
    switch (size) {
      case 1: view = c.jit.constant(signed ? ram.i8 : ram.u8, signed ? 'I8_' : 'U8_'); idx = 'o'; break;
      case 2: view = c.jit.constant(signed ? ram.i16 : ram.u16, signed ? 'I16_' : 'U16_'); idx = 'o >> 1'; break;
      default: view = c.jit.constant(ram.i32, 'I32_'); idx = 'o >> 2';
    }
    const align = size === 1 ? '' : ` && (a${name} & ${size - 1}) === 0`;
    chain += `if ((o = (a${name} - ${ram.base}) >>> 0) <= ${ram.size - size}${align}) ${name} = ${view}[${idx}]; else `;
  }
  if (chain !== '') code += `{ let o; ${chain}${slow} }\n`;
  else code += slow + '\n';
  return code + c.mem(false, size, signed, `a${name}`, '0', name, '0');
}

/**
 * Store the value of expression `v` (a local): fast path, code-write check, else `s.st`; leaves
 * the block when asked, after the plugin memory callbacks and `after` (the rest of the
 * instruction, like base writeback) have run.
 */
function storeCode(s: ArmSite, g: Gen, c: EmitContext, addr: string, size: number, v: string, strict: boolean, tag: string,
  /** Code run when the block must end (default: leave now; multi-store instructions note it and leave after the last). */
  onEnd?: string, unpriv = false, after = ''): string {
  const mask = size === 4 ? '' : ` & ${size === 1 ? 0xff : 0xffff}`;
  const memCode = c.mem(true, size, false, `a${tag}`, '0', `(${v}${mask})`, '0');
  const leave = onEnd ?? memCode + after + g.exitNext(s, c);
  let code = `const a${tag} = (${addr}) | 0;\n`;
  const slow = `if (s.st(${c.k}, a${tag}, ${size}, ${v}, ${strict}${unpriv ? ', true' : ''}) !== 0) { ${leave}}`;
  const rams = c.memHooked ? [] : g.rams.filter((r) => !r.readOnly);
  let chain = '';
  for (const ram of rams) {
    let view: string, idx: string;
    switch (size) {
      case 1: view = c.jit.constant(ram.u8, 'U8_'); idx = 'o'; break;
      case 2: view = c.jit.constant(ram.u16, 'U16_'); idx = 'o >> 1'; break;
      default: view = c.jit.constant(ram.i32, 'I32_'); idx = 'o >> 2';
    }
    const align = size === 1 ? '' : ` && (a${tag} & ${size - 1}) === 0`;
    const cp = c.jit.constant(ram.codePages, 'CP');
    chain += `if ((o = (a${tag} - ${ram.base}) >>> 0) <= ${ram.size - size}${align}) { ${view}[${idx}] = ${v}; if (${cp}[o >>> 12] !== 0 && s.codeWritten(${ram.base} + o, ${size}) !== 0) { ${leave}} } else `;
  }
  if (chain !== '') code += `{ let o; ${chain}${slow} }\n`;
  else code += slow + '\n';
  return code + memCode + after;
}

interface LsForm { size: number; signed: boolean; store: boolean; /** LDRT/STRT: an unprivileged access. */ unpriv?: boolean }
const LS: Record<string, LsForm> = {
  str: { size: 4, signed: false, store: true }, strh: { size: 2, signed: false, store: true }, strb: { size: 1, signed: false, store: true },
  ldr: { size: 4, signed: false, store: false }, ldrh: { size: 2, signed: false, store: false }, ldrb: { size: 1, signed: false, store: false },
  ldrsh: { size: 2, signed: true, store: false }, ldrsb: { size: 1, signed: true, store: false },
};

/** Single load/store: `addr` the address used, `wb` the base writeback value (or null). */
function loadStore(s: ArmSite, g: Gen, c: EmitContext, form: LsForm, t: number, n: number, offsetAddr: string, addr: string, wb: boolean): string {
  let code = `const off = ${offsetAddr};\n`;
  if (form.store) {
    code += `const sv = ${R(s, t)};\n`;
    // Writeback completes the instruction also when the store ends the block (an MMIO write).
    return code + storeCode(s, g, c, addr, form.size, 'sv', false, 's', undefined, form.unpriv === true, wb ? W(n, 'off') : '');
  }
  code += loadCode(s, g, c, addr, form.size, form.signed, false, 'v', form.unpriv === true);
  if (wb) code += W(n, 'off');
  if (t === 15) return code + g.exitBx(s, c.k + 1, 'v', s.itAfter);
  return code + W(t, 'v');
}

/** Immediate-offset forms: `P` index, `U` add, `W` writeback. */
function lsImm(form: LsForm, imm: (f: Fields) => number, P: (f: Fields) => boolean, U: (f: Fields) => boolean, Wb: (f: Fields) => boolean): Emitter {
  return (s, g, c) => {
    const { n, t } = s.f;
    const base = n === 15 ? hex(alignedPc(s)) : `r[${n}]`;
    const i = imm(s.f);
    const off = `(${base} ${U(s.f) ? '+' : '-'} ${i}) | 0`;
    return loadStore(s, g, c, form, t!, n!, off, P(s.f) ? 'off' : base, Wb(s.f));
  };
}

const always = (): boolean => true;
const never = (): boolean => false;

function lsReg(form: LsForm, shifted: boolean): Emitter {
  return (s, g, c) => {
    const { n, t, m } = s.f;
    const sh = shifted ? s.f.i! : 0;
    return loadStore(s, g, c, form, t!, n!, `(${R(s, n!)} + (r[${m}] << ${sh})) | 0`, 'off', false);
  };
}

function lsLit(form: LsForm): Emitter {
  return (s, g, c) => {
    const { t, i } = s.f;
    const U = s.f.U === undefined || s.f.U === 1;
    const addr = (alignedPc(s) + (U ? i! : -i!)) | 0;
    return loadStore(s, g, c, form, t!, 15, hex(addr), 'off', false);
  };
}

/** LDM/STM (increment after or decrement before) of the registers in `list`. */
function multiple(s: ArmSite, g: Gen, c: EmitContext, n: number, list: number, load: boolean, before: boolean, wb: boolean): string {
  const regs: number[] = [];
  for (let i = 0; i < 16; i++) if ((list >> i) & 1) regs.push(i);
  const bytes = 4 * regs.length;
  let code = `const base = r[${n}], start = ${before ? `(base - ${bytes}) | 0` : 'base'};\n${load ? '' : 'let end = 0;\n'}`;
  regs.forEach((reg, i) => {
    const addr = `(start + ${4 * i})`;
    if (load) code += loadCode(s, g, c, addr, 4, false, true, `v${i}`);
    else code += `const w${i} = ${reg === 15 ? hex((s.pc + 4) | 0) : `r[${reg}]`};\n` + storeCode(s, g, c, addr, 4, `w${i}`, true, `s${i}`, 'end = 1;');
  });
  if (wb && !(load && regs.includes(n))) code += W(n, before ? 'start' : `(base + ${bytes}) | 0`);
  if (load) {
    regs.forEach((reg, i) => { if (reg !== 15) code += W(reg, `v${i}`); });
    if (regs.includes(15)) code += g.exitBx(s, c.k + 1, `v${regs.indexOf(15)}`, s.itAfter);
  } else code += `if (end !== 0) { ${g.exitNext(s, c)}}\n`;
  return code;
}

// ---- table -------------------------------------------------------------------------------------

/** Flag setting of a 16-bit data-processing encoding: outside an IT block only. */
const S16 = (s: ArmSite): boolean => !s.inIT;

function dp16(op: DpOp): Emitter {
  return (s, g, c) => {
    const { d, m, n } = s.f;
    const rd = d ?? n!;
    return dp(s, g, c, op, rd, `r[${rd}]`, `r[${m}]`, null, S16(s) || op === 'tst' || op === 'cmp' || op === 'cmn');
  };
}

function shift16imm(type: number): Emitter {
  return (s, g, c) => {
    const { d, m, i } = s.f;
    const [v, carry] = immShift(`r[${m}]`, type, i!);
    return dp(s, g, c, 'mov', d!, '0', `(${v})`, carry, S16(s));
  };
}

function shiftReg(type: number, sixteen: boolean): Emitter {
  return (s, _g, c) => {
    const { d, m } = s.f;
    const n = sixteen ? d! : s.f.n!;
    const S = sixteen ? S16(s) : s.f.S === 1;
    const sh = c.jit.constant(alu.shiftC, 'shiftC');
    const out = c.jit.constant(alu.OUT, 'OUT');
    return `const res = ${sh}(${type}, r[${n}], r[${m}], f[2]);\n` + (S ? `f[0] = f[1] = res; f[2] = ${out}[0];\n` : '') + W(d!, 'res');
  };
}

function modImm(op: DpOp): Emitter {
  return (s, g, c) => {
    const { d, n, i, S } = s.f;
    const { value, carry } = alu.thumbExpandImm(i!);
    const setf = S === 1 || op === 'tst' || op === 'teq' || op === 'cmn' || op === 'cmp';
    return dp(s, g, c, op, d ?? 0, n === undefined ? '0' : R(s, n), hex(value), carry < 0 ? null : String(carry), setf);
  };
}

function shiftedReg(op: DpOp): Emitter {
  return (s, g, c) => {
    const { d, n, m, i, S } = s.f;
    const setf = S === 1 || op === 'tst' || op === 'teq' || op === 'cmn' || op === 'cmp';
    const [v, carry] = immShift(`r[${m}]`, s.f.s!, i!);
    return `const b = ${v};\n` + dp(s, g, c, op, d ?? 0, n === undefined ? '0' : R(s, n), 'b', setf && carry !== null ? carry : null, setf);
  };
}

function moveShift(type: number): Emitter {
  return (s, g, c) => {
    const { d, m, i, S } = s.f;
    const [v, carry] = immShift(`r[${m}]`, type, i ?? 0);
    return dp(s, g, c, 'mov', d!, '0', `(${v})`, carry, S === 1);
  };
}

const extend = (kind: 'sxth' | 'sxtb' | 'uxth' | 'uxtb', rot: boolean): Emitter => (s) => {
  const { d, m } = s.f;
  const r8 = rot ? s.f.s! * 8 : 0;
  const v = r8 === 0 ? `r[${m}]` : `((r[${m}] >>> ${r8}) | (r[${m}] << ${32 - r8}))`;
  const e = { sxth: `(${v} << 16) >> 16`, sxtb: `(${v} << 24) >> 24`, uxth: `${v} & 0xffff`, uxtb: `${v} & 0xff` }[kind];
  return W(d!, e);
};

const rev = (kind: 'rev' | 'rev16' | 'revsh'): Emitter => (s) => {
  const { d, m } = s.f;
  const e = {
    rev: `(v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)`,
    rev16: `((v & 0xff00ff) << 8) | ((v >>> 8) & 0xff00ff)`,
    revsh: `(((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff)`,
  }[kind];
  return `const v = r[${m}];\n` + W(d!, e);
};

/**
 * A branch to PC + 4 + `off` that reports `kind`: leave the block, or for an in-block target
 * (Gen.inBlock) go on at that instruction: nothing to do for the next one, `break` forward,
 * `continue` backward. The event is reported on every path, before control moves.
 */
function branchTo(s: ArmSite, g: Gen, c: EmitContext, off: number, kind: FlowKind): string {
  const target = (s.pc + 4 + off) | 0;
  const ev = g.event(kind, s.pc, String(target));
  const j = g.inBlock.get(c.k);
  if (j === undefined) return ev + g.exit(c.k + 1, target, s.itAfter);
  if (j === c.k + 1) return ev;
  if (j > c.k) return `${ev}s.icount -= ${j - c.k - 1}; break F${c.k};\n`;
  // The marker is where loop-locals.ts stores cached registers back before leaving the block.
  return `${ev}s.icount += ${c.k + 1 - j}; if (s.icount + ${g.count} <= s.limit && s.exitReq === 0) continue B${c.k};\n` +
    writeBackMarker(c.k) + g.exit(j, target, s.itAfter);
}

/** B: a DirectJump, or inside an IT block (a conditional branch then) a BranchTaken. */
const jumpKind = (s: ArmSite): FlowKind => (s.inIT ? Flow.BranchTaken : Flow.DirectJump);

/** B<c>, CBZ, CBNZ: taken when `cond` holds (BranchTaken, {@link branchTo}); otherwise BranchNotTaken and the block goes on. */
function condBranch(s: ArmSite, g: Gen, c: EmitContext, cond: string, off: number): string {
  const notTaken = g.event(Flow.BranchNotTaken, s.pc, String(s.next));
  return `if (${cond}) { ${branchTo(s, g, c, off, Flow.BranchTaken)}}${notTaken === '' ? '' : ` else { ${notTaken}}`}\n`;
}

const signExtend = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

function blOffset(f: Fields): number {
  const S = f.S!, I1 = (f.J! ^ S) ^ 1, I2 = (f.K! ^ S) ^ 1;
  return signExtend((S << 24) | (I1 << 23) | (I2 << 22) | (f.i! << 1), 25);
}
function bc32Offset(f: Fields): number {
  return signExtend((f.S! << 20) | (f.K! << 19) | (f.J! << 18) | (f.j! << 12) | (f.i! << 1), 21);
}

/** Offset from PC + 4 of a conditional branch (B<c> T1/T3, CBZ, CBNZ). */
export function conditionalBranchOffset(id: string, f: Fields): number {
  if (id === 'b_c16') return signExtend(f.i! << 1, 9);
  if (id === 'b_c32') return bc32Offset(f);
  return f.i! << 1;
}

/** Condition `c` (0..14) on the flags as a JS boolean expression. */
export function condExpr(cond: number): string {
  switch (cond) {
    case 0: return 'f[1] === 0';
    case 1: return 'f[1] !== 0';
    case 2: return 'f[2] !== 0';
    case 3: return 'f[2] === 0';
    case 4: return 'f[0] < 0';
    case 5: return 'f[0] >= 0';
    case 6: return 'f[3] < 0';
    case 7: return 'f[3] >= 0';
    case 8: return '(f[2] !== 0 && f[1] !== 0)';
    case 9: return '(f[2] === 0 || f[1] === 0)';
    case 10: return '(f[0] ^ f[3]) >= 0';
    case 11: return '(f[0] ^ f[3]) < 0';
    case 12: return '(f[1] !== 0 && (f[0] ^ f[3]) >= 0)';
    case 13: return '(f[1] === 0 || (f[0] ^ f[3]) < 0)';
    default: return 'true';
  }
}


const undefinedInsn: Emitter = (_s, _g, c) => `s.undefined(${c.k});\n`;
const nop: Emitter = () => '';

const mulLong = (kind: 'smull' | 'umull' | 'smlal' | 'umlal'): Emitter => (s, _g, c) => {
  const { l, h, n, m } = s.f;
  const fn = c.jit.constant(kind.startsWith('s') ? alu.smull : alu.umull, kind.startsWith('s') ? 'smull' : 'umull');
  const out = c.jit.constant(alu.OUT, 'OUT');
  let code = `let lo = ${fn}(r[${n}], r[${m}]), hi = ${out}[1];\n`;
  if (kind.endsWith('al')) code += `lo = ${c.jit.constant(alu.add64, 'add64')}(lo, hi, r[${l}], r[${h}]); hi = ${out}[1];\n`;
  return code + W(l!, 'lo') + W(h!, 'hi');
};

const div = (signed: boolean): Emitter => (s, _g, c) => {
  const { d, n, m } = s.f;
  const q = signed ? '(a === -2147483648 && b === -1 ? a : (a / b) | 0)' : '((a >>> 0) / (b >>> 0)) | 0';
  return `const a = r[${n}], b = r[${m}];\n` + W(d!, `b === 0 ? s.divZero(${c.k}) : ${q}`);
};

const sat = (signed: boolean): Emitter => (s, _g, c) => {
  const { d, n, i, p } = s.f;
  const sh = s.f.s!;
  if (sh === 1 && i === 0) return `s.undefined(${c.k});\n`; // SSAT16/USAT16: ARMv7E-M
  const v = sh === 0 ? `(r[${n}] << ${i})` : `(r[${n}] >> ${i})`;
  const fn = c.jit.constant(signed ? alu.ssat : alu.usat, signed ? 'ssat' : 'usat');
  const out = c.jit.constant(alu.OUT, 'OUT');
  return `const res = ${fn}(${v}, ${signed ? p! + 1 : p!});\nif (${out}[0] !== 0) f[4] = 1;\n` + W(d!, 'res');
};

const bitfield = (kind: 'sbfx' | 'ubfx' | 'bfi' | 'bfc'): Emitter => (s, _g, c) => {
  const { d, n, i, w } = s.f;
  const lsb = i!;
  if (kind === 'sbfx' || kind === 'ubfx') {
    const width = w! + 1;
    if (lsb + width > 32) return `s.undefined(${c.k});\n`;
    const sh = 32 - lsb - width;
    return W(d!, `(r[${n}] << ${sh}) ${kind === 'sbfx' ? '>>' : '>>>'} ${32 - width}${kind === 'ubfx' ? ' | 0' : ''}`);
  }
  const msb = w!;
  if (msb < lsb) return `s.undefined(${c.k});\n`;
  const mask = (msb - lsb === 31 ? -1 : ((1 << (msb - lsb + 1)) - 1) << lsb) | 0;
  if (kind === 'bfc') return W(d!, `r[${d}] & ${hex(~mask)}`);
  return W(d!, `(r[${d}] & ${hex(~mask)}) | ((r[${n}] << ${lsb}) & ${hex(mask)})`);
};

const exclusive = (load: boolean, size: number): Emitter => (s, g, c) => {
  const { n, t, d } = s.f;
  const off = size === 4 ? s.f.i! * 4 : 0;
  const addr = `(r[${n}] + ${off}) | 0`;
  if (load) return `const a = ${addr}; const v = s.ldrex(${c.k}, a, ${size});\n` + c.mem(false, size, false, 'a', '0', 'v', '0') + W(t!, 'v');
  return `const a = ${addr}, v = r[${t}]; const st = s.strex(${c.k}, a, ${size}, v);\n` +
    `if (st === 0) {\n${c.mem(true, size, false, 'a', '0', size === 4 ? 'v' : `(v & ${size === 1 ? 0xff : 0xffff})`, '0')}}\n` + W(d!, 'st') +
    `if (s.exitReq !== 0) { ${g.exitNext(s, c)}}\n`;
};

const dual = (load: boolean): Emitter => (s, g, c) => {
  const { n, t, T, i, P, U, W: wbit } = s.f;
  const imm = i! * 4;
  const base = n === 15 ? hex(alignedPc(s)) : `r[${n}]`;
  let code = `const off = (${base} ${U ? '+' : '-'} ${imm}) | 0, a = ${P ? 'off' : base};\n`;
  if (load) {
    code += loadCode(s, g, c, 'a', 4, false, true, 'v0') + loadCode(s, g, c, '(a + 4)', 4, false, true, 'v1');
    if (wbit) code += W(n!, 'off');
    return code + W(t!, 'v0') + W(T!, 'v1');
  }
  code += `const w0 = r[${t}], w1 = r[${T}];\nlet end = 0;\n`;
  code += storeCode(s, g, c, 'a', 4, 'w0', true, 's0', 'end = 1;') + storeCode(s, g, c, '(a + 4)', 4, 'w1', true, 's1', 'end = 1;');
  if (wbit) code += W(n!, 'off');
  return code + `if (end !== 0) { ${g.exitNext(s, c)}}\n`;
};

const table = (half: boolean): Emitter => (s, g, c) => {
  const { n, m } = s.f;
  const addr = half ? `(${R(s, n!)} + (r[${m}] << 1)) | 0` : `(${R(s, n!)} + r[${m}]) | 0`;
  return loadCode(s, g, c, addr, half ? 2 : 1, false, false, 'v') +
    `s.pcLo = (${(s.pc + 4) | 0} + (v << 1)) | 0; ${g.event(Flow.IndirectJump, s.pc, 's.pcLo')}${g.modeSet(s.itAfter)}s.icount += ${c.k + 1}; return;\n`;
};

const F = (f: Fields, l: string): number => f[l]!;

export const SEMANTICS: Record<string, Emitter> = {
  // ---- 16-bit: shifts, add/sub, move, compare
  movs_r: (s, g, c) => dp(s, g, c, 'mov', s.f.d!, '0', `r[${s.f.m}]`, null, true),
  lsl_i: shift16imm(0),
  lsr_i: shift16imm(1),
  asr_i: shift16imm(2),
  add_r3: (s, g, c) => dp(s, g, c, 'add', s.f.d!, `r[${s.f.n}]`, `r[${s.f.m}]`, null, S16(s)),
  sub_r3: (s, g, c) => dp(s, g, c, 'sub', s.f.d!, `r[${s.f.n}]`, `r[${s.f.m}]`, null, S16(s)),
  add_i3: (s, g, c) => dp(s, g, c, 'add', s.f.d!, `r[${s.f.n}]`, String(s.f.i), null, S16(s)),
  sub_i3: (s, g, c) => dp(s, g, c, 'sub', s.f.d!, `r[${s.f.n}]`, String(s.f.i), null, S16(s)),
  mov_i8: (s, g, c) => dp(s, g, c, 'mov', s.f.d!, '0', String(s.f.i), null, S16(s)),
  cmp_i8: (s, g, c) => dp(s, g, c, 'cmp', 0, `r[${s.f.n}]`, String(s.f.i), null, true),
  add_i8: (s, g, c) => dp(s, g, c, 'add', s.f.d!, `r[${s.f.d}]`, String(s.f.i), null, S16(s)),
  sub_i8: (s, g, c) => dp(s, g, c, 'sub', s.f.d!, `r[${s.f.d}]`, String(s.f.i), null, S16(s)),
  // ---- 16-bit data processing (register)
  and_r2: dp16('and'), eor_r2: dp16('eor'), adc_r2: dp16('adc'), sbc_r2: dp16('sbc'), tst_r2: dp16('tst'),
  cmp_r2: dp16('cmp'), cmn_r2: dp16('cmn'), orr_r2: dp16('orr'), bic_r2: dp16('bic'), mvn_r2: dp16('mvn'),
  lsl_r2: shiftReg(0, true), lsr_r2: shiftReg(1, true), asr_r2: shiftReg(2, true), ror_r2: shiftReg(3, true),
  rsb_i0: (s, g, c) => dp(s, g, c, 'rsb', s.f.d!, `r[${s.f.n}]`, '0', null, S16(s)),
  mul_r2: (s) => `const res = Math.imul(r[${s.f.n}], r[${s.f.d}]);\n` + (S16(s) ? 'f[0] = f[1] = res;\n' : '') + W(s.f.d!, 'res'),
  // ---- 16-bit special data processing, branch and exchange
  add_hr: (s, g, c) => dp(s, g, c, 'add', s.f.d!, R(s, s.f.d!), R(s, s.f.m!), null, false),
  cmp_hr: (s, g, c) => dp(s, g, c, 'cmp', 0, R(s, s.f.n!), R(s, s.f.m!), null, true),
  mov_hr: (s, g, c) => writeRd(s, g, c, s.f.d!, R(s, s.f.m!)),
  bx: (s, g, c) => g.exitBx(s, c.k + 1, R(s, s.f.m!), s.itAfter),
  blx_r: (s, g, c) => `const t = r[${s.f.m}];\nr[14] = ${hex((s.next | 1) | 0)};\n` + g.exitBx(s, c.k + 1, 't', s.itAfter),
  ldr_lit: (s, g, c) => loadStore(s, g, c, LS.ldr!, s.f.t!, 15, hex((alignedPc(s) + s.f.i! * 4) | 0), 'off', false),
  // ---- 16-bit load/store
  str_r: lsReg(LS.str!, false), strh_r: lsReg(LS.strh!, false), strb_r: lsReg(LS.strb!, false), ldrsb_r: lsReg(LS.ldrsb!, false),
  ldr_r: lsReg(LS.ldr!, false), ldrh_r: lsReg(LS.ldrh!, false), ldrb_r: lsReg(LS.ldrb!, false), ldrsh_r: lsReg(LS.ldrsh!, false),
  str_i5: lsImm(LS.str!, (f) => F(f, 'i') * 4, always, always, never),
  ldr_i5: lsImm(LS.ldr!, (f) => F(f, 'i') * 4, always, always, never),
  strb_i5: lsImm(LS.strb!, (f) => F(f, 'i'), always, always, never),
  ldrb_i5: lsImm(LS.ldrb!, (f) => F(f, 'i'), always, always, never),
  strh_i5: lsImm(LS.strh!, (f) => F(f, 'i') * 2, always, always, never),
  ldrh_i5: lsImm(LS.ldrh!, (f) => F(f, 'i') * 2, always, always, never),
  str_sp: (s, g, c) => loadStore(s, g, c, LS.str!, s.f.t!, 13, `(r[13] + ${s.f.i! * 4}) | 0`, 'off', false),
  ldr_sp: (s, g, c) => loadStore(s, g, c, LS.ldr!, s.f.t!, 13, `(r[13] + ${s.f.i! * 4}) | 0`, 'off', false),
  adr: (s) => W(s.f.d!, hex((alignedPc(s) + s.f.i! * 4) | 0)),
  add_spi8: (s) => W(s.f.d!, `(r[13] + ${s.f.i! * 4}) | 0`),
  add_spi7: (s) => W(13, `(r[13] + ${s.f.i! * 4}) | 0`),
  sub_spi7: (s) => W(13, `(r[13] - ${s.f.i! * 4}) | 0`),
  // ---- 16-bit miscellaneous
  cbz: (s, g, c) => condBranch(s, g, c, `r[${s.f.n}] === 0`, s.f.i! << 1),
  cbnz: (s, g, c) => condBranch(s, g, c, `r[${s.f.n}] !== 0`, s.f.i! << 1),
  sxth: extend('sxth', false), sxtb: extend('sxtb', false), uxth: extend('uxth', false), uxtb: extend('uxtb', false),
  push: (s, g, c) => multiple(s, g, c, 13, s.f.r! | (s.f.M! << 14), false, true, true),
  pop: (s, g, c) => multiple(s, g, c, 13, s.f.r! | (s.f.M! << 15), true, false, true),
  cps: (s, g, c) => `s.cps(${s.f.o === 1}, ${s.f.I === 1}, ${s.f.F === 1});\n` + g.exitNext(s, c),
  rev: rev('rev'), rev16: rev('rev16'), revsh: rev('revsh'),
  bkpt: (s, _g, c) => `s.bkpt(${c.k}, ${s.f.i}, ${s.next}, ${s.itAfter}); return;\n`,
  it: nop, nop, yield: nop, hint: nop, sev: () => 's.sev();\n',
  wfi: (s, g, c) => `s.pcLo = ${s.next}; ${g.modeSet(s.itAfter)}s.icount += ${c.k + 1}; s.wfi(); return;\n`,
  wfe: (s, g, c) => `s.pcLo = ${s.next}; ${g.modeSet(s.itAfter)}s.icount += ${c.k + 1}; s.wfe(); return;\n`,
  // ---- 16-bit load/store multiple, branches, exceptions
  stm16: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, false, false, true),
  ldm16: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, true, false, ((s.f.r! >> s.f.n!) & 1) === 0),
  b_c16: (s, g, c) => condBranch(s, g, c, condExpr(s.f.c!), conditionalBranchOffset('b_c16', s.f)),
  b16: (s, g, c) => branchTo(s, g, c, signExtend(s.f.i! << 1, 12), jumpKind(s)),
  udf: undefinedInsn,
  svc: (s, _g, c) => `s.svc(${c.k}, ${s.next}, ${s.itAfter}); return;\n`,

  // ---- 32-bit load/store multiple
  stm_w: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, false, false, s.f.W === 1),
  ldm_w: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, true, false, s.f.W === 1),
  stmdb: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, false, true, s.f.W === 1),
  ldmdb: (s, g, c) => multiple(s, g, c, s.f.n!, s.f.r!, true, true, s.f.W === 1),
  // ---- dual, exclusive, table branch
  strex: exclusive(false, 4), ldrex: exclusive(true, 4),
  strexb: exclusive(false, 1), strexh: exclusive(false, 2), ldrexb: exclusive(true, 1), ldrexh: exclusive(true, 2),
  strd: dual(false), ldrd: dual(true),
  tbb: table(false), tbh: table(true),
  // ---- shifts and moves (shifted register with Rn = PC)
  lsl_is: moveShift(0), lsr_is: moveShift(1), asr_is: moveShift(2), ror_is: moveShift(3), mov_rw: moveShift(0), rrx: moveShift(3),
  // ---- plain binary immediate
  addw: (s) => W(s.f.d!, `(${R(s, s.f.n!)} + ${s.f.i}) | 0`),
  subw: (s) => W(s.f.d!, `(${R(s, s.f.n!)} - ${s.f.i}) | 0`),
  adr_w_add: (s) => W(s.f.d!, hex((alignedPc(s) + s.f.i!) | 0)),
  adr_w_sub: (s) => W(s.f.d!, hex((alignedPc(s) - s.f.i!) | 0)),
  movw: (s) => W(s.f.d!, hex((s.f.h! << 12) | (s.f.I! << 11) | s.f.i!)),
  movt: (s) => W(s.f.d!, `(r[${s.f.d}] & 0xffff) | ${hex(((s.f.h! << 12) | (s.f.I! << 11) | s.f.i!) << 16)}`),
  ssat: sat(true), usat: sat(false),
  sbfx: bitfield('sbfx'), ubfx: bitfield('ubfx'), bfi: bitfield('bfi'), bfc: bitfield('bfc'),
  // ---- branches and miscellaneous control
  b_c32: (s, g, c) => condBranch(s, g, c, condExpr(s.f.c!), conditionalBranchOffset('b_c32', s.f)),
  b32: (s, g, c) => branchTo(s, g, c, blOffset(s.f), jumpKind(s)),
  bl: (s, g, c) => W(14, hex((s.next | 1) | 0)) + branchTo(s, g, c, blOffset(s.f), Flow.Call),
  msr: (s, g, c) => `s.msr(${s.f.x}, ${s.f.k}, r[${s.f.n}]);\n` + g.exitNext(s, c),
  mrs: (s) => W(s.f.d!, `s.mrs(${s.f.x})`),
  nop_w: nop, yield_w: nop, hint_w: nop, dbg: nop, sev_w: () => 's.sev();\n',
  wfi_w: (s, g, c) => `s.pcLo = ${s.next}; ${g.modeSet(s.itAfter)}s.icount += ${c.k + 1}; s.wfi(); return;\n`,
  wfe_w: (s, g, c) => `s.pcLo = ${s.next}; ${g.modeSet(s.itAfter)}s.icount += ${c.k + 1}; s.wfe(); return;\n`,
  clrex: () => 's.clearExclusive();\n',
  dsb: nop, dmb: nop,
  isb: (s, g, c) => g.exitNext(s, c),
  udf_w: undefinedInsn,
  cop: (_s, _g, c) => `s.undefined(${c.k}, true);\n`,
  vfp: (s, _g, c) => `s.vfp(${c.k}, ${s.raw >>> 0}, ${s.pc});\n`,
  // ---- data processing (register)
  lsl_rw: shiftReg(0, false), lsr_rw: shiftReg(1, false), asr_rw: shiftReg(2, false), ror_rw: shiftReg(3, false),
  sxth_w: extend('sxth', true), uxth_w: extend('uxth', true), sxtb_w: extend('sxtb', true), uxtb_w: extend('uxtb', true),
  rev_w: rev('rev'), rev16_w: rev('rev16'), revsh_w: rev('revsh'),
  rbit: (s, _g, c) => W(s.f.d!, `${c.jit.constant(alu.rbit, 'rbit')}(r[${s.f.m}])`),
  clz: (s) => W(s.f.d!, `Math.clz32(r[${s.f.m}])`),
  // ---- multiply and divide
  mul_w: (s) => W(s.f.d!, `Math.imul(r[${s.f.n}], r[${s.f.m}])`),
  mla: (s) => W(s.f.d!, `(Math.imul(r[${s.f.n}], r[${s.f.m}]) + r[${s.f.a}]) | 0`),
  mls: (s) => W(s.f.d!, `(r[${s.f.a}] - Math.imul(r[${s.f.n}], r[${s.f.m}])) | 0`),
  smull: mulLong('smull'), umull: mulLong('umull'), smlal: mulLong('smlal'), umlal: mulLong('umlal'),
  sdiv: div(true), udiv: div(false),
};

// data processing (modified immediate / shifted register), generated like the table rows
for (const op of ['and', 'bic', 'orr', 'orn', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb', 'mov', 'mvn', 'tst', 'teq', 'cmn', 'cmp'] as const) {
  SEMANTICS[`${op}_mi`] = modImm(op);
  SEMANTICS[`${op}_sr`] = shiftedReg(op);
}

// loads and stores (32-bit): immediate 12, immediate 8 with P/U/W, unprivileged, literal, register
for (const name of ['str', 'strb', 'strh', 'ldr', 'ldrb', 'ldrh', 'ldrsb', 'ldrsh']) {
  const form = LS[name]!;
  SEMANTICS[`${name}_i12`] = lsImm(form, (f) => F(f, 'i'), always, always, never);
  SEMANTICS[`${name}_i8`] = lsImm(form, (f) => F(f, 'i'), (f) => f.P === 1, (f) => f.U === 1, (f) => f.W === 1);
  SEMANTICS[`${name}t`] = lsImm({ ...form, unpriv: true }, (f) => F(f, 'i'), always, always, never);
  SEMANTICS[`${name}_rw`] = lsReg(form, true);
  if (!form.store && name !== 'ldr') SEMANTICS[`${name}_lit`] = lsLit(form); // 16-bit LDR (literal) is `ldr_lit`
}
SEMANTICS.ldr_lit_w = lsLit(LS.ldr!);
// preload hints: no effect (no caches are modelled)
for (const id of ['pld_i12', 'pld_i8', 'pld_lit', 'pld_r', 'pli_i12s', 'pli_i8s', 'pli_lits', 'pli_rs',
  'nophint_i12', 'nophint_i8', 'nophint_lit', 'nophint_r', 'nophint_i12s', 'nophint_i8s', 'nophint_lits', 'nophint_rs']) SEMANTICS[id] = nop;

/** Encodings that end a block (they may change the PC, raise, or change interrupt masking). */
export const ENDS_BLOCK = new Set([
  'bx', 'blx_r', 'b_c16', 'b16', 'b_c32', 'b32', 'bl', 'cbz', 'cbnz', 'tbb', 'tbh', 'svc', 'bkpt', 'udf', 'udf_w', 'cop',
  'msr', 'cps', 'wfi', 'wfe', 'wfi_w', 'wfe_w', 'isb',
]);

/** Is this instruction (with its fields) a write to the PC, which ends its block? */
export function writesPc(id: string, f: Fields): boolean {
  if (ENDS_BLOCK.has(id)) return true;
  switch (id) {
    case 'add_hr': case 'mov_hr': return f.d === 15;
    case 'pop': return f.M === 1;
    case 'ldm_w': case 'ldmdb': return ((f.r! >> 15) & 1) === 1;
    default:
      if (/^ldr(_i12|_i8|t|_rw|_lit_w)$/.test(id)) return f.t === 15;
      return false;
  }
}

// ---- ARMv7E-M DSP (Cortex-M4) -----------------------------------------------------------------------

/** Rm rotated right by 8 × the rotation field (extend instructions). */
const rotated = (s: ArmSite): string => {
  const r8 = s.f.s! * 8;
  return r8 === 0 ? `r[${s.f.m}]` : `((r[${s.f.m}] >>> ${r8}) | (r[${s.f.m}] << ${32 - r8}))`;
};
const dspCall = (c: EmitContext, name: string, fn: unknown): string => c.jit.constant(fn, name);
const qIf = (c: EmitContext): string => `if (${c.jit.constant(alu.OUT, 'OUT')}[0] !== 0) f[4] = 1;\n`;

Object.assign(SEMANTICS, {
  sxtah: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] + ((${rotated(s)} << 16) >> 16)) | 0`),
  uxtah: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] + (${rotated(s)} & 0xffff)) | 0`),
  sxtab: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] + ((${rotated(s)} << 24) >> 24)) | 0`),
  uxtab: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] + (${rotated(s)} & 0xff)) | 0`),
  sxtb16: (s: ArmSite) => `const v = ${rotated(s)};\n` + W(s.f.d!, '(((v << 24) >> 24) & 0xffff) | (((v << 8) >> 24) << 16)'),
  uxtb16: (s: ArmSite) => W(s.f.d!, `${rotated(s)} & 0xff00ff`),
  sxtab16: (s: ArmSite) => `const v = ${rotated(s)}, n = r[${s.f.n}];\n` +
    W(s.f.d!, '((n + ((v << 24) >> 24)) & 0xffff) | (((n >> 16) + ((v << 8) >> 24)) << 16)'),
  uxtab16: (s: ArmSite) => `const v = ${rotated(s)}, n = r[${s.f.n}];\n` +
    W(s.f.d!, '((n + (v & 0xff)) & 0xffff) | (((n >>> 16) + ((v >>> 16) & 0xff)) << 16)'),
  sel: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'sel', alu.sel)}(f[5], r[${s.f.n}], r[${s.f.m}])`),
  ssat16: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'sat16', alu.sat16)}(true, r[${s.f.n}], ${s.f.p! + 1});\n` + qIf(c) + W(s.f.d!, 'res'),
  usat16: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'sat16', alu.sat16)}(false, r[${s.f.n}], ${s.f.p});\n` + qIf(c) + W(s.f.d!, 'res'),
  pkhbt: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] & 0xffff) | ((r[${s.f.m}] << ${s.f.i}) & -65536)`),
  pkhtb: (s: ArmSite) => W(s.f.d!, `(r[${s.f.n}] & -65536) | ((r[${s.f.m}] >> ${s.f.i === 0 ? 31 : s.f.i}) & 0xffff)`),
  smulxy: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smlaxy', alu.smlaxy)}(r[${s.f.n}], ${s.f.N}, r[${s.f.m}], ${s.f.M}, null)`),
  smlaxy: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'smlaxy', alu.smlaxy)}(r[${s.f.n}], ${s.f.N}, r[${s.f.m}], ${s.f.M}, r[${s.f.a}]);\n` + qIf(c) + W(s.f.d!, 'res'),
  smuad: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'smlad', alu.smlad)}(r[${s.f.n}], r[${s.f.m}], ${s.f.X}, false, null);\n` + qIf(c) + W(s.f.d!, 'res'),
  smlad: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'smlad', alu.smlad)}(r[${s.f.n}], r[${s.f.m}], ${s.f.X}, false, r[${s.f.a}]);\n` + qIf(c) + W(s.f.d!, 'res'),
  smusd: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smlad', alu.smlad)}(r[${s.f.n}], r[${s.f.m}], ${s.f.X}, true, null)`),
  smlsd: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'smlad', alu.smlad)}(r[${s.f.n}], r[${s.f.m}], ${s.f.X}, true, r[${s.f.a}]);\n` + qIf(c) + W(s.f.d!, 'res'),
  smulwy: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smlawy', alu.smlawy)}(r[${s.f.n}], r[${s.f.m}], ${s.f.M}, null)`),
  smlawy: (s: ArmSite, _g: Gen, c: EmitContext) => `const res = ${dspCall(c, 'smlawy', alu.smlawy)}(r[${s.f.n}], r[${s.f.m}], ${s.f.M}, r[${s.f.a}]);\n` + qIf(c) + W(s.f.d!, 'res'),
  smmul: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smmla', alu.smmla)}(r[${s.f.n}], r[${s.f.m}], null, false, ${s.f.R})`),
  smmla: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smmla', alu.smmla)}(r[${s.f.n}], r[${s.f.m}], r[${s.f.a}], false, ${s.f.R})`),
  smmls: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'smmla', alu.smmla)}(r[${s.f.n}], r[${s.f.m}], r[${s.f.a}], true, ${s.f.R})`),
  usad8: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'usad8', alu.usad8)}(r[${s.f.n}], r[${s.f.m}], 0)`),
  usada8: (s: ArmSite, _g: Gen, c: EmitContext) => W(s.f.d!, `${dspCall(c, 'usad8', alu.usad8)}(r[${s.f.n}], r[${s.f.m}], r[${s.f.a}])`),
  smlalxy: (s: ArmSite, _g: Gen, c: EmitContext) => dspLongCode(s, c, 0, s.f.N!, s.f.M!),
  smlald: (s: ArmSite, _g: Gen, c: EmitContext) => dspLongCode(s, c, 1, s.f.X!, 0),
  smlsld: (s: ArmSite, _g: Gen, c: EmitContext) => dspLongCode(s, c, 2, s.f.X!, 0),
  umaal: (s: ArmSite, _g: Gen, c: EmitContext) => dspLongCode(s, c, 3, 0, 0),
} satisfies Record<string, Emitter>);

function dspLongCode(s: ArmSite, c: EmitContext, kind: number, n: number, m: number): string {
  const fn = dspCall(c, 'dspLong', alu.dspLong), out = c.jit.constant(alu.OUT, 'OUT');
  return `const lo = ${fn}(${kind}, r[${s.f.n}], r[${s.f.m}], r[${s.f.l}], r[${s.f.h}], ${n}, ${m}), hi = ${out}[1];\n` + W(s.f.l!, 'lo') + W(s.f.h!, 'hi');
}

for (const [op, op1] of PARALLEL_OPS) {
  PARALLEL_KINDS.forEach(([k], kind) => {
    SEMANTICS[`${k}${op}`] = (s, _g, c) => {
      const fn = dspCall(c, 'parallel', alu.parallel), out = c.jit.constant(alu.OUT, 'OUT');
      return `const res = ${fn}(${kind}, ${parseInt(op1, 2)}, r[${s.f.n}], r[${s.f.m}]);\n` +
        (kind === 0 || kind === 3 ? `f[5] = ${out}[0];\n` : '') + W(s.f.d!, 'res');
    };
  });
}
for (const [id, op] of [['qadd', 0], ['qdadd', 1], ['qsub', 2], ['qdsub', 3]] as const) {
  SEMANTICS[id] = (s, _g, c) => `const res = ${dspCall(c, 'qaddsub', alu.qaddsub)}(${op}, r[${s.f.m}], r[${s.f.n}]);\n` + qIf(c) + W(s.f.d!, 'res');
}
