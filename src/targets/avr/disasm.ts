/**
 * AVR disassembly in avr-objdump's syntax (`ldi r24, 0xFF`, `ldd r24, Y+1`, `rjmp .-2`,
 * `jmp 0x68`), without objdump's trailing comments. Relative branches print the byte offset from
 * the next instruction, as objdump does; `jmp`/`call` print byte addresses.
 */
import { decode, operands, type AvrEncoding } from './encodings.js';

const BRANCH_SET = ['brcs', 'breq', 'brmi', 'brvs', 'brlt', 'brhs', 'brts', 'brie'];
const BRANCH_CLEAR = ['brcc', 'brne', 'brpl', 'brvc', 'brge', 'brhc', 'brtc', 'brid'];
const SET_FLAG = ['sec', 'sez', 'sen', 'sev', 'ses', 'seh', 'set', 'sei'];
const CLEAR_FLAG = ['clc', 'clz', 'cln', 'clv', 'cls', 'clh', 'clt', 'cli'];

const h2 = (v: number, upper = false): string => {
  const s = v.toString(16).padStart(2, '0');
  return `0x${upper ? s.toUpperCase() : s}`;
};
const rel = (words: number): string => (words >= 0 ? `.+${words * 2}` : `.${words * 2}`);

/** Mnemonic and operands of one decoded instruction. */
export function disassembleEncoding(e: AvrEncoding, w0: number, w1: number): string {
  const o = operands(e, w0, w1);
  if (e.id === 'brbs') return `${BRANCH_SET[o.s]} ${rel(o.k)}`;
  if (e.id === 'brbc') return `${BRANCH_CLEAR[o.s]} ${rel(o.k)}`;
  if (e.id === 'bset') return SET_FLAG[o.s]!;
  if (e.id === 'bclr') return CLEAR_FLAG[o.s]!;
  if (e.operands === '') return e.mnemonic;
  const parts = e.operands.split(',').map((kind) => {
    switch (kind) {
      case 'Rd': case 'Rd16': case 'Rd2': case 'Rw': return `r${o.d}`;
      case 'Rr': case 'Rr16': case 'Rr2': return `r${o.r}`;
      case 'K': return e.id === 'adiw' || e.id === 'sbiw' ? h2(o.K) : h2(o.K, true);
      case 'A': return h2(o.A);
      case 'b': return String(o.b);
      case 's': return String(o.s);
      case 'k7': case 'k12': return rel(o.k);
      case 'k22': return `0x${(o.k * 2).toString(16)}`;
      case 'k16': return `0x${o.k.toString(16).padStart(4, '0').toUpperCase()}`;
      case 'Y+q': return `Y+${o.q}`;
      case 'Z+q': return `Z+${o.q}`;
      default: return kind; // X, X+, -X, Y..., Z...
    }
  });
  return `${e.mnemonic} ${parts.join(', ')}`;
}

/** Disassemble the instruction whose words are `w0` (and `w1` for two-word ones). */
export function disassemble(w0: number, w1 = 0): string {
  const e = decode(w0);
  if (e === undefined) return `.word 0x${(w0 & 0xffff).toString(16).padStart(4, '0')}`;
  return disassembleEncoding(e, w0, w1);
}
