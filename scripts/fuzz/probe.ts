/**
 * Which extensions the built tracehook (dist/) implements, so that QEMU runs the closest CPU:
 * one case reads misa and tries one instruction of each of Zba, Zbb, Zbc, Zbs and a read of
 * stimecmp (Sstc); the trap log says which are illegal. QEMU 7.2's default rv32/rv64 has all of
 * them, plus F, D and H; the -cpu string turns off what tracehook lacks (and H, always).
 */
import type { Case, Item } from './gen.js';
import { DATA_SIZE, GP_VALUE, type Xlen } from './layout.js';
import { buildProgram } from './program.js';
import { runTracehook } from './run.js';

export interface Features { misa: bigint; zba: boolean; zbb: boolean; zbc: boolean; zbs: boolean; sstc: boolean }

const PROBES: [keyof Omit<Features, 'misa'>, string][] = [
  ['zba', '.word 0x20002333'], // sh1add t1, zero, zero
  ['zbb', '.word 0x40007333'], // andn t1, zero, zero
  ['zbc', '.word 0x0a001333'], // clmul t1, zero, zero
  ['zbs', '.word 0x28001333'], // bset t1, zero, zero
  ['sstc', 'csrr t1, 0x14d'], // stimecmp
];

export async function probeTracehook(xlen: Xlen, timeoutMs: number): Promise<Features> {
  const items: Item[] = [{ idx: 0, group: 'probe', asm: ['csrr t0, misa'], size: 4, ninsn: 1 }];
  for (const [, text] of PROBES) items.push({ idx: items.length, group: 'probe', asm: [text], size: 4, ninsn: 1 });
  const regs = Array.from({ length: 32 }, (_, r) => (r === 3 ? GP_VALUE : 0n));
  const c: Case = { xlen, name: 'probe', regs, data: new Uint8Array(DATA_SIZE), items, groups: ['probe'] };
  const p = buildProgram(xlen, [c]);
  const r = await runTracehook(xlen, p.bytes, timeoutMs);
  const out = r.out.cases[0];
  if (!r.ok || out === undefined) {
    throw new Error(`probing tracehook (RV${xlen}) failed: ${r.exit}\n${r.run.stderr.toString().slice(0, 2000)}${r.run.stdout.toString().slice(0, 2000)}`);
  }
  const trapped = new Set(out.traps.filter((t) => t.cause === 2n).map((t) => t.epc));
  const f: Features = { misa: out.regs[5]!, zba: false, zbb: false, zbc: false, zbs: false, sstc: false };
  PROBES.forEach(([k], i) => {
    f[k] = !trapped.has(p.cases[0]!.items[i + 1]!.addr);
  });
  return f;
}

export const misaHas = (misa: bigint, letter: string): boolean => ((misa >> BigInt(letter.charCodeAt(0) - 65)) & 1n) === 1n;

/** QEMU's -cpu matching tracehook's features. */
export function qemuCpuFor(xlen: Xlen, f: Features): string {
  const b = (v: boolean): string => (v ? 'on' : 'off');
  const F = misaHas(f.misa, 'F'), D = misaHas(f.misa, 'D');
  return [
    `rv${xlen}`, `f=${b(F)}`, `d=${b(D && F)}`, 'h=off', 'v=off',
    `zba=${b(f.zba)}`, `zbb=${b(f.zbb)}`, `zbc=${b(f.zbc)}`, `zbs=${b(f.zbs)}`, `sstc=${b(f.sstc)}`,
  ].join(',');
}
