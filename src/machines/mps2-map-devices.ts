/**
 * Instantiates the modelled devices of an MPS2 map ({@link Mps2Map}) and maps them on a bus the
 * way QEMU 7.2's flat view has them (devices over the unimplemented ranges underneath), with
 * their interrupt outputs wired through the board's OR gates to NVIC inputs supplied by the
 * caller. RAM is left to the machine (it needs aliases: the same bytes at two addresses).
 *
 * The one device the map lists but tracehook does not model (the LAN9118 Ethernet controller)
 * is mapped as an unimplemented device (reads 0, writes ignored) unless `skipUnmodelled`.
 */
import type { Bus, MmioHandler, RamRegion } from '../core/bus.js';
import type { VirtualClock } from '../core/clock.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { CmsdkApbDualTimer } from '../devices/cmsdk-apb-dualtimer.js';
import { CmsdkApbTimer } from '../devices/cmsdk-apb-timer.js';
import { CmsdkApbUart } from '../devices/cmsdk-apb-uart.js';
import { CmsdkApbWatchdog } from '../devices/cmsdk-apb-watchdog.js';
import { Mps2Fpgaio } from '../devices/mps2-fpgaio.js';
import { Mps2Pl022 } from '../devices/mps2-pl022.js';
import { Mps2SbconI2c } from '../devices/mps2-sbcon-i2c.js';
import { MPS2_AN385_SCC, MPS2_AN386_SCC, Mps2Scc } from '../devices/mps2-scc.js';
import { UnimplementedDevice, type UnimplementedAccess } from '../devices/mps2-unimp.js';
import { flattenMps2Map, type Mps2Device, type Mps2IrqTarget, type Mps2Map } from './mps2-map.js';

/** How to build the devices. */
export interface Mps2DeviceOptions {
  map: Mps2Map;
  bus: Bus;
  clock: VirtualClock;
  /** NVIC external interrupt input `n` (0 .. map.numIrq - 1). */
  nvicIrq: (n: number) => IrqLine;
  /** The NMI input (the watchdog's interrupt). Default: unconnected. */
  nmi?: IrqLine;
  /** The watchdog resets the board (QEMU's default watchdog action). Default: ignored. */
  onWatchdogReset?: () => void;
  /** Bytes UART `index` transmits. Default: dropped (QEMU with no backend). */
  uartOutput?: (index: number, byte: number) => void;
  /** Every access to an unimplemented range (QEMU's `-d unimp`). */
  onUnimplemented?: (access: UnimplementedAccess) => void;
  /** Leave the unmodelled devices' ranges unmapped instead of reading 0 (default false). */
  skipUnmodelled?: boolean;
  /** Wrap each handler before mapping (e.g. `checkedMmio` rules); default: as is. */
  wrap?: (device: Mps2Device, handler: MmioHandler) => MmioHandler;
}

/** The board's device instances. */
export interface Mps2Devices {
  readonly uarts: readonly CmsdkApbUart[];
  readonly timers: readonly [CmsdkApbTimer, CmsdkApbTimer];
  readonly dualTimer: CmsdkApbDualTimer;
  readonly watchdog: CmsdkApbWatchdog;
  readonly fpgaio: Mps2Fpgaio;
  readonly scc: Mps2Scc;
  /** The four SBCon I2C interfaces (touch, audio, shield 0, shield 1; nothing on their buses). */
  readonly i2c: readonly Mps2SbconI2c[];
  /** The five PL022 SPI ports, in map order (ADC, APB, LCD, shield 0, shield 1; nothing on their buses). */
  readonly spi: readonly Mps2Pl022[];
  /** Handlers by map device id (unimplemented ranges included). */
  readonly handlers: ReadonlyMap<string, MmioHandler>;
  /** Device reset, as at machine reset. */
  reset(): void;
}

/** An OR gate: output high while any input is high; drives its output on every input change. */
class OrGate {
  private readonly levels: boolean[];
  readonly inputs: IrqLine[];
  constructor(n: number, out: IrqLine) {
    this.levels = new Array<boolean>(n).fill(false);
    this.inputs = this.levels.map((_, i) => ({
      set: (level: boolean) => {
        this.levels[i] = level;
        out.set(this.levels.some((l) => l));
      },
    }));
  }
}

export function createMps2Devices(o: Mps2DeviceOptions): Mps2Devices {
  const { map, bus, clock } = o;
  const gates = new Map<string, OrGate>();
  for (const g of map.orGates) gates.set(g.name, new OrGate(g.inputs, o.nvicIrq(g.irq)));
  const nmi = o.nmi ?? new IrqPin();
  const line = (t: Mps2IrqTarget | undefined): IrqLine | undefined => {
    if (t === undefined) return undefined;
    if (t.kind === 'nvic') return o.nvicIrq(t.irq);
    if (t.kind === 'nmi') return nmi;
    return gates.get(t.gate)!.inputs[t.input]!;
  };

  const handlers = new Map<string, MmioHandler>();
  const uarts: CmsdkApbUart[] = [];
  const timers: CmsdkApbTimer[] = [];
  let dualTimer: CmsdkApbDualTimer | undefined;
  let watchdog: CmsdkApbWatchdog | undefined;
  let fpgaio: Mps2Fpgaio | undefined;
  let scc: Mps2Scc | undefined;
  const i2c: Mps2SbconI2c[] = [];
  const spi: Mps2Pl022[] = [];
  for (const d of map.devices) {
    let h: MmioHandler | undefined;
    switch (d.kind) {
      case 'cmsdk-apb-uart': {
        const index = uarts.length;
        const out = o.uartOutput;
        const u = new CmsdkApbUart({
          pclkHz: map.sysclkHz,
          ...(out ? { output: (b: number) => out(index, b) } : {}),
          ...opt('txInt', line(d.irqs.tx)),
          ...opt('rxInt', line(d.irqs.rx)),
          ...opt('txOverrunInt', line(d.irqs.txOverrun)),
          ...opt('rxOverrunInt', line(d.irqs.rxOverrun)),
        });
        uarts.push(u);
        h = u;
        break;
      }
      case 'cmsdk-apb-timer': {
        const t = new CmsdkApbTimer({ clock, pclkHz: map.sysclkHz, ...opt('irq', line(d.irqs.timint)) });
        timers.push(t);
        h = t;
        break;
      }
      case 'cmsdk-apb-dualtimer':
        h = dualTimer = new CmsdkApbDualTimer({ clock, timclkHz: map.sysclkHz, ...opt('irq', line(d.irqs.timintc)) });
        break;
      case 'cmsdk-apb-watchdog':
        h = watchdog = new CmsdkApbWatchdog({ clock, wdogclkHz: map.sysclkHz, ...opt('irq', line(d.irqs.wdogint)), ...opt('onReset', o.onWatchdogReset) });
        break;
      case 'mps2-fpgaio':
        h = fpgaio = new Mps2Fpgaio({ clock });
        break;
      case 'mps2-scc':
        h = scc = new Mps2Scc({ board: map.board === 'mps2-an385' ? MPS2_AN385_SCC : MPS2_AN386_SCC });
        break;
      case 'pl022': {
        const p = new Mps2Pl022({ ...opt('irq', line(d.irqs.sspintr)) });
        spi.push(p);
        h = p;
        break;
      }
      case 'arm-sbcon-i2c': {
        const b = new Mps2SbconI2c();
        i2c.push(b);
        h = b;
        break;
      }
      case 'unimplemented':
        h = new UnimplementedDevice({ name: d.region, size: d.size, ...opt('onAccess', o.onUnimplemented) });
        break;
      default:
        if (!o.skipUnmodelled) h = new UnimplementedDevice({ name: d.region, size: d.size, ...opt('onAccess', o.onUnimplemented) });
    }
    if (h !== undefined) handlers.set(d.id, o.wrap ? o.wrap(d, h) : h);
  }
  if (timers.length !== 2 || dualTimer === undefined || watchdog === undefined || fpgaio === undefined || scc === undefined) {
    throw new Error(`mps2: ${map.board} map lacks a device`);
  }

  for (const r of flattenMps2Map(map)) {
    if (r.source.kind !== 'device') continue;
    const h = handlers.get(r.source.device.id);
    if (h === undefined) continue;
    const off = r.source.offset;
    const name = off === 0 ? r.source.device.id : `${r.source.device.id}+0x${off.toString(16)}`;
    bus.addMmio(name, r.base, r.size, off === 0 ? h : {
      read: (offset, size) => h.read(offset + off, size),
      write: (offset, size, value) => h.write(offset + off, size, value),
    });
  }

  const devs = { uarts, timers: [timers[0]!, timers[1]!] as const, dualTimer, watchdog, fpgaio, scc, i2c, spi };
  return {
    ...devs,
    handlers,
    reset() {
      for (const u of devs.uarts) u.reset();
      for (const t of devs.timers) t.reset();
      devs.dualTimer.reset();
      devs.watchdog.reset();
      devs.fpgaio.reset();
      devs.scc.reset();
      for (const p of devs.spi) p.reset();
      // (QEMU has no reset for the SBCon interfaces: they keep their state across a system reset)
    },
  };
}

/** `{ [key]: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Map the board's RAM: each RAM region as bus RAM, and each alias as an MMIO window onto the
 * same bytes (the bus has no aliases of its own). Alias accesses take the slow MMIO path and do
 * not call `bus.onRamWrite`, so code must not be modified through an alias while cached; data
 * and the occasional fetch are fine. Returns the RAM regions by QEMU name.
 */
export function mapMps2Ram(bus: Bus, map: Mps2Map): ReadonlyMap<string, RamRegion> {
  const rams = new Map<string, RamRegion>();
  for (const r of map.ram) rams.set(r.name, bus.addRam(r.name, r.base, r.size));
  for (const a of map.aliases) {
    const t = rams.get(a.target);
    if (t === undefined) throw new Error(`mps2: alias ${a.name} of unknown RAM ${a.target}`);
    const le = bus.endian === 'little';
    const v = t.view;
    bus.addMmio(a.name, a.base, a.size, {
      read(offset, size) {
        const o = offset + a.offset;
        return size === 1 ? v.getUint8(o) : size === 2 ? v.getUint16(o, le) : v.getUint32(o, le);
      },
      write(offset, size, value) {
        const o = offset + a.offset;
        if (size === 1) v.setUint8(o, value);
        else if (size === 2) v.setUint16(o, value, le);
        else v.setUint32(o, value >>> 0, le);
      },
    });
  }
  return rams;
}

