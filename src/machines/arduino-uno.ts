/**
 * The `arduino-uno` board: an ATmega328P at 16 MHz, as QEMU 7.2's `arduino-uno` (hw/avr/arduino.c,
 * hw/avr/atmega.c): 32 KiB of program flash at 0, the data space (32 registers, 64 I/O registers,
 * 160 extended I/O registers, 2 KiB SRAM at 0x100..0x8ff) which QEMU places at 0x800000 in its
 * physical address space, as avr-gcc's ELF files do (`.data` has VMA 0x800100).
 *
 * Loading (`-bios FILE` or `-kernel FILE`, as QEMU takes `-bios`): an AVR ELF's segments whose load
 * address lies in flash go to flash (`.text`, and `.data`'s initial values at their LMA after
 * `.text`, which the C start-up copies to SRAM); segments at 0x800000 and above (`.bss`, `.noinit`,
 * `.eeprom` at 0x810000, fuses, lock bits, signature) are not flash and are left out. An Intel HEX
 * file (what the Arduino tools produce) and a raw binary are flash from address 0. Execution starts
 * at 0 (reset).
 *
 * Addresses the plugin API takes: physical = QEMU's (flash at 0, data space at 0x800000);
 * `readMemory` and `translateAddress` see the same space (the AVR has no MMU). Memory callbacks
 * report data-space addresses as the CPU forms them (0..0xffff), like QEMU's AVR target.
 *
 * Peripherals: built in {@link buildPeripherals} (see there for where a new one goes).
 */
import { ConsoleInput } from '../core/console-input.js';
import { VirtualClock } from '../core/clock.js';
import { Engine } from '../core/engine.js';
import { UserError } from '../core/errors.js';
import { EM, loadFile, parseImage, SymbolTable, type LoadedImage } from '../core/loader/index.js';
import { Runner } from '../core/runner.js';
import type { AvrChip } from '../devices/avr/chip.js';
import { Atmega328pPeripherals } from '../devices/avr/atmega328p.js';
import type { RegisterDesc } from '../plugin/api.js';
import { PluginHost, type MachineAccess } from '../plugin/host.js';
import { AVR_NO_TRAP, AvrCpu, DATA_BYTES, FLASH_BYTES } from '../targets/avr/cpu.js';
import { MODE_SINGLE, translate, type AvrBlock } from '../targets/avr/translate.js';

/** QEMU's physical address of data-space byte 0 (OFFSET_DATA in target/avr/cpu.h). */
export const UNO_DATA_BASE = 0x800000;
/** CPU clock of the Uno. */
export const UNO_FREQUENCY = 16_000_000;

export interface UnoOptions {
  /** Firmware image (ELF or Intel HEX): `-bios` or `-kernel`. */
  bios?: string;
  /** Flash contents given directly (tests); used when `bios` is undefined. */
  flashImage?: Uint8Array;
  /** Stop with an error after this many cycles (`-max-insns`). */
  maxCycles?: number;
  singleStep?: boolean;
  /** Bytes the guest sends on USART0. */
  uartOut?: (byte: number) => void;
  onYield?: () => void;
  /** `-d int` sink. */
  intLog?: (line: string) => void;
  host?: PluginHost;
  /** No peripherals at all: the CPU alone (CPU tests raise vectors themselves). */
  bare?: boolean;
}

/** What the machine keeps of a peripheral. */
export interface UnoPeripheral {
  reset?(): void;
}

/**
 * The board's peripherals. Every on-chip peripheral is built (and wired to the others as on the
 * silicon) by {@link Atmega328pPeripherals} in src/devices/avr/atmega328p.ts: a new on-chip
 * peripheral is added there. Something outside the chip (a board-level device) would be
 * constructed here and pushed on the list, which the machine resets on a watchdog reset. Each
 * peripheral sees only the {@link AvrChip}: it hooks its registers, arms its timers, raises its
 * vectors itself.
 */
function buildPeripherals(chip: AvrChip, o: UnoOptions): { list: UnoPeripheral[]; chip: Atmega328pPeripherals } {
  const onChip = new Atmega328pPeripherals(chip, { usart: { onByte: o.uartOut ?? (() => {}) } });
  return { list: [onChip], chip: onChip };
}

const SREG_NAMES = ['sreg', 'sp', 'pc'] as const;

export class ArduinoUno implements MachineAccess {
  readonly arch = 'avr';
  readonly vcpus = 1;
  readonly clock = new VirtualClock(0);
  readonly host: PluginHost;
  readonly cpu: AvrCpu;
  readonly engine: Engine<AvrCpu, AvrBlock>;
  readonly runner: Runner<AvrCpu, AvrBlock>;
  readonly peripherals: UnoPeripheral[];
  /** The on-chip peripherals (USART0 for the console, GPIO pins, ADC inputs...); undefined on a bare machine. */
  readonly devices: Atmega328pPeripherals | undefined;
  readonly images: LoadedImage[] = [];
  private readonly console = new ConsoleInput();
  /** True while no console input can arrive (the CLI opens it when stdin feeds the serial port). */
  get inputClosed(): boolean { return this.console.closed; }
  set inputClosed(v: boolean) { this.console.closed = v; }

  constructor(readonly o: UnoOptions) {
    this.host = o.host ?? new PluginHost();
    this.cpu = new AvrCpu({ clock: this.clock, host: this.host, frequency: UNO_FREQUENCY, intLog: o.intLog });
    const cpu = this.cpu;
    this.clock.addSource(cpu);
    this.engine = new Engine<AvrCpu, AvrBlock>({
      translate: (c, mode) => translate(c, { host: this.host, symbolAt: (a) => this.symbolAt(a) }, mode),
      singleMode: MODE_SINGLE,
      trapSentinel: AVR_NO_TRAP,
    });
    this.engine.singleStep = o.singleStep ?? false;
    cpu.stepOne = () => {
      let tb = this.engine.cache.lookup(cpu.pcLo, 0, MODE_SINGLE);
      if (tb === undefined) {
        tb = translate(cpu, { host: this.host, symbolAt: (a) => this.symbolAt(a) }, MODE_SINGLE);
        this.engine.cache.insert(tb);
      }
      cpu.curBlock = tb;
      tb.fn(cpu);
    };
    cpu.findBlock = (pc) => (this.engine.singleStep ? undefined : this.engine.cache.lookup(pc, 0, 0));
    cpu.onFlashWrite = (addr, len) => {
      if (this.engine.cache.invalidateRange(addr, len) > 0) cpu.exitReq = 1;
    };
    cpu.onHooksChanged = () => this.flushCode();
    this.runner = new Runner(this.clock, [cpu], this.engine, {
      maxInsns: o.maxCycles,
      inputOpen: () => !this.console.closed,
      waitInput: () => this.console.wait(),
      onYield: o.onYield,
      unit: 'cycles',
      idleInsn: 'sleep',
    });
    const built = o.bare === true ? { list: [], chip: undefined } : buildPeripherals(cpu, o);
    this.peripherals = built.list;
    this.devices = built.chip;
    cpu.onSystemReset = () => { for (const p of this.peripherals) p.reset?.(); };
    // SLEEP with I = 0: only a watchdog reset (WDE) can still end it.
    const wdtcsr = 0x60, WDE = 0x08;
    cpu.sleepsForever = () => (cpu.data[wdtcsr]! & WDE) === 0;
    if (o.bios !== undefined) this.loadFirmware(o.bios);
    else if (o.flashImage !== undefined) cpu.flash.set(o.flashImage.subarray(0, FLASH_BYTES));
  }

  private loadFirmware(path: string): void {
    // As QEMU (hw/avr/boot.c): an ELF, else a raw image at flash address 0; and Intel HEX.
    const bytes = loadFile(path);
    const img = parseImage(bytes, path, { expect: { machine: [EM.AVR], name: 'AVR', bits: 32, endian: 'little' }, loadAddr: 0 });
    if (img.elf !== undefined) {
      // QEMU 7.2 (hw/avr/boot.c) refuses an ELF whose entry is not 0 or whose e_flags name
      // another of its AVR CPU types (avr51, avr6); arduino-uno's is avr5.
      if (img.elf.entry !== 0n) throw new UserError(`${path}: BIOS entry_point must be 0x0000 (ELF image has entry_point 0x${img.elf.entry.toString(16).padStart(4, '0')})`);
      const arch = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0x24, true) & 0x7f;
      if (arch === 51 || arch === 6) throw new UserError(`${path}: ELF image is for 'avr${arch}' CPU, arduino-uno has an 'avr5' CPU (ATmega328P)`);
    }
    let placed = 0;
    for (const seg of img.segments) {
      if (seg.addr >= BigInt(UNO_DATA_BASE)) continue; // .bss, .noinit, .eeprom, fuses, lock bits, signature
      const end = seg.addr + BigInt(seg.data.length);
      if (end > BigInt(FLASH_BYTES)) {
        throw new UserError(`${path}: segment at 0x${seg.addr.toString(16)} (0x${seg.data.length.toString(16)} bytes) does not fit in the 32 KiB flash`);
      }
      this.cpu.flash.set(seg.data, Number(seg.addr));
      placed += seg.data.length;
    }
    if (placed === 0) throw new UserError(`${path}: no program for flash in this image`);
    // avr-ld defines absolute symbols for its memory regions (__TEXT_REGION_ORIGIN__ = 0...):
    // they are no code, and would name address 0 instead of __vectors.
    if (img.elf !== undefined) img.symbols = new SymbolTable(img.elf.symbols.filter((x) => !/_REGION_(ORIGIN|LENGTH)__$|^__\w+_LENGTH__$/.test(x.name)));
    this.images.push(img);
  }

  /** Console input for USART0 (it receives the bytes one frame time apart). */
  input(bytes: Uint8Array): void {
    this.devices?.usart.receive(...bytes);
    this.console.arrived();
    this.cpu.exitReq = 1;
  }

  closeInput(): void {
    this.console.close();
  }

  /** Run to completion; resolves with the exit status. */
  run(): Promise<number> { return this.host.runVcpus(1, () => this.runner.run()); }

  /** Report vCPU exit and run plugins' at-exit callbacks. */
  finish(): void { this.host.finishVcpus(1); }

  // ---- MachineAccess (plugin API) ----
  registers(_vcpu: number): readonly RegisterDesc[] {
    const regs: RegisterDesc[] = [];
    for (let i = 0; i < 32; i++) regs.push({ name: `r${i}`, size: 1, feature: 'cpu' });
    regs.push({ name: 'sreg', size: 1, feature: 'cpu' }, { name: 'sp', size: 2, feature: 'cpu' }, { name: 'pc', size: 4, feature: 'cpu' });
    return regs;
  }

  readRegister(_vcpu: number, name: string): bigint {
    const n = name.toLowerCase();
    const m = /^r(\d+)$/.exec(n);
    if (m && Number(m[1]) < 32) return BigInt(this.cpu.data[Number(m[1])]!);
    if (n === 'sreg') return BigInt(this.cpu.sreg);
    if (n === 'sp') return BigInt(this.cpu.sp);
    if (n === 'pc') return BigInt(this.cpu.pcLo);
    throw new RangeError(`no register '${name}' on avr (r0..r31, ${SREG_NAMES.join(', ')})`);
  }

  writeRegister(_vcpu: number, name: string, value: bigint): void {
    const n = name.toLowerCase();
    const v = Number(value & 0xffffn);
    const m = /^r(\d+)$/.exec(n);
    if (m && Number(m[1]) < 32) { this.cpu.data[Number(m[1])] = v & 0xff; return; }
    if (n === 'sreg') { this.cpu.sreg = v & 0xff; return; }
    if (n === 'sp') { this.cpu.sp = v; return; }
    if (n === 'pc') { this.cpu.pcLo = v & (FLASH_BYTES - 2); this.cpu.exitReq = 1; return; }
    throw new RangeError(`no register '${name}' on avr`);
  }

  pc(_vcpu: number): bigint { return BigInt(this.cpu.pcLo); }

  translateAddress(_vcpu: number, vaddr: bigint): bigint | undefined {
    return vaddr >= 0n && vaddr < BigInt(UNO_DATA_BASE + DATA_BYTES) ? vaddr : undefined;
  }

  /** Physical space as QEMU's: flash at 0, the data space at 0x800000. */
  readPhysicalMemory(paddr: bigint, len: number): Uint8Array | undefined {
    const a = Number(paddr);
    if (paddr < 0n || len < 0) return undefined;
    if (paddr + BigInt(len) <= BigInt(FLASH_BYTES)) return this.cpu.flash.slice(a, a + len);
    const off = a - UNO_DATA_BASE;
    if (off >= 0 && off + len <= DATA_BYTES) return this.cpu.data.slice(off, off + len);
    return undefined;
  }

  writePhysicalMemory(paddr: bigint, data: Uint8Array): boolean {
    const a = Number(paddr);
    if (paddr < 0n) return false;
    if (paddr + BigInt(data.length) <= BigInt(FLASH_BYTES)) {
      this.cpu.flash.set(data, a);
      if (data.length > 0) this.engine.cache.invalidateRange(a, data.length);
      this.cpu.exitReq = 1;
      return true;
    }
    const off = a - UNO_DATA_BASE;
    if (off >= 0 && off + data.length <= DATA_BYTES) { this.cpu.data.set(data, off); return true; }
    return false;
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
    this.engine.cache.flush();
    this.cpu.exitReq = 1;
    this.host.flushed();
  }
}
