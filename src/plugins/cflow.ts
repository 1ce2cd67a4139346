/**
 * cflow: where control flow goes, per branch or jump site, like QEMU's contrib `cflow` plugin —
 * but from the control-flow events themselves instead of inferring branches from block order.
 *
 *     -plugin cflow[,sort=hottest|early|popular|taken|not-taken][,limit=10][,traps=on]
 *
 * Every branch, jump, call, return and trap return is counted at its instruction (the site), with
 * each destination it went to; an exception raised by an instruction counts as an early exit of
 * that site (QEMU's "sync fault": the block was left before its end). With `traps=on` interrupts
 * and host calls are counted too, at the instruction they interrupted or that called.
 *
 * At exit it prints the `limit` top sites, sorted by `sort`:
 * - `hottest` (default): most events at the site;
 * - `early`: most early exits (exceptions);
 * - `popular`: most distinct destinations (typically returns and indirect jumps);
 * - `taken` / `not-taken`: most taken / not-taken conditional branches.
 *
 *     collected 42 control-flow sites, 15013 events
 *       addr: 0x80000054 main: bne a0,a1,-12 (branch)
 *         taken 1000, not taken 20
 *         to 0x80000048 (1000)
 *         to 0x80000058 (20)
 *
 * Counting is one Map lookup per event keyed by the address halves (no allocation once a site and
 * destination are known). Disassembly comes from `onTranslate`, read only for the reported sites.
 */
import { definePlugin, Flow, UserError, type FlowEvent, type TranslatedInsn } from '../plugin/api.js';

const SORTS = ['hottest', 'early', 'popular', 'taken', 'not-taken'] as const;
type Sort = typeof SORTS[number];

/** One destination of a site. */
interface Dest { readonly lo: number; readonly hi: number; count: number }

/** A control-flow site: one instruction that transferred control, trapped or was interrupted. */
interface Site {
  readonly lo: number;
  readonly hi: number;
  /** Every event counted here (transfers, exceptions, and with traps=on interrupts and host calls). */
  events: number;
  taken: number;
  notTaken: number;
  early: number;
  /** OR of the event kinds seen. */
  kinds: number;
  /** Destinations by low half, then high half. */
  readonly dests: Map<number, Dest | Map<number, Dest>>;
  destCount: number;
}

const hex = (lo: number, hi: number): string => '0x' + ((BigInt(hi) << 32n) | BigInt(lo)).toString(16);

/** What the site is, by the kinds seen there (QEMU prints "branch" or "sync fault"). */
function siteType(kinds: number): string {
  const names: string[] = [];
  if (kinds & Flow.Branches) names.push('branch');
  if (kinds & Flow.DirectJump) names.push('jump');
  if (kinds & Flow.IndirectJump) names.push('indirect jump');
  if (kinds & Flow.Call) names.push('call');
  if (kinds & Flow.Return) names.push('return');
  if (kinds & Flow.TrapReturn) names.push('trap return');
  if (kinds & Flow.FallThrough) names.push('fall-through');
  if (kinds & Flow.Exception) names.push('sync fault');
  if (kinds & Flow.Interrupt) names.push('interrupted');
  if (kinds & Flow.HostCall) names.push('host call');
  return names.join(', ');
}

export default definePlugin({
  name: 'cflow',
  description: 'counts where control flow goes at each branch, jump, call and return site',
  args: {
    sort: { type: 'string', default: 'hottest', help: `order of the report: ${SORTS.join(', ')}` },
    limit: { type: 'int', default: 10, help: 'number of sites to report' },
    traps: { type: 'bool', default: false, help: 'also count interrupts and host calls at the instruction they hit' },
  },
  install(api, args) {
    const sort = args.sort as string;
    if (!(SORTS as readonly string[]).includes(sort)) throw new UserError(`cflow: sort=${sort}: expected one of ${SORTS.join(', ')}`);
    const limit = args.limit as number;
    if (limit < 0) throw new UserError(`cflow: limit=${limit}: must not be negative`);

    // Sites by low half of the address, then (rarely needed) high half.
    const sites = new Map<number, Site | Map<number, Site>>();
    let total = 0;
    const findSite = (lo: number, hi: number): Site => {
      let e = sites.get(lo);
      if (e === undefined || (!(e instanceof Map) && e.hi !== hi)) {
        const site: Site = { lo, hi, events: 0, taken: 0, notTaken: 0, early: 0, kinds: 0, dests: new Map(), destCount: 0 };
        if (e === undefined) { sites.set(lo, site); return site; }
        const byHi = e instanceof Map ? e : new Map([[e.hi, e]]);
        byHi.set(hi, site);
        sites.set(lo, byHi);
        return site;
      }
      if (!(e instanceof Map)) return e;
      let s = e.get(hi);
      if (s === undefined) {
        s = { lo, hi, events: 0, taken: 0, notTaken: 0, early: 0, kinds: 0, dests: new Map(), destCount: 0 };
        e.set(hi, s);
      }
      return s;
    };
    const addDest = (site: Site, lo: number, hi: number): void => {
      const e = site.dests.get(lo);
      if (e !== undefined && !(e instanceof Map) && e.hi === hi) { e.count++; return; }
      if (e instanceof Map) {
        const d = e.get(hi);
        if (d !== undefined) { d.count++; return; }
        e.set(hi, { lo, hi, count: 1 });
      } else if (e !== undefined) {
        site.dests.set(lo, new Map([[e.hi, e], [hi, { lo, hi, count: 1 }]]));
      } else {
        site.dests.set(lo, { lo, hi, count: 1 });
      }
      site.destCount++;
    };

    const mask = Flow.Transfers & ~Flow.FallThrough | Flow.Exception | (args.traps === true ? Flow.Interrupt | Flow.HostCall : 0);
    api.onControlFlow(mask, (_vcpu, e: FlowEvent) => {
      const site = findSite(e.fromLo, e.fromHi);
      total++;
      site.events++;
      site.kinds |= e.kind;
      if (e.kind === Flow.BranchTaken) site.taken++;
      else if (e.kind === Flow.BranchNotTaken) site.notTaken++;
      else if (e.kind === Flow.Exception) site.early++;
      addDest(site, e.toLo, e.toHi);
    });

    // Disassembly and symbols of translated instructions, read only for the sites reported.
    const insns = new Map<bigint, TranslatedInsn>();
    api.onTranslate((tb) => { for (const i of tb.insns) insns.set(i.vaddr, i); });

    api.onExit(() => {
      const all: Site[] = [];
      for (const e of sites.values()) {
        if (e instanceof Map) all.push(...e.values()); else all.push(e);
      }
      const key: Record<Sort, (s: Site) => number> = {
        hottest: (s) => s.events, early: (s) => s.early, popular: (s) => s.destCount,
        taken: (s) => s.taken, 'not-taken': (s) => s.notTaken,
      };
      const k = key[sort as Sort];
      const addr = (s: Site): bigint => (BigInt(s.hi) << 32n) | BigInt(s.lo);
      all.sort((a, b) => k(b) - k(a) || b.events - a.events || (addr(a) < addr(b) ? -1 : addr(a) > addr(b) ? 1 : 0));
      let out = `collected ${all.length} control-flow sites, ${total} events\n`;
      for (const s of all.slice(0, limit)) {
        if (k(s) === 0) break;
        const insn = insns.get(addr(s));
        const sym = api.symbolAt(addr(s));
        out += `  addr: ${hex(s.lo, s.hi)}${sym !== undefined ? ` ${sym}` : ''}: ${insn?.disas ?? '?'} (${siteType(s.kinds)})\n`;
        if (s.early > 0) out += `    early exits ${s.early}\n`;
        if (s.kinds & Flow.Branches) out += `    taken ${s.taken}, not taken ${s.notTaken}\n`;
        out += `    events ${s.events}\n`;
        const dests: Dest[] = [];
        for (const d of s.dests.values()) { if (d instanceof Map) dests.push(...d.values()); else dests.push(d); }
        dests.sort((a, b) => b.count - a.count);
        for (const d of dests) out += `      to ${hex(d.lo, d.hi)} (${d.count})\n`;
      }
      api.out(out);
    });
  },
});
