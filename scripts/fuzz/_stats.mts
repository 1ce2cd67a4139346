import { generateCase } from './gen.js';
import { selectGroups } from './groups/index.js';
import { evaluate } from './engine.js';
const xlen = Number(process.argv[2]) as 32 | 64, groups = process.argv[3] ?? 'paging', n = Number(process.argv[4] ?? 100);
const flags = new Set((process.env.AVOID ?? '').split(',').filter((x) => x).map((a) => 'avoid:' + a));
const cases = Array.from({ length: n }, (_, i) => generateCase({ xlen, seed: 77, index: i, len: 80, groups: selectGroups(groups), flags }));
const cpu = `rv${xlen},f=on,d=on,h=off,v=off,zba=on,zbb=on,zbc=on,zbs=on,sstc=on`;
const ev = await evaluate(xlen, cases, { timeoutMs: 60000, qemuCpu: { 32: cpu, 64: cpu } }, { icount: true });
const causes = new Map<string, number>(); let data = 0, pt = 0, ptw = 0, diffs = 0, traps = 0;
for (const v of ev.verdicts) {
  if (!v.q) continue;
  if (v.cmp && v.cmp.diffs.length) { diffs++; console.log(ev.verdicts.indexOf(v), JSON.stringify(v.cmp.diffs.slice(0, 4))); }
  traps += v.q.ntraps;
  for (const t of v.q.traps) causes.set(String(t.cause), (causes.get(String(t.cause)) ?? 0) + 1);
  data += v.q.data.size; pt += v.q.pt.size > 0 ? 1 : 0; ptw += v.q.pt.size;
}
console.log({ cases: ev.verdicts.length, diffs, traps, causes: Object.fromEntries([...causes].sort((a, b) => Number(a[0]) - Number(b[0]))), dataWordsChanged: data, casesWithPtChanges: pt, ptWordsChanged: ptw });
