/**
 * A virtio-mmio transport with no backend plugged in, as QEMU 7.2 presents it
 * (hw/virtio/virtio-mmio.c, `virtio_mmio_read` / `virtio_mmio_write` with no `vdev`). The RISC-V
 * `virt` board creates eight of them at 0x10001000 + 0x1000 * i, wired to PLIC sources 1 + i.
 *
 * With no backend QEMU answers only three registers and ignores every write:
 * - MAGIC_VALUE (0x000) = 0x74726976 ("virt"),
 * - VERSION (0x004) = 1: `force-legacy` defaults to true in QEMU 7.2, so the transport is the
 *   legacy one (2 with `legacy: false`),
 * - VENDOR_ID (0x00c) = 0x554d4551 ("QEMU");
 * everything else — DEVICE_ID (0 = no device) included — reads 0, and the interrupt line is
 * never driven.
 *
 * The registers sit in a 0x200-byte region (QEMU's `iomem`); the rest of the 0x1000 the memory
 * map reserves is unassigned, so {@link VirtioMmio.map} maps only 0x200 bytes and an access past
 * it faults, as in QEMU. Every access size is valid: a 1- or 2-byte read at one of the three
 * offsets returns the low bytes of the value (QEMU's memory core masks the 32-bit answer), at any
 * other offset 0.
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import { mapChecked } from './mmio-access.js';

/** First transport on QEMU's `virt` board. */
export const VIRT_VIRTIO_BASE = 0x1000_1000;
/** Spacing of the transports (and the size the `virt` memory map reserves for each). */
export const VIRT_VIRTIO_STRIDE = 0x1000;
/** Number of transports on `virt` (`VIRTIO_COUNT`). */
export const VIRT_VIRTIO_COUNT = 8;
/** Size of a transport's register region in QEMU. */
export const VIRTIO_MMIO_REGS_SIZE = 0x200;

/** `VIRT_MAGIC`: "virt" in little-endian ASCII. */
export const VIRTIO_MMIO_MAGIC = 0x7472_6976;
/** `VIRT_VENDOR`: "QEMU" in little-endian ASCII. */
export const VIRTIO_MMIO_VENDOR = 0x554d_4551;
/** `VIRT_VERSION_LEGACY` and `VIRT_VERSION`. */
export const VIRTIO_MMIO_VERSION_LEGACY = 1;
export const VIRTIO_MMIO_VERSION_MODERN = 2;

/** Register offsets (include/standard-headers/linux/virtio_mmio.h). */
export const VirtioMmioReg = {
  MAGIC_VALUE: 0x000,
  VERSION: 0x004,
  DEVICE_ID: 0x008,
  VENDOR_ID: 0x00c,
  DEVICE_FEATURES: 0x010,
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  GUEST_PAGE_SIZE: 0x028,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_ALIGN: 0x03c,
  QUEUE_PFN: 0x040,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  INTERRUPT_STATUS: 0x060,
  INTERRUPT_ACK: 0x064,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DESC_HIGH: 0x084,
  QUEUE_AVAIL_LOW: 0x090,
  QUEUE_AVAIL_HIGH: 0x094,
  QUEUE_USED_LOW: 0x0a0,
  QUEUE_USED_HIGH: 0x0a4,
  SHM_SEL: 0x0ac,
  SHM_LEN_LOW: 0x0b0,
  SHM_LEN_HIGH: 0x0b4,
  SHM_BASE_LOW: 0x0b8,
  SHM_BASE_HIGH: 0x0bc,
  CONFIG_GENERATION: 0x0fc,
  CONFIG: 0x100,
} as const;

/** Construction parameters of a {@link VirtioMmio}. */
export interface VirtioMmioOptions {
  /** QEMU's `force-legacy` property (default true, as in QEMU 7.2): VERSION reads 1, else 2. */
  legacy?: boolean;
}

/** The base address of `virt`'s virtio-mmio transport `i` (0..7). */
export function virtVirtioBase(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= VIRT_VIRTIO_COUNT) throw new RangeError(`virtio-mmio: no transport ${i}`);
  return VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE;
}

/** An empty virtio-mmio transport. */
export class VirtioMmio implements MmioHandler {
  /** Whether this is the legacy (version 1) transport. */
  readonly legacy: boolean;

  /** @param options transport version. */
  constructor(options: VirtioMmioOptions = {}) {
    this.legacy = options.legacy ?? true;
  }

  /** Map the 0x200-byte register region on `bus` at `base` (default: `virt`'s first transport). */
  map(bus: Bus, base = VIRT_VIRTIO_BASE): void {
    mapChecked(bus, 'virtio-mmio', base, VIRTIO_MMIO_REGS_SIZE, this);
  }

  read(offset: number, size: number): number {
    let v: number;
    switch (offset) {
      case VirtioMmioReg.MAGIC_VALUE: v = VIRTIO_MMIO_MAGIC; break;
      case VirtioMmioReg.VERSION: v = this.legacy ? VIRTIO_MMIO_VERSION_LEGACY : VIRTIO_MMIO_VERSION_MODERN; break;
      case VirtioMmioReg.VENDOR_ID: v = VIRTIO_MMIO_VENDOR; break;
      default: return 0;
    }
    return size >= 4 ? v : v & ((1 << (size * 8)) - 1);
  }

  /** Every write is ignored (no backend). */
  write(_offset: number, _size: number, _value: number): void {}
}
