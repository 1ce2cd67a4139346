/**
 * SiFive PLIC as QEMU 7.2 builds it for the RISC-V `virt` board (hw/intc/sifive_plic.c, created
 * by `virt_create_plic` in hw/riscv/virt.c with the constants of include/hw/riscv/virt.h).
 *
 * Layout on `virt` (one socket): base 0x0C000000, aperture 0x600000
 * (`VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2)`), 96 sources (`VIRT_IRQCHIP_NUM_SOURCES = VIRTIO_NDEV`),
 * 7 priority levels (`(1 << VIRT_IRQCHIP_NUM_PRIO_BITS) - 1`), priority base 0x4, pending base
 * 0x1000, enable base 0x2000 stride 0x80, context base 0x200000 stride 0x1000, hart config
 * `"MS"` per hart (`riscv_plic_hart_config_string`): context 2h is hart h's M-mode context
 * (mip.MEIP), context 2h+1 its S-mode context (mip.SEIP).
 *
 * QEMU 7.2 behaviours reproduced, including the quirks:
 * - priority register `n` is at 0x4 + 4(n-1) for n = 1..96: offset 0 (source 0) reads 0 and
 *   ignores writes, and offset 0x180 (source 96, one past the last source) is a plain storage
 *   cell — QEMU writes one element past its priority array there; that source can never pend;
 * - priorities and thresholds are WARL: since 7 + 1 is a power of two, a write stores
 *   `value % 8`;
 * - the pending array spans `num_sources >> 3` = 12 bytes (words 0..2) and is read-only;
 * - an enable word past the last source word (e.g. 0x200C) reads 0 and ignores writes;
 * - a source input **latches** its pending bit when driven high; driving it low does nothing
 *   (QEMU 7.2's `sifive_plic_irq_request` ignores level 0), so only a claim clears it;
 * - a claim returns the enabled, pending, not-claimed source of highest priority strictly
 *   above the context's threshold (lowest id on ties), clears its pending bit and marks it
 *   claimed; a claimed source is not offered again until completed, but a device driving its
 *   line high again meanwhile re-latches the pending bit (visible in the pending array);
 * - a completion of id `v` just clears `v`'s claimed bit if `v < 96` — QEMU 7.2 checks neither
 *   the context's enable bit nor which context claimed it;
 * - every register change re-evaluates every context and drives every context's line
 *   (`sifive_plic_update`), in context order, repeated levels included;
 * - only 4-byte accesses are valid (others fault through {@link Plic.map}).
 *
 * A limitation of the bus: an aligned 8-byte access faults on QEMU (valid size 4 only) but reaches
 * this model as two 4-byte accesses.
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import { IrqPin, type IrqLine } from '../core/irq.js';
import { mapChecked } from './mmio-access.js';

/** Base address of the PLIC on QEMU's `virt` board (socket 0). */
export const VIRT_PLIC_BASE = 0x0c00_0000;
/** Aperture of the PLIC on `virt`: `VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2)` = 0x200000 + 1024 * 0x1000. */
export const VIRT_PLIC_SIZE = 0x60_0000;
/** `VIRT_IRQCHIP_NUM_SOURCES` (= `VIRTIO_NDEV`) in QEMU 7.2: inputs 0..95, source 0 unused. */
export const VIRT_PLIC_NUM_SOURCES = 96;
/** `(1 << VIRT_IRQCHIP_NUM_PRIO_BITS) - 1`: priorities 0..7. */
export const VIRT_PLIC_NUM_PRIORITIES = 7;

/** Register layout of the `virt` PLIC (offsets from its base). */
export const PlicLayout = {
  /** `priority[n]` for source n >= 1 is at `PRIORITY_BASE + 4 * (n - 1)`. */
  PRIORITY_BASE: 0x04,
  /** Pending bits, 32 sources per word. */
  PENDING_BASE: 0x1000,
  /** Enable bits of context c at `ENABLE_BASE + c * ENABLE_STRIDE`, 32 sources per word. */
  ENABLE_BASE: 0x2000,
  ENABLE_STRIDE: 0x80,
  /** Threshold and claim/complete of context c at `CONTEXT_BASE + c * CONTEXT_STRIDE`. */
  CONTEXT_BASE: 0x20_0000,
  CONTEXT_STRIDE: 0x1000,
} as const;

/** Register offsets inside a context's block. */
export const PlicContextReg = {
  /** Priority threshold. */
  THRESHOLD: 0x0,
  /** Read: claim; write: complete. */
  CLAIM: 0x4,
} as const;

/** PLIC source numbers of the `virt` board's devices (include/hw/riscv/virt.h). */
export const VirtIrq = {
  /** virtio-mmio transport i (0..7) is source `VIRTIO + i`. */
  VIRTIO: 1,
  VIRTIO_COUNT: 8,
  UART0: 10,
  RTC: 11,
  /** PCIe INTA..INTD are sources 32..35. */
  PCIE: 0x20,
  /** The platform bus uses sources 64..95. */
  PLATFORM_BUS: 64,
} as const;

/** A privilege mode a PLIC context serves (QEMU's `PLICMode`). */
export type PlicMode = 'U' | 'S' | 'M';

/** One PLIC context ("addrid" in QEMU): a hart and the privilege mode whose interrupt it drives. */
export interface PlicContext {
  readonly hart: number;
  readonly mode: PlicMode;
}

/** Construction parameters of a {@link Plic}. Defaults are the `virt` board's. */
export interface PlicOptions {
  /** Number of harts (default 1); gives the default hart config. */
  numHarts?: number;
  /**
   * QEMU's `hart-config` string: one group of mode letters per hart, comma-separated (default
   * `"MS"` for each hart). Contexts are numbered in the order the letters appear.
   */
  hartConfig?: string;
  /** Number of sources including source 0 (default 96). */
  numSources?: number;
  /** Highest priority (default 7). */
  numPriorities?: number;
  /** Size of the MMIO window (default 0x600000). */
  apertureSize?: number;
  /**
   * One output line per context (the machine wires M contexts to mip.MEIP and S contexts to
   * mip.SEIP of their hart; U contexts are never driven, as in QEMU). Default: unconnected
   * {@link IrqPin}s.
   */
  outputs?: readonly IrqLine[];
}

/** The default hart config of `virt` for `numHarts` harts with S-mode: "MS,MS,...". */
export function virtPlicHartConfig(numHarts: number): string {
  return Array.from({ length: numHarts }, () => 'MS').join(',');
}

/**
 * The PLIC. Construction performs the device reset (QEMU's `sifive_plic_reset`): all registers
 * zero and every context's line lowered.
 */
export class Plic implements MmioHandler {
  /** Number of sources including source 0 (inputs 0..numSources-1). */
  readonly numSources: number;
  /** Highest priority. */
  readonly numPriorities: number;
  /** Size of the MMIO window. */
  readonly apertureSize: number;
  /** The contexts, in context-number order. */
  readonly contexts: readonly PlicContext[];
  /** Output line of each context. */
  readonly outputs: readonly IrqLine[];
  /** Number of harts named in the hart config. */
  readonly numHarts: number;

  private readonly words: number;
  /** `source_priority`, plus the one cell past the end that QEMU's priority window reaches. */
  private readonly priority: Uint32Array;
  private readonly threshold: Uint32Array;
  private readonly pendingBits: Uint32Array;
  private readonly claimedBits: Uint32Array;
  private readonly enable: Uint32Array;
  private readonly sourceLines: IrqLine[] = [];
  private readonly warl: boolean;

  /** @param options hart config, sizes and output lines (defaults: `virt` with one hart). */
  constructor(options: PlicOptions = {}) {
    const numHarts = options.numHarts ?? 1;
    if (!Number.isInteger(numHarts) || numHarts < 1) throw new RangeError(`plic: bad hart count ${numHarts}`);
    const config = options.hartConfig ?? virtPlicHartConfig(numHarts);
    this.contexts = parseHartConfig(config);
    this.numHarts = config.split(',').length;
    this.numSources = options.numSources ?? VIRT_PLIC_NUM_SOURCES;
    if (!Number.isInteger(this.numSources) || this.numSources < 1 || this.numSources > 1024) {
      throw new RangeError(`plic: bad source count ${this.numSources}`);
    }
    this.numPriorities = options.numPriorities ?? VIRT_PLIC_NUM_PRIORITIES;
    this.apertureSize = options.apertureSize ?? VIRT_PLIC_SIZE;
    this.warl = ((this.numPriorities + 1) & this.numPriorities) === 0;
    this.words = (this.numSources + 31) >>> 5;
    this.priority = new Uint32Array(Math.max(this.numSources + 1, this.words * 32));
    this.threshold = new Uint32Array(this.contexts.length);
    this.pendingBits = new Uint32Array(this.words);
    this.claimedBits = new Uint32Array(this.words);
    this.enable = new Uint32Array(this.words * this.contexts.length);
    if (options.outputs !== undefined && options.outputs.length !== this.contexts.length) {
      throw new RangeError(`plic: ${options.outputs.length} output lines for ${this.contexts.length} contexts`);
    }
    this.outputs = options.outputs ?? this.contexts.map(() => new IrqPin());
    this.reset();
  }

  /** Map the PLIC on `bus` at `base` (default the `virt` address), 4-byte accesses only, as in QEMU. */
  map(bus: Bus, base = VIRT_PLIC_BASE): void {
    mapChecked(bus, 'riscv.sifive.plic', base, this.apertureSize, this, { minSize: 4, maxSize: 4 });
  }

  /**
   * The input line of source `n` (0 <= n < numSources), for a device to drive. Driving it high
   * latches the pending bit; driving it low does nothing (QEMU 7.2).
   */
  source(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= this.numSources) throw new RangeError(`plic: no source ${n}`);
    let line = this.sourceLines[n];
    if (line === undefined) {
      line = { set: (level: boolean) => this.irqRequest(n, level) };
      this.sourceLines[n] = line;
    }
    return line;
  }

  /** The context number serving `hart` in `mode`, or -1 if the hart config has none. */
  contextOf(hart: number, mode: PlicMode): number {
    return this.contexts.findIndex((c) => c.hart === hart && c.mode === mode);
  }

  /** Device reset (`sifive_plic_reset`): clear every register and lower every output. */
  reset(): void {
    this.priority.fill(0);
    this.threshold.fill(0);
    this.pendingBits.fill(0);
    this.claimedBits.fill(0);
    this.enable.fill(0);
    // QEMU lowers each hart's M line, then its S line.
    for (let h = 0; h < this.numHarts; h++) {
      for (const mode of ['M', 'S'] as const) {
        const c = this.contextOf(h, mode);
        if (c >= 0) this.outputs[c]!.set(false);
      }
    }
  }

  /** Whether source `n`'s pending bit is set. */
  isPending(n: number): boolean {
    return n >= 0 && n < this.words * 32 && ((this.pendingBits[n >>> 5]! >>> (n & 31)) & 1) === 1;
  }

  /** Whether source `n` has been claimed and not completed. */
  isClaimed(n: number): boolean {
    return n >= 0 && n < this.words * 32 && ((this.claimedBits[n >>> 5]! >>> (n & 31)) & 1) === 1;
  }

  /** The source a claim by context `ctx` would return now (0 = none), without claiming it. */
  bestPending(ctx: number): number {
    if (!Number.isInteger(ctx) || ctx < 0 || ctx >= this.contexts.length) throw new RangeError(`plic: no context ${ctx}`);
    return this.claimable(ctx);
  }

  // --- MMIO (sifive_plic_read / sifive_plic_write) ---

  read(offset: number, size: number): number {
    if (size !== 4) return 0; // invalid access size in QEMU (map() turns it into a fault)
    const L = PlicLayout;
    if (between(offset, L.PRIORITY_BASE, this.numSources << 2)) {
      return this.priority[((offset - L.PRIORITY_BASE) >>> 2) + 1]!;
    }
    if (between(offset, L.PENDING_BASE, this.numSources >>> 3)) {
      return this.pendingBits[(offset - L.PENDING_BASE) >>> 2] ?? 0;
    }
    if (between(offset, L.ENABLE_BASE, this.contexts.length * L.ENABLE_STRIDE)) {
      const ctx = Math.floor((offset - L.ENABLE_BASE) / L.ENABLE_STRIDE);
      const word = (offset & (L.ENABLE_STRIDE - 1)) >>> 2;
      return word < this.words ? this.enable[ctx * this.words + word]! : 0;
    }
    if (between(offset, L.CONTEXT_BASE, this.contexts.length * L.CONTEXT_STRIDE)) {
      const ctx = Math.floor((offset - L.CONTEXT_BASE) / L.CONTEXT_STRIDE);
      const reg = offset & (L.CONTEXT_STRIDE - 1);
      if (reg === PlicContextReg.THRESHOLD) return this.threshold[ctx]!;
      if (reg === PlicContextReg.CLAIM) return this.claim(ctx);
    }
    return 0; // QEMU: "Invalid register read", reads 0
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) return;
    const v = value >>> 0;
    const L = PlicLayout;
    if (between(offset, L.PRIORITY_BASE, this.numSources << 2)) {
      const irq = ((offset - L.PRIORITY_BASE) >>> 2) + 1;
      const p = this.legalPriority(v);
      if (p !== undefined) {
        this.priority[irq] = p;
        this.update();
      }
    } else if (between(offset, L.PENDING_BASE, this.numSources >>> 3)) {
      // read-only (QEMU logs "invalid pending write")
    } else if (between(offset, L.ENABLE_BASE, this.contexts.length * L.ENABLE_STRIDE)) {
      const ctx = Math.floor((offset - L.ENABLE_BASE) / L.ENABLE_STRIDE);
      const word = (offset & (L.ENABLE_STRIDE - 1)) >>> 2;
      // No update: an enable change only shows at the next event (as in QEMU 7.2).
      if (word < this.words) this.enable[ctx * this.words + word] = v;
    } else if (between(offset, L.CONTEXT_BASE, this.contexts.length * L.CONTEXT_STRIDE)) {
      const ctx = Math.floor((offset - L.CONTEXT_BASE) / L.CONTEXT_STRIDE);
      const reg = offset & (L.CONTEXT_STRIDE - 1);
      if (reg === PlicContextReg.THRESHOLD) {
        const p = this.legalPriority(v);
        if (p !== undefined) {
          this.threshold[ctx] = p;
          this.update();
        }
      } else if (reg === PlicContextReg.CLAIM) {
        if (v < this.numSources) {
          this.setBit(this.claimedBits, v, false);
          this.update();
        }
      }
    }
  }

  // --- core ---

  /** `sifive_plic_irq_request`: a high level latches the pending bit; a low level is ignored. */
  private irqRequest(n: number, level: boolean): void {
    if (level) {
      this.setBit(this.pendingBits, n, true);
      this.update();
    }
  }

  /** A claim read by context `ctx`. */
  private claim(ctx: number): number {
    const irq = this.claimable(ctx);
    if (irq !== 0) {
      this.setBit(this.pendingBits, irq, false);
      this.setBit(this.claimedBits, irq, true);
    }
    this.update();
    return irq;
  }

  /** `sifive_plic_claimed`: best pending, enabled, unclaimed source above the threshold (0 = none). */
  private claimable(ctx: number): number {
    let maxIrq = 0;
    let maxPrio = this.threshold[ctx]!;
    const base = ctx * this.words;
    for (let i = 0; i < this.words; i++) {
      const cand = this.pendingBits[i]! & ~this.claimedBits[i]! & this.enable[base + i]!;
      if (cand === 0) continue;
      for (let j = 0; j < 32; j++) {
        if (((cand >>> j) & 1) === 0) continue;
        const irq = (i << 5) + j;
        const prio = this.priority[irq] ?? 0;
        if (prio > maxPrio) {
          maxIrq = irq;
          maxPrio = prio;
        }
      }
    }
    return maxIrq;
  }

  /** `sifive_plic_update`: drive every context's line from its claimable state. */
  private update(): void {
    for (let c = 0; c < this.contexts.length; c++) {
      const mode = this.contexts[c]!.mode;
      if (mode === 'U') continue;
      this.outputs[c]!.set(this.claimable(c) !== 0);
    }
  }

  /** The value a priority or threshold write stores, or undefined if the write is ignored. */
  private legalPriority(v: number): number | undefined {
    if (this.warl) return v % (this.numPriorities + 1);
    return v <= this.numPriorities ? v : undefined;
  }

  private setBit(arr: Uint32Array, n: number, on: boolean): void {
    const w = n >>> 5;
    const m = 1 << (n & 31);
    arr[w] = on ? arr[w]! | m : arr[w]! & ~m;
  }
}

/** `addr_between` */
function between(addr: number, base: number, num: number): boolean {
  return addr >= base && addr - base < num;
}

/** Parse QEMU's hart-config string ("MS,MS", "M,MS", ...) into contexts. */
function parseHartConfig(config: string): PlicContext[] {
  const contexts: PlicContext[] = [];
  config.split(',').forEach((group, hart) => {
    const seen = new Set<string>();
    for (const c of group) {
      if (c !== 'M' && c !== 'S' && c !== 'U') throw new RangeError(`plic: invalid mode '${c}' in hart config "${config}"`);
      if (seen.has(c)) throw new RangeError(`plic: duplicate mode '${c}' in hart config "${config}"`);
      seen.add(c);
      contexts.push({ hart, mode: c });
    }
  });
  if (contexts.length === 0) throw new RangeError(`plic: empty hart config "${config}"`);
  return contexts;
}
