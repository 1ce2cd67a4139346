/**
 * How QEMU 7.2 presents a CPU access to an MMIO device, for handlers that follow a QEMU model.
 *
 * What QEMU's memory core and TCG do that a plain {@link MmioHandler} does not see:
 *
 * - **Valid access sizes** (`MemoryRegionOps.valid.min/max_access_size`). An access outside them
 *   fails with `MEMTX_DECODE_ERROR`, which a RISC-V CPU takes as a load or store/AMO access fault
 *   (`riscv_cpu_do_transaction_failed`). Here the failure is reported the way the bus reports
 *   an unmapped address, by setting `bus.error`, so the hart raises the same fault.
 * - **Misaligned accesses** never reach a QEMU device: TCG's softmmu turns a misaligned load from
 *   an I/O page into two aligned loads of the same size and combines them, and a misaligned store
 *   into single-byte stores in ascending address order (`load_helper` / `store_helper_unaligned`
 *   in accel/tcg/cputlb.c). {@link checkedMmio} does the same, so the device only ever sees
 *   aligned accesses, each checked against the valid sizes.
 * - **Write values** reach a QEMU device masked to the access size; so they do here.
 *
 * What this cannot reproduce: the bus splits an 8-byte access into two 4-byte ones before any
 * handler sees it (unless the handler declares `single8`, as the 16550 UART does). QEMU does the same for regions without a `valid.max_access_size` and for
 * regions smaller than a page (accessed through a `subpage`, which splits to the device's size),
 * but faults an aligned 8-byte access to a page-sized region whose `valid.max_access_size` is 4
 * (the PLIC, for instance).
 *
 * Values are little-endian (every `virt` device is `DEVICE_LITTLE_ENDIAN` or native-endian on a
 * little-endian target).
 */
import { BusError, type Bus, type MmioHandler, type MmioRegion } from '../core/bus.js';

/** QEMU's `MemoryRegionOps.valid` access-size limits. */
export interface MmioAccessRules {
  /** Smallest valid access in bytes (`valid.min_access_size`; default 1). */
  minSize?: number;
  /** Largest valid access in bytes (`valid.max_access_size`; default 8, i.e. any). */
  maxSize?: number;
}

const MASK = [0, 0xff, 0xffff, 0, 0xffff_ffff] as const;

/**
 * Wrap `handler` so that accesses reach it as they would reach the QEMU model on `bus`: misaligned
 * loads become two aligned loads, misaligned stores become byte stores, and accesses of a size
 * outside `rules` set `bus.error` (an access fault) instead of reaching the device.
 */
export function checkedMmio(bus: Bus, handler: MmioHandler, rules: MmioAccessRules = {}): MmioHandler {
  const min = rules.minSize ?? 1;
  const max = rules.maxSize ?? 8;
  const valid = (size: number): boolean => size >= min && size <= max;

  let faulted = false;
  const readAligned = (offset: number, size: number): number => {
    if (!valid(size)) {
      bus.error = BusError.Unmapped;
      faulted = true;
      return 0;
    }
    return handler.read(offset, size) >>> 0;
  };

  const writeAligned = (offset: number, size: number, value: number): void => {
    if (!valid(size)) {
      bus.error = BusError.Unmapped;
      return;
    }
    // QEMU hands the device only the bytes written
    handler.write(offset, size, size >= 4 ? value >>> 0 : value & MASK[size]!);
  };

  return {
    read(offset: number, size: number): number {
      const mis = offset & (size - 1);
      if (mis === 0) return readAligned(offset, size);
      // Two aligned loads of the same size, combined (TCG's do_unaligned_access).
      const a1 = offset - mis;
      faulted = false;
      const r1 = readAligned(a1, size);
      if (faulted) return 0; // the first half faulted: QEMU stops there
      const r2 = readAligned(a1 + size, size);
      // 0 < shift < size * 8: both shifts stay inside 32-bit integer arithmetic (exact).
      const shift = mis * 8;
      const v = (r1 >>> shift) | (r2 << (size * 8 - shift));
      return (size === 4 ? v : v & MASK[size]!) >>> 0;
    },
    write(offset: number, size: number, value: number): void {
      if ((offset & (size - 1)) === 0) {
        writeAligned(offset, size, value);
        return;
      }
      // Byte stores in ascending address order (TCG's store_helper_unaligned, little-endian).
      for (let i = 0; i < size; i++) writeAligned(offset + i, 1, (value >>> (8 * i)) & 0xff);
    },
  };
}

/** Map `handler` on `bus` at `base` through {@link checkedMmio}. */
export function mapChecked(
  bus: Bus,
  name: string,
  base: number,
  size: number,
  handler: MmioHandler,
  rules: MmioAccessRules = {},
): MmioRegion {
  return bus.addMmio(name, base, size, checkedMmio(bus, handler, rules));
}
