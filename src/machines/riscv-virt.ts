/**
 * QEMU's RISC-V `virt` board, as far as issue 01 goes: boot ROM at 0x1000, SiFive test finisher
 * at 0x100000, CLINT at 0x2000000, NS16550A UART at 0x10000000, RAM at 0x80000000. The boot ROM
 * is QEMU's reset vector (same instructions, so instruction counts match), jumping to the
 * firmware or kernel with a0 = hart id, a1 = device tree, a2 = fw_dynamic info.
 */
import { ConsoleInput } from '../core/console-input.js';
import { existsSync } from 'node:fs';
import { Bus, type RamRegion } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { Engine } from '../core/engine.js';
import { UserError } from '../core/errors.js';
import { IrqPin } from '../core/irq.js';
import { EM, loadFile, loadImage, placeImage, type LoadedImage } from '../core/loader/index.js';
import { Runner } from '../core/runner.js';
import { SemihostingService } from '../core/semihosting/service.js';
import { PAGE_SHIFT } from '../core/tb-cache.js';
import { hex, hiOf, loOf } from '../core/u64.js';
import { Clint } from '../devices/clint.js';
import { Ns16550a, NS16550A_REGS_SIZE, VIRT_UART0_IRQ } from '../devices/ns16550a.js';
import { Plic, VIRT_PLIC_BASE } from '../devices/plic.js';
import { GoldfishRtc } from '../devices/goldfish-rtc.js';
import { VirtioMmio, VIRT_VIRTIO_COUNT, virtVirtioBase } from '../devices/virtio-mmio.js';
import { CfiFlash, VIRT_FLASH_BANKS } from '../devices/cfi-flash.js';
import { PcieGpex, virtHighPcieMmio } from '../devices/pcie-gpex.js';
import { SifiveTest } from '../devices/sifive-test.js';
import type { RegisterDesc } from '../plugin/api.js';
import { PluginHost, type MachineAccess } from '../plugin/host.js';
import { Irq } from '../targets/riscv/causes.js';
import type { RamInfo } from '../targets/riscv/emit.js';
import { GUEST_TRAP, Hart } from '../targets/riscv/hart.js';
import { XREG_NAMES } from '../targets/riscv/regnames.js';
import { riscvSemihosting } from '../targets/riscv/semihosting.js';
import { MODE_SINGLE, translate, type RvBlock } from '../targets/riscv/translate.js';
import { buildVirtDtb, buildVirtFdtImage, qemuFdtLoadAddr } from './riscv-virt-dtb.js';
import type { RvIsa } from '../targets/riscv/isa.js';

/** PLIC source of the Goldfish RTC on virt. */
const VIRT_RTC_IRQ = 11;

export const VIRT_MAP = {
  mrom: { base: 0x1000, size: 0xf000 },
  test: { base: 0x100000, size: 0x1000 },
  clint: { base: 0x2000000, size: 0x10000 },
  uart0: { base: 0x10000000, size: 0x100 },
  dram: { base: 0x80000000 },
} as const;

export interface VirtOptions {
  xlen: 32 | 64;
  /** The harts' extensions (`-cpu rv64,...`); default QEMU 7.2's default CPU without H. */
  isa?: RvIsa;
  memBytes?: number;
  smp?: number;
  bios?: string; // path, 'none' or undefined (default firmware)
  kernel?: string;
  append?: string;
  initrd?: string;
  semihosting?: boolean;
  semihostingArgs?: string[];
  /** Service semihosting calls from U-mode too (QEMU's `-semihosting-config userspace=on`). */
  semihostingUserspace?: boolean;
  icountShift?: number;
  maxInsns?: number;
  singleStep?: boolean;
  /** UART output sink. */
  uartOut: (byte: number) => void;
  /** Semihosting console output sink (QEMU 7.2: stderr). */
  semihostingOut: (bytes: Uint8Array) => void;
  /** Output to semihosting ":tt" handles (QEMU: "w" → host stdout, "a" → host stderr). */
  semihostingTtyOut?: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
  /** Called whenever the run pauses for host input: the CLI flushes console output there. */
  onYield?: () => void;
  /** -no-reboot: a guest reset ends the run with status 0 instead. */
  noReboot?: boolean;
  /** Goldfish RTC start time in ns since the epoch (default: host clock at start, as QEMU). */
  rtcEpochNs?: bigint;
  /** `-d int` sink, if enabled. */
  intLog?: (line: string) => void;
  host?: PluginHost;
}

const CSR_REGS: [string, (h: Hart) => bigint][] = [
  ['priv', (h) => BigInt(h.priv)],
  ['mstatus', (h) => h.mstatus], ['misa', (h) => h.misa], ['medeleg', (h) => h.medeleg], ['mideleg', (h) => BigInt(h.mideleg)],
  ['mie', (h) => BigInt(h.mie)], ['mtvec', (h) => h.mtvec], ['mscratch', (h) => h.mscratch], ['mepc', (h) => h.mepc],
  ['mcause', (h) => h.mcause], ['mtval', (h) => h.mtval], ['mip', (h) => BigInt(h.mip)],
  ['stvec', (h) => h.stvec], ['sscratch', (h) => h.sscratch], ['sepc', (h) => h.sepc], ['scause', (h) => h.scause],
  ['stval', (h) => h.stval], ['satp', (h) => h.satp], ['mhartid', (h) => BigInt(h.index)],
];

export class VirtMachine implements MachineAccess {
  readonly arch: string;
  readonly vcpus: number;
  readonly bus = new Bus('little');
  readonly clock: VirtualClock;
  readonly host: PluginHost;
  readonly harts: Hart[] = [];
  readonly engine: Engine<Hart, RvBlock>;
  readonly runner: Runner<Hart, RvBlock>;
  readonly ram: RamRegion;
  readonly uart: Ns16550a;
  readonly plic: Plic;
  /** Devices reset with the machine (the CLINT is reset separately, after the harts). */
  private resettables: { reset(): void }[] = [];
  /** Boot-time memory contents re-written on reset, as QEMU's ROM blobs are (images, boot ROM, DTB). */
  private readonly resetBlobs: { addr: number; data: Uint8Array }[] = [];
  readonly clint: Clint;
  readonly images: LoadedImage[] = [];
  private readonly ramInfo: RamInfo;
  private semihost: SemihostingService | undefined;
  /** SYS_HEAPINFO answer, completed once images are placed (QEMU: heap from image end to the DTB). */
  private readonly heapInfo = { heapBase: 0n, heapLimit: 0n, stackBase: 0n, stackLimit: 0n };
  private readonly console = new ConsoleInput();
  /** True while no console input can arrive (the CLI opens it when stdin feeds the serial port). */
  get inputClosed(): boolean { return this.console.closed; }
  set inputClosed(v: boolean) { this.console.closed = v; }
  private fdtAddr = 0n;
  /** The generated device tree (as `-machine dumpdtb` would write it). */
  dtb: Uint8Array = new Uint8Array(0);
  /** Where -initrd was placed (reported in /chosen). */
  initrdRange: { start: bigint; end: bigint } | undefined;

  constructor(readonly o: VirtOptions) {
    this.arch = o.xlen === 64 ? 'riscv64' : 'riscv32';
    this.vcpus = o.smp ?? 1;
    this.clock = new VirtualClock(o.icountShift ?? 0);
    this.host = o.host ?? new PluginHost();
    const memBytes = o.memBytes ?? 128 * 1024 * 1024;
    if (memBytes > 0x7f000000) throw new UserError(`-m: at most ${0x7f000000 / 1048576}M of RAM is supported on virt`);
    // devices
    const rom = this.bus.addRam('riscv.virt.mrom', VIRT_MAP.mrom.base, VIRT_MAP.mrom.size, true);
    const test = new SifiveTest({
      onExit: (code) => this.runner.requestExit(code),
      // QEMU resets the machine, or exits with status 0 under -no-reboot.
      onReset: () => (o.noReboot ? this.runner.requestExit(0) : this.runner.requestReset()),
    });
    this.bus.addMmio('riscv.sifive.test', VIRT_MAP.test.base, VIRT_MAP.test.size, test);
    const msip: IrqPin[] = [], mtip: IrqPin[] = [];
    for (let i = 0; i < this.vcpus; i++) {
      msip.push(new IrqPin((l) => this.harts[i]?.setIrqLine(1 << Irq.MSI, l)));
      mtip.push(new IrqPin((l) => this.harts[i]?.setIrqLine(1 << Irq.MTI, l)));
    }
    this.clint = new Clint({ clock: this.clock, numHarts: this.vcpus, msip, mtip });
    this.clint.map(this.bus, VIRT_MAP.clint.base);
    // PLIC: contexts 2h (M) and 2h+1 (S) of each hart drive mip.MEIP / mip.SEIP.
    const plicOut: IrqPin[] = [];
    for (let i = 0; i < this.vcpus; i++) {
      plicOut.push(new IrqPin((l) => this.harts[i]?.setIrqLine(1 << Irq.MEI, l)));
      plicOut.push(new IrqPin((l) => this.harts[i]?.setIrqLine(1 << Irq.SEI, l)));
    }
    this.plic = new Plic({ numHarts: this.vcpus, outputs: plicOut });
    this.plic.map(this.bus, VIRT_PLIC_BASE);
    this.uart = new Ns16550a({ clock: this.clock, output: o.uartOut, irq: this.plic.source(VIRT_UART0_IRQ) });
    this.bus.addMmio('serial', VIRT_MAP.uart0.base, NS16550A_REGS_SIZE, this.uart);
    const rtc = new GoldfishRtc({ clock: this.clock, irq: this.plic.source(VIRT_RTC_IRQ), epochNs: o.rtcEpochNs });
    rtc.map(this.bus);
    for (let i = 0; i < VIRT_VIRTIO_COUNT; i++) new VirtioMmio().map(this.bus, virtVirtioBase(i));
    const flashes = VIRT_FLASH_BANKS.map((bank) => new CfiFlash({ name: bank.name }));
    flashes.forEach((f, i) => f.map(this.bus, VIRT_FLASH_BANKS[i]!.base));
    const pcie = new PcieGpex();
    pcie.map(this.bus, { highMmio: virtHighPcieMmio(o.xlen, memBytes) });
    this.resettables = [this.plic, this.uart, rtc, ...flashes, pcie];
    this.ram = this.bus.addRam('riscv.virt.ram', VIRT_MAP.dram.base, memBytes);
    const buf = this.ram.bytes.buffer;
    this.ramInfo = {
      base: this.ram.base, size: memBytes,
      i32: new Int32Array(buf), i16: new Int16Array(buf), u16: new Uint16Array(buf), i8: new Int8Array(buf), u8: new Uint8Array(buf),
      codePages: new Uint8Array(Math.ceil(memBytes / 4096)),
    };
    // harts
    const semihostingHook = o.semihosting ? riscvSemihosting(this.semihosting(), (c) => this.runner.requestExit(c), o.semihostingUserspace ?? false) : undefined;
    for (let i = 0; i < this.vcpus; i++) {
      const h = new Hart({
        xlen: o.xlen, index: i, bus: this.bus, clock: this.clock, host: this.host,
        rdtime: () => this.clint.mtime(), rdtimeNumber: () => this.clint.mtimeNumber(), semihosting: semihostingHook,
        trace: o.intLog ? { int: o.intLog } : {},
        ...(o.isa !== undefined && { isa: o.isa }),
      });
      h.pmp.setRam(this.ram.base, memBytes);
      h.updateMode();
      h.onCodeFlush = () => this.flushCode();
      h.onCodeWrite = (pa, size) => this.codeWrite(pa, size);
      this.clock.addSource(h);
      this.harts.push(h);
    }
    // MTIP starts high after CLINT reset (mtimecmp = 0): sync lines now that harts exist.
    for (let i = 0; i < this.vcpus; i++) { msip[i]!.set(false); mtip[i]!.set(this.clint.mtime() >= this.clint.mtimecmp(i)); }
    this.engine = new Engine<Hart, RvBlock>({
      translate: (h, mode) => translate(h, { host: this.host, ram: this.ramInfo, symbolAt: (a) => this.symbolAt(a), singleStep: o.singleStep }, mode),
      singleMode: MODE_SINGLE,
      trapSentinel: GUEST_TRAP,
    });
    this.engine.singleStep = o.singleStep ?? false;
    this.engine.cache.onPageState = (page, has) => {
      const off = page * 4096 - this.ram.base;
      if (off >= 0 && off < memBytes) this.ramInfo.codePages[off >>> PAGE_SHIFT] = has ? 1 : 0;
    };
    this.bus.onRamWrite = (region, off, size) => {
      const first = Math.floor((region.base + off) / 4096), last = Math.floor((region.base + off + size - 1) / 4096);
      let dropped = 0;
      for (let p = first; p <= last; p++) {
        if (this.engine.cache.pageBlocks.has(p)) { dropped += this.engine.cache.invalidateRange(region.base + off, size); break; }
      }
      if (dropped > 0) for (const h of this.harts) h.exitReq = 1;
    };
    this.runner = new Runner(this.clock, this.harts, this.engine, {
      maxInsns: o.maxInsns,
      inputOpen: () => !this.console.closed,
      waitInput: () => this.console.wait(),
      onYield: o.onYield,
    });
    this.runner.onReset = () => this.reset();
    this.loadFirmware(rom);
    // Remember what boot put in memory: reset puts it back (QEMU's rom_reset).
    for (const img of this.images) {
      for (const seg of img.segments) {
        const full = new Uint8Array(Number(seg.memsz));
        full.set(seg.data);
        this.resetBlobs.push({ addr: Number(seg.addr), data: full });
      }
    }
    this.resetBlobs.push({ addr: VIRT_MAP.mrom.base, data: rom.bytes.slice() });
    this.resetBlobs.push({ addr: Number(this.fdtAddr), data: this.bus.peek(Number(this.fdtAddr), 0x100000) ?? new Uint8Array(0) });
  }

  private semihosting(): SemihostingService {
    const o = this.o;
    this.semihost = new SemihostingService({
      wordSize: o.xlen === 64 ? 8 : 4,
      read: (a, len) => (a + BigInt(len) > 2n ** 53n ? undefined : this.bus.peek(Number(a), len)),
      write: (a, d) => {
        if (a + BigInt(d.length) > 2n ** 53n) return false;
        const r = this.bus.find(Number(a), d.length);
        if (r === undefined || r.kind !== 'ram' || r.readOnly) return false;
        this.bus.load(Number(a), d);
        return true;
      },
      nowNs: () => this.clock.nowNs(),
    }, {
      consoleOut: o.semihostingOut,
      ttyOut: o.semihostingTtyOut,
      consoleIn: () => undefined,
      cmdline: o.semihostingArgs && o.semihostingArgs.length > 0 ? o.semihostingArgs.join(' ') : [o.kernel ?? '', o.append ?? ''].filter((s) => s !== '').join(' '),
      heapInfo: this.heapInfo,
    });
    return this.semihost;
  }

  /** Feed console input to the UART. */
  input(bytes: Uint8Array): void {
    this.uart.pushInput(bytes);
    this.console.arrived();
    for (const h of this.harts) h.exitReq = 1;
  }

  closeInput(): void {
    this.console.close();
  }

  private expect() {
    return { machine: [EM.RISCV], name: 'RISC-V', bits: this.o.xlen };
  }

  private loadFirmware(rom: RamRegion): void {
    const o = this.o;
    const dramBase = BigInt(VIRT_MAP.dram.base);
    let start = dramBase;
    let kernelEntry: bigint | undefined;
    let bios = o.bios;
    if (bios === undefined) {
      const def = `/usr/share/qemu/opensbi-riscv${o.xlen}-generic-fw_dynamic.bin`;
      if (!existsSync(def)) throw new UserError(`no default firmware (${def} not found): use -bios none -kernel FILE, or -bios FILE`);
      bios = def;
    }
    let fwEnd = dramBase;
    if (bios !== 'none') {
      const img = loadImage(bios, { expect: this.expect(), loadAddr: VIRT_MAP.dram.base });
      placeImage(this.bus, img, bios);
      this.images.push(img);
      start = img.format === 'elf' && img.entry !== undefined ? img.entry : dramBase;
      for (const s of img.segments) if (s.addr + s.memsz > fwEnd) fwEnd = s.addr + s.memsz;
    }
    if (o.kernel !== undefined) {
      const align = o.xlen === 64 ? 0x200000n : 0x400000n;
      const kAddr = bios === 'none' ? dramBase : (fwEnd + align - 1n) & ~(align - 1n);
      const img = loadImage(o.kernel, { expect: this.expect(), loadAddr: Number(kAddr) });
      placeImage(this.bus, img, o.kernel);
      this.images.push(img);
      kernelEntry = img.entry ?? kAddr;
      if (bios === 'none') start = kernelEntry;
      if (o.initrd !== undefined) {
        // QEMU (hw/riscv/boot.c): far enough above the kernel that decompressing it cannot
        // clobber the initrd: kernel entry + min(RAM / 2, 512 MiB).
        const ramSize = BigInt(this.ram.size);
        const half = ramSize / 2n < 512n * 1048576n ? ramSize / 2n : 512n * 1048576n;
        const at = kernelEntry + half;
        const data = loadFile(o.initrd);
        if (at + BigInt(data.length) > dramBase + ramSize) throw new UserError(`${o.initrd}: initrd of ${data.length} bytes does not fit in guest memory at 0x${at.toString(16)}`);
        this.bus.load(Number(at), data);
        this.initrdRange = { start: at, end: at + BigInt(data.length) };
      }
    } else if (bios === 'none') {
      throw new UserError('-bios none needs -kernel FILE');
    } else if (o.initrd !== undefined) {
      throw new UserError('-initrd needs -kernel FILE');
    }
    // The device tree QEMU 7.2 generates for the same configuration, placed where QEMU places it
    // (its 1 MiB buffer, 2 MiB aligned below min(end of RAM, 3 GiB)).
    const dtbCfg = {
      xlen: o.xlen, harts: this.vcpus, memBytes: this.ram.size, isa: this.harts[0]!.isaString(),
      bootargs: o.append, initrd: this.initrdRange,
    };
    const dtb = buildVirtFdtImage(dtbCfg);
    const fdtAddr = qemuFdtLoadAddr(this.ram.size);
    this.dtb = buildVirtDtb(dtbCfg);
    this.fdtAddr = fdtAddr;
    this.bus.load(Number(fdtAddr), dtb);
    let imageEnd = dramBase;
    for (const img of this.images) for (const s of img.segments) if (s.addr + s.memsz > imageEnd) imageEnd = s.addr + s.memsz;
    Object.assign(this.heapInfo, { heapBase: imageEnd, heapLimit: fdtAddr, stackBase: fdtAddr, stackLimit: imageEnd });
    // QEMU's reset vector (hw/riscv/boot.c), then fw_dynamic_info.
    const rv64 = this.o.xlen === 64;
    const words = [
      0x00000297, 0x02828613, 0xf1402573,
      rv64 ? 0x0202b583 : 0x0202a583, rv64 ? 0x0182b283 : 0x0182a283,
      0x00028067,
      loOf(start) >>> 0, rv64 ? hiOf(start) >>> 0 : 0, loOf(fdtAddr) >>> 0, rv64 ? hiOf(fdtAddr) >>> 0 : 0,
    ];
    const vec = new Uint8Array(words.length * 4 + (rv64 ? 48 : 24));
    const dv = new DataView(vec.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w, true));
    const info = [0x4942534fn, 2n, kernelEntry ?? 0n, 1n, 0n, 0n]; // magic, version, next_addr, next_mode S, options, boot_hart
    const ws = rv64 ? 8 : 4;
    info.forEach((v, i) => (rv64 ? dv.setBigUint64(40 + i * ws, v, true) : dv.setUint32(40 + i * ws, Number(v & 0xffffffffn), true)));
    rom.bytes.set(vec, 0);
    for (const h of this.harts) h.setPc(BigInt(VIRT_MAP.mrom.base));
  }

  /**
   * System reset: harts back to their reset state at the boot ROM, devices reset, boot images,
   * boot ROM and device tree written again, translated code dropped. Virtual time goes on.
   */
  reset(): void {
    for (const b of this.resetBlobs) this.bus.load(b.addr, b.data);
    for (const d of this.resettables) d.reset();
    for (const h of this.harts) { h.reset(); h.setPc(BigInt(VIRT_MAP.mrom.base)); }
    this.clint.reset();
    this.flushCode();
  }

  /** Run to completion; resolves with the exit status. */
  async run(): Promise<number> {
    try {
      return await this.host.runVcpus(this.harts.length, () => this.runner.run());
    } finally {
      this.semihost?.close();
    }
  }

  /** Report vCPU exit and run plugins' at-exit callbacks. */
  finish(): void { this.host.finishVcpus(this.harts.length); }

  // ---- code invalidation ----
  private codeWrite(paddr: number, size: number): number {
    let dropped = 0;
    const first = Math.floor(paddr / 4096), last = Math.floor((paddr + size - 1) / 4096);
    for (let p = first; p <= last; p++) {
      if (this.engine.cache.pageBlocks.has(p)) { dropped += this.engine.cache.invalidateRange(paddr, size); break; }
    }
    return dropped;
  }

  // ---- MachineAccess (plugin API) ----
  registers(_vcpu: number): readonly RegisterDesc[] {
    const size = this.o.xlen / 8;
    return [
      ...XREG_NAMES.map((name) => ({ name, size, feature: 'cpu' })),
      { name: 'pc', size, feature: 'cpu' },
      ...CSR_REGS.map(([name]) => ({ name, size, feature: 'csr' })),
    ];
  }

  private regIndex(name: string): number {
    const m = /^x(\d+)$/.exec(name);
    if (m) { const n = Number(m[1]); if (n < 32) return n; }
    const i = XREG_NAMES.indexOf(name);
    if (i >= 0) return i;
    if (name === 'fp') return 8;
    return -1;
  }

  readRegister(vcpu: number, name: string): bigint {
    const h = this.harts[vcpu]!;
    if (name === 'pc') return h.pc;
    const r = this.regIndex(name);
    if (r >= 0) return h.getX(r);
    const csr = CSR_REGS.find(([n]) => n === name);
    if (csr) return csr[1](h);
    throw new RangeError(`no register '${name}' on ${this.arch}`);
  }

  writeRegister(vcpu: number, name: string, value: bigint): void {
    const h = this.harts[vcpu]!;
    if (name === 'pc') { h.setPc(value); h.exitReq = 1; return; }
    const r = this.regIndex(name);
    if (r >= 0) { h.setX(r, value); return; }
    throw new RangeError(`register '${name}' is not writable on ${this.arch}`);
  }

  pc(vcpu: number): bigint { return this.harts[vcpu]!.pc; }

  /** Bare translation only (no MMU yet): a virtual address is its physical address. */
  translateAddress(_vcpu: number, vaddr: bigint): bigint | undefined {
    const mask = this.o.xlen === 64 ? (1n << 64n) - 1n : (1n << 32n) - 1n;
    return vaddr >= 0n && vaddr <= mask ? vaddr : undefined;
  }

  readPhysicalMemory(paddr: bigint, len: number): Uint8Array | undefined {
    if (paddr < 0n || paddr + BigInt(len) > 2n ** 53n) return undefined;
    return this.bus.peek(Number(paddr), len);
  }

  writePhysicalMemory(paddr: bigint, data: Uint8Array): boolean {
    if (paddr < 0n || paddr + BigInt(data.length) > 2n ** 53n) return false;
    const r = this.bus.find(Number(paddr), data.length);
    if (r === undefined || r.kind !== 'ram' || r.readOnly) return false;
    this.bus.load(Number(paddr), data);
    return true;
  }

  readMemory(vcpu: number, vaddr: bigint, len: number): Uint8Array | undefined {
    const pa = this.translateAddress(vcpu, vaddr);
    return pa === undefined ? undefined : this.readPhysicalMemory(pa, len);
  }

  writeMemory(vcpu: number, vaddr: bigint, data: Uint8Array): boolean {
    const pa = this.translateAddress(vcpu, vaddr);
    return pa !== undefined && this.writePhysicalMemory(pa, data);
  }

  symbolAt(vaddr: bigint): string | undefined {
    for (const img of this.images) {
      const s = img.symbols.lookup(vaddr);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  flushCode(): void {
    this.engine.cache.flush();
    for (const h of this.harts) h.exitReq = 1;
    this.host.flushed();
  }

  describe(): string { return `${this.arch} virt, ${this.vcpus} hart(s), ${this.ram.size >> 20} MiB at ${hex(VIRT_MAP.dram.base)}`; }
}
