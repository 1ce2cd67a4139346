/**
 * Registers and flags in locals inside in-block loops: the rewrite of the emitted code, when it
 * applies (innermost loops whose body cannot leave the block or call out), and programs giving the
 * same registers, flags and instruction counts as single-stepping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { cacheLoopState, writeBackMarker, type LoopSite } from './loop-locals.js';
import { runArm } from './test-support/harness.js';

const fixtures = fileURLToPath(new URL('./fixtures/loop-locals.json', import.meta.url));

/** A two-instruction loop body `subs r7, #1; bne` (back edge at 1, label B1), as translate.ts lays it out. */
function loop(bodyCode = 'const res = (r[7] - 1) | 0;\nf[0] = f[1] = res;\nr[7] = res;\n'): LoopSite[] {
  return [
    { code: bodyCode, codeBefore: 'B1: for (;;) {\n', codeAfter: '' },
    { code: `if (f[1] !== 0) { s.icount += 2; if (s.icount + 4 <= s.limit && s.exitReq === 0) continue B1;\n${writeBackMarker(1)}s.pcLo = 8; return;\n}\n`, codeBefore: '', codeAfter: 'break B1;\n}\n' },
  ];
}

describe('loop-locals rewrite', () => {
  it('an innermost loop keeps its registers and flags in locals, stored back on both ways out', () => {
    const sites = loop();
    cacheLoopState(sites, [{ from: 0, to: 1, at: 1 }]);
    assert.match(sites[0]!.codeBefore, /^\{ let r7_ = r\[7\], f0_ = f\[0\], f1_ = f\[1\];\nB1: for/);
    assert.match(sites[0]!.code, /const res = \(r7_ - 1\) \| 0;\nf0_ = f1_ = res;\nr7_ = res;/);
    assert.match(sites[1]!.code, /if \(f1_ !== 0\).*continue B1;\nr\[7\] = r7_; f\[0\] = f0_; f\[1\] = f1_;\ns\.pcLo = 8; return;/s);
    assert.equal(sites[1]!.codeAfter, 'break B1;\n}\nr[7] = r7_; f[0] = f0_; f[1] = f1_;\n}\n');
  });
  it('a body that may fault or call out, or a loop with another inside, is left alone', () => {
    for (const body of ['const v = s.ld(0, r[1], 4, false, false);\nr[2] = v;\n', 'const v = s.apsr;\n', 's.pcLo = 4; return;\n']) {
      const sites = loop(body);
      const before = JSON.stringify(sites);
      cacheLoopState(sites, [{ from: 0, to: 1, at: 1 }]);
      assert.equal(JSON.stringify(sites), before, body);
    }
    const sites = loop();
    const before = JSON.stringify(sites);
    cacheLoopState(sites, [{ from: 0, to: 1, at: 1 }, { from: 0, to: 0, at: 0 }]);
    assert.equal(JSON.stringify(sites), before);
  });
});

describe('programs with cached loop state agree with single-stepping', () => {
  const programs: Record<string, string> = {
    'nested loops with a forward branch, flags read after': `
      movs r0, #0
      movs r5, #0
      movs r1, #60
    outer:
      movs r2, #13
    inner:
      lsrs r3, r2, #1
      bcs odd
      adds r0, r0, r2
    odd:
      eors r5, r2
      subs r2, #1
      bne inner
      subs r1, #1
      bne outer
      mrs r4, APSR`,
    'a loop whose body loads and stores (not cached) beside one that is': `
      ldr r6, =0x20000100
      movs r0, #0
      movs r1, #200
    mem:
      str r1, [r6]
      ldr r2, [r6]
      adds r0, r0, r2
      subs r1, #1
      bne mem
      movs r1, #100
    pure:
      adds r0, #3
      subs r1, #1
      bhi pure
      mrs r4, APSR`,
  };
  for (const [name, prog] of Object.entries(programs)) {
    it(name, async () => {
      const fast = await runArm(prog, { fixtures });
      const step = await runArm(prog, { fixtures, singleStep: true });
      for (const n of [0, 1, 2, 3, 4, 5]) assert.equal(fast.u(n), step.u(n), `r${n}`);
      assert.equal(fast.icount, step.icount);
      assert.equal(fast.flags, step.flags);
    });
  }
  it('a long loop in locals leaves the registers it ran with (timer-preempted loops: the guests, against QEMU)', async () => {
    const prog = `
      movs r0, #0
      movw r1, #30000
    spin:
      adds r0, #1
      subs r1, #1
      bne spin`;
    const r = await runArm(prog, { fixtures, maxInsns: 1_000_000 });
    assert.deepEqual([r.r(0), r.r(1)], [30000, 0]);
  });
});
