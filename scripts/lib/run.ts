/** Runs one emulator process with a timeout, capturing stdout and stderr as bytes. */
import { spawn } from 'node:child_process';

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

export function runProcess(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: string | undefined;
    // Own process group, so a timeout kills exactly this run (and anything it started), by id.
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      resolve({
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code: timedOut ? null : code,
        signal: timedOut ? null : signal,
        timedOut,
        ...(spawnError !== undefined ? { spawnError } : {}),
        ms: Date.now() - t0,
      });
    };
    child.on('error', (e) => {
      spawnError = e.message;
      if (child.pid === undefined) finish(null, null); // never started: no 'close' to wait for
    });
    child.on('close', finish);
  });
}

/** One-line description of how a run ended. */
export function describeExit(r: RunResult, timeoutMs: number): string {
  if (r.spawnError !== undefined) return `failed to start (${r.spawnError})`;
  if (r.timedOut) return `timeout after ${timeoutMs / 1000} s`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit ${r.code}`;
}
