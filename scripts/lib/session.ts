/**
 * An interactive emulator session for scripts: the process gets a pipe on stdin (kept open, so
 * the guest can be typed at) and writes stdout and stderr to regular files, which are polled.
 *
 * Why files and not pipes for the output: QEMU's stdio chardev makes its stdout non-blocking, and a
 * console byte that meets a full pipe (EAGAIN) is retried from QEMU's main loop while the guest polls
 * the UART, so what the guest does could depend on how fast the reader drains the pipe. A regular
 * file never blocks. (See also lib/run.ts.)
 *
 * The process runs in its own process group; {@link Session.kill} signals exactly that group, by id
 * (SIGTERM, then SIGKILL after a grace period), and {@link killAllSessions} does so for every session
 * still alive (used from `finally` blocks and signal handlers, so no emulator is ever left running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

export interface SessionOptions {
  cwd: string;
  stdoutPath: string;
  stderrPath: string;
  env?: NodeJS.ProcessEnv;
  /** Poll interval for the output file, ms (default 25). */
  pollMs?: number;
}

/** What {@link Session.waitFor} saw: the condition held, the process ended first, or time ran out. */
export type WaitResult = { kind: 'match'; ms: number } | { kind: 'exit'; ms: number } | { kind: 'timeout'; ms: number };

const live = new Set<Session>();

export class Session {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far (latin1: one char per byte). */
  out = '';
  /** Set once the process has exited (or could not be started). */
  exit: ExitInfo | undefined;
  spawnError: string | undefined;
  /** Set when {@link kill} ended the process (its exit status is then ours, not the guest's). */
  killedByUs = false;
  readonly t0 = Date.now();
  private readonly outFd: number;
  private readonly errFd: number;
  private readonly readFd: number;
  private readonly buf = Buffer.alloc(1 << 16);
  private readonly exited: Promise<void>;
  private readonly pollMs: number;

  constructor(readonly cmd: string, readonly args: string[], private readonly opts: SessionOptions) {
    this.pollMs = opts.pollMs ?? 25;
    this.outFd = openSync(opts.stdoutPath, 'w');
    this.errFd = openSync(opts.stderrPath, 'w');
    this.readFd = openSync(opts.stdoutPath, 'r');
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', this.outFd, this.errFd],
      detached: true, // own process group: kill() reaches exactly this run
    });
    live.add(this);
    // Writes after the process is gone fail with EPIPE: nothing to do then.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise<void>((resolve) => {
      this.child.on('error', (e) => {
        this.spawnError = e.message;
        if (this.child.pid === undefined) {
          this.exit = { code: null, signal: null, ms: Date.now() - this.t0 };
          this.finish();
          resolve();
        }
      });
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal, ms: Date.now() - this.t0 };
        this.finish();
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private closed = false;
  private finish(): void {
    live.delete(this);
    this.poll();
    if (this.closed) return;
    this.closed = true;
    for (const fd of [this.outFd, this.errFd, this.readFd]) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
  }

  /** Reads whatever the process appended to its stdout file since the last poll. */
  poll(): void {
    if (this.closed) return;
    for (;;) {
      const n = readSync(this.readFd, this.buf, 0, this.buf.length, null);
      if (n <= 0) return;
      this.out += this.buf.toString('latin1', 0, n);
    }
  }

  /** Types `text` (bytes, latin1) on the process's stdin. */
  send(text: string): void {
    if (this.exit || !this.child.stdin || this.child.stdin.destroyed) return;
    this.child.stdin.write(Buffer.from(text, 'latin1'));
  }

  /**
   * Polls stdout until `cond(out)` holds, the process exits, or `timeoutMs` passes. `ms` counts from
   * the call. The output is polled one last time after an exit, so a final prompt is not missed.
   */
  async waitFor(cond: (out: string) => boolean, timeoutMs: number): Promise<WaitResult> {
    const start = Date.now();
    for (;;) {
      this.poll();
      if (cond(this.out)) return { kind: 'match', ms: Date.now() - start };
      if (this.exit) return { kind: 'exit', ms: Date.now() - start };
      if (Date.now() - start >= timeoutMs) return { kind: 'timeout', ms: Date.now() - start };
      await new Promise<void>((r) => setTimeout(r, this.pollMs));
    }
  }

  /** Waits for the process to exit on its own, up to `timeoutMs`; true if it did. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exit) return true;
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const done = await Promise.race([this.exited.then(() => true), t]);
    clearTimeout(timer);
    return done;
  }

  /**
   * Ends the process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once the process has
   * exited (or, if even SIGKILL goes unanswered, after a further 2 s).
   */
  async kill(graceMs = 2000): Promise<void> {
    if (this.exit) return;
    this.killedByUs = true;
    this.signal('SIGTERM');
    if (await this.waitExit(graceMs)) return;
    this.signal('SIGKILL');
    await this.waitExit(2000);
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** Synchronous last resort (process exit handlers): SIGKILL the group. */
  killNow(): void {
    if (this.exit) return;
    this.killedByUs = true;
    this.signal('SIGKILL');
  }

  /** One-line description of how the process ended (or that it is still running). */
  describeExit(): string {
    if (this.spawnError !== undefined && this.child.pid === undefined) return `failed to start (${this.spawnError})`;
    const e = this.exit;
    if (!e) return 'still running';
    const how = e.signal ? `killed by ${e.signal}` : `exit ${e.code}`;
    return this.killedByUs ? `${how} (stopped by the script)` : how;
  }
}

/** Kills every session still running (SIGTERM, then SIGKILL), in parallel. */
export async function killAllSessions(): Promise<void> {
  await Promise.all([...live].map((s) => s.kill()));
}

let handlersInstalled = false;
/**
 * On SIGINT/SIGTERM/SIGHUP, and at process exit, kill every live session so no emulator outlives
 * the script. Idempotent.
 */
export function installSessionCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const s of live) s.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      for (const s of live) s.killNow();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}
