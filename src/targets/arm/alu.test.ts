/**
 * Data processing: results and APSR flags (NZCVQ), bit-exact against the ARMv7-M ARM's
 * AddWithCarry / Shift_C / ThumbExpandImm_C, for the 16-bit encodings (which set flags outside
 * IT blocks), the 32-bit modified-immediate and shifted-register forms, and the register shifts.
 * Flags are written as the letters of the set flags in NZCVQ order; `msr APSR_nzcvq` clears them first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runArm } from './test-support/harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/alu.json', import.meta.url));

interface Case { name: string; prog: string; regs?: Record<number, number>; flags?: string }

/** Flags start clear (Z clear too: `msr` writes APSR from r7 = 0). */
const CLEAR = '  movs r7, #0\n  msr APSR_nzcvq, r7\n';

function check(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runArm(CLEAR + c.prog, { fixtures });
      assert.equal(r.code, 0, `run ended with ${r.code} (${JSON.stringify(r.model.taken)})`);
      for (const [n, v] of Object.entries(c.regs ?? {})) assert.equal(r.u(Number(n)), v >>> 0, `r${n}`);
      if (c.flags !== undefined) assert.equal(r.flags, c.flags, 'APSR');
    });
  }
}

describe('16-bit add, sub, mov, cmp', () => check([
  { name: 'movs #0 sets Z', prog: 'movs r0, #0', regs: { 0: 0 }, flags: 'Z' },
  { name: 'adds 0x7fffffff + 1: N and V', prog: 'ldr r0, =0x7fffffff\nadds r0, #1', regs: { 0: 0x80000000 }, flags: 'NV' },
  { name: 'adds 0xffffffff + 1: Z and C', prog: 'movs r0, #0\nsubs r0, #1\nadds r1, r0, #1', regs: { 1: 0 }, flags: 'ZC' },
  { name: 'subs 5 - 3: C set (no borrow)', prog: 'movs r0, #5\nsubs r1, r0, #3', regs: { 1: 2 }, flags: 'C' },
  { name: 'subs 3 - 5: borrow, N', prog: 'movs r0, #3\nsubs r1, r0, #5', regs: { 1: 0xfffffffe }, flags: 'N' },
  { name: 'cmp equal: Z C', prog: 'movs r0, #7\ncmp r0, #7', flags: 'ZC' },
  { name: 'cmp 0x80000000 with 1: V C', prog: 'movs r0, #1\nlsls r0, r0, #31\ncmp r0, #1', flags: 'CV' },
  { name: 'adds register', prog: 'movs r0, #2\nmovs r1, #3\nadds r2, r0, r1', regs: { 2: 5 }, flags: '' },
  { name: 'negs 1', prog: 'movs r1, #1\nnegs r0, r1', regs: { 0: 0xffffffff }, flags: 'N' },
  { name: 'negs 0: Z C', prog: 'movs r1, #0\nnegs r0, r1', regs: { 0: 0 }, flags: 'ZC' },
  { name: 'adcs with carry in', prog: 'movs r0, #0\nsubs r0, #1\nadds r0, #1\nmovs r1, #1\nmovs r2, #1\nadcs r1, r2', regs: { 1: 3 }, flags: '' },
  { name: 'sbcs without carry in subtracts one more', prog: 'movs r1, #5\nmovs r2, #2\ncmp r1, #6\nsbcs r1, r2', regs: { 1: 2 }, flags: 'C' },
  { name: 'cmn', prog: 'movs r0, #1\nmvns r1, r0\ncmn r1, r0', flags: 'N' },
  { name: 'add high registers does not touch flags', prog: 'movs r1, #1\nmovs r0, #0\nmov r8, r0\nadd r8, r1\nmov r2, r8', regs: { 2: 1 }, flags: 'Z' },
  { name: 'cmp high register', prog: 'movs r0, #4\nmov r9, r0\ncmp r9, r0', flags: 'ZC' },
  { name: 'muls sets N Z only', prog: 'movs r0, #0\nsubs r0, #1\nmovs r1, #3\nmuls r1, r0', regs: { 1: 0xfffffffd }, flags: 'N' },
]));

describe('16-bit logical and shifts', () => check([
  { name: 'ands to zero', prog: 'movs r0, #0xf0\nmovs r1, #0x0f\nands r0, r1', regs: { 0: 0 }, flags: 'Z' },
  { name: 'orrs / eors / bics / mvns', prog: 'movs r0, #0x0f\nmovs r1, #0xf0\norrs r0, r1\nmovs r2, #0xff\neors r2, r0\nmovs r3, #0xff\nbics r3, r1\nmvns r4, r3', regs: { 0: 0xff, 2: 0, 3: 0x0f, 4: 0xfffffff0 }, flags: 'N' },
  { name: 'lsls #1 carries out bit 31', prog: 'movs r0, #1\nlsls r0, r0, #31\nlsls r1, r0, #1', regs: { 1: 0 }, flags: 'ZC' },
  { name: 'lsrs #32 (imm 0)', prog: 'movs r0, #1\nlsls r0, r0, #31\nlsrs r1, r0, #32', regs: { 1: 0 }, flags: 'ZC' },
  { name: 'asrs #32 of negative', prog: 'movs r0, #1\nlsls r0, r0, #31\nasrs r1, r0, #32', regs: { 1: 0xffffffff }, flags: 'NC' },
  { name: 'lsls register by 0 keeps C', prog: 'movs r0, #0\ncmp r0, #0\nmovs r1, #5\nlsls r1, r0', regs: { 1: 5 }, flags: 'C' },
  { name: 'lsls register by 32', prog: 'movs r0, #32\nmovs r1, #3\nlsls r1, r0', regs: { 1: 0 }, flags: 'ZC' },
  { name: 'lsrs register by 33', prog: 'movs r0, #33\nmovs r1, #3\nlsrs r1, r0', regs: { 1: 0 }, flags: 'Z' },
  { name: 'asrs register by 40', prog: 'movs r0, #40\nmovs r1, #1\nlsls r1, r1, #31\nasrs r1, r0', regs: { 1: 0xffffffff }, flags: 'NC' },
  { name: 'rors register by 4', prog: 'movs r0, #4\nmovs r1, #0x1f\nrors r1, r0', regs: { 1: 0xf0000001 }, flags: 'NC' },
  { name: 'tst', prog: 'movs r0, #2\nmovs r1, #1\ntst r0, r1', flags: 'Z' },
  { name: 'movs register sets flags (T2)', prog: 'movs r1, #0\nmovs r0, r1', regs: { 0: 0 }, flags: 'Z' },
]));

describe('32-bit modified immediate', () => check([
  { name: 'mov.w 0xff000000 (rotated: C from bit 31 when S)', prog: 'movs.w r0, #0xff000000', regs: { 0: 0xff000000 }, flags: 'NC' },
  { name: 'mov.w 0x00ab00ab', prog: 'mov.w r0, #0x00ab00ab', regs: { 0: 0x00ab00ab }, flags: '' },
  { name: 'mov.w 0xabababab', prog: 'mov.w r0, #0xabababab', regs: { 0: 0xabababab } },
  { name: 'mvn.w', prog: 'mvn.w r0, #0xff', regs: { 0: 0xffffff00 } },
  { name: 'ands.w with unrotated imm keeps C', prog: 'movs r0, #0\ncmp r0, #0\nmovs r1, #0xff\nands.w r2, r1, #0x0f', regs: { 2: 0x0f }, flags: 'C' },
  { name: 'add.w, sub.w, rsb.w', prog: 'movs r1, #10\nadd.w r2, r1, #0x100\nsub.w r3, r1, #0x100\nrsb.w r4, r1, #0x100', regs: { 2: 0x10a, 3: 0xffffff0a, 4: 0xf6 } },
  { name: 'adds.w overflow', prog: 'mvn.w r1, #0x80000000\nadds.w r2, r1, #1', regs: { 2: 0x80000000 }, flags: 'NV' },
  { name: 'sbc.w with carry clear', prog: 'movs r1, #10\nsbc.w r2, r1, #1', regs: { 2: 8 } },
  { name: 'adc.w with carry set', prog: 'movs r1, #10\ncmp r1, #1\nadc.w r2, r1, #1', regs: { 2: 12 } },
  { name: 'orn.w, eor.w, bic.w', prog: 'movs r1, #0\norn r2, r1, #0xff\nmvn.w r3, #0\neor.w r4, r3, #0xff00\nbic.w r5, r3, #0xff', regs: { 2: 0xffffff00, 4: 0xffff00ff, 5: 0xffffff00 } },
  { name: 'teq.w, tst.w, cmn.w, cmp.w', prog: 'movs r1, #5\nteq.w r1, #5\nmrs r2, APSR\ncmn.w r1, #5\nmrs r3, APSR\ncmp.w r1, #6\nmrs r4, APSR\ntst.w r1, #2', regs: { 2: 0x40000000, 3: 0, 4: 0x80000000 }, flags: 'Z' },
  { name: 'addw / subw / movw / movt', prog: 'movs r1, #1\naddw r2, r1, #0xfff\nsubw r3, r1, #2\nmovw r4, #0xbeef\nmovt r4, #0xdead', regs: { 2: 0x1000, 3: 0xffffffff, 4: 0xdeadbeef } },
]));

describe('32-bit shifted register and register shifts', () => check([
  { name: 'add.w with lsl #4', prog: 'movs r1, #1\nmovs r2, #2\nadd.w r0, r1, r2, lsl #4', regs: { 0: 33 } },
  { name: 'ands.w with lsr carry out', prog: 'movs r1, #0xff\nmovs r2, #3\nands.w r0, r1, r2, lsr #1', regs: { 0: 1 }, flags: 'C' },
  { name: 'orr.w with asr #32 (imm 0 is 32)', prog: 'movs r1, #0\nmovs r2, #1\nlsls r2, r2, #31\norr.w r0, r1, r2, asr #32', regs: { 0: 0xffffffff } },
  { name: 'rrx', prog: 'movs r0, #0\ncmp r0, #0\nmovs r1, #3\nrrxs r2, r1', regs: { 2: 0x80000001 }, flags: 'NC' },
  { name: 'ror.w immediate', prog: 'movs r1, #0xf\nror.w r0, r1, #4', regs: { 0: 0xf0000000 } },
  { name: 'subs.w register with ror', prog: 'movs r1, #0\nmovs r2, #1\nsubs.w r0, r1, r2, ror #1', regs: { 0: 0x80000000 }, flags: 'NV' },
  { name: 'rsb.w register', prog: 'movs r1, #3\nmovs r2, #10\nrsb.w r0, r1, r2', regs: { 0: 7 } },
  { name: 'mvn.w register shifted', prog: 'movs r1, #1\nmvn.w r0, r1, lsl #8', regs: { 0: 0xfffffeff } },
  { name: 'lsl.w / lsr.w / asr.w / ror.w by register', prog: 'movs r1, #1\nmovs r2, #4\nlsl.w r3, r1, r2\nmvn.w r4, #0\nlsr.w r5, r4, r2\nasr.w r6, r4, r2\nror.w r7, r1, r2', regs: { 3: 16, 5: 0x0fffffff, 6: 0xffffffff, 7: 0x10000000 } },
  { name: 'lsls.w by register sets C', prog: 'movs r1, #3\nmovs r2, #31\nlsls.w r0, r1, r2', regs: { 0: 0x80000000 }, flags: 'NC' },
  { name: 'teq.w register', prog: 'movs r1, #3\nmovs r2, #3\nteq.w r1, r2', flags: 'Z' },
]));

describe('multiply, divide, bit operations, saturation', () => check([
  { name: 'mul.w / mla / mls', prog: 'movs r1, #6\nmovs r2, #7\nmovs r3, #100\nmul.w r0, r1, r2\nmla r4, r1, r2, r3\nmls r5, r1, r2, r3', regs: { 0: 42, 4: 142, 5: 58 } },
  { name: 'umull', prog: 'mvn.w r2, #0\nmvn.w r3, #0\numull r0, r1, r2, r3', regs: { 0: 1, 1: 0xfffffffe } },
  { name: 'smull', prog: 'mvn.w r2, #0\nmovs r3, #2\nsmull r0, r1, r2, r3', regs: { 0: 0xfffffffe, 1: 0xffffffff } },
  { name: 'umlal carries into the high word', prog: 'mvn.w r0, #0\nmovs r1, #0\nmovs r2, #1\nmovs r3, #1\numlal r0, r1, r2, r3', regs: { 0: 0, 1: 1 } },
  { name: 'smlal', prog: 'movs r0, #5\nmovs r1, #0\nmvn.w r2, #0\nmovs r3, #10\nsmlal r0, r1, r2, r3', regs: { 0: 0xfffffffb, 1: 0xffffffff } },
  { name: 'udiv / sdiv', prog: 'movs r1, #100\nmovs r2, #7\nudiv r0, r1, r2\nmvn.w r3, #99\nsdiv r4, r3, r2', regs: { 0: 14, 4: 0xfffffff2 } },
  { name: 'sdiv 0x80000000 / -1', prog: 'mov.w r1, #0x80000000\nmvn.w r2, #0\nsdiv r0, r1, r2', regs: { 0: 0x80000000 } },
  { name: 'udiv by zero is 0 without DIV_0_TRP', prog: 'movs r1, #5\nmovs r2, #0\nudiv r0, r1, r2', regs: { 0: 0 } },
  { name: 'clz / rbit / rev / rev16 / revsh', prog: 'movs r1, #1\nclz r0, r1\nrbit r2, r1\nldr r3, =0x11223344\nrev r4, r3\nrev16 r5, r3\nrevsh r6, r3\nrev.w r7, r3', regs: { 0: 31, 2: 0x80000000, 4: 0x44332211, 5: 0x22114433, 6: 0x4433, 7: 0x44332211 } },
  { name: 'sxtb / uxtb / sxth / uxth (16 and 32 bit, rotated)', prog: 'ldr r1, =0x1234ff80\nsxtb r2, r1\nuxtb r3, r1\nsxth r4, r1\nuxth r5, r1\nsxtb.w r6, r1, ror #8\nuxth.w r7, r1, ror #16', regs: { 2: 0xffffff80, 3: 0x80, 4: 0xffffff80, 5: 0xff80, 6: 0xffffffff, 7: 0x1234 } },
  { name: 'ubfx / sbfx', prog: 'ldr r1, =0x0000f0f0\nubfx r0, r1, #4, #8\nsbfx r2, r1, #4, #8', regs: { 0: 0x0f, 2: 0x0f } },
  { name: 'sbfx negative field', prog: 'ldr r1, =0x00000f80\nsbfx r2, r1, #7, #5', regs: { 2: 0xffffffff } },
  { name: 'bfi / bfc', prog: 'mvn.w r0, #0\nmovs r1, #0\nbfi r0, r1, #8, #8\nmvn.w r2, #0\nbfc r2, #0, #4', regs: { 0: 0xffff00ff, 2: 0xfffffff0 } },
  { name: 'ssat saturates and sets Q', prog: 'movs r1, #200\nssat r0, #8, r1', regs: { 0: 127 }, flags: 'Q' },
  { name: 'ssat in range leaves Q', prog: 'movs r1, #100\nssat r0, #8, r1', regs: { 0: 100 }, flags: '' },
  { name: 'usat negative to 0 with Q', prog: 'mvn.w r1, #5\nusat r0, #8, r1', regs: { 0: 0 }, flags: 'Q' },
  { name: 'usat with lsl', prog: 'movs r1, #3\nusat r0, #4, r1, lsl #2', regs: { 0: 12 }, flags: '' },
]));
