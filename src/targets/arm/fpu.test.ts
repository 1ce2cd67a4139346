/**
 * FPv4-SP (fpu.ts): arithmetic bit-exact with its FPSCR flags, NaN rules, conversions, the
 * decoder/disassembler against arm-none-eabi-objdump's text for the words of guests/arm/fpu.m4.elf,
 * and NOCP without an FPU (the whole unit with lazy stacking runs in the fpu.m4 guest:
 * src/machines/mps2.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ArmFpu, Fpscr, decodeVfp } from './fpu.js';
import { disassemble } from './disasm.js';
import { runArm } from './test-support/harness.js';
import { Cfsr } from './exception-model.js';

const fixtures = fileURLToPath(new URL('./fixtures/fpu.json', import.meta.url));
const F = (x: number): number => { const b = new Float32Array([x]); return new Uint32Array(b.buffer)[0]!; };

describe('FPv4-SP arithmetic', () => {
  it('add, mul, div, sqrt, fma give the correctly rounded single (values from QEMU 7.2, guests/arm/fpu.m4)', () => {
    const u = new ArmFpu();
    assert.equal(u.add(F(1.1), F(3)), 0x40833333);
    assert.equal(u.mul(F(1.1), F(3)), 0x40533334);
    assert.equal(u.div(F(1.1), F(3)), 0x3ebbbbbc);
    assert.equal(u.sqrt(F(3)), 0x3fddb3d7);
    assert.equal(u.fma(F(-0.25), F(1.1), F(3)), 0x40433334);
    assert.equal(u.toInt(F(-7.75), true, false) >>> 0, 0xfffffff9);
    assert.equal(u.fromInt(123456789, true), 0x4ceb79a3);
  });
  it('FPSCR flags: DZC for 3/0 (+inf), IOC and the default NaN for sqrt(-1), IXC for 1/3, none for exact results', () => {
    const u = new ArmFpu();
    assert.equal(u.div(F(3), F(0)), 0x7f800000);
    assert.equal(u.fpscr, Fpscr.DZC);
    u.fpscr = 0;
    assert.equal(u.sqrt(F(-1)), 0x7fc00000);
    assert.equal(u.fpscr, Fpscr.IOC);
    u.fpscr = 0;
    u.div(F(1), F(3));
    assert.equal(u.fpscr, Fpscr.IXC);
    u.fpscr = 0;
    u.add(F(1.5), F(2.25)); u.mul(F(1.5), F(4)); u.div(F(9), F(3)); u.sqrt(F(16));
    assert.equal(u.fpscr, 0);
    assert.equal(u.mul(F(3e38), F(10)), 0x7f800000);
    assert.equal(u.fpscr, Fpscr.OFC | Fpscr.IXC);
    u.fpscr = 0;
    u.mul(F(1e-30), F(1e-10));
    assert.equal(u.fpscr, Fpscr.UFC | Fpscr.IXC);
  });
  it('NaNs: a signalling NaN is quieted (IOC), the first NaN operand propagates; inf - inf and 0 * inf are invalid', () => {
    const u = new ArmFpu();
    assert.equal(u.add(0x7f800001, F(1)), 0x7fc00001);
    assert.equal(u.fpscr, Fpscr.IOC);
    u.fpscr = 0;
    assert.equal(u.mul(F(1), 0xffc00005), 0xffc00005);
    assert.equal(u.fpscr, 0);
    assert.equal(u.add(F(Infinity), F(-Infinity)), 0x7fc00000);
    assert.equal(u.mul(F(0), F(Infinity)), 0x7fc00000);
    assert.equal(u.fpscr, Fpscr.IOC);
  });
  it('conversions saturate (IOC) and flag inexact results (IXC)', () => {
    const u = new ArmFpu();
    assert.equal(u.toInt(F(3e9), true, false), 0x7fffffff);
    assert.equal(u.fpscr, Fpscr.IOC);
    u.fpscr = 0;
    assert.equal(u.toInt(F(2.5), true, true), 2, 'VCVTR rounds to nearest even');
    assert.equal(u.fpscr, Fpscr.IXC);
  });
});

describe('found by scripts/arm/fp-diff.ts against QEMU 7.2', () => {
  /** Run one FP instruction (a .inst.w word) on s0, s1, s2 = a, b, c with FPSCR cleared: [s2, FPSCR]. */
  async function fp(word: number, a: number, b: number, c: number): Promise<[number, number]> {
    const r = await runArm(`
      .inst.w 0xee000a10    @ vmov s0, r0
      .inst.w 0xee001a90    @ vmov s1, r1
      .inst.w 0xee012a10    @ vmov s2, r2
      .inst.w 0x${word.toString(16)}
      .inst.w 0xee113a10    @ vmov r3, s2
      .inst.w 0xeef14a10    @ vmrs r4, fpscr
      exit`, { fixtures, profile: 'v7em', fpu: true, setup: (cpu) => { cpu.r[0] = a | 0; cpu.r[1] = b | 0; cpu.r[2] = c | 0; } });
    return [r.u(3), r.u(4)];
  }
  it('VNMUL, VMLS and VFMS negate NaNs too (FPNeg flips the sign bit of a NaN)', async () => {
    assert.deepEqual(await fp(0xee201a60, 0x00000000, 0x7faf4bfb, 0), [0xffef4bfb, Fpscr.IOC]); // vnmul
    assert.deepEqual(await fp(0xee001a60, 0x7f875d83, 0x7f9b8320, 0x3b66dca8), [0xffc75d83, Fpscr.IOC]); // vmls
    assert.deepEqual(await fp(0xeea01a60, 0xff8426fd, 0x3c9370ed, 0x7e715134), [0x7fc426fd, Fpscr.IOC]); // vfms
  });
  it('FP instructions inside IT blocks execute only when their condition holds', async () => {
    const r = await runArm(`
      .fpu fpv4-sp-d16
      movs r0, #1
      movs r1, #7
      vmov s0, r0
      cmp r0, #1
      it ne
      vmovne s0, r1
      ite eq
      vaddeq.f32 s1, s0, s0
      vsubne.f32 s1, s0, s0
      vmov r2, s0
      vmov r3, s1
      exit`, { fixtures, profile: 'v7em', fpu: true });
    assert.equal(r.u(2), 1);
    assert.equal(r.u(3), 2, 'subnormal 1 + 1 = 2 (bits)');
  });
  it('inf / 0 is inf without DZC; x / inf is an exact zero (no IXC)', () => {
    const u = new ArmFpu();
    assert.equal(u.div(0xff800000, 0x80000000), 0x7f800000);
    assert.equal(u.fpscr, 0);
    assert.equal(u.div(0xc03992ff, 0x7f800000), 0x80000000);
    assert.equal(u.fpscr, 0);
  });
  it('VFMA overflowing keeps the sign of the exact result; 0 * inf with a signalling NaN addend gives the quieted addend', () => {
    const u = new ArmFpu();
    assert.equal(u.fma(0xa0b9afd1, 0xe4df5892, 0xe778262b), 0x7f800000);
    assert.equal(u.fpscr, Fpscr.OFC | Fpscr.IXC);
    u.fpscr = 0;
    assert.equal(u.fma(0x7f97a76b, 0x00000000, 0x7f800000), 0x7fd7a76b);
    assert.equal(u.fpscr, Fpscr.IOC);
    u.fpscr = 0;
    assert.equal(u.fma(0x7fc00001, 0x00000000, 0x7f800000), 0x7fc00000, 'a quiet NaN addend: default NaN');
    assert.equal(u.fpscr, Fpscr.IOC);
  });
});

describe('FPSCR.RMode', () => {
  it('1/3 rounds to nearest, up, down and toward zero', () => {
    const u = new ArmFpu();
    const at = (mode: number, f: () => number): number => { u.fpscr = mode << 22; return f(); };
    assert.equal(at(0, () => u.div(F(1), F(3))), 0x3eaaaaab);
    assert.equal(at(1, () => u.div(F(1), F(3))), 0x3eaaaaab);
    assert.equal(at(2, () => u.div(F(1), F(3))), 0x3eaaaaaa);
    assert.equal(at(3, () => u.div(F(-1), F(3))), 0xbeaaaaaa);
    assert.equal(u.fpscr & 0x1f, Fpscr.IXC);
  });
  it('overflow gives MAX or infinity by direction (OFC either way); x - x is -0 toward -inf', () => {
    const u = new ArmFpu();
    u.fpscr = 3 << 22;
    assert.equal(u.mul(F(3e38), F(10)), 0x7f7fffff);
    assert.equal(u.fpscr & 0x1f, Fpscr.OFC | Fpscr.IXC);
    u.fpscr = 1 << 22;
    assert.equal(u.mul(F(-3e38), F(10)), 0xff7fffff);
    assert.equal(u.mul(F(3e38), F(10)), 0x7f800000);
    u.fpscr = 2 << 22;
    assert.equal(u.add(F(1.5), F(-1.5)), 0x80000000);
    u.fpscr = 0;
    assert.equal(u.add(F(1.5), F(-1.5)), 0);
  });
  it('FPSCR.FZ: subnormal operands count as zero (IDC), tiny results are flushed (UFC, no IXC)', () => {
    const u = new ArmFpu();
    u.fpscr = 1 << 24;
    assert.equal(u.add(0x00400000, F(1)), F(1));
    assert.equal(u.fpscr & 0xff, Fpscr.IDC);
    u.fpscr = 1 << 24;
    assert.equal(u.mul(F(-1e-30), F(1e-10)), 0x80000000);
    assert.equal(u.fpscr & 0xff, Fpscr.UFC);
  });
  it('VCVTR follows RMode; VCVT rounds toward zero', () => {
    const u = new ArmFpu();
    u.fpscr = 1 << 22;
    assert.equal(u.toInt(F(2.25), true, true), 3);
    assert.equal(u.toInt(F(2.25), true, false), 2);
    u.fpscr = 2 << 22;
    assert.equal(u.toInt(F(-2.25), true, true), -3);
  });
});

describe('FPv4-SP decoding', () => {
  it('disassembles as arm-none-eabi-objdump (fpu.m4.elf)', () => {
    const cases: [number, string][] = [
      [0xee001a10, 'vmov\ts0, r1'], [0xeee17a10, 'vmsr\tfpscr, r7'], [0xee106a10, 'vmov\tr6, s0'],
      [0xed9d7a02, 'vldr\ts14, [sp, #8]'], [0xee777a27, 'vadd.f32\ts15, s14, s15'], [0xee171a90, 'vmov\tr1, s15'],
      [0xee677a27, 'vmul.f32\ts15, s14, s15'], [0xeec77a27, 'vdiv.f32\ts15, s14, s15'], [0xeef17ae7, 'vsqrt.f32\ts15, s15'],
      [0xeee77a26, 'vfma.f32\ts15, s14, s13'], [0xeeb37a0f, 'vmov.f32\ts14, #63\t@ 0x41f80000  31.0'],
      [0xeefd7ae7, 'vcvt.s32.f32\ts15, s15'], [0xeef87ae7, 'vcvt.f32.s32\ts15, s15'], [0xeef11a10, 'vmrs\tr1, fpscr'],
      [0xeeff7a00, 'vmov.f32\ts15, #240\t@ 0xbf800000 -1.0'],
    ];
    for (const [w, text] of cases) assert.equal(disassemble(w, 4, 0, 0, 'v7em'), text, `0x${w.toString(16)}`);
  });
  it('double-precision forms are UNDEFINED on the single-precision unit', () => {
    assert.equal(decodeVfp(0xee300b20), undefined); // vadd.f64
    assert.equal(decodeVfp(0xed9d0b00), undefined); // vldr d0
  });
  it('without an FPU (Cortex-M3) a VFP instruction is a NOCP UsageFault', async () => {
    const r = await runArm(`
      .inst.w 0xee300a20    @ vadd.f32 s0, s0, s1
      exit`, { fixtures });
    assert.equal(r.model.taken.length, 1);
    assert.equal(r.model.taken[0]!.cfsr, Cfsr.NOCP);
  });
});
