/**
 * Arithmetic, logic, multiply and bit instructions: results and SREG, bit-exact against the
 * "Status Register" lines of the AVR Instruction Set Manual. Flags are written as the letters of
 * the set SREG bits in ITHSVNZC order ('' = all clear); every program starts with SREG = 0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runAvr } from './test-support/harness.js';

interface Case { name: string; prog: string; regs?: Record<number, number>; flags: string }

function check(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runAvr(c.prog);
      for (const [n, v] of Object.entries(c.regs ?? {})) assert.equal(r.r(Number(n)), v, `r${n}`);
      assert.equal(r.flags, c.flags, 'SREG');
    });
  }
}

describe('add, adc, adiw', () => check([
  { name: 'add 0x7f + 0x01: signed overflow, half carry', prog: 'ldi r16, 0x7f\nldi r17, 1\nadd r16, r17', regs: { 16: 0x80 }, flags: 'HVN' },
  { name: 'add 0x80 + 0x80: carry, overflow, zero', prog: 'ldi r16, 0x80\nldi r17, 0x80\nadd r16, r17', regs: { 16: 0 }, flags: 'SVZC' },
  { name: 'add 0x0f + 0x01: half carry only', prog: 'ldi r16, 0x0f\nldi r17, 1\nadd r16, r17', regs: { 16: 0x10 }, flags: 'H' },
  { name: 'lsl (add r,r) 0xc0: carry and negative', prog: 'ldi r16, 0xc0\nlsl r16', regs: { 16: 0x80 }, flags: 'SNC' },
  { name: 'adc 0xff + 0 + C', prog: 'ldi r16, 0xff\nldi r17, 0\nsec\nadc r16, r17', regs: { 16: 0 }, flags: 'HZC' },
  { name: 'adc without carry in', prog: 'ldi r16, 0x01\nldi r17, 0x02\nadc r16, r17', regs: { 16: 3 }, flags: '' },
  { name: 'rol (adc r,r) 0x80 with C: 0x01, carry out', prog: 'ldi r16, 0x80\nsec\nrol r16', regs: { 16: 1 }, flags: 'SVC' },
  { name: 'adiw 0xffff + 1: zero, carry', prog: 'ldi r24, 0xff\nldi r25, 0xff\nadiw r24, 1', regs: { 24: 0, 25: 0 }, flags: 'ZC' },
  { name: 'adiw 0x7fff + 1: overflow to negative', prog: 'ldi r26, 0xff\nldi r27, 0x7f\nadiw r26, 1', regs: { 26: 0, 27: 0x80 }, flags: 'VN' },
  { name: 'adiw leaves H alone', prog: 'seh\nldi r30, 0x0f\nldi r31, 0\nadiw r30, 63', regs: { 30: 0x4e, 31: 0 }, flags: 'H' },
]));

describe('sub, subi, sbc, sbci, sbiw, cp, cpc, cpi', () => check([
  { name: 'sub 0 - 1: borrow, half borrow, negative', prog: 'ldi r16, 0\nldi r17, 1\nsub r16, r17', regs: { 16: 0xff }, flags: 'HSNC' },
  { name: 'sub 0x80 - 1: overflow', prog: 'ldi r16, 0x80\nldi r17, 1\nsub r16, r17', regs: { 16: 0x7f }, flags: 'HSV' },
  { name: 'subi to zero', prog: 'ldi r16, 0x10\nsubi r16, 0x10', regs: { 16: 0 }, flags: 'Z' },
  { name: 'sbc with Z set and a zero result keeps Z', prog: 'ldi r16, 0\nldi r17, 0\nsez\nsbc r16, r17', regs: { 16: 0 }, flags: 'Z' },
  { name: 'sbc with Z clear and a zero result leaves Z clear', prog: 'ldi r16, 0\nldi r17, 0\nsbc r16, r17', regs: { 16: 0 }, flags: '' },
  { name: 'sbc 0 - 0 - C', prog: 'ldi r16, 0\nldi r17, 0\nsec\nsbc r16, r17', regs: { 16: 0xff }, flags: 'HSNC' },
  { name: 'sbc nonzero result clears Z', prog: 'ldi r16, 5\nldi r17, 1\nsez\nsbc r16, r17', regs: { 16: 4 }, flags: '' },
  { name: 'sbci 1 - 1 - C', prog: 'ldi r16, 1\nsec\nsbci r16, 1', regs: { 16: 0xff }, flags: 'HSNC' },
  { name: 'sbiw 0 - 1: borrow', prog: 'ldi r24, 0\nldi r25, 0\nsbiw r24, 1', regs: { 24: 0xff, 25: 0xff }, flags: 'SNC' },
  { name: 'sbiw 0x8000 - 1: overflow', prog: 'ldi r28, 0\nldi r29, 0x80\nsbiw r28, 1', regs: { 28: 0xff, 29: 0x7f }, flags: 'SV' },
  { name: 'sbiw to zero', prog: 'ldi r24, 63\nldi r25, 0\nsbiw r24, 63', regs: { 24: 0, 25: 0 }, flags: 'Z' },
  { name: 'cp equal', prog: 'ldi r16, 5\nldi r17, 5\ncp r16, r17', regs: { 16: 5 }, flags: 'Z' },
  { name: 'cp less: borrow', prog: 'ldi r16, 5\nldi r17, 6\ncp r16, r17', regs: { 16: 5 }, flags: 'HSNC' },
  { name: 'cp/cpc: 16-bit equal keeps Z', prog: 'ldi r16, 0x34\nldi r17, 0x12\nldi r18, 0x34\nldi r19, 0x12\ncp r16, r18\ncpc r17, r19', flags: 'Z' },
  { name: 'cp/cpc: 16-bit low differs clears Z', prog: 'ldi r16, 0x35\nldi r17, 0x12\nldi r18, 0x34\nldi r19, 0x12\ncp r16, r18\ncpc r17, r19', flags: '' },
  { name: 'cpi 0x40 vs 0x41', prog: 'ldi r16, 0x40\ncpi r16, 0x41', regs: { 16: 0x40 }, flags: 'HSNC' },
  { name: 'cpi signed: 0x7f vs 0x80 overflows', prog: 'ldi r16, 0x7f\ncpi r16, 0x80', flags: 'VNC' },
]));

describe('and, andi, or, ori, eor, com, neg, inc, dec', () => check([
  { name: 'and clears V and sets N, S', prog: 'sev\nldi r16, 0xf0\nldi r17, 0x80\nand r16, r17', regs: { 16: 0x80 }, flags: 'SN' },
  { name: 'and to zero; H and C untouched', prog: 'seh\nsec\nldi r16, 0xf0\nldi r17, 0x0f\nand r16, r17', regs: { 16: 0 }, flags: 'HZC' },
  { name: 'andi (cbr)', prog: 'ldi r16, 0xff\ncbr r16, 0x81', regs: { 16: 0x7e }, flags: '' },
  { name: 'or', prog: 'ldi r16, 0x01\nldi r17, 0x80\nor r16, r17', regs: { 16: 0x81 }, flags: 'SN' },
  { name: 'ori (sbr)', prog: 'ldi r16, 0\nsbr r16, 0', regs: { 16: 0 }, flags: 'Z' },
  { name: 'eor (clr) clears and sets Z', prog: 'sev\nldi r16, 0x55\nclr r16', regs: { 16: 0 }, flags: 'Z' },
  { name: 'eor', prog: 'ldi r16, 0xff\nldi r17, 0x0f\neor r16, r17', regs: { 16: 0xf0 }, flags: 'SN' },
  { name: 'tst (and r,r) of zero', prog: 'ldi r16, 0\ntst r16', flags: 'Z' },
  { name: 'com 0: all ones, C set', prog: 'ldi r16, 0\ncom r16', regs: { 16: 0xff }, flags: 'SNC' },
  { name: 'com 0xff: zero, C set', prog: 'ldi r16, 0xff\ncom r16', regs: { 16: 0 }, flags: 'ZC' },
  { name: 'neg 1: H from R3|Rd3, C since nonzero', prog: 'ldi r16, 1\nneg r16', regs: { 16: 0xff }, flags: 'HSNC' },
  { name: 'neg 0x80: overflow', prog: 'ldi r16, 0x80\nneg r16', regs: { 16: 0x80 }, flags: 'VNC' },
  { name: 'neg 0: zero, no carry', prog: 'ldi r16, 0\nneg r16', regs: { 16: 0 }, flags: 'Z' },
  { name: 'neg 0x10: no half borrow', prog: 'ldi r16, 0x10\nneg r16', regs: { 16: 0xf0 }, flags: 'SNC' },
  { name: 'inc 0x7f: overflow', prog: 'ldi r16, 0x7f\ninc r16', regs: { 16: 0x80 }, flags: 'VN' },
  { name: 'inc 0xff: zero, C untouched', prog: 'sec\nldi r16, 0xff\ninc r16', regs: { 16: 0 }, flags: 'ZC' },
  { name: 'dec 0x80: overflow', prog: 'ldi r16, 0x80\ndec r16', regs: { 16: 0x7f }, flags: 'SV' },
  { name: 'dec 1: zero', prog: 'ldi r16, 1\ndec r16', regs: { 16: 0 }, flags: 'Z' },
  { name: 'dec 0: wraps negative', prog: 'ldi r16, 0\ndec r16', regs: { 16: 0xff }, flags: 'SN' },
]));

describe('mul, muls, mulsu, fmul, fmuls, fmulsu', () => check([
  { name: 'mul 0xff * 0xff', prog: 'ldi r16, 0xff\nldi r17, 0xff\nmul r16, r17', regs: { 0: 0x01, 1: 0xfe }, flags: 'C' },
  { name: 'mul by zero', prog: 'ldi r16, 0\nldi r17, 5\nmul r16, r17', regs: { 0: 0, 1: 0 }, flags: 'Z' },
  { name: 'mul r0 by itself (sources read before the product is written)', prog: 'ldi r16, 12\nmov r0, r16\nmul r0, r0', regs: { 0: 144, 1: 0 }, flags: '' },
  { name: 'muls -1 * -1', prog: 'ldi r16, 0xff\nldi r17, 0xff\nmuls r16, r17', regs: { 0: 1, 1: 0 }, flags: '' },
  { name: 'muls -128 * 1', prog: 'ldi r16, 0x80\nldi r17, 1\nmuls r16, r17', regs: { 0: 0x80, 1: 0xff }, flags: 'C' },
  { name: 'mulsu -1 * 255', prog: 'ldi r16, 0xff\nldi r17, 0xff\nmulsu r16, r17', regs: { 0: 0x01, 1: 0xff }, flags: 'C' },
  { name: 'mulsu 2 * 200', prog: 'ldi r16, 2\nldi r17, 200\nmulsu r16, r17', regs: { 0: 0x90, 1: 0x01 }, flags: '' },
  { name: 'fmul 0.5 * 0.5 (1.7 format)', prog: 'ldi r16, 0x80\nldi r17, 0x80\nfmul r16, r17', regs: { 0: 0, 1: 0x80 }, flags: '' },
  { name: 'fmul 0xff * 0xff: C from bit 15 before the shift', prog: 'ldi r16, 0xff\nldi r17, 0xff\nfmul r16, r17', regs: { 0: 0x02, 1: 0xfc }, flags: 'C' },
  { name: 'fmul to zero: Z from the shifted result', prog: 'ldi r16, 0x80\nldi r17, 0x00\nfmul r16, r17', regs: { 0: 0, 1: 0 }, flags: 'Z' },
  { name: 'fmuls -1.0 * -1.0 (overflow to 0x8000)', prog: 'ldi r16, 0x80\nldi r17, 0x80\nfmuls r16, r17', regs: { 0: 0, 1: 0x80 }, flags: '' },
  { name: 'fmuls 0.5 * -0.5', prog: 'ldi r16, 0x40\nldi r17, 0xc0\nfmuls r16, r17', regs: { 0: 0, 1: 0xe0 }, flags: 'C' },
  { name: 'fmulsu -0.5 * 0.5', prog: 'ldi r16, 0xc0\nldi r17, 0x40\nfmulsu r16, r17', regs: { 0: 0, 1: 0xe0 }, flags: 'C' },
  { name: 'fmulsu -0.5 * 1.5 (unsigned 0xc0)', prog: 'ldi r16, 0xc0\nldi r17, 0xc0\nfmulsu r16, r17', regs: { 0: 0, 1: 0xa0 }, flags: 'C' },
]));

describe('lsr, asr, ror, swap, bst, bld, bset, bclr', () => check([
  { name: 'lsr 1: zero, C, V = N ^ C', prog: 'ldi r16, 1\nlsr r16', regs: { 16: 0 }, flags: 'SVZC' },
  { name: 'lsr 0x80', prog: 'ldi r16, 0x80\nlsr r16', regs: { 16: 0x40 }, flags: '' },
  { name: 'asr 0x81 keeps the sign', prog: 'ldi r16, 0x81\nasr r16', regs: { 16: 0xc0 }, flags: 'SNC' },
  { name: 'asr 0x80', prog: 'ldi r16, 0x80\nasr r16', regs: { 16: 0xc0 }, flags: 'VN' },
  { name: 'ror with C in', prog: 'ldi r16, 2\nsec\nror r16', regs: { 16: 0x81 }, flags: 'VN' },
  { name: 'ror 1 without C', prog: 'ldi r16, 1\nror r16', regs: { 16: 0 }, flags: 'SVZC' },
  { name: 'swap leaves SREG alone', prog: 'ldi r16, 0x12\nsec\nswap r16', regs: { 16: 0x21 }, flags: 'C' },
  { name: 'bst copies a bit to T', prog: 'ldi r16, 0x08\nbst r16, 3', flags: 'T' },
  { name: 'bst of a clear bit clears T', prog: 'set\nldi r16, 0xf7\nbst r16, 3', flags: '' },
  { name: 'bld copies T into a bit', prog: 'set\nldi r16, 0\nbld r16, 6\nclt\nldi r17, 0xff\nbld r17, 0', regs: { 16: 0x40, 17: 0xfe }, flags: '' },
  { name: 'bset: every flag', prog: 'sec\nsez\nsen\nsev\nses\nseh\nset\nsei\nnop', flags: 'ITHSVNZC' },
  { name: 'bclr: every flag', prog: 'ldi r16, 0xff\nout 0x3f, r16\nclc\nclz\ncln\nclv\ncls\nclh\nclt\ncli', flags: '' },
  { name: 'mov, movw, ldi, ser', prog: 'ldi r16, 7\nmov r3, r16\nldi r18, 0x34\nldi r19, 0x12\nmovw r4, r18\nser r20', regs: { 3: 7, 4: 0x34, 5: 0x12, 20: 0xff }, flags: '' },
]));

describe('flags the next instruction overwrites are still exact at block exits', () => check([
  // The first add's flags are dead inside the block (the second add overwrites them all); the
  // block ends at the branch, where they must be those of the second add.
  { name: 'dead flags are dropped only when really dead', prog: 'ldi r16, 0xff\nldi r17, 1\nadd r16, r17\nldi r18, 1\nadd r18, r18\nbrcs .+0', regs: { 16: 0, 18: 2 }, flags: '' },
  { name: 'a partly overwritten flag set is kept (inc keeps C)', prog: 'ldi r16, 0xff\nldi r17, 1\nadd r16, r17\ninc r17', regs: { 17: 2 }, flags: 'HC' },
]));
