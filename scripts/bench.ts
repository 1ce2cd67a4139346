/**
 * Whole-process benchmark: tracehook vs QEMU, side by side, as a user runs them.
 *
 *     npm run bench -- [--runs N] [--quick] [--arch rv64|rv32] [--profile] [--profile-only]
 *     node --import tsx scripts/bench.ts [same options]
 *
 * Runs the workload guest (guests/riscv/workload.rv{64,32}.elf, ~100M instructions) with the
 * same flags on `qemu-system-riscv64/32` and on tracehook's CLIs (`node dist/cli/riscv64.js`,
 * `riscv32.js`: build first with `npm run build`), the latter with no plugin, `-plugin insn`
 * (inline counter), `-plugin insn,inline=off` (a callback per instruction), `-plugin traps` (also
 * through `onControlFlow`, `api=flow`: registering trap kinds there costs the same) and, on rv64,
 * `-plugin etrace` (the E-Trace encoder, target ≤ 2× no plugin);
 * plus `node -e 0` for Node's own start-up time. Each timing is the wall time of the whole
 * process (`process.hrtime.bigint()` around `spawnSync`), start-up included. Runs of the
 * different configurations are interleaved (round after round, the order rotated each round),
 * and the table shows each configuration's median over the rounds.
 *
 * The guest reports its instruction count (`minstret: ... total N`, exact under -icount), which
 * gives guest MIPS. The issue's floors are printed next to the figures with whether they hold.
 *
 * MMU-on workload: if guests/riscv/workload-mmu.rv{64,32}.elf exists (the guests Makefile lists
 * `workload-mmu`), it runs on QEMU and on tracehook without plugin too, in the same rounds, and
 * must print a `PASS` line; otherwise the report says it was skipped.
 *
 * U-Boot to the prompt: OpenSBI fw_jump + U-Boot S-mode (the firmware check's first configuration,
 * scripts/test-firmware.ts: same flags, `-M virt -nographic -icount shift=0,sleep=off`, QEMU with
 * `-cpu rv64,h=false -nic none`), on QEMU and on tracehook, wall time from the start of the process
 * until `=> ` appears on its console (stdout to a file, polled every 10 ms; stdin an open pipe, as
 * when a person waits at the prompt), then the process is killed. About 3e9 guest instructions (the
 * 3 s autoboot countdown is a busy loop under -icount). Runs alternate QEMU / tracehook, round
 * after round, after the workload rounds; medians shown side by side with the ratio and the issue's
 * target (tracehook at most 8x QEMU's wall time). Needs the opensbi and u-boot-qemu packages.
 *
 * Timing never fails the script: it exits 0 unless a run itself fails (nonzero exit status, a
 * timeout, output without the guest's `PASS` line, or no U-Boot prompt), then 1.
 *
 * Options:
 *   --runs N        timed rounds per configuration (default 3; median taken)
 *   --quick         one round and no warm-up round (unless --runs is given too)
 *   --arch A        rv64 or rv32 only (default: both)
 *   --profile       after the benchmark, profile one tracehook no-plugin run (rv64, or --arch)
 *                   under `node --cpu-prof` and print the top 15 functions by self time
 *   --profile-only  only the profile, no benchmark
 *   --profile-interval US   sampling interval for --profile in µs (default 100)
 *   --timeout S     per-run time limit in seconds (default 300)
 *   --no-uboot      skip the U-Boot boot to the prompt
 *   --uboot-only    only the U-Boot boot to the prompt
 *   --no-avr        skip the AVR workload (tracehook vs avr8js vs QEMU: scripts/bench-avr.ts)
 *   --avr-only      only the AVR workload
 *   --no-arm        skip the ARM M-profile workloads (vs QEMU and rp2040js: scripts/bench-arm.ts)
 *   --arm-only      only the ARM M-profile workloads
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { armBench } from './bench-arm.js';
import { avrBench } from './bench-avr.js';
import { describeLocation, summarizeProfile, type CpuProfile } from './bench-lib/cpuprofile.js';
import { fmtMips, fmtRatio, fmtSecs, median, renderTable } from './bench-lib/table.js';
import { installSessionCleanup, killAllSessions, Session } from './lib/session.js';
import { childEnv as firmwareChildEnv, commandLines as firmwareCommandLines, FW_JUMP, UBOOT_SMODE } from './test-firmware.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;

type Arch = 'rv64' | 'rv32';
type Kind = 'qemu' | 'none' | 'insn' | 'insn-cb' | 'traps' | 'traps-flow' | 'etrace' | 'node' | 'qemu-mmu' | 'none-mmu';

/** What a run must print to count as successful. */
interface Check {
  pass: RegExp;
  /** How the PASS line is described in an error. */
  what: string;
  /** The guest must report `minstret: ... total N`. */
  insns: boolean;
}

const workloadCheck = (arch: Arch): Check => ({ pass: new RegExp(`^PASS workload \\(${arch}\\)`, 'm'), what: `'PASS workload (${arch})'`, insns: true });
/** The MMU-on workload guest's exact output is not settled yet: a PASS line; minstret if it prints one. */
const mmuCheck: Check = { pass: /^PASS\b/m, what: 'a PASS line', insns: false };
/** guests/riscv/workload-mmu.rv64.elf / .rv32.elf, relative to ROOT. */
const mmuElf = (arch: Arch): string => `guests/riscv/workload-mmu.${arch}.elf`;

interface ArchInfo {
  arch: Arch;
  elf: string; // relative to ROOT
  qemu: string;
  cli: string; // relative to ROOT
}

const ARCHES: ArchInfo[] = [
  { arch: 'rv64', elf: 'guests/riscv/workload.rv64.elf', qemu: 'qemu-system-riscv64', cli: 'dist/cli/riscv64.js' },
  { arch: 'rv32', elf: 'guests/riscv/workload.rv32.elf', qemu: 'qemu-system-riscv32', cli: 'dist/cli/riscv32.js' },
];

/** The tracehook configurations, in table order. */
const TRACEHOOK_CONFIGS: { kind: Kind; plugin: string | null; label: string }[] = [
  { kind: 'none', plugin: null, label: 'tracehook, no plugin' },
  { kind: 'insn', plugin: 'insn', label: 'tracehook -plugin insn' },
  { kind: 'insn-cb', plugin: 'insn,inline=off', label: 'tracehook -plugin insn,inline=off' },
  { kind: 'traps', plugin: 'traps', label: 'tracehook -plugin traps' },
  { kind: 'traps-flow', plugin: 'traps,api=flow', label: 'tracehook -plugin traps,api=flow' },
  { kind: 'etrace', plugin: 'etrace,start=0x80000000,out=/dev/null', label: 'tracehook -plugin etrace' },
];

/** The same flags for QEMU and tracehook. */
function guestFlags(elf: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', elf, '-icount', 'shift=0,sleep=off'];
}

interface Item {
  key: string;
  arch: Arch | null;
  kind: Kind;
  label: string;
  cmd: string;
  args: string[];
  check: Check | null; // PASS line (and minstret) to look for; null: exit status only
  times: number[]; // seconds, timed rounds only
  insns: number | null; // minstret total reported by the guest
  failed: string | null;
}

interface RunResult {
  secs: number;
  ok: boolean;
  error?: string;
  insns?: number;
}

// ---------------------------------------------------------------- options

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        runs: { type: 'string' },
        quick: { type: 'boolean', default: false },
        arch: { type: 'string' },
        profile: { type: 'boolean', default: false },
        'profile-only': { type: 'boolean', default: false },
        'profile-interval': { type: 'string' },
        timeout: { type: 'string' },
        'no-uboot': { type: 'boolean', default: false },
        'uboot-only': { type: 'boolean', default: false },
        'no-avr': { type: 'boolean', default: false },
        'avr-only': { type: 'boolean', default: false },
        'no-arm': { type: 'boolean', default: false },
        'arm-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    });
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    process.exit(2);
  }
  const v = parsed.values;
  if (v.help) {
    const doc = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').match(/\/\*\*([\s\S]*?)\*\//)?.[1] ?? '';
    process.stdout.write(doc.split('\n').map((l) => l.replace(/^ \* ?/, '')).join('\n').trim() + '\n');
    process.exit(0);
  }
  const posInt = (name: string, s: string | undefined, dflt: number): number => {
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) {
      console.error(`bench: --${name} wants a positive integer, got '${s}'`);
      process.exit(2);
    }
    return n;
  };
  if (v.arch !== undefined && v.arch !== 'rv64' && v.arch !== 'rv32') {
    console.error(`bench: --arch wants rv64 or rv32, got '${v.arch}'`);
    process.exit(2);
  }
  const runs = posInt('runs', v.runs, v.quick ? 1 : 3);
  return {
    runs,
    warmup: !v.quick,
    arches: ARCHES.filter((a) => v.arch === undefined || a.arch === v.arch),
    profileArch: (v.arch ?? 'rv64') as Arch,
    bench: !v['profile-only'] && !v['uboot-only'] && !v['avr-only'] && !v['arm-only'],
    uboot: !v['no-uboot'] && !v['profile-only'] && !v['avr-only'] && !v['arm-only'],
    avr: !v['no-avr'] && !v['profile-only'] && !v['uboot-only'] && !v['arm-only'],
    arm: !v['no-arm'] && !v['profile-only'] && !v['uboot-only'] && !v['avr-only'],
    profile: (v.profile || v['profile-only']) && !v['uboot-only'] && !v['avr-only'] && !v['arm-only'],
    profileIntervalUs: posInt('profile-interval', v['profile-interval'], 100),
    timeoutMs: posInt('timeout', v.timeout, 300) * 1000,
  };
}

// ---------------------------------------------------------------- running

/** Child environment: without a TypeScript loader this script may have been started with. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.NODE_OPTIONS && /tsx/.test(env.NODE_OPTIONS)) delete env.NODE_OPTIONS;
  return env;
}

function lastLines(s: string, n: number): string {
  const lines = s.trimEnd().split('\n');
  return lines.slice(-n).map((l) => `      | ${l}`).join('\n');
}

function runOnce(cmd: string, args: string[], check: Check | null, timeoutMs: number): RunResult {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    env: childEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const t1 = process.hrtime.bigint();
  const secs = Number(t1 - t0) / 1e9;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const cmdline = [cmd === NODE ? 'node' : cmd, ...args].join(' ');
  const fail = (why: string): RunResult => ({
    secs,
    ok: false,
    error: `${why}\n      command: ${cmdline}${out.trim() ? `\n      last output:\n${lastLines(out, 12)}` : ''}`,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return fail(`timed out after ${timeoutMs / 1000} s`);
    return fail(`could not run: ${r.error.message}`);
  }
  if (r.signal) return fail(`killed by ${r.signal}`);
  if (r.status !== 0) return fail(`exit status ${r.status}`);
  if (!check) return { secs, ok: true };
  if (!check.pass.test(r.stdout)) {
    return fail(`the guest did not print ${check.what}`);
  }
  const m = /^minstret:.*\btotal (\d+)/m.exec(r.stdout);
  if (!m) return check.insns ? fail(`no 'minstret: ... total N' line in the guest's output`) : { secs, ok: true };
  return { secs, ok: true, insns: Number(m[1]) };
}

function commandExists(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return null;
  return (r.stdout.split('\n')[0] ?? '').trim();
}

// ---------------------------------------------------------------- checks before running

/** src/**.ts (not tests) newer than its dist/ output, or with none: the build may be stale. */
function staleBuild(): string | null {
  const srcDir = path.join(ROOT, 'src');
  let found: string | null = null;
  const walk = (dir: string): void => {
    if (found) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const rel = path.relative(srcDir, p);
        // not compiled to dist/ (tsconfig.json excludes them)
        if (rel.split(path.sep).some((d) => d === 'test-support' || d === 'fixtures')) continue;
        const out = path.join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
        let outMtime = -1;
        try {
          outMtime = fs.statSync(out).mtimeMs;
        } catch {
          /* missing */
        }
        if (outMtime < fs.statSync(p).mtimeMs) {
          found = `src/${rel}`;
          return;
        }
      }
      if (found) return;
    }
  };
  try {
    walk(srcDir);
  } catch {
    return null;
  }
  return found;
}

function gitHead(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return '?';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
  return r.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() ? ' (src/ modified)' : '');
}

// ---------------------------------------------------------------- benchmark

interface Floor {
  arch: Arch;
  label: string;
  floor: number;
  op: '>=' | '<=';
  /** Returns the measured ratio and its extremes over the runs, or null when not measurable. */
  measure: () => { value: number; lo: number; hi: number } | null;
}

function ratioOf(num: Item | undefined, den: Item | undefined) {
  if (!num || !den || num.failed || den.failed || !num.times.length || !den.times.length) return null;
  return {
    value: median(num.times) / median(den.times),
    lo: Math.min(...num.times) / Math.max(...den.times),
    hi: Math.max(...num.times) / Math.min(...den.times),
  };
}

function benchmark(opts: ReturnType<typeof parseOptions>): boolean {
  const items: Item[] = [];
  const notes: string[] = [];
  const mmuSkipped: string[] = [];
  const qemuVersions: string[] = [];
  for (const a of opts.arches) {
    const v = commandExists(a.qemu);
    if (v === null) {
      notes.push(`${a.qemu} not found: ${a.arch} shows tracehook figures only (no QEMU comparison).`);
    } else {
      qemuVersions.push(v);
      items.push(mkItem(a, 'qemu', a.qemu, a.qemu, guestFlags(a.elf)));
    }
    for (const c of TRACEHOOK_CONFIGS) {
      if (c.kind === 'etrace' && a.arch !== 'rv64') continue; // the issue's etrace figure is rv64's
      const args = [a.cli, ...guestFlags(a.elf), ...(c.plugin ? ['-plugin', c.plugin] : [])];
      items.push(mkItem(a, c.kind, c.label, NODE, args));
    }
    // MMU-on workload, when the guest exists: QEMU and tracehook without plugin
    const mmu = mmuElf(a.arch);
    if (fs.existsSync(path.join(ROOT, mmu))) {
      if (v !== null) items.push(mkItem(a, 'qemu-mmu', `${a.qemu}, MMU-on workload`, a.qemu, guestFlags(mmu), mmuCheck));
      items.push(mkItem(a, 'none-mmu', 'tracehook, no plugin, MMU-on workload', NODE, [a.cli, ...guestFlags(mmu)], mmuCheck));
    } else {
      mmuSkipped.push(mmu);
    }
  }
  if (mmuSkipped.length) {
    notes.push(`MMU-on workload skipped: no guest yet (${mmuSkipped.join(', ')} not found; guests/riscv/Makefile lists workload-mmu, but there is no workload-mmu.c or ELF).`);
  }
  const nodeItem: Item = {
    key: 'node', arch: null, kind: 'node', label: 'node -e 0', cmd: NODE, args: ['-e', '0'],
    check: null, times: [], insns: null, failed: null,
  };
  items.push(nodeItem);

  console.log('tracehook benchmark: whole processes, wall time including start-up');
  console.log(
    `  host: ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}, ${os.platform()} ${os.release()}; ` +
      `node ${process.version}; ${qemuVersions[0] ?? 'QEMU: not found'}`,
  );
  console.log(`  tracehook: ${gitHead()}; flags: ${guestFlags('<elf>').join(' ')}`);
  console.log(
    `  ${opts.runs} timed round${opts.runs > 1 ? 's' : ''}${opts.warmup ? ' after 1 warm-up round' : ''}, ` +
      `configurations interleaved (order rotated each round); median shown`,
  );
  console.log(`  load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine adds noise)`);
  for (const n of notes) console.log(`  note: ${n}`);
  notes.length = 0; // shown; later notes are printed after the tables

  const total = opts.runs + (opts.warmup ? 1 : 0);
  for (let r = 0; r < total; r++) {
    const warm = opts.warmup && r === 0;
    const timedIndex = opts.warmup ? r - 1 : r;
    const live = items.filter((i) => !i.failed);
    const shift = live.length ? r % live.length : 0;
    const order = [...live.slice(shift), ...live.slice(0, shift)];
    const name = warm ? 'warm-up' : `round ${timedIndex + 1}/${opts.runs}`;
    process.stderr.write(`  ${name.padEnd(12)} `);
    const t0 = process.hrtime.bigint();
    for (const it of order) {
      const res = runOnce(it.cmd, it.args, it.check, opts.timeoutMs);
      if (!res.ok) {
        it.failed = res.error ?? 'failed';
        process.stderr.write('F');
        continue;
      }
      process.stderr.write('.');
      if (res.insns !== undefined) {
        if (it.insns !== null && it.insns !== res.insns) {
          notes.push(`${it.arch} ${it.label}: instruction count changed between runs (${it.insns} → ${res.insns})`);
        }
        it.insns = res.insns;
      }
      if (!warm) it.times.push(res.secs);
    }
    process.stderr.write(` ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
  }
  console.log('');

  // ---- results table
  const find = (arch: Arch | null, kind: Kind) => items.find((i) => i.arch === arch && i.kind === kind);
  const rows: (string[] | null)[] = [];
  for (const a of opts.arches) {
    if (rows.length) rows.push(null);
    const qemu = find(a.arch, 'qemu');
    const base = find(a.arch, 'none');
    for (const mmu of [false, true]) {
      const same = items.filter((i) => i.arch === a.arch && i.insns !== null && isMmu(i) === mmu);
      const counts = new Set(same.map((i) => i.insns));
      if (counts.size > 1) {
        notes.push(
          `${a.arch}${mmu ? ' MMU-on' : ''}: configurations report different instruction counts (` +
            same.map((i) => `${i.label}: ${i.insns}`).join(', ') +
            ')',
        );
      }
    }
    for (const it of items.filter((i) => i.arch === a.arch)) {
      if (it.failed) {
        rows.push([a.arch, it.label, 'FAILED', '', '', '', '', '']);
        continue;
      }
      const t = median(it.times);
      const spread = it.times.length > 1 ? (Math.max(...it.times) - Math.min(...it.times)) / t : NaN;
      const mips = it.insns !== null ? it.insns / t / 1e6 : NaN;
      const ref = isMmu(it) ? find(a.arch, 'qemu-mmu') : qemu;
      const vsQemu = ref && !ref.failed && ref.times.length ? median(ref.times) / t : NaN;
      const vsBase = !isQemu(it) && !isMmu(it) && base && !base.failed && base.times.length ? t / median(base.times) : NaN;
      rows.push([
        a.arch,
        it.label,
        fmtSecs(t),
        Number.isFinite(spread) ? `${(spread * 100).toFixed(1)}%` : '—',
        it.insns !== null ? it.insns.toLocaleString('en-US') : '—',
        fmtMips(mips),
        fmtRatio(vsQemu),
        isQemu(it) || isMmu(it) ? '' : fmtRatio(vsBase),
      ]);
    }
  }
  console.log(
    renderTable(
      ['arch', 'config', 'wall (median)', 'spread', 'instructions', 'guest MIPS', 'speed vs QEMU', 'vs no-plugin'],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  console.log('  speed vs QEMU = QEMU wall time / this wall time (higher is faster);');
  console.log('  vs no-plugin = this wall time / tracehook no-plugin wall time (the plugin\'s overhead);');
  console.log('  spread = (slowest − fastest) / median over the timed rounds.');
  if (nodeItem.failed) {
    console.log('  node -e 0: FAILED');
  } else {
    const ns = median(nodeItem.times);
    const parts = opts.arches
      .map((a) => find(a.arch, 'none'))
      .filter((b): b is Item => !!b && !b.failed && b.times.length > 0)
      .map((b) => `${((ns / median(b.times)) * 100).toFixed(0)}% of ${b.arch} no-plugin`);
    console.log(
      `  Node start-up (node -e 0): ${fmtSecs(ns)} median, included in every tracehook time` +
        (parts.length ? ` (${parts.join(', ')})` : '') + '.',
    );
  }
  console.log('');

  // ---- floors from the issue
  const floors: Floor[] = [];
  const floorArches = (['rv32', 'rv64'] as Arch[]).filter((x) => opts.arches.some((a) => a.arch === x));
  for (const arch of floorArches) {
    floors.push({
      arch,
      label: `${arch} no-plugin speed vs QEMU`,
      op: '>=',
      floor: arch === 'rv32' ? 0.2 : 0.12,
      measure: () => ratioOf(find(arch, 'qemu'), find(arch, 'none')),
    });
  }
  for (const arch of floorArches) {
    floors.push({ arch, label: `${arch} -plugin traps vs no-plugin`, op: '<=', floor: 1.02, measure: () => ratioOf(find(arch, 'traps'), find(arch, 'none')) });
    floors.push({ arch, label: `${arch} traps via onControlFlow vs via onDiscontinuity`, op: '<=', floor: 1.02, measure: () => ratioOf(find(arch, 'traps-flow'), find(arch, 'traps')) });
    if (arch === 'rv64') floors.push({ arch, label: `${arch} -plugin etrace vs no-plugin`, op: '<=', floor: 2, measure: () => ratioOf(find(arch, 'etrace'), find(arch, 'none')) });
    floors.push({ arch, label: `${arch} -plugin insn (inline) vs no-plugin`, op: '<=', floor: 1.15, measure: () => ratioOf(find(arch, 'insn'), find(arch, 'none')) });
    floors.push({ arch, label: `${arch} -plugin insn,inline=off vs no-plugin`, op: '<=', floor: 2, measure: () => ratioOf(find(arch, 'insn-cb'), find(arch, 'none')) });
  }
  const frows: string[][] = [];
  let missed = 0;
  for (const f of floors) {
    const m = f.measure();
    const want = `${f.op === '>=' ? '≥' : '≤'} ${fmtRatio(f.floor)}`;
    if (!m) {
      const why = f.label.includes('QEMU') && !find(f.arch, 'qemu') ? 'n/a (no QEMU)' : 'n/a (run failed)';
      frows.push([f.label, want, '—', '—', why]);
      continue;
    }
    const holds = f.op === '>=' ? m.value >= f.floor : m.value <= f.floor;
    if (!holds) missed++;
    const borderline = m.lo <= f.floor && f.floor <= m.hi && opts.runs > 1;
    frows.push([
      f.label,
      want,
      fmtRatio(m.value, 3),
      opts.runs > 1 ? `${fmtRatio(m.lo, 3)}–${fmtRatio(m.hi, 3)}` : '—',
      (holds ? 'holds' : 'MISSED') + (borderline ? ' (within noise)' : ''),
    ]);
  }
  console.log('Floors (from the issue):');
  console.log(renderTable(['what', 'floor', 'measured', 'run-to-run range', 'verdict'], frows, ['l', 'r', 'r', 'r', 'l']));
  console.log(
    `  ${missed === 0 ? 'all measured floors hold' : `${missed} floor${missed > 1 ? 's' : ''} missed`}` +
      ' (a report, not an assertion: timing never changes the exit status).',
  );
  if (opts.runs === 1) console.log('  note: a single round is noisy; use --runs 5 or more before concluding.');
  for (const n of notes) console.log(`  note: ${n}`);

  const failed = items.filter((i) => i.failed);
  if (failed.length) {
    console.log('');
    console.log('Failed runs:');
    for (const it of failed) console.log(`  ${it.arch ?? ''} ${it.label}: ${it.failed}`);
  }
  return failed.length === 0;
}

function mkItem(a: ArchInfo, kind: Kind, label: string, cmd: string, args: string[], check: Check = workloadCheck(a.arch)): Item {
  return {
    key: `${a.arch}:${kind}`, arch: a.arch, kind, label, cmd, args,
    check, times: [], insns: null, failed: null,
  };
}

const isMmu = (i: Item): boolean => i.kind === 'qemu-mmu' || i.kind === 'none-mmu';
const isQemu = (i: Item): boolean => i.kind === 'qemu' || i.kind === 'qemu-mmu';

// ---------------------------------------------------------------- profile

function profile(arch: Arch, intervalUs: number, timeoutMs: number): boolean {
  const a = ARCHES.find((x) => x.arch === arch)!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehook-cpuprof-'));
  const args = [
    '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${intervalUs}`,
    a.cli, ...guestFlags(a.elf),
  ];
  console.log('');
  console.log(`Profile: tracehook ${arch}, no plugin, one run under node --cpu-prof (sampling every ${intervalUs} µs)`);
  const res = runOnce(NODE, args, workloadCheck(arch), timeoutMs);
  if (!res.ok) {
    console.log(`  FAILED: ${res.error}`);
    return false;
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    console.log(`  FAILED: no .cpuprofile written in ${dir}`);
    return false;
  }
  // One process, so one file; if there were several (workers), take the largest.
  const file = files
    .map((f) => path.join(dir, f))
    .sort((x, y) => fs.statSync(y).size - fs.statSync(x).size)[0]!;
  let prof: CpuProfile;
  try {
    prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  } catch (e) {
    console.log(`  FAILED: cannot parse ${file}: ${(e as Error).message}`);
    return false;
  }
  const s = summarizeProfile(prof);
  console.log(
    `  wall ${fmtSecs(res.secs)} (with profiler), ${s.samples} samples, ${(s.totalUs / 1000).toFixed(1)} ms sampled` +
      (res.insns ? `, ${res.insns.toLocaleString('en-US')} guest instructions` : ''),
  );
  console.log(`  file: ${file} (open in Chrome DevTools › Performance, or VS Code)`);
  console.log('');
  const top = s.functions.slice(0, 15);
  console.log(
    renderTable(
      ['#', 'self ms', 'self %', 'function', 'location'],
      top.map((f, i) => [
        String(i + 1),
        (f.selfUs / 1000).toFixed(1),
        `${s.totalUs ? ((f.selfUs / s.totalUs) * 100).toFixed(1) : '0.0'}%`,
        f.functionName,
        describeLocation(f, ROOT),
      ]),
      ['r', 'r', 'r', 'l', 'l'],
    ),
  );
  const shown = top.reduce((acc, f) => acc + f.selfUs, 0);
  console.log(
    `  top ${top.length} of ${s.functions.length} functions: ${s.totalUs ? ((shown / s.totalUs) * 100).toFixed(1) : '0'}% of sampled time.` +
      ' (generated code) = blocks compiled at run time with new Function, aggregated by name and line.',
  );
  return true;
}

// ---------------------------------------------------------------- U-Boot to the prompt

/** The issue's target: tracehook's wall time to the U-Boot prompt at most this many times QEMU's. */
const UBOOT_TARGET = 8;

interface UbootSide {
  label: string;
  cmd: string;
  args: string[];
  times: number[];
  failed: string | null;
}

/** One run: spawn, wait for `=> ` on the console, kill. Seconds from spawn to the prompt. */
async function toPrompt(side: UbootSide, dir: string, timeoutMs: number): Promise<{ secs: number } | { error: string }> {
  const t0 = process.hrtime.bigint();
  const s = new Session(side.cmd, side.args, {
    cwd: dir,
    env: firmwareChildEnv(),
    stdoutPath: path.join(dir, 'stdout'),
    stderrPath: path.join(dir, 'stderr'),
    pollMs: 10,
  });
  try {
    const w = await s.waitFor((o) => o.endsWith('\n=> '), timeoutMs);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (w.kind === 'match') return { secs };
    const err = fs.readFileSync(path.join(dir, 'stderr'), 'latin1');
    const out = `${s.out.replace(/\r/g, '')}${err}`;
    const cmdline = [side.cmd === NODE ? 'node' : side.cmd, ...side.args].join(' ');
    const why = w.kind === 'exit' ? `ended before the prompt (${s.describeExit()})` : `no prompt after ${timeoutMs / 1000} s`;
    return { error: `${why}\n      command: ${cmdline}${out.trim() ? `\n      last output:\n${lastLines(out, 12)}` : ''}` };
  } finally {
    await s.kill();
  }
}

async function ubootBench(opts: ReturnType<typeof parseOptions>): Promise<boolean> {
  console.log('');
  console.log('U-Boot to the prompt: OpenSBI fw_jump + U-Boot S-mode, wall time from process start until `=> ` appears on the console');
  const missing = [FW_JUMP, UBOOT_SMODE].filter((f) => !fs.existsSync(f));
  if (missing.length) {
    console.log(`  skipped: ${missing.join(', ')} not found (apt-get install opensbi u-boot-qemu)`);
    return true;
  }
  const cl = firmwareCommandLines(['-bios', FW_JUMP, '-kernel', UBOOT_SMODE]);
  const sides: UbootSide[] = [];
  const qemuVersion = commandExists(cl.qemu[0]);
  if (qemuVersion !== null) sides.push({ label: `QEMU (${cl.qemu[0]})`, cmd: cl.qemu[0], args: cl.qemu[1], times: [], failed: null });
  sides.push({ label: 'tracehook (no plugin)', cmd: cl.tracehook[0], args: cl.tracehook[1], times: [], failed: null });
  const show = (sd: UbootSide): string => [sd.cmd === NODE ? 'node' : sd.cmd, ...sd.args].join(' ').replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '');
  for (const sd of sides) console.log(`  ${show(sd)}`);
  console.log(
    '  (QEMU only: -cpu rv64,h=false -nic none; tracehook only: -max-insns, and the preload that flushes its console buffer:' +
      ' scripts/lib/flush-console.mjs, without which the prompt never shows before exit)',
  );
  if (qemuVersion === null) console.log('  note: qemu-system-riscv64 not found: tracehook figures only.');
  console.log(
    `  ${opts.runs} timed round${opts.runs > 1 ? 's' : ''}${opts.warmup ? ' after 1 warm-up round' : ''}, QEMU and tracehook alternating; ` +
      `load average now: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehook-bench-uboot-'));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir); // also when interrupted (lib/session.ts kills the emulators and exits)
  installSessionCleanup();
  const total = opts.runs + (opts.warmup ? 1 : 0);
  try {
    for (let r = 0; r < total; r++) {
      const warm = opts.warmup && r === 0;
      const live = sides.filter((x) => !x.failed);
      const shift = live.length ? r % live.length : 0;
      const order = [...live.slice(shift), ...live.slice(0, shift)];
      const name = warm ? 'warm-up' : `round ${(opts.warmup ? r : r + 1)}/${opts.runs}`;
      process.stderr.write(`  ${name.padEnd(12)} `);
      const t0 = process.hrtime.bigint();
      for (const sd of order) {
        const res = await toPrompt(sd, dir, opts.timeoutMs);
        if ('error' in res) {
          sd.failed = res.error;
          process.stderr.write('F');
          continue;
        }
        process.stderr.write('.');
        if (!warm) sd.times.push(res.secs);
      }
      process.stderr.write(` ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
    }
  } finally {
    await killAllSessions();
    process.removeListener('exit', removeDir);
    removeDir();
  }
  const qemu = sides.length === 2 ? sides[0]! : undefined;
  const th = sides[sides.length - 1]!;
  const ok = (sd: UbootSide | undefined): boolean => !!sd && !sd.failed && sd.times.length > 0;
  const rows = sides.map((sd) => {
    if (!ok(sd)) return [sd.label, 'FAILED', '', '', ''];
    const t = median(sd.times);
    const spread = sd.times.length > 1 ? (Math.max(...sd.times) - Math.min(...sd.times)) / t : NaN;
    return [
      sd.label,
      fmtSecs(t),
      Number.isFinite(spread) ? `${(spread * 100).toFixed(1)}%` : '—',
      sd.times.map((x) => x.toFixed(2)).join(', '),
      qemu && ok(qemu) && sd !== qemu ? fmtRatio(t / median(qemu.times)) : '',
    ];
  });
  console.log('');
  console.log(renderTable(['config', 'to prompt (median)', 'spread', 'runs (s)', 'tracehook / QEMU'], rows, ['l', 'r', 'r', 'l', 'r']));
  if (qemu && ok(qemu) && ok(th)) {
    const value = median(th.times) / median(qemu.times);
    const lo = Math.min(...th.times) / Math.max(...qemu.times);
    const hi = Math.max(...th.times) / Math.min(...qemu.times);
    const holds = value <= UBOOT_TARGET;
    const borderline = lo <= UBOOT_TARGET && UBOOT_TARGET <= hi && opts.runs > 1;
    console.log(
      renderTable(
        ['what', 'target', 'measured', 'run-to-run range', 'verdict'],
        [[
          'U-Boot to prompt: tracehook / QEMU wall time',
          `≤ ${fmtRatio(UBOOT_TARGET)}`,
          fmtRatio(value, 3),
          opts.runs > 1 ? `${fmtRatio(lo, 3)}–${fmtRatio(hi, 3)}` : '—',
          (holds ? 'holds' : 'MISSED') + (borderline ? ' (within noise)' : ''),
        ]],
        ['l', 'r', 'r', 'r', 'l'],
      ),
    );
    console.log('  (a report, not an assertion: timing never changes the exit status)');
  }
  const failed = sides.filter((x) => x.failed);
  for (const sd of failed) console.log(`  ${sd.label}: ${sd.failed}`);
  return failed.length === 0;
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = parseOptions();
  const missing = opts.arches.flatMap((a) => [a.cli, a.elf]).filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) {
    console.error(`bench: missing ${missing.join(', ')}`);
    console.error('  build tracehook with `npm run build`; the workload ELFs come with the repository (guests/riscv).');
    return 1;
  }
  const stale = staleBuild();
  if (stale) console.log(`warning: ${stale} is newer than its build in dist/: run \`npm run build\` to measure the current source.\n`);

  let ok = true;
  if (opts.bench) ok = benchmark(opts) && ok;
  if (opts.uboot) ok = (await ubootBench(opts)) && ok;
  if (opts.avr) ok = (await avrBench({ root: ROOT, runs: opts.runs, warmup: opts.warmup, timeoutMs: opts.timeoutMs })) && ok;
  if (opts.arm) ok = (await armBench({ root: ROOT, runs: opts.runs, warmup: opts.warmup, timeoutMs: opts.timeoutMs })) && ok;
  if (opts.profile) ok = profile(opts.profileArch, opts.profileIntervalUs, opts.timeoutMs) && ok;
  return ok ? 0 : 1;
}

process.exitCode = await main();
