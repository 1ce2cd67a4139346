/**
 * ATmega328P EEPROM (datasheet 8.4 and 8.6): 1 KiB, EEARH/EEARL, EEDR, EECR.
 *
 * - Read: EERE loads EEDR from EEAR at once and halts the CPU 4 cycles ({@link EEPROM_READ_STALL});
 *   ignored while a write is in progress (8.6.3).
 * - Write: EEMPE (written with EEPE = 0) opens a 4-cycle window — a write at a cycle count below
 *   the EEMPE write's + 4, as avr8js times it — in which EEPE starts the operation EEPM1:0 selects:
 *   erase and write (3.4 ms), erase only (1.8 ms), write only (1.8 ms) (table 8-2; the cycle counts
 *   can be changed through the options, e.g. {@link AVR8JS_EEPROM_TIMES}). The CPU halts 2 cycles
 *   ({@link EEPROM_WRITE_STALL}); EEPE reads 1 until the operation ends. EEMPE clears itself 4 cycles
 *   after it is set. The cell changes at once (its new value is visible to a read after the end).
 * - EE_READY: requested for as long as EEPE is 0 and EERIE is 1 (not cleared by the vector).
 * The halts use the chip's optional `addCycles`; without it the CPU runs those instructions short.
 *
 * Datasheet where avr8js differs: write times (avr8js: 3.6 ms for erase-and-write), EEMPE and EEPE
 * in the same write start nothing, `SBI`'s bit mask decides which strobe was written, a read during
 * a write is ignored, an EERE write does not withdraw the EE_READY request. Event structure: avr8js
 * adds an EEMPE-clearing clock event for every EECR write whose value has EEMPE (also the `SBI
 * EEPE` that reads EEMPE back); here one timer is re-armed (only matters to an avr8js-ordered queue).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AvrChip, AvrTimer } from './chip.js';
import { AvrVector } from './vectors.js';

/** EEPROM registers (data-space addresses). */
export const EEPROM_REGS = {
  EECR: 0x3f,
  EEDR: 0x40,
  EEARL: 0x41,
  EEARH: 0x42,
} as const;

// EECR
export const EERE = 1 << 0;
export const EEPE = 1 << 1;
export const EEMPE = 1 << 2;
export const EERIE = 1 << 3;
export const EEPM0 = 1 << 4;
export const EEPM1 = 1 << 5;

export const EEPROM_SIZE = 1024;
/** Cycles the CPU halts after setting EERE / EEPE (8.4.1). */
export const EEPROM_READ_STALL = 4;
export const EEPROM_WRITE_STALL = 2;
/** Cycles the EEMPE window lasts. */
export const EEMPE_WINDOW = 4;

/** Programming times in CPU cycles. */
export interface EepromTimes {
  /** EEPM = 0: erase and write. */
  readonly eraseWrite: number;
  /** EEPM = 1: erase only. */
  readonly erase: number;
  /** EEPM = 2: write only. */
  readonly write: number;
}

/** Table 8-2 at 16 MHz: 3.4 ms, 1.8 ms, 1.8 ms. */
export const DATASHEET_EEPROM_TIMES: EepromTimes = { eraseWrite: 54_400, erase: 28_800, write: 28_800 };
/** What avr8js uses: 1.8 ms erase plus 1.8 ms write. */
export const AVR8JS_EEPROM_TIMES: EepromTimes = { eraseWrite: 57_600, erase: 28_800, write: 28_800 };

export interface EepromOptions {
  /** Programming times (default: the datasheet's at 16 MHz). */
  times?: EepromTimes;
  /** Initial contents (default all 0xFF, erased). */
  contents?: Uint8Array;
  /** Load the contents from this file when it exists, and save them after each programming. */
  file?: string;
}

export class Eeprom {
  private readonly chip: AvrChip;
  readonly memory = new Uint8Array(EEPROM_SIZE).fill(0xff);
  readonly times: EepromTimes;
  private readonly file: string | undefined;
  private readonly timer: AvrTimer;
  private readonly mpeTimer: AvrTimer;
  private windowUntil = -1;

  constructor(chip: AvrChip, options: EepromOptions = {}) {
    this.chip = chip;
    this.times = options.times ?? DATASHEET_EEPROM_TIMES;
    this.file = options.file;
    if (options.contents) this.memory.set(options.contents.subarray(0, EEPROM_SIZE));
    if (this.file && existsSync(this.file)) this.memory.set(readFileSync(this.file).subarray(0, EEPROM_SIZE));
    this.timer = chip.timer(() => this.done());
    this.mpeTimer = chip.timer(() => {
      chip.data[EEPROM_REGS.EECR] &= ~EEMPE;
    });
    const R = EEPROM_REGS;
    const d = chip.data;
    chip.onWrite(R.EECR, (v, _old, _a, mask = 0xff) => this.writeEecr(v, mask));
    chip.onWrite(R.EEARH, (v) => {
      if (!this.busy()) d[R.EEARH] = v & 0x03;
      return true;
    });
    chip.onWrite(R.EEARL, (v) => {
      if (!this.busy()) d[R.EEARL] = v;
      return true;
    });
    this.reset();
  }

  /** EECR, EEDR, EEAR = 0; an operation in progress is cut short (the contents stay). */
  reset(): void {
    const d = this.chip.data;
    for (const a of Object.values(EEPROM_REGS)) d[a] = 0;
    this.windowUntil = -1;
    this.timer.disarm();
    this.mpeTimer.disarm();
    this.update();
  }

  /** Whether a programming operation is in progress (EEPE reads 1). */
  busy(): boolean {
    return (this.chip.data[EEPROM_REGS.EECR]! & EEPE) !== 0;
  }

  /** Save the contents to `file` (or the file given in the options). */
  save(file = this.file): void {
    if (file) writeFileSync(file, this.memory);
  }

  private address(): number {
    const d = this.chip.data;
    return ((d[EEPROM_REGS.EEARH]! & 0x03) << 8) | d[EEPROM_REGS.EEARL]!;
  }

  private writeEecr(v: number, mask: number): boolean {
    const R = EEPROM_REGS;
    const d = this.chip.data;
    const now = this.chip.cycles();
    const strobes = v & mask;
    const old = d[R.EECR]!;
    // EERIE is a plain bit; EEPM1:0 cannot change during an operation.
    let next = (old & ~EERIE) | (v & EERIE);
    if (!(old & EEPE)) next = (next & ~(EEPM0 | EEPM1)) | (v & (EEPM0 | EEPM1));
    d[R.EECR] = next;
    if (strobes & EEMPE && !(strobes & EEPE)) {
      this.windowUntil = now + EEMPE_WINDOW;
      d[R.EECR] |= EEMPE;
      this.mpeTimer.armAt(this.windowUntil);
    } else if (strobes & EEPE) {
      if (now < this.windowUntil && !(old & EEPE)) this.program(now);
    } else if (strobes & EERE && !(old & EEPE)) {
      d[R.EEDR] = this.memory[this.address()]!;
      this.chip.addCycles?.(EEPROM_READ_STALL);
    }
    this.update();
    return true;
  }

  private program(now: number): void {
    const d = this.chip.data;
    const addr = this.address();
    const mode = (d[EEPROM_REGS.EECR]! >> 4) & 3;
    const value = d[EEPROM_REGS.EEDR]!;
    let time: number;
    if (mode === 0) {
      this.memory[addr] = value;
      time = this.times.eraseWrite;
    } else if (mode === 1) {
      this.memory[addr] = 0xff;
      time = this.times.erase;
    } else if (mode === 2) {
      this.memory[addr]! &= value;
      time = this.times.write;
    } else {
      return; // EEPM = 3: reserved
    }
    d[EEPROM_REGS.EECR] |= EEPE;
    this.timer.armAt(now + time);
    this.chip.addCycles?.(EEPROM_WRITE_STALL);
  }

  private done(): void {
    this.chip.data[EEPROM_REGS.EECR] &= ~EEPE;
    if (this.file) this.save();
    this.update();
  }

  private update(): void {
    const v = this.chip.data[EEPROM_REGS.EECR]!;
    this.chip.setInterrupt(AvrVector.EE_READY, (v & EERIE) !== 0 && (v & EEPE) === 0);
  }
}
