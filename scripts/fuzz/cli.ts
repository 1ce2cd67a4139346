/**
 * Differential fuzzing of tracehook against QEMU 7.2 (see scripts/fuzz-diff.ts for the usage).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateCase, type Case, type Group } from './gen.js';
import { DEFAULT_GROUPS, GROUPS, selectGroups } from './groups/index.js';
import { GP_VALUE, resetCsrs, type Xlen } from './layout.js';
import { evaluate, type Evaluation } from './engine.js';
import { minimize } from './minimize.js';
import { diffKey, signature, type FieldDiff } from './output.js';
import { probeTracehook, qemuCpuFor, type Features } from './probe.js';
import { buildProgram } from './program.js';
import { caseSource, describeDiffs, describeOut, disassembleCase, initialRegs } from './report.js';
import { cpuArg, cpuSwitches, qemuCommand, ROOT, tracehookCommand, type EmuConfig } from './run.js';

/** Newest modification time (ms) of the files under `dir` matching `re`. */
function newest(dir: string, re: RegExp): number {
  let t = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  try {
    walk(dir);
  } catch {
    /* missing */
  }
  return t;
}

function buildInfo(): { dist: number; src: number; head: string } {
  let head = '?';
  try {
    head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  return { dist: newest(join(ROOT, 'dist'), /\.js$/), src: newest(join(ROOT, 'src'), /^(?!.*\.test\.ts$).*\.ts$/), head };
}

/** Generator switches that avoid a known difference (see scripts/fuzz/README.md for the diagnoses). */
export const KNOWN_AVOIDS: Record<string, string> = {
  'sc-fault': 'SC to a misaligned or faulting address that is not the reservation: QEMU 7.2 fails it (rd=1) without checking',
  'sc-cas': 'a store/AMO between LR and SC: QEMU 7.2 SC is a compare-and-swap with the LR value, tracehook drops the reservation',
  'lr-sc-size': 'SC.W after LR.D (and SC.D after LR.W) at one address: QEMU 7.2 compares the LR value at the SC size',
  'pmpcfg': 'pmpcfg writes (RV64 pmpcfg2 maps to entries 4..11 in tracehook; R=0/W=1 and bits 6:5 kept by QEMU)',
  'mhpmevent': 'mhpmevent19..31 (exist in QEMU 7.2 whatever pmu-num; illegal in tracehook)',
  'fault-tval': 'misaligned accesses to unmapped addresses (QEMU 7.2 reports mtval aligned down to the access size)',
  'straddle-store': 'stores straddling the end of RAM (QEMU 7.2 writes the bytes inside RAM, then faults)',
  'wfi': 'wfi that does not sleep (QEMU 7.2 also counts the instructions after it in its translation block: usually 1, 0 at a page end; tracehook always 1)',
  'stce': 'menvcfg.STCE writes (tracehook raises mip.STIP at once, QEMU 7.2 only when stimecmp is written)',
  'rm-icount': 'F/D instructions with a static reserved rounding mode (5, 6): QEMU 7.2 raises illegal instruction at run time and does not count them in icount/minstret, tracehook counts them',
  'mret-nopmp': 'mret to S/U-mode while no PMP entry is active: QEMU 7.2 raises illegal instruction (helper_mret), tracehook returns (and the next fetch fails PMP)',
  'ptr-adu': 'non-leaf PTEs with A, D or U set (reserved): QEMU 7.2 raises a page fault, tracehook walks on',
  'mprv-mret': 'MPRV=1 across a trap: QEMU 7.2 does not flush its TLB when mret changes MPP, so later accesses may use a translation made for the old MPP (with this, MPP is written again before each access)',
  'amo-load': 'AMO/SC through a readable leaf without write permission: QEMU 7.2 translates (and performs) the load first, so it sets A, or reports the load access fault of a hole, before the store page fault',
  'pmp-tor0': 'PMP TOR entries with pmpaddr[i] = 0: QEMU 7.2 makes them match every address (its range end (0 << 2) - 1 wraps), the spec none; seen by S/U-mode and MPRV accesses (with this, the csr group writes no TOR entries)',
  'mmio-misaligned': 'misaligned loads from MMIO (seen when a paging access runs untranslated on a device address): QEMU 7.2 performs them as aligned accesses and combines the bytes, tracehook passes the misaligned offset to the device (UART, PCIe window: 0 or wrong bytes)',
  'irq-prio': 'several interrupts pending and enabled (in S/U-mode): QEMU 7.2 without AIA takes the lowest-numbered one (SSI before MTI), the spec orders MEI, MSI, MTI, SEI, SSI, STI (with this, paging enter items clear mie)',
  'fs-stale': 'mstatus.FS changed by a CSR write: tracehook keeps its translation mode (F/D legality) until something else changes it; with this, such writes are followed by an MXR flip',
};

/**
 * Known QEMU 7.2 bugs that tracehook rightly does not copy, where the comparison cannot simply
 * accept the other behaviour (output.ts ACCEPTED): avoided unless --qemu-bugs.
 */
export const QEMU_BUG_AVOIDS: readonly string[] = ['mprv-mret', 'amo-load', 'pmp-tor0', 'irq-prio'];

/**
 * Known differences tracehook still has (README.md): --fixed avoids them so that the fixed set
 * stays a regression test with 0 differences. Remove a name once tracehook is fixed.
 */
export const OPEN_DIFFERENCES: readonly string[] = [];

const USAGE = `usage: node --import tsx scripts/fuzz-diff.ts [options]
  --seed S          seed (default 1)
  --count N         number of test cases (default 1000; split between XLENs when both)
  --xlen 32|64      only this XLEN (default: both)
  --group NAMES     comma-separated groups, or all (default); groups: ${GROUPS.map((g) => g.name).join(', ')}
  --len L           random instructions per case (default 100)
  --case I          only case I of the seed (with --xlen: reproduce a reported case)
  --batch K         cases per emulator run (default: about 30000 instructions per run)
  --fixed           CI mode: a fixed set of seeds, both XLENs, all groups (under 2 minutes),
                    avoiding the known differences tracehook still has (${OPEN_DIFFERENCES.join(', ')})
  --max-minimize M  minimise at most M differences (distinct signatures; default 8)
  --minimize-time S time budget for all minimisation, seconds (default 300)
  --no-icount       do not compare the instruction counts (I line)
  --avoid NAMES     comma-separated: steer the generator clear of differences already known
                    (so that others show); 'known' = all of: ${Object.keys(KNOWN_AVOIDS).join(', ')}
  --csr-quirks      also write the CSR bits where QEMU 7.2 is known to differ from the spec
                    (H/V/Sscofpmf bits without those extensions, mepc[0], ...: groups/csr.ts)
  --qemu-bugs       also generate what known QEMU 7.2 bugs get wrong (avoided by default:
                    ${QEMU_BUG_AVOIDS.join(', ')})
  --timeout S       per emulator run (default 10)
  --out DIR         where to write reproducers (default: a directory under ${tmpdir()})
  --qemu-cpu CPU    QEMU -cpu (default: probed from tracehook's misa and extensions)
  --cpu CPU         the same -cpu switches on both sides, e.g. rv64,zba=false,c=false (the model is
                    replaced per XLEN; QEMU also gets h=off). Instructions of switched-off
                    extensions are still generated: both sides must find them illegal
  --quiet           no progress lines`;

interface Options {
  seeds: number[];
  count: number;
  xlens: Xlen[];
  groups: string;
  len: number;
  batch?: number;
  maxMinimize: number;
  minimizeTime: number;
  icount: boolean;
  timeout: number;
  out?: string;
  qemuCpu?: string;
  quiet: boolean;
  fixed: boolean;
  csrQuirks: boolean;
  qemuBugs: boolean;
  avoid: string[];
  only?: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seeds: [1], count: 1000, xlens: [64, 32], groups: 'all', len: 100, maxMinimize: 8, minimizeTime: 300, icount: true, timeout: 10, quiet: false, fixed: false, csrQuirks: false, qemuBugs: false, avoid: [] };
  const num = (s: string | undefined, what: string): number => {
    const v = Number(s);
    if (s === undefined || !Number.isFinite(v) || v < 0) throw new Error(`${what} needs a non-negative number`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string | undefined => argv[++i];
    switch (a) {
      case '--seed': o.seeds = [num(v(), a)]; break;
      case '--count': o.count = Math.floor(num(v(), a)); break;
      case '--xlen': {
        const x = v();
        if (x !== '32' && x !== '64') throw new Error('--xlen takes 32 or 64');
        o.xlens = [Number(x) as Xlen];
        break;
      }
      case '--group': case '--groups': o.groups = v() ?? 'all'; break;
      case '--len': o.len = Math.max(0, Math.floor(num(v(), a))); break;
      case '--batch': o.batch = Math.max(1, Math.floor(num(v(), a))); break;
      case '--fixed': o.fixed = true; break;
      case '--case': o.only = Math.floor(num(v(), a)); break;
      case '--max-minimize': o.maxMinimize = Math.floor(num(v(), a)); break;
      case '--minimize-time': o.minimizeTime = num(v(), a); break;
      case '--no-icount': o.icount = false; break;
      case '--csr-quirks': o.csrQuirks = true; break;
      case '--qemu-bugs': o.qemuBugs = true; break;
      case '--avoid': {
        const l = (v() ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
        for (const n of l) {
          if (n === 'known') o.avoid.push(...Object.keys(KNOWN_AVOIDS));
          else if (n in KNOWN_AVOIDS) o.avoid.push(n);
          else throw new Error(`--avoid: unknown '${n}' (known: ${Object.keys(KNOWN_AVOIDS).join(', ')}, known)`);
        }
        break;
      }
      case '--timeout': o.timeout = num(v(), a); break;
      case '--out': o.out = v(); break;
      case '--qemu-cpu': o.qemuCpu = v(); break;
      case '--cpu': {
        const c = v() ?? '';
        cpuSwitches.props = c.split(',').slice(1).join(',');
        break;
      }
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (!o.qemuBugs) o.avoid.push(...QEMU_BUG_AVOIDS.filter((a) => !o.avoid.includes(a)));
  if (o.fixed) {
    // CI: fixed seeds, both XLENs, every group (fp and paging included); about 3600 cases x 60
    // instructions, ~35 s plus at most 45 s of minimising
    o.seeds = [20240601, 20240602, 20240603];
    o.count = 3600;
    o.xlens = [64, 32];
    o.groups = 'all';
    o.len = 60;
    o.maxMinimize = Math.min(o.maxMinimize, 3);
    o.minimizeTime = Math.min(o.minimizeTime, 45);
    o.avoid.push(...OPEN_DIFFERENCES.filter((a) => !o.avoid.includes(a)));
  }
  return o;
}

interface Spec { xlen: Xlen; seed: number; index: number }

interface DiffRecord {
  spec: Spec;
  c: Case;
  diffs: FieldDiff[];
  sig: string;
  key: string;
}

const fmtN = (n: number): string => n.toLocaleString('en-US');

/** Executed random instructions of a case, from QEMU's counts: calibrated per XLEN. */
interface Calib { base: bigint; perTrap: bigint }

async function calibrate(xlen: Xlen, cfg: EmuConfig, opts: { icount: boolean }): Promise<Calib> {
  const mk = (asm: string[]): Case => ({
    xlen, name: 'calibration', regs: Array.from({ length: 32 }, (_, r) => (r === 3 ? GP_VALUE : 0n)), data: new Uint8Array(4096),
    items: asm.map((a, i) => ({ idx: i, group: 'calib', asm: [a], size: 4, ninsn: 1 })), groups: [],
  });
  const ev = await evaluate(xlen, [mk([]), mk(['ecall'])], cfg, opts);
  const [e0, e1] = ev.verdicts;
  if (e0?.q === undefined || e1?.q === undefined) throw new Error(`calibration run failed on QEMU: ${ev.both.qemu.exit} ${ev.both.qemu.run.stderr.toString().slice(0, 500)}`);
  const base = e0.q.icount - e0.q.hcount;
  const perTrap = e1.q.icount - e1.q.hcount - base - 1n;
  return { base, perTrap };
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const t0 = Date.now();
  const build0 = buildInfo();
  const log = (s: string): void => {
    if (!o.quiet) console.log(s);
  };
  const cfg: EmuConfig = { timeoutMs: o.timeout * 1000, qemuCpu: { 32: 'rv32', 64: 'rv64' } };
  const feats = new Map<Xlen, Features>();
  const calib = new Map<Xlen, Calib>();
  const groupsFor = new Map<Xlen, Group[]>();
  for (const xlen of o.xlens) {
    const f = await probeTracehook(xlen, Math.max(cfg.timeoutMs, 20_000));
    feats.set(xlen, f);
    cfg.qemuCpu[xlen] = o.qemuCpu ?? cpuArg(xlen, true) ?? qemuCpuFor(xlen, f);
    let groups: Group[];
    try {
      groups = selectGroups(o.groups);
    } catch (e) {
      console.error((e as Error).message);
      return 2;
    }
    groupsFor.set(xlen, groups.filter((g) => g.xlens === undefined || g.xlens.includes(xlen)));
    calib.set(xlen, await calibrate(xlen, { ...cfg, timeoutMs: Math.max(cfg.timeoutMs, 20_000) }, o));
  }
  const outDir = o.out ?? join(tmpdir(), `tracehook-fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  console.log(`fuzz-diff: seeds ${o.seeds.join(',')}, ${fmtN(o.count)} cases x ${o.len} instructions, groups ${o.groups === 'all' ? DEFAULT_GROUPS.join(',') : o.groups}${o.avoid.length ? `, avoiding ${[...new Set(o.avoid)].join(',')}` : ''}${o.csrQuirks ? ', with CSR quirks' : ''}`);
  console.log(`  tracehook: dist/ built ${new Date(build0.dist).toISOString()}, git ${build0.head}${build0.src > build0.dist ? ' (WARNING: src/ has changes newer than dist/: npm run build)' : ''}`);
  for (const xlen of o.xlens) {
    const q = qemuCommand(xlen, 'X', cfg.qemuCpu[xlen]), t = tracehookCommand(xlen, 'X');
    console.log(`  RV${xlen}: qemu: ${q.cmd} ${q.args.join(' ')}`);
    console.log(`  RV${xlen}: tracehook: node ${t.args.map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`);
  }

  // the cases: count split over seeds and XLENs, interleaved so that a short run covers both
  const specs: Spec[] = [];
  const perSeed = Math.ceil(o.count / o.seeds.length);
  for (const seed of o.seeds) {
    for (let i = 0; i < perSeed && specs.length < o.count; i++) {
      const xlen = o.xlens[i % o.xlens.length]!;
      specs.push({ xlen, seed, index: Math.floor(i / o.xlens.length) });
    }
  }
  const flags = new Set<string>([...(o.csrQuirks ? ['qemu-quirks'] : []), ...o.avoid.map((a) => 'avoid:' + a),
    ...(/(^|,)c=(off|false|no)(,|$)/.test(cpuSwitches.props) ? ['no-rvc'] : [])]);
  if (o.only !== undefined) {
    specs.length = 0;
    for (const seed of o.seeds) for (const xlen of o.xlens) specs.push({ xlen, seed, index: o.only });
  }
  const gen = (s: Spec): Case => generateCase({ xlen: s.xlen, seed: s.seed, index: s.index, len: o.len, groups: groupsFor.get(s.xlen)!, flags });
  let batchSize = o.batch ?? Math.max(1, Math.min(400, Math.floor(30000 / Math.max(10, o.len))));

  // queue per XLEN; batches alternate
  const queues = new Map<Xlen, Spec[]>(o.xlens.map((x) => [x, specs.filter((s) => s.xlen === x)]));
  const stats = { cases: 0, generated: 0, executed: 0n, runs: 0, accepted: new Map<string, number>(), bothStopped: 0 };
  /** Generated instructions per XLEN and group, and cases per XLEN with an fp / paging set-up. */
  const perGroup = new Map<string, number>();
  const perSetup = new Map<string, number>();
  const diffs: DiffRecord[] = [];
  const next = (): { xlen: Xlen; specs: Spec[]; cases: Case[] } | undefined => {
    let best: Xlen | undefined;
    for (const x of o.xlens) if ((queues.get(x)?.length ?? 0) > 0 && (best === undefined || queues.get(x)!.length > queues.get(best)!.length)) best = x;
    if (best === undefined) return undefined;
    const q = queues.get(best)!;
    const take = q.splice(0, batchSize);
    return { xlen: best, specs: take, cases: take.map(gen) };
  };
  let pending = next();
  let lastLog = 0;
  while (pending !== undefined) {
    const cur = pending;
    const running = evaluate(cur.xlen, cur.cases, cfg, o);
    // generate the next batch while this one runs
    await new Promise((r) => setImmediate(r));
    pending = next();
    let ev: Evaluation;
    try {
      ev = await running;
    } catch (e) {
      console.error(`internal error building/running a batch (RV${cur.xlen}, ${cur.specs[0]!.seed}/${cur.specs[0]!.index}...): ${(e as Error).stack}`);
      return 3;
    }
    stats.runs++;
    const cal = calib.get(cur.xlen)!;
    // a run that timed out (a loaded machine, a batch too big) does not blame its case unless alone
    const retry = ev.stoppedAt !== undefined && cur.specs.length > 1 && (ev.both.qemu.run.timedOut || ev.both.tracehook.run.timedOut);
    if (retry) {
      batchSize = Math.max(1, Math.floor(Math.min(batchSize, cur.specs.length) / 2));
      log(`  a run timed out at case ${ev.stoppedAt} of ${cur.specs.length} (${ev.both.qemu.exit} / ${ev.both.tracehook.exit}): retrying the rest in batches of ${batchSize}`);
    }
    ev.verdicts.forEach((v, i) => {
      if (retry && i >= ev.stoppedAt!) return;
      const c = cur.cases[i]!;
      stats.cases++;
      stats.generated += c.items.reduce((a, it) => a + it.ninsn, 0);
      for (const it of c.items) perGroup.set(`${cur.xlen} ${it.group}`, (perGroup.get(`${cur.xlen} ${it.group}`) ?? 0) + it.ninsn);
      perSetup.set(`${cur.xlen} cases`, (perSetup.get(`${cur.xlen} cases`) ?? 0) + 1);
      if (c.fp) perSetup.set(`${cur.xlen} fp`, (perSetup.get(`${cur.xlen} fp`) ?? 0) + 1);
      if (c.pt) perSetup.set(`${cur.xlen} paging`, (perSetup.get(`${cur.xlen} paging`) ?? 0) + 1);
      if (v.q !== undefined) {
        const ex = v.q.icount - v.q.hcount - cal.base - BigInt(v.q.ntraps) * cal.perTrap;
        if (ex > 0n) stats.executed += ex;
      }
      for (const a of v.cmp?.accepted ?? []) {
        const k = a.replace(/ \(epc .*\)$/, '');
        stats.accepted.set(k, (stats.accepted.get(k) ?? 0) + 1);
      }
      if (v.cmp === undefined) {
        stats.bothStopped++;
        return;
      }
      if (v.cmp.diffs.length > 0) {
        diffs.push({ spec: cur.specs[i]!, c, diffs: v.cmp.diffs, sig: signature(v.cmp), key: diffKey(v.cmp) });
      }
    });
    if (ev.stoppedAt !== undefined) {
      // the cases after the one where a run stopped go again, in a later batch
      const rest = cur.specs.slice(ev.stoppedAt + (retry ? 0 : 1));
      if (rest.length > 0) {
        queues.get(cur.xlen)!.unshift(...rest);
        if (pending === undefined) pending = next();
      }
    }
    if (Date.now() - lastLog > 5000 || pending === undefined) {
      lastLog = Date.now();
      log(`  ${fmtN(stats.cases)}/${fmtN(o.count)} cases, ${fmtN(stats.generated)} instructions (${fmtN(Number(stats.executed))} executed), ${diffs.length} differing, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const fuzzSeconds = (Date.now() - t0) / 1000;

  // minimise the first difference of each signature
  const bySig = new Map<string, DiffRecord[]>();
  for (const d of diffs) bySig.set(d.sig, [...(bySig.get(d.sig) ?? []), d]);
  const deadline = Date.now() + o.minimizeTime * 1000;
  let reported = 0;
  let notMin = 0;
  const minimizedKeys = new Map<string, number>();
  if (diffs.length > 0) {
    mkdirSync(outDir, { recursive: true });
    console.log(`\n${diffs.length} differing case(s), ${bySig.size} signature(s); reproducers in ${outDir}`);
  }
  for (const [sig, recs] of bySig) {
    const d = recs[0]!;
    if (reported >= o.maxMinimize || Date.now() > deadline) {
      notMin++;
      if (notMin <= 40) {
        console.log(`\n=== not minimised: ${recs.length} case(s) with signature [${sig}], e.g. --seed ${d.spec.seed} --xlen ${d.spec.xlen} --case ${d.spec.index}`);
        console.log(describeDiffs(d.diffs, 3).join('\n'));
      }
      continue;
    }
    reported++;
    console.log(`\n=== difference ${reported}: [${sig}] in ${recs.length} case(s); first: RV${d.spec.xlen} seed ${d.spec.seed} case ${d.spec.index} (--seed ${d.spec.seed} --xlen ${d.spec.xlen} --case ${d.spec.index}${o.len !== 100 ? ` --len ${o.len}` : ''}${o.groups !== 'all' ? ` --group ${o.groups}` : ''}${o.avoid.length ? ` --avoid ${[...new Set(o.avoid)].join(',')}` : ''}${o.csrQuirks ? ' --csr-quirks' : ''}${o.qemuBugs ? ' --qemu-bugs' : ''})`);
    console.log(`  minimising (${d.c.items.length} items, keeping the difference '${d.key}')...`);
    const m = await minimize(d.c, d.key, cfg, o, (s) => { if (!o.quiet && process.stdout.isTTY) process.stdout.write(`\r${s}   `); }, deadline);
    if (process.stdout.isTTY && !o.quiet) process.stdout.write('\r');
    const v = m.alone.verdicts[0];
    const prev = minimizedKeys.get(sigOfMin(m.c));
    minimizedKeys.set(sigOfMin(m.c), reported);
    console.log(`  minimal: ${m.c.items.length} item(s), ${m.runs} runs${m.reproducedAlone ? '' : ' (NOT reproduced when run alone: output below is from the lone run)'}${prev !== undefined ? `; same minimal sequence as difference ${prev}` : ''}`);
    console.log(disassembleCase(m.alone.prog, 0).join('\n'));
    console.log(`  initial registers (non-zero): ${initialRegs(m.c)}`);
    // FP state and page tables of the case (also in the .S file)
    for (const l of caseSource(m.c).split('\n').filter((x) => /^# (FP state|  |paging|window|pointer)/.test(x))) console.log('  ' + l.slice(2));
    console.log('  differences:');
    console.log(describeDiffs(v?.cmp?.diffs ?? d.diffs).join('\n'));
    const names = resetCsrs(d.spec.xlen).map((c) => c.name);
    console.log('  qemu:');
    console.log(describeOut(d.spec.xlen, v?.q, names).join('\n'));
    console.log('  tracehook:');
    console.log(describeOut(d.spec.xlen, v?.t, names).join('\n'));
    if (v?.q === undefined || v.t === undefined) {
      console.log(`  qemu run: ${m.alone.both.qemu.exit}; tracehook run: ${m.alone.both.tracehook.exit}`);
      const err = m.alone.both.tracehook.run.stderr.toString().trim();
      if (err) console.log('  tracehook stderr: ' + err.split('\n').slice(0, 10).join('\n    '));
    }
    const base = join(outDir, `diff${reported}.rv${d.spec.xlen}`);
    writeFileSync(base + '.bin', buildProgram(d.spec.xlen, [m.c]).bytes);
    writeFileSync(base + '.S', caseSource(m.c) + '\n# disassembly\n' + disassembleCase(m.alone.prog, 0).map((l) => '#' + l).join('\n') + '\n');
    const q = qemuCommand(d.spec.xlen, base + '.bin', cfg.qemuCpu[d.spec.xlen]), t = tracehookCommand(d.spec.xlen, base + '.bin');
    console.log(`  reproduce: ${q.cmd} ${q.args.join(' ')}`);
    console.log(`             node ${t.args.join(' ')}`);
  }

  if (notMin > 40) console.log(`\n(${notMin - 40} more signatures not minimised)`);
  const build1 = buildInfo();
  if (build1.dist !== build0.dist) console.log(`\nWARNING: dist/ was rebuilt during this run (${new Date(build1.dist).toISOString()}): results may mix two builds`);
  const accepted = [...stats.accepted].map(([k, n]) => `${n} x ${k}`).join('; ');
  console.log(`\ntotals: ${fmtN(stats.cases)} cases, ${fmtN(stats.generated)} random instructions generated, ${fmtN(Number(stats.executed))} executed (QEMU's count), ${stats.runs} runs per emulator, ${fuzzSeconds.toFixed(1)} s fuzzing + ${((Date.now() - t0) / 1000 - fuzzSeconds).toFixed(1)} s minimising`);
  for (const xlen of o.xlens) {
    const g = [...perGroup].filter(([k]) => k.startsWith(`${xlen} `)).map(([k, n]) => `${k.split(' ')[1]} ${fmtN(n)}`).join(', ');
    console.log(`        RV${xlen}: ${fmtN(perSetup.get(`${xlen} cases`) ?? 0)} cases (${fmtN(perSetup.get(`${xlen} fp`) ?? 0)} with FP state, ${fmtN(perSetup.get(`${xlen} paging`) ?? 0)} with page tables); generated instructions per group: ${g}`);
  }
  console.log(`        ${diffs.length} differing case(s) in ${bySig.size} signature(s)${accepted ? `; accepted known QEMU deviations: ${accepted}` : ''}${stats.bothStopped ? `; ${stats.bothStopped} case(s) stopped both emulators alike` : ''}`);
  return diffs.length > 0 ? 1 : 0;
}

function sigOfMin(c: Case): string {
  return c.items.map((it) => it.asm.join(';')).join('|');
}
