/**
 * Operation numbers and exit reason codes of the Arm semihosting interface
 * ("Semihosting for AArch32 and AArch64", release 2.0), shared by RISC-V semihosting.
 */

export const SYS = {
  OPEN: 0x01,
  CLOSE: 0x02,
  WRITEC: 0x03,
  WRITE0: 0x04,
  WRITE: 0x05,
  READ: 0x06,
  READC: 0x07,
  ISERROR: 0x08,
  ISTTY: 0x09,
  SEEK: 0x0a,
  FLEN: 0x0c,
  TMPNAM: 0x0d,
  REMOVE: 0x0e,
  RENAME: 0x0f,
  CLOCK: 0x10,
  TIME: 0x11,
  SYSTEM: 0x12,
  ERRNO: 0x13,
  GET_CMDLINE: 0x15,
  HEAPINFO: 0x16,
  EXIT: 0x18,
  SYNCCACHE: 0x19,
  EXIT_EXTENDED: 0x20,
  ELAPSED: 0x30,
  TICKFREQ: 0x31,
} as const;

/** The one SYS_EXIT reason that means a normal application exit. */
export const ADP_Stopped_ApplicationExit = 0x20026;

/** Names of the SYS_EXIT reason codes (hardware vector reasons, then software reasons). */
export const EXIT_REASON_NAMES: ReadonlyMap<number, string> = new Map([
  [0x20000, 'ADP_Stopped_BranchThroughZero'],
  [0x20001, 'ADP_Stopped_UndefinedInstr'],
  [0x20002, 'ADP_Stopped_SoftwareInterrupt'],
  [0x20003, 'ADP_Stopped_PrefetchAbort'],
  [0x20004, 'ADP_Stopped_DataAbort'],
  [0x20005, 'ADP_Stopped_AddressException'],
  [0x20006, 'ADP_Stopped_IRQ'],
  [0x20007, 'ADP_Stopped_FIQ'],
  [0x20020, 'ADP_Stopped_BreakPoint'],
  [0x20021, 'ADP_Stopped_WatchPoint'],
  [0x20022, 'ADP_Stopped_StepComplete'],
  [0x20023, 'ADP_Stopped_RunTimeErrorUnknown'],
  [0x20024, 'ADP_Stopped_InternalError'],
  [0x20025, 'ADP_Stopped_UserInterruption'],
  [0x20026, 'ADP_Stopped_ApplicationExit'],
  [0x20027, 'ADP_Stopped_StackOverflow'],
  [0x20028, 'ADP_Stopped_DivisionByZero'],
  [0x20029, 'ADP_Stopped_OSSpecific'],
]);

/**
 * Contents of the ":semihosting-features" pseudo-file: magic "SHFB" then feature byte 0 with
 * SH_EXT_EXIT_EXTENDED (bit 0) and SH_EXT_STDOUT_STDERR (bit 1), as QEMU reports them.
 */
export const FEATURE_FILE: Uint8Array = Uint8Array.of(0x53, 0x48, 0x46, 0x42, 0x03);
