/**
 * CFI parallel flash with the Intel command set, as QEMU 7.2 models it (hw/block/pflash_cfi01.c)
 * and instantiates it on the RISC-V `virt` board (`virt_flash_create1` / `virt_flash_map` in
 * hw/riscv/virt.c): two banks, "virt.flash0" at 0x20000000 and "virt.flash1" at 0x22000000, each
 * 32 MiB, sector length 256 KiB (128 blocks), width 4, device-width 2 (so max-device-width 2),
 * little-endian, JEDEC ids 0x89 0x18 0x00 0x00, old-multiple-chip-handling off. Each bank is
 * thus two x16 devices side by side: the CFI table describes one 16 MiB device with 128 blocks of
 * 128 KiB, and every ID, CFI and status answer is replicated in both 16-bit halves of the bus.
 *
 * Without a backing image (QEMU without `-drive if=pflash`) the contents are all zero and
 * writable; {@link CfiFlashOptions.data} gives an image instead.
 *
 * Modelled as QEMU does it:
 * - read-array mode (QEMU's internal command 0x00) reads the contents; 0xff, 0xf0 (AMD probe),
 *   0x00 and 0x50 (clear status) return to it;
 * - 0x90 read identifier (manufacturer at word 0, device at word 1, 0 elsewhere; only the low 8
 *   bits of the word index count), 0x98 CFI query (the 0x52-byte table at word index offset/4),
 *   0x70 read status; in each of these modes any read returns that answer;
 * - 0x10/0x40 single program (the next write is stored, at its width), 0x20 block erase (the
 *   256 KiB sector is filled with 0xff at once; 0xd0 confirms), 0xe8 write-to-buffer (count,
 *   data into a 4 KiB buffer, 0xd0 commits), 0x60 lock commands (accepted, no effect);
 * - the status register (0x80 ready; 0x10 program error; 0x20 erase error) is what reads return
 *   after program/erase/lock commands until read-array is selected again;
 * - unknown command sequences go back to read-array mode.
 *
 * Access sizes 1, 2 and 4 are all valid (8-byte accesses are split in two, as in QEMU). QEMU
 * serves reads in read-array mode straight from RAM (ROMD); the values are the same as here.
 */
import type { Bus, MmioHandler } from '../core/bus.js';
import { mapChecked } from './mmio-access.js';

/** Base of the flash window on QEMU's `virt` board (bank 0). */
export const VIRT_FLASH_BASE = 0x2000_0000;
/** Size of the whole flash window on `virt` (two banks). */
export const VIRT_FLASH_SIZE = 0x400_0000;
/** Size of one `virt` flash bank. */
export const VIRT_FLASH_BANK_SIZE = VIRT_FLASH_SIZE / 2;
/** `VIRT_FLASH_SECTOR_SIZE`. */
export const VIRT_FLASH_SECTOR_SIZE = 256 * 1024;
/** The two `virt` banks: QEMU device name and base address. */
export const VIRT_FLASH_BANKS = [
  { name: 'virt.flash0', base: VIRT_FLASH_BASE },
  { name: 'virt.flash1', base: VIRT_FLASH_BASE + VIRT_FLASH_BANK_SIZE },
] as const;

/** Commands (the low byte of a write). */
export const CfiCmd = {
  /** QEMU's internal read-array state; also accepted as a command. */
  READ_ARRAY_QEMU: 0x00,
  SINGLE_PROGRAM: 0x10,
  BLOCK_ERASE: 0x20,
  SINGLE_PROGRAM_ALT: 0x40,
  CLEAR_STATUS: 0x50,
  LOCK: 0x60,
  READ_STATUS: 0x70,
  READ_ID: 0x90,
  CFI_QUERY: 0x98,
  CONFIRM: 0xd0,
  WRITE_TO_BUFFER: 0xe8,
  AMD_PROBE: 0xf0,
  READ_ARRAY: 0xff,
} as const;

/** Status register bits. */
export const CfiStatus = {
  READY: 0x80,
  ERASE_ERROR: 0x20,
  PROGRAM_ERROR: 0x10,
} as const;

/** Construction parameters of a {@link CfiFlash}. Defaults are one `virt` bank. */
export interface CfiFlashOptions {
  /** Device name (default "virt.flash0"); used as the bus region name. */
  name?: string;
  /** Sector (erase block) length of the whole bank in bytes (default 256 KiB). */
  sectorLength?: number;
  /** Number of sectors (default 128: 32 MiB). */
  numBlocks?: number;
  /** Bank width in bytes: 1, 2 or 4 (default 4). */
  bankWidth?: number;
  /** Width of each flash device in bytes, 0 = unspecified (QEMU's legacy behaviour) (default 2). */
  deviceWidth?: number;
  /** Maximum width of each device (default: `deviceWidth`). */
  maxDeviceWidth?: number;
  /** JEDEC ids id0..id3 (default 0x89, 0x18, 0, 0). */
  ids?: readonly [number, number, number, number];
  /** QEMU's `old-multiple-chip-handling` (default false). */
  oldMultipleChipHandling?: boolean;
  /** Initial contents (copied; shorter images leave the rest zero, longer ones are cut). */
  data?: Uint8Array;
  /** Refuse program and erase (a read-only backing image): they set the error status bits. */
  readOnly?: boolean;
  /** Called with the byte range of the contents changed by a program, erase or buffer commit. */
  onUpdate?: (offset: number, length: number) => void;
}

/** Command states a read understands (any other resets to read-array mode). */
const READ_STATES = new Set([0x00, 0x10, 0x20, 0x28, 0x40, 0x50, 0x60, 0x70, 0x90, 0x98, 0xe8]);

const ctz32 = (v: number): number => (v === 0 ? 32 : 31 - Math.clz32(v & -v));
/** `deposit32(value, start, length, field)` */
function deposit32(value: number, start: number, length: number, field: number): number {
  const mask = (0xffff_ffff >>> (32 - length)) << start;
  return ((value & ~mask) | ((field << start) & mask)) >>> 0;
}

/** One pflash_cfi01 device (a `virt` flash bank by default). */
export class CfiFlash implements MmioHandler {
  /** Device name. */
  readonly name: string;
  /** Size in bytes (`sectorLength * numBlocks`). */
  readonly size: number;
  /** Sector length of the bank. */
  readonly sectorLength: number;
  /** The contents (what read-array mode reads). */
  readonly storage: Uint8Array;
  /** The CFI query table (0x52 bytes, per device). */
  readonly cfiTable: Uint8Array;
  /** Size of the write-to-buffer buffer in bytes. */
  readonly writeBlockSize: number;

  private readonly bankWidth: number;
  private readonly deviceWidth: number;
  private readonly maxDeviceWidth: number;
  private readonly ids: readonly [number, number, number, number];
  private readonly ro: boolean;
  private readonly onUpdate: ((offset: number, length: number) => void) | null;
  private readonly blkBytes: Uint8Array;
  private wcycle = 0;
  private cmd = 0;
  private statusReg = 0x80;
  private counter = 0n;
  private blkOffset = -1;

  /** @param options geometry, ids and contents (defaults: a `virt` bank, all zero). */
  constructor(options: CfiFlashOptions = {}) {
    this.name = options.name ?? VIRT_FLASH_BANKS[0].name;
    this.sectorLength = options.sectorLength ?? VIRT_FLASH_SECTOR_SIZE;
    const numBlocks = options.numBlocks ?? VIRT_FLASH_BANK_SIZE / VIRT_FLASH_SECTOR_SIZE;
    if (!isPow2(this.sectorLength)) throw new RangeError(`${this.name}: sector length must be a power of two`);
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new RangeError(`${this.name}: bad block count ${numBlocks}`);
    this.size = this.sectorLength * numBlocks;
    this.bankWidth = options.bankWidth ?? 4;
    this.deviceWidth = options.deviceWidth ?? 2;
    this.maxDeviceWidth = options.maxDeviceWidth ?? this.deviceWidth;
    if (![1, 2, 4].includes(this.bankWidth)) throw new RangeError(`${this.name}: bad bank width ${this.bankWidth}`);
    if (![0, 1, 2, 4].includes(this.deviceWidth) || (this.deviceWidth !== 0 && ![1, 2, 4].includes(this.maxDeviceWidth))) {
      throw new RangeError(`${this.name}: bad device width ${this.deviceWidth}/${this.maxDeviceWidth}`);
    }
    this.ids = options.ids ?? [0x89, 0x18, 0x00, 0x00];
    this.ro = options.readOnly ?? false;
    this.onUpdate = options.onUpdate ?? null;
    this.storage = new Uint8Array(this.size);
    if (options.data !== undefined) this.storage.set(options.data.subarray(0, this.size));
    this.cfiTable = new Uint8Array(0x52);
    this.writeBlockSize = this.fillCfiTable(numBlocks, options.oldMultipleChipHandling ?? false);
    this.blkBytes = new Uint8Array(this.writeBlockSize);
  }

  /** Map the bank on `bus` at `base` (default the `virt` bank 0 address). */
  map(bus: Bus, base = VIRT_FLASH_BASE): void {
    mapChecked(bus, this.name, base, this.size, this);
  }

  /** Device reset (`pflash_cfi01_system_reset`): read-array mode, status ready, no buffer. */
  reset(): void {
    this.cmd = 0;
    this.wcycle = 0;
    this.statusReg = 0x80;
    this.blkOffset = -1;
  }

  /** The status register. */
  get status(): number {
    return this.statusReg;
  }

  /** The current command state (0 = read array). */
  get mode(): number {
    return this.cmd;
  }

  // --- MMIO (pflash_read / pflash_write) ---

  read(offset: number, size: number): number {
    let ret = 0xffff_ffff;
    if (!READ_STATES.has(this.cmd)) {
      // "should never happen": reset to read-array mode and read
      this.wcycle = 0;
      this.cmd = 0;
    }
    switch (this.cmd) {
      case 0x00:
        ret = this.dataRead(offset, size);
        break;
      case 0x10: case 0x20: case 0x28: case 0x40: case 0x50: case 0x60: case 0x70: case 0xe8: {
        // status of each device in the bank
        ret = this.statusReg;
        if (this.deviceWidth !== 0 && size > this.deviceWidth) {
          let shift = this.deviceWidth * 8;
          while (shift + this.deviceWidth * 8 <= size * 8) {
            ret |= this.statusReg << shift;
            shift += this.deviceWidth * 8;
          }
        } else if (this.deviceWidth === 0 && size > 2) {
          ret |= this.statusReg << 16;
        }
        break;
      }
      case 0x90:
        if (this.deviceWidth === 0) {
          const boff = this.legacyIndex(offset);
          if (boff === 0) ret = (this.ids[0] << 8) | this.ids[1];
          else if (boff === 1) ret = (this.ids[2] << 8) | this.ids[3];
          else ret = 0;
        } else {
          for (let i = 0; i < size; i += this.bankWidth) {
            ret = deposit32(ret, i * 8, this.bankWidth * 8, this.devidQuery(offset + i * this.bankWidth));
          }
        }
        break;
      case 0x98:
        if (this.deviceWidth === 0) {
          const boff = this.legacyIndex(offset);
          ret = boff < this.cfiTable.length ? this.cfiTable[boff]! : 0;
        } else {
          for (let i = 0; i < size; i += this.bankWidth) {
            ret = deposit32(ret, i * 8, this.bankWidth * 8, this.cfiQuery(offset + i * this.bankWidth));
          }
        }
        break;
    }
    return (size === 4 ? ret : ret & ((1 << (size * 8)) - 1)) >>> 0;
  }

  write(offset: number, size: number, value: number): void {
    value = size === 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1); // the bytes written
    const cmd = value & 0xff;
    switch (this.wcycle) {
      case 0:
        switch (cmd) {
          case 0x00:
            return this.readArray();
          case 0x10:
          case 0x40:
            break;
          case 0x20: {
            const start = offset & ~(this.sectorLength - 1);
            if (!this.ro) {
              this.storage.fill(0xff, start, start + this.sectorLength);
              this.update(start, this.sectorLength);
            } else {
              this.statusReg |= 0x20;
            }
            this.statusReg |= 0x80;
            break;
          }
          case 0x50:
            this.statusReg = 0;
            return this.readArray();
          case 0x60:
            break;
          case 0x70:
          case 0x90:
            this.cmd = cmd; // no further cycle
            return;
          case 0x98:
            break;
          case 0xe8:
            this.statusReg |= 0x80; // (QEMU: "write to buffer emulation is flawed")
            break;
          case 0xf0:
          case 0xff:
            return this.readArray();
          default:
            return this.readArray(); // unimplemented sequence
        }
        this.wcycle++;
        this.cmd = cmd;
        return;
      case 1:
        switch (this.cmd) {
          case 0x10:
          case 0x40:
            if (!this.ro) {
              this.dataWrite(offset, value, size);
              this.update(offset, size);
            } else {
              this.statusReg |= 0x10;
            }
            this.statusReg |= 0x80;
            this.wcycle = 0;
            return;
          case 0x20:
          case 0x28:
            if (cmd === 0xd0) {
              this.wcycle = 0;
              this.statusReg |= 0x80;
              return;
            }
            return this.readArray(); // 0xff, or an unimplemented sequence
          case 0xe8: {
            const bits = (this.deviceWidth !== 0 ? this.deviceWidth : this.bankWidth) * 8;
            this.counter = BigInt(bits >= 32 ? value : value & ((1 << bits) - 1));
            this.wcycle++;
            this.blkOffset = offset & ~(this.writeBlockSize - 1);
            this.blkBytes.set(this.storage.subarray(this.blkOffset, this.blkOffset + this.writeBlockSize));
            return;
          }
          case 0x60:
            if (cmd === 0xd0 || cmd === 0x01) {
              this.wcycle = 0;
              this.statusReg |= 0x80;
              return;
            }
            return this.readArray(); // 0xff, or an unknown (un)locking command
          case 0x98:
            if (cmd === 0xff) return this.readArray();
            return; // "leaving query mode": nothing changes
          default:
            return this.readArray();
        }
      case 2:
        if (this.cmd !== 0xe8) return this.readArray();
        if (!this.ro && this.blkOffset !== -1) this.dataWrite(offset, value, size);
        else this.statusReg |= 0x10;
        this.statusReg |= 0x80;
        if (this.counter === 0n) this.wcycle++;
        this.counter = BigInt.asUintN(64, this.counter - 1n);
        return;
      case 3:
        if (this.cmd === 0xe8) {
          if (cmd === 0xd0 && (this.statusReg & 0x10) === 0) {
            this.storage.set(this.blkBytes, this.blkOffset);
            this.update(this.blkOffset, this.writeBlockSize);
            this.blkOffset = -1;
            this.wcycle = 0;
            this.statusReg |= 0x80;
            return;
          }
        }
        this.blkOffset = -1; // abort the buffer
        return this.readArray();
      default:
        return this.readArray();
    }
  }

  // --- internals ---

  private readArray(): void {
    this.wcycle = 0;
    this.cmd = 0;
  }

  private update(offset: number, length: number): void {
    if (this.onUpdate !== null) this.onUpdate(offset, length);
  }

  private dataRead(offset: number, size: number): number {
    const s = this.storage;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + (s[offset + i] ?? 0);
    return v >>> 0;
  }

  /** `pflash_data_write`: into the write buffer when one is open, else into the contents. */
  private dataWrite(offset: number, value: number, size: number): void {
    let dst: Uint8Array;
    let at: number;
    if (this.blkOffset !== -1) {
      if (offset < this.blkOffset || offset + size > this.blkOffset + this.writeBlockSize) {
        this.statusReg |= 0x10; // programming error
        return;
      }
      dst = this.blkBytes;
      at = offset - this.blkOffset;
    } else {
      dst = this.storage;
      at = offset;
    }
    for (let i = 0; i < size; i++) dst[at + i] = (value >>> (8 * i)) & 0xff;
  }

  /** Word index for the legacy (device-width 0) ID and query reads. */
  private legacyIndex(offset: number): number {
    const boff = offset & 0xff;
    if (this.bankWidth === 2) return boff >> 1;
    if (this.bankWidth === 4) return boff >> 2;
    return boff;
  }

  /** Byte offset → device address, shifted for devices used below their maximum width. */
  private deviceIndex(offset: number): number {
    return Math.floor(offset / 2 ** (ctz32(this.bankWidth) + ctz32(this.maxDeviceWidth) - ctz32(this.deviceWidth)));
  }

  /** `pflash_cfi_query`. */
  private cfiQuery(offset: number): number {
    const boff = this.deviceIndex(offset);
    if (boff >= this.cfiTable.length) return 0;
    let resp = this.cfiTable[boff]!;
    if (this.deviceWidth !== this.maxDeviceWidth) {
      // x8 mode of a wider part: the byte is repeated, not zero-padded
      if (this.deviceWidth !== 1 || this.bankWidth > 4) return 0;
      for (let i = 1; i < this.maxDeviceWidth; i++) resp = deposit32(resp, 8 * i, 8, this.cfiTable[boff]!);
    }
    return this.replicate(resp);
  }

  /** `pflash_devid_query`. */
  private devidQuery(offset: number): number {
    const boff = this.deviceIndex(offset);
    let resp: number;
    switch (boff & 0xff) {
      case 0: resp = this.ids[0]; break;
      case 1: resp = this.ids[1]; break;
      default: return 0; // block lock status etc.: not emulated
    }
    return this.replicate(resp);
  }

  /** Replicate one device's answer for every device in the bank. */
  private replicate(resp: number): number {
    for (let i = this.deviceWidth; i < this.bankWidth; i += this.deviceWidth) {
      resp = deposit32(resp, 8 * i, 8 * this.deviceWidth, resp);
    }
    return resp >>> 0;
  }

  /** `pflash_cfi01_fill_cfi_table`; returns the write-buffer size. */
  private fillCfiTable(numBlocks: number, oldMultipleChipHandling: boolean): number {
    const t = this.cfiTable;
    const numDevices = this.deviceWidth !== 0 ? Math.floor(this.bankWidth / this.deviceWidth) : 1;
    let blocksPerDevice: number, sectorLenPerDevice: number;
    if (oldMultipleChipHandling) {
      blocksPerDevice = Math.floor(numBlocks / numDevices);
      sectorLenPerDevice = this.sectorLength;
    } else {
      blocksPerDevice = numBlocks;
      sectorLenPerDevice = Math.floor(this.sectorLength / numDevices);
    }
    const deviceLen = sectorLenPerDevice * blocksPerDevice;
    const set = (i: number, v: number): void => { t[i] = v & 0xff; };
    // "QRY", Intel command set, primary extended table at 0x31
    set(0x10, 0x51); set(0x11, 0x52); set(0x12, 0x59);
    set(0x13, 0x01); set(0x14, 0x00);
    set(0x15, 0x31); set(0x16, 0x00);
    set(0x17, 0x00); set(0x18, 0x00);
    set(0x19, 0x00); set(0x1a, 0x00);
    // Vcc min/max, Vpp min/max
    set(0x1b, 0x45); set(0x1c, 0x55); set(0x1d, 0x00); set(0x1e, 0x00);
    // timeouts
    set(0x1f, 0x07); set(0x20, 0x07); set(0x21, 0x0a); set(0x22, 0x00);
    set(0x23, 0x04); set(0x24, 0x04); set(0x25, 0x04); set(0x26, 0x00);
    // device size (2^n bytes), interface (x8/x16), max bytes in a multi-byte write (2^n)
    set(0x27, ctz32(deviceLen % 2 ** 32));
    set(0x28, 0x02); set(0x29, 0x00);
    set(0x2a, this.bankWidth === 1 ? 0x08 : 0x0b);
    let writeBlockSize = 1 << t[0x2a]!;
    if (!oldMultipleChipHandling && numDevices > 1) writeBlockSize *= numDevices;
    set(0x2b, 0x00);
    // one uniform erase block region
    set(0x2c, 0x01);
    set(0x2d, blocksPerDevice - 1); set(0x2e, (blocksPerDevice - 1) >> 8);
    set(0x2f, sectorLenPerDevice >> 8); set(0x30, sectorLenPerDevice >> 16);
    // primary extended query: "PRI", version "10"
    set(0x31, 0x50); set(0x32, 0x52); set(0x33, 0x49);
    set(0x34, 0x31); set(0x35, 0x30);
    set(0x3f, 0x01); // number of protection fields
    return writeBlockSize;
  }
}

function isPow2(v: number): boolean {
  return Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
}
