/** Runs a list of cases as one program on both emulators and compares them case by case. */
import type { Case } from './gen.js';
import type { Xlen } from './layout.js';
import { compareCase, type CaseCompare, type CaseOut, type FieldDiff } from './output.js';
import { buildProgram, type Program } from './program.js';
import { insnAt, mnemonicAt } from './report.js';
import { runBoth, type BothResult, type EmuConfig } from './run.js';

export interface Verdict {
  /** Compared: the comparison; else undefined (the run stopped before this case). */
  cmp?: CaseCompare;
  q?: CaseOut;
  t?: CaseOut;
}

export interface Evaluation {
  prog: Program;
  both: BothResult;
  verdicts: Verdict[];
  /**
   * Index of the first case not compared because a run stopped early (crash, timeout, trap storm,
   * missing output), if any; its verdict then holds a `run` difference unless both stopped alike.
   */
  stoppedAt?: number;
}

export interface EvalOptions { icount: boolean }

function tailOf(s: { exit: string; out: { tail: string }; run: { stderr: Buffer } }): string {
  const t = s.out.tail.trim();
  const e = s.run.stderr.toString().trim().split('\n').slice(-3).join(' | ');
  return [s.exit, t !== '' ? `uart: ${JSON.stringify(t.slice(0, 120))}` : '', e !== '' ? `stderr: ${e.slice(0, 300)}` : ''].filter((x) => x).join('; ');
}

export async function evaluate(xlen: Xlen, cases: Case[], cfg: EmuConfig, opts: EvalOptions): Promise<Evaluation> {
  const prog = buildProgram(xlen, cases);
  const both = await runBoth(xlen, prog.bytes, cfg);
  const qs = both.qemu.out.cases, ts = both.tracehook.out.cases;
  const verdicts: Verdict[] = [];
  let stoppedAt: number | undefined;
  for (let i = 0; i < cases.length; i++) {
    const q = qs[i], t = ts[i];
    if (q !== undefined && t !== undefined) {
      verdicts.push({ cmp: compareCase(xlen, q, t, (a) => insnAt(prog, a), { icount: opts.icount, mnemonic: (a) => mnemonicAt(prog, a) }), q, t });
      continue;
    }
    stoppedAt = i;
    const qd = tailOf(both.qemu), td = tailOf(both.tracehook);
    const bothStopped = q === undefined && t === undefined;
    if (bothStopped && both.qemu.out.tail === both.tracehook.out.tail && both.qemu.run.code === both.tracehook.run.code && !both.qemu.run.timedOut && !both.tracehook.run.timedOut) {
      verdicts.push({}); // both ended the same way (e.g. both trap storms): nothing to compare
    } else {
      const d: FieldDiff = { kind: 'run', field: 'run', qemu: q !== undefined ? 'completed the case' : qd, tracehook: t !== undefined ? 'completed the case' : td };
      verdicts.push({ cmp: { diffs: [d], accepted: [] }, ...(q ? { q } : {}), ...(t ? { t } : {}) });
    }
    break;
  }
  // A run killed by its timeout after printing every case (a loaded machine: the exit sequence
  // did not finish in time) says nothing about the last case: it runs again in a later batch
  // (cli.ts retries the cases from `stoppedAt` on after a timeout) instead of being blamed.
  if (stoppedAt === undefined && cases.length > 1 && (both.qemu.run.timedOut || both.tracehook.run.timedOut)) {
    stoppedAt = cases.length - 1;
    verdicts.length = stoppedAt;
  }
  // if both runs completed but one printed trailing garbage / exited badly, flag the last case
  if (stoppedAt === undefined && (!both.qemu.ok || !both.tracehook.ok) && cases.length > 0) {
    const v = verdicts[cases.length - 1]!;
    const d: FieldDiff = { kind: 'run', field: 'exit', qemu: tailOf(both.qemu), tracehook: tailOf(both.tracehook) };
    if (both.qemu.exit !== both.tracehook.exit || both.qemu.out.tail !== both.tracehook.out.tail) v.cmp = { diffs: [...(v.cmp?.diffs ?? []), d], accepted: v.cmp?.accepted ?? [] };
  }
  return { prog, both, verdicts, ...(stoppedAt !== undefined ? { stoppedAt } : {}) };
}
