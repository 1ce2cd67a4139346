/**
 * Randomized differential test of the Thumb-2 core against QEMU (`qemu-system-arm -M mps2-an385
 * -d cpu -singlestep`): random data-processing, shift, multiply/divide, bit-field, saturating,
 * load/store and IT-block sequences run on both, and the register file and xPSR are compared
 * before every instruction.
 *
 *   npx tsx src/targets/arm/test-support/qemu-diff.ts [programs=20] [insns=500] [seed=1] [m0]
 *
 * With `m0`: ARMv6-M programs on QEMU's `microbit` (Cortex-M0) and the `v6m` profile here; with
 * `m4`: the DSP instructions too, on `mps2-an386` (Cortex-M4) and the `v7em` profile.
 *
 * Needs arm-none-eabi-as/ld/objcopy and qemu-system-arm; exits 1 on the first difference, with
 * the program, the instruction and both states.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin } from '../../../plugin/api.js';
import { runArm } from './harness.js';

let seed = Number(process.argv[4] ?? 1) >>> 0 || 1;
const rnd = (n: number): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
const LO = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
const HI = [...LO, 'r8', 'r9', 'r10', 'r12'];
const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
const MODIMM = (): string => {
  const b = rnd(256);
  switch (rnd(6)) {
    case 0: return `#${b}`;
    case 1: return `#0x${((b << 16) | b).toString(16)}`;
    case 2: return `#0x${(((b << 24) | (b << 8)) >>> 0).toString(16)}`;
    case 3: return `#0x${((b * 0x01010101) >>> 0).toString(16)}`;
    case 4: return `#0x${(((0x80 | rnd(128)) << rnd(25)) >>> 0).toString(16)}`;
    default: return pick(['#0xffffffff', '#0x80000000', '#0']);
  }
};
const SHIFT = (): string => pick(['', `, lsl #${1 + rnd(31)}`, `, lsr #${1 + rnd(32)}`, `, asr #${1 + rnd(32)}`, `, ror #${1 + rnd(31)}`, ', rrx']);

function insn(): string[] {
  if (M4 && rnd(3) === 0) return insnDsp();
  const d = pick(HI), n = pick(HI), m = pick(HI), a = pick(HI);
  const l1 = pick(LO), l2 = pick(LO), l3 = pick(LO);
  const s = pick(['', 's']);
  switch (rnd(20)) {
    case 16: {
      // load/store multiple and dual around r11; push/pop balanced
      const list = (k: number): string => { const rs = [...HI].sort(() => rnd(3) - 1).slice(0, k).filter((r) => r !== 'r11'); return `{${[...new Set(rs)].sort((x, y) => HI.indexOf(x) - HI.indexOf(y)).join(', ') || 'r0'}}`; };
      const l = list(1 + rnd(6));
      return [pick([`stmia r11, ${l}`, `ldmia r11, ${l}`, `stmdb r11, ${l}`, `ldmdb r11, ${l}`, `push ${l}\n  pop ${l}`,
        `strd ${d}, ${n}, [r11, #${rnd(32) * 4}]`, `ldrd ${d}, ${pick(HI.filter((r) => r !== d))}, [r11, #${rnd(32) * 4}]`,
        `ldrex ${d}, [r11]\n  strex ${pick(HI.filter((r) => r !== n))}, ${n}, [r11]`, `ldrex ${d}, [r11, #4]\n  clrex\n  strex ${n === 'r0' ? 'r1' : 'r0'}, ${n}, [r11, #4]`])].join('\n').split('\n');
    }
    case 17: {
      // forward branches over one instruction: taken or not
      const c = pick(CONDS);
      return pick([[`b${c} 1f`, `adds ${l1}, #1`, '1:'], [`b${c}.w 1f`, `eor ${d}, ${n}, #3`, '1:'], [`cbz ${l1}, 1f`, `subs ${l2}, #1`, '1:'],
        [`cbnz ${l1}, 1f`, `movs ${l2}, #9`, '1:'], ['bl 1f', `add ${d}, ${n}`, '1:'], [`adr ${l3}, 1f + 1`, `bx ${l3}`, '.align 2', '1:']]);
    }
    case 18: return [pick([`tst ${l1}, ${l2}`, `cmp ${d}, ${n}`, `cmn.w ${d}, #${rnd(256)}`, `teq ${d}, ${m}`])];
    case 19: return [pick([`add ${d}, ${n}`, `mov ${d}, ${n}`, `adr ${l1}, 1f`, `ldr ${l1}, 2f`]), ...(rnd(2) ? [] : [])].map((x) => x.replace('adr ' + l1 + ', 1f', `movs ${l1}, #1`).replace(`ldr ${l1}, 2f`, `mov ${l1}, sp`));
    case 0: return [`${pick(['adds', 'subs'])} ${l1}, ${l2}, ${pick([l3, `#${rnd(8)}`])}`];
    case 1: return [`${pick(['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'orrs', 'bics', 'mvns', 'tst', 'cmp', 'cmn', 'muls'])} ${l1}, ${l2}`];
    case 2: return [`${pick(['movs', 'cmp', 'adds', 'subs'])} ${l1}, #${rnd(256)}`, `${pick(['lsls', 'lsrs', 'asrs'])} ${l1}, ${l2}, #${1 + rnd(31)}`][rnd(2)] ? [`${pick(['movs', 'cmp', 'adds', 'subs'])} ${l1}, #${rnd(256)}`] : [];
    case 3: return [`${pick(['and', 'bic', 'orr', 'orn', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb'])}${s} ${d}, ${n}, ${MODIMM()}`];
    case 4: return [`${pick(['and', 'bic', 'orr', 'orn', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb'])}${s}.w ${d}, ${n}, ${m}${SHIFT()}`];
    case 5: return [`${pick(['tst', 'teq', 'cmn', 'cmp'])}.w ${n}, ${pick([MODIMM(), `${m}${SHIFT()}`])}`.replace('teq.w', 'teq')];
    case 6: return [`${pick(['mov', 'mvn'])}${s} ${d}, ${pick([MODIMM(), `${m}${SHIFT()}`])}`];
    case 7: return [`${pick(['lsl', 'lsr', 'asr', 'ror'])}${s}.w ${d}, ${n}, ${m}`];
    case 8: return [pick([`mul ${d}, ${n}, ${m}`, `mla ${d}, ${n}, ${m}, ${a}`, `mls ${d}, ${n}, ${m}, ${a}`, `sdiv ${d}, ${n}, ${m}`, `udiv ${d}, ${n}, ${m}`])];
    case 9: { const [lo, hi] = [d, pick(HI.filter((r) => r !== d))]; return [`${pick(['smull', 'umull', 'smlal', 'umlal'])} ${lo}, ${hi}, ${n}, ${m}`]; }
    case 10: { const lsb = rnd(32), w = 1 + rnd(32 - lsb); return [pick([`ubfx ${d}, ${n}, #${lsb}, #${w}`, `sbfx ${d}, ${n}, #${lsb}, #${w}`, `bfi ${d}, ${n}, #${lsb}, #${w}`, `bfc ${d}, #${lsb}, #${w}`])]; }
    case 11: return [pick([`ssat ${d}, #${1 + rnd(32)}, ${n}${pick(['', `, lsl #${rnd(32)}`, `, asr #${1 + rnd(31)}`])}`, `usat ${d}, #${rnd(32)}, ${n}${pick(['', `, lsl #${rnd(32)}`])}`])];
    case 12: return [pick([`clz ${d}, ${m}`, `rbit ${d}, ${m}`, `rev ${d}, ${m}`, `rev16 ${d}, ${m}`, `revsh ${d}, ${m}`, `sxtb ${d}, ${m}, ror #${8 * rnd(4)}`, `uxth ${d}, ${m}, ror #${8 * rnd(4)}`, `sxth ${d}, ${m}`, `uxtb ${d}, ${m}`]).replace(', ror #0', '')];
    case 13: {
      const c = pick(CONDS);
      const k = 1 + rnd(4);
      const pat = Array.from({ length: k - 1 }, () => pick(['t', 'e'])).join('');
      const inv = (x: string): string => CONDS[CONDS.indexOf(x) ^ 1]!;
      const body = [c, ...pat.split('').filter((x) => x !== '').map((x) => (x === 't' ? c : inv(c)))].map((cc) =>
        pick([`add${cc} ${l1}, ${l2}`, `mov${cc} ${l1}, #${rnd(256)}`, `add${cc}.w ${d}, ${n}, #${rnd(256)}`, `adds${cc}.w ${d}, ${n}, ${m}`, `cmp${cc} ${l1}, ${l2}`, `lsl${cc} ${l1}, ${l2}, #${1 + rnd(31)}`, `sub${cc} ${l1}, ${l2}, ${l3}`]));
      return [`it${pat} ${c}`, ...body];
    }
    case 14: {
      // loads and stores around r11 (a scratch buffer), register offsets small
      const t = pick(HI), off = rnd(64) * 4;
      return [pick([`str ${t}, [r11, #${off}]`, `ldr ${t}, [r11, #${off}]`, `strb ${t}, [r11, #${rnd(256)}]`, `ldrsb ${t}, [r11, #${rnd(256)}]`, `ldrh ${t}, [r11, #${rnd(128) * 2}]`, `ldrsh.w ${t}, [r11, #-${rnd(128) * 2}]`, `strh ${t}, [r11, #${rnd(128) * 2 + 1}]`, `ldr ${t}, [r11, #${off + 1}]`])];
    }
    default: return [`${pick(['add', 'sub'])}w ${d}, ${n}, #${rnd(4096)}`, `movw ${d}, #${rnd(65536)}`][rnd(2)]!.split('\n');
  }
}

/** ARMv6-M (`m0` mode, QEMU's microbit): 16-bit encodings plus BL/MSR/MRS; r7 is the memory base. */
const M0 = process.argv[5] === 'm0';
/** ARMv7E-M (`m4` mode, QEMU's mps2-an386): the ARMv7-M mix plus the DSP instructions. */
const M4 = process.argv[5] === 'm4';

function insnDsp(): string[] {
  const d = pick(HI), n = pick(HI), m = pick(HI), a = pick(HI);
  const xy = (): string => pick(['bb', 'bt', 'tb', 'tt']);
  const ror = (): string => pick(['', ', ror #8', ', ror #16', ', ror #24']);
  switch (rnd(9)) {
    case 0: case 1: return [`${pick(['s', 'q', 'sh', 'u', 'uq', 'uh'])}${pick(['add8', 'add16', 'asx', 'sub8', 'sub16', 'sax'])} ${d}, ${n}, ${m}`];
    case 2: return [pick([`${pick(['qadd', 'qdadd', 'qsub', 'qdsub'])} ${d}, ${m}, ${n}`, `sel ${d}, ${n}, ${m}`, `msr APSR_g, ${n}`, `msr APSR_nzcvqg, ${n}`])];
    case 3: return [pick([`ssat16 ${d}, #${1 + rnd(16)}, ${n}`, `usat16 ${d}, #${rnd(16)}, ${n}`, `pkhbt ${d}, ${n}, ${m}, lsl #${rnd(32)}`, `pkhtb ${d}, ${n}, ${m}, asr #${1 + rnd(32)}`])];
    case 4: return [pick([`smul${xy()} ${d}, ${n}, ${m}`, `smla${xy()} ${d}, ${n}, ${m}, ${a}`, `smulw${pick(['b', 't'])} ${d}, ${n}, ${m}`, `smlaw${pick(['b', 't'])} ${d}, ${n}, ${m}, ${a}`])];
    case 5: return [pick([`smuad${pick(['', 'x'])} ${d}, ${n}, ${m}`, `smlad${pick(['', 'x'])} ${d}, ${n}, ${m}, ${a}`, `smusd${pick(['', 'x'])} ${d}, ${n}, ${m}`, `smlsd${pick(['', 'x'])} ${d}, ${n}, ${m}, ${a}`])];
    case 6: return [pick([`smmul${pick(['', 'r'])} ${d}, ${n}, ${m}`, `smmla${pick(['', 'r'])} ${d}, ${n}, ${m}, ${a}`, `smmls${pick(['', 'r'])} ${d}, ${n}, ${m}, ${a}`, `usad8 ${d}, ${n}, ${m}`, `usada8 ${d}, ${n}, ${m}, ${a}`])];
    case 7: { const hi = pick(HI.filter((r) => r !== d)); return [pick([`smlal${xy()} ${d}, ${hi}, ${n}, ${m}`, `smlald${pick(['', 'x'])} ${d}, ${hi}, ${n}, ${m}`, `smlsld${pick(['', 'x'])} ${d}, ${hi}, ${n}, ${m}`, `umaal ${d}, ${hi}, ${n}, ${m}`])]; }
    default: return [pick([`${pick(['sxtab', 'uxtab', 'sxtah', 'uxtah', 'sxtab16', 'uxtab16'])} ${d}, ${n}, ${m}${ror()}`, `${pick(['sxtb16', 'uxtb16'])} ${d}, ${m}${ror()}`])];
  }
}
const L6 = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
const H6 = ['r8', 'r9', 'r10', 'r12'];
function insnM0(): string[] {
  const a = pick(L6), b = pick(L6), c = pick(L6), h = pick(H6);
  switch (rnd(12)) {
    case 0: return [`${pick(['adds', 'subs'])} ${a}, ${b}, ${pick([c, `#${rnd(8)}`])}`];
    case 1: return [`${pick(['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'orrs', 'bics', 'mvns', 'tst', 'cmp', 'cmn', 'negs'])} ${a}, ${b}`];
    case 2: return [`${pick(['movs', 'cmp', 'adds', 'subs'])} ${a}, #${rnd(256)}`];
    case 3: return [`${pick(['lsls', 'lsrs', 'asrs'])} ${a}, ${b}, #${1 + rnd(31)}`];
    case 4: return [pick([`add ${h}, ${a}`, `add ${a}, ${h}`, `mov ${h}, ${a}`, `mov ${a}, ${h}`, `cmp ${h}, ${a}`, `cmp ${a}, ${h}`, `muls ${a}, ${b}, ${a}`])];
    case 5: return [`${pick(['rev', 'rev16', 'revsh', 'sxtb', 'sxth', 'uxtb', 'uxth'])} ${a}, ${b}`];
    case 6: case 7: return [pick([`str ${a}, [r7, #${rnd(32) * 4}]`, `ldr ${a}, [r7, #${rnd(32) * 4}]`, `strb ${a}, [r7, #${rnd(32)}]`, `ldrb ${a}, [r7, #${rnd(32)}]`,
      `strh ${a}, [r7, #${rnd(32) * 2}]`, `ldrh ${a}, [r7, #${rnd(32) * 2}]`])];
    case 8: { const l = `{${[...new Set([a, b, c])].sort().join(', ')}}`; return [`push ${l}`, `ldr ${c}, [sp, #0]`, `str ${a}, [sp, #0]`, `pop ${l}`]; }
    case 9: { const cc = pick(CONDS); return pick([[`b${cc} 1f`, `adds ${a}, #1`, '1:'], ['b 1f', `movs ${a}, #3`, '1:'], ['bl 1f', `adds ${a}, ${b}, ${c}`, '1:']]); }
    case 10: return [pick([`mrs ${a}, APSR`, `msr APSR_nzcvq, ${a}`])];
    default: return [`${pick(['adds', 'subs'])} ${a}, #${rnd(256)}`];
  }
}

function programM0(count: number): string {
  const lines: string[] = [];
  while (lines.length < count) lines.push(...insnM0().map((x) => `  ${x}`));
  const init = [...H6.map((r) => `  ldr r0, =0x${(((rnd(65536) << 16) | rnd(65536)) >>> 0).toString(16)}\n  mov ${r}, r0`),
    ...L6.map((r) => `  ldr ${r}, =0x${(((rnd(65536) << 16) | rnd(65536)) >>> 0).toString(16)}`)];
  return `.syntax unified\n.cpu cortex-m0\n.thumb\n.text\nvectors:\n  .word 0x20004000\n  .word reset + 1\n.thumb_func\nreset:\n  b start\n  .ltorg\nstart:\n` +
    `${init.join('\n')}\n  ldr r7, =0x20001000\n  ldr r0, =0x${((rnd(32) << 27) >>> 0).toString(16)}\n  msr APSR_nzcvq, r0\n  b body\n  .ltorg\nbody:\n` +
    `${lines.join('\n')}\n  movs r0, #0x18\n  ldr r1, =0x20026\n  bkpt 0xab\n  b .\n  .ltorg\n`;
}

function program(count: number): string {
  if (M0) return programM0(count);
  const init = [...HI.map((r) => `  ldr ${r}, =0x${((rnd(65536) << 16) | rnd(65536)) >>> 0 .toString(16)}`.replace('>>> 0 .toString', '').replace(/0x(\d+)$/, (_m, v: string) => `0x${(Number(v) >>> 0).toString(16)}`))];
  const lines: string[] = [];
  while (lines.length < count) lines.push(...insn().map((x) => `  ${x}`));
  return `.syntax unified\n.cpu ${M4 ? 'cortex-m4' : 'cortex-m3'}\n.thumb\n.text\nvectors:\n  .word 0x20010000\n  .word reset + 1\n.thumb_func\nreset:\n  b start\n  .ltorg\nstart:\n` +
    `${HI.map((r) => `  ldr ${r}, =0x${(((rnd(65536) << 16) | rnd(65536)) >>> 0).toString(16)}`).join('\n')}\n  ldr r11, =0x20001000\n` +
    `  ldr r0, =0x${((rnd(32) << 27) >>> 0).toString(16)}\n  msr APSR_nzcvq, r0\n  ldr r0, =0x${(((rnd(65536) << 16) | rnd(65536)) >>> 0).toString(16)}\n  b body\n  .ltorg\nbody:\n` +
    `${lines.join('\n')}\n  mov r0, #0x18\n  ldr r1, =0x20026\n  bkpt 0xab\n  b .\n  .ltorg\n`.replace(init.join(''), '');
}

interface State { pc: number; regs: number[]; xpsr: number }

function qemuStates(log: string): State[] {
  const out: State[] = [];
  const re = /R00=(\w+) R01=(\w+) R02=(\w+) R03=(\w+)\nR04=(\w+) R05=(\w+) R06=(\w+) R07=(\w+)\nR08=(\w+) R09=(\w+) R10=(\w+) R11=(\w+)\nR12=(\w+) R13=(\w+) R14=(\w+) R15=(\w+)\nXPSR=(\w+)/g;
  for (const m of log.matchAll(re)) {
    const v = m.slice(1).map((x) => parseInt(x, 16) >>> 0);
    out.push({ pc: v[15]!, regs: v.slice(0, 15), xpsr: v[16]! });
  }
  return out;
}

async function main(): Promise<void> {
  const programs = Number(process.argv[2] ?? 20), count = Number(process.argv[3] ?? 500);
  let total = 0;
  for (let p = 0; p < programs; p++) {
    const src = program(count);
    const dir = mkdtempSync(join(tmpdir(), 'tracehook-qdiff-'));
    try {
      writeFileSync(join(dir, 'p.s'), src);
      execFileSync('arm-none-eabi-as', ['-o', join(dir, 'p.o'), join(dir, 'p.s')]);
      execFileSync('arm-none-eabi-ld', ['-Ttext=0', '-e', '0', '-o', join(dir, 'p.elf'), join(dir, 'p.o')]);
      execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', join(dir, 'p.elf'), join(dir, 'p.bin')]);
      try {
        execFileSync('qemu-system-arm', ['-M', M0 ? 'microbit' : M4 ? 'mps2-an386' : 'mps2-an385', '-nographic', '-semihosting', '-kernel', join(dir, 'p.elf'), '-d', 'cpu,nochain', '-singlestep', '-icount', 'shift=0', '-D', join(dir, 'q.log')], { timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        // A fault with no handler locks QEMU up (it aborts): compare up to there.
        writeFileSync('/tmp/qemu-diff-abort.s', src);
        console.error(`program ${p}: QEMU stopped: ${(e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? ''}`);
      }
      const want = qemuStates(readFileSync(join(dir, 'q.log'), 'utf8'));
      const got: State[] = [];
      const plugin = definePlugin({
        name: 'states',
        install(api) {
          api.onTranslate((tb) => { for (const i of tb.insns) i.onExec((v) => {
            const regs = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr'].map((n) => Number(api.readRegister(v, n)));
            got.push({ pc: Number(api.pc(v)), regs, xpsr: Number(api.readRegister(v, 'xpsr')) });
          }); });
        },
      });
      const bin = new Uint8Array(readFileSync(join(dir, 'p.bin')));
      const dv = new DataView(bin.buffer);
      await runArm('', { fixtures: '', image: { bytes: bin, base: 0, pc: dv.getUint32(4, true) & ~1, sp: dv.getUint32(0, true) }, singleStep: true, profile: M0 ? 'v6m' : M4 ? 'v7em' : 'v7m', plugins: [{ plugin }], maxInsns: 10 * count + 1000 });
      // QEMU's first logged state is at reset; ours starts there too. Compare while both have states.
      const n = Math.min(want.length, got.length);
      for (let i = 0; i < n; i++) {
        const a = want[i]!, b = got[i]!;
        const diff = a.pc !== b.pc || a.xpsr !== b.xpsr || a.regs.some((v, j) => v !== b.regs[j]);
        if (diff) {
          const lines = src.split('\n');
          writeFileSync('/tmp/qemu-diff-fail.s', src);
          console.error(`program ${p} (seed state ${seed}) step ${i}: pc qemu 0x${a.pc.toString(16)} ours 0x${b.pc.toString(16)}`);
          console.error(`  qemu xpsr ${a.xpsr.toString(16)} ours ${b.xpsr.toString(16)}`);
          a.regs.forEach((v, j) => { if (v !== b.regs[j]) console.error(`  r${j}: qemu ${v.toString(16)} ours ${(b.regs[j]! >>> 0).toString(16)}`); });
          const prev = got[i - 1];
          console.error(`  previous pc 0x${prev?.pc.toString(16)}; program in /tmp/qemu-diff-fail.s (${lines.length} lines)`);
          process.exit(1);
        }
      }
      if (Math.abs(want.length - got.length) > 1) { console.error(`program ${p}: qemu ${want.length} states, ours ${got.length}`); process.exit(1); }
      total += n;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`${programs} programs, ${total} instructions compared, no differences`);
}

await main();
