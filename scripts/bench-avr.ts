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
 * from the cycle count avr8js reports (tracehook retires the same cycles: `npm test` checks it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { fmtRatio, fmtSecs, median, renderTable } from './bench-lib/table.js';
import { installSessionCleanup, killAllSessions, Session } from './lib/session.js';

export interface AvrBenchOptions {
  root: string;
  runs: number;
  warmup: boolean;
  timeoutMs: number;
}

const ELF = 'guests/avr/workload.elf';
const HEX = 'guests/avr/workload.hex';
const CLI = 'dist/cli/avr.js';
/** The issue's targets: at least 3× avr8js's speed, `traps` at most 2% over no plugin. */
const AVR8JS_TARGET = 3;
const TRAPS_TARGET = 1.02;

interface Side {
  label: string;
  cmd: string;
  args: string[];
  /** Run to exit (spawnSync) or until this text appears (then killed). */
  until?: string;
  times: number[];
  failed: string | null;
}

function runToExit(root: string, s: Side, timeoutMs: number): { secs: number; out: string; err: string } | { error: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(s.cmd, s.args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return { error: `could not run: ${r.error.message}` };
  if (r.signal) return { error: `killed by ${r.signal}` };
  if (r.status !== 0) return { error: `exit status ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}` };
  if (!/^done$/m.test(r.stdout)) return { error: `no 'done' line in the output` };
  return { secs, out: r.stdout, err: r.stderr };
}

async function runUntil(root: string, s: Side, dir: string, timeoutMs: number): Promise<{ secs: number } | { error: string }> {
  const t0 = process.hrtime.bigint();
  const sess = new Session(s.cmd, s.args, { cwd: root, stdoutPath: path.join(dir, 'stdout'), stderrPath: path.join(dir, 'stderr'), pollMs: 2 });
  try {
    const w = await sess.waitFor((o) => o.includes(s.until!), timeoutMs);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (w.kind === 'match') return { secs };
    return { error: w.kind === 'exit' ? `ended before '${s.until?.trim()}' (${sess.describeExit()})` : `no '${s.until?.trim()}' after ${timeoutMs / 1000} s` };
  } finally {
    await sess.kill();
  }
}

/** Run the AVR comparison and print its tables. False if a run failed. */
export async function avrBench(o: AvrBenchOptions): Promise<boolean> {
  console.log('');
  console.log('AVR workload (guests/avr/workload, arduino-uno at 16 MHz): tracehook vs avr8js vs QEMU, whole processes');
  const missing = [ELF, HEX, CLI].filter((f) => !fs.existsSync(path.join(o.root, f)));
  if (missing.length) {
    console.log(`  skipped: ${missing.join(', ')} not found (npm run build)`);
    return true;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehook-bench-avr-'));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  installSessionCleanup();
  try {
    // avr8js's runner as one plain .mjs (avr8js bundled in), started by node like our CLI.
    const avr8js = path.join(dir, 'avr8js-speed.mjs');
    await build({
      entryPoints: [path.join(o.root, 'scripts/avr/avr8js-speed.ts')], outfile: avr8js, bundle: true,
      format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
    });
    const node = process.execPath;
    const uno = ['-M', 'arduino-uno', '-nographic', '-bios'];
    const sides: Side[] = [
      { label: 'tracehook-avr, no plugin', cmd: node, args: [CLI, ...uno, ELF], times: [], failed: null },
      { label: 'tracehook-avr -plugin traps', cmd: node, args: [CLI, ...uno, ELF, '-plugin', 'traps'], times: [], failed: null },
      { label: 'avr8js 0.21 (its run loop)', cmd: node, args: [avr8js, HEX], times: [], failed: null },
    ];
    const qemuV = spawnSync('qemu-system-avr', ['--version'], { encoding: 'utf8' });
    if (!qemuV.error && qemuV.status === 0) {
      sides.push({ label: 'qemu-system-avr (until `done`)', cmd: 'qemu-system-avr', args: [...uno, ELF], until: 'done\n', times: [], failed: null });
    } else {
      console.log('  note: qemu-system-avr not found: no QEMU column');
    }

    // Untimed: instruction count (insn plugin) and cycle count (avr8js).
    const count = runToExit(o.root, { ...sides[0]!, args: [...sides[0]!.args, '-plugin', 'insn'] }, o.timeoutMs);
    const insns = 'err' in count ? Number(/^insns: (\d+)/m.exec(count.err)?.[1] ?? NaN) : NaN; // plugin output: stderr
    const cyc = runToExit(o.root, sides[2]!, o.timeoutMs);
    const cycles = 'err' in cyc ? Number(/ (\d+) cycles/.exec(cyc.err)?.[1] ?? NaN) : NaN;
    console.log(`  ${Number.isFinite(insns) ? insns.toLocaleString('en-US') : '?'} instructions, ${Number.isFinite(cycles) ? cycles.toLocaleString('en-US') : '?'} cycles ` +
      `(${Number.isFinite(cycles) ? (cycles / 16e6).toFixed(2) : '?'} s of real ATmega328P time)`);
    console.log(`  ${o.runs} timed round${o.runs > 1 ? 's' : ''}${o.warmup ? ' after 1 warm-up round' : ''}, order rotated each round; ` +
      `load average now: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

    const total = o.runs + (o.warmup ? 1 : 0);
    for (let r = 0; r < total; r++) {
      const warm = o.warmup && r === 0;
      const live = sides.filter((x) => !x.failed);
      const order = [...live.slice(r % live.length), ...live.slice(0, r % live.length)];
      process.stderr.write(`  ${(warm ? 'warm-up' : `round ${o.warmup ? r : r + 1}/${o.runs}`).padEnd(12)} `);
      for (const s of order) {
        const res = s.until ? await runUntil(o.root, s, dir, o.timeoutMs) : runToExit(o.root, s, o.timeoutMs);
        if ('error' in res) { s.failed = res.error; process.stderr.write('F'); continue; }
        process.stderr.write('.');
        if (!warm) s.times.push(res.secs);
      }
      process.stderr.write('\n');
    }

    const ok = (s: Side | undefined): boolean => !!s && !s.failed && s.times.length > 0;
    const [th, traps, a8] = sides;
    const rows = sides.map((s) => {
      if (!ok(s)) return [s.label, 'FAILED', '', '', '', ''];
      const t = median(s.times);
      return [
        s.label, fmtSecs(t),
        s.times.length > 1 ? `${(((Math.max(...s.times) - Math.min(...s.times)) / t) * 100).toFixed(1)}%` : '—',
        Number.isFinite(insns) ? (insns / t / 1e6).toFixed(1) : '—',
        Number.isFinite(cycles) ? (cycles / t / 1e6).toFixed(1) : '—',
        th && ok(th) && s !== th ? fmtRatio(t / median(th.times), 3) : '',
      ];
    });
    console.log('');
    console.log(renderTable(['config', 'wall (median)', 'spread', 'guest MIPS', 'M cycles/s', 'wall / tracehook'], rows, ['l', 'r', 'r', 'r', 'r', 'r']));
    const targets: string[][] = [];
    const ratio = (num: Side | undefined, den: Side | undefined): [number, number, number] | null =>
      num && den && ok(num) && ok(den) ? [median(num.times) / median(den.times), Math.min(...num.times) / Math.max(...den.times), Math.max(...num.times) / Math.min(...den.times)] : null;
    const add = (what: string, want: string, m: [number, number, number] | null, holds: (v: number) => boolean): void => {
      if (!m) { targets.push([what, want, '—', '—', 'n/a (run failed)']); return; }
      targets.push([what, want, fmtRatio(m[0], 3), o.runs > 1 ? `${fmtRatio(m[1], 3)}–${fmtRatio(m[2], 3)}` : '—', holds(m[0]) ? 'holds' : 'MISSED']);
    };
    add('speed vs avr8js (avr8js wall / tracehook wall)', `≥ ${AVR8JS_TARGET}×`, ratio(a8, th), (v) => v >= AVR8JS_TARGET);
    add('-plugin traps vs no plugin', `≤ ${TRAPS_TARGET}×`, ratio(traps, th), (v) => v <= TRAPS_TARGET);
    console.log(renderTable(['what', 'target', 'measured', 'run-to-run range', 'verdict'], targets, ['l', 'r', 'r', 'r', 'l']));
    console.log('  (a report, not an assertion: timing never changes the exit status)');
    for (const s of sides.filter((x) => x.failed)) console.log(`  ${s.label}: ${s.failed}`);
    return sides.every((s) => !s.failed);
  } finally {
    await killAllSessions();
    process.removeListener('exit', removeDir);
    removeDir();
  }
}
