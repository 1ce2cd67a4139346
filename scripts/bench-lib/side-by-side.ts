/**
 * Whole-process timing of a few commands side by side (the AVR and ARM parts of `npm run bench`):
 * rounds with the order rotated, median wall times, guest MIPS from a known instruction count, and
 * the issue's targets as ratios of two sides' medians. Timing never fails the run; a failed run does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { fmtRatio, fmtSecs, median, renderTable } from './table.js';
import { installSessionCleanup, killAllSessions, Session } from '../lib/session.js';

export interface Side {
  label: string;
  cmd: string;
  args: string[];
  /** The output (stdout) must contain this for the run to count. */
  expect: RegExp;
  /** Instead of running to exit: time until stdout contains this text, then kill (QEMU boards that never stop). */
  until?: string;
  /** Instructions the run executes (for guest MIPS), if known. */
  insns?: number;
  /** Guest cycles (for cycles per second), if known. */
  cycles?: number;
  times: number[];
  failed: string | null;
}

export interface Target {
  what: string;
  /** `num` wall / `den` wall must be `op` `value`. */
  num: Side;
  den: Side;
  op: '>=' | '<=';
  value: number;
}

export interface SideBySideOptions {
  root: string;
  runs: number;
  warmup: boolean;
  timeoutMs: number;
}

/** Run `cmd args` to exit in `root`; its stdout and stderr, or why it failed. */
export function runToExit(root: string, cmd: string, args: string[], timeoutMs: number): { secs: number; out: string; err: string } | { error: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return { error: `could not run: ${r.error.message}` };
  if (r.signal) return { error: `killed by ${r.signal}` };
  if (r.status !== 0) return { error: `exit status ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}` };
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

/** Bundle a TypeScript runner (e.g. a peer emulator's loop) into one plain .mjs in `dir`, so its process starts like ours. */
export async function bundleRunner(entry: string, dir: string): Promise<string> {
  const out = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  return out;
}

/** A temporary directory removed at exit (also when interrupted). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  return { dir, remove: () => { process.removeListener('exit', remove); remove(); } };
}

/** Time `sides` in rounds, print the table and the targets. False if a run failed. */
export async function sideBySide(o: SideBySideOptions, sides: Side[], targets: Target[], dir: string): Promise<boolean> {
  installSessionCleanup();
  console.log(`  ${o.runs} timed round${o.runs > 1 ? 's' : ''}${o.warmup ? ' after 1 warm-up round' : ''}, order rotated each round; ` +
    `load average now: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    const total = o.runs + (o.warmup ? 1 : 0);
    for (let r = 0; r < total; r++) {
      const warm = o.warmup && r === 0;
      const live = sides.filter((x) => !x.failed);
      if (live.length === 0) break;
      const order = [...live.slice(r % live.length), ...live.slice(0, r % live.length)];
      process.stderr.write(`  ${(warm ? 'warm-up' : `round ${o.warmup ? r : r + 1}/${o.runs}`).padEnd(12)} `);
      for (const s of order) {
        let res: { secs: number } | { error: string };
        if (s.until !== undefined) res = await runUntil(o.root, s, dir, o.timeoutMs);
        else {
          const x = runToExit(o.root, s.cmd, s.args, o.timeoutMs);
          res = 'error' in x ? x : s.expect.test(x.out) ? x : { error: `output without ${s.expect}` };
        }
        if ('error' in res) { s.failed = res.error; process.stderr.write('F'); continue; }
        process.stderr.write('.');
        if (!warm) s.times.push(res.secs);
      }
      process.stderr.write('\n');
    }
  } finally {
    await killAllSessions();
  }
  const ok = (s: Side): boolean => !s.failed && s.times.length > 0;
  const base = sides[0]!;
  const rows = sides.map((s) => {
    if (!ok(s)) return [s.label, 'FAILED', '', '', '', ''];
    const t = median(s.times);
    return [
      s.label, fmtSecs(t),
      s.times.length > 1 ? `${(((Math.max(...s.times) - Math.min(...s.times)) / t) * 100).toFixed(1)}%` : '—',
      s.insns !== undefined ? (s.insns / t / 1e6).toFixed(1) : '—',
      s.cycles !== undefined ? (s.cycles / t / 1e6).toFixed(1) : '—',
      s !== base && ok(base) ? fmtRatio(t / median(base.times), 3) : '',
    ];
  });
  console.log('');
  console.log(renderTable(['config', 'wall (median)', 'spread', 'guest MIPS', 'M cycles/s', `wall / ${base.label.split(',')[0]}`], rows, ['l', 'r', 'r', 'r', 'r', 'r']));
  const trows = targets.map((t) => {
    const want = `${t.op === '>=' ? '≥' : '≤'} ${fmtRatio(t.value)}`;
    if (!ok(t.num) || !ok(t.den)) return [t.what, want, '—', '—', 'n/a (run failed)'];
    const v = median(t.num.times) / median(t.den.times);
    const lo = Math.min(...t.num.times) / Math.max(...t.den.times), hi = Math.max(...t.num.times) / Math.min(...t.den.times);
    const holds = t.op === '>=' ? v >= t.value : v <= t.value;
    return [t.what, want, fmtRatio(v, 3), o.runs > 1 ? `${fmtRatio(lo, 3)}–${fmtRatio(hi, 3)}` : '—', holds ? 'holds' : 'MISSED'];
  });
  if (trows.length) console.log(renderTable(['what', 'target', 'measured', 'run-to-run range', 'verdict'], trows, ['l', 'r', 'r', 'r', 'l']));
  console.log('  (a report, not an assertion: timing never changes the exit status)');
  for (const s of sides.filter((x) => x.failed)) console.log(`  ${s.label}: ${s.failed}`);
  return sides.every((s) => !s.failed);
}
