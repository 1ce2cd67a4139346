/**
 * The physical memory bus: RAM and ROM backed by typed arrays, MMIO regions backed by handlers.
 * Physical addresses are plain numbers (exact: every map we model is far below 2^53).
 * Values are returned in the bus's byte order, as the guest sees them.
 */

/** An MMIO device region. Offsets are relative to the region base; sizes are 1, 2 or 4. */
export interface MmioHandler {
  /** Read `size` bytes at `offset`; returns the unsigned value. */
  read(offset: number, size: number): number;
  /** Write the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: number, value: number): void;
  /**
   * True if an 8-byte access is one access of the device (QEMU: `impl.max_access_size = 8` on a
   * device with narrower registers, e.g. the 16550 UART): `read(offset, 8)` returns the value (the
   * high word reads 0) and `write(offset, 8, low word)`. Otherwise the bus splits it into two
   * 4-byte accesses, low address first.
   */
  readonly single8?: boolean;
}

export type Endian = 'little' | 'big';

export interface RamRegion {
  readonly kind: 'ram';
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly readOnly: boolean;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

export interface MmioRegion {
  readonly kind: 'mmio';
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly handler: MmioHandler;
}

export type Region = RamRegion | MmioRegion;

/** Access error codes left in `Bus.error` by a failed access (0 = none). */
export const BusError = { None: 0, Unmapped: 1, ReadOnly: 2 } as const;

export class Bus {
  readonly regions: Region[] = [];
  /** Set by a failed access; callers reset it to 0 before accessing and check it after. */
  error = 0;
  /** High 32 bits of the last 8-byte read. */
  hi32 = 0;
  private readonly le: boolean;
  /** Called after every write that lands in RAM (code-invalidation hook, set by the engine). */
  onRamWrite: ((region: RamRegion, offset: number, size: number) => void) | null = null;

  constructor(readonly endian: Endian = 'little') {
    this.le = endian === 'little';
  }

  private add(r: Region): void {
    for (const o of this.regions) {
      if (r.base < o.base + o.size && o.base < r.base + r.size) {
        throw new Error(`bus: region ${r.name} overlaps ${o.name}`);
      }
    }
    this.regions.push(r);
    this.regions.sort((a, b) => a.base - b.base);
  }

  /** Add RAM (or ROM with `readOnly`) of `size` bytes at `base`. */
  addRam(name: string, base: number, size: number, readOnly = false): RamRegion {
    const bytes = new Uint8Array(size);
    const r: RamRegion = { kind: 'ram', name, base, size, readOnly, bytes, view: new DataView(bytes.buffer) };
    this.add(r);
    return r;
  }

  addMmio(name: string, base: number, size: number, handler: MmioHandler): MmioRegion {
    const r: MmioRegion = { kind: 'mmio', name, base, size, handler };
    this.add(r);
    return r;
  }

  /** The region containing `addr` (and `addr + size - 1`), or undefined. */
  find(addr: number, size = 1): Region | undefined {
    const last = this.lastHit;
    if (last !== undefined && addr >= last.base && addr + size <= last.base + last.size) return last;
    const r = this.scan(addr, size);
    if (r !== undefined) this.lastHit = r;
    return r;
  }

  /** Most recently found region: slow-path accesses tend to repeat (a device polled in a loop). */
  private lastHit: Region | undefined;

  private scan(addr: number, size: number): Region | undefined {
    const rs = this.regions;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (addr >= r.base && addr + size <= r.base + r.size) return r;
    }
    return undefined;
  }

  /** Read 1, 2, 4 or 8 bytes. For 8, returns the low word and leaves the high word in `hi32`. */
  read(addr: number, size: number): number {
    const r = this.find(addr, size);
    if (r === undefined) { this.error = BusError.Unmapped; return 0; }
    const off = addr - r.base;
    if (r.kind === 'ram') {
      const v = r.view;
      switch (size) {
        case 1: return v.getUint8(off);
        case 2: return v.getUint16(off, this.le);
        case 4: return v.getUint32(off, this.le);
        default: {
          const a = v.getUint32(off, this.le), b = v.getUint32(off + 4, this.le);
          if (this.le) { this.hi32 = b; return a; }
          this.hi32 = a; return b;
        }
      }
    }
    if (size === 8) {
      if (r.handler.single8 === true) {
        this.hi32 = 0; // the value is numeric, whatever the byte order
        return r.handler.read(off, 8) >>> 0;
      }
      const a = r.handler.read(off, 4) >>> 0, b = r.handler.read(off + 4, 4) >>> 0;
      if (this.le) { this.hi32 = b; return a; }
      this.hi32 = a; return b;
    }
    return r.handler.read(off, size) >>> 0;
  }

  /** Write 1, 2, 4 or 8 bytes (for 8, `hi` is the high word). */
  write(addr: number, size: number, value: number, hi = 0): void {
    const r = this.find(addr, size);
    if (r === undefined) { this.error = BusError.Unmapped; return; }
    const off = addr - r.base;
    if (r.kind === 'ram') {
      if (r.readOnly) return; // ROM: writes are ignored, as on QEMU's boards
      const v = r.view;
      switch (size) {
        case 1: v.setUint8(off, value); break;
        case 2: v.setUint16(off, value, this.le); break;
        case 4: v.setUint32(off, value >>> 0, this.le); break;
        default:
          v.setUint32(off, (this.le ? value : hi) >>> 0, this.le);
          v.setUint32(off + 4, (this.le ? hi : value) >>> 0, this.le);
      }
      if (this.onRamWrite !== null) this.onRamWrite(r, off, size);
      return;
    }
    if (size === 8) {
      if (r.handler.single8 === true) { r.handler.write(off, 8, value); return; }
      r.handler.write(off, 4, this.le ? value : hi);
      r.handler.write(off + 4, 4, this.le ? hi : value);
      return;
    }
    r.handler.write(off, size, value);
  }

  /** Copy bytes into memory (loader use: ROM is writable here). Throws if not all in RAM/ROM. */
  load(addr: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const r = this.find(addr, data.length);
    if (r === undefined || r.kind !== 'ram') {
      throw new RangeError(`0x${addr.toString(16)}..0x${(addr + data.length - 1).toString(16)} is not in RAM or ROM`);
    }
    r.bytes.set(data, addr - r.base);
    if (this.onRamWrite !== null) this.onRamWrite(r, addr - r.base, data.length);
  }

  /** Read bytes for debuggers, plugins and loaders; returns undefined if any byte is unmapped MMIO-free RAM. */
  peek(addr: number, len: number): Uint8Array | undefined {
    const r = this.find(addr, len);
    if (r === undefined || r.kind !== 'ram') return undefined;
    return r.bytes.slice(addr - r.base, addr - r.base + len);
  }
}
