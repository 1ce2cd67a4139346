/**
 * The hart's extension set, chosen by `-cpu rv64|rv32[,PROP=on|off...]` as QEMU 7.2 takes it.
 *
 * QEMU 7.2's `rv64`/`rv32` CPU properties (`-device rv64-riscv-cpu,help`) are parsed with QEMU's
 * rules: names are case-sensitive (`Zicsr`, `Zifencei`, `Zihintpause`, `Zfh` are capitalised; the
 * rest lower case), booleans take on/off/true/false/yes/no (case-sensitive), a later switch
 * overrides an earlier one. Then riscv_cpu_realize's checks run in QEMU's order with QEMU's error
 * text (`g=on` re-enables IMAFD_Zicsr_Zifencei with a warning). What tracehook cannot model
 * (H, V, E, Zfh, an MMU or PMP switched off, ...) is refused with one line.
 *
 * The set is fixed for the run: the translator drops disabled encodings at translation time, so
 * the generated code is the same as with the default CPU.
 */
import type { Encoding } from './encodings.js';

export interface RvIsa {
  readonly m: boolean;
  readonly a: boolean;
  readonly f: boolean;
  readonly d: boolean;
  readonly c: boolean;
  readonly zicsr: boolean;
  readonly zifencei: boolean;
  readonly zihintpause: boolean;
  readonly zba: boolean;
  readonly zbb: boolean;
  readonly zbc: boolean;
  readonly zbs: boolean;
  readonly sstc: boolean;
  /** Multiplication without division (QEMU 7.2's `zmmul`: not in the ISA string). */
  readonly zmmul: boolean;
}

/** QEMU 7.2's default `rv64`/`rv32` CPU without H: what tracehook runs by default. */
export const DEFAULT_ISA: RvIsa = Object.freeze({
  m: true, a: true, f: true, d: true, c: true, zicsr: true, zifencei: true, zihintpause: true,
  zba: true, zbb: true, zbc: true, zbs: true, sstc: true, zmmul: false,
});

/** The `riscv,isa` string (device tree) in QEMU 7.2's spelling: single letters, then `_z...`/`_s...` in its order. */
export function isaString(xlen: 32 | 64, isa: RvIsa): string {
  let s = `rv${xlen}i`;
  for (const l of ['m', 'a', 'f', 'd', 'c'] as const) if (isa[l]) s += l;
  for (const z of ['zicsr', 'zifencei', 'zihintpause', 'zba', 'zbb', 'zbc', 'zbs', 'sstc'] as const) if (isa[z]) s += `_${z}`;
  return s;
}

/** misa: MXL and the extension letters (I, S, U always; M A F D C as enabled). */
export function misaValue(xlen: 32 | 64, isa: RvIsa): bigint {
  const bit = (c: string): bigint => 1n << BigInt(c.charCodeAt(0) - 97);
  let v = (xlen === 64 ? 2n << 62n : 1n << 30n) | bit('i') | bit('s') | bit('u');
  for (const l of ['m', 'a', 'f', 'd', 'c'] as const) if (isa[l]) v |= bit(l);
  return v;
}

const ZMMUL_NAMES = new Set(['mul', 'mulh', 'mulhsu', 'mulhu', 'mulw']);

/**
 * Is this (32-bit or expanded compressed) encoding legal with `isa`? As QEMU 7.2's trans_*
 * functions: REQUIRE_EXT for M/A/F/D, REQUIRE_ZB*, the Zifencei check in trans_fence_i, the
 * Zicsr check in the CSR instructions; `mul*` also with Zmmul; RV64's doubleword AMOs even
 * without A (QEMU 7.2 forgot REQUIRE_EXT there: checked by probing). `pause` stays legal without
 * Zihintpause (trans_pause fails and the word decodes as `fence`).
 */
export function encodingEnabled(e: Encoding, isa: RvIsa): boolean {
  switch (e.ext) {
    case 'I': case 'Priv': return true;
    case 'M': return isa.m || (isa.zmmul && ZMMUL_NAMES.has(e.name));
    // QEMU 7.2's trans_rva.c.inc checks only REQUIRE_64BIT for lr.d, sc.d and amo*.d: they stay legal without A.
    case 'A': return isa.a || e.xlen === 64;
    case 'F': return isa.f;
    case 'D': return isa.d;
    case 'Zicsr': return isa.zicsr;
    case 'Zifencei': return isa.zifencei;
    case 'Zba': return isa.zba;
    case 'Zbb': return isa.zbb;
    case 'Zbc': return isa.zbc;
    case 'Zbs': return isa.zbs;
  }
}

/** Is every extension of the default on (the translator's fast path skips the check)? */
export function isDefaultIsa(isa: RvIsa): boolean {
  return (Object.keys(DEFAULT_ISA) as (keyof RvIsa)[]).every((k) => k === 'zmmul' || isa[k] === DEFAULT_ISA[k]);
}

/** A `-cpu` string QEMU 7.2 (or tracehook) refuses; the message is one line. */
export class CpuSpecError extends Error {}

/** QEMU 7.2's boolean CPU properties and their defaults (`-device rv64-riscv-cpu,help`). */
const BOOL_PROPS: Readonly<Record<string, boolean>> = {
  Zfh: false, Zfhmin: false, Zicsr: true, Zifencei: true, Zihintpause: true, Zve32f: false, Zve64f: false,
  a: true, c: true, d: true, debug: true, e: false, f: true, g: false, h: true, i: true, m: true, mmu: true, pmp: true,
  rvv_ma_all_1s: false, rvv_ta_all_1s: false, s: true, 'short-isa-string': false, sscofpmf: false, sstc: true,
  'start-powered-off': false, svinval: false, svnapot: false, svpbmt: false, u: true, v: false,
  'x-epmp': false, 'x-j': false, 'x-smaia': false, 'x-ssaia': false, xventanacondops: false,
  zba: true, zbb: true, zbc: true, zbkb: false, zbkc: false, zbkx: false, zbs: true, zdinx: false, zfinx: false,
  zhinx: false, zhinxmin: false, zk: false, zkn: false, zknd: false, zkne: false, zknh: false, zkr: false, zks: false,
  zksed: false, zksh: false, zkt: false, zmmul: false,
};
/** QEMU 7.2's other CPU properties: tracehook keeps their defaults. */
const VALUE_PROPS = new Set(['elen', 'marchid', 'mimpid', 'mvendorid', 'pmu-num', 'priv_spec', 'resetvec', 'vext_spec', 'vlen']);
/** Switches tracehook models. `h` is accepted as off only (tracehook has no H, whatever the default). */
const MODELLED = new Set(['m', 'a', 'f', 'd', 'Zicsr', 'Zifencei', 'Zihintpause', 'zba', 'zbb', 'zbc', 'zbs', 'sstc', 'zmmul', 'g']);
/** `c=off` (IALIGN=32) is modelled. */
const C_SUPPORTED = true;

/** `-cpu help`: the model and the switches tracehook models. */
export function cpuHelp(xlen: 32 | 64): string {
  return `rv${xlen}   QEMU 7.2's default rv${xlen} CPU without H (also: any, max)\n` +
    `  switches (QEMU's property names, =on|off): m a f d c Zicsr Zifencei Zihintpause zba zbb zbc zbs sstc zmmul g; h=off\n`;
}

export interface CpuSpec {
  isa: RvIsa;
  /** QEMU's warnings (`g=on` with part of G off), one line each. */
  warnings: string[];
}

/**
 * Parse `-cpu MODEL[,PROP=VALUE...]` for `xlen` as QEMU 7.2 would; throws CpuSpecError with the
 * message (without the `-cpu SPEC: ` prefix the CLI adds).
 */
export function parseCpuSpec(spec: string, xlen: 32 | 64): CpuSpec {
  const [model, ...props] = spec.split(',');
  const want = xlen === 64 ? 'rv64' : 'rv32';
  if (model !== want && model !== 'any' && model !== 'max') throw new CpuSpecError(`unknown CPU model '${model}' (supported: ${want})`);
  const v: Record<string, boolean> = { ...BOOL_PROPS };
  const qom = `${want}-riscv-cpu`;
  const set = new Set<string>();
  for (const p of props) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) throw new CpuSpecError(`Expected key=value format, found ${p}.`);
    const k = p.slice(0, eq), val = p.slice(eq + 1);
    if (VALUE_PROPS.has(k)) throw new CpuSpecError(`property '${k}' is not supported by tracehook`);
    if (!(k in BOOL_PROPS)) throw new CpuSpecError(`can't apply global ${qom}.${k}=${val}: Property '${qom}.${k}' not found`);
    const on = ['on', 'true', 'yes'].includes(val), off = ['off', 'false', 'no'].includes(val);
    if (!on && !off) throw new CpuSpecError(`can't apply global ${qom}.${k}=${val}: Parameter '${k}' expects 'on' or 'off'`);
    v[k] = on;
    set.add(k);
  }
  const warnings: string[] = [];
  // riscv_cpu_realize (QEMU 7.2), in its order.
  if (v['g'] && !(v['i'] && v['m'] && v['a'] && v['f'] && v['d'] && v['Zicsr'] && v['Zifencei'])) {
    warnings.push('warning: Setting G will also set IMAFD_Zicsr_Zifencei');
    for (const k of ['i', 'm', 'a', 'f', 'd', 'Zicsr', 'Zifencei']) v[k] = true;
  }
  if (v['i'] && v['e']) throw new CpuSpecError('I and E extensions are incompatible');
  if (!v['i'] && !v['e']) throw new CpuSpecError('Either I or E extension must be set');
  if (v['s'] && !v['u']) throw new CpuSpecError('Setting S extension without U extension is illegal');
  if (v['h'] && !v['i']) throw new CpuSpecError('H depends on an I base integer ISA with 32 x registers');
  if (v['h'] && !v['s']) throw new CpuSpecError('H extension implicitly requires S-mode');
  if (v['f'] && !v['Zicsr']) throw new CpuSpecError('F extension requires Zicsr');
  if ((v['Zfh'] || v['Zfhmin']) && !v['f']) throw new CpuSpecError('Zfh/Zfhmin extensions require F extension');
  if (v['d'] && !v['f']) throw new CpuSpecError('D extension requires F extension');
  if (v['v'] && !v['d']) throw new CpuSpecError('V extension requires D extension');
  if ((v['Zve32f'] || v['Zve64f']) && !v['f']) throw new CpuSpecError('Zve32f/Zve64f extensions require F extension');
  // What tracehook does not model.
  for (const k of Object.keys(BOOL_PROPS)) {
    if (k === 'h' || MODELLED.has(k) || (k === 'c' && C_SUPPORTED)) continue;
    if (v[k] !== BOOL_PROPS[k]) {
      throw new CpuSpecError(`${v[k] ? 'enabling' : 'disabling'} '${k}' is not supported by tracehook`);
    }
  }
  if (v['h']) {
    // QEMU's default has H; tracehook has none: the default is taken as h=off, an explicit h=on is refused.
    if (set.has('h')) {
      throw new CpuSpecError("enabling 'h' is not supported by tracehook (no hypervisor extension)");
    }
  }
  return {
    isa: Object.freeze({
      m: v['m']!, a: v['a']!, f: v['f']!, d: v['d']!, c: v['c']!, zicsr: v['Zicsr']!, zifencei: v['Zifencei']!,
      zihintpause: v['Zihintpause']!, zba: v['zba']!, zbb: v['zbb']!, zbc: v['zbc']!, zbs: v['zbs']!, sstc: v['sstc']!,
      zmmul: v['zmmul']!,
    }),
    warnings,
  };
}
