/**
 * The memory maps of QEMU 7.2's `mps2-an385` (Cortex-M3) and `mps2-an386` (Cortex-M4) boards
 * (hw/arm/mps2.c), as data: RAM regions, RAM aliases, every device with its base, size,
 * interrupt wiring and QEMU priority, and the unimplemented-device ranges QEMU maps underneath.
 * The two boards have the same map; they differ in CPU, SCC ID and FPU.
 *
 * QEMU layers regions by priority (RAM and devices at 0, "unimplemented" ranges at -1000
 * underneath); our bus wants disjoint regions, so {@link flattenMps2Map} computes the flat view
 * (what QEMU's `info mtree -f` prints), which the machine maps piece by piece.
 *
 * Not in this map: the CPU-side regions of the armv7m container (NVIC/SysTick/SCB at
 * 0xe000e000, the rest of the PPB at 0xe0000000..0xe00fffff, and the two bit-band alias windows
 * at 0x22000000 and 0x42000000); they are listed in {@link MPS2_CPU_REGIONS} for completeness.
 */

export type Mps2BoardName = 'mps2-an385' | 'mps2-an386';

/** RAM backed by its own storage. */
export interface Mps2Ram {
  /** QEMU's memory region name. */
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

/** A window onto (a part of) a RAM region: the same bytes at another address. */
export interface Mps2RamAlias {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** Name of the RAM region it shows. */
  readonly target: string;
  /** Offset into the target. */
  readonly offset: number;
}

/** Device models the map refers to. */
export type Mps2DeviceKind =
  | 'cmsdk-apb-uart'
  | 'cmsdk-apb-timer'
  | 'cmsdk-apb-dualtimer'
  | 'cmsdk-apb-watchdog'
  | 'mps2-fpgaio'
  | 'mps2-scc'
  | 'pl022'
  | 'arm-sbcon-i2c'
  | 'lan9118'
  | 'unimplemented';

/**
 * Where an interrupt output goes: an NVIC external interrupt (`irq`, 0..31), an input of one of
 * the board's OR gates (`orGate`, whose output is listed in {@link Mps2Map.orGates}), or the NMI.
 */
export type Mps2IrqTarget =
  | { readonly kind: 'nvic'; readonly irq: number }
  | { readonly kind: 'or'; readonly gate: string; readonly input: number }
  | { readonly kind: 'nmi' };

/** A memory-mapped device. */
export interface Mps2Device {
  /** Unique name in the map (e.g. `uart0`, `timer1`, `unimp:VGA`). */
  readonly id: string;
  /** QEMU's memory region name (what `info mtree` prints). */
  readonly region: string;
  readonly kind: Mps2DeviceKind;
  readonly base: number;
  readonly size: number;
  /** QEMU priority: 0 for devices, -1000 for unimplemented ranges (overlapped by the others). */
  readonly priority: number;
  /**
   * Connected interrupt outputs, by the device's output name (`tx`, `rx`, `txOverrun`,
   * `rxOverrun` for UARTs; `timint` / `timintc` for timers; `wdogint`; `sspintr`; `irq`).
   * Outputs not listed are left unconnected on the board.
   */
  readonly irqs: Readonly<Record<string, Mps2IrqTarget>>;
  /** Whether tracehook has a model for it (src/devices); unmodelled devices read 0 and ignore writes. */
  readonly modelled: boolean;
}

/** An OR gate combining device interrupt outputs into one NVIC input. */
export interface Mps2OrGate {
  readonly name: string;
  readonly inputs: number;
  readonly irq: number;
}

/** A whole board. */
export interface Mps2Map {
  readonly board: Mps2BoardName;
  readonly description: string;
  /** QEMU's `-cpu` default and only choice. */
  readonly cpu: 'cortex-m3' | 'cortex-m4';
  /** External interrupts of the NVIC (`num-irq`). */
  readonly numIrq: number;
  /** SYSCLK (timers, UARTs, CPU clock) in Hz. */
  readonly sysclkHz: number;
  /** The SysTick reference clock in Hz (QEMU's `refclk`). */
  readonly refclkHz: number;
  /** The SCC ID register. */
  readonly sccId: number;
  readonly ram: readonly Mps2Ram[];
  readonly aliases: readonly Mps2RamAlias[];
  readonly devices: readonly Mps2Device[];
  readonly orGates: readonly Mps2OrGate[];
  /**
   * `-kernel` loading (QEMU's `armv7m_load_kernel` with mem_base 0 and this mem_size): an ELF
   * goes to its own addresses; any other file is a raw image loaded at 0, at most this long.
   * The CPU then resets from the vector table at 0 (initial SP, reset PC).
   */
  readonly kernelMemSize: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The main SYSCLK of both boards. */
export const MPS2_SYSCLK = 25_000_000;
/** The SysTick reference clock QEMU 7.2 gives the MPS2 boards. */
export const MPS2_REFCLK = 1_000_000;

/** CMSDK UART bases (UART0..UART4). */
export const MPS2_UART_BASES = [0x4000_4000, 0x4000_5000, 0x4000_6000, 0x4000_7000, 0x4000_9000] as const;
/** NVIC number of each UART's RX interrupt; its TX interrupt is one more. */
export const MPS2_UART_RX_IRQS = [0, 2, 4, 18, 20] as const;
/** The OR gate of the overrun interrupts of UART0..2. */
export const MPS2_UART_OVERFLOW_IRQ = 12;
export const MPS2_TIMER0_BASE = 0x4000_0000;
export const MPS2_TIMER1_BASE = 0x4000_1000;
export const MPS2_TIMER0_IRQ = 8;
export const MPS2_TIMER1_IRQ = 9;
export const MPS2_DUALTIMER_BASE = 0x4000_2000;
export const MPS2_DUALTIMER_IRQ = 10;
export const MPS2_WATCHDOG_BASE = 0x4000_8000;
export const MPS2_FPGAIO_BASE = 0x4002_8000;
export const MPS2_SCC_BASE = 0x4002_f000;
export const MPS2_ETHERNET_BASE = 0x4020_0000;
export const MPS2_ETHERNET_IRQ = 13;

const RAM: readonly Mps2Ram[] = [
  { name: 'mps.ssram1', base: 0x0000_0000, size: 4 * MiB },
  { name: 'mps.blockram', base: 0x0100_0000, size: 16 * KiB },
  { name: 'mps.ssram23', base: 0x2000_0000, size: 4 * MiB },
  // the machine's RAM (-m must be 16M)
  { name: 'mps.ram', base: 0x2100_0000, size: 16 * MiB },
];

const ALIASES: readonly Mps2RamAlias[] = [
  { name: 'mps.ssram1_m', base: 0x0040_0000, size: 4 * MiB, target: 'mps.ssram1', offset: 0 },
  { name: 'mps.blockram_m1', base: 0x0100_4000, size: 16 * KiB, target: 'mps.blockram', offset: 0 },
  { name: 'mps.blockram_m2', base: 0x0100_8000, size: 16 * KiB, target: 'mps.blockram', offset: 0 },
  { name: 'mps.blockram_m3', base: 0x0100_c000, size: 16 * KiB, target: 'mps.blockram', offset: 0 },
  { name: 'mps.ssram23_m', base: 0x2040_0000, size: 4 * MiB, target: 'mps.ssram23', offset: 0 },
];

const nvic = (irq: number): Mps2IrqTarget => ({ kind: 'nvic', irq });
const or = (gate: string, input: number): Mps2IrqTarget => ({ kind: 'or', gate, input });

function unimp(region: string, base: number, size: number): Mps2Device {
  return { id: `unimp:${region}@${base.toString(16)}`, region, kind: 'unimplemented', base, size, priority: -1000, irqs: {}, modelled: true };
}

function devices(): Mps2Device[] {
  const d: Mps2Device[] = [
    // create_unimplemented_device() ranges, in QEMU's order
    unimp('zbtsmram mirror', 0x0040_0000, 0x0040_0000),
    unimp('RESERVED 1', 0x0080_0000, 0x0080_0000),
    unimp('Block RAM', 0x0100_0000, 0x0001_0000),
    unimp('RESERVED 2', 0x0101_0000, 0x1eff_0000),
    unimp('RESERVED 3', 0x2080_0000, 0x0080_0000),
    unimp('PSRAM', 0x2100_0000, 0x0100_0000),
    unimp('CMSDK APB peripheral region @0x40000000', 0x4000_0000, 0x0001_0000),
    unimp('CMSDK AHB peripheral region @0x40010000', 0x4001_0000, 0x0001_0000),
    unimp('Extra peripheral region @0x40020000', 0x4002_0000, 0x0001_0000),
    unimp('RESERVED 4', 0x4003_0000, 0x001d_0000),
    unimp('VGA', 0x4100_0000, 0x0020_0000),
  ];
  MPS2_UART_BASES.forEach((base, i) => {
    const rx = MPS2_UART_RX_IRQS[i]!;
    const irqs: Record<string, Mps2IrqTarget> = { tx: nvic(rx + 1), rx: nvic(rx) };
    if (i < 3) {
      irqs.txOverrun = or('uart-overflow', 2 * i);
      irqs.rxOverrun = or('uart-overflow', 2 * i + 1);
    }
    d.push({ id: `uart${i}`, region: 'uart', kind: 'cmsdk-apb-uart', base, size: 0x1000, priority: 0, irqs, modelled: true });
  });
  for (const [i, base] of [0x4001_0000, 0x4001_1000, 0x4001_2000, 0x4001_3000].entries()) {
    // the AHB GPIOs are unimplemented devices of their own
    d.push({ ...unimp('cmsdk-ahb-gpio', base, 0x1000), id: `gpio${i}` });
  }
  d.push(
    { id: 'timer0', region: 'cmsdk-apb-timer', kind: 'cmsdk-apb-timer', base: MPS2_TIMER0_BASE, size: 0x1000, priority: 0, irqs: { timint: nvic(MPS2_TIMER0_IRQ) }, modelled: true },
    { id: 'timer1', region: 'cmsdk-apb-timer', kind: 'cmsdk-apb-timer', base: MPS2_TIMER1_BASE, size: 0x1000, priority: 0, irqs: { timint: nvic(MPS2_TIMER1_IRQ) }, modelled: true },
    { id: 'dualtimer', region: 'cmsdk-apb-dualtimer', kind: 'cmsdk-apb-dualtimer', base: MPS2_DUALTIMER_BASE, size: 0x1000, priority: 0, irqs: { timintc: nvic(MPS2_DUALTIMER_IRQ) }, modelled: true },
    { id: 'watchdog', region: 'cmsdk-apb-watchdog', kind: 'cmsdk-apb-watchdog', base: MPS2_WATCHDOG_BASE, size: 0x1000, priority: 0, irqs: { wdogint: { kind: 'nmi' } }, modelled: true },
    { id: 'scc', region: 'mps2-scc', kind: 'mps2-scc', base: MPS2_SCC_BASE, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    { id: 'fpgaio', region: 'mps2-fpgaio', kind: 'mps2-fpgaio', base: MPS2_FPGAIO_BASE, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    // PL022 SPI: the external ADC alone on IRQ 22; APB + LCD ORed onto 11; the two shield ones onto 24
    { id: 'spi-adc', region: 'pl022', kind: 'pl022', base: 0x4002_5000, size: 0x1000, priority: 0, irqs: { sspintr: nvic(22) }, modelled: true },
    { id: 'spi-apb', region: 'pl022', kind: 'pl022', base: 0x4002_0000, size: 0x1000, priority: 0, irqs: { sspintr: or('spi0', 0) }, modelled: true },
    { id: 'spi-lcd', region: 'pl022', kind: 'pl022', base: 0x4002_1000, size: 0x1000, priority: 0, irqs: { sspintr: or('spi0', 1) }, modelled: true },
    { id: 'spi-shield0', region: 'pl022', kind: 'pl022', base: 0x4002_6000, size: 0x1000, priority: 0, irqs: { sspintr: or('spi1', 0) }, modelled: true },
    { id: 'spi-shield1', region: 'pl022', kind: 'pl022', base: 0x4002_7000, size: 0x1000, priority: 0, irqs: { sspintr: or('spi1', 1) }, modelled: true },
    { id: 'i2c-touch', region: 'arm_sbcon_i2c', kind: 'arm-sbcon-i2c', base: 0x4002_2000, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    { id: 'i2c-audio', region: 'arm_sbcon_i2c', kind: 'arm-sbcon-i2c', base: 0x4002_3000, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    { id: 'i2c-shield0', region: 'arm_sbcon_i2c', kind: 'arm-sbcon-i2c', base: 0x4002_9000, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    { id: 'i2c-shield1', region: 'arm_sbcon_i2c', kind: 'arm-sbcon-i2c', base: 0x4002_a000, size: 0x1000, priority: 0, irqs: {}, modelled: true },
    { ...unimp('i2s', 0x4002_4000, 0x400), id: 'i2s' },
    { id: 'ethernet', region: 'lan9118-mmio', kind: 'lan9118', base: MPS2_ETHERNET_BASE, size: 0x100, priority: 0, irqs: { irq: nvic(MPS2_ETHERNET_IRQ) }, modelled: false },
  );
  return d;
}

const OR_GATES: readonly Mps2OrGate[] = [
  { name: 'uart-overflow', inputs: 6, irq: MPS2_UART_OVERFLOW_IRQ },
  { name: 'spi0', inputs: 2, irq: 11 },
  { name: 'spi1', inputs: 2, irq: 24 },
];

function board(name: Mps2BoardName): Mps2Map {
  const an385 = name === 'mps2-an385';
  return {
    board: name,
    description: an385 ? 'ARM MPS2 with AN385 FPGA image for Cortex-M3' : 'ARM MPS2 with AN386 FPGA image for Cortex-M4',
    cpu: an385 ? 'cortex-m3' : 'cortex-m4',
    numIrq: 32,
    sysclkHz: MPS2_SYSCLK,
    refclkHz: MPS2_REFCLK,
    sccId: an385 ? 0x4104_3850 : 0x4104_3860,
    ram: RAM,
    aliases: ALIASES,
    devices: devices(),
    orGates: OR_GATES,
    kernelMemSize: 0x40_0000,
  };
}

/** QEMU 7.2's `mps2-an385`. */
export const MPS2_AN385: Mps2Map = board('mps2-an385');
/** QEMU 7.2's `mps2-an386`. */
export const MPS2_AN386: Mps2Map = board('mps2-an386');

/** The map of a board by name. */
export function mps2Map(name: Mps2BoardName): Mps2Map {
  return name === 'mps2-an385' ? MPS2_AN385 : MPS2_AN386;
}

/** The CPU-side regions of QEMU's armv7m container (modelled by the CPU, not the board). */
export const MPS2_CPU_REGIONS = [
  { name: 'bitband', base: 0x2200_0000, size: 0x0200_0000, aliasOf: 0x2000_0000 },
  { name: 'bitband', base: 0x4200_0000, size: 0x0200_0000, aliasOf: 0x4000_0000 },
  { name: 'nvic-default', base: 0xe000_0000, size: 0x0010_0000 },
  { name: 'nvic_sysregs', base: 0xe000_e000, size: 0x1000 },
  { name: 'v7m_systick', base: 0xe000_e010, size: 0xe0 },
] as const;

/** One disjoint piece of the flat view. */
export interface Mps2FlatRange {
  readonly base: number;
  readonly size: number;
  /** What shows there: a RAM region (or an alias of one) or a device. */
  readonly source:
    | { readonly kind: 'ram'; readonly ram: Mps2Ram; readonly offset: number; readonly alias?: Mps2RamAlias }
    | { readonly kind: 'device'; readonly device: Mps2Device; readonly offset: number };
  readonly priority: number;
}

interface Layer {
  base: number;
  size: number;
  priority: number;
  /** Insertion order: a later region wins among equal priorities (QEMU's rule for overlaps). */
  order: number;
  source: Mps2FlatRange['source'];
}

/**
 * The flat view of a board's system memory: disjoint ranges, sorted by address, each showing
 * the highest-priority region at that address (later-added winning ties), with the offset into
 * that region — QEMU's FlatView, as `info mtree -f` prints it. Adjacent pieces of the same
 * region are not merged (nor does QEMU merge them here).
 */
export function flattenMps2Map(map: Mps2Map): Mps2FlatRange[] {
  const layers: Layer[] = [];
  let order = 0;
  for (const r of map.ram) layers.push({ base: r.base, size: r.size, priority: 0, order: order++, source: { kind: 'ram', ram: r, offset: 0 } });
  for (const a of map.aliases) {
    const ram = map.ram.find((r) => r.name === a.target);
    if (ram === undefined) throw new Error(`mps2-map: alias ${a.name} of unknown RAM ${a.target}`);
    layers.push({ base: a.base, size: a.size, priority: 0, order: order++, source: { kind: 'ram', ram, offset: a.offset, alias: a } });
  }
  for (const d of map.devices) layers.push({ base: d.base, size: d.size, priority: d.priority, order: order++, source: { kind: 'device', device: d, offset: 0 } });
  // every boundary, then the winner of each elementary interval
  const cuts = new Set<number>();
  for (const l of layers) { cuts.add(l.base); cuts.add(l.base + l.size); }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Mps2FlatRange[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i]!, hi = points[i + 1]!;
    let best: Layer | undefined;
    for (const l of layers) {
      if (l.base <= lo && hi <= l.base + l.size) {
        if (best === undefined || l.priority > best.priority || (l.priority === best.priority && l.order > best.order)) best = l;
      }
    }
    if (best === undefined) continue;
    const prev = out[out.length - 1];
    const sameAsPrev =
      prev !== undefined && prev.base + prev.size === lo && sameLayer(prev, best);
    if (sameAsPrev) {
      out[out.length - 1] = { ...prev, size: prev.size + (hi - lo) };
    } else {
      const off = best.source.offset + (lo - best.base);
      out.push({ base: lo, size: hi - lo, priority: best.priority, source: { ...best.source, offset: off } });
    }
  }
  return out;
}

function sameLayer(r: Mps2FlatRange, l: Layer): boolean {
  const a = r.source, b = l.source;
  if (a.kind === 'ram' && b.kind === 'ram') return a.ram === b.ram && a.alias === b.alias;
  if (a.kind === 'device' && b.kind === 'device') return a.device === b.device;
  return false;
}

/** The region name QEMU prints for a flat range (`info mtree -f`). */
export function flatRangeName(r: Mps2FlatRange): string {
  const s = r.source;
  if (s.kind === 'ram') return s.ram.name;
  return s.offset === 0 ? s.device.region : `${s.device.region} @${s.offset.toString(16).padStart(16, '0')}`;
}
