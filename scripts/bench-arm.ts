/**
 * The ARM M-profile part of `npm run bench`, whole processes side by side:
 *
 * - the M3 workload (guests/arm/workload.m3.elf, CRC-32 and a matrix multiply, ~71M instructions)
 *   on `qemu-system-arm` and on tracehook with the same flags
 *   (`-M mps2-an385 -nographic -semihosting -icount shift=0,sleep=off -kernel ...`; the guest exits
 *   through semihosting), tracehook also with `-plugin traps`;
 * - the Thumb-1 CRC loop (1,000,000 bytes, ~43M instructions) on tracehook
 *   (guests/arm/crc-loop.m0.elf, `-cpu cortex-m0`) and on rp2040js's Cortex-M0+ core
 *   (scripts/arm/rp2040js-run.ts `--mode raw`: `core.executeInstruction()` in a tight loop over the
 *   same routine in SRAM), bundled with esbuild into one plain .mjs so its process starts like ours.
 *   The two runs differ by start-up code only (43,004,764 vs 42,999,733 instructions).
 *
 * Targets (issue 04): tracehook ≥ 0.2× QEMU's speed; ≥ 3× rp2040js's instructions per second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleRunner, runToExit, sideBySide, tempDir, type Side, type SideBySideOptions } from './bench-lib/side-by-side.js';

const CLI = 'dist/cli/arm.js';
const WORKLOAD = 'guests/arm/workload.m3.elf';
const CRC = 'guests/arm/crc-loop.m0.elf';

/** Instruction count of a tracehook run with `-plugin insn` (stderr), or undefined. */
function countInsns(root: string, args: string[], timeoutMs: number): number | undefined {
  const r = runToExit(root, process.execPath, [...args, '-plugin', 'insn'], timeoutMs);
  const n = 'err' in r ? Number(/^insns: (\d+)/m.exec(r.err)?.[1] ?? NaN) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Run the ARM comparisons and print their tables. False if a run failed. */
export async function armBench(o: SideBySideOptions): Promise<boolean> {
  console.log('');
  console.log('ARM M-profile: M3 workload on tracehook vs QEMU (mps2-an385), Thumb-1 CRC loop on tracehook vs rp2040js; whole processes');
  const missing = [CLI, WORKLOAD, CRC].filter((f) => !fs.existsSync(path.join(o.root, f)));
  if (missing.length) {
    console.log(`  skipped: ${missing.join(', ')} not found (npm run build)`);
    return true;
  }
  const node = process.execPath;
  const flags = ['-M', 'mps2-an385', '-nographic', '-semihosting', '-icount', 'shift=0,sleep=off', '-kernel'];
  const side = (label: string, cmd: string, args: string[], expect: RegExp, insns: number | undefined): Side =>
    ({ label, cmd, args, expect, insns, times: [], failed: null });
  let ok = true;

  console.log('M3 workload (guests/arm/workload.m3.elf):');
  const wl = [CLI, ...flags, WORKLOAD];
  const wInsns = countInsns(o.root, wl, o.timeoutMs);
  const pass = /^PASS workload/m;
  const th = side('tracehook-arm, no plugin', node, wl, pass, wInsns);
  const traps = side('tracehook-arm -plugin traps', node, [...wl, '-plugin', 'traps'], pass, wInsns);
  const sides = [th, traps];
  const q = spawnSync('qemu-system-arm', ['--version'], { encoding: 'utf8' });
  const qemu = !q.error && q.status === 0 ? side('qemu-system-arm', 'qemu-system-arm', [...flags, WORKLOAD], pass, wInsns) : undefined;
  if (qemu) sides.push(qemu); else console.log('  note: qemu-system-arm not found: no QEMU column');
  console.log(`  ${wInsns?.toLocaleString('en-US') ?? '?'} instructions`);
  const tmp = tempDir('tracehook-bench-arm-');
  try {
    ok = (await sideBySide(o, sides, [
      ...(qemu ? [{ what: 'speed vs QEMU (QEMU wall / tracehook wall)', num: qemu, den: th, op: '>=' as const, value: 0.2 }] : []),
      { what: '-plugin traps vs no plugin', num: traps, den: th, op: '<=', value: 1.02 },
    ], tmp.dir)) && ok;

    console.log('');
    console.log('Thumb-1 CRC loop, 1,000,000 bytes (guests/arm/crc-loop-core.S):');
    const rp = await bundleRunner(path.join(o.root, 'scripts/arm/rp2040js-run.ts'), tmp.dir);
    const crc = [CLI, ...flags, CRC, '-cpu', 'cortex-m0'];
    const ours = side('tracehook-arm -cpu cortex-m0', node, crc, /^PASS crc-loop/m, countInsns(o.root, crc, o.timeoutMs));
    const theirs = side('rp2040js (raw executeInstruction loop)', node, [rp, '--mode', 'raw', '--repeat', '1'], /crc fdd0deea/, 42_999_733);
    console.log(`  ${ours.insns?.toLocaleString('en-US') ?? '?'} instructions on tracehook, 42,999,733 on rp2040js`);
    ok = (await sideBySide(o, [ours, theirs], [
      { what: 'speed vs rp2040js (rp2040js wall / tracehook wall)', num: theirs, den: ours, op: '>=', value: 3 },
    ], tmp.dir)) && ok;
  } finally {
    tmp.remove();
  }
  return ok;
}
