/**
 * The device tree QEMU 7.2's RISC-V `virt` machine (hw/riscv/virt.c, hw/riscv/boot.c) hands to
 * firmware, reproduced byte for byte except for the random /chosen/rng-seed.
 *
 * QEMU builds its tree with libfdt's read-write API, which inserts every new property before the
 * node's existing ones and every new subnode before the existing children, and appends each new
 * property name to the strings block (reusing any earlier NUL-terminated match, suffixes
 * included). `QemuFdt` replays those edits on a byte buffer, and `buildVirtFdt` replays virt.c's
 * calls in virt.c's order, so node and property order, phandles, string offsets and even the
 * stale padding bytes come out as QEMU's. Checked against `qemu-system-riscv64/32
 * -M virt,dumpdtb=` (see fixtures/README.md).
 *
 * Only the default machine options are modelled: one socket (no NUMA), `aia=none`,
 * `aclint=off`, TCG (not KVM), no `dtb=`/`dt-compatible=` overrides, no extra -device nodes.
 */
import { parseDtb, type ParsedFdtNode } from '../core/fdt-parse.js';

/** `riscv,isa` of QEMU 7.2's `-cpu rv64,h=false` (the default `-cpu rv64` adds `h` after `c`). */
export const QEMU72_ISA_RV64 = 'rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc';
/** `riscv,isa` of QEMU 7.2's `-cpu rv32,h=false`. */
export const QEMU72_ISA_RV32 = 'rv32imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc';

/** libfdt buffer QEMU allocates (FDT_MAX_SIZE); boot.c places and copies this many bytes. */
export const QEMU_FDT_MAX_SIZE = 0x100000;

export const VIRT_DTB_MAP = {
  test: { base: 0x100000, size: 0x1000 },
  rtc: { base: 0x101000, size: 0x1000 },
  clint: { base: 0x2000000, size: 0x10000 },
  pciePio: { base: 0x3000000, size: 0x10000 },
  platformBus: { base: 0x4000000, size: 0x2000000 },
  plic: { base: 0xc000000, size: 0x600000 },
  uart0: { base: 0x10000000, size: 0x100 },
  virtio: { base: 0x10001000, size: 0x1000, count: 8 },
  fwCfg: { base: 0x10100000, size: 0x18 },
  flash: { base: 0x20000000, size: 0x4000000 },
  pcieEcam: { base: 0x30000000, size: 0x10000000 },
  pcieMmio: { base: 0x40000000, size: 0x40000000 },
  dram: { base: 0x80000000 },
} as const;

const UART0_IRQ = 10;
const RTC_IRQ = 11;
const VIRTIO_IRQ = 1;
const PCIE_IRQ = 0x20;
const GPEX_NUM_IRQS = 4;
/** `riscv,ndev` as QEMU 7.2 prints it. */
const PLIC_NDEV = 0x60;
const IRQ_M_SOFT = 3, IRQ_M_TIMER = 7, IRQ_S_EXT = 9, IRQ_M_EXT = 11;
const FINISHER_PASS = 0x5555, FINISHER_RESET = 0x7777;
const TIMEBASE_FREQ = 10000000;
const UART_CLOCK = 3686400;
const VIRT_CPUS_MAX = 512;
const GiB = 1n << 30n;

export interface VirtDtbConfig {
  xlen: 32 | 64;
  /** -smp N: harts 0..N-1 in one socket. */
  harts: number;
  /** -m: RAM size in bytes, from 0x80000000. */
  memBytes: number | bigint;
  /** `riscv,isa` of every hart; default QEMU72_ISA_RV64/RV32 (QEMU 7.2 with `h=false`). */
  isa?: string;
  /** `mmu-type`; QEMU 7.2 prints 'riscv,sv48' (rv64), 'riscv,sv32' (rv32) or 'riscv,none' (mmu=off). */
  mmuType?: string;
  /** -append; QEMU 7.2 emits /chosen/bootargs only when this is non-empty. */
  bootargs?: string;
  /** Where the initrd was loaded; QEMU 7.2 stores both as single 32-bit cells (truncating). */
  initrd?: { start: number | bigint; end: number | bigint };
  /** /chosen/rng-seed; QEMU puts 32 random bytes here. Default: 32 zero bytes (deterministic). */
  rngSeed?: Uint8Array;
  /** -cpu ...,pmu-num= (default 16): the counter mask in /pmu. */
  pmuNum?: number;
}

// ---- libfdt's read-write API, byte for byte ----

const enc = new TextEncoder();

function u32be(cells: readonly (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => dv.setUint32(i * 4, Number(BigInt(c) & 0xffffffffn)));
  return out;
}

/** qemu_fdt_setprop_sized_cells: [cells, value] pairs, each value big-endian in 1 or 2 cells. */
function sizedCells(pairs: readonly [1 | 2, number | bigint][]): Uint8Array {
  const cells: bigint[] = [];
  for (const [n, v] of pairs) {
    const b = BigInt(v);
    if (n === 2) cells.push(b >> 32n, b);
    else cells.push(b);
  }
  return u32be(cells);
}

function strs(...s: string[]): Uint8Array {
  return enc.encode(s.map((x) => x + '\0').join(''));
}

const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9;
const tagAlign = (x: number): number => (x + 3) & ~3;
// Header field offsets.
const H_TOTALSIZE = 4, H_OFF_STRUCT = 8, H_OFF_STRINGS = 12, H_OFF_RSVMAP = 16, H_SIZE_STRINGS = 32, H_SIZE_STRUCT = 36;

/**
 * A device tree in a fixed buffer, edited exactly as libfdt's read-write functions edit it (the
 * calls QEMU's qemu_fdt_* wrappers make): a new property is spliced in before the node's existing
 * ones, a new subnode before the existing children, a new property name is appended to the strings
 * block unless an earlier NUL-terminated match (suffixes included) exists. Splices memmove the rest
 * of the tree and leave the stale bytes libfdt leaves (property padding is never cleared), so
 * `dtb()` equals QEMU's dump byte for byte, padding included.
 */
export class QemuFdt {
  readonly buf: Uint8Array;
  private readonly dv: DataView;
  private packed = false;

  /** create_device_tree(): fdt_create, an empty root node, fdt_finish, fdt_open_into. */
  constructor(size = QEMU_FDT_MAX_SIZE) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
    // fdt_create puts the reservation map at ALIGN(40, 16) = 48; one terminating entry.
    const rsv = 48, struct = rsv + 16;
    this.dv.setUint32(struct, FDT_BEGIN_NODE); // "" padded to 4
    this.dv.setUint32(struct + 8, FDT_END_NODE);
    this.dv.setUint32(struct + 12, FDT_END);
    const h = [0xd00dfeed, size, struct, struct + 16, rsv, 17, 16, 0, 0, 16];
    h.forEach((v, i) => this.dv.setUint32(i * 4, v));
  }

  private h(off: number): number { return this.dv.getUint32(off); }
  private seth(off: number, v: number): void { this.dv.setUint32(off, v); }
  private get offStruct(): number { return this.h(H_OFF_STRUCT); }
  private get dataSize(): number { return this.h(H_OFF_STRINGS) + this.h(H_SIZE_STRINGS); }

  /** fdt_next_tag: [tag, offset of the next tag], offsets relative to the structure block. */
  private nextTag(off: number): [number, number] {
    const abs = this.offStruct + off;
    const tag = this.dv.getUint32(abs);
    let next = off + 4;
    if (tag === FDT_BEGIN_NODE) {
      let e = abs + 4;
      while (this.buf[e] !== 0) e++;
      next = e + 1 - this.offStruct;
    } else if (tag === FDT_PROP) {
      next = off + 12 + this.dv.getUint32(abs + 4);
    } else if (tag !== FDT_END_NODE && tag !== FDT_NOP && tag !== FDT_END) {
      throw new Error(`bad FDT tag ${tag} at ${off}`);
    }
    return [tag, tagAlign(next)];
  }

  private nodeName(off: number): string {
    const abs = this.offStruct + off + 4;
    let e = abs;
    while (this.buf[e] !== 0) e++;
    return new TextDecoder().decode(this.buf.subarray(abs, e));
  }

  private stringAt(nameoff: number): string {
    const abs = this.h(H_OFF_STRINGS) + nameoff;
    let e = abs;
    while (this.buf[e] !== 0) e++;
    return new TextDecoder().decode(this.buf.subarray(abs, e));
  }

  /** fdt_subnode_offset. */
  private subnode(parent: number, name: string): number | undefined {
    let [, off] = this.nextTag(parent);
    let depth = 1;
    for (;;) {
      const [tag, next] = this.nextTag(off);
      if (tag === FDT_BEGIN_NODE) {
        if (depth === 1 && this.nodeName(off) === name) return off;
        depth++;
      } else if (tag === FDT_END_NODE) {
        if (--depth === 0) return undefined;
      } else if (tag === FDT_END) {
        return undefined;
      }
      off = next;
    }
  }

  /** fdt_path_offset, failing like QEMU's findnode_nofail. */
  private path(path: string): number {
    if (!path.startsWith('/')) throw new Error(`FDT path '${path}' is not absolute`);
    let off = 0;
    for (const part of path.split('/').filter((p) => p !== '')) {
      const s = this.subnode(off, part);
      if (s === undefined) throw new Error(`FDT node '${path}' does not exist`);
      off = s;
    }
    return off;
  }

  /** Offset of the tag after a node's BEGIN_NODE and name (fdt_check_node_offset_). */
  private afterName(node: number): number { return this.nextTag(node)[1]; }

  /** fdt_get_property: offset of the FDT_PROP tag, if the node has `name`. */
  private findProp(node: number, name: string): number | undefined {
    let off = this.afterName(node);
    for (;;) {
      const [tag, next] = this.nextTag(off);
      if (tag === FDT_PROP) {
        if (this.stringAt(this.dv.getUint32(this.offStruct + off + 8)) === name) return off;
      } else if (tag !== FDT_NOP) {
        return undefined;
      }
      off = next;
    }
  }

  /** fdt_splice_: open (or close) a gap at absolute `p`, moving everything up to the data end. */
  private splice(p: number, oldlen: number, newlen: number): void {
    const end = this.dataSize;
    if (p + oldlen > end || end - oldlen + newlen > this.h(H_TOTALSIZE)) throw new Error('FDT buffer full');
    this.buf.copyWithin(p + newlen, p + oldlen, end);
  }

  private spliceStruct(p: number, oldlen: number, newlen: number): void {
    this.splice(p, oldlen, newlen);
    const d = newlen - oldlen;
    this.seth(H_SIZE_STRUCT, this.h(H_SIZE_STRUCT) + d);
    this.seth(H_OFF_STRINGS, this.h(H_OFF_STRINGS) + d);
  }

  /** fdt_find_add_string_. */
  private findAddString(s: string): number {
    const tab = this.h(H_OFF_STRINGS), size = this.h(H_SIZE_STRINGS);
    const needle = [...enc.encode(s), 0];
    for (let p = 0; p + needle.length <= size; p++) {
      let i = 0;
      while (i < needle.length && this.buf[tab + p + i] === needle[i]) i++;
      if (i === needle.length) return p;
    }
    this.splice(tab + size, 0, needle.length);
    this.seth(H_SIZE_STRINGS, size + needle.length);
    this.buf.set(needle, tab + size);
    return size;
  }

  private writable(): void {
    if (this.packed) throw new Error('FDT already packed');
  }

  /** qemu_fdt_add_subnode / fdt_add_subnode: the new node goes after the parent's properties. */
  addSubnode(path: string): void {
    this.writable();
    const cut = path.lastIndexOf('/');
    const parent = this.path(cut <= 0 ? '/' : path.slice(0, cut));
    const name = path.slice(cut + 1);
    if (name === '' || this.subnode(parent, name) !== undefined) throw new Error(`cannot add FDT node '${path}'`);
    let off = this.afterName(parent);
    for (;;) {
      const [tag, next] = this.nextTag(off);
      if (tag !== FDT_PROP && tag !== FDT_NOP) break;
      off = next;
    }
    const nameBytes = enc.encode(name);
    const nameLen = tagAlign(nameBytes.length + 1);
    const nodelen = 4 + nameLen + 4;
    const abs = this.offStruct + off;
    this.spliceStruct(abs, 0, nodelen);
    this.dv.setUint32(abs, FDT_BEGIN_NODE);
    this.buf.fill(0, abs + 4, abs + 4 + nameLen);
    this.buf.set(nameBytes, abs + 4);
    this.dv.setUint32(abs + nodelen - 4, FDT_END_NODE);
  }

  /** qemu_fdt_setprop / fdt_setprop: resize in place, or splice in as the first property. */
  setprop(path: string, name: string, value: Uint8Array): void {
    this.writable();
    const node = this.path(path);
    const len = value.length;
    let prop = this.findProp(node, name);
    if (prop !== undefined) {
      const abs = this.offStruct + prop;
      const oldlen = this.dv.getUint32(abs + 4);
      this.spliceStruct(abs + 12, tagAlign(oldlen), tagAlign(len));
      this.dv.setUint32(abs + 4, len);
    } else {
      prop = this.afterName(node);
      const nameoff = this.findAddString(name);
      const abs = this.offStruct + prop;
      this.spliceStruct(abs, 0, 12 + tagAlign(len));
      this.dv.setUint32(abs, FDT_PROP);
      this.dv.setUint32(abs + 4, len);
      this.dv.setUint32(abs + 8, nameoff);
    }
    this.buf.set(value, this.offStruct + prop + 12);
  }

  setpropCells(path: string, name: string, ...cells: (number | bigint)[]): void { this.setprop(path, name, u32be(cells)); }
  setpropString(path: string, name: string, ...values: string[]): void { this.setprop(path, name, strs(...values)); }
  setpropEmpty(path: string, name: string): void { this.setprop(path, name, new Uint8Array(0)); }

  /** qemu_fdt_get_phandle. */
  getPhandle(path: string): number {
    const prop = this.findProp(this.path(path), 'phandle');
    if (prop === undefined) throw new Error(`FDT node '${path}' has no phandle`);
    return this.dv.getUint32(this.offStruct + prop + 12);
  }

  /**
   * fdt_pack (riscv_load_fdt): move the blocks down to a 40-byte header and set totalsize to the
   * end of the strings block. The buffer keeps its size; bytes past totalsize keep whatever the
   * move left there.
   */
  pack(): this {
    if (this.packed) return this;
    const rsvSize = 16, structSize = this.h(H_SIZE_STRUCT), stringsSize = this.h(H_SIZE_STRINGS);
    const rsvOff = 40, structOff = rsvOff + rsvSize, stringsOff = structOff + structSize;
    this.buf.copyWithin(rsvOff, this.h(H_OFF_RSVMAP), this.h(H_OFF_RSVMAP) + rsvSize);
    this.seth(H_OFF_RSVMAP, rsvOff);
    this.buf.copyWithin(structOff, this.h(H_OFF_STRUCT), this.h(H_OFF_STRUCT) + structSize);
    this.seth(H_OFF_STRUCT, structOff);
    const oldStrings = this.h(H_OFF_STRINGS);
    this.buf.copyWithin(stringsOff, oldStrings, oldStrings + stringsSize);
    this.seth(H_OFF_STRINGS, stringsOff);
    this.seth(H_TOTALSIZE, stringsOff + stringsSize);
    this.packed = true;
    return this;
  }

  /** The packed tree, `totalsize` bytes: what `-M virt,dumpdtb=` shows up to its header's size. */
  dtb(): Uint8Array {
    this.pack();
    return this.buf.slice(0, this.h(H_TOTALSIZE));
  }

  /** The whole packed buffer: what boot.c copies to the load address (rom_add_blob_fixed_as). */
  image(): Uint8Array {
    this.pack();
    return this.buf.slice();
  }
}

// ---- hw/riscv/virt.c (QEMU 7.2), call for call ----

/** Round `x` up to a multiple of `a` (a power of two). */
const roundUp = (x: bigint, a: bigint): bigint => (x + a - 1n) & ~(a - 1n);

/** RV64: ROUND_UP(dram end, 16 GiB) / 16 GiB; RV32: 0x3_0000_0000 / 4 GiB (QEMU 7.2). */
export function virtHighPcieMmio(xlen: 32 | 64, memBytes: number | bigint): { base: bigint; size: bigint } {
  if (xlen === 32) return { base: 0x300000000n, size: 4n * GiB };
  const size = 16n * GiB;
  return { base: roundUp(BigInt(VIRT_DTB_MAP.dram.base) + BigInt(memBytes), size), size };
}

/** riscv_pmu_generate_fdt_node: 20 cells, the last 5 left zero as in QEMU 7.2. */
function pmuEventMap(pmuNum: number): Uint8Array {
  // MAKE_32BIT_MASK(3, n) = (~0u >> (32 - n)) << 3; JS shifts count mod 32 like x86, so n = 0
  // gives 0xfffffff8 exactly as QEMU's binary does.
  const cmask = ((0xffffffff >>> (32 - pmuNum)) << 3) >>> 0;
  const m = [
    1, 1, cmask | (1 << 0),
    2, 2, cmask | (1 << 2),
    0x10019, 0x10019, cmask,
    0x1001b, 0x1001b, cmask,
    0x10021, 0x10021, cmask,
    0, 0, 0, 0, 0,
  ];
  return u32be(m.map((x) => x >>> 0));
}

function checkConfig(cfg: VirtDtbConfig): void {
  if (cfg.xlen !== 32 && cfg.xlen !== 64) throw new RangeError(`xlen must be 32 or 64, not ${String(cfg.xlen)}`);
  if (!Number.isInteger(cfg.harts) || cfg.harts < 1 || cfg.harts > VIRT_CPUS_MAX) {
    throw new RangeError(`harts must be an integer in 1..${VIRT_CPUS_MAX}, not ${cfg.harts}`);
  }
  const mem = BigInt(cfg.memBytes);
  if (mem <= 0n || mem >= 1n << 64n) throw new RangeError(`memBytes out of range: ${mem}`);
  if (cfg.pmuNum !== undefined && (!Number.isInteger(cfg.pmuNum) || cfg.pmuNum < 0 || cfg.pmuNum > 29)) {
    throw new RangeError(`pmuNum must be an integer in 0..29, not ${cfg.pmuNum}`);
  }
}

/** The libfdt model after virt.c's create_fdt() and virt_machine_done() have run. */
export function buildVirtFdt(cfg: VirtDtbConfig): QemuFdt {
  checkConfig(cfg);
  const M = VIRT_DTB_MAP;
  const n = cfg.harts;
  const mem = BigInt(cfg.memBytes);
  const isa = cfg.isa ?? (cfg.xlen === 64 ? QEMU72_ISA_RV64 : QEMU72_ISA_RV32);
  const mmuType = cfg.mmuType ?? (cfg.xlen === 64 ? 'riscv,sv48' : 'riscv,sv32');
  const hx = (x: number | bigint): string => x.toString(16);
  const f = new QemuFdt();
  let phandle = 1;

  // create_fdt
  f.setpropString('/', 'model', 'riscv-virtio,qemu');
  f.setpropString('/', 'compatible', 'riscv-virtio');
  f.setpropCells('/', '#size-cells', 2);
  f.setpropCells('/', '#address-cells', 2);

  f.addSubnode('/soc');
  f.setpropEmpty('/soc', 'ranges');
  f.setpropString('/soc', 'compatible', 'simple-bus');
  f.setpropCells('/soc', '#size-cells', 2);
  f.setpropCells('/soc', '#address-cells', 2);

  // create_fdt_sockets (one socket)
  f.addSubnode('/cpus');
  f.setpropCells('/cpus', 'timebase-frequency', TIMEBASE_FREQ);
  f.setpropCells('/cpus', '#size-cells', 0);
  f.setpropCells('/cpus', '#address-cells', 1);
  f.addSubnode('/cpus/cpu-map');
  const clust = '/cpus/cpu-map/cluster0';
  f.addSubnode(clust);

  // create_fdt_socket_cpus: highest hart first, so hart N-1 gets phandle 1.
  const intc: number[] = new Array<number>(n).fill(0);
  for (let cpu = n - 1; cpu >= 0; cpu--) {
    const cpuPhandle = phandle++;
    const cpuName = `/cpus/cpu@${cpu}`;
    f.addSubnode(cpuName);
    f.setpropString(cpuName, 'mmu-type', mmuType);
    f.setpropString(cpuName, 'riscv,isa', isa);
    f.setpropString(cpuName, 'compatible', 'riscv');
    f.setpropString(cpuName, 'status', 'okay');
    f.setpropCells(cpuName, 'reg', cpu);
    f.setpropString(cpuName, 'device_type', 'cpu');
    f.setpropCells(cpuName, 'phandle', cpuPhandle);

    intc[cpu] = phandle++;
    const intcName = `${cpuName}/interrupt-controller`;
    f.addSubnode(intcName);
    f.setpropCells(intcName, 'phandle', intc[cpu]!);
    f.setpropString(intcName, 'compatible', 'riscv,cpu-intc');
    f.setpropEmpty(intcName, 'interrupt-controller');
    f.setpropCells(intcName, '#interrupt-cells', 1);

    const coreName = `${clust}/core${cpu}`;
    f.addSubnode(coreName);
    f.setpropCells(coreName, 'cpu', cpuPhandle);
  }

  // create_fdt_socket_memory
  const dram = BigInt(M.dram.base);
  const memName = `/memory@${hx(dram)}`;
  f.addSubnode(memName);
  f.setpropCells(memName, 'reg', dram >> 32n, dram, mem >> 32n, mem);
  f.setpropString(memName, 'device_type', 'memory');

  // create_fdt_socket_clint
  const clintName = `/soc/clint@${hx(M.clint.base)}`;
  f.addSubnode(clintName);
  f.setpropString(clintName, 'compatible', 'sifive,clint0', 'riscv,clint0');
  f.setpropCells(clintName, 'reg', 0, M.clint.base, 0, M.clint.size);
  f.setpropCells(clintName, 'interrupts-extended', ...intc.flatMap((p) => [p, IRQ_M_SOFT, p, IRQ_M_TIMER]));

  // create_fdt_socket_plic
  const plicPhandle = phandle++;
  const plicName = `/soc/plic@${hx(M.plic.base)}`;
  f.addSubnode(plicName);
  f.setpropCells(plicName, '#interrupt-cells', 1);
  f.setpropCells(plicName, '#address-cells', 0);
  f.setpropString(plicName, 'compatible', 'sifive,plic-1.0.0', 'riscv,plic0');
  f.setpropEmpty(plicName, 'interrupt-controller');
  f.setpropCells(plicName, 'interrupts-extended', ...intc.flatMap((p) => [p, IRQ_M_EXT, p, IRQ_S_EXT]));
  f.setpropCells(plicName, 'reg', 0, M.plic.base, 0, M.plic.size);
  f.setpropCells(plicName, 'riscv,ndev', PLIC_NDEV);
  f.setpropCells(plicName, 'phandle', plicPhandle);

  // platform_bus_add_all_fdt_nodes (hw/core/sysbus-fdt.c), no dynamic sysbus devices
  const pbName = `/platform-bus@${hx(M.platformBus.base)}`;
  f.addSubnode(pbName);
  f.setpropString(pbName, 'compatible', 'qemu,platform', 'simple-bus');
  f.setpropCells(pbName, '#size-cells', 1);
  f.setpropCells(pbName, '#address-cells', 1);
  f.setpropCells(pbName, 'ranges', 0, BigInt(M.platformBus.base) >> 32n, M.platformBus.base, M.platformBus.size);
  f.setpropCells(pbName, 'interrupt-parent', f.getPhandle(plicName));

  // create_fdt_virtio
  for (let i = 0; i < M.virtio.count; i++) {
    const base = M.virtio.base + i * M.virtio.size;
    const name = `/soc/virtio_mmio@${hx(base)}`;
    f.addSubnode(name);
    f.setpropString(name, 'compatible', 'virtio,mmio');
    f.setpropCells(name, 'reg', 0, base, 0, M.virtio.size);
    f.setpropCells(name, 'interrupt-parent', plicPhandle);
    f.setpropCells(name, 'interrupts', VIRTIO_IRQ + i);
  }

  // create_fdt_pcie
  const high = virtHighPcieMmio(cfg.xlen, mem);
  const pciName = `/soc/pci@${hx(M.pcieEcam.base)}`;
  f.addSubnode(pciName);
  f.setpropCells(pciName, '#address-cells', 3);
  f.setpropCells(pciName, '#interrupt-cells', 1);
  f.setpropCells(pciName, '#size-cells', 2);
  f.setpropString(pciName, 'compatible', 'pci-host-ecam-generic');
  f.setpropString(pciName, 'device_type', 'pci');
  f.setpropCells(pciName, 'linux,pci-domain', 0);
  f.setpropCells(pciName, 'bus-range', 0, M.pcieEcam.size / 0x100000 - 1);
  f.setpropEmpty(pciName, 'dma-coherent');
  f.setpropCells(pciName, 'reg', 0, M.pcieEcam.base, 0, M.pcieEcam.size);
  f.setprop(pciName, 'ranges', sizedCells([
    [1, 0x01000000], [2, 0], [2, M.pciePio.base], [2, M.pciePio.size],
    [1, 0x02000000], [2, M.pcieMmio.base], [2, M.pcieMmio.base], [2, M.pcieMmio.size],
    [1, 0x03000000], [2, high.base], [2, high.base], [2, high.size],
  ]));
  // create_pcie_irq_map: the standard swizzle, one entry per (slot 0..3, pin INTA..INTD).
  const irqMap: number[] = [];
  for (let dev = 0; dev < GPEX_NUM_IRQS; dev++) {
    for (let pin = 0; pin < GPEX_NUM_IRQS; pin++) {
      irqMap.push((dev * 8) << 8, 0, 0, pin + 1, plicPhandle, PCIE_IRQ + ((pin + dev) % GPEX_NUM_IRQS));
    }
  }
  f.setpropCells(pciName, 'interrupt-map', ...irqMap);
  f.setpropCells(pciName, 'interrupt-map-mask', 0x1800, 0, 0, 0x7);

  // create_fdt_reset
  const testPhandle = phandle++;
  const testName = `/soc/test@${hx(M.test.base)}`;
  f.addSubnode(testName);
  f.setpropString(testName, 'compatible', 'sifive,test1', 'sifive,test0', 'syscon');
  f.setpropCells(testName, 'reg', 0, M.test.base, 0, M.test.size);
  f.setpropCells(testName, 'phandle', testPhandle);
  for (const [name, compat, value] of [['/reboot', 'syscon-reboot', FINISHER_RESET], ['/poweroff', 'syscon-poweroff', FINISHER_PASS]] as const) {
    f.addSubnode(name);
    f.setpropString(name, 'compatible', compat);
    f.setpropCells(name, 'regmap', f.getPhandle(testName));
    f.setpropCells(name, 'offset', 0);
    f.setpropCells(name, 'value', value);
  }

  // create_fdt_uart
  const uartName = `/soc/serial@${hx(M.uart0.base)}`;
  f.addSubnode(uartName);
  f.setpropString(uartName, 'compatible', 'ns16550a');
  f.setpropCells(uartName, 'reg', 0, M.uart0.base, 0, M.uart0.size);
  f.setpropCells(uartName, 'clock-frequency', UART_CLOCK);
  f.setpropCells(uartName, 'interrupt-parent', plicPhandle);
  f.setpropCells(uartName, 'interrupts', UART0_IRQ);
  f.addSubnode('/chosen');
  f.setpropString('/chosen', 'stdout-path', uartName);

  // create_fdt_rtc
  const rtcName = `/soc/rtc@${hx(M.rtc.base)}`;
  f.addSubnode(rtcName);
  f.setpropString(rtcName, 'compatible', 'google,goldfish-rtc');
  f.setpropCells(rtcName, 'reg', 0, M.rtc.base, 0, M.rtc.size);
  f.setpropCells(rtcName, 'interrupt-parent', plicPhandle);
  f.setpropCells(rtcName, 'interrupts', RTC_IRQ);

  // create_fdt_flash: two banks of half the window each
  const flashName = `/flash@${hx(M.flash.base)}`;
  const half = M.flash.size / 2;
  f.addSubnode(flashName);
  f.setpropString(flashName, 'compatible', 'cfi-flash');
  f.setprop(flashName, 'reg', sizedCells([[2, M.flash.base], [2, half], [2, M.flash.base + half], [2, half]]));
  f.setpropCells(flashName, 'bank-width', 4);

  // create_fdt_fw_cfg
  const fwName = `/fw-cfg@${hx(M.fwCfg.base)}`;
  f.addSubnode(fwName);
  f.setpropString(fwName, 'compatible', 'qemu,fw-cfg-mmio');
  f.setprop(fwName, 'reg', sizedCells([[2, M.fwCfg.base], [2, M.fwCfg.size]]));
  f.setpropEmpty(fwName, 'dma-coherent');

  // create_fdt_pmu (7.2: at the root)
  f.addSubnode('/pmu');
  f.setpropString('/pmu', 'compatible', 'riscv,pmu');
  f.setprop('/pmu', 'riscv,event-to-mhpmcounters', pmuEventMap(cfg.pmuNum ?? 16));

  // end of create_fdt: kernel command line, then the RNG seed
  if (cfg.bootargs) f.setpropString('/chosen', 'bootargs', cfg.bootargs);
  f.setprop('/chosen', 'rng-seed', cfg.rngSeed ? cfg.rngSeed.slice() : new Uint8Array(32));

  // virt_machine_done: initrd bounds as 32-bit cells
  if (cfg.initrd) {
    f.setpropCells('/chosen', 'linux,initrd-start', BigInt(cfg.initrd.start));
    f.setpropCells('/chosen', 'linux,initrd-end', BigInt(cfg.initrd.end));
  }
  return f;
}

/** QEMU 7.2's `virt` device tree for `cfg`, as `-M virt,dumpdtb=` writes it up to its totalsize. */
export function buildVirtDtb(cfg: VirtDtbConfig): Uint8Array {
  return buildVirtFdt(cfg).dtb();
}

/**
 * All QEMU_FDT_MAX_SIZE bytes that QEMU 7.2 copies to `qemuFdtLoadAddr(...)`: the packed tree,
 * then the last 8 bytes of the unpacked strings block that `fdt_pack` left behind when it moved
 * the blocks down 8 bytes, then zeros.
 */
export function buildVirtFdtImage(cfg: VirtDtbConfig): Uint8Array {
  return buildVirtFdt(cfg).image();
}

/** The same tree as nodes (fdt.ts's shape, every value raw bytes). */
export function virtFdtTree(cfg: VirtDtbConfig): ParsedFdtNode {
  return parseDtb(buildVirtDtb(cfg));
}

/**
 * Where hw/riscv/boot.c (riscv_load_fdt) puts the DTB: 2 MiB-aligned below the end of RAM or
 * 3 GiB, whichever is lower, leaving room for the whole `fdtSize` libfdt buffer (1 MiB), not
 * just the packed tree. (Using the packed size instead gives a different address whenever the end
 * of RAM lies less than 1 MiB past a 2 MiB boundary, e.g. -m 131584K.)
 */
export function qemuFdtLoadAddr(memBytes: number | bigint, dramBase: number | bigint = VIRT_DTB_MAP.dram.base, fdtSize = QEMU_FDT_MAX_SIZE): bigint {
  const base = BigInt(dramBase), end = base + BigInt(memBytes);
  const lim = 3n * GiB;
  const temp = base < lim ? (end < lim ? end : lim) : end;
  return (temp - BigInt(fdtSize)) & ~(2n * 1024n * 1024n - 1n);
}
