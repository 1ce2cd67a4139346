/**
 * Encoder and decoder parameters of the E-Trace instruction-trace codec. Both sides must agree
 * on them (the decoder learns the run-time options from the support packet, but field widths
 * are static). Defaults are configuration `a` of the golden data (RV64).
 */

/** Widths of the support packet's option fields (format 3 subformat 3). */
export interface SupportFieldWidths {
  encoderMode: number;
  qualStatus: number;
  ioptions: number;
  denable: number;
  dloss: number;
  doptions: number;
}

/** Static and run-time parameters of the codec. */
export interface EtraceParams {
  /** Width of an instruction address in bits (64 for RV64, 32 for RV32). */
  iaddressWidthP: number;
  /** Number of low address bits never transmitted (1 with the C extension). */
  iaddressLsbP: number;
  /** Format 1/2 packets carry full addresses instead of differences to the previous one. */
  fullAddress: boolean;
  /** Width of the context field; absent when `nocontextP`. */
  contextWidthP: number;
  nocontextP: boolean;
  /** Width of the time field; absent when `notimeP`. */
  timeWidthP: number;
  notimeP: boolean;
  ecauseWidthP: number;
  privilegeWidthP: number;
  /** Width of the ingress `itype` (3: branches/jumps only, 4: calls and returns told apart). */
  itypeWidthP: 3 | 4;
  /**
   * Implicit return: returns whose target matches the predicted return address are not
   * reported. Needs `itypeWidthP` 4 on the encoder side and a non-zero irdepth width
   * (`returnStackSizeP` or `callCounterSizeP`).
   */
  implicitReturn: boolean;
  /** log2 of the return address stack depth (0: no stack). */
  returnStackSizeP: number;
  /** Width of a nested call counter (0: none). */
  callCounterSizeP: number;
  /**
   * Branch prediction (format 0 subformat 0): log2 of the predictor's table size, 0 = off (the
   * default). Encoder and decoder keep the same predictor, see the encoder's documentation.
   */
  bpredSizeP: number;
  /**
   * Jump target cache (format 0 subformat 1): log2 of the number of cache entries, 0 = off (the
   * default).
   */
  cacheSizeP: number;
  /** The reference flow's `resync-max`: a resync is due after 2^(resyncMax+4) packets. */
  resyncMax: number;
  /** Instructions retired per ingress row (only 1 is supported). */
  retiresP: 1;
  /** Width of `ilastsize` (1: 16- or 32-bit instructions). */
  ilastsizeWidthP: 1;
  support: SupportFieldWidths;
}

/** Configuration `a` of the golden data, for RV64. */
export const DEFAULT_PARAMS: Readonly<EtraceParams> = Object.freeze({
  iaddressWidthP: 64,
  iaddressLsbP: 1,
  fullAddress: false,
  contextWidthP: 32,
  nocontextP: false,
  timeWidthP: 1,
  notimeP: true,
  ecauseWidthP: 5,
  privilegeWidthP: 2,
  itypeWidthP: 3,
  implicitReturn: false,
  returnStackSizeP: 0,
  callCounterSizeP: 0,
  bpredSizeP: 0,
  cacheSizeP: 0,
  resyncMax: 0,
  retiresP: 1,
  ilastsizeWidthP: 1,
  support: Object.freeze({ encoderMode: 1, qualStatus: 2, ioptions: 5, denable: 1, dloss: 1, doptions: 4 }),
});

/** Return-stack size used when implicit return is switched on without a size (8 entries). */
export const DEFAULT_IMPLICIT_RETURN_STACK_SIZE_P = 3;

/** Parameters with defaults filled in; switching implicit return on picks a return stack. */
export function makeParams(overrides: Partial<EtraceParams> = {}): EtraceParams {
  const p: EtraceParams = { ...DEFAULT_PARAMS, support: { ...DEFAULT_PARAMS.support }, ...overrides };
  if (p.implicitReturn && overrides.returnStackSizeP === undefined && overrides.callCounterSizeP === undefined) {
    p.returnStackSizeP = DEFAULT_IMPLICIT_RETURN_STACK_SIZE_P;
  }
  validateParams(p);
  return p;
}

/** Throws a RangeError naming the first inconsistent parameter. */
export function validateParams(p: EtraceParams): void {
  if (p.iaddressWidthP < 2 || p.iaddressWidthP > 64) throw new RangeError(`iaddress_width_p ${p.iaddressWidthP} out of range`);
  if (p.iaddressLsbP < 0 || p.iaddressLsbP >= p.iaddressWidthP) throw new RangeError(`iaddress_lsb_p ${p.iaddressLsbP} out of range`);
  if (p.itypeWidthP !== 3 && p.itypeWidthP !== 4) throw new RangeError(`itype width must be 3 or 4`);
  if (!Number.isInteger(p.resyncMax) || p.resyncMax < 0 || p.resyncMax > 20) throw new RangeError(`resync-max ${p.resyncMax} out of range 0..20`);
  if (!Number.isInteger(p.bpredSizeP) || p.bpredSizeP < 0 || p.bpredSizeP > 20) throw new RangeError(`bpred_size_p ${p.bpredSizeP} out of range 0..20`);
  if (!Number.isInteger(p.cacheSizeP) || p.cacheSizeP < 0 || p.cacheSizeP > 16) throw new RangeError(`cache_size_p ${p.cacheSizeP} out of range 0..16`);
  if (p.implicitReturn && irdepthWidth(p) === 0) {
    throw new RangeError('implicit return needs return_stack_size_p or call_counter_size_p > 0');
  }
}

/** Width A of the address field: iaddress_width_p - iaddress_lsb_p. */
export function addressFieldWidth(p: EtraceParams): number {
  return p.iaddressWidthP - p.iaddressLsbP;
}

/** Width of the irdepth field of format 1/2 packets. */
export function irdepthWidth(p: EtraceParams): number {
  return p.returnStackSizeP + (p.returnStackSizeP > 0 ? 1 : 0) + p.callCounterSizeP;
}

/** Depth of the implicit-return stack (both encoder and decoder keep one this deep). */
export function returnStackDepth(p: EtraceParams): number {
  return 2 ** (p.returnStackSizeP > 0 ? p.returnStackSizeP : p.callCounterSizeP);
}

/** Number of packets after which a resync is due: 2^(resyncMax + 4). */
export function resyncPeriod(p: EtraceParams): number {
  return 2 ** (p.resyncMax + 4);
}

/**
 * Width of the format 0 subformat field (the spec's f0s_width): 1 when both optional formats
 * (branch prediction and jump target cache) are on; 0 when at most one is, the subformat then
 * being the one the support packet's options enable (the spec allows omitting the field then).
 */
export function f0sWidth(p: EtraceParams): number {
  return p.bpredSizeP > 0 && p.cacheSizeP > 0 ? 1 : 0;
}

/** Option bits of the support packet (bit 0 implicit return, 2 full address, 3 jump target cache, 4 branch prediction). */
export const IOPTION = {
  implicitReturn: 1,
  implicitException: 2,
  fullAddress: 4,
  jumpTargetCache: 8,
  branchPrediction: 16,
} as const;

/** The `ioptions` value the encoder sends for these parameters. */
export function ioptionsFor(p: EtraceParams): number {
  return (p.implicitReturn ? IOPTION.implicitReturn : 0) | (p.fullAddress ? IOPTION.fullAddress : 0) |
    (p.cacheSizeP > 0 ? IOPTION.jumpTargetCache : 0) | (p.bpredSizeP > 0 ? IOPTION.branchPrediction : 0);
}
