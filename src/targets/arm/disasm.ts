/**
 * Thumb disassembly in `arm-none-eabi-objdump -d` syntax (mnemonic, a tab, operands; `.w` where
 * objdump writes it; conditions inside IT blocks; branch targets as absolute hex addresses;
 * `@ 0x...` comments for immediates as objdump adds them). Driven by the encoding table: the
 * operands come from the same fields the semantics use.
 */
import { disasVfp } from './fpu.js';
import { COND_NAMES, thumbExpandImm } from './alu.js';
import { decode, type Fields, type Profile } from './encodings.js';

const REG = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'sl', 'fp', 'ip', 'sp', 'lr', 'pc'];
const reg = (n: number | undefined): string => REG[n ?? 0]!;
const hx = (v: number): string => (v >>> 0).toString(16);
const SHIFT = ['lsl', 'lsr', 'asr', 'ror'];
const SYSREG: Record<number, string> = {
  0: 'APSR', 1: 'IAPSR', 2: 'EAPSR', 3: 'PSR', 5: 'IPSR', 6: 'EPSR', 7: 'IEPSR', 8: 'MSP', 9: 'PSP',
  16: 'PRIMASK', 17: 'BASEPRI', 18: 'BASEPRI_MAX', 19: 'FAULTMASK', 20: 'CONTROL',
};
const BARRIER: Record<number, string> = { 15: 'sy', 14: 'st', 13: 'ld', 11: 'ish', 10: 'ishst', 9: 'ishld', 7: 'nsh', 6: 'nshst', 5: 'nshld', 3: 'osh', 2: 'oshst', 1: 'oshld' };

function regList(list: number): string {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) if ((list >> i) & 1) out.push(REG[i]!);
  return `{${out.join(', ')}}`;
}

/** objdump's comment after an immediate: `@ 0x...` when it is above 32 or below -16 (arm-dis.c). */
const cm = (v: number): string => (v > 32 || v < -16 ? `\t@ 0x${hx(v)}` : '');
const immC = (v: number): string => `#${v >>> 0}${cm(v >>> 0)}`;

function shiftSuffix(type: number, amount: number): string {
  if (type === 0 && amount === 0) return '';
  if (type === 3 && amount === 0) return ', rrx';
  return `, ${SHIFT[type]} #${amount === 0 ? 32 : amount}`;
}

const signExtend = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

function itMask(firstcond: number, mask: number): string {
  let s = '';
  const tz = Math.log2(mask & -mask);
  for (let i = 3; i > tz; i--) s += (((mask >> i) & 1) === (firstcond & 1)) ? 't' : 'e';
  return s;
}

/** Disassemble one instruction (`word`: a halfword, or hw1 << 16 | hw2) at `pc` with ITSTATE `it` before it. */
export function disassemble(word: number, size: 2 | 4, pc: number, it = 0, profile: Profile = 'v7m'): string {
  const hit = decode(word, size === 2 ? 16 : 32, profile);
  if (hit === undefined) return size === 2 ? `udf\t#${word & 0xff}` : `.word\t0x${hx(word).padStart(8, '0')}`;
  const inIT = (it & 0xf) !== 0;
  const cond = inIT ? COND_NAMES[it >> 4]! : '';
  const f = hit.f;
  const id = hit.e.id;
  const s16 = inIT ? '' : 's';
  const S = f.S === 1 ? 's' : '';
  const m = (name: string, ops: string): string => (ops === '' ? name : `${name}\t${ops}`);
  const target = (off: number): string => hx((pc + 4 + off) >>> 0);
  if (id === 'vfp') { const [mn, ops] = disasVfp(word >>> 0, cond); return m(mn, ops); }
  return text(id, f, { m, cond, s16, S, pc, target });
}

interface Ctx {
  m: (name: string, ops: string) => string;
  cond: string; s16: string; S: string; pc: number;
  target: (off: number) => string;
}

function text(id: string, f: Fields, x: Ctx): string {
  const { m, cond, s16, S } = x;
  const d = reg(f.d), n = reg(f.n), mm = reg(f.m), t = reg(f.t);
  const alignedPc = (x.pc + 4) & ~3;
  // 16-bit data processing (register): `op{s}{c} Rdn, Rm`
  const dp16 = /^(and|eor|lsl|lsr|asr|adc|sbc|ror|orr|bic|mvn)_r2$/.exec(id);
  if (dp16) return m(`${dp16[1]}${s16}${cond}`, `${reg(f.d)}, ${mm}`);
  const mi = /^(and|bic|orr|orn|eor|add|adc|sbc|sub|rsb|mov|mvn|tst|teq|cmn|cmp)_(mi|sr)$/.exec(id);
  if (mi) {
    const op = mi[1]!;
    const test = ['tst', 'teq', 'cmn', 'cmp'].includes(op);
    const mov = op === 'mov' || op === 'mvn';
    const wide = ['and', 'bic', 'orr', 'eor', 'add', 'adc', 'sbc', 'sub', 'mov', 'mvn', 'tst', 'cmn', 'cmp'].includes(op) ? '.w' : '';
    let operand2: string;
    if (mi[2] === 'mi') operand2 = immC(thumbExpandImm(f.i!).value);
    else operand2 = `${mm}${shiftSuffix(f.s!, f.i!)}`;
    const name = `${op}${test ? '' : S}${cond}${mi[2] === 'sr' && (op === 'orn' || op === 'teq') ? '' : (mi[2] === 'mi' && (op === 'orn' || op === 'teq') ? '' : wide)}`;
    const ops = test ? `${n}, ${operand2}` : mov ? `${d}, ${operand2}` : `${d}, ${n}, ${operand2}`;
    return m(name, ops);
  }
  const ls = /^(str|strb|strh|ldr|ldrb|ldrh|ldrsb|ldrsh)(_i12|_i8|t|_rw|_lit|_lit_w)$/.exec(id);
  if (ls && id !== 'ldr_lit') {
    const op = ls[1]!;
    const form = ls[2]!;
    const w = form === 't' ? '' : '.w';
    switch (form) {
      case '_i12': return m(`${op}${cond}${w}`, `${t}, [${n}, #${f.i}]${cm(f.i!)}`);
      case '_i8': {
        const i = f.U === 1 ? f.i! : -f.i!;
        if (f.P === 1 && f.W === 0) return m(`${op}${cond}${w}`, `${t}, [${n}, #${i}]`);
        if (f.P === 1) return m(`${op}${cond}${w}`, `${t}, [${n}, #${i}]!`);
        return m(`${op}${cond}${w}`, `${t}, [${n}], #${i}`);
      }
      case 't': return m(`${op}t${cond}`, `${t}, [${n}, #${f.i}]`);
      case '_rw': return m(`${op}${cond}${w}`, `${t}, [${n}, ${mm}${f.i !== 0 ? `, lsl #${f.i}` : ''}]`);
      default: {
        const i = f.U === 1 ? f.i! : -f.i!;
        return m(`${op}${cond}.w`, `${t}, [pc, #${i}]\t@ ${hx(alignedPc + i)}`);
      }
    }
  }
  const par = /^(s|q|sh|u|uq|uh)(add8|add16|asx|sub8|sub16|sax)$/.exec(id);
  if (par) return m(`${id}${cond}`, `${d}, ${n}, ${mm}`);
  const xy = (): string => `${f.N ? 't' : 'b'}${f.M ? 't' : 'b'}`;
  switch (id) {
    case 'qadd': case 'qdadd': case 'qsub': case 'qdsub': return m(`${id}${cond}`, `${d}, ${mm}, ${n}`);
    case 'sel': case 'usad8': return m(`${id}${cond}`, `${d}, ${n}, ${mm}`);
    case 'usada8': return m(`${id}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'ssat16': return m(`ssat16${cond}`, `${d}, #${f.p! + 1}, ${n}`);
    case 'usat16': return m(`usat16${cond}`, `${d}, #${f.p}, ${n}`);
    case 'pkhbt': return m(`pkhbt${cond}`, `${d}, ${n}, ${mm}${f.i ? `, lsl #${f.i}` : ''}`);
    case 'pkhtb': return m(`pkhtb${cond}`, `${d}, ${n}, ${mm}, asr #${f.i === 0 ? 32 : f.i}`);
    case 'smulxy': return m(`smul${xy()}${cond}`, `${d}, ${n}, ${mm}`);
    case 'smlaxy': return m(`smla${xy()}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'smulwy': return m(`smulw${f.M ? 't' : 'b'}${cond}`, `${d}, ${n}, ${mm}`);
    case 'smlawy': return m(`smlaw${f.M ? 't' : 'b'}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'smuad': case 'smusd': return m(`${id}${f.X ? 'x' : ''}${cond}`, `${d}, ${n}, ${mm}`);
    case 'smlad': case 'smlsd': return m(`${id}${f.X ? 'x' : ''}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'smmul': return m(`smmul${f.R ? 'r' : ''}${cond}`, `${d}, ${n}, ${mm}`);
    case 'smmla': case 'smmls': return m(`${id}${f.R ? 'r' : ''}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'smlalxy': return m(`smlal${xy()}${cond}`, `${reg(f.l)}, ${reg(f.h)}, ${n}, ${mm}`);
    case 'smlald': case 'smlsld': return m(`${id}${f.X ? 'x' : ''}${cond}`, `${reg(f.l)}, ${reg(f.h)}, ${n}, ${mm}`);
    case 'umaal': return m(`umaal${cond}`, `${reg(f.l)}, ${reg(f.h)}, ${n}, ${mm}`);
    case 'sxtab': case 'uxtab': case 'sxtah': case 'uxtah': case 'sxtab16': case 'uxtab16':
      return m(`${id}${cond}`, `${d}, ${n}, ${mm}${f.s ? `, ror #${f.s * 8}` : ''}`);
    case 'sxtb16': case 'uxtb16': return m(`${id}${cond}`, `${d}, ${mm}${f.s ? `, ror #${f.s * 8}` : ''}`);
    case 'movs_r': return m(`movs${cond}`, `${d}, ${mm}`);
    case 'lsl_i': return m(`lsl${s16}${cond}`, `${d}, ${mm}, #${f.i}`);
    case 'lsr_i': case 'asr_i': return m(`${id.slice(0, 3)}${s16}${cond}`, `${d}, ${mm}, #${f.i === 0 ? 32 : f.i}`);
    case 'add_r3': case 'sub_r3': return m(`${id.slice(0, 3)}${s16}${cond}`, `${d}, ${n}, ${mm}`);
    case 'add_i3': case 'sub_i3': return m(`${id.slice(0, 3)}${s16}${cond}`, `${d}, ${n}, #${f.i}`);
    case 'mov_i8': return m(`mov${s16}${cond}`, `${d}, #${f.i}${cm(f.i!)}`);
    case 'cmp_i8': return m(`cmp${cond}`, `${n}, #${f.i}${cm(f.i!)}`);
    case 'add_i8': case 'sub_i8': return m(`${id.slice(0, 3)}${s16}${cond}`, `${d}, #${f.i}${cm(f.i!)}`);
    case 'tst_r2': case 'cmp_r2': case 'cmn_r2': return m(`${id.slice(0, 3)}${cond}`, `${n}, ${mm}`);
    case 'rsb_i0': return m(`neg${s16}${cond}`, `${d}, ${n}`);
    case 'mul_r2': return m(`mul${s16}${cond}`, `${d}, ${n}`);
    case 'add_hr': return m(`add${cond}`, `${d}, ${mm}`);
    case 'cmp_hr': return m(`cmp${cond}`, `${n}, ${mm}`);
    case 'mov_hr': return m(`mov${cond}`, `${d}, ${mm}`);
    case 'bx': return m(`bx${cond}`, mm);
    case 'blx_r': return m(`blx${cond}`, mm);
    case 'ldr_lit': return m(`ldr${cond}`, `${t}, [pc, #${f.i! * 4}]\t@ (${hx(alignedPc + f.i! * 4)})`);
    case 'str_r': case 'strh_r': case 'strb_r': case 'ldrsb_r': case 'ldr_r': case 'ldrh_r': case 'ldrb_r': case 'ldrsh_r':
      return m(`${id.slice(0, -2)}${cond}`, `${t}, [${n}, ${mm}]`);
    case 'str_i5': case 'ldr_i5': return m(`${id.slice(0, 3)}${cond}`, `${t}, [${n}, #${f.i! * 4}]${cm(f.i! * 4)}`);
    case 'strb_i5': case 'ldrb_i5': return m(`${id.slice(0, 4)}${cond}`, `${t}, [${n}, #${f.i}]${cm(f.i!)}`);
    case 'strh_i5': case 'ldrh_i5': return m(`${id.slice(0, 4)}${cond}`, `${t}, [${n}, #${f.i! * 2}]${cm(f.i! * 2)}`);
    case 'str_sp': case 'ldr_sp': return m(`${id.slice(0, 3)}${cond}`, `${t}, [sp, #${f.i! * 4}]${cm(f.i! * 4)}`);
    case 'adr': return m(`add${cond}`, `${d}, pc, #${f.i! * 4}\t@ (adr ${d}, ${hx(alignedPc + f.i! * 4)})`);
    case 'add_spi8': return m(`add${cond}`, `${d}, sp, #${f.i! * 4}${cm(f.i! * 4)}`);
    case 'add_spi7': case 'sub_spi7': return m(`${id.slice(0, 3)}${cond}`, `sp, #${f.i! * 4}${cm(f.i! * 4)}`);
    case 'cbz': case 'cbnz': return m(id, `${n}, ${x.target(f.i! << 1)}`);
    case 'sxth': case 'sxtb': case 'uxth': case 'uxtb': return m(`${id}${cond}`, `${d}, ${mm}`);
    case 'push': return m(`push${cond}`, regList(f.r! | (f.M! << 14)));
    case 'pop': return m(`pop${cond}`, regList(f.r! | (f.M! << 15)));
    case 'cps': return m(f.o === 1 ? 'cpsid' : 'cpsie', `${f.I ? 'i' : ''}${f.F ? 'f' : ''}`);
    case 'rev': case 'rev16': case 'revsh': return m(`${id}${cond}`, `${d}, ${mm}`);
    case 'bkpt': return m('bkpt', `0x${hx(f.i!).padStart(4, '0')}`);
    case 'it': return m(`it${itMask(f.c!, f.k!)}`, COND_NAMES[f.c!] || 'al');
    case 'nop': case 'yield': case 'wfe': case 'wfi': case 'sev': return m(`${id}${cond}`, '');
    case 'hint': return m(`hint${cond}`, `#${f.i}`);
    case 'stm16': return m(`stmia${cond}`, `${n}!, ${regList(f.r!)}`);
    case 'ldm16': return m(`ldmia${cond}`, `${n}${((f.r! >> f.n!) & 1) ? '' : '!'}, ${regList(f.r!)}`);
    case 'b_c16': return m(`b${COND_NAMES[f.c!]}.n`, x.target(signExtend(f.i! << 1, 9)));
    case 'b16': return m(`b${cond}.n`, x.target(signExtend(f.i! << 1, 12)));
    case 'udf': return m('udf', `#${f.i}`);
    case 'svc': return m(`svc${cond}`, `${f.i}${cm(f.i!)}`);
    case 'stm_w': case 'ldm_w': {
      return m(`${id === 'stm_w' ? 'stmia' : 'ldmia'}${cond}.w`, `${n}${f.W ? '!' : ''}, ${regList(f.r!)}`);
    }
    case 'stmdb': case 'ldmdb': {
      return m(`${id}${cond}`, `${n}${f.W ? '!' : ''}, ${regList(f.r!)}`);
    }
    case 'strex': return m(`strex${cond}`, `${d}, ${t}, [${n}${f.i ? `, #${f.i * 4}` : ''}]${cm(f.i! * 4)}`);
    case 'ldrex': return m(`ldrex${cond}`, `${t}, [${n}${f.i ? `, #${f.i * 4}` : ''}]${cm(f.i! * 4)}`);
    case 'strexb': case 'strexh': return m(`${id}${cond}`, `${d}, ${t}, [${n}]`);
    case 'ldrexb': case 'ldrexh': return m(`${id}${cond}`, `${t}, [${n}]`);
    case 'strd': case 'ldrd': {
      const i = f.U === 1 ? f.i! * 4 : -f.i! * 4;
      const ops = `${t}, ${reg(f.T)}, `;
      if (f.P === 1 && f.W === 0) return m(`${id}${cond}`, `${ops}[${n}${i !== 0 || f.U === 0 ? `, #${i}` : ''}]${f.U === 1 ? cm(i) : ''}`);
      if (f.P === 1) return m(`${id}${cond}`, `${ops}[${n}, #${i}]!`);
      return m(`${id}${cond}`, `${ops}[${n}], #${i}`);
    }
    case 'tbb': return m(`tbb${cond}`, `[${n}, ${mm}]`);
    case 'tbh': return m(`tbh${cond}`, `[${n}, ${mm}, lsl #1]`);
    case 'lsl_is': case 'lsr_is': case 'asr_is': case 'ror_is': case 'mov_rw': case 'rrx':
      return m(`mov${S}${cond}.w`, `${d}, ${mm}${shiftSuffix(id === 'rrx' ? 3 : ['lsl', 'lsr', 'asr', 'ror', 'mov'].indexOf(id.slice(0, 3)) & 3, f.i ?? 0)}`);
    case 'addw': case 'subw': return m(`${id}${cond}`, `${d}, ${n}, ${immC(f.i!)}`);
    case 'adr_w_add': return m(`addw${cond}`, `${d}, pc, ${immC(f.i!)}`);
    case 'adr_w_sub': return m(`subw${cond}`, `${d}, pc, ${immC(f.i!)}`);
    case 'movw': case 'movt': return m(`${id}${cond}`, `${d}, ${immC((f.h! << 12) | (f.I! << 11) | f.i!)}`);
    case 'ssat': case 'usat': {
      const sh = f.i === 0 && f.s === 0 ? '' : `, ${f.s ? 'asr' : 'lsl'} #${f.i}`;
      return m(`${id}${cond}`, `${d}, #${id === 'ssat' ? f.p! + 1 : f.p}, ${n}${sh}`);
    }
    case 'sbfx': case 'ubfx': return m(`${id}${cond}`, `${d}, ${n}, #${f.i}, #${f.w! + 1}`);
    case 'bfi': return m(`bfi${cond}`, `${d}, ${n}, #${f.i}, #${f.w! - f.i! + 1}`);
    case 'bfc': return m(`bfc${cond}`, `${d}, #${f.i}, #${f.w! - f.i! + 1}`);
    case 'b_c32': {
      const off = signExtend((f.S! << 20) | (f.K! << 19) | (f.J! << 18) | (f.j! << 12) | (f.i! << 1), 21);
      return m(`b${COND_NAMES[f.c!]}.w`, x.target(off));
    }
    case 'b32': case 'bl': {
      const s = f.S!, i1 = (f.J! ^ s) ^ 1, i2 = (f.K! ^ s) ^ 1;
      const off = signExtend((s << 24) | (i1 << 23) | (i2 << 22) | (f.i! << 1), 25);
      return m(id === 'bl' ? `bl${cond}` : `b${cond}.w`, x.target(off));
    }
    case 'msr': {
      let name = SYSREG[f.x!] ?? `${f.x}`;
      if (f.x === 0) name = `CPSR_${f.k === 2 ? 'f' : f.k === 1 ? 's' : 'fs'}`;
      return m(`msr${cond}`, `${name}, ${n}`);
    }
    case 'mrs': return m(`mrs${cond}`, `${d}, ${f.x === 0 ? 'CPSR' : SYSREG[f.x!] ?? f.x}`);
    case 'nop_w': case 'yield_w': case 'wfe_w': case 'wfi_w': case 'sev_w': return m(`${id.slice(0, -2)}${cond}.w`, '');
    case 'hint_w': return m(`hint${cond}.w`, `#${f.i}`);
    case 'dbg': return m(`dbg${cond}`, `#${f.i}`);
    case 'clrex': return m(`clrex${cond}`, '');
    case 'dsb': case 'dmb': return m(`${id}${cond}`, BARRIER[f.o!] ?? `#${f.o}`);
    case 'isb': return m(`isb${cond}`, f.o === 15 ? 'sy' : `#${f.o}`);
    case 'udf_w': return m('udf.w', `#${f.i}${cm(f.i!)}`);
    case 'cop': return m('cdp', '...');
    case 'lsl_rw': case 'lsr_rw': case 'asr_rw': case 'ror_rw': return m(`${id.slice(0, 3)}${S}${cond}.w`, `${d}, ${n}, ${mm}`);
    case 'sxth_w': case 'uxth_w': case 'sxtb_w': case 'uxtb_w':
      return m(`${id.slice(0, 4)}${cond}.w`, `${d}, ${mm}${f.s ? `, ror #${f.s * 8}` : ''}`);
    case 'rev_w': case 'rev16_w': case 'revsh_w': return m(`${id.slice(0, -2)}${cond}.w`, `${d}, ${mm}`);
    case 'rbit': case 'clz': return m(`${id}${cond}`, `${d}, ${mm}`);
    case 'mul_w': return m(`mul${cond}.w`, `${d}, ${n}, ${mm}`);
    case 'mla': case 'mls': return m(`${id}${cond}`, `${d}, ${n}, ${mm}, ${reg(f.a)}`);
    case 'smull': case 'umull': case 'smlal': case 'umlal': return m(`${id}${cond}`, `${reg(f.l)}, ${reg(f.h)}, ${n}, ${mm}`);
    case 'sdiv': case 'udiv': return m(`${id}${cond}`, `${d}, ${n}, ${mm}`);
    default:
      if (id.startsWith('pld') || id.startsWith('pli')) {
        const op = id.slice(0, 3);
        if (id.includes('_r')) return m(op, `[${n}, ${mm}${f.i ? `, lsl #${f.i}` : ''}]`);
        if (id.includes('_i8')) return m(op, `[${n}, #-${f.i}]`);
        if (id.includes('_lit')) return m(op, `[pc, #${f.U ? f.i : -f.i!}]`);
        return m(op, `[${n}, #${f.i}]${cm(f.i!)}`);
      }
      return m(id, '');
  }
}
