/**
 * Firmware cross-check against QEMU 7.2: boots real firmware on tracehook (the built CLI in dist/)
 * and on qemu-system-riscv64 (plus `-cpu rv64,h=false -nic none`, see QEMU_ONLY_FLAGS for why),
 * types the same U-Boot commands into both and compares the console transcripts exactly.
 *
 * Configurations (all with `-M virt -nographic -icount shift=0,sleep=off`):
 *   opensbi-uboot       -bios .../opensbi/generic/fw_jump.elf -kernel .../qemu-riscv64_smode/uboot.elf
 *   uboot-mmode         -bios .../qemu-riscv64/u-boot.bin               (U-Boot in M-mode)
 *   opensbi-uboot-smp2  opensbi-uboot with -smp 2
 * tracehook additionally gets `-max-insns 8000000000` as a safety net (the boot to the prompt is
 * about 3e9 instructions: U-Boot's 3 s autoboot countdown is a busy loop under -icount).
 *
 * Each run: capture the console up to the first `=> ` prompt, then type one command at a time, each
 * only after the previous command's prompt appeared (U-Boot's ctrlc() polls during some commands
 * and swallows any key it finds, and a key during the countdown stops autoboot, so typing ahead
 * would make the transcript depend on timing). Commands:
 *   version, bdinfo, md 0x80200000 10, fdt addr $fdtcontroladdr, fdt print /cpus, coninfo, dm tree,
 *   then extras: fdt print /chosen, sbi (S-mode only), pci, flinfo, printenv,
 *   and last:
 *   - S-mode: `md 0x80000000 10` (OpenSBI's PMP-protected region: load access fault, and U-Boot
 *     resets the machine: its syscon-reboot driver writes the reset code to the test finisher; the
 *     -d int log shows no SBI call for it). The transcript is cut at the end of the first `OpenSBI v` line after it (the
 *     banner of the reset boot); both emulators are then stopped.
 *   - M-mode: `md 0x80000000 10` (readable: U-Boot's own image), then `poweroff` (the run must end
 *     by itself, with the same exit status on both).
 *
 * Every step (the boot, then each command) is compared on its own: the bytes from the moment the
 * command was typed (its echo included) to the end of the next prompt, line by line, exactly; plus
 * how the step ended (prompt / reset banner / exit status / timeout). The only normalisation:
 * `fdt print /chosen` prints `rng-seed`, 32 random bytes from QEMU (tracehook puts zeros there);
 * the value of that one property is masked on both sides. Nothing else is masked.
 *
 * One more check per configuration, `-d int log`: both run with `-d int -D int.log`, and the
 * exception/interrupt records are compared line by line (QEMU's lines other than
 * `riscv_cpu_do_interrupt: ...` are left out, as in test-qemu.ts). A console can match while the
 * guest takes a different path: e.g. an S-mode `rdtime` that traps to OpenSBI, which emulates it,
 * prints the same text millions of traps later. QEMU logs 5 records up to the prompt. A run that
 * ends by itself (poweroff) must match exactly; a run stopped at the reset banner is compared up to
 * the reset: each log is cut where it restarts (the firmware's first record again, whichever hart
 * logs it), because the two are stopped at slightly different points after it and because with
 * -smp 2 QEMU's choice of the first hart to run after a reset depends on host timing (see
 * compareIntLogs). If a log shows no restart, the shorter log must be a prefix of the longer and
 * each must have the records the other had at the last prompt. Only the first 32 MiB of each log
 * are read; a run whose log passes 2 GiB is stopped, and without --keep each
 * configuration's logs are deleted as soon as they are compared.
 *
 * tracehook runs with scripts/lib/flush-console.mjs preloaded: its CLI buffers console output in
 * 64 KiB and flushes only when full or at exit, so without it the prompt never shows while U-Boot
 * waits for input (see that file). It changes when bytes are written, not which.
 *
 * Each emulator runs in its own directory; stdin is a pipe this script types into, stdout and
 * stderr are regular files (QEMU makes its stdout non-blocking; a pipe could change its timing).
 * Both emulators of a configuration run side by side; configurations run one after another.
 * Every process is killed (by process group id) at the end of its configuration, on timeouts,
 * and if this script is interrupted.
 *
 * Usage: node --import tsx scripts/test-firmware.ts [--only NAME[,NAME...]] [--keep[=DIR]]
 *        [--timeout SECONDS] [--step-timeout SECONDS] [--cli PATH]
 *   --only NAME      configuration name (opensbi-uboot, uboot-mmode, opensbi-uboot-smp2)
 *   --keep[=DIR]     keep command lines, transcripts (stdout), stderr, int.log and exit status in
 *                    DIR/CONFIG/{qemu,tracehook}/
 *   --timeout S      limit for the boot to the first prompt (default 300)
 *   --step-timeout S limit for each command (default 60)
 *   --cli PATH       tracehook's CLI script (default dist/cli/riscv64.js; e.g. another checkout's
 *                    build, to bisect)
 * Prints `ok`/`FAIL` per configuration and per step (with the first differing line), then
 * `N passed, M failed` counting steps (the int-log check counts as one step per configuration);
 * exits 1 if any failed, 2 on a usage error.
 * `npm run test:qemu` runs this after the guest cross-check (scripts/test-qemu.ts).
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareLines, formatDiff, toLines, visible, type Line } from './lib/compare.js';
import { installSessionCleanup, killAllSessions, Session } from './lib/session.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'riscv64.js');
const PRELOAD = join(ROOT, 'scripts', 'lib', 'flush-console.mjs');
const QEMU = 'qemu-system-riscv64';
export const FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf';
export const UBOOT_SMODE = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
export const UBOOT_MMODE = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
/** Flags both emulators get. */
export const COMMON_FLAGS = ['-M', 'virt', '-nographic', '-icount', 'shift=0,sleep=off'];
/**
 * QEMU only:
 * - `-cpu rv64,h=false`: tracehook has no H extension (QEMU's default CPU makes OpenSBI and U-Boot
 *   print `rv64imafdch`);
 * - `-nic none`: no user-mode network backend. The guest sees no difference (QEMU 7.2's virt board
 *   instantiates no NIC from the default `-net nic -net user`: U-Boot finds no ethernet either way),
 *   but the backend's slirp stack keeps a timer on the virtual clock, and under
 *   `-icount shift=0,sleep=off` a guest reset (SBI SRST -> sifive_test 0x7777) then livelocks QEMU
 *   in about half the runs: the vCPU thread warps virtual time from one slirp timer expiry to the
 *   next (re-reading /etc/resolv.conf each time) while holding the BQL, so the main loop never
 *   performs the reset (output stops after `resetting ...`; even SIGTERM goes unanswered).
 *   Seen with gdb/strace on 7.2.22; 10/10 resets fine with `-nic none`, 3/6 hung without.
 * tracehook rejects `-nic` (unsupported flag) and has no network backend to begin with.
 */
export const QEMU_ONLY_FLAGS = ['-cpu', 'rv64,h=false', '-nic', 'none'];
/** tracehook only: a safety net well above the ~3e9 instructions the boot to the prompt takes. */
export const TRACEHOOK_ONLY_FLAGS = ['-max-insns', '8000000000'];
const DEFAULT_TIMEOUT_S = 300;
const DEFAULT_STEP_TIMEOUT_S = 60;

// ---------------------------------------------------------------- configurations

type Ending = 'prompt' | 'reset' | 'exit';

interface Step {
  /** The command typed, or null for the boot to the first prompt. */
  cmd: string | null;
  /** How the step ends: the next `=> ` prompt, the reset's OpenSBI banner line, or process exit. */
  end: Ending;
  /** Masks what cannot match, applied to both sides; `what` says what was masked. */
  normalize?: { what: string; fn: (s: string) => string };
}

export interface FirmwareConfig {
  name: string;
  description: string;
  files: string[];
  flags: string[];
  steps: Step[];
}

/** `rng-seed = <0x... 0x...>`: 32 random bytes in QEMU's /chosen; zeros in tracehook's. */
const maskRngSeed = { what: '/chosen/rng-seed value', fn: (s: string): string => s.replace(/(\brng-seed = )[^\r\n]*/g, '$1<masked>') };

function steps(mode: 'S' | 'M'): Step[] {
  const p = (cmd: string, extra: Partial<Step> = {}): Step => ({ cmd, end: 'prompt', ...extra });
  return [
    { cmd: null, end: 'prompt' },
    p('version'),
    p('bdinfo'),
    p('md 0x80200000 10'),
    p('fdt addr $fdtcontroladdr'),
    p('fdt print /cpus'),
    p('coninfo'),
    p('dm tree'),
    // extras beyond the issue's list: device tree /chosen, SBI, PCIe, CFI flash, environment
    p('fdt print /chosen', { normalize: maskRngSeed }),
    ...(mode === 'S' ? [p('sbi')] : []),
    p('pci'),
    p('flinfo'),
    p('printenv'),
    ...(mode === 'S'
      ? [{ cmd: 'md 0x80000000 10', end: 'reset' as const }]
      : [p('md 0x80000000 10'), { cmd: 'poweroff', end: 'exit' as const }]),
  ];
}

export const CONFIGS: FirmwareConfig[] = [
  {
    name: 'opensbi-uboot',
    description: 'OpenSBI fw_jump + U-Boot S-mode',
    files: [FW_JUMP, UBOOT_SMODE],
    flags: ['-bios', FW_JUMP, '-kernel', UBOOT_SMODE],
    steps: steps('S'),
  },
  {
    name: 'uboot-mmode',
    description: 'U-Boot M-mode (-bios u-boot.bin)',
    files: [UBOOT_MMODE],
    flags: ['-bios', UBOOT_MMODE],
    steps: steps('M'),
  },
  {
    name: 'opensbi-uboot-smp2',
    description: 'OpenSBI fw_jump + U-Boot S-mode, -smp 2',
    files: [FW_JUMP, UBOOT_SMODE],
    flags: ['-smp', '2', '-bios', FW_JUMP, '-kernel', UBOOT_SMODE],
    steps: steps('S'),
  },
];

/** `-d int` into this file, relative to each emulator's own directory. */
const INT_LOG = 'int.log';

/**
 * The command lines for a configuration (QEMU's, and tracehook's with the console preload);
 * `intLog`: both also get `-d int -D int.log`.
 */
export function commandLines(flags: string[], intLog = false, cli = CLI): { qemu: [string, string[]]; tracehook: [string, string[]] } {
  const log = intLog ? ['-d', 'int', '-D', INT_LOG] : [];
  return {
    qemu: [QEMU, [...COMMON_FLAGS.slice(0, 2), ...QEMU_ONLY_FLAGS, ...COMMON_FLAGS.slice(2), ...flags, ...log]],
    tracehook: [process.execPath, ['--import', pathToFileURL(PRELOAD).href, cli, ...COMMON_FLAGS, ...flags, ...log, ...TRACEHOOK_ONLY_FLAGS]],
  };
}

/** Child environment: without a TypeScript loader this script may have been started with. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.NODE_OPTIONS && /tsx/.test(env.NODE_OPTIONS)) delete env.NODE_OPTIONS;
  return env;
}

// ---------------------------------------------------------------- one emulator, driven

type StepEnd = 'prompt' | 'banner' | 'exit' | 'timeout' | 'not run';

interface StepRun {
  /** Offset in the transcript where this step's bytes start (where its command was typed). */
  from: number;
  /** Offset where they end (after the prompt, after the banner line, or the end of the output). */
  to: number;
  end: StepEnd;
  ms: number;
}

interface SideRun {
  session: Session;
  steps: StepRun[];
  /** Whole transcript (latin1). */
  out: string;
  /** Size of the int log when the last prompt before the final command was reached (idle guest). */
  logAtLastPrompt: number | undefined;
}

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const PROMPT = '=> ';
const endsWithPrompt = (seg: string): boolean => seg === PROMPT || seg.endsWith('\n' + PROMPT);
const BANNER = /OpenSBI v[^\n]*\n/;

/** Runs one emulator through the steps, each only after the previous one's prompt. */
async function drive(session: Session, cfg: FirmwareConfig, bootTimeoutMs: number, stepTimeoutMs: number, logPath: string): Promise<SideRun> {
  const runs: StepRun[] = [];
  let stopped = false;
  let logAtLastPrompt: number | undefined;
  for (const [i, step] of cfg.steps.entries()) {
    const from = session.out.length;
    if (stopped) {
      runs.push({ from, to: from, end: 'not run', ms: 0 });
      continue;
    }
    if (i === cfg.steps.length - 1 && step.cmd !== null) {
      // idle at the prompt: let the logs settle (tracehook's are flushed every 20 ms), then note the size
      await new Promise<void>((r) => setTimeout(r, 250));
      logAtLastPrompt = fileSize(logPath);
    }
    if (step.cmd !== null) session.send(step.cmd + '\r'); // Enter, as a terminal in raw mode sends it
    const limit = step.cmd === null ? bootTimeoutMs : stepTimeoutMs;
    let end: StepEnd;
    let to: number;
    let ms: number;
    if (step.end === 'prompt') {
      const w = await session.waitFor((o) => o.length > from + (step.cmd?.length ?? 0) && endsWithPrompt(o.slice(from)), limit);
      end = w.kind === 'match' ? 'prompt' : w.kind;
      to = session.out.length;
      ms = w.ms;
    } else if (step.end === 'reset') {
      const w = await session.waitFor((o) => BANNER.test(o.slice(from)), limit);
      const seg = session.out.slice(from);
      const m = BANNER.exec(seg);
      end = m ? 'banner' : w.kind === 'exit' ? 'exit' : 'timeout';
      to = m ? from + m.index + m[0].length : session.out.length;
      ms = w.ms;
    } else {
      const t0 = Date.now();
      const exited = await session.waitExit(limit);
      session.poll();
      end = exited ? 'exit' : 'timeout';
      to = session.out.length;
      ms = Date.now() - t0;
    }
    runs.push({ from, to, end, ms });
    // A step that did not reach its expected end leaves the console in an unknown state: stop typing.
    if (end === 'timeout' || end === 'exit') stopped = true;
  }
  return { session, steps: runs, out: session.out, logAtLastPrompt };
}

// ---------------------------------------------------------------- comparison

export interface StepOutcome {
  label: string;
  ok: boolean;
  report: string[];
  notes: string[];
}

export interface ConfigOutcome {
  cfg: FirmwareConfig;
  ok: boolean;
  steps: StepOutcome[];
  /** Problems not tied to one step (exit status of a run that should have been stopped, start-up errors). */
  report: string[];
  notes: string[];
}

/** Lines of `seg`, numbered as lines of the whole transcript (so they can be found in a kept file). */
function numberedLines(out: string, from: number, seg: string): Line[] {
  let before = 0;
  for (let i = 0; i < from; i++) if (out.charCodeAt(i) === 10) before++;
  return toLines(seg).map((l) => ({ n: l.n + before, text: l.text }));
}

function describeEnd(r: StepRun, side: SideRun, step: Step): string {
  switch (r.end) {
    case 'prompt':
      return 'reached the prompt';
    case 'banner':
      return 'reached the reset boot\'s OpenSBI banner';
    case 'exit':
      return `exited (${side.session.describeExit()})`;
    case 'timeout':
      return `timed out after ${(r.ms / 1000).toFixed(0)} s waiting for ${step.end === 'prompt' ? 'the prompt' : step.end === 'reset' ? 'the reset banner' : 'the process to exit'}`;
    case 'not run':
      return 'not run (an earlier step did not end as expected)';
  }
}

function compareStep(step: Step, q: SideRun, t: SideRun, i: number): StepOutcome {
  const label = step.cmd === null ? 'boot to prompt' : step.cmd;
  const qr = q.steps[i]!;
  const tr = t.steps[i]!;
  const report: string[] = [];
  const notes: string[] = [];
  const norm = step.normalize?.fn ?? ((s: string) => s);
  const qraw = q.out.slice(qr.from, qr.to);
  const traw = t.out.slice(tr.from, tr.to);
  const qs = norm(qraw);
  const ts = norm(traw);
  if (step.normalize && (qs !== qraw || ts !== traw)) notes.push(`${step.normalize.what} masked`);
  if (qr.end === 'not run' && tr.end === 'not run') {
    return { label, ok: false, report: ['not run on either side (an earlier step did not end as expected)'], notes };
  }
  if (qs !== ts) {
    const ql = numberedLines(q.out, qr.from, qs);
    const tl = numberedLines(t.out, tr.from, ts);
    const r = compareLines(ql, tl);
    if (!r.equal) report.push(...formatDiff('console', r.diff!, ql.length ? ql[ql.length - 1]!.n : 0, tl.length ? tl[tl.length - 1]!.n : 0));
    else report.push(`console: same lines, bytes differ (${qs.length} vs ${ts.length} bytes): only ${qs.endsWith('\n') ? 'qemu' : 'tracehook'}'s ends with a newline`);
  }
  if (qr.end === 'exit' && tr.end === 'exit' && step.end === 'exit') {
    const qe = q.session.describeExit();
    const te = t.session.describeExit();
    if (qe !== te) report.push(`exit status: qemu ${qe}, tracehook ${te}`);
  }
  if (qr.end !== tr.end) report.push(`end: qemu ${describeEnd(qr, q, step)}; tracehook ${describeEnd(tr, t, step)}`);
  else if (qr.end === 'timeout' || qr.end === 'not run') report.push(`end: both ${describeEnd(qr, q, step)}`);
  else if (step.end === 'prompt' && qr.end !== 'prompt') report.push(`end: both ${describeEnd(qr, q, step)} instead of reaching the prompt`);
  else if (step.end === 'reset' && qr.end !== 'banner') report.push(`end: both ${describeEnd(qr, q, step)} instead of reaching the reset banner`);
  notes.push(`qemu ${(qr.ms / 1000).toFixed(1)} s, tracehook ${(tr.ms / 1000).toFixed(1)} s`);
  return { label, ok: report.length === 0, report, notes };
}

const INT_PREFIX = 'riscv_cpu_do_interrupt';
/** Bytes of each int log read for the comparison. */
const LOG_READ_CAP = 32 << 20;
/** A run whose int log grows past this is stopped (a trap storm would otherwise fill the disk). */
const LOG_SIZE_LIMIT = 2 ** 31;

interface LogLines {
  lines: Line[];
  /** Byte offset just past each line (for the snapshot size -> line count). */
  ends: number[];
  size: number;
  truncated: boolean;
}

function readLog(path: string): LogLines {
  const size = fileSize(path);
  const n = Math.min(size, LOG_READ_CAP);
  const buf = Buffer.alloc(n);
  if (n > 0) {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buf, 0, n, 0);
    } finally {
      closeSync(fd);
    }
  }
  const text = buf.toString('latin1');
  const lines: Line[] = [];
  const ends: number[] = [];
  let start = 0;
  let no = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break; // a partial last line (cut by the cap, or by a kill) is left out
    no++;
    lines.push({ n: no, text: text.slice(start, nl) });
    ends.push(nl + 1);
    start = nl + 1;
  }
  return { lines, ends, size, truncated: size > n };
}

/** The `-d int log` check of one configuration. */
function compareIntLogs(q: SideRun, t: SideRun, qPath: string, tPath: string, ranToEnd: boolean): StepOutcome {
  let exact = ranToEnd;
  const label = '-d int log';
  const report: string[] = [];
  const notes: string[] = [];
  const qr = readLog(qPath);
  const tr = readLog(tPath);
  // records only (QEMU may log other lines), each with its index among the records
  const records = (l: LogLines, snap: number | undefined): { recs: Line[]; atSnap: number } => {
    const recs: Line[] = [];
    let atSnap = 0;
    l.lines.forEach((line, i) => {
      if (!line.text.startsWith(INT_PREFIX)) return;
      recs.push(line);
      if (snap !== undefined && l.ends[i]! <= snap) atSnap = recs.length;
    });
    return { recs, atSnap };
  };
  const qa = records(qr, q.logAtLastPrompt);
  const ta = records(tr, t.logAtLastPrompt);
  const other = qr.lines.length - qa.recs.length;
  if (other) notes.push(`${other} non-${INT_PREFIX} qemu line${other === 1 ? '' : 's'} ignored`);
  const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
  for (const [name, l] of [['qemu', qr], ['tracehook', tr]] as Array<[string, LogLines]>) {
    if (l.truncated) notes.push(`${name}'s log is ${mib(l.size)}: only its first ${mib(LOG_READ_CAP)} compared`);
  }
  const count = (a: { recs: Line[] }, l: LogLines): string => `${a.recs.length}${l.truncated ? '+' : ''} record${a.recs.length === 1 ? '' : 's'}`;
  notes.push(`qemu ${count(qa, qr)}, tracehook ${count(ta, tr)}`);
  // A run stopped after a reset: cut each log where it restarts, i.e. at the first record after the
  // last prompt that repeats the log's first record (the firmware's first trap after power-on) up to
  // the hart number. What follows is not compared: besides being stopped at different points, QEMU's
  // choice of the hart that runs first after a reset with -smp 2 depends on host timing (its
  // round-robin vCPU thread races the main loop that performs the reset), and that hart wins
  // OpenSBI's boot-hart lottery: seen as `Boot HART ID: 1` once in seven runs.
  if (!exact) {
    const restart = (a: { recs: Line[]; atSnap: number }): number => {
      const first = a.recs[0]?.text.replace(/hart:\d+/, 'hart:*');
      if (first === undefined) return -1;
      for (let i = Math.max(1, a.atSnap); i < a.recs.length; i++) if (a.recs[i]!.text.replace(/hart:\d+/, 'hart:*') === first) return i;
      return -1;
    };
    const qk = restart(qa);
    const tk = restart(ta);
    if (qk >= 0 && tk >= 0) {
      notes.push(`compared up to the reset (record ${qa.recs[qk]!.n} in qemu's log, ${ta.recs[tk]!.n} in tracehook's)`);
      qa.recs.length = qk;
      ta.recs.length = tk;
      exact = true;
    }
  }
  const prefixOnly = !exact || qr.truncated || tr.truncated;
  const n = prefixOnly ? Math.min(qa.recs.length, ta.recs.length) : Math.max(qa.recs.length, ta.recs.length);
  const r = compareLines(qa.recs.slice(0, n), ta.recs.slice(0, n));
  if (!r.equal) {
    report.push(...formatDiff('int log', r.diff!, qa.recs.length, ta.recs.length));
  } else if (prefixOnly) {
    // stopped at slightly different points: each must reach what the other had at the last prompt
    if (!tr.truncated && q.logAtLastPrompt !== undefined && ta.recs.length < qa.atSnap) {
      report.push(`int log: tracehook has ${ta.recs.length} records; qemu had ${qa.atSnap} already at the last prompt`);
    }
    if (!qr.truncated && t.logAtLastPrompt !== undefined && qa.recs.length < ta.atSnap) {
      report.push(`int log: qemu has ${qa.recs.length} records; tracehook had ${ta.atSnap} already at the last prompt`);
    }
    if (!exact) notes.push('no restart found in both logs: compared up to the shorter one');
  }
  return { label, ok: report.length === 0, report, notes };
}

/** stderr lines worth showing: QEMU's own `terminating on signal` line when we stopped it is expected. */
function stderrNote(name: string, text: string, killedByUs: boolean): string | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !(killedByUs && /terminating on signal \d+/.test(l)));
  if (lines.length === 0) return undefined;
  return `${name} stderr: ${visible(lines[0]!)}${lines.length > 1 ? ` (+${lines.length - 1} more line${lines.length > 2 ? 's' : ''})` : ''}`;
}

// ---------------------------------------------------------------- one configuration

export interface FirmwareOptions {
  only: string[];
  /** Directory to keep per-configuration files in; undefined: a temporary one, removed at the end. */
  keep: string | undefined;
  bootTimeoutMs: number;
  stepTimeoutMs: number;
  /** tracehook's CLI script (default: dist/cli/riscv64.js of this checkout). */
  cli?: string;
}

async function runConfig(cfg: FirmwareConfig, workRoot: string, o: FirmwareOptions): Promise<ConfigOutcome> {
  const missing = cfg.files.filter((f) => !existsSync(f));
  if (missing.length) {
    return {
      cfg, ok: false, steps: [], notes: [],
      report: [`missing ${missing.join(', ')} (apt-get install opensbi u-boot-qemu)`],
    };
  }
  const dir = join(workRoot, cfg.name);
  rmSync(dir, { recursive: true, force: true });
  const qdir = join(dir, 'qemu');
  const tdir = join(dir, 'tracehook');
  mkdirSync(qdir, { recursive: true });
  mkdirSync(tdir, { recursive: true });
  const cl = commandLines(cfg.flags, true, o.cli ?? CLI);
  const typed = cfg.steps.filter((s) => s.cmd !== null).map((s) => `  ${s.cmd}`);
  writeFileSync(
    join(dir, 'command.txt'),
    `${cl.qemu[0]} ${cl.qemu[1].join(' ')}\nnode ${cl.tracehook[1].join(' ')}\n` +
      `typed after each '=> ' prompt (each followed by \\r):\n${typed.join('\n')}\n`,
  );
  const env = childEnv();
  const sess = (cwd: string, [cmd, args]: [string, string[]]): Session =>
    new Session(cmd, args, { cwd, env, stdoutPath: join(cwd, 'stdout'), stderrPath: join(cwd, 'stderr') });
  let q: SideRun | undefined;
  let t: SideRun | undefined;
  const qs = sess(qdir, cl.qemu);
  const ts = sess(tdir, cl.tracehook);
  const qlog = join(qdir, INT_LOG);
  const tlog = join(tdir, INT_LOG);
  const runReport: string[] = [];
  // a trap storm must not fill the disk: stop a run whose int log passes the limit
  const watchdog = setInterval(() => {
    for (const [name, path, s] of [['qemu', qlog, qs], ['tracehook', tlog, ts]] as Array<[string, string, Session]>) {
      if (!s.exit && fileSize(path) > LOG_SIZE_LIMIT) {
        runReport.push(`${name}: its -d int log passed ${LOG_SIZE_LIMIT / 2 ** 30} GiB: stopped`);
        void s.kill();
      }
    }
  }, 1000);
  try {
    [q, t] = await Promise.all([
      drive(qs, cfg, o.bootTimeoutMs, o.stepTimeoutMs, qlog),
      drive(ts, cfg, o.bootTimeoutMs, o.stepTimeoutMs, tlog),
    ]);
  } finally {
    clearInterval(watchdog);
    await Promise.all([qs.kill(), ts.kill()]);
  }
  for (const [d, s] of [[qdir, qs], [tdir, ts]] as Array<[string, Session]>) {
    writeFileSync(join(d, 'exit'), `${s.describeExit()}\n`);
  }
  const outcome: ConfigOutcome = { cfg, ok: true, steps: [], report: runReport, notes: [] };
  for (let i = 0; i < cfg.steps.length; i++) outcome.steps.push(compareStep(cfg.steps[i]!, q, t, i));
  // exact int-log comparison only when both runs ended by themselves after the last step
  const last = cfg.steps.length - 1;
  const endedAlone = (r: SideRun): boolean => r.steps[last]?.end === 'exit' && !r.session.killedByUs;
  outcome.steps.push(compareIntLogs(q, t, qlog, tlog, cfg.steps[last]!.end === 'exit' && endedAlone(q) && endedAlone(t)));
  if (o.keep === undefined) for (const f of [qlog, tlog]) rmSync(f, { force: true }); // may be large
  for (const [name, d, s] of [['qemu', qdir, qs], ['tracehook', tdir, ts]] as Array<[string, string, Session]>) {
    const n = stderrNote(name, readFileSync(join(d, 'stderr'), 'latin1'), s.killedByUs);
    if (n) outcome.notes.push(n);
  }
  const boot = (r: SideRun): string => (r.steps[0]?.end === 'prompt' ? `${(r.steps[0].ms / 1000).toFixed(1)} s` : '—');
  outcome.notes.push(`to the prompt: qemu ${boot(q)}, tracehook ${boot(t)}`);
  outcome.ok = outcome.steps.every((s) => s.ok) && outcome.report.length === 0;
  return outcome;
}

// ---------------------------------------------------------------- entry points

function newestMtime(dir: string, filter: (f: string) => boolean): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Runs the firmware configurations and prints their results; returns the step counts. Used by
 * this script's own main and by scripts/test-qemu.ts (which adds the counts to its total).
 * `checkTools`: warn about QEMU's version and a stale dist/ (test-qemu.ts does this itself).
 */
export async function runFirmwareChecks(o: FirmwareOptions, checkTools = true): Promise<{ passed: number; failed: number }> {
  installSessionCleanup();
  const configs = o.only.length ? CONFIGS.filter((c) => o.only.includes(c.name)) : CONFIGS;
  let version = '?';
  const v = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) {
    console.log(`FAIL firmware: cannot run ${QEMU}: ${v.error?.message ?? v.stderr.trim()}`);
    const n = configs.reduce((a, c) => a + c.steps.length + 1, 0);
    return { passed: 0, failed: n };
  }
  version = v.stdout.split('\n')[0]!.replace(/^QEMU emulator version /, '');
  if (checkTools) {
    if (!version.startsWith('7.2')) console.log(`warning: the reference is QEMU 7.2; found ${version}`);
    const srcNewest = newestMtime(join(ROOT, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const distNewest = newestMtime(join(ROOT, 'dist'), (f) => f.endsWith('.js'));
    if (srcNewest > distNewest) console.log('warning: src/ has changes newer than dist/ (npm run build to test them)');
  }
  console.log(
    `firmware: tracehook (${o.cli === undefined ? 'dist/' : o.cli}) vs QEMU ${version} (+ ${QEMU_ONLY_FLAGS.join(' ')}), ${configs.length} configuration${configs.length === 1 ? '' : 's'} one at a time, ` +
      `U-Boot commands typed after each prompt; ${o.bootTimeoutMs / 1000} s to the first prompt, ${o.stepTimeoutMs / 1000} s per command`,
  );
  const workRoot = o.keep === undefined ? mkdtempSync(join(tmpdir(), 'tracehook-test-firmware-')) : (mkdirSync(o.keep, { recursive: true }), o.keep);
  // interrupted (SIGINT/SIGTERM: lib/session.ts kills the emulators and exits): still remove the temporary directory
  const removeWorkRoot = (): void => rmSync(workRoot, { recursive: true, force: true });
  if (o.keep === undefined) process.once('exit', removeWorkRoot);
  let passed = 0;
  let failed = 0;
  try {
    for (const cfg of configs) {
      let out: ConfigOutcome;
      try {
        out = await runConfig(cfg, workRoot, o);
      } catch (e) {
        out = { cfg, ok: false, steps: [], notes: [], report: [`test error: ${(e as Error).stack ?? e}`] };
      }
      const nSteps = cfg.steps.length + 1; // + the int log check
      const okSteps = out.steps.filter((s) => s.ok).length;
      const counted = out.steps.length ? out.steps.length : nSteps; // a config that could not run counts all its steps as failed
      passed += okSteps;
      failed += counted - okSteps;
      const notes = out.notes.length ? `  (${out.notes.join('; ')})` : '';
      console.log(`${out.ok ? 'ok  ' : 'FAIL'} firmware ${cfg.name}: ${cfg.description}, ${okSteps}/${counted} steps${notes}`);
      for (const l of out.report) console.log(`       ${l}`);
      const w = Math.max(...out.steps.map((s) => s.label.length), 0);
      for (const s of out.steps) {
        const sn = s.notes.length ? `  (${s.notes.join('; ')})` : '';
        console.log(`       ${s.ok ? 'ok  ' : 'FAIL'} ${s.label.padEnd(w)}${sn}`);
        for (const l of s.report) console.log(`              ${l}`);
      }
    }
  } finally {
    await killAllSessions();
    if (o.keep !== undefined) console.log(`firmware logs kept in ${workRoot}`);
    else {
      process.removeListener('exit', removeWorkRoot);
      removeWorkRoot();
    }
  }
  return { passed, failed };
}

function usage(msg?: string): never {
  if (msg) console.error(`test-firmware: ${msg}`);
  console.error('usage: node --import tsx scripts/test-firmware.ts [--only NAME[,NAME...]] [--keep[=DIR]] [--timeout SECONDS] [--step-timeout SECONDS] [--cli PATH]');
  console.error(`  configurations: ${CONFIGS.map((c) => c.name).join(', ')}`);
  process.exit(msg ? 2 : 0);
}

export function parseFirmwareArgs(argv: string[]): FirmwareOptions {
  const o: FirmwareOptions = { only: [], keep: undefined, bootTimeoutMs: DEFAULT_TIMEOUT_S * 1000, stepTimeoutMs: DEFAULT_STEP_TIMEOUT_S * 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const secs = (s: string): number => {
      const n = Number(s);
      if (!(n > 0)) usage(`${arg} must be a positive number of seconds`);
      return n * 1000;
    };
    if (arg === '--only') o.only.push(...value().split(',').filter(Boolean));
    else if (arg.startsWith('--only=')) o.only.push(...arg.slice(7).split(',').filter(Boolean));
    else if (arg === '--keep') o.keep = '';
    else if (arg.startsWith('--keep=')) o.keep = resolve(arg.slice(7));
    else if (arg === '--timeout') o.bootTimeoutMs = secs(value());
    else if (arg === '--step-timeout') o.stepTimeoutMs = secs(value());
    else if (arg === '--cli') o.cli = resolve(value());
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  for (const n of o.only) if (!CONFIGS.some((c) => c.name === n)) usage(`no configuration named ${n}`);
  if (o.keep === '') o.keep = mkdtempSync(join(tmpdir(), 'tracehook-test-firmware-'));
  return o;
}

async function main(): Promise<void> {
  const o = parseFirmwareArgs(process.argv.slice(2));
  const cli = o.cli ?? CLI;
  if (!existsSync(cli)) {
    console.error(`test-firmware: ${cli} not found: run npm run build first`);
    process.exit(2);
  }
  const { passed, failed } = await runFirmwareChecks(o);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
