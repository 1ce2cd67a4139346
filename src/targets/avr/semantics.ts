/**
 * AVR instruction semantics, emitted as JavaScript, one entry per encoding id (see encodings.ts).
 * Read an entry as the manual's "Operation" and "Status Register" lines: SREG bits are
 * C0 Z1 N2 V3 S4 H5 T6 I7, registers are the first 32 bytes of the data space `d`.
 *
 * Conventions inside a block function `tb(s)`: `d` is the data space (r0..r31 at 0..31, SREG at
 * 95, SP at 93/94), `f` the flash bytes, `s` the CPU. Every instruction sits in its own `{ }`
 * scope. `c0` (a constant per instruction) is the number of cycles the block executed before it:
 * slow paths get it so a peripheral sees the exact cycle; an exit adds `c0` + the instruction's own
 * cycles to `s.icount`.
 */
import type { EmitContext } from '../../core/blockgen.js';
import { Flow, type FlowKind } from '../../plugin/api.js';
import { FLASH_MASK } from './cpu.js';
import type { AvrEncoding, AvrOperands } from './encodings.js';

/** What an instruction knows when it emits itself. */
export interface AvrSite {
  readonly e: AvrEncoding;
  readonly o: AvrOperands;
  /** Byte address of the instruction and of the one after it. */
  readonly pc: number;
  readonly next: number;
  /** Size in bytes of the instruction after this one (for skips). */
  readonly nextSize: number;
  /** Cycles executed in the block before this instruction. */
  readonly c0: number;
  /** False when a later instruction of the block overwrites every SREG bit this one writes before any read. */
  readonly flagsLive: boolean;
}

/** Block-level emission helpers. */
export interface AvrGen {
  /** Leave the block at constant byte PC `pc` after `cycles` block cycles. */
  exit(pc: number, cycles: number): string;
  /**
   * Statement reporting a control-flow event of `kind` from the instruction at byte address
   * `from` to the byte address in expression `to`, or '' when no plugin registered the kind.
   */
  event(kind: FlowKind, from: number, to: string): string;
  /** Is I/O address `a` (data space) hooked for reads / writes (decided at translation). */
  readHooked(a: number): boolean;
  writeHooked(a: number): boolean;
}

export type AvrEmitter = (i: AvrSite, g: AvrGen, c: EmitContext) => string;

const SREG = 'd[95]';
/** `d[95] = (d[95] & keep) | bits;` when the flags are live. */
const flags = (i: AvrSite, keep: number, bits: string, prelude = ''): string =>
  i.flagsLive ? `${prelude}${SREG} = (${SREG} & 0x${keep.toString(16)}) | ${bits};\n` : '';

/** Leave the block for the next instruction in sequence (a FallThrough) after `cycles` block cycles. */
const exitNext = (i: AvrSite, g: AvrGen, cycles: number): string =>
  g.event(Flow.FallThrough, i.pc, String(i.next)) + g.exit(i.next, cycles);

/**
 * Taken when local/expression `cond` holds: `kind`'s event to `target` and leave after `cycles`;
 * otherwise BranchNotTaken (to the next instruction) and the block goes on.
 */
function conditional(i: AvrSite, g: AvrGen, cond: string, target: number, cycles: number): string {
  const notTaken = g.event(Flow.BranchNotTaken, i.pc, String(i.next));
  return `if (${cond}) { ${g.event(Flow.BranchTaken, i.pc, String(target))}${g.exit(target, cycles)}}` +
    `${notTaken === '' ? '' : ` else { ${notTaken}}`}\n`;
}

// ---- data-space access -----------------------------------------------------------------------

/**
 * Load from constant data address `a` into `const name`. `late`: the read happens in the
 * instruction's second cycle (LDS, LD, LDD, POP: 2-cycle data loads; avr8js reads there too), so
 * a peripheral sees cycle c0 + 1; IN, SBIC, SBIS, SBI and CBI read in their first.
 */
function loadConst(i: AvrSite, g: AvrGen, c: EmitContext, a: number, name: string, late = false): string {
  const expr = a >= 0x20 && a < 0x100 && g.readHooked(a) ? `s.ld(${a}, ${i.c0 + (late ? 1 : 0)})` : `d[${a}]`;
  return `const ${name} = ${expr};\n` + c.mem(false, 1, false, String(a), '0', name, '0');
}

/** Store `value` (a local) at constant data address `a`; may leave the block after a hooked write. */
function storeConst(i: AvrSite, g: AvrGen, c: EmitContext, a: number, value: string, mask = 0xff): string {
  let code: string;
  if (a >= 0x20 && a < 0x100 && (g.writeHooked(a) || a === 95)) {
    code = `s.st(${a}, ${value}, ${mask}, ${i.c0});\n` + c.mem(true, 1, false, String(a), '0', value, '0') +
      `if (s.exitReq !== 0) { ${exitNext(i, g, i.c0 + i.e.cycles)}}\n`;
  } else code = `d[${a}] = ${value};\n` + c.mem(true, 1, false, String(a), '0', value, '0');
  return code;
}

/** Load (2 cycles: the read is in the second) from the data address in local `a` into `const name`: SRAM directly, the rest through the CPU. */
const loadDyn = (i: AvrSite, c: EmitContext, a: string, name: string): string =>
  `const ${name} = ${a} >= 0x100 ? d[${a}] : s.ld(${a}, ${i.c0 + 1});\n` + c.mem(false, 1, false, a, '0', name, '0');

/** Store local `value` at the data address in local `a`. `cycles`: the instruction's own. */
const storeDyn = (i: AvrSite, g: AvrGen, c: EmitContext, a: string, value: string): string =>
  `if (${a} >= 0x100) d[${a}] = ${value}; else s.st(${a}, ${value}, 255, ${i.c0});\n` +
  c.mem(true, 1, false, a, '0', value, '0') +
  `if (${a} < 0x100 && s.exitReq !== 0) { ${exitNext(i, g, i.c0 + i.e.cycles)}}\n`;

const PTR = { X: 26, Y: 28, Z: 30 } as const;
const ptr = (p: 'X' | 'Y' | 'Z'): string => `(d[${PTR[p]}] | (d[${PTR[p] + 1}] << 8))`;
const setPtr = (p: 'X' | 'Y' | 'Z', v: string): string => `d[${PTR[p]}] = ${v} & 255; d[${PTR[p] + 1}] = ${v} >> 8;\n`;

/** LD Rd, {X,Y,Z}{,+} / -{X,Y,Z} / LDD Rd, {Y,Z}+q. */
function ld(p: 'X' | 'Y' | 'Z', mode: '' | '+' | '-' | 'q'): AvrEmitter {
  return (i, _g, c) => {
    let code = mode === '-' ? `const a = (${ptr(p)} - 1) & 0xffff;\n${setPtr(p, 'a')}`
      : mode === 'q' ? `const a = (${ptr(p)} + ${i.o.q}) & 0xffff;\n` : `const a = ${ptr(p)};\n`;
    code += loadDyn(i, c, 'a', 'v') + `d[${i.o.d}] = v;\n`;
    if (mode === '+') code += `const n = (a + 1) & 0xffff;\n${setPtr(p, 'n')}`;
    return code;
  };
}

/** ST {X,Y,Z}{,+}, Rr / -{X,Y,Z} / STD {Y,Z}+q, Rr. */
function st(p: 'X' | 'Y' | 'Z', mode: '' | '+' | '-' | 'q'): AvrEmitter {
  return (i, g, c) => {
    let code = `const v = d[${i.o.r}];\n`;
    code += mode === '-' ? `const a = (${ptr(p)} - 1) & 0xffff;\n${setPtr(p, 'a')}`
      : mode === 'q' ? `const a = (${ptr(p)} + ${i.o.q}) & 0xffff;\n` : `const a = ${ptr(p)};\n`;
    if (mode === '+') code += `const n = (a + 1) & 0xffff;\n${setPtr(p, 'n')}`;
    return code + storeDyn(i, g, c, 'a', 'v');
  };
}

/** Push local `v`: [SP] ← v, SP ← SP − 1. */
const push = (i: AvrSite, c: EmitContext, v: string): string =>
  `{ const sp = d[93] | (d[94] << 8); if (sp >= 0x100) d[sp] = ${v}; else s.st(sp, ${v}, 255, ${i.c0});\n` +
  c.mem(true, 1, false, 'sp', '0', v, '0') + `const n = (sp - 1) & 0xffff; d[93] = n & 255; d[94] = n >> 8; }\n`;

/** Push the return address (word `ret`): low byte at SP, high byte at SP − 1, SP ← SP − 2. */
const pushReturn = (i: AvrSite, c: EmitContext, ret: string): string =>
  `{ const sp = d[93] | (d[94] << 8), lo = ${ret} & 255, hi = ${ret} >> 8;\n` +
  `if (sp >= 0x101) { d[sp] = lo; d[sp - 1] = hi; } else { s.st(sp, lo, 255, ${i.c0}); s.st((sp - 1) & 0xffff, hi, 255, ${i.c0}); }\n` +
  c.mem(true, 2, false, '((sp - 1) & 0xffff)', '0', '((lo << 8) | hi)', '0') +
  `const n = (sp - 2) & 0xffff; d[93] = n & 255; d[94] = n >> 8; }\n`;

/** Pop the return address into `const ret` (byte PC): SP ← SP + 2, high byte first. */
const popReturn = (i: AvrSite, c: EmitContext): string =>
  `const sp = d[93] | (d[94] << 8), a = (sp + 1) & 0xffff, b = (sp + 2) & 0xffff;\n` +
  `const hi = a >= 0x100 ? d[a] : s.ld(a, ${i.c0}), lo = b >= 0x100 ? d[b] : s.ld(b, ${i.c0});\n` +
  c.mem(false, 2, false, 'a', '0', '((lo << 8) | hi)', '0') +
  `d[93] = b & 255; d[94] = b >> 8;\nconst ret = ((hi << 8) | lo) * 2 & ${FLASH_MASK};\n`;

// ---- flag helpers (manual formulas, bit-parallel) --------------------------------------------

/** ADD/ADC: `a`, `b`, result `r` in locals. H and C from the carry vector (a&b | (a|b)&~r). */
const addFlags = (i: AvrSite): string => flags(i, 0xc0,
  '((cv >> 7) & 1) | (r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4) | ((cv << 2) & 0x20)',
  'const cv = (a & b) | ((a | b) & ~r), v = (((a ^ r) & (b ^ r)) >> 7) & 1, n = r >> 7;\n');

/** SUB/SBC/CP/CPC: borrow vector (~a&b | (~a|b)&r). `keepZ`: Z stays set only if it was (SBC, CPC). */
const subFlags = (i: AvrSite, keepZ: boolean): string => flags(i, 0xc0,
  `((bv >> 7) & 1) | (r === 0 ? ${keepZ ? `(${SREG} & 2)` : '2'} : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4) | ((bv << 2) & 0x20)`,
  'const bv = (~a & b) | ((~a | b) & r), v = (((a ^ b) & (a ^ r)) >> 7) & 1, n = r >> 7;\n');

/** AND/OR/EOR/ANDI/ORI: V = 0, N = S = R7, Z. */
const logicFlags = (i: AvrSite): string => flags(i, 0xe1, '(r === 0 ? 2 : 0) | ((r >> 7) * 0x14)');

/** Shifts (ASR, LSR, ROR): C = old bit 0, N = R7, V = N ^ C, S = N ^ V. */
const shiftFlags = (i: AvrSite): string => flags(i, 0xe0,
  'c | (r === 0 ? 2 : 0) | (n << 2) | ((n ^ c) << 3) | (c << 4)', 'const n = r >> 7;\n');

// ---- the instructions --------------------------------------------------------------------------

const rr = (i: AvrSite): string => `const a = d[${i.o.d}], b = d[${i.o.r}];\n`;
const ri = (i: AvrSite): string => `const a = d[${i.o.d}], b = ${i.o.K};\n`;

function add(carry: boolean): AvrEmitter {
  return (i) => rr(i) + `const r = (a + b${carry ? ` + (${SREG} & 1)` : ''}) & 255;\nd[${i.o.d}] = r;\n` + addFlags(i);
}

function sub(imm: boolean, carry: boolean, store: boolean): AvrEmitter {
  return (i) => (imm ? ri(i) : rr(i)) + `const r = (a - b${carry ? ` - (${SREG} & 1)` : ''}) & 255;\n` +
    (store ? `d[${i.o.d}] = r;\n` : '') + subFlags(i, carry);
}

function logic(op: '&' | '|' | '^', imm: boolean): AvrEmitter {
  return (i) => (imm ? ri(i) : rr(i)) + `const r = a ${op} b;\nd[${i.o.d}] = r;\n` + logicFlags(i);
}

/** MUL family: 16-bit product of locals a, b into r1:r0. `frac`: FMUL* shift left by one. C = bit 15 of the product before the shift. */
function mul(sa: boolean, sb: boolean, frac: boolean): AvrEmitter {
  return (i) => {
    const a = sa ? `(d[${i.o.d}] << 24 >> 24)` : `d[${i.o.d}]`;
    const b = sb ? `(d[${i.o.r}] << 24 >> 24)` : `d[${i.o.r}]`;
    let code = `const p = (${a} * ${b}) & 0xffff;\n`;
    code += frac ? 'const r = (p << 1) & 0xffff;\n' : 'const r = p;\n';
    code += 'd[0] = r & 255; d[1] = r >> 8;\n';
    return code + flags(i, 0xfc, '(p >> 15) | (r === 0 ? 2 : 0)');
  };
}

/**
 * Skip the next instruction when `cond` holds (1 cycle; 2 or 3 when skipping a one- or two-word
 * instruction). The skip leaves the block; otherwise the block goes on with the next instruction.
 * Control flow: a skip is a BranchTaken to the instruction after the skipped one, no skip a
 * BranchNotTaken.
 */
function skip(cond: (i: AvrSite, g: AvrGen, c: EmitContext) => string): AvrEmitter {
  return (i, g, c) => {
    const words = i.nextSize / 2;
    const after = (i.next + i.nextSize) & FLASH_MASK;
    return cond(i, g, c) + conditional(i, g, 't', after, i.c0 + 1 + words);
  };
}

/** Branch if SREG bit s is `set` (1 cycle; 2 taken). A taken branch leaves the block; otherwise it goes on. */
function branch(set: boolean): AvrEmitter {
  return (i, g) => {
    const target = (i.next + 2 * i.o.k) & FLASH_MASK;
    return conditional(i, g, `((${SREG} >> ${i.o.s}) & 1) === ${set ? 1 : 0}`, target, i.c0 + 2);
  };
}

/** Leave the block for the constant byte PC `target` (RJMP, JMP, RCALL, CALL), reporting `kind`. */
const jumpTo = (i: AvrSite, g: AvrGen, kind: FlowKind, target: number, cycles: number): string =>
  g.event(kind, i.pc, String(target)) + g.exit(target, cycles);

const ioAddr = (i: AvrSite): number => i.o.A + 0x20;

export const SEMANTICS: Readonly<Record<string, AvrEmitter>> = {
  // arithmetic and logic
  add: add(false),
  adc: add(true),
  sub: sub(false, false, true),
  subi: sub(true, false, true),
  sbc: sub(false, true, true),
  sbci: sub(true, true, true),
  cp: sub(false, false, false),
  cpc: sub(false, true, false),
  cpi: sub(true, false, false),
  and: logic('&', false),
  andi: logic('&', true),
  or: logic('|', false),
  ori: logic('|', true),
  eor: logic('^', false),
  adiw: (i) => `const lo = d[${i.o.d}], hi = d[${i.o.d + 1}], r = (((hi << 8) | lo) + ${i.o.K}) & 0xffff;\n` +
    `d[${i.o.d}] = r & 255; d[${i.o.d + 1}] = r >> 8;\n` +
    flags(i, 0xe0, 'c | (r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4)',
      'const n = r >> 15, v = ((~hi & (r >> 8)) >> 7) & 1, c = ((hi & ~(r >> 8)) >> 7) & 1;\n'),
  sbiw: (i) => `const lo = d[${i.o.d}], hi = d[${i.o.d + 1}], r = (((hi << 8) | lo) - ${i.o.K}) & 0xffff;\n` +
    `d[${i.o.d}] = r & 255; d[${i.o.d + 1}] = r >> 8;\n` +
    flags(i, 0xe0, 'c | (r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4)',
      'const n = r >> 15, v = ((hi & ~(r >> 8)) >> 7) & 1, c = (((r >> 8) & ~hi) >> 7) & 1;\n'),
  com: (i) => `const r = ~d[${i.o.d}] & 255;\nd[${i.o.d}] = r;\n` + flags(i, 0xe0, '1 | (r === 0 ? 2 : 0) | ((r >> 7) * 0x14)'),
  neg: (i) => `const a = d[${i.o.d}], r = -a & 255;\nd[${i.o.d}] = r;\n` +
    flags(i, 0xc0, '(r !== 0 ? 1 : 0) | (r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4) | ((r | a) & 8) << 2',
      'const n = r >> 7, v = r === 0x80 ? 1 : 0;\n'),
  inc: (i) => `const r = (d[${i.o.d}] + 1) & 255;\nd[${i.o.d}] = r;\n` +
    flags(i, 0xe1, '(r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4)', 'const n = r >> 7, v = r === 0x80 ? 1 : 0;\n'),
  dec: (i) => `const r = (d[${i.o.d}] - 1) & 255;\nd[${i.o.d}] = r;\n` +
    flags(i, 0xe1, '(r === 0 ? 2 : 0) | (n << 2) | (v << 3) | ((n ^ v) << 4)', 'const n = r >> 7, v = r === 0x7f ? 1 : 0;\n'),
  mul: mul(false, false, false),
  muls: mul(true, true, false),
  mulsu: mul(true, false, false),
  fmul: mul(false, false, true),
  fmuls: mul(true, true, true),
  fmulsu: mul(true, false, true),

  // branches
  rjmp: (i, g) => jumpTo(i, g, Flow.DirectJump, (i.next + 2 * i.o.k) & FLASH_MASK, i.c0 + 2),
  ijmp: (i, g) => `s.pcLo = (${ptr('Z')} * 2) & ${FLASH_MASK}; ${g.event(Flow.IndirectJump, i.pc, 's.pcLo')}s.icount += ${i.c0 + 2}; return;\n`,
  jmp: (i, g) => jumpTo(i, g, Flow.DirectJump, (i.o.k * 2) & FLASH_MASK, i.c0 + 3),
  rcall: (i, g, c) => pushReturn(i, c, String(i.next >> 1)) + jumpTo(i, g, Flow.Call, (i.next + 2 * i.o.k) & FLASH_MASK, i.c0 + 3),
  icall: (i, g, c) => `const t = (${ptr('Z')} * 2) & ${FLASH_MASK};\n` + pushReturn(i, c, String(i.next >> 1)) +
    `s.pcLo = t; ${g.event(Flow.Call, i.pc, 't')}s.icount += ${i.c0 + 3}; return;\n`,
  call: (i, g, c) => pushReturn(i, c, String(i.next >> 1)) + jumpTo(i, g, Flow.Call, (i.o.k * 2) & FLASH_MASK, i.c0 + 4),
  ret: (i, g, c) => popReturn(i, c) + `s.pcLo = ret; ${g.event(Flow.Return, i.pc, 'ret')}s.icount += ${i.c0 + 4}; return;\n`,
  reti: (i, g, c) => popReturn(i, c) +
    `s.pcLo = ret; ${g.event(Flow.TrapReturn, i.pc, 'ret')}s.icount += ${i.c0 + 4}; ${SREG} |= 0x80; s.interruptsEnabled(); return;\n`,
  cpse: skip((i) => `const t = d[${i.o.d}] === d[${i.o.r}];\n`),
  sbrc: skip((i) => `const t = ((d[${i.o.r}] >> ${i.o.b}) & 1) === 0;\n`),
  sbrs: skip((i) => `const t = ((d[${i.o.r}] >> ${i.o.b}) & 1) === 1;\n`),
  sbic: skip((i, g, c) => loadConst(i, g, c, ioAddr(i), 'io') + `const t = ((io >> ${i.o.b}) & 1) === 0;\n`),
  sbis: skip((i, g, c) => loadConst(i, g, c, ioAddr(i), 'io') + `const t = ((io >> ${i.o.b}) & 1) === 1;\n`),
  brbs: branch(true),
  brbc: branch(false),

  // data transfer
  mov: (i) => `d[${i.o.d}] = d[${i.o.r}];\n`,
  movw: (i) => `d[${i.o.d}] = d[${i.o.r}]; d[${i.o.d + 1}] = d[${i.o.r + 1}];\n`,
  ldi: (i) => `d[${i.o.d}] = ${i.o.K};\n`,
  lds: (i, g, c) => loadConst(i, g, c, i.o.k, 'v', true) + `d[${i.o.d}] = v;\n`,
  ld_x: ld('X', ''), ld_xi: ld('X', '+'), ld_xd: ld('X', '-'),
  ld_y: ld('Y', ''), ld_yi: ld('Y', '+'), ld_yd: ld('Y', '-'), ldd_y: ld('Y', 'q'),
  ld_z: ld('Z', ''), ld_zi: ld('Z', '+'), ld_zd: ld('Z', '-'), ldd_z: ld('Z', 'q'),
  sts: (i, g, c) => `const v = d[${i.o.r}];\n` + storeConst(i, g, c, i.o.k, 'v'),
  st_x: st('X', ''), st_xi: st('X', '+'), st_xd: st('X', '-'),
  st_y: st('Y', ''), st_yi: st('Y', '+'), st_yd: st('Y', '-'), std_y: st('Y', 'q'),
  st_z: st('Z', ''), st_zi: st('Z', '+'), st_zd: st('Z', '-'), std_z: st('Z', 'q'),
  // LPM/ELPM read program memory (not reported as data-space accesses). RAMPZ does not exist on
  // the ATmega328P (32 KiB flash), so ELPM reads what LPM reads.
  lpm: () => `d[0] = f[${ptr('Z')} & ${FLASH_MASK}];\n`,
  lpm_z: (i) => `d[${i.o.d}] = f[${ptr('Z')} & ${FLASH_MASK}];\n`,
  lpm_zi: (i) => `const z = ${ptr('Z')};\nd[${i.o.d}] = f[z & ${FLASH_MASK}];\nconst n = (z + 1) & 0xffff;\n${setPtr('Z', 'n')}`,
  elpm: () => `d[0] = f[${ptr('Z')} & ${FLASH_MASK}];\n`,
  elpm_z: (i) => `d[${i.o.d}] = f[${ptr('Z')} & ${FLASH_MASK}];\n`,
  elpm_zi: (i) => `const z = ${ptr('Z')};\nd[${i.o.d}] = f[z & ${FLASH_MASK}];\nconst n = (z + 1) & 0xffff;\n${setPtr('Z', 'n')}`,
  spm: (i, g) => `s.spm(); s.pcLo = ${i.next}; ${g.event(Flow.FallThrough, i.pc, String(i.next))}s.icount += ${i.c0 + 1}; return;\n`,
  in: (i, g, c) => loadConst(i, g, c, ioAddr(i), 'v') + `d[${i.o.d}] = v;\n`,
  out: (i, g, c) => `const v = d[${i.o.r}];\n` + storeConst(i, g, c, ioAddr(i), 'v'),
  push: (i, _g, c) => `const v = d[${i.o.r}];\n` + push(i, c, 'v'),
  pop: (i, _g, c) => `const sp = ((d[93] | (d[94] << 8)) + 1) & 0xffff;\nd[93] = sp & 255; d[94] = sp >> 8;\n` +
    loadDyn(i, c, 'sp', 'v') + `d[${i.o.d}] = v;\n`,

  // bit and bit-test
  lsr: (i) => `const a = d[${i.o.d}], r = a >> 1, c = a & 1;\nd[${i.o.d}] = r;\n` + shiftFlags(i),
  asr: (i) => `const a = d[${i.o.d}], r = (a >> 1) | (a & 0x80), c = a & 1;\nd[${i.o.d}] = r;\n` + shiftFlags(i),
  ror: (i) => `const a = d[${i.o.d}], r = (a >> 1) | ((${SREG} & 1) << 7), c = a & 1;\nd[${i.o.d}] = r;\n` + shiftFlags(i),
  swap: (i) => `const a = d[${i.o.d}];\nd[${i.o.d}] = ((a << 4) | (a >> 4)) & 255;\n`,
  sbi: (i, g, c) => loadConst(i, g, c, ioAddr(i), 'o') + `const v = o | ${1 << i.o.b};\n` + storeConst(i, g, c, ioAddr(i), 'v', 1 << i.o.b),
  cbi: (i, g, c) => loadConst(i, g, c, ioAddr(i), 'o') + `const v = o & ${~(1 << i.o.b) & 0xff};\n` + storeConst(i, g, c, ioAddr(i), 'v', 1 << i.o.b),
  bst: (i) => `${SREG} = (${SREG} & 0xbf) | (((d[${i.o.d}] >> ${i.o.b}) & 1) << 6);\n`,
  bld: (i) => `d[${i.o.d}] = (d[${i.o.d}] & ${~(1 << i.o.b) & 0xff}) | (((${SREG} >> 6) & 1) << ${i.o.b});\n`,
  // SEI (BSET 7) ends the block: the next instruction still runs before any interrupt.
  bset: (i, g) => i.o.s === 7
    ? `${SREG} |= 0x80; s.pcLo = ${i.next}; ${g.event(Flow.FallThrough, i.pc, String(i.next))}s.icount += ${i.c0 + 1}; s.interruptsEnabled(); return;\n`
    : `${SREG} |= ${1 << i.o.s};\n`,
  bclr: (i) => i.o.s === 7 ? `${SREG} &= 0x7f; s.sregChanged();\n` : `${SREG} &= ${~(1 << i.o.s) & 0xff};\n`,

  // MCU control
  nop: () => '',
  break: () => '', // no on-chip debugger: BREAK is a NOP (manual)
  wdr: (i) => `s.wdr(${i.c0});\n`,
  sleep: (i) => `s.pcLo = ${i.next}; s.icount += ${i.c0 + 1}; s.sleep(); return;\n`,
};
