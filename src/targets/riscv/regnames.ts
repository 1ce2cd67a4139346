/**
 * RISC-V register and CSR names.
 *
 * The CSR table is the set of CSR names GNU objdump 2.40 prints (see
 * `disasm.ts`), which covers every standard user, supervisor, hypervisor,
 * machine, debug/trigger, vector, AIA, Sstc, Smstateen and entropy-source CSR.
 * A few names only exist in some privileged-spec versions; those entries carry
 * the versions in which they are defined.
 */

/** ABI names of x0..x31, as printed by objdump. */
export const XREG_NAMES: readonly string[] = Object.freeze([
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
]);

/** ABI names of f0..f31, as printed by objdump. */
export const FREG_NAMES: readonly string[] = Object.freeze([
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7',
  'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7',
  'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
]);

/** Name of integer register `r` (0..31). */
export function xregName(r: number): string {
  return XREG_NAMES[r & 31]!;
}

/** Name of floating-point register `r` (0..31). */
export function fregName(r: number): string {
  return FREG_NAMES[r & 31]!;
}

const XREG_BY_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ...XREG_NAMES.map((n, i) => [n, i] as const),
  ...Array.from({ length: 32 }, (_, i) => [`x${i}`, i] as const),
  ['fp', 8],
]);

const FREG_BY_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ...FREG_NAMES.map((n, i) => [n, i] as const),
  ...Array.from({ length: 32 }, (_, i) => [`f${i}`, i] as const),
]);

/** Number of an integer register given its ABI name (`a0`, `fp`, ...) or `xN`; undefined if unknown. */
export function xregNumber(name: string): number | undefined {
  return XREG_BY_NAME.get(name);
}

/** Number of a floating-point register given its ABI name (`fa0`, ...) or `fN`; undefined if unknown. */
export function fregNumber(name: string): number | undefined {
  return FREG_BY_NAME.get(name);
}

/** Privileged-architecture versions that change which CSR names exist (as objdump's `priv-spec=`). */
export type PrivSpec = '1.10' | '1.11' | '1.12';

export interface CsrInfo {
  readonly num: number;
  readonly name: string;
  /** Versions in which the name is defined; absent = all of them. */
  readonly specs?: readonly PrivSpec[];
}

const ALL_SPECS = undefined;
const OLD_ONLY: readonly PrivSpec[] = Object.freeze(['1.10', '1.11'] as const);
const NEW_ONLY: readonly PrivSpec[] = Object.freeze(['1.12'] as const);

function csrTable(): CsrInfo[] {
  const t: CsrInfo[] = [];
  const add = (num: number, name: string, specs: readonly PrivSpec[] | undefined = ALL_SPECS): void => {
    t.push(specs ? { num, name, specs } : { num, name });
  };
  /** name0..nameN-1 (or from `first`) at consecutive numbers. */
  const series = (base: number, prefix: string, first: number, last: number, suffix = '',
    specsFor: (i: number) => readonly PrivSpec[] | undefined = () => ALL_SPECS): void => {
    for (let i = first; i <= last; i++) add(base + i, `${prefix}${i}${suffix}`, specsFor(i));
  };

  // Unprivileged: floating point, vector, entropy source, counters.
  add(0x000, 'ustatus', OLD_ONLY);
  add(0x001, 'fflags');
  add(0x002, 'frm');
  add(0x003, 'fcsr');
  add(0x004, 'uie', OLD_ONLY);
  add(0x005, 'utvec', OLD_ONLY);
  add(0x008, 'vstart');
  add(0x009, 'vxsat');
  add(0x00a, 'vxrm');
  add(0x00f, 'vcsr');
  add(0x015, 'seed');
  add(0x040, 'uscratch', OLD_ONLY);
  add(0x041, 'uepc', OLD_ONLY);
  add(0x042, 'ucause', OLD_ONLY);
  add(0x043, 'utval', OLD_ONLY);
  add(0x044, 'uip', OLD_ONLY);
  add(0xc00, 'cycle');
  add(0xc01, 'time');
  add(0xc02, 'instret');
  series(0xc00, 'hpmcounter', 3, 31);
  add(0xc20, 'vl');
  add(0xc21, 'vtype');
  add(0xc22, 'vlenb');
  add(0xc80, 'cycleh');
  add(0xc81, 'timeh');
  add(0xc82, 'instreth');
  series(0xc80, 'hpmcounter', 3, 31, 'h');

  // Supervisor.
  add(0x100, 'sstatus');
  add(0x102, 'sedeleg', OLD_ONLY);
  add(0x103, 'sideleg', OLD_ONLY);
  add(0x104, 'sie');
  add(0x105, 'stvec');
  add(0x106, 'scounteren');
  add(0x10a, 'senvcfg', NEW_ONLY);
  series(0x10c, 'sstateen', 0, 3);
  add(0x114, 'sieh');
  add(0x140, 'sscratch');
  add(0x141, 'sepc');
  add(0x142, 'scause');
  add(0x143, 'stval');
  add(0x144, 'sip');
  add(0x14d, 'stimecmp');
  add(0x150, 'siselect');
  add(0x151, 'sireg');
  add(0x154, 'siph');
  add(0x15c, 'stopei');
  add(0x15d, 'stimecmph');
  add(0x180, 'satp');
  add(0x5a8, 'scontext');
  add(0xda0, 'scountovf');
  add(0xdb0, 'stopi');

  // Hypervisor and virtual supervisor.
  add(0x200, 'vsstatus');
  add(0x204, 'vsie');
  add(0x205, 'vstvec');
  add(0x214, 'vsieh');
  add(0x240, 'vsscratch');
  add(0x241, 'vsepc');
  add(0x242, 'vscause');
  add(0x243, 'vstval');
  add(0x244, 'vsip');
  add(0x24d, 'vstimecmp');
  add(0x250, 'vsiselect');
  add(0x251, 'vsireg');
  add(0x254, 'vsiph');
  add(0x25c, 'vstopei');
  add(0x25d, 'vstimecmph');
  add(0x280, 'vsatp');
  add(0x600, 'hstatus');
  add(0x602, 'hedeleg');
  add(0x603, 'hideleg');
  add(0x604, 'hie');
  add(0x605, 'htimedelta');
  add(0x606, 'hcounteren');
  add(0x607, 'hgeie');
  add(0x608, 'hvien');
  add(0x609, 'hvictl');
  add(0x60a, 'henvcfg');
  series(0x60c, 'hstateen', 0, 3);
  add(0x613, 'hidelegh');
  add(0x615, 'htimedeltah');
  add(0x618, 'hvienh');
  add(0x61a, 'henvcfgh');
  series(0x61c, 'hstateen', 0, 3, 'h');
  add(0x643, 'htval');
  add(0x644, 'hip');
  add(0x645, 'hvip');
  add(0x646, 'hviprio1');
  add(0x647, 'hviprio2');
  add(0x64a, 'htinst');
  add(0x655, 'hviph');
  add(0x656, 'hviprio1h');
  add(0x657, 'hviprio2h');
  add(0x680, 'hgatp');
  add(0x6a8, 'hcontext');
  add(0xe12, 'hgeip');
  add(0xeb0, 'vstopi');

  // Machine.
  add(0x300, 'mstatus');
  add(0x301, 'misa');
  add(0x302, 'medeleg');
  add(0x303, 'mideleg');
  add(0x304, 'mie');
  add(0x305, 'mtvec');
  add(0x306, 'mcounteren');
  add(0x308, 'mvien');
  add(0x309, 'mvip');
  add(0x30a, 'menvcfg', NEW_ONLY);
  series(0x30c, 'mstateen', 0, 3);
  add(0x310, 'mstatush', NEW_ONLY);
  add(0x313, 'midelegh');
  add(0x314, 'mieh');
  add(0x318, 'mvienh');
  add(0x319, 'mviph');
  add(0x31a, 'menvcfgh', NEW_ONLY);
  series(0x31c, 'mstateen', 0, 3, 'h');
  add(0x320, 'mcountinhibit', ['1.11', '1.12']);
  series(0x320, 'mhpmevent', 3, 31);
  add(0x340, 'mscratch');
  add(0x341, 'mepc');
  add(0x342, 'mcause');
  add(0x343, 'mtval');
  add(0x344, 'mip');
  add(0x34a, 'mtinst', NEW_ONLY);
  add(0x34b, 'mtval2', NEW_ONLY);
  add(0x350, 'miselect');
  add(0x351, 'mireg');
  add(0x354, 'miph');
  add(0x35c, 'mtopei');
  series(0x3a0, 'pmpcfg', 0, 15, '', (i) => (i < 4 ? ALL_SPECS : NEW_ONLY));
  series(0x3b0, 'pmpaddr', 0, 63, '', (i) => (i < 16 ? ALL_SPECS : NEW_ONLY));
  add(0x747, 'mseccfg', NEW_ONLY);
  add(0x757, 'mseccfgh', NEW_ONLY);
  series(0x720, 'mhpmevent', 3, 31, 'h');
  add(0xb00, 'mcycle');
  add(0xb02, 'minstret');
  series(0xb00, 'mhpmcounter', 3, 31);
  add(0xb80, 'mcycleh');
  add(0xb82, 'minstreth');
  series(0xb80, 'mhpmcounter', 3, 31, 'h');
  add(0xf11, 'mvendorid');
  add(0xf12, 'marchid');
  add(0xf13, 'mimpid');
  add(0xf14, 'mhartid');
  add(0xf15, 'mconfigptr', NEW_ONLY);
  add(0xfb0, 'mtopi');

  // Debug and trigger module.
  add(0x7a0, 'tselect');
  add(0x7a1, 'tdata1');
  add(0x7a2, 'tdata2');
  add(0x7a3, 'tdata3');
  add(0x7a4, 'tinfo');
  add(0x7a5, 'tcontrol');
  add(0x7a8, 'mcontext');
  add(0x7aa, 'mscontext');
  add(0x7b0, 'dcsr');
  add(0x7b1, 'dpc');
  add(0x7b2, 'dscratch0');
  add(0x7b3, 'dscratch1');

  return t.sort((a, b) => a.num - b.num);
}

/** Every named CSR (some numbers appear twice, with disjoint `specs`). Sorted by number. */
export const CSRS: readonly CsrInfo[] = Object.freeze(csrTable());

function specNames(spec: PrivSpec): ReadonlyMap<number, string> {
  const m = new Map<number, string>();
  for (const c of CSRS) if (!c.specs || c.specs.includes(spec)) m.set(c.num, c.name);
  return m;
}

const NAMES_BY_SPEC: Readonly<Record<PrivSpec, ReadonlyMap<number, string>>> = {
  '1.10': specNames('1.10'),
  '1.11': specNames('1.11'),
  '1.12': specNames('1.12'),
};

/** CSR number → name under the privileged spec 1.12 (objdump's default). */
export const CSR_NAMES: ReadonlyMap<number, string> = NAMES_BY_SPEC['1.12'];

/** Name of CSR `num` under `spec` (default 1.12); undefined if it has none. */
export function csrName(num: number, spec: PrivSpec = '1.12'): string | undefined {
  return NAMES_BY_SPEC[spec].get(num);
}

/** Alternative spellings accepted by `csrNumber` (old names from earlier privileged specs). */
const CSR_ALIASES: ReadonlyMap<string, number> = new Map<string, number>([
  ['ubadaddr', 0x043],
  ['sbadaddr', 0x143],
  ['sptbr', 0x180],
  ['mbadaddr', 0x343],
  ['dscratch', 0x7b2],
]);

const CSR_BY_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ...CSR_ALIASES,
  ...CSRS.map((c) => [c.name, c.num] as const),
]);

/** Number of a CSR given its name (any spec version, or an old alias); undefined if unknown. */
export function csrNumber(name: string): number | undefined {
  return CSR_BY_NAME.get(name);
}
