/**
 * Parsing and comparing the UART output of a fuzz program. Per case (all numbers hex):
 *
 *   #NNNN                                   case number within the run
 *   R x1 x2 ... x31                          registers at the end of the case
 *   I <instructions> <handler instructions>  minstret deltas: whole case, inside the trap handler
 *   C <csr> <csr> ...                        the CSRs of layout.resetCsrs, in order
 *   T <count> cause:epc:tval ...             trap log (first TRAP_LOG_MAX entries)
 *   D idx:value ...                          data-area words that differ from the initial image
 *   E value ...                              the last 16 bytes of RAM (zeroed before each case)
 *   F fcsr f0 ... f31 | F -                  fp cases: fcsr, then f0..f31 as raw 64-bit patterns
 *   P idx:value ...                          paging cases: page-table words (XLEN wide, index from
 *                                            PT_BASE) that differ from the initial tables
 */
import { XREG_NAMES } from './deps.js';
import { isAmo } from '../lib/elf.js';
import { resetCsrs, type Xlen } from './layout.js';

export interface TrapEntry { cause: bigint; epc: bigint; tval: bigint }

export interface CaseOut {
  no: number;
  regs: bigint[]; // index 1..31 (0 unused)
  icount: bigint;
  hcount: bigint;
  csrs: bigint[];
  ntraps: number;
  traps: TrapEntry[];
  data: Map<number, bigint>;
  /** The last 16 bytes of RAM, as XLEN words. */
  ramEnd: bigint[];
  /** fcsr and f0..f31 (fp cases). */
  fp?: { fcsr: bigint; regs: bigint[] };
  /** Page-table words that changed (paging cases). */
  pt: Map<number, bigint>;
  /** The raw lines, for reports. */
  text: string;
}

export interface ParsedOutput {
  cases: CaseOut[];
  /** Text after the last complete case (a crash message, a trap storm...). */
  tail: string;
}

const h = (s: string): bigint => BigInt('0x' + s);

export function parseOutput(text: string): ParsedOutput {
  const cases: CaseOut[] = [];
  const lines = text.split('\n');
  let i = 0;
  let tailStart = 0;
  while (i < lines.length) {
    const m = /^#([0-9a-f]{4})$/.exec(lines[i]!);
    // complete only with the newline after its P line (so lines[i + 9] exists)
    if (!m || i + 9 >= lines.length) break;
    const [r, il, cl, tl, dl, el, fl, pl] = [lines[i + 1]!, lines[i + 2]!, lines[i + 3]!, lines[i + 4]!, lines[i + 5]!, lines[i + 6]!, lines[i + 7]!, lines[i + 8]!];
    if (!r.startsWith('R ') || !il.startsWith('I ') || !cl.startsWith('C') || !tl.startsWith('T ') || !dl.startsWith('D') || !el.startsWith('E ') || !fl.startsWith('F ') || !pl.startsWith('P')) break;
    const regs = [0n, ...r.slice(2).split(' ').map(h)];
    const [ic, hc] = il.slice(2).split(' ').map(h);
    const csrs = cl.slice(1).trim() === '' ? [] : cl.slice(2).split(' ').map(h);
    const tparts = tl.slice(2).split(' ');
    const traps = tparts.slice(1).map((e) => {
      const [c, p, v] = e.split(':').map(h);
      return { cause: c!, epc: p!, tval: v! };
    });
    const data = new Map<number, bigint>();
    for (const e of dl.slice(1).trim().split(' ')) {
      if (e === '') continue;
      const [k, v] = e.split(':');
      data.set(parseInt(k!, 16), h(v!));
    }
    let fp: CaseOut['fp'];
    if (fl !== 'F -') {
      const v = fl.slice(2).split(' ').map(h);
      fp = { fcsr: v[0]!, regs: v.slice(1) };
    }
    const pt = new Map<number, bigint>();
    for (const e of pl.slice(1).trim().split(' ')) {
      if (e === '') continue;
      const [k, v] = e.split(':');
      pt.set(parseInt(k!, 16), h(v!));
    }
    cases.push({
      no: parseInt(m[1]!, 16), regs, icount: ic!, hcount: hc!, csrs, ntraps: parseInt(tparts[0]!, 16), traps, data,
      ramEnd: el.slice(2).split(' ').map(h), ...(fp ? { fp } : {}), pt, text: lines.slice(i, i + 9).join('\n'),
    });
    i += 9;
    tailStart = i;
  }
  return { cases, tail: lines.slice(tailStart).join('\n') };
}

export type DiffKind = 'regs' | 'icount' | 'csrs' | 'traps' | 'data' | 'run' | 'fregs' | 'pt';

export interface FieldDiff { kind: DiffKind; field: string; qemu: string; tracehook: string }

export interface CaseCompare {
  diffs: FieldDiff[];
  /** Differences accepted as known QEMU 7.2 deviations (see ACCEPTED). */
  accepted: string[];
  /** The first point where the trap logs diverge, if they do. */
  divergence?: TrapDivergence;
}

/**
 * Where the trap logs first diverge: the earliest epc where one side trapped and the other did not
 * do the same. `qemu`/`tracehook`: 'no trap', 'cause N' or, when only mtval differs, 'cause N tval X'.
 */
export interface TrapDivergence { epc: bigint; qemu: string; tracehook: string; insn: string; tvalOnly: boolean }

/**
 * Known QEMU 7.2 deviations from the privileged spec that tracehook does not copy, accepted only
 * for an AMO (not LR/SC) at the trap's epc with the same epc and tval: QEMU expands an AMO into a
 * load, the operation and a store, so the load's checks report misaligned_load (4) where the spec
 * says store/AMO misaligned (6), and load access fault (5) where it says store/AMO access fault (7).
 */
export const ACCEPTED: readonly { qemu: bigint; tracehook: bigint; what: string; sc?: boolean }[] = [
  // An SC whose address holds the reservation runs through the same load-then-store cmpxchg, so a
  // misaligned one reports the load's cause as well.
  { qemu: 4n, tracehook: 6n, what: 'misaligned AMO or SC: QEMU 7.2 cause 4, spec 6', sc: true },
  { qemu: 5n, tracehook: 7n, what: 'AMO access fault: QEMU 7.2 cause 5, spec 7' },
  // The same through the MMU: an AMO (or an SC holding the reservation) whose translation fails
  // gets QEMU's load page fault where the spec says store/AMO page fault.
  { qemu: 13n, tracehook: 15n, what: 'AMO page fault: QEMU 7.2 cause 13, spec 15', sc: true },
];

/** SC.W / SC.D. */
function isSc(bits: number): boolean {
  return (bits & 0x7f) === 0x2f && ((bits >>> 12) & 7) >= 2 && ((bits >>> 12) & 7) <= 3 && bits >>> 27 === 0b00011;
}

const hex = (v: bigint, xlen: Xlen): string => '0x' + v.toString(16).padStart(xlen / 4, '0');

/**
 * Compares one case. `insnAt` returns the 32-bit word at an address of the program (for the AMO
 * allowance). `icount`: whether the I line is compared.
 */
export function compareCase(
  xlen: Xlen, q: CaseOut, t: CaseOut, insnAt: (addr: bigint) => number | undefined,
  opts: { icount: boolean; mnemonic: (addr: bigint) => string },
): CaseCompare {
  const diffs: FieldDiff[] = [];
  const accepted: string[] = [];
  const acceptedAt = new Set<number>();
  for (let r = 1; r < 32; r++) {
    if (q.regs[r] !== t.regs[r]) diffs.push({ kind: 'regs', field: XREG_NAMES[r]!, qemu: hex(q.regs[r] ?? 0n, xlen), tracehook: hex(t.regs[r] ?? 0n, xlen) });
  }
  if (q.ntraps !== t.ntraps) diffs.push({ kind: 'traps', field: 'count', qemu: String(q.ntraps), tracehook: String(t.ntraps) });
  const n = Math.max(q.traps.length, t.traps.length);
  for (let i = 0; i < n; i++) {
    const a = q.traps[i], b = t.traps[i];
    const fmt = (e: TrapEntry | undefined): string => (e === undefined ? '-' : `cause ${e.cause} epc ${hex(e.epc, xlen)} tval ${hex(e.tval, xlen)}`);
    if (a !== undefined && b !== undefined && a.cause === b.cause && a.epc === b.epc && a.tval === b.tval) continue;
    if (a !== undefined && b !== undefined && a.epc === b.epc && a.tval === b.tval) {
      const acc = ACCEPTED.find((x) => x.qemu === a.cause && x.tracehook === b.cause);
      const w = insnAt(a.epc);
      if (acc !== undefined && w !== undefined && (w & 3) === 3 && (isAmo(w) || (acc.sc === true && isSc(w)))) {
        accepted.push(`${acc.what} (epc ${hex(a.epc, xlen)})`);
        acceptedAt.add(i);
        continue;
      }
    }
    diffs.push({ kind: 'traps', field: `trap[${i}]`, qemu: fmt(a), tracehook: fmt(b) });
  }
  const names = resetCsrs(xlen).map((c) => c.name);
  for (let i = 0; i < Math.max(q.csrs.length, t.csrs.length); i++) {
    if (q.csrs[i] !== t.csrs[i]) diffs.push({ kind: 'csrs', field: names[i] ?? `csr${i}`, qemu: q.csrs[i] === undefined ? '-' : hex(q.csrs[i]!, xlen), tracehook: t.csrs[i] === undefined ? '-' : hex(t.csrs[i]!, xlen) });
  }
  const keys = new Set([...q.data.keys(), ...t.data.keys()]);
  for (const k of [...keys].sort((x, y) => x - y)) {
    const a = q.data.get(k), b = t.data.get(k);
    if (a !== b) diffs.push({ kind: 'data', field: `DATA+0x${k.toString(16)}`, qemu: a === undefined ? '(unchanged)' : hex(a, xlen), tracehook: b === undefined ? '(unchanged)' : hex(b, xlen) });
  }
  for (let i = 0; i < Math.max(q.ramEnd.length, t.ramEnd.length); i++) {
    if (q.ramEnd[i] !== t.ramEnd[i]) {
      diffs.push({ kind: 'data', field: `RAM_END-${16 - (i * xlen) / 8}`, qemu: q.ramEnd[i] === undefined ? '-' : hex(q.ramEnd[i]!, xlen), tracehook: t.ramEnd[i] === undefined ? '-' : hex(t.ramEnd[i]!, xlen) });
    }
  }
  if (q.fp !== undefined || t.fp !== undefined) {
    const h16 = (v: bigint | undefined): string => (v === undefined ? '-' : '0x' + v.toString(16).padStart(16, '0'));
    if (q.fp?.fcsr !== t.fp?.fcsr) diffs.push({ kind: 'fregs', field: 'fcsr', qemu: q.fp ? '0x' + q.fp.fcsr.toString(16) : '-', tracehook: t.fp ? '0x' + t.fp.fcsr.toString(16) : '-' });
    for (let r = 0; r < 32; r++) {
      if (q.fp?.regs[r] !== t.fp?.regs[r]) diffs.push({ kind: 'fregs', field: `f${r}`, qemu: h16(q.fp?.regs[r]), tracehook: h16(t.fp?.regs[r]) });
    }
  }
  const pkeys = new Set([...q.pt.keys(), ...t.pt.keys()]);
  for (const k of [...pkeys].sort((x, y) => x - y)) {
    const a = q.pt.get(k), b = t.pt.get(k);
    if (a !== b) diffs.push({ kind: 'pt', field: `PT+0x${(k * xlen / 8).toString(16)}`, qemu: a === undefined ? '(unchanged)' : hex(a, xlen), tracehook: b === undefined ? '(unchanged)' : hex(b, xlen) });
  }
  if (opts.icount && (q.icount !== t.icount || q.hcount !== t.hcount)) {
    diffs.push({ kind: 'icount', field: 'instructions (case / in handler)', qemu: `${q.icount} / ${q.hcount}`, tracehook: `${t.icount} / ${t.hcount}` });
  }
  const divergence = diffs.some((d) => d.kind === 'traps') ? trapDivergence(q, t, opts.mnemonic, acceptedAt) : undefined;
  return { diffs, accepted, ...(divergence ? { divergence } : {}) };
}

function trapDivergence(q: CaseOut, t: CaseOut, mnemonic: (addr: bigint) => string, acceptedAt: Set<number>): TrapDivergence | undefined {
  let i = 0;
  while (i < q.traps.length && i < t.traps.length) {
    const a = q.traps[i]!, b = t.traps[i]!;
    if (!acceptedAt.has(i) && (a.cause !== b.cause || a.epc !== b.epc || a.tval !== b.tval)) {
      if (a.epc === b.epc && !(a.cause === b.cause && a.tval === b.tval)) {
        const tvalOnly = a.cause === b.cause;
        return { epc: a.epc, qemu: `cause ${a.cause}${tvalOnly ? ` tval ${a.tval.toString(16)}` : ''}`, tracehook: `cause ${b.cause}${tvalOnly ? ` tval ${b.tval.toString(16)}` : ''}`, insn: mnemonic(a.epc), tvalOnly };
      }
      break;
    }
    i++;
  }
  const a = q.traps[i], b = t.traps[i];
  if (a === undefined && b === undefined) return undefined;
  // the side whose next trap comes first trapped where the other did not (or at least not then)
  const first = a === undefined ? b! : b === undefined ? a : a.epc <= b.epc ? a : b;
  const other = first === a ? t : q;
  const same = other.traps.slice(i).find((e) => e.epc === first.epc);
  const desc = (e: TrapEntry | undefined): string => (e === undefined ? 'no trap' : `cause ${e.cause}`);
  return first === a
    ? { epc: first.epc, qemu: desc(first), tracehook: desc(same), insn: mnemonic(first.epc), tvalOnly: false }
    : { epc: first.epc, qemu: desc(same), tracehook: desc(first), insn: mnemonic(first.epc), tvalOnly: false };
}

/**
 * A short signature of a difference, for grouping: where the trap logs diverge (the instruction and
 * both behaviours), else the kinds of difference and the CSRs involved.
 */
export function signature(c: CaseCompare): string {
  if (c.divergence !== undefined) {
    const d = c.divergence;
    if (d.tvalOnly) return `traps: ${d.insn}: ${d.qemu.replace(/ tval.*/, '')} on both, mtval differs`;
    return `traps: ${d.insn}: qemu ${d.qemu}, tracehook ${d.tracehook}`;
  }
  const kinds = [...new Set(c.diffs.map((d) => d.kind))].sort();
  // the first CSR only: several CSR differences in one case are usually independent
  const csr = c.diffs.find((d) => d.kind === 'csrs')?.field;
  // FP: whether the flags differ (fcsr) or only values
  const fcsr = c.diffs.some((d) => d.kind === 'fregs' && d.field === 'fcsr');
  return kinds.join('+') + (csr !== undefined ? ` (${csr})` : '') + (fcsr ? ' (fcsr)' : '');
}

/** What a difference must still look like while minimising (coarser than the signature). */
export function diffKey(c: CaseCompare): string {
  if (c.divergence !== undefined) {
    const d = c.divergence;
    return d.tvalOnly ? `traps:${d.insn}:${d.qemu.replace(/ tval.*/, '')}:tval` : `traps:${d.insn}:${d.qemu}/${d.tracehook}`;
  }
  // an FP result that differs often also reaches memory or x registers: the f registers first,
  // so that the minimiser keeps the computation rather than its consequences; likewise the page
  // tables (A/D bits) before the data
  const order: DiffKind[] = ['run', 'csrs', 'fregs', 'pt', 'data', 'regs', 'icount'];
  return order.find((k) => c.diffs.some((d) => d.kind === k)) ?? 'none';
}
