import { runArm } from './test-support/harness.js';
for (const chaining of [false, true]) {
const t0 = performance.now();
const r = await runArm(`
      ldr r0, =0x20000000
      movw r5, #0
      movt r5, #40
      mvn.w r1, #0
      ldr r4, =0xedb88320
    byte:
      ldrb r2, [r0]
      eors r1, r2
      movs r3, #8
    bit:
      lsrs r1, r1, #1
      it cs
      eorcs r1, r4
      subs r3, #1
      bne bit
      subs r5, #1
      bne byte
      mvns r1, r1`, { fixtures: '/tmp/bench.json', maxInsns: 1e9, chaining });
const dt = (performance.now() - t0) / 1000;
console.log(chaining, r.icount, 'insns', dt.toFixed(2), 's', (r.icount / dt / 1e6).toFixed(1), 'MIPS', r.u(1).toString(16));
}
