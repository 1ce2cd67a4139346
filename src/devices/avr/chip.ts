/**
 * What an AVR peripheral sees of its chip: the data space, hooks on I/O registers, the cycle
 * clock and the interrupt vectors. The AVR target implements {@link AvrChip}; peripherals only
 * import this file, never the target, so each can be tested with a small fake chip.
 *
 * Time on AVR is counted in CPU cycles (16 MHz on the Uno), not instructions: `cycles()` is exact
 * at any moment, also in the middle of a translated block (a hook called from an `OUT` sees the
 * cycle count of that instruction). Peripherals compute counter values from `cycles()` when they
 * are read and arm one {@link AvrTimer} for their next event; they never tick per cycle.
 */

/** Called on a read of a hooked data-space address; returns the byte read. */
export type AvrReadHook = (addr: number) => number;

/**
 * Called on a write to a hooked data-space address, before `data[addr]` changes. Return true when
 * the hook has stored whatever the register should hold itself (write-one-to-clear flags, read-only
 * bits); return false to let the CPU store `value` as is.
 *
 * `mask` is the set of bits the instruction writes: 0xFF for every store except `SBI`/`CBI`, which
 * write one bit (`1 << b`) of an I/O register 0x20..0x3F. `value` is then the read-modify-write
 * result, as on the chip; hooks of flag registers (write one to clear) and of `PINx` (write one to
 * toggle) only act on `value & mask` (datasheet 14.2.2 and 8.x: "unlike most other AVRs, the CBI
 * and SBI instructions will only operate on the specified bit"). A CPU that does not pass it means
 * 0xFF.
 */
export type AvrWriteHook = (value: number, old: number, addr: number, mask?: number) => boolean;

/** A one-shot cycle timer owned by a peripheral. */
export interface AvrTimer {
  /** Fire at absolute cycle `cycle` (re-arming replaces the previous deadline). */
  armAt(cycle: number): void;
  disarm(): void;
}

/** The chip as peripherals see it. */
export interface AvrChip {
  /** The whole data space: 32 registers, 64 I/O registers, 160 extended I/O, then SRAM. */
  readonly data: Uint8Array;
  /** CPU frequency in Hz (16,000,000 on the Uno). */
  readonly frequency: number;
  /** Cycles executed since reset, exact at the moment of the call. */
  cycles(): number;
  /**
   * Hook reads of `addr` (0x20..0xFF: I/O and extended I/O). One hook per address; `IN`, `SBIS`,
   * `SBIC`, `LD*`/`LDS` all go through it.
   */
  onRead(addr: number, hook: AvrReadHook): void;
  /** Hook writes of `addr` (`OUT`, `SBI`, `CBI`, `ST*`/`STS`). One hook per address. */
  onWrite(addr: number, hook: AvrWriteHook): void;
  /** A timer that calls `fire(nowCycles)` once the clock reaches its deadline. */
  timer(fire: (nowCycles: number) => void): AvrTimer;
  /**
   * Vector `vector` (1..25 on the ATmega328P: its word address is 2 × vector) is requesting service
   * (its flag is set and its enable bit is set) or not. The CPU takes the lowest requesting vector
   * when the I flag allows. A peripheral calls this whenever its flag or enable bit changes.
   */
  setInterrupt(vector: number, requesting: boolean): void;
  /**
   * `ack` runs when the CPU enters `vector`: clear the flags the datasheet says are cleared by
   * executing the interrupt vector (timer flags, INTn, PCIFn; not RXC/UDRE, which stay set until
   * the data register is read or written).
   */
  onInterruptTaken(vector: number, ack: () => void): void;
  /** Reset the whole chip as a watchdog reset would (MCUSR.WDRF set by the watchdog itself). */
  requestReset(): void;
  /**
   * The CPU executed `WDR` (watchdog reset instruction): the watchdog registers a listener.
   * `SLEEP` is handled by the CPU with the sleep-mode bits of SMCR (0x53).
   */
  onWatchdogReset(listener: () => void): void;
  /**
   * Halt the CPU for `cycles` more cycles: added to the cycle count of the instruction now executing
   * (the EEPROM halts the CPU 4 cycles after a read and 2 after starting a write, as avr8js adds them
   * to `cpu.cycles` inside the hook). Optional: a chip without it runs those instructions short.
   */
  addCycles?(cycles: number): void;
}

/**
 * Data-space addresses of the ATmega328P I/O registers that more than one file needs. Peripheral
 * files name their own registers next to their code.
 */
export const AVR_SREG = 0x5f;
export const AVR_SPL = 0x5d;
export const AVR_SPH = 0x5e;
export const AVR_SMCR = 0x53;
export const AVR_MCUSR = 0x54;
/** First SRAM byte and last (RAMEND) on the ATmega328P. */
export const AVR_SRAM_START = 0x100;
export const AVR_RAMEND = 0x8ff;
