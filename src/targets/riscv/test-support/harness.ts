/**
 * Run a small assembly program on the `virt` machine and look at the hart afterwards.
 *
 * ```ts
 * const r = await runProgram(64, `
 *   li a0, 5
 *   addi a0, a0, 1
 *   exit
 * `);
 * assert.equal(r.x('a0'), 6n);
 * ```
 *
 * The program is assembled at 0x80000000, written to a temporary raw binary and booted with
 * `-bios none -kernel FILE`: the boot ROM at 0x1000 runs its 6 instructions (a0 = hart id,
 * a1 = device tree) and jumps to it. The run ends when the program writes PASS (0x5555) to the
 * SiFive test device: a line reading `exit` expands to {@link EXIT}, `exit N` to a FAIL write
 * with code N, and an `exit` is appended after the program in case it falls off its end.
 *
 * Unless the program installs its own `mtvec`, a default trap handler (`__harness_trap`) catches
 * any trap and ends the run with code {@link TRAP_EXIT_CODE}; `runProgram` then throws with
 * mcause/mepc/mtval, unless `allowTrap` is set. The handler and the exit sequence use t5/t6.
 */
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtMachine } from '../../../machines/riscv-virt.js';
import type { Hart } from '../hart.js';
import type { RvIsa } from '../isa.js';
import { xregNumber } from '../regnames.js';
import { assemble, type Xlen } from './asm.js';

export const RAM_BASE = 0x80000000n;
/** Instructions the boot ROM executes before jumping to the program. */
export const BOOT_ROM_INSNS = 6;
/** End the run with status PASS (4 instructions; clobbers t5, t6). */
export const EXIT = 'li t6, 0x100000; li t5, 0x5555; sw t5, 0(t6)';
/** Exit code the default trap handler ends the run with. */
export const TRAP_EXIT_CODE = 0xdead;
/** Instructions in {@link EXIT}. */
export const EXIT_INSNS = 4;

const TRAP_HANDLER = `
  .align 2
__harness_trap:
  li t6, 0x100000
  li t5, ${(TRAP_EXIT_CODE << 16) | 0x3333}
  sw t5, 0(t6)
__harness_spin:
  j __harness_spin
`;

export interface RunOptions {
  /** Stop with an error after this many instructions (default 1,000,000). */
  maxInsns?: number;
  /** Called after the machine is built and before it runs. */
  setup?: (machine: VirtMachine, hart: Hart, symbols: ReadonlyMap<string, bigint>) => void;
  /** RAM size (default 16 MiB; the device tree sits at its top, 2 MiB aligned). */
  memBytes?: number;
  /** `-icount shift=N` (default 0: one instruction per ns, 100 instructions per 10 MHz mtime tick). */
  icountShift?: number;
  /** Do not throw when the run ended in the default trap handler. */
  allowTrap?: boolean;
  /** QEMU's -singlestep: one instruction per translation block. */
  singleStep?: boolean;
  /** Leave out the default trap handler (mtvec stays 0). */
  noTrapHandler?: boolean;
  /** The hart's extensions (`-cpu rv64,...`, see isa.ts); default QEMU 7.2's default CPU without H. */
  isa?: RvIsa;
  /** `-semihosting` (with `userspace=on` if asked); console output to `out`. */
  semihosting?: { userspace?: boolean; out?: (bytes: Uint8Array) => void };
}

export interface RunResult {
  machine: VirtMachine;
  hart: Hart;
  /** Exit code of the run (0 for PASS). */
  code: number;
  /** True if the run ended in the default trap handler. */
  trapped: boolean;
  /** Label addresses. */
  symbols: ReadonlyMap<string, bigint>;
  /** Bytes written to the UART. */
  uart: string;
  /** Register value as an unsigned XLEN-bit bigint (by ABI name, `xN` or number). */
  x(r: string | number): bigint;
  /** Register value, signed. */
  sx(r: string | number): bigint;
  /** Address of a label. */
  label(name: string): bigint;
  /** Memory bytes (RAM or ROM). */
  mem(addr: bigint | number, len: number): Uint8Array;
  /** Little-endian unsigned value of `size` bytes at `addr`. */
  load(addr: bigint | number, size: 1 | 2 | 4 | 8): bigint;
  /** Instructions retired by the hart, boot ROM included. */
  icount: number;
}

function regNum(r: string | number): number {
  if (typeof r === 'number') return r;
  const n = xregNumber(r);
  if (n === undefined) throw new Error(`no register ${r}`);
  return n;
}

/** Expand `exit` / `exit N` lines and append the final exit and the default trap handler. */
export function prepareSource(src: string, withTrapHandler = true, xlen: Xlen = 64): string {
  let dumps = false;
  const body = src.split('\n').map((line) => {
    const d = /^(\s*(?:[\w.$]+:\s*)*)dump\s*(?:#.*)?$/.exec(line);
    if (d) { dumps = true; return `${d[1]}${dumpSave(xlen)}`; }
    const m = /^(\s*(?:[\w.$]+:\s*)*)exit(?:\s+(\S+))?\s*(?:#.*)?$/.exec(line);
    if (!m) return line;
    if (m[2] === undefined) return `${m[1]}${EXIT}`;
    return `${m[1]}li t6, 0x100000; li t5, ((${m[2]}) << 16) | 0x3333; sw t5, 0(t6)`;
  }).join('\n');
  return `${body}\n${EXIT}\n${withTrapHandler ? TRAP_HANDLER : ''}${dumps ? dumpPrint(xlen) : ''}`;
}

/** Where `dump` saves the registers (x0..x31, XLEN/8 bytes each). */
export const DUMP_AREA = 0x80100000n;

/**
 * `dump`: save x1..x31 to {@link DUMP_AREA} (t0 goes through mscratch), print them on the UART
 * as one hex line per register (x1 first, XLEN/4 digits each) and exit. The printed text is the
 * same on QEMU, so a program ending in `dump` can be compared between the two.
 */
function dumpSave(xlen: Xlen): string {
  const st = xlen === 64 ? 'sd' : 'sw', w = xlen / 8;
  const saves: string[] = ['csrw mscratch, t0', `li t0, ${DUMP_AREA}`];
  for (let r = 1; r < 32; r++) if (r !== 5) saves.push(`${st} x${r}, ${r * w}(t0)`);
  saves.push('csrr t1, mscratch', `${st} t1, ${5 * w}(t0)`, 'j __harness_dump_print');
  return saves.join('; ');
}
function dumpPrint(xlen: Xlen): string {
  const ld = xlen === 64 ? 'ld' : 'lw', w = xlen / 8;
  return `
__harness_dump_print:
  li s0, ${DUMP_AREA + BigInt(w)}
  addi s1, s0, ${31 * w}
  li s2, 0x10000000
1:
  ${ld} a0, 0(s0)
  li a1, ${xlen}
2:
  addi a1, a1, -4
  srl a2, a0, a1
  andi a2, a2, 15
  addi a2, a2, 48
  li a3, 58
  blt a2, a3, 3f
  addi a2, a2, 39
3:
  jal ra, __harness_putc
  bnez a1, 2b
  li a2, 10
  jal ra, __harness_putc
  addi s0, s0, ${w}
  bne s0, s1, 1b
  ${EXIT}
__harness_putc:      # a2 = byte; waits for LSR.THRE (QEMU drops bytes otherwise)
  lbu a4, 5(s2)
  andi a4, a4, 0x20
  beqz a4, __harness_putc
  sb a2, 0(s2)
  ret
`;
}

/** Parse the text `dump` printed into x1..x31 (index 0 is x0 = 0). */
export function parseDump(text: string): bigint[] {
  const lines = text.split('\n').filter((l) => /^[0-9a-f]+$/.test(l));
  if (lines.length < 31) throw new Error(`incomplete register dump:\n${text}`);
  return [0n, ...lines.slice(-31).map((l) => BigInt('0x' + l))];
}

let tmpDir: string | undefined;
let seq = 0;
/** QEMUs still running: killed if the test process exits first (a hung guest must not outlive it). */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  if (tmpDir !== undefined) rmSync(tmpDir, { recursive: true, force: true });
});

/** Assemble `src`, boot it on a `virt` machine with `-bios none` and run it to its exit. */
export async function runProgram(xlen: Xlen, src: string, opts: RunOptions = {}): Promise<RunResult> {
  const prog = assemble(xlen, prepareSource(src, !opts.noTrapHandler, xlen), { origin: RAM_BASE });
  tmpDir ??= mkdtempSync(join(tmpdir(), 'tracehook-rv-'));
  const path = join(tmpDir, `prog${process.pid}-${seq++}.bin`);
  writeFileSync(path, prog.bytes);
  let uart = '';
  let machine: VirtMachine;
  try {
    machine = new VirtMachine({
      xlen, bios: 'none', kernel: path,
      memBytes: opts.memBytes ?? 16 * 1024 * 1024,
      icountShift: opts.icountShift ?? 0,
      maxInsns: opts.maxInsns ?? 1_000_000,
      singleStep: opts.singleStep,
      ...(opts.isa !== undefined && { isa: opts.isa }),
      uartOut: (b) => { uart += String.fromCharCode(b); },
      semihostingOut: opts.semihosting?.out ?? (() => {}),
      ...(opts.semihosting !== undefined && { semihosting: true, semihostingUserspace: opts.semihosting.userspace ?? false }),
    });
  } finally {
    rmSync(path, { force: true });
  }
  const hart = machine.harts[0]!;
  const trapAddr = prog.symbols.get('__harness_trap');
  if (trapAddr !== undefined) hart.mtvec = trapAddr;
  opts.setup?.(machine, hart, prog.symbols);
  const code = await machine.run();
  const trapped = trapAddr !== undefined && code === TRAP_EXIT_CODE;
  if (trapped && !opts.allowTrap) {
    const h = (v: bigint): string => '0x' + v.toString(16);
    throw new Error(`guest trapped: mcause=${h(hart.mcause)} mepc=${h(hart.mepc)} mtval=${h(hart.mtval)}`);
  }
  const mask = (1n << BigInt(xlen)) - 1n;
  const r: RunResult = {
    machine, hart, code, trapped, symbols: prog.symbols, uart,
    x: (reg) => hart.getX(regNum(reg)) & mask,
    sx: (reg) => BigInt.asIntN(xlen, hart.getX(regNum(reg))),
    label: (name) => {
      const v = prog.symbols.get(name);
      if (v === undefined) throw new Error(`no label ${name}`);
      return v;
    },
    mem: (addr, len) => {
      const b = machine.bus.peek(Number(addr), len);
      if (b === undefined) throw new Error(`0x${addr.toString(16)} is not RAM`);
      return b;
    },
    load: (addr, size) => {
      const b = r.mem(addr, size);
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
      return v;
    },
    icount: hart.icount,
  };
  return r;
}

/** Sign-extend `v` from `bits` and return it as an unsigned XLEN value (what registers hold). */
export function toReg(xlen: Xlen, v: bigint): bigint {
  return BigInt.asUintN(xlen, v);
}

// ---- QEMU, for differential checks ----------------------------------------------------------------

/** The QEMU system emulator for `xlen`, if installed (tests that need it skip otherwise). */
export function qemuPath(xlen: Xlen): string | undefined {
  const p = `/usr/bin/qemu-system-riscv${xlen}`;
  return existsSync(p) ? p : undefined;
}

export interface QemuResult { code: number | null; uart: string }

/**
 * Run the same program on QEMU (`-M virt -bios none -kernel FILE -icount shift=N,sleep=off`, deterministic); returns its
 * exit status and console output. The default trap handler is included, so a trap exits with
 * {@link TRAP_EXIT_CODE} & 0xff (QEMU passes the code to exit()).
 */
export interface QemuOptions { icountShift?: number; memBytes?: number; timeoutMs?: number; cpu?: string; singleStep?: boolean }

/** The closest QEMU CPU to tracehook's rv32imac/rv64imac harts (QEMU's default adds F, D, H). */
export const QEMU_CPU = (xlen: Xlen): string => `rv${xlen},f=off,d=off,h=off`;

function qemuArgs(xlen: Xlen, src: string, opts: QemuOptions): { qemu: string; args: string[]; path: string } {
  const qemu = qemuPath(xlen);
  if (qemu === undefined) throw new Error(`qemu-system-riscv${xlen} not installed`);
  const prog = assemble(xlen, prepareSource(src, true, xlen), { origin: RAM_BASE });
  tmpDir ??= mkdtempSync(join(tmpdir(), 'tracehook-rv-'));
  const path = join(tmpDir, `qemu${process.pid}-${seq++}.bin`);
  writeFileSync(path, prog.bytes);
  const args = [
    '-M', 'virt', '-bios', 'none', '-kernel', path, '-nographic', '-monitor', 'none', '-serial', 'stdio',
    ...(opts.cpu !== undefined ? ['-cpu', opts.cpu] : []), '-m', `${(opts.memBytes ?? 16 * 1024 * 1024) >> 20}M`,
    '-icount', `shift=${opts.icountShift ?? 0},sleep=off`, ...(opts.singleStep === true ? ['-singlestep'] : []),
  ];
  return { qemu, args, path };
}

export function runQemu(xlen: Xlen, src: string, opts: QemuOptions = {}): QemuResult {
  const { qemu, args, path } = qemuArgs(xlen, src, opts);
  try {
    const r = spawnSync(qemu, args, { encoding: 'latin1', timeout: opts.timeoutMs ?? 10_000, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status, uart: r.stdout };
  } finally {
    rmSync(path, { force: true });
  }
}

/** {@link runQemu} without blocking, so several QEMUs can run at once. */
export function runQemuAsync(xlen: Xlen, src: string, opts: QemuOptions = {}): Promise<QemuResult> {
  const { qemu, args, path } = qemuArgs(xlen, src, opts);
  return new Promise((resolve) => {
    const child = execFile(qemu, args, { encoding: 'latin1', timeout: opts.timeoutMs ?? 20_000, killSignal: 'SIGKILL' }, (err, stdout) => {
      children.delete(child);
      rmSync(path, { force: true });
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, uart: stdout });
    });
    children.add(child);
  });
}

// ---- table-driven runs ------------------------------------------------------------------------------

/** Where {@link runPairs} puts its operand table and results. */
export const PAIRS_TABLE = 0x80400000n;
export const PAIRS_RESULTS = 0x80800000n;

/**
 * Run each of `bodies` once per operand pair in one program: before a body runs, a0 = A and
 * a1 = B (full XLEN values); afterwards a2 (and a3) are stored as its results. Bodies may use
 * a2..a7 and t0..t4 and must fall through (a local label `1:` is not available to them; use
 * `9:`/`9f` and higher). Returns results[body][pair] = [a2, a3] as unsigned XLEN values.
 */
export async function runPairs(xlen: Xlen, bodies: readonly string[], pairs: readonly (readonly [bigint, bigint])[],
  opts: RunOptions = {}): Promise<[bigint, bigint][][]> {
  const w = xlen / 8, ld = xlen === 64 ? 'ld' : 'lw', st = xlen === 64 ? 'sd' : 'sw';
  const per = BigInt(pairs.length * 2 * w);
  const src = bodies.map((body, i) => `
  li s0, ${PAIRS_TABLE}
  li s1, ${PAIRS_RESULTS + per * BigInt(i)}
  li s2, ${pairs.length}
1:
  ${ld} a0, 0(s0)
  ${ld} a1, ${w}(s0)
  li a2, 0
  li a3, 0
${body}
  ${st} a2, 0(s1)
  ${st} a3, ${w}(s1)
  addi s0, s0, ${2 * w}
  addi s1, s1, ${2 * w}
  addi s2, s2, -1
  bnez s2, 1b
`).join('\n');
  const table = new Uint8Array(pairs.length * 2 * w);
  const dv = new DataView(table.buffer);
  pairs.forEach(([a, b], i) => {
    for (const [j, v] of [[0, a], [1, b]] as const) {
      const u = BigInt.asUintN(64, v);
      if (xlen === 64) dv.setBigUint64((2 * i + j) * 8, u, true);
      else dv.setUint32((2 * i + j) * 4, Number(u & 0xffffffffn), true);
    }
  });
  const r = await runProgram(xlen, src, {
    maxInsns: 10_000_000,
    ...opts,
    setup: (m, h, s) => { m.bus.load(Number(PAIRS_TABLE), table); opts.setup?.(m, h, s); },
  });
  return bodies.map((_, i) => pairs.map((_p, j) => {
    const at = PAIRS_RESULTS + per * BigInt(i) + BigInt(j * 2 * w);
    return [r.load(at, w as 4 | 8), r.load(at + BigInt(w), w as 4 | 8)] as [bigint, bigint];
  }));
}

/** Every ordered pair of `values`. */
export function allPairs(values: readonly bigint[]): [bigint, bigint][] {
  return values.flatMap((a) => values.map((b) => [a, b] as [bigint, bigint]));
}

/** Edge values for XLEN-bit operands (as signed bigints), plus a few fixed pseudo-random ones. */
export function edgeValues(xlen: Xlen): bigint[] {
  const min = -(1n << BigInt(xlen - 1)), max = (1n << BigInt(xlen - 1)) - 1n;
  const v = [0n, 1n, -1n, 2n, -2n, 3n, -7n, 31n, 32n, 63n, 64n, min, max, min + 1n, 0x7fffffffn, -0x80000000n,
    0x80000000n, 0xffffffffn, 0x12345678n, -0x12345679n, 0x55555555n];
  if (xlen === 64) v.push(0x100000000n, 0x123456789abcdef0n, -0x123456789abcdef1n, 0x5555555555555555n, 0xffffffff00000000n);
  // xorshift, fixed seed
  let s = 0x2545f4914f6cdd1dn;
  for (let i = 0; i < 5; i++) {
    s ^= (s << 13n) & 0xffffffffffffffffn; s ^= s >> 7n; s ^= (s << 17n) & 0xffffffffffffffffn;
    v.push(BigInt.asIntN(xlen, s));
  }
  return [...new Set(v.map((x) => BigInt.asIntN(xlen, x)))];
}
