/** Runs one emulator process with a timeout, its stdout and stderr going to files. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit code, or null when killed by a signal / timed out / failed to start. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the process could not be started at all. */
  spawnError?: string;
  ms: number;
}

/**
 * Runs `cmd args` in `cwd` with stdin from /dev/null and stdout/stderr written to the files
 * `stdoutPath` / `stderrPath`, not to pipes: QEMU's stdio chardev sets its output non-blocking,
 * and a 16550 byte that meets a full pipe or socket (EAGAIN) is retried from the main loop while
 * the guest polls LSR, so the guest's instruction count (and with -icount, virtual time) would
 * depend on how fast this script drains the pipe. A regular file never blocks.
 */
export function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; timeoutMs: number; stdoutPath: string; stderrPath: string },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const outFd = openSync(opts.stdoutPath, 'w');
    const errFd = openSync(opts.stderrPath, 'w');
    let timedOut = false;
    let spawnError: string | undefined;
    // Own process group, so a timeout kills exactly this run (and anything it started), by id.
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', outFd, errFd], detached: true });
    const kill = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      hardKill = setTimeout(() => kill('SIGKILL'), 2000);
    }, opts.timeoutMs);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      closeSync(outFd);
      closeSync(errFd);
      resolve({
        stdout: readFileSync(opts.stdoutPath),
        stderr: readFileSync(opts.stderrPath),
        code: timedOut ? null : code,
        signal: timedOut ? null : signal,
        timedOut,
        ...(spawnError !== undefined ? { spawnError } : {}),
        ms: Date.now() - t0,
      });
    };
    child.on('error', (e) => {
      spawnError = e.message;
      if (child.pid === undefined) finish(null, null); // never started: no 'exit' to wait for
    });
    child.on('exit', finish);
  });
}

/** One-line description of how a run ended. */
export function describeExit(r: RunResult, timeoutMs: number): string {
  if (r.spawnError !== undefined) return `failed to start (${r.spawnError})`;
  if (r.timedOut) return `timeout after ${timeoutMs / 1000} s`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit ${r.code}`;
}
