/**
 * Run a small Thumb program on the CPU core alone and look at it afterwards.
 *
 * ```ts
 * const r = await runArm(`
 *   movs r0, #5
 *   adds r0, #1
 *   exit
 * `);
 * assert.equal(r.r(0), 6);
 * assert.equal(r.flags, '');      // the set APSR flags, in NZCVQ order
 * ```
 *
 * A bare board: code RAM at 0 (1 MiB, program assembled at {@link CODE_BASE}), data RAM at
 * 0x20000000 (256 KiB, SP starts at its top), a test MMIO word at {@link MMIO_BASE} (reads the
 * last value written; every write ends the block). A line reading `exit` expands to `bkpt #0`,
 * which the harness's exception model treats as "stop here" (a host call). Any other exception
 * (fault, SVC, other BKPT) is recorded in `r.exceptions` and also stops the run, with the state
 * as the exception model receives it (PC = the faulting instruction).
 */
import { Bus } from '../../../core/bus.js';
import { VirtualClock } from '../../../core/clock.js';
import { Engine } from '../../../core/engine.js';
import { Runner } from '../../../core/runner.js';
import type { RegisterDesc } from '../../../plugin/api.js';
import { PluginHost, type MachineAccess } from '../../../plugin/host.js';
import type { Plugin } from '../../../plugin/api.js';
import { ArmCpu, ARM_TRAP, MODE_SINGLE } from '../cpu.js';
import { Ccr, type ArmExceptionModel, type SyncException } from '../exception-model.js';
import { translate, type ArmBlock } from '../translate.js';
import { ArmExceptions } from '../exceptions.js';
import { Nvic, Scs, SCS_BASE } from '../nvic.js';
import { Scb } from '../scb.js';
import { SysTick } from '../systick.js';
import { ArmMpu } from '../mpu.js';
import { ArmFpu } from '../fpu.js';
import { assemble } from './asm.js';
import type { Profile } from '../encodings.js';

export const CODE_BASE = 0x1000;
export const DATA_BASE = 0x20000000;
export const DATA_SIZE = 0x40000;
export const MMIO_BASE = 0x40000000;

/** Records exceptions and stops the run at each; `bkpt #0` ends the run. */
export class TestModel implements ArmExceptionModel {
  ccr = Ccr.STKALIGN;
  readonly taken: SyncException[] = [];
  readonly returns: number[] = [];
  stop: (code: number) => void = () => {};
  exception(cpu: ArmCpu, e: SyncException): void {
    this.taken.push(e);
    cpu.halted = true;
    this.stop(1);
  }
  bkpt(cpu: ArmCpu, imm: number, pc: number): boolean {
    if (imm !== 0) return false;
    cpu.pc = pc + 2;
    this.stop(0);
    return true;
  }
  takePending(cpu: ArmCpu): boolean { cpu.irqPending = 0; return false; }
  exceptionReturn(cpu: ArmCpu, excReturn: number): void { this.returns.push(excReturn); cpu.halted = true; this.stop(2); }
  priorityChanged(): void {}
  executionPriority(cpu: ArmCpu): number { return cpu.faultmask !== 0 ? -1 : cpu.primask !== 0 ? 0 : 256; }
  wfi(cpu: ArmCpu): void { cpu.halted = true; this.stop(3); }
}

export interface ArmRunOptions {
  profile?: Profile;
  maxInsns?: number;
  /** CCR value the model reports (UNALIGN_TRP, DIV_0_TRP). */
  ccr?: number;
  /** Plugins to load (with their arguments). */
  plugins?: { plugin: Plugin; args?: Record<string, string | number | boolean> }[];
  singleStep?: boolean;
  /** Block chaining (default on). */
  chaining?: boolean;
  setup?: (cpu: ArmCpu, bus: Bus, labels: ReadonlyMap<string, number>) => void;
  /** Fixture file for the assembled programs (the test file's own). */
  fixtures: string;
  /**
   * Use the real exception model (exceptions.ts with the SCS at 0xE000E000, SysTick at 25 MHz):
   * the program starts with its vector table (VTOR = CODE_BASE; SP and PC are loaded from it).
   * `exit` still ends the run (bkpt #0 is intercepted).
   */
  exceptions?: boolean;
  /** `-d int` lines from the real model. */
  intLog?: (line: string) => void;
  /** Plugin output (`api.out`); dropped by default. */
  onOut?: (text: string) => void;
  /** An FPv4-SP unit with CP10/CP11 enabled (use with profile 'v7em'). */
  fpu?: boolean;
  /** Run this image instead of assembling `source` (loaded at `base`, entry `pc`, stack `sp`). */
  image?: { bytes: Uint8Array; base: number; pc: number; sp: number };
}

/** ArmExceptions whose `bkpt #0` ends the test run. */
class HarnessExceptions extends ArmExceptions {
  stop: (code: number) => void = () => {};
  override bkpt(cpu: ArmCpu, imm: number, pc: number): boolean {
    if (imm === 0) { cpu.pc = pc + 2; this.stop(0); return true; }
    return super.bkpt(cpu, imm, pc);
  }
}

export interface ArmRunResult {
  cpu: ArmCpu;
  bus: Bus;
  model: TestModel;
  /** The real model, with `exceptions: true`. */
  exc: ArmExceptions | undefined;
  labels: ReadonlyMap<string, number>;
  /** 0 after `exit`, 1 after an exception, 2 after an exception return, 3 after WFI. */
  code: number;
  r(n: number): number;
  /** Unsigned register value. */
  u(n: number): number;
  /** Set APSR flags as letters in NZCVQ order ('' when clear). */
  flags: string;
  /** Little-endian word/half/byte of memory. */
  mem32(a: number): number;
  mem8(a: number): number;
  icount: number;
  engine: Engine<ArmCpu, ArmBlock>;
  host: PluginHost;
}

export function flagLetters(apsr: number): string {
  let s = '';
  'NZCVQ'.split('').forEach((l, i) => { if ((apsr >>> (31 - i)) & 1) s += l; });
  return s;
}

export async function runArm(source: string, o: ArmRunOptions): Promise<ArmRunResult> {
  const body = source.split('\n').map((l) => (/^\s*exit\s*$/.test(l) ? '  bkpt #0' : l)).join('\n') + '\n  bkpt #0\n';
  const cpuName = o.profile === 'v6m' ? 'cortex-m0' : o.profile === 'v7em' ? 'cortex-m4' : 'cortex-m3';
  const { bytes, labels } = o.image !== undefined ? { bytes: o.image.bytes, labels: new Map<string, number>() } : assemble(body, { base: CODE_BASE, cpu: cpuName, fixtures: o.fixtures });
  const bus = new Bus('little');
  const code = bus.addRam('code', 0, 0x100000);
  const data = bus.addRam('data', DATA_BASE, DATA_SIZE);
  let mmioValue = 0;
  const clock = new VirtualClock(0);
  const host = new PluginHost();
  host.out = o.onOut ?? (() => {});
  const model = new TestModel();
  model.ccr = o.ccr ?? Ccr.STKALIGN;
  const fpu = o.fpu === true ? new ArmFpu() : undefined;
  if (fpu !== undefined) fpu.cpacr = 0x00f00000; // CP10/CP11 full access
  const cpu = new ArmCpu({ bus, clock, host, profile: o.profile ?? 'v7m', model, fastRams: [code, data], mpu: o.exceptions === true && o.profile !== 'v6m' ? new ArmMpu() : undefined, fpu });
  let exc: HarnessExceptions | undefined;
  if (o.exceptions === true) {
    exc = new HarnessExceptions({ irqs: 32, profile: o.profile, log: o.intLog });
    cpu.model = exc;
    const scb = new Scb(exc, cpu);
    bus.addMmio('scs', SCS_BASE, 0x1000, new Scs(exc, cpu, new Nvic(exc, cpu), scb, new SysTick(exc, cpu, clock, { cpuHz: 25_000_000 }), cpu.mpu));
  }
  bus.addMmio('test', MMIO_BASE, 0x1000, {
    read: () => mmioValue,
    write: (_off, _size, v) => { mmioValue = v; cpu.exitReq = 1; },
  });
  clock.addSource(cpu);
  bus.load(o.image?.base ?? CODE_BASE, bytes);
  cpu.reset();
  cpu.pc = o.image?.pc ?? CODE_BASE;
  cpu.r[13] = o.image?.sp ?? DATA_BASE + DATA_SIZE;
  if (exc !== undefined) {
    exc.ccr = o.ccr ?? Ccr.STKALIGN;
    exc.vtor = CODE_BASE;
    cpu.r[13] = bus.read(CODE_BASE, 4);
    const pc = bus.read(CODE_BASE + 4, 4);
    cpu.pc = pc & ~1;
  }
  const engine = new Engine<ArmCpu, ArmBlock>({
    translate: (c, mode) => translate(c, { host, symbolAt: () => undefined }, mode),
    singleMode: MODE_SINGLE,
    trapSentinel: ARM_TRAP,
  });
  engine.singleStep = o.singleStep ?? false;
  engine.cache.onPageState = (page, has) => cpu.codePageState(page, has);
  cpu.findBlock = (pc, mode) => engine.cache.lookup(pc, 0, mode);
  cpu.chaining = o.chaining ?? true;
  cpu.onCodeWrite = (pa, size) => engine.cache.invalidateRange(pa, size);
  const runner = new Runner(clock, [cpu], engine, { maxInsns: o.maxInsns ?? 100_000, inputOpen: () => false, waitInput: () => Promise.resolve() });
  let exitCode = -1;
  model.stop = (c) => { if (exitCode < 0) exitCode = c; runner.requestExit(c); };
  if (exc !== undefined) exc.stop = model.stop;
  const machine: MachineAccess = {
    arch: 'arm', vcpus: 1,
    registers: (): readonly RegisterDesc[] => cpu.registerDescs(),
    readRegister: (_v, n) => cpu.readRegister(n),
    writeRegister: (_v, n, val) => cpu.writeRegister(n, val),
    pc: () => BigInt(cpu.pc),
    readMemory: (_v, a, len) => bus.peek(Number(a), len),
    writeMemory: () => false,
    translateAddress: (_v, a) => a,
    readPhysicalMemory: (a, len) => bus.peek(Number(a), len),
    writePhysicalMemory: () => false,
    symbolAt: () => undefined,
    flushCode: () => engine.cache.flush(),
  };
  for (const p of o.plugins ?? []) host.install(p.plugin, p.args ?? {}, machine);
  o.setup?.(cpu, bus, labels);
  host.running = true;
  host.vcpuInit(0);
  await runner.run();
  host.vcpuExit(0);
  host.atExit();
  return {
    cpu, bus, model, exc, labels, code: exitCode, engine, host,
    r: (n) => cpu.r[n]!,
    u: (n) => cpu.r[n]! >>> 0,
    flags: flagLetters(cpu.apsr),
    mem32: (a) => { bus.error = 0; return bus.read(a, 4) >>> 0; },
    mem8: (a) => { bus.error = 0; return bus.read(a, 1); },
    icount: cpu.icount,
  };
}
