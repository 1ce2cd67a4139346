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
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtMachine } from '../../../machines/riscv-virt.js';
import type { Hart } from '../hart.js';
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
  /** `-icount shift=N` (default 0: one instruction per ns, 10 instructions per mtime tick). */
  icountShift?: number;
  /** Do not throw when the run ended in the default trap handler. */
  allowTrap?: boolean;
  /** Leave out the default trap handler (mtvec stays 0). */
  noTrapHandler?: boolean;
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
export function prepareSource(src: string, withTrapHandler = true): string {
  const body = src.split('\n').map((line) => {
    const m = /^(\s*(?:[\w.$]+:\s*)*)exit(?:\s+(\S+))?\s*(?:#.*)?$/.exec(line);
    if (!m) return line;
    if (m[2] === undefined) return `${m[1]}${EXIT}`;
    return `${m[1]}li t6, 0x100000; li t5, ((${m[2]}) << 16) | 0x3333; sw t5, 0(t6)`;
  }).join('\n');
  return `${body}\n${EXIT}\n${withTrapHandler ? TRAP_HANDLER : ''}`;
}

let tmpDir: string | undefined;
let seq = 0;

/** Assemble `src`, boot it on a `virt` machine with `-bios none` and run it to its exit. */
export async function runProgram(xlen: Xlen, src: string, opts: RunOptions = {}): Promise<RunResult> {
  const prog = assemble(xlen, prepareSource(src, !opts.noTrapHandler), { origin: RAM_BASE });
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
      uartOut: (b) => { uart += String.fromCharCode(b); },
      semihostingOut: () => {},
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
