/**
 * Reference runs of the ARM M-profile guests (guests/arm/) on QEMU 7.2, for each guest:
 *
 *     qemu-system-arm -M mps2-an385 -nographic -kernel GUEST.elf -icount shift=0,sleep=off \
 *         -d int -D NAME.int.log -semihosting
 *
 * (microbit for the Cortex-M0 build of the workload), stdout and stderr to files (never pipes:
 * QEMU's stdio chardev is non-blocking, and a full pipe would hold the UART's TX-full flag and
 * change the guest's instruction count). stdout = UART0 bytes plus semihosting SYS_WRITE to
 * ":tt" stdout; stderr = the semihosting console (SYS_WRITE0/WRITEC, ":tt" stderr), as QEMU 7.2
 * writes it. A second run with `-serial file:NAME.uart` records the UART0 bytes alone.
 *
 *     node --import tsx scripts/arm-qemu-run.ts [--record] [--out DIR] [--guest NAME]... [--qemu PATH]
 *
 * Without --record: runs every guest and compares with guests/arm/expected/ (exit status 1 on any
 * difference; the -d int log of a guest fed input on stdin (uart-rx) is not compared: when its
 * RX interrupts come depends on QEMU's host-timed input delivery). With --record (`make -C guests/arm expected`): rewrites expected/ — per guest
 * NAME.stdout, NAME.stderr, NAME.uart, NAME.int.log — and expected/summary.json (command, exit
 * status, output sizes, exception entries by number, returns, tail-chains, semihosting calls,
 * the entry sequence).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runProcess, describeExit, type RunResult } from './lib/run.js';
import { ARM_GUESTS, qemuArgs, type ArmGuest } from './arm/guests.js';
import { parseIntLog, describeIntLog, entrySequence } from './arm/intlog.js';

const ROOT = resolve(import.meta.dirname, '..');
const GUEST_DIR = join(ROOT, 'guests/arm');

interface Recorded {
  stdout: Buffer;
  stderr: Buffer;
  uart: Buffer;
  intLog: string;
  exit: number | null;
  how: string;
  ms: number;
}

/** runProcess with stdin from a file (the UART0 input of -nographic) */
function runWithInput(cmd: string, args: string[], o: { cwd: string; timeoutMs: number; stdoutPath: string;
  stderrPath: string; inputPath: string }): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const fds = [openSync(o.inputPath, 'r'), openSync(o.stdoutPath, 'w'), openSync(o.stderrPath, 'w')];
    const child = spawn(cmd, args, { cwd: o.cwd, stdio: fds, detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, o.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void => {
      clearTimeout(timer);
      for (const fd of fds) closeSync(fd);
      resolveRun({
        stdout: readFileSync(o.stdoutPath), stderr: readFileSync(o.stderrPath),
        code: timedOut ? null : code, signal: timedOut ? null : signal, timedOut,
        ...(spawnError !== undefined ? { spawnError } : {}), ms: Date.now() - t0,
      });
    };
    child.on('error', (e) => { if (child.pid === undefined) finish(null, null, e.message); });
    child.on('exit', (code, signal) => finish(code, signal));
  });
}

async function runGuest(g: ArmGuest, qemu: string, work: string): Promise<Recorded> {
  const elf = join(GUEST_DIR, g.elf);
  const intLog = join(work, `${g.name}.int.log`);
  const io = { cwd: work, timeoutMs: g.timeoutMs,
    stdoutPath: join(work, `${g.name}.stdout`), stderrPath: join(work, `${g.name}.stderr`) };
  if (g.input) {
    // stdin feeds UART0 through the -nographic console; with -serial file: it would feed the
    // monitor instead, so there is no second run: NAME.uart is stdout (no semihosting output)
    const r = await runWithInput(qemu, qemuArgs(g, elf, intLog), { ...io, inputPath: join(GUEST_DIR, g.input) });
    return {
      stdout: r.stdout, stderr: r.stderr, uart: r.stdout,
      intLog: existsSync(intLog) ? readFileSync(intLog, 'utf8') : '',
      exit: r.code, how: describeExit(r, g.timeoutMs), ms: r.ms,
    };
  }
  const r = await runProcess(qemu, qemuArgs(g, elf, intLog), io);
  const uartPath = join(work, `${g.name}.uart`);
  const r2 = await runProcess(qemu, qemuArgs(g, elf, join(work, 'uart-run.int.log'), ['-serial', `file:${uartPath}`]), {
    cwd: work, timeoutMs: g.timeoutMs,
    stdoutPath: join(work, 'uart-run.stdout'), stderrPath: join(work, 'uart-run.stderr'),
  });
  if (r2.code !== r.code) throw new Error(`${g.name}: the -serial file run ended differently (${describeExit(r2, g.timeoutMs)})`);
  return {
    stdout: r.stdout, stderr: r.stderr,
    uart: existsSync(uartPath) ? readFileSync(uartPath) : Buffer.alloc(0),
    intLog: existsSync(intLog) ? readFileSync(intLog, 'utf8') : '',
    exit: r.code, how: describeExit(r, g.timeoutMs), ms: r.ms,
  };
}

function commandLine(g: ArmGuest): string {
  return ['qemu-system-arm', ...qemuArgs(g, g.elf, `${g.name}.int.log`)].join(' ') + (g.input ? ` < ${g.input}` : '');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let record = false;
  let out = join(GUEST_DIR, 'expected');
  let qemu = 'qemu-system-arm';
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--record') record = true;
    else if (a === '--out') out = resolve(args[++i] ?? '');
    else if (a === '--guest') only.push(args[++i] ?? '');
    else if (a === '--qemu') qemu = args[++i] ?? qemu;
    else throw new Error(`unknown argument ${a}`);
  }
  const guests = only.length ? ARM_GUESTS.filter((g) => only.includes(g.name) || only.includes(g.elf)) : ARM_GUESTS;
  if (!guests.length) throw new Error(`no such guest: ${only.join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'arm-qemu-'));
  const summaryPath = join(out, 'summary.json');
  const summary: Record<string, unknown> =
    record && only.length && existsSync(summaryPath) ? JSON.parse(readFileSync(summaryPath, 'utf8')) : {};
  let failures = 0;
  try {
    if (record) mkdirSync(out, { recursive: true });
    for (const g of guests) {
      const r = await runGuest(g, qemu, work);
      const s = parseIntLog(r.intLog);
      const line = `${g.name.padEnd(22)} ${r.how.padEnd(8)} ${(r.ms / 1000).toFixed(2)} s  ${describeIntLog(s)}`;
      if (r.exit !== g.exit) {
        failures++;
        process.stdout.write(`${line}\n  expected exit ${g.exit}\n`);
      }
      if (record) {
        writeFileSync(join(out, `${g.name}.stdout`), r.stdout);
        writeFileSync(join(out, `${g.name}.stderr`), r.stderr);
        writeFileSync(join(out, `${g.name}.uart`), r.uart);
        writeFileSync(join(out, `${g.name}.int.log`), r.intLog);
        summary[g.name] = {
          command: commandLine(g),
          exit: r.exit,
          stdoutBytes: r.stdout.length,
          stderrBytes: r.stderr.length,
          uartBytes: r.uart.length,
          exceptions: describeIntLog(s),
          entries: s.entries.length,
          returns: s.returns,
          tailchains: s.tailchains,
          semihosting: s.semihosting.map((op) => `0x${op.toString(16)}`),
          sequence: entrySequence(s),
          ...(g.input ? { input: g.input } : {}),
          ...(g.hostTimedLog ? { note: 'the -d int log depends on host timing (input delivery): not compared' } : {}),
        };
        process.stdout.write(`${line}\n`);
      } else {
        const diffs: string[] = [];
        const cmp = (what: string, got: Buffer | string, file: string): void => {
          const p = join(out, file);
          if (!existsSync(p)) { diffs.push(`${what}: no ${file}`); return; }
          if (!Buffer.from(got).equals(readFileSync(p))) diffs.push(what);
        };
        cmp('stdout', r.stdout, `${g.name}.stdout`);
        cmp('stderr', r.stderr, `${g.name}.stderr`);
        cmp('uart', r.uart, `${g.name}.uart`);
        if (!g.hostTimedLog) cmp('-d int log', r.intLog, `${g.name}.int.log`);
        if (diffs.length) failures++;
        process.stdout.write(`${line}${diffs.length ? `\n  DIFFERS from expected/: ${diffs.join(', ')}` : '  (same as expected/)'}\n`);
      }
    }
    if (record) writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failures ? 1 : 0;
}

main().then((c) => { process.exitCode = c; }, (e: Error) => {
  process.stderr.write(`arm-qemu-run: ${e.message}\n`);
  process.exitCode = 1;
});
