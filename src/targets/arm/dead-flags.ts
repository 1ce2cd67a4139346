/**
 * Dead-flag elimination over a block's generated code. Most flag-setting Thumb instructions are
 * followed by another that sets the same flags before anything reads them (`lsrs`, `eors`,
 * `subs`, `bne` in a loop): their stores to `f[0..3]` (N, Z, C, V) are dead and are removed.
 *
 * The analysis reads the code each instruction's emitter produced (so it can never disagree with
 * the semantics): `f[i] = ...` stores define a flag, any other `f[i]` reads it. An instruction
 * whose code may leave the block or call out — `return`, `continue L`, a method call on the CPU
 * (`s.ld(...)` may fault and stack xPSR; `s.apsr` reads every flag) or a helper given `s` — is
 * treated as reading every flag, and its own stores are kept. A conditional branch that is a
 * `break` to a later instruction of the block sees the flags live at both successors. Flag stores
 * inside instructions that run conditionally (IT) do not kill earlier stores.
 */

/** N, Z, C, V as bits 0..3 (the `f[]` indices). */
export const ALL_FLAGS = 0xf;

export interface FlagSite {
  /** The instruction's generated statements (after any IT condition wrapper). */
  code: string;
  /** Runs only under a condition (inside an IT block): its stores do not kill. */
  conditional: boolean;
}

const ESCAPES = /\breturn\b|\bcontinue L\b|\bs\.\w+\s*\(|\bs\.apsr\b|\(s[,)]/;
const STORE_NZ = /f\[0\] = f\[1\] = (\w+);/g;
const STORE_ONE = /f\[([0-3])\] = [^;=][^;]*;/g;
const ANY_REF = /f\[([0-3])\]/g;

/** Flags stored by `code` (bit mask). */
function stores(code: string): number {
  let m = 0;
  for (const x of code.matchAll(STORE_NZ)) { void x; m |= 3; }
  for (const x of code.replace(STORE_NZ, '').matchAll(STORE_ONE)) m |= 1 << Number(x[1]);
  return m;
}

/** Flags read by `code` (references that are not the target of a store). */
function reads(code: string): number {
  const rest = code.replace(STORE_NZ, (_all, v: string) => v).replace(STORE_ONE, (all) => all.slice(all.indexOf('=') + 1));
  let m = 0;
  for (const x of rest.matchAll(ANY_REF)) m |= 1 << Number(x[1]);
  return m;
}

/** Remove the stores of flags in `dead` from `code`. */
function dropStores(code: string, dead: number): string {
  let out = code.replace(STORE_NZ, (all, v: string) => {
    const keepN = (dead & 1) === 0, keepZ = (dead & 2) === 0;
    if (keepN && keepZ) return all;
    if (keepN) return `f[0] = ${v};`;
    if (keepZ) return `f[1] = ${v};`;
    return '';
  });
  out = out.replace(STORE_ONE, (all, i: string) => (((dead >> Number(i)) & 1) !== 0 ? '' : all));
  return out;
}

/**
 * Rewrite the block's per-instruction code without dead flag stores. `forward` maps a branch's
 * index to the index of the later instruction its `break` continues at. Everything is live when
 * control falls off the end of the block.
 */
export function eliminateDeadFlags(sites: readonly FlagSite[], forward: ReadonlyMap<number, number>): string[] {
  const n = sites.length;
  const liveIn = new Array<number>(n + 1).fill(ALL_FLAGS);
  const out = sites.map((s) => s.code);
  for (let k = n - 1; k >= 0; k--) {
    const site = sites[k]!;
    let live = liveIn[k + 1]!;
    const j = forward.get(k);
    if (j !== undefined) live |= liveIn[j]!;
    if (ESCAPES.test(site.code)) { liveIn[k] = ALL_FLAGS; continue; }
    const defs = stores(site.code);
    const dead = defs & ~live;
    if (dead !== 0) out[k] = dropStores(site.code, dead);
    liveIn[k] = ((site.conditional ? live : live & ~defs) | reads(site.code)) & ALL_FLAGS;
  }
  return out;
}
