/**
 * The encoder's ingress port: one row per retired instruction (or per trap where nothing
 * retires), single retirement, as in the reference flow's `encoder_input.csv`.
 */

/** One ingress row. */
export interface IngressRow {
  /** Instruction type (see {@link ITYPE}); the meaning of 6..15 depends on the itype width. */
  itype: number;
  /** Exception or interrupt cause (without the interrupt bit), with itype 1 or 2. */
  cause: number;
  /** Trap value, with itype 1. */
  tval: bigint;
  /** Privilege the instruction ran in (0 U, 1 S, 3 M). */
  priv: number;
  /** Address of the instruction (for an interrupt: the address the handler returns to). */
  iaddr: bigint;
  /** 1 if the instruction retired, 0 for an exception or interrupt where nothing retired. */
  iretire: number;
  /** 0: 16-bit instruction, 1: 32-bit. */
  ilastsize: number;
  context: number;
  /** Context type (0 unreported, 1 imprecise, 2 precise, 3 asynchronous discontinuity). */
  ctype: number;
}

/** itype values. 0..5 are common to both widths; 6 is the 3-bit "uninferable jump". */
export const ITYPE = {
  none: 0,
  exception: 1,
  interrupt: 2,
  exceptionReturn: 3,
  nontakenBranch: 4,
  takenBranch: 5,
  /** itype width 3: any uninferable jump (including xRET as produced by the reference flow). */
  uninferableJump: 6,
  /** itype width 4 from here on. */
  uninferableCall: 8,
  inferableCall: 9,
  uninferableTailCall: 10,
  inferableTailCall: 11,
  coRoutineSwap: 12,
  return: 13,
  otherUninferableJump: 14,
  otherInferableJump: 15,
} as const;

/** Size in bytes of the row's instruction. */
export function instructionSize(row: IngressRow): number {
  return row.ilastsize ? 4 : 2;
}

/** True for itype 1 or 2. */
export function isTrapItype(itype: number): boolean {
  return itype === ITYPE.exception || itype === ITYPE.interrupt;
}

/** True for a taken or not-taken branch. */
export function isBranchItype(itype: number): boolean {
  return itype === ITYPE.nontakenBranch || itype === ITYPE.takenBranch;
}

/**
 * True if the itype is an uninferable discontinuity (before implicit return is considered):
 * 3 and 6 in both widths (3 is the spec's exception return), 8, 10, 12, 13, 14 with width 4.
 */
export function isUninferableItype(itype: number, width: 3 | 4): boolean {
  if (itype === ITYPE.exceptionReturn || itype === ITYPE.uninferableJump) return true;
  if (width === 3) return false;
  return (
    itype === ITYPE.uninferableCall ||
    itype === ITYPE.uninferableTailCall ||
    itype === ITYPE.coRoutineSwap ||
    itype === ITYPE.return ||
    itype === ITYPE.otherUninferableJump
  );
}

/** True for the width-4 itypes that push a return address (calls). */
export function isCallItype(itype: number): boolean {
  return itype === ITYPE.uninferableCall || itype === ITYPE.inferableCall;
}

/** The 3-bit itype for a 4-bit one: jumps become 6 (uninferable) or 0 (inferable). */
export function itypeWidth4To3(itype: number): number {
  if (itype <= 6) return itype;
  return isUninferableItype(itype, 4) ? ITYPE.uninferableJump : ITYPE.none;
}
