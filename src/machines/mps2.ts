/**
 * QEMU 7.2's `mps2-an385` (Cortex-M3) and `mps2-an386` (Cortex-M4) boards (hw/arm/mps2.c): the
 * memory map and devices of mps2-map.ts / mps2-map-devices.ts around an M-profile core
 * ({@link buildArmCore}).
 *
 * - RAM: ZBT SSRAM1 at 0 (4 MiB, mirrored at 0x00400000), block RAM at 0x01000000, SSRAM2/3 at
 *   0x20000000 (mirrored at 0x20400000), the 16 MiB "PSRAM" RAM at 0x21000000; all four are on
 *   the generated code's fast path. Writes that land in RAM (stacking, semihosting, plugins)
 *   invalidate translated code there (`bus.onRamWrite`, as riscv-virt).
 * - Devices: UART0..4, timers 0/1, dual timer, watchdog (its interrupt is the NMI, its reset
 *   resets the board), SCC, FPGAIO, SPI, I2C, the unimplemented ranges; their interrupt outputs
 *   drive NVIC inputs (`ArmExceptions.setIrqLevel`). UART0 is the console.
 * - `-kernel`: as QEMU's armv7m_load_kernel: an ELF to its own (physical) addresses, any other
 *   file raw at 0 (at most 4 MiB); then the CPU resets from the vector table at 0, logging QEMU's
 *   two `Loaded reset SP ... from vector table` lines under `-d int` (the first one is QEMU's
 *   reset before the loader ran, when memory is still empty).
 * - Semihosting (`-semihosting`): BKPT 0xAB in privileged code (QEMU 7.2 refuses it from
 *   unprivileged Thread mode: HardFault), console to the `semihostingOut` sink (QEMU 7.2: stderr),
 *   SYS_EXIT / SYS_EXIT_EXTENDED end the run with their status.
 * - System reset (AIRCR.SYSRESETREQ, watchdog): memory images written again (QEMU's rom_reset),
 *   devices and core reset, translated code dropped. Virtual time goes on.
 *
 * CPUs: QEMU 7.2 accepts only `cortex-m3` on mps2-an385 and only `cortex-m4` on mps2-an386.
 * tracehook also accepts `cortex-m0` on either board (ARMv6-M: the ARMv7-M-only encodings are
 * UNDEFINED, CPUID 0x410cc200, no MPU), so ARMv6-M programs can be run on an ARMv6-M core;
 * QEMU has no M0 board with this map (its only Cortex-M0 machine is microbit).
 */
import { ConsoleInput } from '../core/console-input.js';
import { Bus, type MmioHandler, type RamRegion } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import { EM, loadImage, parseImage, placeImage, type LoadedImage } from '../core/loader/index.js';
import { Runner } from '../core/runner.js';
import { SemihostingService } from '../core/semihosting/service.js';
import type { RegisterDesc } from '../plugin/api.js';
import { PluginHost, type MachineAccess } from '../plugin/host.js';
import { armSemihosting, armSemihostingGuest } from '../targets/arm/semihosting.js';
import { buildArmCore, type ArmCore } from '../targets/arm/system.js';
import { ArmExc } from '../targets/arm/exception-model.js';
import { CPUID } from '../targets/arm/scb.js';
import type { Profile } from '../targets/arm/encodings.js';
import { MPS2_CPU_REGIONS, mps2Map, type Mps2BoardName, type Mps2Map } from './mps2-map.js';
import { createMps2Devices, mapMps2Ram, type Mps2Devices } from './mps2-map-devices.js';

export type Mps2Cpu = 'cortex-m3' | 'cortex-m4' | 'cortex-m0';

/** The boards, as `-M help` lists them. */
export const MPS2_BOARDS: readonly { name: Mps2BoardName; description: string; cpu: Mps2Cpu }[] = [
  { name: 'mps2-an385', description: 'ARM MPS2 with AN385 FPGA image for Cortex-M3', cpu: 'cortex-m3' },
  { name: 'mps2-an386', description: 'ARM MPS2 with AN386 FPGA image for Cortex-M4', cpu: 'cortex-m4' },
];

/** CPU models by every name `-cpu` accepts (QEMU's type names included). */
const CPU_NAMES: Record<string, Mps2Cpu> = {
  'cortex-m3': 'cortex-m3', 'cortex-m3-arm-cpu': 'cortex-m3',
  'cortex-m4': 'cortex-m4', 'cortex-m4-arm-cpu': 'cortex-m4',
  'cortex-m0': 'cortex-m0', 'cortex-m0-arm-cpu': 'cortex-m0',
};

/**
 * The CPU for `-cpu SPEC` on `board` (undefined spec: the board's own). QEMU 7.2's refusal of a
 * different core is kept (`This board can only be used with CPU cortex-m3-arm-cpu`), except that
 * cortex-m0 is accepted on both boards (tracehook only; see the file comment).
 */
export function mps2Cpu(board: Mps2BoardName, spec: string | undefined): Mps2Cpu {
  const own = board === 'mps2-an385' ? 'cortex-m3' : 'cortex-m4';
  if (spec === undefined || spec === 'max') return own;
  const [model, ...props] = spec.split(',');
  const cpu = CPU_NAMES[model!.toLowerCase()];
  if (cpu === undefined) throw new UserError(`-cpu ${spec}: unknown CPU model '${model}' (${board}: ${own}; tracehook also accepts cortex-m0)`);
  if (props.length > 0) throw new UserError(`-cpu ${spec}: CPU properties are not supported by tracehook`);
  if (cpu !== own && cpu !== 'cortex-m0') throw new UserError(`This board can only be used with CPU ${own}-arm-cpu`);
  return cpu;
}

export interface Mps2Options {
  board: Mps2BoardName;
  /** Default: the board's own core. */
  cpu?: Mps2Cpu;
  /** `-m`: QEMU's mps2 boards insist on 16 MiB (the RAM at 0x21000000). */
  memBytes?: number;
  /** `-kernel`: ELF or raw image. */
  kernel?: string;
  /** Image bytes given directly (tests): an ELF or a raw image at 0. Used when `kernel` is undefined. */
  kernelImage?: { bytes: Uint8Array; name: string };
  semihosting?: boolean;
  semihostingArgs?: string[];
  /** Service semihosting calls from unprivileged Thread mode too (QEMU's `-semihosting-config userspace=on`). */
  semihostingUserspace?: boolean;
  /** Extra kernel arguments for the semihosting command line (QEMU: `-append`). */
  append?: string;
  icountShift?: number;
  maxInsns?: number;
  singleStep?: boolean;
  /** UART0 output (the console). */
  uartOut: (byte: number) => void;
  /** Output of UARTs 1..4 (default: dropped, as QEMU with no backend). */
  otherUartOut?: (index: number, byte: number) => void;
  /** Semihosting console (SYS_WRITE0/WRITEC; QEMU 7.2: stderr). */
  semihostingOut: (bytes: Uint8Array) => void;
  /** Semihosting ":tt" output (QEMU: "w" → stdout, "a" → stderr). */
  semihostingTtyOut?: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
  onYield?: () => void;
  /** -no-reboot: a system reset ends the run with status 0. */
  noReboot?: boolean;
  /** `-d int` sink. */
  intLog?: (line: string) => void;
  host?: PluginHost;
}

const PROFILE: Record<Mps2Cpu, Profile> = { 'cortex-m3': 'v7m', 'cortex-m4': 'v7em', 'cortex-m0': 'v6m' };
/** QEMU 7.2's MIDR/CPUID per core (cortex-m4: r0p0, 0x410fc240). */
const CPUIDS: Record<Mps2Cpu, number> = { 'cortex-m3': CPUID['cortex-m3'], 'cortex-m4': CPUID['cortex-m4'], 'cortex-m0': CPUID['cortex-m0'] };

export class Mps2Machine implements MachineAccess {
  readonly arch = 'arm';
  readonly vcpus = 1;
  readonly map: Mps2Map;
  readonly cpuModel: Mps2Cpu;
  readonly bus = new Bus('little');
  readonly clock: VirtualClock;
  readonly host: PluginHost;
  readonly core: ArmCore;
  readonly devices: Mps2Devices;
  readonly rams: ReadonlyMap<string, RamRegion>;
  readonly runner: Runner<ArmCore['cpu'], Parameters<ArmCore['engine']['cache']['insert']>[0]>;
  readonly images: LoadedImage[] = [];
  private readonly resetBlobs: { addr: number; data: Uint8Array }[] = [];
  private semihost: SemihostingService | undefined;
  private readonly console = new ConsoleInput();
  /** True while no console input can arrive (the CLI opens it when stdin feeds UART0). */
  get inputClosed(): boolean { return this.console.closed; }
  set inputClosed(v: boolean) { this.console.closed = v; }

  constructor(readonly o: Mps2Options) {
    this.map = mps2Map(o.board);
    this.cpuModel = o.cpu ?? (o.board === 'mps2-an385' ? 'cortex-m3' : 'cortex-m4');
    if (o.memBytes !== undefined && o.memBytes !== 16 * 1024 * 1024) {
      throw new UserError('-m: invalid RAM size, should be 16 MiB');
    }
    this.clock = new VirtualClock(o.icountShift ?? 0);
    this.host = o.host ?? new PluginHost();
    this.rams = mapMps2Ram(this.bus, this.map);
    // The Cortex-M3/M4 bit-band alias windows (QEMU's armv7m with enable-bitband, as mps2 sets it).
    for (const r of MPS2_CPU_REGIONS) if (r.name === 'bitband') this.bus.addMmio(`bitband@${r.base.toString(16)}`, r.base, r.size, bitband(this.bus, r.aliasOf));
    // Devices first (their lines resolve the core lazily), then the core with its SCS.
    let core: ArmCore | undefined;
    this.devices = createMps2Devices({
      map: this.map, bus: this.bus, clock: this.clock,
      nvicIrq: (n) => ({ set: (level: boolean) => { if (core !== undefined) core.exceptions.setIrqLevel(core.cpu, n, level); } }),
      nmi: { set: (level: boolean) => { if (level && core !== undefined) core.exceptions.setPending(core.cpu, ArmExc.NMI); } },
      onWatchdogReset: () => this.systemReset(),
      uartOutput: (i, b) => { if (i === 0) o.uartOut(b); else o.otherUartOut?.(i, b); },
      // UART0's DATA reads let the console multiplexer deliver held input (see `input`).
      wrap: (d, h) => (d.id !== 'uart0' ? h : {
        read: (off, size) => { const v = h.read(off, size); if (off === 0) this.drainInput(); return v; },
        write: (off, size, v) => h.write(off, size, v),
      }),
    });
    let semihostingHook: ((cpu: ArmCore['cpu']) => boolean) | undefined;
    core = buildArmCore({
      bus: this.bus, clock: this.clock, host: this.host,
      profile: PROFILE[this.cpuModel], irqs: this.map.numIrq, cpuHz: this.map.sysclkHz, refHz: this.map.refclkHz,
      fastRams: [...this.rams.values()],
      intLog: o.intLog,
      // (unprivileged Thread mode: refused by the model, as QEMU 7.2, a plain BKPT)
      semihosting: o.semihosting === true ? (cpu) => semihostingHook!(cpu) : undefined,
      semihostingUserspace: o.semihostingUserspace ?? false,
      symbolAt: (a) => this.symbolAt(a),
      cpuid: CPUIDS[this.cpuModel],
      fpu: this.cpuModel === 'cortex-m4',
    });
    this.core = core;
    const cpu = core.cpu;
    if (o.semihosting === true) semihostingHook = armSemihosting(this.semihosting(cpu), (c) => this.runner.requestExit(c));
    this.clock.addSource(cpu);
    core.engine.singleStep = o.singleStep ?? false;
    core.scb.onSystemReset = () => this.systemReset();
    // Writes reaching RAM other than the CPU's own stores (stacking, loaders, semihosting, plugins).
    this.bus.onRamWrite = (region, off, size) => {
      const cache = core.engine.cache;
      const a = region.base + off;
      const first = Math.floor(a / 4096), last = Math.floor((a + size - 1) / 4096);
      for (let p = first; p <= last; p++) {
        if (cache.pageBlocks.has(p)) { if (cache.invalidateRange(a, size) > 0) cpu.exitReq = 1; break; }
      }
    };
    this.runner = new Runner(this.clock, [cpu], core.engine, {
      maxInsns: o.maxInsns,
      inputOpen: () => !this.console.closed,
      waitInput: () => this.console.wait(),
      onYield: o.onYield,
    });
    this.runner.onReset = () => this.reset();
    // QEMU resets the CPU once before the loader runs: memory is still empty then.
    o.intLog?.('Loaded reset SP 0x0 PC 0x0 from vector table\n');
    this.loadKernel();
    for (const img of this.images) {
      for (const seg of img.segments) {
        const full = new Uint8Array(Number(seg.memsz));
        full.set(seg.data);
        this.resetBlobs.push({ addr: Number(seg.addr), data: full });
      }
    }
    core.reset();
  }

  private semihosting(cpu: ArmCore['cpu']): SemihostingService {
    const o = this.o;
    // QEMU 7.2 (common_semi_find_bases): the largest RAM range of the flat view, here the 16 MiB
    // at 0x21000000, split between heap and stack.
    const ram = this.map.ram.reduce((a, b) => (b.size > a.size ? b : a));
    const lo = BigInt(ram.base), hi = BigInt(ram.base + ram.size);
    this.semihost = new SemihostingService(armSemihostingGuest(cpu), {
      consoleOut: o.semihostingOut,
      ttyOut: o.semihostingTtyOut,
      consoleIn: () => undefined,
      cmdline: o.semihostingArgs !== undefined && o.semihostingArgs.length > 0
        ? o.semihostingArgs.join(' ')
        : [o.kernel ?? '', o.append ?? ''].filter((s) => s !== '').join(' '),
      heapInfo: { heapBase: lo, heapLimit: hi, stackBase: hi, stackLimit: lo },
    });
    return this.semihost;
  }

  private loadKernel(): void {
    const o = this.o;
    const expect = { machine: [EM.ARM], name: 'ARM', bits: 32 as const };
    let img: LoadedImage;
    let name: string;
    if (o.kernel !== undefined) {
      name = o.kernel;
      img = loadImage(o.kernel, { expect, loadAddr: 0 });
    } else if (o.kernelImage !== undefined) {
      name = o.kernelImage.name;
      img = parseImage(o.kernelImage.bytes, name, { expect, loadAddr: 0 });
    } else {
      throw new UserError('no -kernel given: nothing to run (QEMU would lock up with no vector table)');
    }
    if (img.format === 'raw') {
      const len = img.segments[0]!.data.length;
      if (len > this.map.kernelMemSize) throw new UserError(`${name}: raw image of ${len} bytes is larger than the ${this.map.kernelMemSize >> 20} MiB at 0`);
    }
    placeImage(this.bus, img, name);
    this.images.push(img);
  }

  /** AIRCR.SYSRESETREQ or the watchdog: reset between blocks (or end the run under -no-reboot). */
  private systemReset(): void {
    if (this.o.noReboot === true) this.runner.requestExit(0);
    else this.runner.requestReset();
  }

  /** System reset: images written again, devices and core reset, translated code dropped. */
  reset(): void {
    for (const b of this.resetBlobs) this.bus.load(b.addr, b.data);
    this.devices.reset();
    this.core.reset();
    this.host.flushed();
  }

  /**
   * Console input for UART0, delivered as QEMU 7.2's `-nographic` console multiplexer does
   * (chardev/char-mux.c): a byte goes straight to the UART when nothing is held and the UART can
   * take it (RX enabled, buffer empty); otherwise it is held, and held bytes move on only when
   * more input arrives or the guest reads DATA (`qemu_chr_fe_accept_input`), not when RX gets
   * enabled. So input that arrives before RX is enabled waits for a DATA read (guests/arm/README
   * fact 12), the same whether it arrives early or late.
   */
  input(bytes: Uint8Array): void {
    this.drainInput();
    const uart = this.devices.uarts[0]!;
    for (const b of bytes) {
      if (this.held.length === this.heldHead && uart.canReceive()) uart.receive(b);
      else this.held.push(b);
    }
    this.console.arrived();
    this.core.cpu.exitReq = 1;
  }

  /** Bytes held by the console multiplexer (QEMU's mux buffer). */
  private held: number[] = [];
  private heldHead = 0;

  private drainInput(): void {
    const uart = this.devices.uarts[0]!;
    while (this.heldHead < this.held.length && uart.canReceive()) uart.receive(this.held[this.heldHead++]!);
    if (this.heldHead === this.held.length && this.heldHead > 0) { this.held = []; this.heldHead = 0; }
  }

  closeInput(): void {
    this.console.close();
  }

  /** Run to completion; resolves with the exit status. */
  async run(): Promise<number> {
    try {
      return await this.host.runVcpus(1, () => this.runner.run());
    } finally {
      this.semihost?.close();
    }
  }

  /** Report vCPU exit and run plugins' at-exit callbacks. */
  finish(): void { this.host.finishVcpus(1); }

  // ---- MachineAccess (plugin API) ----
  registers(_vcpu: number): readonly RegisterDesc[] { return this.core.cpu.registerDescs(); }
  readRegister(_vcpu: number, name: string): bigint { return this.core.cpu.readRegister(name); }
  writeRegister(_vcpu: number, name: string, value: bigint): void { this.core.cpu.writeRegister(name, value); }
  pc(_vcpu: number): bigint { return BigInt(this.core.cpu.pc); }
  /** No MMU: a virtual address is its physical address. */
  translateAddress(_vcpu: number, vaddr: bigint): bigint | undefined { return vaddr >= 0n && vaddr < 0x100000000n ? vaddr : undefined; }

  readPhysicalMemory(paddr: bigint, len: number): Uint8Array | undefined {
    if (paddr < 0n || paddr + BigInt(len) > 0x100000000n) return undefined;
    return this.bus.peek(Number(paddr), len);
  }

  writePhysicalMemory(paddr: bigint, data: Uint8Array): boolean {
    if (paddr < 0n || paddr + BigInt(data.length) > 0x100000000n) return false;
    const r = this.bus.find(Number(paddr), data.length);
    if (r === undefined || r.kind !== 'ram' || r.readOnly) return false;
    this.bus.load(Number(paddr), data);
    return true;
  }

  readMemory(_vcpu: number, vaddr: bigint, len: number): Uint8Array | undefined { return this.readPhysicalMemory(vaddr, len); }
  writeMemory(_vcpu: number, vaddr: bigint, data: Uint8Array): boolean { return this.writePhysicalMemory(vaddr, data); }

  symbolAt(vaddr: bigint): string | undefined {
    for (const img of this.images) {
      const s = img.symbols.lookup(vaddr);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  flushCode(): void {
    this.core.engine.cache.flush();
    this.core.cpu.exitReq = 1;
    this.host.flushed();
  }

  describe(): string { return `${this.map.board} (${this.cpuModel})`; }
}

/**
 * A bit-band alias window (ARMv7-M B3.3.2) onto the 1 MiB at `base`, as QEMU 7.2's bitband_read/
 * bitband_write: word n of the window is bit (n % 8) of byte base + n / 8; an access of size s
 * reads (and for a write, writes back) the s aligned bytes holding that bit. A bus error of the
 * underlying access is the access's error.
 */
function bitband(bus: Bus, base: number): MmioHandler {
  const at = (off: number, size: number): number => ((base + ((off & 0x1ffffff) >>> 5)) & -size) >>> 0;
  const bitpos = (off: number, size: number): number => (off >>> 2) & (size * 8 - 1);
  return {
    read: (off, size) => (bus.read(at(off, size), size) >>> bitpos(off, size)) & 1,
    write: (off, size, value) => {
      const a = at(off, size), b = bitpos(off, size);
      const v = bus.read(a, size);
      if (bus.error !== 0) return;
      bus.write(a, size, (value & 1) !== 0 ? (v | (1 << b)) >>> 0 : (v & ~(1 << b)) >>> 0);
    },
  };
}
