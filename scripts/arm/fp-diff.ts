/**
 * Differential test of FPv4-SP (src/targets/arm/fpu.ts) against QEMU 7.2's Cortex-M4: random
 * single-precision operations on operands from every class (zeros, subnormals, normals near the
 * limits, infinities, quiet and signalling NaNs, random bits), each run with FPSCR cleared, or
 * with DN set, or in one of the directed rounding modes, the result bits and FPSCR stored to RAM; the program writes the table to
 * `res.bin` through semihosting and both emulators' tables are compared case by case.
 *
 *     npm run build && node --import tsx scripts/arm/fp-diff.ts [cases=3000] [seed=1]
 *
 * Needs arm-none-eabi-as/ld and qemu-system-arm; exits 1 on any difference (the first few are
 * printed with the operation and operands).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'arm.js');
const CASES = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const rnd = (n: number): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;

function operand(): number {
  const sign = rnd(2) ? 0x80000000 : 0;
  switch (rnd(12)) {
    case 0: return sign;
    case 1: return (sign | 0x7f800000) >>> 0;
    case 2: return (sign | 0x7fc00000 | rnd(0x400000)) >>> 0; // quiet NaN
    case 3: return (sign | 0x7f800000 | (1 + rnd(0x3fffff))) >>> 0; // signalling NaN
    case 4: return (sign | rnd(0x800000)) >>> 0; // subnormal
    case 5: return (sign | ((1 + rnd(3)) << 23) | rnd(0x800000)) >>> 0; // tiny normal
    case 6: return (sign | ((252 + rnd(2)) << 23) | rnd(0x800000)) >>> 0; // near overflow
    case 7: return (sign | ((120 + rnd(16)) << 23) | rnd(0x800000)) >>> 0; // around 1
    case 8: return (sign | ((127 + rnd(32)) << 23) | (rnd(2) ? 0 : rnd(0x800000))) >>> 0; // integers-ish
    case 9: return (sign | ((158 + rnd(3)) << 23) | rnd(0x800000)) >>> 0; // around 2^31..2^33 (conversions)
    default: return ((rnd(0x10000) << 16) | rnd(0x10000)) >>> 0;
  }
}

const OPS = [
  'vadd.f32 s2, s0, s1', 'vsub.f32 s2, s0, s1', 'vmul.f32 s2, s0, s1', 'vnmul.f32 s2, s0, s1', 'vdiv.f32 s2, s0, s1',
  'vsqrt.f32 s2, s0', 'vabs.f32 s2, s0', 'vneg.f32 s2, s0', 'vmov.f32 s2, s0',
  'vfma.f32 s2, s0, s1', 'vfms.f32 s2, s0, s1', 'vfnma.f32 s2, s0, s1', 'vfnms.f32 s2, s0, s1',
  'vmla.f32 s2, s0, s1', 'vmls.f32 s2, s0, s1', 'vnmla.f32 s2, s0, s1', 'vnmls.f32 s2, s0, s1',
  'vcvt.s32.f32 s2, s0', 'vcvt.u32.f32 s2, s0', 'vcvtr.s32.f32 s2, s0', 'vcvtr.u32.f32 s2, s0',
  'vcvt.f32.s32 s2, s0', 'vcvt.f32.u32 s2, s0', 'vcmp.f32 s0, s1', 'vcmpe.f32 s0, s1', 'vcmp.f32 s0, #0', 'vcmpe.f32 s0, #0',
];

interface Case { op: string; a: number; b: number; c: number; dn: boolean; rmode: number }

/** FPSCR per case: r8 = 0, r9 = DN, r5/r6/r7 = RMode toward +inf / -inf / zero, r4 = FZ ("rmode" 4). */
const FPSCR_REG = (k: Case): string => (k.dn ? 'r9' : ['r8', 'r5', 'r6', 'r7', 'r4'][k.rmode]!);

function program(cases: Case[]): string {
  const body = cases.map((k) => `  vmsr fpscr, ${FPSCR_REG(k)}\n  vldmia r10!, {s0-s2}\n  ${k.op}\n  vmrs r0, fpscr\n  vstr s2, [r11]\n  str r0, [r11, #4]\n  adds r11, #8\n`).join('');
  const table = cases.map((k) => `  .word 0x${k.a.toString(16)}, 0x${k.b.toString(16)}, 0x${k.c.toString(16)}`).join('\n');
  return `.syntax unified
.cpu cortex-m4
.fpu fpv4-sp-d16
.thumb
.text
  .word 0x20400000
  .word reset + 1
.thumb_func
reset:
  ldr r0, =0xe000ed88
  ldr r1, =0x00f00000
  str r1, [r0]
  dsb
  isb
  movs r8, #0
  mov r9, #0x02000000     @ FPSCR.DN
  mov r5, #0x00400000     @ RMode RP
  mov r6, #0x00800000     @ RMode RM
  mov r7, #0x00c00000     @ RMode RZ
  mov r4, #0x01000000     @ FZ
  ldr r10, =operands
  ldr r11, =0x20000000
  b 1f
  .ltorg
1:
${body}
  @ open("res.bin", "wb"), write the table, close, exit
  ldr r1, =open_blk
  movs r0, #1
  bkpt 0xab
  ldr r1, =write_blk
  str r0, [r1]
  ldr r2, =close_blk
  str r0, [r2]
  movs r0, #5
  bkpt 0xab
  ldr r1, =close_blk
  movs r0, #2
  bkpt 0xab
  ldr r1, =exit_blk
  movs r0, #0x20
  bkpt 0xab
  b .
  .ltorg
  .align 2
name: .asciz "res.bin"
  .align 2
open_blk: .word name, 5, 7
exit_blk: .word 0x20026, 0
operands:
${table}
.data
write_blk: .word 0, 0x20000000, ${cases.length * 8}
close_blk: .word 0
`;
}

function main(): number {
  const dir = mkdtempSync(join(tmpdir(), 'arm-fp-diff-'));
  try {
    const cases: Case[] = [];
    for (let i = 0; i < CASES; i++) cases.push({ op: pick(OPS), a: operand(), b: operand(), c: operand(), dn: rnd(8) === 0, rmode: rnd(2) === 0 ? 0 : rnd(5) });
    writeFileSync(join(dir, 'p.s'), program(cases));
    execFileSync('arm-none-eabi-as', ['-o', join(dir, 'p.o'), join(dir, 'p.s')]);
    execFileSync('arm-none-eabi-ld', ['-Ttext=0', '-Tdata=0x20300000', '-e', '0', '-o', join(dir, 'p.elf'), join(dir, 'p.o')]);
    const results: Buffer[] = [];
    for (const [who, cmd, args] of [
      ['qemu', 'qemu-system-arm', []],
      ['tracehook', process.execPath, [CLI]],
    ] as const) {
      const wd = join(dir, who);
      mkdirSync(wd);
      execFileSync(cmd, [...args, '-M', 'mps2-an386', '-nographic', '-semihosting', '-icount', 'shift=0,sleep=off', '-kernel', join(dir, 'p.elf')], { cwd: wd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
      results.push(readFileSync(join(wd, 'res.bin')));
    }
    const [q, t] = results as [Buffer, Buffer];
    let bad = 0;
    for (let i = 0; i < cases.length; i++) {
      const qr = q.readUInt32LE(8 * i), qf = q.readUInt32LE(8 * i + 4), tr = t.readUInt32LE(8 * i), tf = t.readUInt32LE(8 * i + 4);
      if (qr === tr && qf === tf) continue;
      if (bad++ < 15) {
        const k = cases[i]!;
        const h = (v: number): string => v.toString(16).padStart(8, '0');
        process.stdout.write(`${k.op}${k.dn ? ' (DN)' : ''}${k.rmode ? ` (RMode ${k.rmode})` : ''}  s0=${h(k.a)} s1=${h(k.b)} s2=${h(k.c)}: QEMU ${h(qr)} fpscr ${h(qf)}, tracehook ${h(tr)} fpscr ${h(tf)}\n`);
      }
    }
    process.stdout.write(`arm fp-diff: ${cases.length} cases, ${bad} differences (seed ${process.argv[3] ?? 1})\n`);
    return bad ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
