/**
 * Floating-point state of a hart (F and D): 32 registers of 64 bits, kept as raw bits so that
 * NaN-boxing and signalling NaNs survive exactly, plus the accrued exception flags and the
 * dynamic rounding mode of `fcsr`.
 */
export class FpState {
  /** Register r: low word at f[2r], high word at f[2r+1]. A single is NaN-boxed: high word -1. */
  readonly f = new Int32Array(64);
  /**
   * The same registers as doubles (register r is d[r]) and as singles (a single in register r is
   * s[2r]), for reading operands and writing non-NaN results without bit juggling. NaN bits must
   * only ever be read and written through `f` (a float view may quiet or rewrite NaN payloads).
   */
  readonly d = new Float64Array(this.f.buffer);
  readonly s = new Float32Array(this.f.buffer);
  /** fflags: NV 16, DZ 8, OF 4, UF 2, NX 1. */
  fflags = 0;
  /** frm: 0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM; 5-7 reserved (an instruction using them is illegal). */
  frm = 0;

  get fcsr(): number { return (this.frm << 5) | this.fflags; }
  set fcsr(v: number) { this.fflags = v & 0x1f; this.frm = (v >> 5) & 7; }
}
