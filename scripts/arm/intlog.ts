/**
 * Summarises QEMU 7.2's M-profile `-d int` log: exception entries (the architectural number
 * from "...taking pending nonsecure exception N", tail-chained ones included), exception
 * returns ("Exception return: magic PC ..."), tail-chains, and semihosting calls
 * ("...handling as semihosting call 0xN"). The log's `Taking exception N [name]` lines carry
 * QEMU's internal exception numbers (EXCP_*: 1 UDEF, 2 SWI, 3 PREFETCH_ABORT, 4 DATA_ABORT,
 * 5 IRQ, 7 BKPT, 8 EXCEPTION_EXIT, 16 SEMIHOST, 17 NOCP, 18 INVSTATE, 23 DIVBYZERO, ...), not
 * the architectural ones.
 */

export const M_EXC_NAMES: Record<number, string> = {
  2: 'NMI', 3: 'HardFault', 4: 'MemManage', 5: 'BusFault', 6: 'UsageFault', 11: 'SVCall',
  12: 'DebugMonitor', 14: 'PendSV', 15: 'SysTick',
};

export function excName(n: number): string {
  return M_EXC_NAMES[n] ?? (n >= 16 ? `IRQ${n - 16}` : `exc${n}`);
}

export interface IntLogSummary {
  /** entered exceptions in order: architectural numbers, tail-chained entries marked */
  entries: { exc: number; qemu: string; tailchained: boolean; vectorPc: number }[];
  returns: number;
  tailchains: number;
  semihosting: number[];
  lockup: boolean;
}

export function parseIntLog(text: string): IntLogSummary {
  const s: IntLogSummary = { entries: [], returns: 0, tailchains: 0, semihosting: [], lockup: false };
  let lastTaking = '';
  let chain = false;
  for (const line of text.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^Taking exception (\d+) \[(.*)\]/))) {
      lastTaking = m[2]!;
      chain = false;
    } else if (line.startsWith('...tailchaining to pending exception')) {
      s.tailchains++;
      chain = true;
    } else if ((m = line.match(/^\.\.\.taking pending (?:non)?secure exception (\d+)/))) {
      s.entries.push({ exc: Number(m[1]), qemu: chain ? 'tailchain' : lastTaking, tailchained: chain, vectorPc: -1 });
      chain = false;
    } else if ((m = line.match(/^\.\.\.loaded new PC (0x[0-9a-f]+)/))) {
      const e = s.entries[s.entries.length - 1];
      if (e) e.vectorPc = Number(m[1]);
    } else if (line.startsWith('Exception return:')) {
      s.returns++;
    } else if ((m = line.match(/handling as semihosting call (0x[0-9a-f]+)/))) {
      s.semihosting.push(Number(m[1]));
    } else if (/Lockup/i.test(line)) {
      s.lockup = true;
    }
  }
  return s;
}

/** e.g. "SVCall 6, BusFault 1; 7 returns; semihosting 0x20" */
export function describeIntLog(s: IntLogSummary): string {
  const counts = new Map<number, { n: number; chained: number }>();
  for (const e of s.entries) {
    const c = counts.get(e.exc) ?? { n: 0, chained: 0 };
    c.n++;
    if (e.tailchained) c.chained++;
    counts.set(e.exc, c);
  }
  const parts = [...counts.entries()].sort((a, b) => a[0] - b[0])
    .map(([exc, c]) => `${excName(exc)} ${c.n}${c.chained ? ` (${c.chained} tail-chained)` : ''}`);
  const sh = new Map<number, number>();
  for (const op of s.semihosting) sh.set(op, (sh.get(op) ?? 0) + 1);
  const shText = [...sh.entries()].sort((a, b) => a[0] - b[0])
    .map(([op, n]) => `0x${op.toString(16)}${n > 1 ? `x${n}` : ''}`).join(' ');
  return `${parts.join(', ') || 'no exceptions'}; ${s.returns} returns; semihosting ${shText || 'none'}${s.lockup ? '; LOCKUP' : ''}`;
}

/** The entry sequence, compactly: "15 >14 11 >14 ..." (">" = tail-chained). */
export function entrySequence(s: IntLogSummary): string {
  return s.entries.map((e) => `${e.tailchained ? '>' : ''}${e.exc}`).join(' ');
}
