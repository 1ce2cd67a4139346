/**
 * The ARM live part of `npm run test:qemu`: every guest of guests/arm (scripts/arm/guests.ts) runs
 * on qemu-system-arm 7.2 and on tracehook-arm (the built CLI, dist/cli/arm.js) with the same
 * command line
 *
 *     -M mps2-an385|mps2-an386 -nographic -kernel GUEST.elf -icount shift=0,sleep=off \
 *         -d int -D int.log -semihosting            (stdin: the guest's input file, or /dev/null)
 *
 * and the exit status, stdout (UART0 + semihosting ":tt" stdout), stderr (the semihosting
 * console) and the `-d int` log must be identical (the log of a guest fed input, uart-rx, is not
 * compared: QEMU delivers input on host time). Runs go to files, never pipes (QEMU's UART timing
 * would depend on the pipe; see scripts/arm-qemu-run.ts).
 *
 * Exceptions, each listed with its reason:
 * - `workload-microbit.m0`: QEMU runs it on `microbit` (its only Cortex-M0 board); tracehook has no
 *   microbit machine and runs it on `mps2-an385 -cpu cortex-m0` (the program only needs RAM at
 *   0x20000000 and semihosting): stderr, exit and -d int log are compared.
 * - guests in KNOWN_MISSING are skipped with the reason (a feature tracehook does not have yet).
 *
 * The timer-driven guests in SHIFT3_GUESTS are compared a second time with `-icount shift=3`.
 *
 *     npm run build && node --import tsx scripts/arm/test-qemu.ts [--only NAME,...] [--keep DIR]
 *
 * Prints one line per guest (`ok`, `FAIL` with what differs, `skip` and why); exits 1 if any failed.
 */
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARM_GUESTS, type ArmGuest } from './guests.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUEST_DIR = join(ROOT, 'guests', 'arm');
const CLI = join(ROOT, 'dist', 'cli', 'arm.js');

/** Guests tracehook cannot run yet, with the reason (src/targets/arm/STATUS.md). */
const KNOWN_MISSING: Record<string, string> = {};

/** Also compared with `-icount shift=3,sleep=off`. */
const SHIFT3_GUESTS = ['timer.m3', 'rtos.m3', 'uart-irq.m3', 'fpu.m4'];

interface Out { exit: string; stdout: Buffer; stderr: Buffer; intLog: string; ms: number }

function runTo(cmd: string, args: string[], dir: string, input: string | undefined, timeoutMs: number): Promise<Out> {
  mkdirSync(dir, { recursive: true });
  const paths = { stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr'), log: join(dir, 'int.log') };
  const fds = [openSync(input ?? '/dev/null', 'r'), openSync(paths.stdout, 'w'), openSync(paths.stderr, 'w')];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args, '-D', paths.log], { cwd: dir, stdio: fds, detached: true });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    const done = (exit: string): void => {
      clearTimeout(timer);
      for (const fd of fds) closeSync(fd);
      resolve({
        exit: timedOut ? 'timeout' : exit, stdout: readFileSync(paths.stdout), stderr: readFileSync(paths.stderr),
        intLog: existsSync(paths.log) ? readFileSync(paths.log, 'utf8') : '', ms: Date.now() - t0,
      });
    };
    child.on('error', (e) => done(`spawn error ${e.message}`));
    child.on('exit', (code, signal) => done(code !== null ? `exit ${code}` : `signal ${signal}`));
  });
}

function firstDiff(a: Buffer | string, b: Buffer | string): string {
  const x = Buffer.from(a), y = Buffer.from(b);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  const lineStart = x.lastIndexOf(10, i - 1) + 1;
  const show = (buf: Buffer): string => JSON.stringify(buf.subarray(lineStart, Math.min(buf.length, buf.indexOf(10, i) < 0 ? buf.length : buf.indexOf(10, i))).toString('latin1'));
  return `at byte ${i}: tracehook ${show(x)} vs QEMU ${show(y)}`;
}

async function check(g: ArmGuest, work: string, shift = 0): Promise<string[]> {
  const elf = join(GUEST_DIR, g.elf);
  const common = ['-nographic', '-kernel', elf, '-icount', `shift=${shift},sleep=off`, '-d', 'int', '-semihosting'];
  const input = g.input !== undefined ? join(GUEST_DIR, g.input) : undefined;
  const thMachine = g.machine === 'microbit' ? ['-M', 'mps2-an385', '-cpu', 'cortex-m0'] : ['-M', g.machine];
  const [q, t] = await Promise.all([
    runTo('qemu-system-arm', ['-M', g.machine, ...common], join(work, `${g.name}.${shift}`, 'qemu'), input, g.timeoutMs * 2),
    runTo(process.execPath, [CLI, ...thMachine, ...common], join(work, `${g.name}.${shift}`, 'tracehook'), input, g.timeoutMs * 2),
  ]);
  const problems: string[] = [];
  if (q.exit !== `exit ${g.exit}`) problems.push(`QEMU ended with ${q.exit}, expected exit ${g.exit}`);
  if (t.exit !== q.exit) problems.push(`tracehook ${t.exit}, QEMU ${q.exit}${t.exit !== 'exit 0' ? ` (${t.stderr.toString('latin1').trim().split('\n').pop()})` : ''}`);
  if (g.machine !== 'microbit' && !t.stdout.equals(q.stdout)) problems.push(`stdout differs ${firstDiff(t.stdout, q.stdout)}`);
  if (!t.stderr.equals(q.stderr)) problems.push(`stderr differs ${firstDiff(t.stderr, q.stderr)}`);
  if (!g.hostTimedLog && t.intLog !== q.intLog) problems.push(`-d int log differs ${firstDiff(t.intLog, q.intLog)}`);
  return problems;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let only: string[] | undefined;
  let keep: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = (args[++i] ?? '').split(',');
    else if (args[i] === '--keep') keep = args[++i];
    else { process.stderr.write(`test-qemu (arm): unknown option ${args[i]}\n`); return 2; }
  }
  if (!existsSync(CLI)) { process.stderr.write('test-qemu (arm): dist/cli/arm.js missing: run npm run build\n'); return 2; }
  const work = keep ?? mkdtempSync(join(tmpdir(), 'arm-test-qemu-'));
  let passed = 0, failed = 0, skipped = 0;
  try {
    for (const g of ARM_GUESTS) {
      if (only && !only.includes(g.name)) continue;
      const missing = KNOWN_MISSING[g.name];
      if (missing !== undefined) { skipped++; process.stdout.write(`skip arm ${g.name}: ${missing}\n`); continue; }
      const problems = await check(g, work);
      if (problems.length) { failed++; process.stdout.write(`FAIL arm ${g.name}: ${problems.join('; ')}\n`); }
      else {
        passed++;
        const note = g.machine === 'microbit' ? ' (tracehook on mps2-an385 -cpu cortex-m0)' : g.hostTimedLog ? ' (-d int log host-timed: not compared)' : '';
        process.stdout.write(`ok   arm ${g.name}: exit, stdout, stderr${g.hostTimedLog ? '' : ', -d int'} identical${note}\n`);
      }
    }
    // Timer-driven guests again at another icount shift (2^3 ns per instruction: SysTick and the
    // CMSDK timers then tick every 5 instructions instead of 40).
    for (const name of SHIFT3_GUESTS) {
      const g = ARM_GUESTS.find((x) => x.name === name);
      if (g === undefined || (only && !only.includes(g.name))) continue;
      const problems = await check(g, work, 3);
      if (problems.length) { failed++; process.stdout.write(`FAIL arm ${g.name} (shift=3): ${problems.join('; ')}\n`); }
      else { passed++; process.stdout.write(`ok   arm ${g.name} (-icount shift=3): exit, stdout, stderr, -d int identical\n`); }
    }
  } finally {
    if (keep === undefined) rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`arm: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed ? 1 : 0;
}

main().then((c) => { process.exitCode = c; }, (e: Error) => { process.stderr.write(`test-qemu (arm): ${e.stack}\n`); process.exitCode = 1; });
