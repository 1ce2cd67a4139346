/**
 * The generic PCIe host of QEMU 7.2's RISC-V `virt` board (`gpex-pcihost`: hw/pci-host/gpex.c,
 * hw/pci/pcie_host.c, hw/pci/pci.c; mapped by `gpex_pcie_init` in hw/riscv/virt.c) with nothing
 * plugged in: bus 0 holds only the host bridge function 00:00.0 (`gpex-root`).
 *
 * Windows on `virt`:
 * - ECAM (`pcie-mmcfg-mmio`) at 0x30000000, 0x10000000 bytes: buses 0..255, offset =
 *   bus << 20 | devfn << 12 | register;
 * - PIO window at 0x03000000, 0x10000 bytes, and MMIO windows at 0x40000000 (0x40000000 bytes)
 *   and high (RV64: 16 GiB at the first 16 GiB boundary above RAM; RV32: 4 GiB at
 *   0x300000000). With no device BARs mapped, QEMU's `allow-unmapped-accesses` (default on) makes
 *   them read all-ones and ignore writes (`unassigned_io_ops`).
 *
 * Config reads of a function that does not exist, or past the 256-byte conventional config space
 * of 00:00.0, return all-ones; writes there are ignored. The host bridge presents vendor 0x1b36
 * (Red Hat), device 0x0008 (PCIe host), revision 0, class 0x060000 (host bridge), header type 0,
 * subsystem 0x1af4:0x1100 (QEMU's defaults), no BARs, no capabilities, no interrupt pin. Writes go
 * through QEMU's masks (`pci_init_wmask` / `pci_init_w1cmask`): command bits IO, memory, master,
 * SERR and INTx-disable (0x0507), cache line size and interrupt line are writable, as is every
 * byte from 0x40 to 0xff; the rest of the header is read-only.
 *
 * All access sizes are valid in every window (8-byte accesses are split in two, as in QEMU).
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import { mapChecked } from './mmio-access.js';

/** ECAM window on `virt`. */
export const VIRT_PCIE_ECAM_BASE = 0x3000_0000;
export const VIRT_PCIE_ECAM_SIZE = 0x1000_0000;
/** PCI I/O port window on `virt`. */
export const VIRT_PCIE_PIO_BASE = 0x0300_0000;
export const VIRT_PCIE_PIO_SIZE = 0x1_0000;
/** Low 32-bit MMIO window on `virt` (PCI address = CPU address). */
export const VIRT_PCIE_MMIO_BASE = 0x4000_0000;
export const VIRT_PCIE_MMIO_SIZE = 0x4000_0000;
/** High MMIO window of RV32 `virt`. */
export const VIRT32_HIGH_PCIE_MMIO_BASE = 0x3_0000_0000;
export const VIRT32_HIGH_PCIE_MMIO_SIZE = 4 * 2 ** 30;
/** Size of the high MMIO window of RV64 `virt` (its base depends on the RAM size). */
export const VIRT64_HIGH_PCIE_MMIO_SIZE = 16 * 2 ** 30;
/** Base of `virt`'s RAM, for {@link virtHighPcieMmio}. */
const VIRT_DRAM_BASE = 0x8000_0000;

/** Size of a conventional PCI function's config space. */
export const PCI_CONFIG_SPACE_SIZE = 0x100;
/** Size of the standard header (bytes 0x40.. are device-specific). */
export const PCI_CONFIG_HEADER_SIZE = 0x40;

/** Identity of the `virt` host bridge (00:00.0). */
export const GPEX_ROOT_ID = {
  VENDOR: 0x1b36, // PCI_VENDOR_ID_REDHAT
  DEVICE: 0x0008, // PCI_DEVICE_ID_REDHAT_PCIE_HOST
  REVISION: 0x00,
  CLASS: 0x0600, // PCI_CLASS_BRIDGE_HOST
  SUBSYSTEM_VENDOR: 0x1af4, // pci_default_sub_vendor_id
  SUBSYSTEM: 0x1100, // pci_default_sub_device_id
} as const;

/** Standard config-space offsets used here. */
export const PciConfigReg = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION_ID: 0x08,
  CLASS_PROG: 0x09,
  CLASS_DEVICE: 0x0a,
  CACHE_LINE_SIZE: 0x0c,
  LATENCY_TIMER: 0x0d,
  HEADER_TYPE: 0x0e,
  BASE_ADDRESS_0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  ROM_ADDRESS: 0x30,
  CAPABILITY_LIST: 0x34,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

/** The high MMIO window of `virt` for a hart width and RAM size (`virt_machine_init`). */
export function virtHighPcieMmio(xlen: 32 | 64, ramBytes: number): { base: number; size: number } {
  if (xlen === 32) return { base: VIRT32_HIGH_PCIE_MMIO_BASE, size: VIRT32_HIGH_PCIE_MMIO_SIZE };
  const size = VIRT64_HIGH_PCIE_MMIO_SIZE;
  return { base: Math.ceil((VIRT_DRAM_BASE + ramBytes) / size) * size, size };
}

/**
 * The config space of a conventional PCI function with QEMU's default config accessors
 * (`pci_default_read_config` / `pci_default_write_config`): bytes, a write mask and a
 * write-1-to-clear mask.
 */
export class PciConfigSpace {
  /** The config bytes. */
  readonly config = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  /** Writable bits. */
  readonly wmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  /** Write-1-to-clear bits. */
  readonly w1cmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);

  /** Set up the header as `do_pci_register_device` does for a non-bridge function. */
  constructor(id: { vendor: number; device: number; revision: number; classCode: number; subsystemVendor: number; subsystem: number }) {
    this.setWord(this.config, PciConfigReg.VENDOR_ID, id.vendor);
    this.setWord(this.config, PciConfigReg.DEVICE_ID, id.device);
    this.config[PciConfigReg.REVISION_ID] = id.revision;
    this.setWord(this.config, PciConfigReg.CLASS_DEVICE, id.classCode);
    this.setWord(this.config, PciConfigReg.SUBSYSTEM_VENDOR_ID, id.subsystemVendor);
    this.setWord(this.config, PciConfigReg.SUBSYSTEM_ID, id.subsystem);
    // pci_init_wmask
    this.wmask[PciConfigReg.CACHE_LINE_SIZE] = 0xff;
    this.wmask[PciConfigReg.INTERRUPT_LINE] = 0xff;
    this.setWord(this.wmask, PciConfigReg.COMMAND, 0x0001 | 0x0002 | 0x0004 | 0x0400 | 0x0100);
    this.wmask.fill(0xff, PCI_CONFIG_HEADER_SIZE);
    // pci_init_w1cmask: parity, signalled/received target abort, received master abort,
    // signalled system error, detected parity
    this.setWord(this.w1cmask, PciConfigReg.STATUS, 0x0100 | 0x0800 | 0x1000 | 0x2000 | 0x4000 | 0x8000);
  }

  /** Read `len` (1, 2 or 4) bytes at `addr`, little-endian (`addr + len` <= 256). */
  read(addr: number, len: number): number {
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + this.config[addr + i]!;
    return v >>> 0;
  }

  /** Write `len` bytes at `addr` through the masks. */
  write(addr: number, len: number, value: number): void {
    for (let i = 0; i < len; i++) {
      const b = (value >>> (8 * i)) & 0xff;
      const w = this.wmask[addr + i]!;
      const c = this.w1cmask[addr + i]!;
      let cur = (this.config[addr + i]! & ~w) | (b & w);
      cur &= ~(b & c);
      this.config[addr + i] = cur;
    }
  }

  /** `pci_do_device_reset`: clear the writable command and status bits, interrupt line and cache line size. */
  reset(): void {
    const clear = (off: number): void => {
      const m = this.getWord(this.wmask, off) | this.getWord(this.w1cmask, off);
      this.setWord(this.config, off, this.getWord(this.config, off) & ~m);
    };
    clear(PciConfigReg.COMMAND);
    clear(PciConfigReg.STATUS);
    const lm = this.wmask[PciConfigReg.INTERRUPT_LINE]! | this.w1cmask[PciConfigReg.INTERRUPT_LINE]!;
    this.config[PciConfigReg.INTERRUPT_LINE] = this.config[PciConfigReg.INTERRUPT_LINE]! & ~lm;
    this.config[PciConfigReg.CACHE_LINE_SIZE] = 0;
  }

  private setWord(a: Uint8Array, off: number, v: number): void {
    a[off] = v & 0xff;
    a[off + 1] = (v >>> 8) & 0xff;
  }

  private getWord(a: Uint8Array, off: number): number {
    return a[off]! | (a[off + 1]! << 8);
  }
}

/** A window with nothing mapped behind it: reads all-ones, ignores writes (`unassigned_io_ops`). */
export class UnassignedIoWindow implements MmioHandler {
  read(_offset: number, size: number): number {
    return size >= 4 ? 0xffff_ffff : (1 << (size * 8)) - 1;
  }

  write(_offset: number, _size: number, _value: number): void {}
}

/** Where {@link PcieGpex.map} puts the windows. Defaults: the `virt` addresses, RV64 with 128 MiB of RAM. */
export interface PcieGpexMapOptions {
  ecamBase?: number;
  ecamSize?: number;
  pioBase?: number;
  mmioBase?: number;
  mmioSize?: number;
  /** The high MMIO window, or null for none. Default: {@link virtHighPcieMmio}(64, 128 MiB). */
  highMmio?: { base: number; size: number } | null;
}

/**
 * The `virt` PCIe host with an empty bus. As an {@link MmioHandler} it is the ECAM window
 * (offsets relative to the ECAM base); {@link PcieGpex.map} also maps the I/O and MMIO windows.
 */
export class PcieGpex implements MmioHandler {
  /** Config space of the host bridge, 00:00.0. */
  readonly hostBridge: PciConfigSpace;
  /** The PIO window handler (nothing mapped: all-ones). */
  readonly pioWindow: MmioHandler = new UnassignedIoWindow();
  /** The MMIO window handler, shared by the low and high windows (nothing mapped: all-ones). */
  readonly mmioWindow: MmioHandler = new UnassignedIoWindow();

  constructor() {
    this.hostBridge = new PciConfigSpace({
      vendor: GPEX_ROOT_ID.VENDOR,
      device: GPEX_ROOT_ID.DEVICE,
      revision: GPEX_ROOT_ID.REVISION,
      classCode: GPEX_ROOT_ID.CLASS,
      subsystemVendor: GPEX_ROOT_ID.SUBSYSTEM_VENDOR,
      subsystem: GPEX_ROOT_ID.SUBSYSTEM,
    });
  }

  /** Map the ECAM, PIO, MMIO and high MMIO windows on `bus` as `gpex_pcie_init` does on `virt`. */
  map(bus: Bus, options: PcieGpexMapOptions = {}): void {
    mapChecked(bus, 'pcie-ecam', options.ecamBase ?? VIRT_PCIE_ECAM_BASE, options.ecamSize ?? VIRT_PCIE_ECAM_SIZE, this);
    mapChecked(bus, 'gpex_ioport_window', options.pioBase ?? VIRT_PCIE_PIO_BASE, VIRT_PCIE_PIO_SIZE, this.pioWindow);
    mapChecked(bus, 'pcie-mmio', options.mmioBase ?? VIRT_PCIE_MMIO_BASE, options.mmioSize ?? VIRT_PCIE_MMIO_SIZE, this.mmioWindow);
    const high = options.highMmio === undefined ? virtHighPcieMmio(64, 128 * 2 ** 20) : options.highMmio;
    if (high !== null) mapChecked(bus, 'pcie-mmio-high', high.base, high.size, this.mmioWindow);
  }

  /** Machine reset: the host bridge's `pci_do_device_reset`. */
  reset(): void {
    this.hostBridge.reset();
  }

  // --- ECAM (pcie_mmcfg_data_read / pcie_mmcfg_data_write) ---

  read(offset: number, size: number): number {
    const all = size >= 4 ? 0xffff_ffff : (1 << (size * 8)) - 1;
    const fn = this.functionAt(offset);
    if (fn === null) return all;
    const addr = offset & 0xfff;
    if (addr >= PCI_CONFIG_SPACE_SIZE) return all;
    return fn.read(addr, Math.min(size, PCI_CONFIG_SPACE_SIZE - addr));
  }

  write(offset: number, size: number, value: number): void {
    const fn = this.functionAt(offset);
    if (fn === null) return;
    const addr = offset & 0xfff;
    if (addr >= PCI_CONFIG_SPACE_SIZE) return;
    fn.write(addr, Math.min(size, PCI_CONFIG_SPACE_SIZE - addr), value);
  }

  /** The function at an ECAM offset: only bus 0, devfn 0 exists. */
  private functionAt(offset: number): PciConfigSpace | null {
    const busNr = Math.floor(offset / 2 ** 20) & 0xff;
    const devfn = (offset >>> 12) & 0xff;
    return busNr === 0 && devfn === 0 ? this.hostBridge : null;
  }
}
