/** Plain-text tables and number formatting for the benchmark report. */

export type Align = 'l' | 'r';

/** Renders rows under a header, columns padded to their widest cell; a `null` row is a rule. */
export function renderTable(header: string[], rows: (string[] | null)[], align: Align[]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r ? (r[i] ?? '').length : 0))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map((r) => (r ? line(r) : rule))].join('\n') + '\n';
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Seconds, with enough digits for short runs. */
export function fmtSecs(s: number): string {
  if (!Number.isFinite(s)) return '—';
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
}

export function fmtRatio(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)}×` : '—';
}

export function fmtMips(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}
