/**
 * SiFive test finisher, as QEMU 7.2 models it (hw/misc/sifive_test.c) and maps it on the RISC-V
 * `virt` board: a write of a status word at offset 0 ends the simulation or resets the machine.
 *
 * Behaviour taken from QEMU 7.2:
 * - only writes to offset 0 act; `status = value & 0xffff`, `code = (value >> 16) & 0xffff`;
 * - status 0x3333 (FAIL) exits with `code`, 0x5555 (PASS) exits with 0 (the code half is
 *   ignored: 7.2 calls `exit(0)`), 0x7777 (RESET) requests a machine reset;
 * - any other write is ignored (QEMU only logs it as a guest error);
 * - reads return 0.
 *
 * QEMU declares valid access sizes 2..4. A 1-byte access there is an access fault; an `MmioHandler`
 * cannot report faults, so 1-byte writes are ignored here (and the bus splits 8-byte accesses
 * into two 4-byte ones, which QEMU would also fault on).
 */
import type { MmioHandler } from '../core/bus.js';

/** Base address of the test finisher on QEMU's `virt` board. */
export const VIRT_TEST_BASE = 0x10_0000;
/** Size of the test finisher region on QEMU's `virt` board. */
export const VIRT_TEST_SIZE = 0x1000;

/** Status values (low 16 bits of the word written at offset 0). */
export const SifiveTestStatus = {
  /** Exit with the code in bits 31..16. */
  FAIL: 0x3333,
  /** Exit with code 0. */
  PASS: 0x5555,
  /** Request a machine reset. */
  RESET: 0x7777,
} as const;

/** Register offsets. */
export const SifiveTestReg = {
  /** The finisher register: write `code << 16 | status`. */
  FINISHER: 0x0,
} as const;

/** Callbacks through which the finisher acts on the machine. */
export interface SifiveTestOptions {
  /**
   * The guest asked to end the simulation with `code` (0..0xffff; QEMU passes it to `exit()`,
   * so the host sees `code & 0xff`). QEMU exits immediately, in the middle of the store.
   */
  onExit(code: number): void;
  /** The guest asked for a machine reset (QEMU: `qemu_system_reset_request`). */
  onReset(): void;
}

/** The SiFive test finisher MMIO device. */
export class SifiveTest implements MmioHandler {
  private readonly onExit: (code: number) => void;
  private readonly onReset: () => void;

  /** @param options exit and reset callbacks. */
  constructor(options: SifiveTestOptions) {
    this.onExit = (code) => options.onExit(code);
    this.onReset = () => options.onReset();
  }

  /** Reads always return 0. */
  read(_offset: number, _size: number): number {
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (size < 2) return; // QEMU: invalid access size (access fault); nothing happens here
    if (offset !== SifiveTestReg.FINISHER) return;
    const status = value & 0xffff;
    const code = (value >>> 16) & 0xffff;
    switch (status) {
      case SifiveTestStatus.FAIL:
        this.onExit(code);
        return;
      case SifiveTestStatus.PASS:
        this.onExit(0);
        return;
      case SifiveTestStatus.RESET:
        this.onReset();
        return;
      default:
        return; // ignored (QEMU logs a guest error)
    }
  }
}
