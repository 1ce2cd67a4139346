/**
 * Helpers for the end-to-end tests: run the built CLI (`dist/cli/<arch>.js`) as a child process
 * and collect what it printed. The tests assume `dist/` is up to date (`npm test` builds first
 * through its `pretest` script; when running one file by hand, `npm run build` first).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export type Arch = 'riscv64' | 'riscv32';
export const ARCHES: readonly Arch[] = ['riscv32', 'riscv64'];

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GUEST_DIR = join(ROOT, 'guests', 'riscv');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** `rv32` / `rv64`, as in the guest file names. */
export function xlenTag(arch: Arch): 'rv32' | 'rv64' {
  return arch === 'riscv64' ? 'rv64' : 'rv32';
}

/** Absolute path of a bundled guest, e.g. `guest('timer', 'riscv64')` → `.../guests/riscv/timer.rv64.elf`. */
export function guest(name: string, arch: Arch): string {
  return join(GUEST_DIR, `${name}.${xlenTag(arch)}.elf`);
}

/** Names of the bundled guests: every `NAME` with a `NAME.rv32.elf` or `NAME.rv64.elf`, sorted. */
export function guestNames(): string[] {
  const names = new Set<string>();
  for (const f of readdirSync(GUEST_DIR)) {
    const m = /^(.+)\.rv(?:32|64)\.elf$/.exec(f);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

/** The flags every bare-metal run uses: QEMU's `virt`, no firmware, console on stdio. */
export const BARE = ['-M', 'virt', '-bios', 'none', '-nographic'] as const;

export interface RunResult {
  /** Exit status; null if the process was killed by a signal (see `signal`, `timedOut`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The process outlived `timeoutMs` and was killed. */
  timedOut: boolean;
  /** Wall-clock run time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  /** Bytes for the guest's stdin; without it stdin is closed at once (EOF). */
  input?: string | Uint8Array;
  /** Kill the process (SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

function cliPath(arch: Arch): string {
  const p = join(ROOT, 'dist', 'cli', `${arch}.js`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first (npm test does it in pretest)`);
  return p;
}

/** Run `node dist/cli/<arch>.js ...args` and collect its exit status and output. */
export function runCli(arch: Arch, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(arch), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    // The CLI may exit before reading its input: a broken pipe here is not an error.
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code, signal, timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - start,
      });
    });
  });
}

/** One-line summary of a run for assertion messages. */
export function describeRun(r: RunResult): string {
  const status = r.timedOut ? `killed after ${Math.round(r.ms)} ms (timeout)` : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  const tail = (s: string) => (s.length > 2000 ? '...' + s.slice(-2000) : s);
  return `${status}\n--- stdout:\n${tail(r.stdout)}\n--- stderr:\n${tail(r.stderr)}`;
}

/**
 * Assert the CLI failed the way every user error must: within its time limit, a nonzero exit
 * status, and exactly one line on stderr that starts with `<prog>: ` and is no stack trace.
 * Returns the message after the prefix.
 */
export function assertOneLineError(r: RunResult, arch: Arch): string {
  const prog = `tracehook-${arch}`;
  assert.ok(!r.timedOut, `did not finish in time: ${describeRun(r)}`);
  assert.equal(r.signal, null, describeRun(r));
  assert.notEqual(r.code, 0, `expected a nonzero exit status: ${describeRun(r)}`);
  assert.ok(!/^ {4}at /m.test(r.stderr), `stack trace on stderr: ${describeRun(r)}`);
  assert.ok(r.stderr.endsWith('\n'), `stderr must end with a newline: ${JSON.stringify(r.stderr)}`);
  const lines = r.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `expected exactly one line on stderr, got ${lines.length}: ${describeRun(r)}`);
  assert.ok(lines[0]!.startsWith(`${prog}: `), `stderr must start with '${prog}: ': ${JSON.stringify(lines[0])}`);
  return lines[0]!.slice(prog.length + 2);
}

/** sha256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
