/**
 * The MPS2 Serial Communication Controller (system configuration registers of the FPGA image)
 * as QEMU 7.2 models it (hw/misc/mps2-scc.c) for the `mps2-an385` and `mps2-an386` boards.
 *
 * Registers (32-bit):
 * - CFG0 (read/write; bit 0 drives the `remap` output, which these boards leave unconnected),
 *   CFG1 (read/write; drives the SCC LEDs), CFG3 (board DIP switches, not modelled: reads 0),
 *   CFG4 (read-only, the board revision: 2 on these boards). CFG2 and CFG5..CFG7 do not exist
 *   on these FPGA images (read 0, writes ignored), nor do writes to CFG3/CFG4;
 * - the SYS_CFG channel to the motherboard configuration controller: CFGDATA_OUT, CFGCTRL
 *   (DEVICE [11:0], FUNCTION [25:20], WRITE [30], START [31]; reserved bits and START read 0),
 *   CFGDATA_RTN, CFGSTAT (DONE [0], ERROR [1]). Writing CFGCTRL clears CFGSTAT; with START the
 *   transfer completes at once: function 1 (OSCCLK) of devices 0..2 reads or writes the board
 *   oscillator settings (50 MHz, 24.576 MHz, 25 MHz at reset), anything else sets ERROR;
 * - DLL: bits [31:24] writable, the rest reads 0xffff0001 (every DLL locked);
 * - AID (0x00200008) and ID (0x41043850 on AN385, 0x41043860 on AN386), read-only.
 */
import type { MmioHandler } from '../core/bus.js';
import { IrqPin, type IrqLine } from '../core/irq.js';

/** Size of the SCC register window. */
export const MPS2_SCC_SIZE = 0x1000;

/** Register offsets. */
export const Mps2SccReg = {
  CFG0: 0x00,
  CFG1: 0x04,
  CFG2: 0x08,
  CFG3: 0x0c,
  CFG4: 0x10,
  CFG5: 0x14,
  CFG6: 0x18,
  CFG7: 0x1c,
  CFGDATA_RTN: 0xa0,
  CFGDATA_OUT: 0xa4,
  CFGCTRL: 0xa8,
  CFGSTAT: 0xac,
  DLL: 0x100,
  AID: 0xff8,
  ID: 0xffc,
} as const;

/** CFGCTRL fields. */
export const Mps2SccCfgctrl = {
  DEVICE_MASK: 0xfff,
  FUNCTION_SHIFT: 20,
  FUNCTION_MASK: 0x3f,
  WRITE: 1 << 30,
  START: 1 << 31,
  /** RES1 [19:12], RES2 [29:26] and START read as 0. */
  READ_MASK: ~((0xff << 12) | (0xf << 26) | (1 << 31)) >>> 0,
  RESET: 0x0010_0000,
} as const;

/** CFGSTAT bits. */
export const Mps2SccCfgstat = { DONE: 1 << 0, ERROR: 1 << 1 } as const;

/** DLL reset value (all DLLs locked). */
export const MPS2_SCC_DLL_RESET = 0xffff_0001;

/** Per-board identification. */
export interface Mps2SccBoard {
  /** SCC ID register. */
  id: number;
  /** SCC AID register. */
  aid: number;
  /** CFG4 (board revision). */
  cfg4: number;
  /** CFG0 at reset. */
  cfg0Reset: number;
  /** OSCCLK settings at reset (SYS_CFG function 1, devices 0..n-1). */
  oscclk: readonly number[];
}

/** QEMU 7.2's SCC settings for `mps2-an385`. */
export const MPS2_AN385_SCC: Mps2SccBoard = {
  id: 0x4104_3850,
  aid: 0x0020_0008,
  cfg4: 0x2,
  cfg0Reset: 0,
  oscclk: [50_000_000, 24_576_000, 25_000_000],
};

/** QEMU 7.2's SCC settings for `mps2-an386`. */
export const MPS2_AN386_SCC: Mps2SccBoard = { ...MPS2_AN385_SCC, id: 0x4104_3860 };

const SIZE_MASK = [0, 0xff, 0xffff, 0xff_ffff, 0xffff_ffff] as const;

/** Construction parameters of an {@link Mps2Scc}. */
export interface Mps2SccOptions {
  /** Board identification (default {@link MPS2_AN385_SCC}). */
  board?: Mps2SccBoard;
  /** The `remap` output (CFG0 bit 0). Default: unconnected. */
  remap?: IrqLine;
  /** Called with the new CFG1 value after each write (QEMU drives its SCC LED objects). */
  onLeds?: (leds: number) => void;
}

export class Mps2Scc implements MmioHandler {
  readonly board: Mps2SccBoard;
  readonly remap: IrqLine;
  private readonly onLeds: ((leds: number) => void) | undefined;
  private cfg0 = 0;
  private cfg1 = 0;
  private cfgdataRtn = 0;
  private cfgdataOut = 0;
  private cfgctrl = 0;
  private cfgstat = 0;
  private dll = 0;
  private readonly oscclk: number[];

  constructor(options: Mps2SccOptions = {}) {
    this.board = options.board ?? MPS2_AN385_SCC;
    this.remap = options.remap ?? new IrqPin();
    this.onLeds = options.onLeds;
    this.oscclk = [...this.board.oscclk];
    this.reset();
  }

  /** Device reset (QEMU does not drive `remap` on reset). */
  reset(): void {
    this.cfg0 = this.board.cfg0Reset >>> 0;
    this.cfg1 = 0;
    this.cfgdataRtn = 0;
    this.cfgdataOut = 0;
    this.cfgctrl = Mps2SccCfgctrl.RESET;
    this.cfgstat = 0;
    this.dll = MPS2_SCC_DLL_RESET;
    for (let i = 0; i < this.oscclk.length; i++) this.oscclk[i] = this.board.oscclk[i]! >>> 0;
  }

  /** Current OSCCLK setting `n`. */
  oscClock(n: number): number {
    const v = this.oscclk[n];
    if (v === undefined) throw new RangeError(`mps2-scc: no OSCCLK ${n}`);
    return v;
  }

  read(offset: number, size: number): number {
    let r: number;
    switch (offset) {
      case Mps2SccReg.CFG0: r = this.cfg0; break;
      case Mps2SccReg.CFG1: r = this.cfg1; break;
      case Mps2SccReg.CFG3: r = 0; break; // DIP switches, not modelled
      case Mps2SccReg.CFG4: r = this.board.cfg4; break;
      case Mps2SccReg.CFGDATA_RTN: r = this.cfgdataRtn; break;
      case Mps2SccReg.CFGDATA_OUT: r = this.cfgdataOut; break;
      case Mps2SccReg.CFGCTRL: r = this.cfgctrl; break;
      case Mps2SccReg.CFGSTAT: r = this.cfgstat; break;
      case Mps2SccReg.DLL: r = this.dll; break;
      case Mps2SccReg.AID: r = this.board.aid; break;
      case Mps2SccReg.ID: r = this.board.id; break;
      default: r = 0; // CFG2, CFG5..7 are absent on AN385/AN386
    }
    return (r & (SIZE_MASK[size] ?? 0xffff_ffff)) >>> 0;
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case Mps2SccReg.CFG0:
        this.cfg0 = value;
        this.remap.set((value & 1) !== 0);
        break;
      case Mps2SccReg.CFG1:
        this.cfg1 = value;
        if (this.onLeds !== undefined) this.onLeds(value);
        break;
      case Mps2SccReg.CFGDATA_OUT:
        this.cfgdataOut = value;
        break;
      case Mps2SccReg.CFGCTRL: {
        this.cfgstat = 0;
        this.cfgctrl = (value & Mps2SccCfgctrl.READ_MASK) >>> 0;
        if ((value & Mps2SccCfgctrl.START) !== 0) {
          const device = this.cfgctrl & Mps2SccCfgctrl.DEVICE_MASK;
          const fn = (this.cfgctrl >>> Mps2SccCfgctrl.FUNCTION_SHIFT) & Mps2SccCfgctrl.FUNCTION_MASK;
          const ok = fn === 1 && device < this.oscclk.length;
          this.cfgstat = Mps2SccCfgstat.DONE | (ok ? 0 : Mps2SccCfgstat.ERROR);
          if (ok) {
            if ((this.cfgctrl & Mps2SccCfgctrl.WRITE) !== 0) this.oscclk[device] = this.cfgdataOut;
            else this.cfgdataRtn = this.oscclk[device]!;
          }
        }
        break;
      }
      case Mps2SccReg.DLL:
        this.dll = ((this.dll & 0x00ff_ffff) | (value & 0xff00_0000)) >>> 0;
        break;
      default:
        break; // read-only or absent
    }
  }
}
