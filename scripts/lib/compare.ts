/** Line-oriented comparison of two outputs, reporting the first difference with line numbers for both sides. */

export interface Line {
  /** 1-based line number in the original output (before any filtering). */
  n: number;
  text: string;
}

/** Splits text into lines; a final newline does not start an extra empty line. */
export function toLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ n: i + 1, text: t }));
}

/**
 * A tolerated difference: given the reference (QEMU) line and tracehook's line, returns true if
 * they differ only in a known, accepted way.
 */
export type Allowance = (qemu: Line, tracehook: Line) => boolean;

export interface LineDiff {
  /** Index (0-based, in the compared lists) of the first differing line. */
  index: number;
  qemu: Line | undefined;
  tracehook: Line | undefined;
}

export interface CompareResult {
  equal: boolean;
  /** Lines accepted by the allowance (counted only when the rest matched up to there). */
  allowed: Array<{ qemu: Line; tracehook: Line }>;
  diff?: LineDiff;
}

export function compareLines(qemu: Line[], tracehook: Line[], allow?: Allowance): CompareResult {
  const allowed: CompareResult['allowed'] = [];
  const n = Math.max(qemu.length, tracehook.length);
  for (let i = 0; i < n; i++) {
    const q = qemu[i];
    const t = tracehook[i];
    if (q !== undefined && t !== undefined) {
      if (q.text === t.text) continue;
      if (allow?.(q, t)) {
        allowed.push({ qemu: q, tracehook: t });
        continue;
      }
    }
    return { equal: false, allowed, diff: { index: i, qemu: q, tracehook: t } };
  }
  return { equal: true, allowed };
}

/** Makes control characters and non-ASCII visible, keeps the rest readable; truncates long lines. */
export function visible(s: string, max = 200): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x1b) out += '\\e';
    else out += c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u{${c.toString(16)}}`;
    if (out.length > max) return out.slice(0, max) + '…';
  }
  return out;
}

/** Formats a line difference as indented report lines. */
export function formatDiff(what: string, d: LineDiff, qemuTotal: number, thTotal: number, note = ''): string[] {
  const side = (name: string, l: Line | undefined, total: number): string =>
    l === undefined ? `${name.padEnd(9)} (end: ${total} line${total === 1 ? '' : 's'})` : `${name.padEnd(9)} ${String(l.n).padStart(5)}: ${visible(l.text)}`;
  return [
    `${what}: first difference at line ${d.qemu?.n ?? '-'} (qemu) / ${d.tracehook?.n ?? '-'} (tracehook)${note}`,
    `  ${side('qemu', d.qemu, qemuTotal)}`,
    `  ${side('tracehook', d.tracehook, thTotal)}`,
  ];
}

/** When two byte strings differ but their lines do not (line endings, final newline), where they first differ. */
export function firstByteDiff(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
