/**
 * Shrinks a differing case: drops items (ddmin over the item list, each round's candidates run
 * as one program with one case per candidate), then the FP state / page tables if not needed,
 * then zeroes initial registers that do not matter.
 * "Still differs" = output.diffKey is unchanged: the same instruction and behaviours where the trap
 * logs diverge, else the same leading kind of difference (run, csrs, data, regs, icount), so that
 * the minimiser does not wander to another bug.
 */
import { DATA, DATA_SIZE } from './layout.js';
import type { Case, Item } from './gen.js';
import { evaluate, type EvalOptions, type Evaluation } from './engine.js';
import { diffKey } from './output.js';
import type { EmuConfig } from './run.js';

export interface MinimizeResult {
  c: Case;
  /** Evaluation of the minimal case run alone. */
  alone: Evaluation;
  runs: number;
  reproducedAlone: boolean;
}

const MAX_PER_RUN = 96;

export async function minimize(
  c0: Case, key: string, cfg: EmuConfig, opts: EvalOptions, log: (s: string) => void, deadline: number,
): Promise<MinimizeResult> {
  let runs = 0;
  const isRun = key === 'run';
  /** Which candidates still show the difference. */
  const test = async (cands: Case[]): Promise<boolean[]> => {
    const res: boolean[] = [];
    const per = isRun ? 1 : MAX_PER_RUN;
    for (let i = 0; i < cands.length; i += per) {
      const part = cands.slice(i, i + per);
      runs++;
      const ev = await evaluate(c0.xlen, part, cfg, opts);
      part.forEach((_, j) => {
        const v = ev.verdicts[j];
        res.push(v?.cmp !== undefined && v.cmp.diffs.length > 0 && diffKey(v.cmp) === key);
      });
      // a passing candidate found: the rest of this round can wait (ddmin takes the first)
      if (res.includes(true)) break;
    }
    return res;
  };

  // 1. items
  let items: Item[] = c0.items;
  const withItems = (its: Item[]): Case => ({ ...c0, items: its });
  let n = 2;
  if (Date.now() < deadline && (await test([withItems([])]))[0]) items = [];
  while (items.length > 0 && Date.now() < deadline) {
    const size = Math.ceil(items.length / n);
    const cands: Case[] = [];
    for (let i = 0; i < items.length; i += size) cands.push(withItems(items.filter((_, j) => j < i || j >= i + size)));
    const ok = await test(cands);
    const k = ok.indexOf(true);
    if (k >= 0) {
      items = cands[k]!.items;
      n = Math.max(n - 1, 2);
      log(`    ${items.length} items`);
      continue;
    }
    if (size === 1) break;
    n = Math.min(items.length, n * 2);
  }
  let c: Case = withItems(items);

  // 1b. the FP state and page tables, if the difference does not need them (without paging
  // items left, the page tables only add the exit gate; without FP state, FS stays off)
  for (const drop of ['pt', 'fp'] as const) {
    if (c[drop] === undefined || Date.now() >= deadline) continue;
    if (drop === 'pt' && c.items.some((it) => it.group === 'paging')) continue;
    const { [drop]: _, ...rest } = c;
    const cand: Case = { ...rest, groups: c.groups.filter((g) => g !== (drop === 'pt' ? 'paging' : 'fp')) };
    if ((await testAll([cand]))[0]) c = cand;
  }

  // 2. initial registers: zero the ones that do not matter (pointers into the data area stay)
  const isPtr = (v: bigint): boolean => v >= DATA && v < DATA + BigInt(DATA_SIZE);
  const zeroable = (cc: Case): number[] => [...Array(32).keys()].filter((r) => r !== 0 && r !== 3 && cc.regs[r] !== 0n && !isPtr(cc.regs[r]!));
  const zeroed = (cc: Case, rs: number[]): Case => ({ ...cc, regs: cc.regs.map((v, r) => (rs.includes(r) ? 0n : v)) });
  for (let round = 0; round < 4 && Date.now() < deadline; round++) {
    const rs = zeroable(c);
    if (rs.length === 0) break;
    const all = zeroed(c, rs);
    const cands = [all, ...rs.map((r) => zeroed(c, [r]))];
    const ok = await testAll(cands);
    if (ok[0]) {
      c = all;
      break;
    }
    const good = rs.filter((_, i) => ok[i + 1]);
    if (good.length === 0) break;
    // the first half of the registers that can go one by one, together
    const half = good.slice(0, Math.max(1, Math.ceil(good.length / 2)));
    const [okHalf] = await testAll([zeroed(c, half)]);
    c = okHalf ? zeroed(c, half) : zeroed(c, [good[0]!]);
  }

  // 3. the minimal case alone
  runs++;
  const alone = await evaluate(c.xlen, [c], cfg, opts);
  const v = alone.verdicts[0];
  const reproducedAlone = v?.cmp !== undefined && v.cmp.diffs.length > 0 && diffKey(v.cmp) === key;
  return { c, alone, runs, reproducedAlone };

  /** Like test, but evaluates every candidate. */
  async function testAll(cands: Case[]): Promise<boolean[]> {
    const res: boolean[] = [];
    const per = isRun ? 1 : MAX_PER_RUN;
    for (let i = 0; i < cands.length; i += per) {
      const part = cands.slice(i, i + per);
      runs++;
      const ev = await evaluate(c0.xlen, part, cfg, opts);
      part.forEach((_, j) => {
        const vv = ev.verdicts[j];
        res.push(vv?.cmp !== undefined && vv.cmp.diffs.length > 0 && diffKey(vv.cmp) === key);
      });
    }
    return res;
  }
}
