/** Runs a program on tracehook and on QEMU 7.2 (in parallel) and parses both outputs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, runProcess, type RunResult } from '../lib/run.js';
import { parseOutput, type ParsedOutput } from './output.js';
import type { Xlen } from './layout.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface EmuConfig {
  timeoutMs: number;
  /** QEMU's -cpu per XLEN (see probe.ts). */
  qemuCpu: Record<Xlen, string>;
}

export interface SideResult {
  run: RunResult;
  out: ParsedOutput;
  /** How the run ended, in words. */
  exit: string;
  /** True if the program ran to its end and exited through the finisher with status 0. */
  ok: boolean;
}

let tmp: string | undefined;
let seq = 0;
function tmpFile(ext: string): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'tracehook-fuzz-'));
  return join(tmp, `p${process.pid}-${seq++}.${ext}`);
}
process.on('exit', () => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

/** `--cpu`: extension switches given to both emulators (`PROP=VALUE,...` after the model), or '' for the defaults. */
export const cpuSwitches = { props: '' };

/** `-cpu` for `xlen` with the `--cpu` switches (QEMU: always without H, which tracehook lacks). */
export function cpuArg(xlen: Xlen, forQemu: boolean): string | undefined {
  const p = cpuSwitches.props;
  if (p === '') return undefined;
  return `rv${xlen},${forQemu && !/(^|,)h=/.test(p) ? 'h=off,' : ''}${p}`;
}

export function tracehookCommand(xlen: Xlen, bin: string): { cmd: string; args: string[] } {
  const cpu = cpuArg(xlen, false);
  return {
    cmd: process.execPath,
    args: [join(ROOT, 'dist', 'cli', `riscv${xlen}.js`), '-M', 'virt', ...(cpu !== undefined ? ['-cpu', cpu] : []), '-bios', 'none', '-nographic', '-kernel', bin, '-icount', 'shift=0,sleep=off'],
  };
}

export function qemuCommand(xlen: Xlen, bin: string, cpu: string): { cmd: string; args: string[] } {
  return {
    cmd: `qemu-system-riscv${xlen}`,
    args: ['-M', 'virt', '-cpu', cpu, '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-kernel', bin, '-icount', 'shift=0,sleep=off'],
  };
}

async function runSide(cmd: { cmd: string; args: string[] }, timeoutMs: number): Promise<SideResult> {
  const stdoutPath = tmpFile('out'), stderrPath = tmpFile('err');
  const run = await runProcess(cmd.cmd, cmd.args, { cwd: ROOT, timeoutMs, stdoutPath, stderrPath });
  rmSync(stdoutPath, { force: true });
  rmSync(stderrPath, { force: true });
  const text = run.stdout.toString('latin1');
  const out = parseOutput(text);
  const exit = describeExit(run, timeoutMs);
  return { run, out, exit, ok: run.code === 0 && !run.timedOut && out.tail.trim() === '' };
}

export interface BothResult { qemu: SideResult; tracehook: SideResult; ms: number }

/** Runs `bytes` (a raw image for 0x80000000) on both emulators at once. */
export async function runBoth(xlen: Xlen, bytes: Uint8Array, cfg: EmuConfig): Promise<BothResult> {
  const bin = tmpFile('bin');
  writeFileSync(bin, bytes);
  const t0 = Date.now();
  try {
    const [qemu, tracehook] = await Promise.all([
      runSide(qemuCommand(xlen, bin, cfg.qemuCpu[xlen]), cfg.timeoutMs),
      runSide(tracehookCommand(xlen, bin), cfg.timeoutMs),
    ]);
    return { qemu, tracehook, ms: Date.now() - t0 };
  } finally {
    rmSync(bin, { force: true });
  }
}

/** Runs on tracehook only (probing). */
export async function runTracehook(xlen: Xlen, bytes: Uint8Array, timeoutMs: number): Promise<SideResult> {
  const bin = tmpFile('bin');
  writeFileSync(bin, bytes);
  try {
    return await runSide(tracehookCommand(xlen, bin), timeoutMs);
  } finally {
    rmSync(bin, { force: true });
  }
}
