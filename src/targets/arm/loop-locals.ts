/**
 * Registers and flags in JavaScript locals inside an in-block loop. An innermost loop
 * (`B<k>: for (;;)`, translate.ts) whose body never leaves the block nor calls out, except on its
 * back edge's way out, keeps the registers and N/Z/C/V it uses in `let` locals: loaded once before
 * the loop, stored back after it and before the back edge leaves the block. The JS engine can then
 * keep them in machine registers instead of loading and storing the typed arrays each iteration.
 *
 * Works on the emitted code (like dead-flags.ts): `r[N]` and `f[0..3]` are renamed `rN_`/`fN_`.
 * A body that may fault, exit or call out anywhere else (any CPU method call, `return`, `s.apsr`,
 * a helper given `s`) is left alone: there the CPU state must be current.
 */

/** One instruction's code and the labelled-statement text around it. */
export interface LoopSite {
  code: string;
  codeBefore: string;
  codeAfter: string;
}

/** An in-block loop over instructions `from`..`to`, its back edge at `to` (label `B<at>`). */
export interface LoopRange { from: number; to: number; at: number }

const ESCAPES = /\breturn\b|\bcontinue L\b|\bs\.\w+\s*\(|\bs\.apsr\b|\(s[,)]/;

/** Marker the back edge leaves between its `continue` and its way out of the block. */
export const writeBackMarker = (at: number): string => `/*WB${at}*/`;

/** Apply the rewrite to every innermost loop that qualifies; `sites` are changed in place. */
export function cacheLoopState(sites: LoopSite[], loops: readonly LoopRange[]): void {
  for (const l of loops) {
    if (loops.some((o) => o !== l && l.from <= o.from && o.to <= l.to)) continue; // not innermost
    const marker = writeBackMarker(l.at);
    const back = sites[l.to]!.code;
    const cut = back.indexOf(marker);
    if (cut < 0) continue;
    const head = back.slice(0, cut), tail = back.slice(cut + marker.length);
    const body = [...sites.slice(l.from, l.to).map((s) => s.code), head];
    if (body.some((c) => ESCAPES.test(c))) continue;
    const regs = new Set<number>(), flags = new Set<number>();
    for (const c of body) {
      for (const m of c.matchAll(/\br\[(\d+)\]/g)) regs.add(Number(m[1]));
      for (const m of c.matchAll(/\bf\[([0-3])\]/g)) flags.add(Number(m[1]));
    }
    if (regs.size === 0 && flags.size === 0) continue;
    const rename = (c: string): string => c.replace(/\br\[(\d+)\]/g, 'r$1_').replace(/\bf\[([0-3])\]/g, 'f$1_');
    const names = [...[...regs].map((n) => `r${n}_`), ...[...flags].map((n) => `f${n}_`)];
    const arrays = [...[...regs].map((n) => `r[${n}]`), ...[...flags].map((n) => `f[${n}]`)];
    const load = `{ let ${names.map((v, i) => `${v} = ${arrays[i]}`).join(', ')};\n`;
    const store = arrays.map((a, i) => `${a} = ${names[i]};`).join(' ') + '\n';
    for (let k = l.from; k < l.to; k++) sites[k]!.code = rename(sites[k]!.code);
    sites[l.to]!.code = rename(head) + store + tail;
    const open = `B${l.at}: for (;;) {\n`, close = `break B${l.at};\n}\n`;
    const before = sites[l.from]!.codeBefore, after = sites[l.to]!.codeAfter;
    if (!before.includes(open) || !after.includes(close)) throw new Error(`loop B${l.at}: labels not where expected`);
    sites[l.from]!.codeBefore = before.replace(open, load + open);
    sites[l.to]!.codeAfter = after.replace(close, close + store + '}\n');
  }
}
