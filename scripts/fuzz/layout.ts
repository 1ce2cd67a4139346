/**
 * Memory map of a fuzz program (raw binary loaded at 0x80000000 on `virt`, 128 MiB of RAM):
 *
 *   0x80000000  harness: entry, trap handler, per-case init, dump routine (fixed code)
 *   0x80008000  STATE: register save area, trap log, saved CSRs, counters (see SLOT)
 *   0x80010800  DATA: the data area random loads/stores/AMOs work on (DATA_SIZE bytes), across
 *               a page boundary (misaligned accesses straddle it); gp always holds DATA + 0x800
 *               (= 0x80011000) so that `off(gp)` reaches all of it
 *   0x80020000  cases: each case's code followed by its image (initial registers, then the
 *               initial contents of DATA, then for an `fp` case the initial f registers and
 *               fcsr, and for a `paging` case its page tables), one after another
 *   0x87000000  PT_BASE: the page tables of a `paging` case (copied from its image by init)
 *
 * A `paging` case maps [RAM_BASE, RAM_BASE + CODE_SPAN) identically (the harness, STATE, DATA and
 * all the cases of a program must fit in it), so S-mode and U-mode code runs where it was loaded.
 */
export type Xlen = 32 | 64;

export const RAM_BASE = 0x80000000n;
export const RAM_SIZE = 128n * 1024n * 1024n;
export const RAM_END = RAM_BASE + RAM_SIZE;
export const STATE = 0x80008000n;
export const DATA = 0x80010800n;
export const DATA_SIZE = 4096;
/** gp (x3) holds this for the whole case: never written by generated code. */
export const GP_VALUE = DATA + 0x800n;
export const CASES_BASE = 0x80020000n;
/** Page tables of a paging case (outside the identity-mapped code span: reached only by the walker, M-mode and windows). */
export const PT_BASE = 0x87000000n;
/** At most this many 4 KiB tables per case. */
export const PT_MAX_PAGES = 12;
/** Identity-mapped span (from RAM_BASE) in a paging case's page tables: the whole program must fit. */
export const CODE_SPAN = 32n * 1024n * 1024n;
/** Where the epilogue of an fp case saves f0..f31 (8 bytes each) and fcsr (at +256). */
export const FSTATE = 0x80008700n;

export const UART = 0x10000000n;
export const FINISHER = 0x100000n;

/** Trap log capacity (entries beyond it are only counted). */
export const TRAP_LOG_MAX = 32;
/** The handler stops the run (a trap storm: something jumped into a loop of faults). */
export const TRAP_STORM = 4000;

/** STATE slots (each XLEN/8 bytes); offsets must stay below 2048 bytes on RV64. */
export const SLOT = {
  NEXT: 0, // address of the next case, 0 = finish
  SAVE: 0, // SAVE + r = saved x[r], r = 1..31
  TCOUNT: 32, // number of traps in this case
  HSAVE: 33, // 33..35: handler's t0..t2
  HSTART: 36, // minstret at handler entry
  HTOTAL: 37, // instructions spent in the handler (between its minstret reads)
  ISTART: 38, // minstret at the end of init
  IEND: 39, // minstret in the epilogue
  IMG: 40, // the current case's image
  CASENO: 41, // dump counter
  DUMMY: 42, // target of the reservation-clearing sc.w
  GATE: 43, // address of the case's exit gate (paging cases), else 1 (never a trap's mepc)
  FPIMG: 44, // the case's FP image (f0..f31, fcsr/FS), 0 if not an fp case
  PTIMG: 45, // the case's page-table image, 0 if not a paging case
  PTSIZE: 46, // its size in bytes
  MSTSAVE: 47, // mstatus in the epilogue of an fp case (while FS is forced on to read the f registers)
  CSRS: 48, // 48..95: CSR values saved at boot, restored before each case
  LOG: 96, // 96..191: trap log, 3 slots per entry (mcause, mepc, mtval)
} as const;

/**
 * CSRs saved at boot and restored before every case (so that no case sees another's CSR writes),
 * and printed after every case. All exist in QEMU 7.2 (rvNN,f=off,d=off,h=off) and tracehook.
 * mtvec and sscratch belong to the harness and are never written by generated code.
 */
export function resetCsrs(xlen: Xlen): { name: string; num: number }[] {
  const l: [string, number][] = [
    ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303], ['mie', 0x304],
    ['mcounteren', 0x306], ['menvcfg', 0x30a], ['mcountinhibit', 0x320], ['mscratch', 0x340], ['mepc', 0x341],
    ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344], ['stvec', 0x105], ['scounteren', 0x106], ['senvcfg', 0x10a],
    ['sepc', 0x141], ['scause', 0x142], ['stval', 0x143], ['satp', 0x180],
    ['pmpcfg0', 0x3a0], ...(xlen === 32 ? [['pmpcfg1', 0x3a1] as [string, number]] : []), ['pmpcfg2', 0x3a2],
    ...(xlen === 32 ? [['pmpcfg3', 0x3a3] as [string, number]] : []),
    ['pmpaddr0', 0x3b0], ['pmpaddr1', 0x3b1], ['pmpaddr2', 0x3b2], ['pmpaddr3', 0x3b3],
    ['pmpaddr15', 0x3bf],
  ];
  return l.map(([name, num]) => ({ name, num }));
}

/** Hex digits of an XLEN value. */
export const hexDigits = (xlen: Xlen): number => xlen / 4;
