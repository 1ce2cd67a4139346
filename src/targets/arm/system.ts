/**
 * An M-profile core ready for a machine: the CPU, its exception model, the System Control Space
 * (NVIC, SCB, SysTick) mapped at 0xE000E000, and the engine with translation-cache wiring (code
 * pages for the store fast path, invalidation on code writes, block chaining). A machine adds its
 * memories and devices to `bus` first, builds this, then drives IRQ lines with
 * `exceptions.setIrqLevel(cpu, n, level)` and calls `reset()`.
 *
 * ```ts
 * const core = buildArmCore({ bus, clock, host, profile: 'v7m', irqs: 32, cpuHz: 25_000_000, fastRams: [ssram1, ssram23] });
 * clock.addSource(core.cpu);
 * const runner = new Runner(clock, [core.cpu], core.engine, {...});
 * core.reset();   // SP and PC from the vector table at 0
 * ```
 */
import type { Bus, RamRegion } from '../../core/bus.js';
import type { VirtualClock } from '../../core/clock.js';
import { Engine } from '../../core/engine.js';
import type { PluginHost } from '../../plugin/host.js';
import { ArmCpu, ARM_TRAP, MODE_SINGLE } from './cpu.js';
import type { Profile } from './encodings.js';
import { ArmExceptions } from './exceptions.js';
import { Nvic, Scs, SCS_BASE } from './nvic.js';
import { CPUID, Scb } from './scb.js';
import { SysTick } from './systick.js';
import { translate, type ArmBlock } from './translate.js';
import { ArmMpu } from './mpu.js';
import { ArmFpu } from './fpu.js';

export interface ArmCoreOptions {
  bus: Bus;
  clock: VirtualClock;
  host: PluginHost;
  profile?: Profile;
  /** External interrupts of the NVIC (default 32). */
  irqs?: number;
  /** CPU clock for SysTick's CLKSOURCE = 1 (QEMU's mps2 boards: 25 MHz). */
  cpuHz: number;
  /** SysTick reference clock (default 1 MHz). */
  refHz?: number;
  /** RAM regions generated code accesses directly. */
  fastRams?: readonly RamRegion[];
  /** `-d int` sink (QEMU 7.2's M-profile lines). */
  intLog?: (line: string) => void;
  /** BKPT 0xAB with semihosting enabled: service the call, return true (the model advances the PC and reports the HostCall). */
  semihosting?: (cpu: ArmCpu) => boolean;
  /** Semihosting from unprivileged Thread mode too (`-semihosting-config userspace=on`). */
  semihostingUserspace?: boolean;
  /** Symbol lookup for plugins' `insn.symbol`. */
  symbolAt?: (a: bigint) => string | undefined;
  /** CPUID value (default: QEMU's for the profile's core). */
  cpuid?: number;
  /** An FPv4-SP unit (Cortex-M4F; `v7em` only). */
  fpu?: boolean;
}

export interface ArmCore {
  readonly cpu: ArmCpu;
  readonly exceptions: ArmExceptions;
  readonly scb: Scb;
  readonly nvic: Nvic;
  readonly systick: SysTick;
  /** The MPU (ARMv7-M only). */
  readonly mpu: ArmMpu | null;
  /** The FPv4-SP unit (`fpu: true` on ARMv7E-M). */
  readonly fpu: ArmFpu | null;
  readonly engine: Engine<ArmCpu, ArmBlock>;
  /** Power-on / system reset: exception state cleared, SP and PC from the vector table. */
  reset(): void;
}

export function buildArmCore(o: ArmCoreOptions): ArmCore {
  const profile = o.profile ?? 'v7m';
  const exceptions = new ArmExceptions({ irqs: o.irqs ?? 32, profile, log: o.intLog, semihosting: o.semihosting, semihostingUserspace: o.semihostingUserspace });
  const mpu = profile !== 'v6m' ? new ArmMpu() : null;
  const fpu = o.fpu === true && profile === 'v7em' ? new ArmFpu() : null;
  const cpu = new ArmCpu({ bus: o.bus, clock: o.clock, host: o.host, profile, model: exceptions, fastRams: o.fastRams, mpu: mpu ?? undefined, fpu: fpu ?? undefined });
  const scb = new Scb(exceptions, cpu, o.cpuid ?? (profile === 'v6m' ? CPUID['cortex-m0'] : profile === 'v7em' ? CPUID['cortex-m4'] : CPUID['cortex-m3']));
  const nvic = new Nvic(exceptions, cpu);
  const systick = new SysTick(exceptions, cpu, o.clock, { cpuHz: o.cpuHz, refHz: o.refHz });
  o.bus.addMmio('scs', SCS_BASE, 0x1000, new Scs(exceptions, cpu, nvic, scb, systick, mpu, fpu));
  const symbolAt = o.symbolAt ?? (() => undefined);
  const engine = new Engine<ArmCpu, ArmBlock>({
    translate: (c, mode) => translate(c, { host: o.host, symbolAt }, mode),
    singleMode: MODE_SINGLE,
    trapSentinel: ARM_TRAP,
  });
  engine.cache.onPageState = (page, has) => cpu.codePageState(page, has);
  cpu.onCodeWrite = (pa, size) => engine.cache.invalidateRange(pa, size);
  cpu.findBlock = (pc, mode) => engine.cache.lookup(pc, 0, mode);
  cpu.chaining = true;
  return {
    cpu, exceptions, scb, nvic, systick, mpu, fpu, engine,
    reset: () => { engine.cache.flush(); mpu?.reset(); fpu?.reset(); exceptions.resetCpu(cpu); cpu.updateMpuMode(); },
  };
}
