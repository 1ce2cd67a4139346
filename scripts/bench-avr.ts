/**
 * The AVR part of `npm run bench`: the AVR workload (guests/avr/workload.elf / .hex, CRC-32 and a
 * matrix multiply, about 82M cycles) on tracehook, avr8js and QEMU side by side, whole processes.
 *
 * - tracehook: `node dist/cli/avr.js -M arduino-uno -nographic -bios workload.elf`, without plugin
 *   and with `-plugin traps`; the run ends when the guest sleeps with interrupts off.
 * - avr8js: its own run loop (`avrInstruction(cpu); cpu.tick()`, ATmega328P peripherals attached:
 *   scripts/avr/avr8js-speed.ts), bundled with esbuild into one plain JavaScript file first, so that
 *   its process starts like ours (no TypeScript loader); it also stops at the SLEEP with I = 0.
 * - QEMU (`qemu-system-avr -M arduino-uno`): it never stops on its own, so its time is from spawn
 *   until the guest's last line `done` appears on its console (polled every 2 ms), then it is killed.
 *
 * Guest MIPS come from the instruction count of one untimed `-plugin insn` run; cycles per second
 * from the cycle count avr8js reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleRunner, runToExit, sideBySide, tempDir, type Side, type SideBySideOptions } from './bench-lib/side-by-side.js';

const ELF = 'guests/avr/workload.elf';
const HEX = 'guests/avr/workload.hex';
const CLI = 'dist/cli/avr.js';

/** Run the AVR comparison and print its tables. False if a run failed. */
export async function avrBench(o: SideBySideOptions): Promise<boolean> {
  console.log('');
  console.log('AVR workload (guests/avr/workload, arduino-uno at 16 MHz): tracehook vs avr8js vs QEMU, whole processes');
  const missing = [ELF, HEX, CLI].filter((f) => !fs.existsSync(path.join(o.root, f)));
  if (missing.length) {
    console.log(`  skipped: ${missing.join(', ')} not found (npm run build)`);
    return true;
  }
  const tmp = tempDir('tracehook-bench-avr-');
  try {
    const avr8js = await bundleRunner(path.join(o.root, 'scripts/avr/avr8js-speed.ts'), tmp.dir);
    const node = process.execPath;
    const uno = ['-M', 'arduino-uno', '-nographic', '-bios', ELF];
    const done = /^done$/m;
    // Untimed: instruction count (insn plugin, on stderr) and cycle count (avr8js, on stderr).
    const count = runToExit(o.root, node, [CLI, ...uno, '-plugin', 'insn'], o.timeoutMs);
    const insns = 'err' in count ? Number(/^insns: (\d+)/m.exec(count.err)?.[1] ?? NaN) : NaN;
    const cyc = runToExit(o.root, node, [avr8js, HEX], o.timeoutMs);
    const cycles = 'err' in cyc ? Number(/ (\d+) cycles/.exec(cyc.err)?.[1] ?? NaN) : NaN;
    const known = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);
    console.log(`  ${known(insns)?.toLocaleString('en-US') ?? '?'} instructions, ${known(cycles)?.toLocaleString('en-US') ?? '?'} cycles ` +
      `(${known(cycles) !== undefined ? (cycles / 16e6).toFixed(2) : '?'} s of real ATmega328P time)`);
    const side = (label: string, cmd: string, args: string[], until?: string): Side =>
      ({ label, cmd, args, expect: done, until, insns: known(insns), cycles: known(cycles), times: [], failed: null });
    const th = side('tracehook-avr, no plugin', node, [CLI, ...uno]);
    const traps = side('tracehook-avr -plugin traps', node, [CLI, ...uno, '-plugin', 'traps']);
    const a8 = side('avr8js 0.21 (its run loop)', node, [avr8js, HEX]);
    const sides = [th, traps, a8];
    const q = spawnSync('qemu-system-avr', ['--version'], { encoding: 'utf8' });
    if (!q.error && q.status === 0) sides.push(side('qemu-system-avr (until `done`)', 'qemu-system-avr', uno, 'done\n'));
    else console.log('  note: qemu-system-avr not found: no QEMU column');
    return await sideBySide(o, sides, [
      { what: 'speed vs avr8js (avr8js wall / tracehook wall)', num: a8, den: th, op: '>=', value: 3 },
      { what: '-plugin traps vs no plugin', num: traps, den: th, op: '<=', value: 1.02 },
    ], tmp.dir);
  } finally {
    tmp.remove();
  }
}
