/**
 * A small AVR assembler for tests, driven by the encoding table (so a test reads as the program it
 * runs, and the table is checked against avr-as by asm.test.ts). avr-as syntax for what it
 * supports: one statement per line, `;` or `//` comments, `label:`, `.org BYTE_ADDR`,
 * `.word N[, N...]`; registers `r0`..`r31`; numbers in C syntax (also negative); branch and
 * jump targets as labels, `.+N`/`.-N` or byte addresses; `lo8(N)`/`hi8(N)`; the usual aliases
 * (`clr`, `lsl`, `rol`, `tst`, `ser`, `sbr`, `cbr`, `sei`/`cli`/..., `breq`/`brne`/..., `brsh`, `brlo`).
 */
import { BY_ID, ENCODINGS, baseWords, encodeField, type AvrEncoding } from '../encodings.js';

export interface Assembled {
  /** Flash bytes from address 0 up to the last byte written. */
  bytes: Uint8Array;
  /** Byte address of each label. */
  labels: Map<string, number>;
}

const SET = ['sec', 'sez', 'sen', 'sev', 'ses', 'seh', 'set', 'sei'];
const CLR = ['clc', 'clz', 'cln', 'clv', 'cls', 'clh', 'clt', 'cli'];
const BR_SET = ['brcs', 'breq', 'brmi', 'brvs', 'brlt', 'brhs', 'brts', 'brie'];
const BR_CLR = ['brcc', 'brne', 'brpl', 'brvc', 'brge', 'brhc', 'brtc', 'brid'];

/** Rewrite aliases to a table mnemonic with explicit operands. */
function unalias(mn: string, ops: string[]): [string, string[]] {
  const s = SET.indexOf(mn);
  if (s >= 0) return ['bset', [String(s)]];
  const c = CLR.indexOf(mn);
  if (c >= 0) return ['bclr', [String(c)]];
  const bs = BR_SET.indexOf(mn === 'brlo' ? 'brcs' : mn);
  if (bs >= 0) return ['brbs', [String(bs), ops[0]!]];
  const bc = BR_CLR.indexOf(mn === 'brsh' ? 'brcc' : mn);
  if (bc >= 0) return ['brbc', [String(bc), ops[0]!]];
  switch (mn) {
    case 'clr': return ['eor', [ops[0]!, ops[0]!]];
    case 'lsl': return ['add', [ops[0]!, ops[0]!]];
    case 'rol': return ['adc', [ops[0]!, ops[0]!]];
    case 'tst': return ['and', [ops[0]!, ops[0]!]];
    case 'ser': return ['ldi', [ops[0]!, '0xff']];
    case 'sbr': return ['ori', ops];
    case 'cbr': return ['andi', [ops[0]!, String(~num(ops[1]!) & 0xff)]];
    default: return [mn, ops];
  }
}

function num(t: string): number {
  const m = /^(lo8|hi8)\((.*)\)$/.exec(t);
  if (m) { const v = num(m[2]!); return m[1] === 'lo8' ? v & 0xff : (v >> 8) & 0xff; }
  if (/^-?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(t)) return Number(t.startsWith('-') ? -Number(t.slice(1)) : Number(t));
  if (/^'.'$/.test(t)) return t.charCodeAt(1);
  return NaN;
}

const reg = (t: string): number => { const m = /^r(\d+)$/i.exec(t); return m && Number(m[1]) < 32 ? Number(m[1]) : -1; };

/** Does token `t` fit operand kind `kind`? */
function fits(kind: string, t: string): boolean {
  const r = reg(t);
  switch (kind) {
    case 'Rd': case 'Rr': return r >= 0;
    case 'Rd16': case 'Rr16': return r >= 16;
    case 'Rd2': case 'Rr2': return r >= 0 && r % 2 === 0;
    case 'Rw': return r === 24 || r === 26 || r === 28 || r === 30;
    case 'Y+q': return /^Y\+\d+$/i.test(t);
    case 'Z+q': return /^Z\+\d+$/i.test(t);
    case 'X': case 'X+': case '-X': case 'Y': case 'Y+': case '-Y': case 'Z': case 'Z+': case '-Z': return t.toUpperCase() === kind;
    default: return r < 0 && !/^-?[XYZ]\+?$/i.test(t); // numbers, labels, expressions
  }
}

function candidates(mn: string, ops: string[]): AvrEncoding | undefined {
  for (const e of ENCODINGS) {
    if (e.mnemonic !== mn) continue;
    const kinds = e.operands === '' ? [] : e.operands.split(',');
    if (kinds.length !== ops.length) continue;
    if (kinds.every((k, i) => fits(k, ops[i]!))) return e;
  }
  return undefined;
}

interface Stmt { line: number; text: string; addr: number; e?: AvrEncoding; ops: string[]; words?: number[] }

/** Assemble `source`; throws with the line number on anything it does not understand. */
export function assemble(source: string): Assembled {
  const labels = new Map<string, number>();
  const stmts: Stmt[] = [];
  let addr = 0;
  source.split('\n').forEach((raw, idx) => {
    let text = raw.replace(/(;|\/\/).*$/, '').trim();
    for (;;) {
      const m = /^([A-Za-z_.$][\w.$]*):\s*(.*)$/.exec(text);
      if (!m) break;
      labels.set(m[1]!, addr);
      text = m[2]!.trim();
    }
    if (text === '') return;
    const sp = text.search(/\s/);
    const mnRaw = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
    const opsText = sp < 0 ? '' : text.slice(sp).trim();
    const ops = opsText === '' ? [] : opsText.split(',').map((s) => s.trim());
    const line = idx + 1;
    if (mnRaw === '.org') { addr = num(ops[0]!); return; }
    if (mnRaw === '.word') { stmts.push({ line, text, addr, ops, words: ops.map(num) }); addr += 2 * ops.length; return; }
    const [mn, uops] = unalias(mnRaw, ops);
    const e = candidates(mn, uops);
    if (e === undefined) throw new Error(`asm line ${line}: cannot assemble '${text}'`);
    stmts.push({ line, text, addr, e, ops: uops });
    addr += e.pattern.length / 8;
  });
  let size = 0;
  for (const s of stmts) size = Math.max(size, s.addr + (s.words ? s.words.length * 2 : s.e!.pattern.length / 8));
  const bytes = new Uint8Array(size);
  const value = (t: string, line: number): number => {
    const lh = /^(lo8|hi8)\((.*)\)$/.exec(t);
    if (lh) { const v = value(lh[2]!, line); return lh[1] === 'lo8' ? v & 0xff : (v >> 8) & 0xff; }
    const m = /^([A-Za-z_.$][\w.$]*)\s*([+-]\s*\d+)?$/.exec(t);
    if (m && labels.has(m[1]!)) return labels.get(m[1]!)! + (m[2] ? Number(m[2].replace(/\s/g, '')) : 0);
    const v = num(t);
    if (Number.isNaN(v)) throw new Error(`asm line ${line}: bad operand '${t}'`);
    return v;
  };
  for (const s of stmts) {
    let words: number[];
    if (s.words) words = s.words;
    else {
      const e = s.e!;
      let w = baseWords(e);
      const kinds = e.operands === '' ? [] : e.operands.split(',');
      kinds.forEach((kind, i) => {
        const t = s.ops[i]!;
        const put = (letter: string, v: number) => { w = encodeField(e, w, letter, v); };
        switch (kind) {
          case 'Rd': put('d', reg(t)); break;
          case 'Rr': put('r', reg(t)); break;
          case 'Rd16': put('d', reg(t) - 16); break;
          case 'Rr16': put('r', reg(t) - 16); break;
          case 'Rd2': put('d', reg(t) / 2); break;
          case 'Rr2': put('r', reg(t) / 2); break;
          case 'Rw': put('d', (reg(t) - 24) / 2); break;
          case 'K': put('K', value(t, s.line) & 0xff); break;
          case 'A': put('A', value(t, s.line)); break;
          case 'b': put('b', value(t, s.line)); break;
          case 's': put('s', value(t, s.line)); break;
          case 'k16': put('k', value(t, s.line)); break;
          case 'k22': put('k', value(t, s.line) >> 1); break;
          case 'k7': case 'k12': {
            const rel = /^\.([+-]\d+)$/.exec(t);
            const off = rel ? Number(rel[1]) / 2 : (value(t, s.line) - (s.addr + 2)) / 2;
            const bitsN = kind === 'k7' ? 7 : 12;
            if (off < -(1 << (bitsN - 1)) || off >= 1 << (bitsN - 1)) throw new Error(`asm line ${s.line}: branch target out of range in '${s.text}'`);
            put('k', off & ((1 << bitsN) - 1));
            break;
          }
          case 'Y+q': case 'Z+q': put('q', Number(t.slice(2))); break;
          default: break;
        }
      });
      words = e.pattern.length === 32 ? [w[0], w[1]] : [w[0]];
    }
    words.forEach((wd, i) => { bytes[s.addr + 2 * i] = wd & 0xff; bytes[s.addr + 2 * i + 1] = (wd >> 8) & 0xff; });
  }
  return { bytes, labels };
}

/** Encoding id of the instruction `text` assembles to (tests use it to check coverage). */
export function encodingOf(text: string): string | undefined {
  const sp = text.search(/\s/);
  const mn = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
  const ops = sp < 0 ? [] : text.slice(sp).split(',').map((x) => x.trim());
  const [m, o] = unalias(mn, ops);
  return candidates(m, o)?.id;
}

export { BY_ID };
