/**
 * Runs the Thumb-1 CRC loop (guests/arm/crc-loop.m0.bin, from crc-loop-core.S) on rp2040js's
 * Cortex-M0+ core and measures its speed: the M0 side of the rp2040js comparison (issue 04:
 * "an M0 workload on tracehook and rp2040js side by side").
 *
 *     node --import tsx scripts/arm/rp2040js-run.ts [--bytes N] [--mode raw|clock|both] [--repeat R]
 *
 * The raw routine is position-independent; it is copied to the start of SRAM (0x20000000; the
 * RP2040's flash at 0x10000000 with its boot2 stage is not used, nor is the boot ROM), with a
 * `bkpt #0` at 0x20001000 as the return address: r0 = N (bytes, default 1,000,000: about 43 M
 * instructions), LR = 0x20001001, SP = 0x20040000, PC = 0x20000000. The run ends at the BKPT
 * (rp2040js's onBreak); r0 is then the CRC, checked against a CRC-32 computed here.
 *
 * Modes: `raw` calls core.executeInstruction() in a tight loop (counting instructions);
 * `clock` is rp2040js's own Simulator.execute loop (each instruction's cycles also advance the
 * 125 MHz simulation clock, alarms checked), which is how an rp2040js user runs code. Prints
 * instructions, cycles, seconds and MIPS for each run (best of R, default 3).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RP2040 } from 'rp2040js';

// The checkout: two levels up from this file, or the working directory when this file was bundled
// elsewhere (npm run bench bundles it into a temporary .mjs and runs it from the checkout).
const HERE = resolve(import.meta.dirname, '../..');
const ROOT = existsSync(join(HERE, 'guests/arm')) ? HERE : process.cwd();
const BIN = join(ROOT, 'guests/arm/crc-loop.m0.bin');
const SRAM = 0x20000000;
const STOP = 0x20001000;

function crc32Lcg(n: number): number {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  let lcg = 12345;
  let crc = 0xffffffff;
  for (let i = 0; i < n; i++) {
    lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0;
    crc = table[(crc ^ (lcg >>> 24)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface Result { insns: number; cycles: number; seconds: number; crc: number }

function runOnce(code: Uint8Array, bytes: number, mode: 'raw' | 'clock'): Result {
  const mcu = new RP2040();
  mcu.sram.set(code, 0);
  mcu.sramView.setUint16(STOP - SRAM, 0xbe00, true);      // bkpt #0
  const core = mcu.core;
  let stopped = false;
  mcu.onBreak = () => { stopped = true; };
  core.registers[0] = bytes;
  core.LR = STOP | 1;
  core.SP = 0x20040000;
  core.PC = SRAM;
  let insns = 0;
  const t0 = process.hrtime.bigint();
  if (mode === 'raw') {
    while (!stopped) {
      core.executeInstruction();
      insns++;
    }
  } else {
    const clock = mcu.clock as unknown as { tick(n: number): void };
    const cycleNanos = 1e9 / 125_000_000;
    while (!stopped) {
      const cycles = core.executeInstruction();
      clock.tick(cycles * cycleNanos);
      insns++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { insns: insns - 1, cycles: core.cycles, seconds, crc: core.registers[0]! >>> 0 };  // -1: the BKPT
}

function main(): number {
  const args = process.argv.slice(2);
  let bytes = 1_000_000;
  let modes: ('raw' | 'clock')[] = ['raw', 'clock'];
  let repeat = 3;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--bytes') bytes = Number(args[++i]);
    else if (a === '--mode') {
      const m = args[++i];
      modes = m === 'both' ? ['raw', 'clock'] : m === 'raw' || m === 'clock' ? [m] : [];
      if (!modes.length) throw new Error(`--mode raw|clock|both, not ${m}`);
    } else if (a === '--repeat') repeat = Number(args[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(bytes >= 1 && bytes <= 0xffffffff)) throw new Error('--bytes must be 1..2^32-1');
  const code = new Uint8Array(readFileSync(BIN));
  const expected = crc32Lcg(bytes);
  let bad = 0;
  for (const mode of modes) {
    let best: Result | undefined;
    for (let r = 0; r < repeat; r++) {
      const res = runOnce(code, bytes, mode);
      if (res.crc !== expected) {
        process.stdout.write(`rp2040js ${mode}: crc ${res.crc.toString(16)}, expected ${expected.toString(16)}\n`);
        bad++;
      }
      if (!best || res.seconds < best.seconds) best = res;
    }
    const b = best!;
    process.stdout.write(`rp2040js ${rpVersion()} ${mode.padEnd(5)}: ${bytes} bytes, crc ${b.crc.toString(16).padStart(8, '0')}, ` +
      `${b.insns} instructions, ${b.cycles} cycles, ${b.seconds.toFixed(3)} s (best of ${repeat}), ` +
      `${(b.insns / b.seconds / 1e6).toFixed(1)} MIPS\n`);
  }
  return bad ? 1 : 0;
}

function rpVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/rp2040js/package.json'), 'utf8')).version as string;
  } catch {
    return '?';
  }
}

process.exitCode = main();
