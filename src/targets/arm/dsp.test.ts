/**
 * ARMv7E-M DSP instructions (Cortex-M4, profile 'v7em'): parallel add/subtract with GE and SEL,
 * saturating arithmetic and Q, halfword multiplies and their accumulate overflow, most-significant
 * word multiplies with rounding, sum of absolute differences, long DSP accumulates, packing,
 * extend-and-add; and UNDEFINED on the Cortex-M3 profile. (Randomized against QEMU's mps2-an386 by
 * test-support/qemu-diff.ts m4.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runArm } from './test-support/harness.js';
import { ArmExc, Cfsr } from './exception-model.js';

const fixtures = fileURLToPath(new URL('./fixtures/dsp.json', import.meta.url));
const run = (prog: string) => runArm(prog, { fixtures, profile: 'v7em' });

interface Case { name: string; prog: string; regs: Record<number, number>; q?: boolean; ge?: number }

describe('DSP', () => {
  const cases: Case[] = [
    { name: 'sadd16 sets GE per halfword; sel picks bytes by GE', prog: 'ldr r1, =0x7fff0001\nldr r2, =0x0001fffe\nsadd16 r0, r1, r2\nldr r3, =0xaabbccdd\nldr r4, =0x11223344\nsel r5, r3, r4',
      regs: { 0: 0x8000ffff, 5: 0xaabb3344 }, ge: 0b1100 },
    { name: 'usub8 GE where no borrow', prog: 'ldr r1, =0x10ff0080\nldr r2, =0x20010080\nusub8 r0, r1, r2\nldr r3, =0xaabbccdd\nldr r4, =0x11223344\nsel r5, r3, r4',
      regs: { 0: 0xf0fe0000, 5: 0x11bbccdd }, ge: 0b0111 },
    { name: 'uqadd8 saturates at 255, qsub16 at -32768', prog: 'ldr r1, =0xf0100000\nldr r2, =0x20200000\nuqadd8 r0, r1, r2\nldr r3, =0x80000000\nldr r4, =0x00010000\nqsub16 r5, r3, r4', regs: { 0: 0xff300000, 5: 0x80000000 } },
    { name: 'shadd16 / uhsub8 halve', prog: 'ldr r1, =0x00030005\nldr r2, =0x00010001\nshadd16 r0, r1, r2\nuhsub8 r3, r2, r1', regs: { 0: 0x00020003, 3: 0x00ff00fe } },
    { name: 'qadd saturates and sets Q', prog: 'ldr r1, =0x7fffffff\nmovs r2, #1\nqadd r0, r1, r2', regs: { 0: 0x7fffffff }, q: true },
    { name: 'qdsub doubles then subtracts', prog: 'movs r1, #10\nmovs r2, #3\nqdsub r0, r1, r2', regs: { 0: 4 }, q: false },
    { name: 'smulbt / smlabb', prog: 'ldr r1, =0x0002fffd\nldr r2, =0x00070005\nsmulbt r0, r1, r2\nmovs r3, #100\nsmlabb r4, r1, r2, r3', regs: { 0: 0xffffffeb, 4: 85 } },
    { name: 'smlad overflow sets Q', prog: 'ldr r1, =0x80008000\nldr r2, =0x80008000\nmovs r3, #0\nsmlad r0, r1, r2, r3', regs: { 0: 0x80000000 }, q: true },
    { name: 'smusdx', prog: 'ldr r1, =0x00030002\nldr r2, =0x00050007\nsmusdx r0, r1, r2', regs: { 0: 0xfffffff5 } }, // 2*5 - 3*7
    { name: 'smmulr rounds, smmls', prog: 'ldr r1, =0x40000000\nldr r2, =0x00000003\nsmmul r0, r1, r2\nsmmulr r3, r1, r2\nmovs r4, #5\nsmmls r5, r1, r2, r4', regs: { 0: 0, 3: 1, 5: 4 } },
    { name: 'usad8 / usada8', prog: 'ldr r1, =0x0a141e28\nldr r2, =0x140a281e\nusad8 r0, r1, r2\nmovs r3, #7\nusada8 r4, r1, r2, r3', regs: { 0: 40, 4: 47 } },
    { name: 'smlalbb / umaal', prog: 'mvn.w r0, #0\nmovs r1, #0\nmovs r2, #2\nmovs r3, #3\nsmlalbb r0, r1, r2, r3\nmvn.w r4, #0\nmvn.w r5, #0\nmvn.w r6, #0\nmvn.w r7, #0\numaal r4, r5, r6, r7', regs: { 0: 5, 1: 1, 4: 0xffffffff, 5: 0xffffffff } },
    { name: 'pkhbt / pkhtb', prog: 'ldr r1, =0x11112222\nldr r2, =0x33334444\npkhbt r0, r1, r2, lsl #16\npkhtb r3, r1, r2, asr #16', regs: { 0: 0x44442222, 3: 0x11113333 } },
    { name: 'sxtab16 / uxtah / ssat16', prog: 'ldr r1, =0x00100010\nldr r2, =0x00ff00fe\nsxtab16 r0, r1, r2\nuxtah r3, r1, r2, ror #16\nldr r4, =0x7fff8000\nssat16 r5, #8, r4', regs: { 0: 0x000f000e, 3: 0x0010010f, 5: 0x007fff80 }, q: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(`  movs r7, #0\n  msr APSR_nzcvqg, r7\n${c.prog}`);
      assert.equal(r.code, 0, JSON.stringify(r.model.taken));
      for (const [n, v] of Object.entries(c.regs)) assert.equal(r.u(Number(n)), v >>> 0, `r${n}`);
      if (c.q !== undefined) assert.equal(r.cpu.f[4], c.q ? 1 : 0, 'Q');
      if (c.ge !== undefined) assert.equal(r.cpu.f[5], c.ge, 'GE');
    });
  }
  it('DSP instructions are UNDEFINED on the Cortex-M3', async () => {
    const r = await runArm('  .inst.w 0xfa92f003   @ sadd16 r0, r2, r3', { fixtures });
    assert.deepEqual([r.model.taken[0]!.exc, r.model.taken[0]!.cfsr], [ArmExc.UsageFault, Cfsr.UNDEFINSTR]);
  });
});
