/**
 * Command-line options, parsed as qemu-system-riscv64/riscv32 parse them (QEMU 7.2 checked side by
 * side), for the flags tracehook supports.
 *
 * Syntax, as QEMU's:
 * - a flag is `-name`, or `--name` (one extra dash is dropped); `-name=value` is not a flag
 *   (`-kernel=x: invalid option`, as QEMU says);
 * - a flag's value is always the next argument, even when it starts with `-`;
 * - structured values (`-m`, `-smp`, `-icount`, `-semihosting-config`, `-machine`) are
 *   comma-separated `key=value` lists where `,,` is a literal comma; the first item may omit its key
 *   (`-m 128M` is `-m size=128M`, `-icount 3` is `-icount shift=3`, `-M virt` is `-M type=virt`);
 *   in QemuOpts lists a bare `key` means `key=on` and `nokey` means `key=off`;
 * - a flag given twice keeps its last value, except `-serial`, `-plugin` and semihosting `arg=`,
 *   which accumulate, and `-machine`, whose properties merge.
 *
 * Order of checks: every flag must be known and have its value (`-foo: invalid option`,
 * `-kernel: requires an argument`) before anything else; then, if `-h`/`-help` or `-version` is
 * present, the first of them wins and nothing else is looked at (QEMU prints help/version and exits;
 * unlike QEMU 7.2, a bad value before it, as in `-m abc -h`, does not stop the help);
 * otherwise values are checked left to right, and finally a machine is required unless a list was
 * asked for (`-M help`, `-M virt,help`, `-cpu help`, `-d help`).
 *
 * Errors are one-line {@link UserError}s naming the flag as it was written; the CLI prefixes
 * `tracehook-riscv64: `.
 */
import { UserError } from '../core/errors.js';

export interface Options {
  /** `-M`/`-machine` type; `'help'` (also from `?`) asks for the list of machines. `''` only when help/version is set. */
  machine: string;
  /** Machine properties (`-M virt,aclint=on`), merged over repeated `-M`. `help: 'on'` asks for the machine's property list. */
  machineProps: Record<string, string>;
  /** `-cpu` model verbatim (`rv64,v=true` kept whole); `'help'` (also from `?`) asks for the list. */
  cpu: string | undefined;
  /** RAM size in bytes, rounded up to 8 KiB as QEMU does; undefined: machine default (also `-m 0`). */
  memBytes: number | undefined;
  /** CPU count from `-smp`; default 1. */
  smp: number;
  /** `-bios FILE`, or `'none'`. */
  bios: string | undefined;
  kernel: string | undefined;
  append: string | undefined;
  initrd: string | undefined;
  /** `-nographic` given. The flag's QEMU meaning (serial on stdio when no `-serial`) is the caller's to apply. */
  nographic: boolean;
  /** Each `-serial` in order: `stdio`, `mon:stdio`, `none`, `null` or `file:PATH`. */
  serial: string[];
  /** `-semihosting`, or `-semihosting-config` with enable on (its default). */
  semihosting: boolean;
  /** Every `arg=` of `-semihosting-config`, in order. Empty: QEMU falls back to `-kernel` + `-append` words. */
  semihostingArgs: string[];
  /** `-semihosting-config userspace=on`: calls are serviced from user mode too (QEMU 7.2: privileged code only). */
  semihostingUserspace: boolean;
  /** Each `-plugin SPEC` verbatim. */
  plugins: string[];
  /** `-d` items (last `-d` wins), each one of {@link SUPPORTED_DEBUG}; `['help']` asks for the list. */
  debug: string[];
  /** `-D FILE`. */
  logFile: string | undefined;
  /** `-icount` with a shift; undefined without `-icount`, or with one that gives no shift (as QEMU). */
  icount: { shift: number; sleep: boolean } | undefined;
  /** `-max-insns N` (tracehook's own): stop after N instructions. */
  maxInsns: number | undefined;
  /** `-singlestep`: one instruction per block. */
  singlestep: boolean;
  /** `-display`: only `none`. */
  display: string | undefined;
  /** `-monitor`: only `none` or `null` (no monitor). */
  monitor: string | undefined;
  noReboot: boolean;
  /** `-h`, `-help`, `--help`: print {@link usage} and exit 0. */
  help: boolean;
  /** `-version`, `--version`: print the version and exit 0. */
  version: boolean;
}

/** `-d` log items tracehook understands, with QEMU's descriptions. */
const DEBUG_ITEMS: ReadonlyArray<readonly [string, string]> = [
  ['int', 'show interrupts/exceptions in short format'],
  ['exec', 'show trace before each executed TB (lots of logs)'],
  ['in_asm', 'show target assembly code for each compiled TB'],
  ['cpu', 'show CPU registers before entering a TB (lots of logs)'],
  ['nochain', 'do not chain compiled TBs so that "exec" and "cpu" show complete traces'],
  ['guest_errors', 'log when the guest OS does something invalid (eg accessing a non-existent register)'],
  ['unimp', 'log unimplemented functionality'],
  ['plugin', 'output from TCG plugins (always shown by tracehook; accepted for compatibility)'],
];

/** The `-d` items accepted, in the order `-d help` lists them: int, exec, in_asm, cpu, nochain, then the compatibility ones. */
export const SUPPORTED_DEBUG: readonly string[] = DEBUG_ITEMS.map(([name]) => name);

/** The text `-d help` prints, in QEMU's layout. */
export function debugHelp(): string {
  const lines = ['Log items (comma separated):'];
  for (const [name, text] of DEBUG_ITEMS) lines.push(`${name.padEnd(15)} ${text}`);
  return lines.join('\n') + '\n';
}

type FlagName =
  | 'h' | 'version' | 'machine' | 'cpu' | 'm' | 'smp' | 'bios' | 'kernel' | 'append' | 'initrd'
  | 'nographic' | 'display' | 'serial' | 'monitor' | 'semihosting' | 'semihosting-config' | 'plugin'
  | 'd' | 'D' | 'icount' | 'singlestep' | 'max-insns' | 'no-reboot';

interface FlagDef {
  /** Canonical name; aliases map to it. */
  id: FlagName;
  /** Placeholder for the value in the help text; absent: the flag takes no value. */
  arg?: string;
  help: string;
}

/** Supported flags, in help order. */
const FLAGS: ReadonlyArray<readonly [string[], FlagDef]> = [
  [['h', 'help'], { id: 'h', help: 'display this help and exit' }],
  [['version'], { id: 'version', help: 'display version information and exit' }],
  [['machine', 'M'], { id: 'machine', arg: 'name[,prop=value...]', help: "select the machine ('-machine help' for a list); also -M" }],
  [['cpu'], { id: 'cpu', arg: 'model', help: "select the CPU model ('-cpu help' for a list)" }],
  [['m'], { id: 'm', arg: '[size=]megs', help: 'RAM size in MiB, or with a suffix k, M, G, T (512M, 1G)' }],
  [['smp'], { id: 'smp', arg: '[cpus=]n[,cores=n...]', help: 'number of CPUs (default 1); sockets=, cores=, threads= also accepted' }],
  [['bios'], { id: 'bios', arg: 'file', help: "firmware image, or 'none' to run the kernel directly" }],
  [['kernel'], { id: 'kernel', arg: 'file', help: 'kernel or bare-metal program (ELF or raw image)' }],
  [['append'], { id: 'append', arg: 'cmdline', help: 'kernel command line' }],
  [['initrd'], { id: 'initrd', arg: 'file', help: 'initial ram disk' }],
  [['nographic'], { id: 'nographic', help: 'no graphical output; serial console on stdio' }],
  [['display'], { id: 'display', arg: 'none', help: 'display backend (only none)' }],
  [['serial'], { id: 'serial', arg: 'dev', help: 'serial port: stdio, mon:stdio, null, none or file:PATH (repeatable)' }],
  [['monitor'], { id: 'monitor', arg: 'none', help: 'monitor (only none or null)' }],
  [['semihosting'], { id: 'semihosting', help: 'enable semihosting' }],
  [['semihosting-config'], { id: 'semihosting-config', arg: 'opts', help: 'semihosting: enable=on|off, userspace=on|off, target=native|auto, arg=STR (repeatable)' }],
  [['plugin'], { id: 'plugin', arg: 'name[,arg=value...]', help: 'load a plugin: bundled name or file path (repeatable)' }],
  [['d'], { id: 'd', arg: 'item1,...', help: "enable logging of the given items ('-d help' for a list)" }],
  [['D'], { id: 'D', arg: 'logfile', help: 'write logs (and plugin output) to logfile instead of stderr' }],
  [['icount'], { id: 'icount', arg: '[shift=]N[,sleep=on|off]', help: 'virtual clock: 2^N ns per instruction (N in 0..10)' }],
  [['singlestep'], { id: 'singlestep', help: 'one guest instruction per translation block' }],
  [['max-insns'], { id: 'max-insns', arg: 'N', help: 'stop after N instructions (tracehook only)' }],
  [['no-reboot'], { id: 'no-reboot', help: 'exit instead of rebooting' }],
];

/** QEMU flags tracehook rejects, and whether each takes a value (so `-drive` alone still says `requires an argument`). */
const UNSUPPORTED_WITH_VALUE = [
  'drive', 'blockdev', 'hda', 'hdb', 'hdc', 'hdd', 'cdrom', 'fda', 'fdb', 'mtdblock', 'sd', 'pflash',
  'device', 'netdev', 'nic', 'net', 'chardev', 'object', 'global', 'set', 'fsdev', 'virtfs', 'audiodev',
  'audio', 'usbdevice', 'boot', 'rtc', 'vga', 'parallel', 'debugcon', 'qmp', 'qmp-pretty', 'mon', 'gdb',
  'accel', 'dtb', 'L', 'name', 'uuid', 'k', 'pidfile', 'loadvm', 'incoming', 'trace', 'add-fd',
  'readconfig', 'fw_cfg', 'overcommit', 'msg', 'sandbox', 'numa', 'tpmdev', 'spice', 'vnc',
  'option-rom', 'smbios', 'acpitable', 'mem-path', 'watchdog', 'watchdog-action', 'action', 'dfilter',
  'seed', 'echr', 'iscsi', 'compat', 'run-with',
];
const UNSUPPORTED_NO_VALUE = [
  's', 'S', 'enable-kvm', 'snapshot', 'daemonize', 'nodefaults', 'no-shutdown', 'no-user-config',
  'usb', 'full-screen', 'mem-prealloc', 'only-migratable', 'preconfig', 'no-acpi', 'no-hpet',
  'enable-sync-profile', 'async-teardown',
];

type Lookup = { kind: 'supported'; def: FlagDef } | { kind: 'unsupported'; takesValue: boolean };

const TABLE = new Map<string, Lookup>();
for (const [names, def] of FLAGS) for (const n of names) TABLE.set(n, { kind: 'supported', def });
for (const n of UNSUPPORTED_WITH_VALUE) TABLE.set(n, { kind: 'unsupported', takesValue: true });
for (const n of UNSUPPORTED_NO_VALUE) TABLE.set(n, { kind: 'unsupported', takesValue: false });

/** QEMU-like help text: one supported flag per line with a short description. */
export function usage(arch: string): string {
  const lines = [
    `usage: tracehook-${arch} [options]`,
    '',
    `A CPU emulator built for instrumentation; accepts qemu-system-${arch} syntax for the flags below.`,
    '',
  ];
  const rows = FLAGS.map(([names, def]) => {
    const flag = def.id === 'h' ? '-h or -help' : `-${names[0]}`;
    return [def.arg === undefined ? flag : `${flag} ${def.arg}`, def.help] as const;
  });
  const width = Math.max(...rows.map(([synopsis]) => synopsis.length));
  for (const [synopsis, help] of rows) lines.push(`${synopsis.padEnd(width)}  ${help}`);
  lines.push('', 'Flags may also be written with two dashes (--kernel). Other QEMU flags are not supported.');
  return lines.join('\n') + '\n';
}

function defaults(): Options {
  return {
    machine: '',
    machineProps: {},
    cpu: undefined,
    memBytes: undefined,
    smp: 1,
    bios: undefined,
    kernel: undefined,
    append: undefined,
    initrd: undefined,
    nographic: false,
    serial: [],
    semihosting: false,
    semihostingArgs: [],
    semihostingUserspace: false,
    plugins: [],
    debug: [],
    logFile: undefined,
    icount: undefined,
    maxInsns: undefined,
    singlestep: false,
    display: undefined,
    monitor: undefined,
    noReboot: false,
    help: false,
    version: false,
  };
}

/** One flag occurrence after the syntax pass. */
interface Item {
  /** As written, for messages (`--kernel`). */
  written: string;
  lookup: Lookup | { kind: 'positional' };
  value: string;
}

/**
 * Parse the arguments after the program name. `arch` (`riscv64`, `riscv32`) names the target as
 * {@link usage} does; the flags and their parsing are the same for both.
 */
export function parseOptions(argv: string[], _arch: string): Options {
  // Pass 1, as QEMU's first pass: every flag known, every value present.
  const items: Item[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      items.push({ written: arg, lookup: { kind: 'positional' }, value: '' });
      continue;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const lookup = TABLE.get(name);
    if (lookup === undefined) throw new UserError(`${arg}: invalid option`);
    const takesValue = lookup.kind === 'supported' ? lookup.def.arg !== undefined : lookup.takesValue;
    let value = '';
    if (takesValue) {
      if (i + 1 >= argv.length) throw new UserError(`${arg}: requires an argument`);
      value = argv[++i]!;
    }
    items.push({ written: arg, lookup, value });
  }

  // -h / -version anywhere: the first one wins, as QEMU exits on it.
  for (const item of items) {
    if (item.lookup.kind !== 'supported') continue;
    if (item.lookup.def.id === 'h') return { ...defaults(), help: true };
    if (item.lookup.def.id === 'version') return { ...defaults(), version: true };
  }

  // Pass 2: values, left to right.
  const o = defaults();
  for (const { written, lookup, value } of items) {
    if (lookup.kind === 'positional') {
      throw new UserError(`${written}: positional disk images are not supported`);
    }
    if (lookup.kind === 'unsupported') throw new UserError(`${written}: not supported by tracehook`);
    const flag = written;
    switch (lookup.def.id) {
      case 'h':
      case 'version':
        break; // handled above
      case 'machine':
        parseMachine(flag, value, o);
        break;
      case 'cpu':
        o.cpu = isHelp(value) ? 'help' : value;
        break;
      case 'm':
        o.memBytes = parseMemory(flag, value);
        break;
      case 'smp':
        o.smp = parseSmp(flag, value);
        break;
      case 'bios':
        o.bios = value;
        break;
      case 'kernel':
        o.kernel = value;
        break;
      case 'append':
        o.append = value;
        break;
      case 'initrd':
        o.initrd = value;
        break;
      case 'nographic':
        o.nographic = true;
        break;
      case 'display':
        if (value !== 'none') throw new UserError(`${flag}: display '${value}' is not supported by tracehook (only none)`);
        o.display = value;
        break;
      case 'serial':
        o.serial.push(parseSerial(flag, value, o.serial));
        break;
      case 'monitor':
        if (value !== 'none' && value !== 'null') {
          throw new UserError(`${flag}: monitor '${value}' is not supported by tracehook (only none)`);
        }
        o.monitor = value;
        break;
      case 'semihosting':
        o.semihosting = true;
        break;
      case 'semihosting-config':
        parseSemihostingConfig(flag, value, o);
        break;
      case 'plugin':
        o.plugins.push(value);
        break;
      case 'd':
        o.debug = parseDebug(flag, value);
        break;
      case 'D':
        o.logFile = value;
        break;
      case 'icount':
        o.icount = parseIcount(flag, value);
        break;
      case 'singlestep':
        o.singlestep = true;
        break;
      case 'max-insns': {
        const n = parseCInteger(value);
        if (n === undefined || n < 1) throw new UserError(`${flag}: invalid count '${value}' (a positive integer)`);
        o.maxInsns = n;
        break;
      }
      case 'no-reboot':
        o.noReboot = true;
        break;
    }
  }

  const listRequested =
    o.machine === 'help' || o.machineProps['help'] !== undefined || o.cpu === 'help' || o.debug[0] === 'help';
  if (o.machine === '' && !listRequested) throw new UserError('no machine specified (use -M virt)');
  return o;
}

function isHelp(text: string): boolean {
  return text === 'help' || text === '?';
}

/** Split on `,` where `,,` is a literal comma (QemuOpts and keyval escaping). */
function splitCommas(text: string): string[] {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ',') cur += c;
    else if (text[i + 1] === ',') { cur += ','; i++; }
    else { items.push(cur); cur = ''; }
  }
  items.push(cur);
  return items;
}

/**
 * A QemuOpts list: `[implied=]v,key=value,flag,noflag`. Keys must be in `allowed`
 * (`-icount: invalid parameter 'foo'`). Returns pairs in order; the caller takes the last of a key.
 */
function parseQemuOpts(flag: string, text: string, allowed: readonly string[], implied?: string): [string, string][] {
  const pairs: [string, string][] = [];
  if (text === '') return pairs;
  const items = splitCommas(text);
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    let key: string;
    let value: string;
    if (eq >= 0) {
      key = item.slice(0, eq);
      value = item.slice(eq + 1);
    } else if (i === 0 && implied !== undefined) {
      key = implied;
      value = item;
    } else if (item === '') {
      return; // trailing comma
    } else if (item.startsWith('no') && allowed.includes(item.slice(2))) {
      key = item.slice(2);
      value = 'off';
    } else {
      key = item;
      value = 'on';
    }
    if (!allowed.includes(key)) throw new UserError(`${flag}: invalid parameter '${key}'`);
    pairs.push([key, value]);
  });
  return pairs;
}

function last(pairs: [string, string][], key: string): string | undefined {
  let v: string | undefined;
  for (const [k, val] of pairs) if (k === key) v = val;
  return v;
}

/** QemuOpts booleans are case-sensitive: on/yes/true/y, off/no/false/n. */
function parseBool(flag: string, key: string, text: string | undefined, dflt: boolean): boolean {
  if (text === undefined) return dflt;
  if (['on', 'yes', 'true', 'y'].includes(text)) return true;
  if (['off', 'no', 'false', 'n'].includes(text)) return false;
  throw new UserError(`${flag}: parameter '${key}' expects 'on' or 'off', got '${text}'`);
}

/** C `strtol(text, 0)` as QEMU uses it: decimal, `0x` hex or leading-`0` octal, whole text, safe integer. */
function parseCInteger(text: string): number | undefined {
  const m = /^\s*([+-]?)(?:0x([0-9a-f]+)|0([0-7]*)|([1-9][0-9]*))$/i.exec(text);
  if (!m) return undefined;
  const n = m[2] !== undefined ? parseInt(m[2], 16) : m[3] !== undefined ? (m[3] === '' ? 0 : parseInt(m[3], 8)) : Number(m[4]);
  if (!Number.isSafeInteger(n)) return undefined;
  return m[1] === '-' ? -n : n;
}

/** `-M [type=]name[,prop=value...]`, keyval syntax: a property without `=` is an error, except `help`. */
function parseMachine(flag: string, text: string, o: Options): void {
  const items = splitCommas(text);
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (isHelp(item)) {
        if (i === 0) o.machine = 'help';
        else o.machineProps['help'] = 'on';
        return;
      }
      if (i === 0) {
        if (item === '') throw new UserError(`${flag}: machine name is empty`);
        o.machine = item;
        return;
      }
      if (item === '' && i === items.length - 1) return; // trailing comma
      throw new UserError(`${flag}: expected '=' after parameter '${item}'`);
    }
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === '') throw new UserError(`${flag}: parameter name missing in '${item}'`);
    if (key === 'type') {
      if (value === '') throw new UserError(`${flag}: machine name is empty`);
      o.machine = isHelp(value) ? 'help' : value;
    } else {
      o.machineProps[key] = value;
    }
  });
}

const SIZE_SUFFIX: Record<string, bigint> = {
  b: 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n, p: 1n << 50n, e: 1n << 60n,
};

/**
 * `-m [size=]N[suffix][,maxmem=...,slots=...]`. As QEMU 7.2: a size ending in a digit is MiB;
 * suffixes B k M G T P E (either case, powers of 1024); a fraction needs a suffix other than B;
 * `0x` hex allowed without a fraction; the result is rounded up to 8 KiB; 0 or an empty `-m` means
 * the machine's default.
 */
function parseMemory(flag: string, text: string): number | undefined {
  const pairs = parseQemuOpts(flag, text, ['size', 'slots', 'maxmem'], 'size');
  for (const [key] of pairs) {
    if (key !== 'size') throw new UserError(`${flag}: ${key}= (memory hotplug) is not supported by tracehook`);
  }
  const size = last(pairs, 'size');
  if (size === undefined) return undefined;
  const bad = () => new UserError(`${flag}: invalid size '${size}'`);
  const m = /^\s*\+?(?:0x([0-9a-f]+)|([0-9]+)(?:\.([0-9]*))?)([bkmgtpe])?$/i.exec(size);
  if (!m) throw bad();
  const [, hex, int, frac, suffixText] = m;
  const suffix = suffixText?.toLowerCase();
  const mul = SIZE_SUFFIX[suffix ?? 'm']!;
  if (frac !== undefined && (suffix === undefined || suffix === 'b')) throw bad();
  let bytes = BigInt(hex !== undefined ? `0x${hex}` : int!) * mul;
  if (frac !== undefined && frac !== '') bytes += BigInt(Math.floor(Number(`0.${frac}`) * Number(mul)));
  if (bytes >= 1n << 64n) throw bad();
  if (bytes === 0n) return undefined;
  const aligned = (bytes + 8191n) & ~8191n;
  if (aligned > BigInt(Number.MAX_SAFE_INTEGER)) throw new UserError(`${flag}: size '${size}' is too large`);
  return Number(aligned);
}

const SMP_KEYS = ['cpus', 'maxcpus', 'sockets', 'dies', 'clusters', 'cores', 'threads'] as const;

/** `-smp [cpus=]n[,maxcpus=n][,sockets=n][,dies=n][,clusters=n][,cores=n][,threads=n]`, QEMU 7.2's arithmetic. */
function parseSmp(flag: string, text: string): number {
  const pairs = parseQemuOpts(flag, text, SMP_KEYS, 'cpus');
  const v: Partial<Record<(typeof SMP_KEYS)[number], number>> = {};
  for (const key of SMP_KEYS) {
    const t = last(pairs, key);
    if (t === undefined) continue;
    const n = parseCInteger(t);
    if (n === undefined || n < 0) throw new UserError(`${flag}: '${key}' expects a number, got '${t}'`);
    if (n === 0) throw new UserError(`${flag}: '${key}' must be at least 1`);
    v[key] = n;
  }
  const dies = v.dies ?? 1;
  const clusters = v.clusters ?? 1;
  let { cpus, maxcpus, sockets, cores, threads } = v;
  if (cpus === undefined && maxcpus === undefined) {
    sockets ??= 1;
    cores ??= 1;
    threads ??= 1;
  } else {
    maxcpus ??= cpus!;
    sockets ??= 1;
    threads ??= 1;
    cores ??= Math.floor(maxcpus / (sockets * dies * clusters * threads));
  }
  const total = sockets * dies * clusters * cores * threads;
  maxcpus ??= total;
  cpus ??= maxcpus;
  if (total !== maxcpus) {
    throw new UserError(
      `${flag}: invalid CPU topology: sockets (${sockets}) * dies (${dies}) * clusters (${clusters}) * cores (${cores}) * threads (${threads}) != maxcpus (${maxcpus})`,
    );
  }
  if (maxcpus < cpus) throw new UserError(`${flag}: maxcpus (${maxcpus}) must be at least cpus (${cpus})`);
  return cpus;
}

/** `-serial`: the character devices tracehook has; stdio at most once, as QEMU. */
function parseSerial(flag: string, text: string, earlier: readonly string[]): string {
  if (text === 'stdio' || text === 'mon:stdio') {
    if (earlier.some((s) => s === 'stdio' || s === 'mon:stdio')) {
      throw new UserError(`${flag}: cannot use stdio for more than one serial port`);
    }
    return text;
  }
  if (text === 'none' || text === 'null') return text;
  if (text.startsWith('file:')) {
    if (text.length === 'file:'.length) throw new UserError(`${flag}: file: needs a path`);
    return text;
  }
  throw new UserError(`${flag}: unsupported serial device '${text}' (accepted: stdio, mon:stdio, null, none, file:PATH)`);
}

/** `-semihosting-config enable=on|off,userspace=on|off,target=native|auto,arg=...` (no implied key, as QEMU). */
function parseSemihostingConfig(flag: string, text: string, o: Options): void {
  const pairs = parseQemuOpts(flag, text, ['enable', 'userspace', 'target', 'chardev', 'arg']);
  o.semihosting = parseBool(flag, 'enable', last(pairs, 'enable'), true);
  o.semihostingUserspace = parseBool(flag, 'userspace', last(pairs, 'userspace'), false);
  const target = last(pairs, 'target');
  if (target === 'gdb') throw new UserError(`${flag}: target=gdb is not supported by tracehook`);
  if (target !== undefined && target !== 'native' && target !== 'auto') {
    throw new UserError(`${flag}: unsupported target '${target}' (accepted: native, auto)`);
  }
  if (last(pairs, 'chardev') !== undefined) throw new UserError(`${flag}: chardev= is not supported by tracehook`);
  for (const [k, v] of pairs) if (k === 'arg') o.semihostingArgs.push(v);
}

/** `-d item,...`: each a supported item; `help`/`?` alone asks for the list. */
function parseDebug(flag: string, text: string): string[] {
  if (isHelp(text)) return ['help'];
  const items = text.split(',');
  for (const item of items) {
    if (!SUPPORTED_DEBUG.includes(item)) {
      throw new UserError(`${flag}: unknown log item '${item}' (accepted: ${SUPPORTED_DEBUG.join(', ')})`);
    }
  }
  return [...new Set(items)];
}

/**
 * `-icount [shift=]N[,sleep=on|off][,align=on|off]`. As QEMU: without a shift icount stays off
 * (but `align` then is an error); sleep defaults to on; align=on needs sleep=on and is otherwise
 * accepted without effect. `shift=auto` and record/replay are not supported.
 */
function parseIcount(flag: string, text: string): Options['icount'] {
  const pairs = parseQemuOpts(flag, text, ['shift', 'sleep', 'align', 'rr', 'rrfile', 'rrsnapshot'], 'shift');
  for (const key of ['rr', 'rrfile', 'rrsnapshot']) {
    if (last(pairs, key) !== undefined) throw new UserError(`${flag}: ${key}= (record/replay) is not supported by tracehook`);
  }
  const shiftText = last(pairs, 'shift');
  const sleep = parseBool(flag, 'sleep', last(pairs, 'sleep'), true);
  const alignText = last(pairs, 'align');
  const align = parseBool(flag, 'align', alignText, false);
  if (shiftText === undefined) {
    if (alignText !== undefined) throw new UserError(`${flag}: align needs a shift`);
    return undefined;
  }
  if (align && !sleep) throw new UserError(`${flag}: align=on and sleep=off are incompatible`);
  if (shiftText === 'auto') throw new UserError(`${flag}: shift=auto is not supported: use a number (0..10)`);
  const shift = parseCInteger(shiftText);
  if (shift === undefined || shift < 0 || shift > 10) throw new UserError(`${flag}: invalid shift '${shiftText}' (0..10)`);
  return { shift, sleep };
}
