/**
 * Dead-flag elimination: stores overwritten before any read go, stores that a read, an exit, a
 * call out or an in-block branch target may see stay; and the programs' flags are unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { eliminateDeadFlags } from './dead-flags.js';
import { runArm } from './test-support/harness.js';

const NZ = 'const res = r[1] ^ r[2];\nf[0] = f[1] = res;\nr[1] = res;\n';
const NZCV = 'const x = r[7], res = (x - 1) | 0;\nf[0] = f[1] = res; f[2] = x !== 0 ? 1 : 0; f[3] = x & ~res;\nr[7] = res;\n';
const site = (code: string, conditional = false) => ({ code, conditional });

describe('dead-flag elimination', () => {
  it('drops N/Z stores that the next instruction overwrites', () => {
    const out = eliminateDeadFlags([site(NZ), site(NZCV)], new Map());
    assert.ok(!out[0]!.includes('f[0]') && !out[0]!.includes('f[1]'), out[0]);
    assert.equal(out[1], NZCV); // live at the block's end
  });
  it('keeps a store that a later instruction reads, and only the flags it needs', () => {
    const adc = 'const res = (r[1] + r[2] + f[2]) | 0;\nr[1] = res;\n';
    const out = eliminateDeadFlags([site(NZCV), site(adc), site(NZCV)], new Map());
    assert.match(out[0]!, /f\[2\] = x !== 0/);
    assert.doesNotMatch(out[0]!, /f\[0\]|f\[1\]|f\[3\]/);
  });
  it('keeps every store before an instruction that may leave the block or call out', () => {
    for (const exit of ['s.pcLo = 8; return;\n', 'v = s.ld(1, a, 4, false, false);\n', 'const v = s.apsr;\n', 'continue L;\n']) {
      const out = eliminateDeadFlags([site(NZCV), site(exit), site(NZCV)], new Map());
      assert.equal(out[0], NZCV, exit);
    }
  });
  it('a conditional (IT) store does not kill an earlier one', () => {
    const out = eliminateDeadFlags([site(NZ), site(`if (f[1] === 0) {\n${NZ}}\n`, true)], new Map());
    assert.equal(out[0], NZ);
  });
  it('an in-block forward branch keeps what its target reads', () => {
    const bcc = 'if (f[2] === 0) { s.icount -= 1; break F1; }\n';
    const readsV = 'const v = f[3];\nr[0] = v;\n';
    const out = eliminateDeadFlags([site(NZCV), site(bcc), site(NZCV), site(readsV), site(NZCV)], new Map([[1, 3]]));
    assert.match(out[0]!, /f\[3\] = /); // V reaches the target through the taken branch
    assert.doesNotMatch(out[0]!, /f\[0\] = |f\[1\] = /);
  });
  it('programs give the same flags with and without it (single-step translates one instruction per block)', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/dead-flags.json', import.meta.url));
    const prog = `
      movs r0, #200
      movs r6, #0
    loop:
      lsrs r1, r0, #1
      bcc 1f
      adds r6, r6, r0
    1:
      eors r1, r0
      adcs r6, r1
      subs r0, #1
      bhi loop
      mrs r2, APSR
      cmp r6, r0
      mrs r3, APSR`;
    const fast = await runArm(prog, { fixtures });
    const step = await runArm(prog, { fixtures, singleStep: true });
    assert.deepEqual([fast.u(6), fast.u(2), fast.u(3), fast.icount], [step.u(6), step.u(2), step.u(3), step.icount]);
  });
});
