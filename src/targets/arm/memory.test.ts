/**
 * Loads and stores of every size and addressing mode (offset, pre-indexed, post-indexed,
 * register with shift, literal, SP-relative), LDRD/STRD, LDM/STM/PUSH/POP, LDREX/STREX and the
 * local monitor; unaligned accesses allowed for LDR/STR/LDRH/STRH unless CCR.UNALIGN_TRP, always
 * faulting for LDM/STM/LDRD/LDREX; bus errors as precise BusFaults with BFAR; MMIO through the
 * slow path; plugin memory callbacks see every access.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CODE_BASE, DATA_BASE, runArm, type ArmRunOptions } from './test-support/harness.js';
import { ArmExc, Ccr, Cfsr } from './exception-model.js';
import { definePlugin, type MemAccess } from '../../plugin/api.js';

const fixtures = fileURLToPath(new URL('./fixtures/memory.json', import.meta.url));
const run = (prog: string, o: Partial<ArmRunOptions> = {}) => runArm(prog, { fixtures, ...o });
const D = `0x${DATA_BASE.toString(16)}`;

describe('single loads and stores', () => {
  it('byte, halfword, word; signed and unsigned; 16-bit immediate and register forms', async () => {
    const r = await run(`
      ldr r0, =${D}
      ldr r1, =0x8081f2f3
      str r1, [r0, #4]
      ldrb r2, [r0, #4]
      ldrh r3, [r0, #6]
      movs r4, #4
      ldrsb r5, [r0, r4]
      movs r4, #6
      ldrsh r6, [r0, r4]
      ldr r7, [r0, #4]
      strb r1, [r0, #9]
      strh r1, [r0, #10]`);
    assert.deepEqual([r.u(2), r.u(3), r.u(5), r.u(6), r.u(7)], [0xf3, 0x8081, 0xfffffff3, 0xffff8081, 0x8081f2f3]);
    assert.equal(r.mem32(DATA_BASE + 8), 0xf2f3f300);
  });
  it('32-bit forms: imm12, negative imm8, pre- and post-indexed with writeback, register lsl', async () => {
    const r = await run(`
      ldr r0, =${D} + 0x100
      movs r1, #0x11
      str.w r1, [r0, #0x104]
      movs r1, #0x22
      str r1, [r0, #-4]
      movs r1, #0x33
      str r1, [r0, #8]!
      movs r1, #0x44
      str r1, [r0], #-8
      ldr.w r2, [r0, #0x104]
      ldr r3, [r0, #-4]
      movs r4, #2
      ldr.w r5, [r0, r4, lsl #2]
      ldrsb.w r6, [r0, #-4]
      ldrsh r7, [r0, #8]!`);
    assert.deepEqual([r.u(2), r.u(3), r.u(5), r.u(6), r.u(7)], [0x11, 0x22, 0x44, 0x22, 0x44]);
    assert.equal(r.u(0), DATA_BASE + 0x108);
  });
  it('literal loads (16 and 32 bit, byte and negative offset), sp-relative', async () => {
    const r = await run(`
      b over
      .align 2
    lit:
      .word 0xcafef00d
    over:
      ldr.w r0, lit
      ldrb.w r1, lit
      ldrsh.w r2, lit
      sub sp, #8
      str r0, [sp, #4]
      ldr r3, [sp, #4]
      add r4, sp, #4
      add sp, #8`);
    assert.deepEqual([r.u(0), r.u(1), r.u(2), r.u(3)], [0xcafef00d, 0x0d, 0xfffff00d, 0xcafef00d]);
    assert.equal(r.u(4), 0x20040000 - 4);
  });
  it('ldrd / strd with offsets and writeback', async () => {
    const r = await run(`
      ldr r0, =${D}
      movs r2, #1
      movs r3, #2
      strd r2, r3, [r0, #8]
      strd r3, r2, [r0], #16
      ldrd r4, r5, [r0, #-8]
      ldrd r6, r7, [r0, #-16]!`);
    assert.deepEqual([r.r(4), r.r(5), r.r(6), r.r(7)], [1, 2, 2, 1]);
    assert.equal(r.u(0), DATA_BASE);
  });
});

describe('multiple', () => {
  it('push / pop, stmdb / ldmia, stmia / ldmia with and without writeback', async () => {
    const r = await run(`
      movs r1, #1
      movs r2, #2
      mov r8, r2
      push {r1, r2, lr}
      pop {r3, r4, r5}
      ldr r0, =${D} + 16
      stmia r0!, {r1, r2}
      stmdb r0!, {r1, r2, r8}
      ldmia.w r0, {r5, r6, r7}
      ldr r0, =${D} + 12
      ldm r0, {r0, r1}`);
    assert.deepEqual([r.r(3), r.r(4)], [1, 2]);
    assert.deepEqual([r.r(5), r.r(6), r.r(7)], [1, 2, 2]);
    assert.equal(r.u(0), 1);
    assert.equal(r.u(1), 2);
    assert.equal(r.u(13), 0x20040000);
  });
  it('push.w / pop.w of high registers', async () => {
    const r = await run(`
      movs r0, #9
      mov r11, r0
      push.w {r4, r11}
      movs r0, #0
      mov r11, r0
      pop.w {r4, r11}
      mov r1, r11`);
    assert.equal(r.r(1), 9);
  });
});

describe('unaligned accesses', () => {
  it('ldr/str/ldrh unaligned work when UNALIGN_TRP is clear', async () => {
    const r = await run(`
      ldr r0, =${D} + 1
      ldr r1, =0x44332211
      str r1, [r0]
      ldr r2, [r0]
      ldrh r3, [r0, #1]`);
    assert.equal(r.u(2), 0x44332211);
    assert.equal(r.u(3), 0x3322);
    assert.equal(r.mem32(DATA_BASE), 0x33221100);
  });
  it('UNALIGN_TRP: ldr unaligned is a UsageFault UNALIGNED', async () => {
    const r = await run(`
      ldr r0, =${D} + 2
      ldr r1, [r0]`, { ccr: Ccr.UNALIGN_TRP });
    const e = r.model.taken[0]!;
    assert.deepEqual([e.exc, e.cfsr], [ArmExc.UsageFault, Cfsr.UNALIGNED]);
  });
  for (const [name, insn] of [['ldm', 'ldm r0, {r1, r2}'], ['stm', 'stmia r0!, {r1, r2}'], ['ldrd', 'ldrd r2, r3, [r0]'], ['ldrex', 'ldrex r1, [r0]'], ['strd', 'strd r2, r3, [r0]']] as const) {
    it(`${name} unaligned always faults`, async () => {
      const r = await run(`
        ldr r0, =${D} + 2
        ${insn}`);
      assert.equal(r.model.taken[0]?.cfsr, Cfsr.UNALIGNED);
      assert.equal(r.mem32(DATA_BASE), 0, 'nothing stored');
    });
  }
});

describe('bus errors and MMIO', () => {
  it('load from unmapped memory: precise BusFault with BFAR', async () => {
    const r = await run(`
      ldr r0, =0x30000000
      ldr r1, [r0, #4]`);
    const e = r.model.taken[0]!;
    assert.deepEqual([e.exc, e.cfsr, e.faultAddress], [ArmExc.BusFault, Cfsr.PRECISERR | Cfsr.BFARVALID, 0x30000004]);
    assert.equal(e.pc, r.labels.get('_start')! + 4); // after the 32-bit mov.w that `ldr r0, =` became
  });
  it('fetch from unmapped memory: IBUSERR', async () => {
    const r = await run(`
      ldr r0, =0x30000001
      bx r0`);
    assert.deepEqual([r.model.taken[0]!.cfsr, r.model.taken[0]!.pc], [Cfsr.IBUSERR, 0x30000000]);
  });
  it('MMIO store and load through the slow path', async () => {
    const r = await run(`
      ldr r0, =0x40000000
      movs r1, #42
      str r1, [r0]
      ldr r2, [r0]`);
    assert.equal(r.r(2), 42);
  });
  it('a store that ends its block (MMIO) still writes back its base and reaches memory callbacks', async () => {
    const stores: number[] = [];
    const plugin = definePlugin({
      name: 'stores',
      install(api) {
        api.onTranslate((tb) => { for (const i of tb.insns) i.onMemory((_v, a: MemAccess) => stores.push(a.vaddrLo), 'w'); });
      },
    });
    const prog = `
      ldr r0, =0x40000000
      movs r1, #42
      str r1, [r0], #4
      strb r1, [r0, #4]!
      movs r2, #7`;
    const plain = await run(prog);
    assert.deepEqual([plain.u(0), plain.r(2)], [0x40000008, 7]);
    const hooked = await run(prog, { plugins: [{ plugin }] });
    assert.deepEqual([hooked.u(0), hooked.r(2)], [0x40000008, 7]);
    assert.deepEqual(stores, [0x40000000, 0x40000008]);
  });
});

describe('exclusives', () => {
  it('ldrex/strex succeed, a second strex fails, clrex clears', async () => {
    const r = await run(`
      ldr r0, =${D}
      movs r1, #5
      ldrex r2, [r0]
      strex r3, r1, [r0]
      strex r4, r1, [r0]
      ldrex r2, [r0]
      clrex
      strex r5, r1, [r0]
      ldrexb r6, [r0]
      strexb r7, r1, [r0]`);
    assert.deepEqual([r.r(3), r.r(4), r.r(5), r.r(6), r.r(7)], [0, 1, 1, 5, 0]);
  });
});

describe('self-modifying code', () => {
  it('a store into translated code invalidates it', async () => {
    const r = await run(`
      movs r2, #0
    again:
      adr r3, patch
      ldr r1, =0x2001      @ movs r0, #1
    patch:
      movs r0, #7
      adds r2, #1
      cmp r2, #2
      beq done
      strh r1, [r3]
      b again
    done:`);
    assert.equal(r.r(0), 1);
  });
});

describe('plugins', () => {
  it('memory callbacks see address, size, value and direction; exec callbacks see the PC', async () => {
    const seen: string[] = [];
    const pcs: number[] = [];
    const plugin = definePlugin({
      name: 'probe',
      install(api) {
        api.onTranslate((tb) => {
          for (const insn of tb.insns) {
            insn.onMemory((_v, a: MemAccess) => { seen.push(`${a.isStore ? 'w' : 'r'}${a.size}@${a.vaddrLo.toString(16)}=${a.valueLo.toString(16)}`); });
            insn.onExec((v) => { pcs.push(Number(api.pc(v))); });
          }
        });
      },
    });
    const r = await run(`
      ldr r0, =${D}
      movs r1, #0x7f
      strb r1, [r0, #1]
      ldrh r2, [r0]
      push {r1, r2}`, { plugins: [{ plugin }] });
    assert.equal(r.r(2), 0x7f00);
    assert.deepEqual(seen, ['w1@20000001=7f', 'r2@20000000=7f00', 'w4@2003fff8=7f', 'w4@2003fffc=7f00']);
    assert.equal(pcs[0], CODE_BASE);
    assert.equal(pcs[1], CODE_BASE + 4); // `ldr r0, =` became a 32-bit mov.w
    assert.deepEqual(r.cpu.registerDescs().map((d) => d.name).slice(13, 23), ['sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control']);
  });
  it('inline counters count every instruction, with and without single-stepping', async () => {
    for (const singleStep of [false, true]) {
      let count = -1;
      const plugin = definePlugin({
        name: 'count',
        install(api) {
          const c = api.counter('insns');
          api.onTranslate((tb) => { for (const i of tb.insns) i.inlineAdd(c, 1); });
          api.onExit(() => { count = c.sum(); });
        },
      });
      const r = await run(`
        movs r0, #10
      l:
        subs r0, #1
        bne l`, { plugins: [{ plugin }], singleStep });
      assert.equal(count, 1 + 20 + 1, `singleStep ${singleStep}`);
      assert.equal(r.icount, 22);
    }
  });
});

describe('plugin register access', () => {
  it('reads and writes registers by name (r0..r12, sp, lr, pc, xpsr, msp, psp, primask, basepri, faultmask, control)', async () => {
    const seen: Record<string, bigint> = {};
    const plugin = definePlugin({
      name: 'regs',
      install(api) {
        api.onTranslate((tb) => {
          for (const insn of tb.insns) {
            if (insn.disas.startsWith('nop')) {
              insn.onExec((v) => {
                for (const n of ['r0', 'r12', 'sp', 'lr', 'pc', 'xpsr', 'msp', 'psp', 'primask', 'basepri', 'faultmask', 'control']) seen[n] = api.readRegister(v, n);
                api.writeRegister(v, 'r1', 0x1234n);
              });
            }
          }
        });
      },
    });
    const r = await run(`
      movs r0, #5
      mov r12, r0
      cpsid i
      movs r2, #0x40
      msr BASEPRI, r2
      subs r0, #6       @ N
      nop
      mov r3, r1`, { plugins: [{ plugin }] });
    assert.equal(seen.r0, 0xffffffffn);
    assert.equal(seen.r12, 5n);
    assert.equal(seen.sp, 0x20040000n);
    assert.equal(seen.msp, 0x20040000n);
    assert.equal(seen.primask, 1n);
    assert.equal(seen.basepri, 0x40n);
    assert.equal(seen.control, 0n);
    assert.equal(seen.xpsr, 0x81000000n); // N, Thumb
    assert.equal(seen.pc, BigInt(r.labels.get('_start')! + 14)); // the nop's address
    assert.equal(r.r(3), 0x1234);
  });
});
