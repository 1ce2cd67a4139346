/**
 * Streaming E-Trace instruction-trace encoder, following the specification's example encoder
 * algorithm (the flowchart) as the reference flow implements it: a three-row pipeline
 * (previous, current, next), a branch map of up to 31 branches, format 1/2 packets for
 * uninferable discontinuities, format 3 packets for the first instruction, traps, privilege
 * changes and periodic resynchronisation, and support packets at the start and the end.
 *
 * Deliberate differences from the reference flow (none changes its outputs on the golden data):
 * - itype 3 (exception return) is an uninferable discontinuity like 6 / 14;
 * - the periodic resync (format 3 subformat 0) is not sent on an exception-only row (whose
 *   address never executes); the trap packet that follows resets the count anyway;
 * - implicit return is implemented (the reference flow only has a TODO), see {@link EtraceEncoder};
 * - so are the optional branch prediction and jump target cache modes (format 0 packets), off by
 *   default, see {@link EtraceEncoder}.
 */
import { maskBits } from './bits.js';
import { ITYPE, instructionSize, isBranchItype, isCallItype, isTrapItype, isUninferableItype, type IngressRow } from './ingress.js';
import { addressField, BRANCH_FMT, branchMapWidth, codeIrdepth, frame, serialise, statusBits, TE_INST_MSG_TYPE, type TeInstPacket } from './packets.js';
import { addressFieldWidth, ioptionsFor, irdepthWidth, makeParams, resyncPeriod, returnStackDepth, type EtraceParams } from './params.js';

/** A packet as the encoder produced it. */
export interface EncodedPacket {
  packet: TeInstPacket;
  /** Payload bytes (sign-compressed). */
  payload: Uint8Array;
  /** Header byte + payload. */
  bytes: Uint8Array;
  /** 1-based ingress row that was current when the packet was sent (0 before the first row). */
  row: number;
  /** Why the packet was sent (names of the flowchart's conditions). */
  reasons: string[];
}

/** Options of {@link EtraceEncoder}. */
export interface EncoderOptions {
  /** Called for every packet as it is produced (in addition to collecting it). */
  onPacket?: (p: EncodedPacket) => void;
  /** Keep every packet in {@link EtraceEncoder.packets} (default true). */
  collect?: boolean;
  /**
   * Reproduce the reference flow's resync on an exception-only row (a start packet whose
   * address never executed); off by default. Only for showing the difference in tests.
   */
  resyncOnTrapRow?: boolean;
  /**
   * Keep the byte stream (header + payload of every packet) in the encoder: read it with
   * {@link EtraceEncoder.streamBytes}. With `collect` false and no `onPacket`, packets are then
   * written straight as bytes, without building {@link EncodedPacket} objects (the fast way to get
   * only the stream).
   */
  stream?: boolean;
}

/** One pipeline stage. The three slot objects are reused (rotated), rows are never modified. */
interface Slot {
  row: IngressRow;
  qualified: boolean;
  /** Decided when the row is current: its discontinuity must be reported. */
  updiscon: boolean;
}

/**
 * A sequence of rows prepared once for {@link EtraceEncoder.pushRun} (e.g. the rows of one
 * translated block). Rows are shared, never modified: keep them immutable.
 */
export class RowRun {
  /**
   * True when the rows between the first and the last are provably quiet whenever the encoder
   * is in a quiet resync state (see pushRun): at least 3 rows, all but the last plain (itype 0,
   * retired), the last no trap row, all with the same privilege and context.
   */
  readonly skippable: boolean;
  /** Number of rows with iretire = 1. */
  readonly retired: number;
  /** Privilege and context of the first row (of every row when skippable). */
  readonly priv: number;
  readonly context: number;
  /** itype of the last row. */
  readonly lastItype: number;
  /** Number of rows. */
  readonly length: number;
  /**
   * -1 unless every row but the last is plain (itype 0, retired), the last is no trap row, all of
   * one privilege and context (any length, unlike {@link skippable}); else a number per
   * (privilege, context) pair.
   */
  readonly steadyKey: number;

  constructor(readonly rows: readonly IngressRow[]) {
    const n = rows.length;
    let ok = n >= 1;
    if (ok) {
      const f = rows[0]!;
      for (let i = 0; i < n && ok; i++) {
        const r = rows[i]!;
        if (r.priv !== f.priv || r.context !== f.context) ok = false;
        else if (i < n - 1 && (r.itype !== ITYPE.none || r.iretire !== 1)) ok = false;
        else if (i === n - 1 && isTrapItype(r.itype)) ok = false;
      }
    }
    this.skippable = ok && n >= 3;
    this.retired = rows.reduce((k, r) => k + (r.iretire ? 1 : 0), 0);
    this.priv = n === 0 ? -1 : rows[0]!.priv;
    this.context = n === 0 ? -1 : rows[0]!.context;
    this.lastItype = n === 0 ? -1 : rows[n - 1]!.itype;
    this.length = n;
    this.steadyKey = ok ? steadyKeyOf(this.priv, this.context) : -1;
  }
}

const steadyKeys = new Map<string, number>();
function steadyKeyOf(priv: number, context: number): number {
  const s = `${priv}/${context}`;
  let k = steadyKeys.get(s);
  if (k === undefined) steadyKeys.set(s, (k = steadyKeys.size));
  return k;
}

/** Growable byte buffer for the stream. */
class ByteStream {
  buf = new Uint8Array(1 << 16);
  length = 0;
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
}

const EMPTY_ROW: IngressRow = { itype: 0, cause: 0, tval: 0n, priv: 0, iaddr: 0n, iretire: 0, ilastsize: 0, context: 0, ctype: 0 };
const MAX_BRANCHES = 31;
const CTYPE_PRECISE = 2;

/**
 * The encoder. Feed ingress rows in order with {@link push} (or {@link pushRun}), then call
 * {@link finish}.
 *
 * Implicit return (params.implicitReturn, itype width 4): the encoder keeps the same return
 * address stack as the decoder (push the link address on a call, itype 8/9; pop on a return,
 * itype 13; the oldest entry is dropped when full; cleared by every format 3 sync). A return
 * whose target equals the popped address is not reported; the number of such returns since
 * the last packet travels in the `irdepth` field of the next format 1/2 packet (XORed with
 * copies of the irreport bit, see {@link codeIrdepth}) so the decoder
 * can find the reported instruction. A return to another address (or one that would overflow
 * that count) is reported as an uninferable discontinuity with the irreport flag set.
 * Pending implicit returns force the same flush before a resync or privilege change as
 * pending branches.
 *
 * Branch prediction (params.bpredSizeP > 0, format 0 subformat 0): encoder and decoder keep the
 * same predictor, 2^bpred_size_p 2-bit saturating counters indexed by the instruction address
 * bits above iaddress_lsb_p (bits bpred_size_p:1 with compressed instructions), states 00/01
 * predict not taken, 11/10 predict taken (01 -> 00 on success, -> 11 on failure; 00 -> 01 on
 * failure; 11 -> 10 on failure; 10 -> 11 on success, -> 00 on failure), all set to 01 whenever a
 * format 3 sync packet (subformat 0 or 1) is sent. Every branch updates its counter; the branch
 * of the row that sends a sync packet (reported by the packet's `branch` bit) updates it after
 * the reset. Branches go to the map as before, and while every branch in it was predicted
 * correctly the encoder notes it: when the map would be sent full (31 branches) and all of them
 * were predicted correctly, nothing is sent and the encoder counts instead (count mode, the map
 * stays empty). A count ends, with a format 0 subformat 0 packet carrying the number of correct
 * predictions minus 31, when
 * - a branch fails its prediction: `branch_fmt` 0, no address (the failing branch is implied),
 *   unless that row sends an address anyway (next bullet), then `branch_fmt` 3 with it;
 * - any packet with an address is due (uninferable discontinuity, trap, privilege change,
 *   resync, end): `branch_fmt` 2 (a branch at that address is the last one counted);
 * - the count field would overflow: `branch_fmt` 2 with the address of that branch.
 * Pending counts are flushed before a privilege change, trap or resync like pending branches,
 * so a sync packet never loses one. A map with any mispredicted branch is sent as format 1.
 *
 * Jump target cache (params.cacheSizeP > 0, format 0 subformat 1): both sides keep a direct
 * mapped cache of 2^cache_size_p addresses indexed by the address bits above iaddress_lsb_p, all
 * entries invalidated by every sync packet. Choice (documented deviation): the cache is looked up
 * and filled with the address of every format 0/1/2 packet that carries one (the spec speaks of
 * uninferable-jump targets, which nearly all of them are here), because the decoder cannot always
 * tell from its walk whether an address was reached through the jump (the spec's inferred
 * address case) when it must resolve an index. On a hit the packet is sent as format 0 subformat
 * 1 (the index, the branch map, irreport/irdepth) when its notify and updiscon flags are both 0
 * (the format has no such bits), no branch count is pending, and it is not longer than the
 * format 1/2 packet; a miss replaces the entry. A subformat 1 packet counts as one carrying an
 * address (the next differential address is relative to the cached one).
 *
 * With either option on the fast paths below (quiet rows, {@link pushRun}'s skipping, the steady
 * state, {@link pushRunRepeated}, packets written straight as bits) are switched off: every row
 * takes the whole flowchart, so predictor and cache see every branch and address. With both off
 * (the default) nothing changes.
 *
 * Speed: a row whose clock of the flowchart provably sends nothing ("quiet": no trap around it,
 * same privilege and context as its neighbours, no discontinuity to report, the branch map not
 * filling, the resync count below its limit, or at it with nothing pending) only updates the
 * branch map and the return stack ({@link quiet}); everything else takes the whole flowchart
 * ({@link encode}). {@link pushRun} skips the quiet middle of a run of plain rows in O(1).
 */
export class EtraceEncoder {
  readonly params: EtraceParams;
  /** Packets produced so far (unless `collect` is false). */
  readonly packets: EncodedPacket[] = [];
  private readonly onPacket: ((p: EncodedPacket) => void) | undefined;
  private readonly collect: boolean;
  private readonly resyncOnTrapRow: boolean;
  /** EncodedPacket objects are needed (collect or onPacket). */
  private readonly objects: boolean;
  private readonly stream: ByteStream | null;
  /** Packets and stream bytes (headers included) produced so far. */
  packetCount = 0;
  byteCount = 0;

  private prev: Slot = { row: EMPTY_ROW, qualified: false, updiscon: false };
  private curr: Slot = { row: EMPTY_ROW, qualified: false, updiscon: false };
  private next: Slot = { row: EMPTY_ROW, qualified: false, updiscon: false };
  private rowCount = 0;
  private currentRow = 0;
  private finished = false;

  private branches = 0;
  private branchMap = 0;
  private resyncCount = 0;
  private readonly resyncMaxCount: number;
  private trapReported = false;
  private lastAddress = 0n;
  private traceEnabled = true;

  // Implicit return state.
  private readonly implicitReturn: boolean;
  private readonly itypeWidth: 3 | 4;
  private readonly stack: bigint[] = [];
  private readonly stackDepth: number;
  private irets = 0;
  private readonly iretsMax: number;
  private irreportPending = false;
  private irreportNow = false;

  /**
   * Steady state, slots not written yet: when set, the pipeline holds the last three rows of this
   * (skippable) run, the first two already clocked quietly (prev and curr plain, no discontinuity),
   * no irreport pending (see {@link materialize}).
   */
  private steady: RowRun | null = null;
  /** In the steady state: the last three rows pushed (prev, curr, next once materialized). */
  private tail0: IngressRow | null = null;
  private tail1: IngressRow | null = null;
  private tail2: IngressRow | null = null;
  /** Payload bits of a packet written straight to the stream (one per byte), and their count. */
  private readonly bitBuf = new Uint8Array(1024);
  private nbits = 0;
  /** Per itype: 0 may send or has effects, 1 plain (no effect of its own), 2 branch. */
  private readonly simple = new Uint8Array(16);

  // Flags of the current clock (read by the packet it sends).
  private flagNotify = false;
  private flagUpdiscon = false;
  private flagIrreport = false;

  // Branch prediction and jump target cache (see the class comment); null when off.
  /** Fast paths off (either option on). */
  private readonly slow: boolean;
  private readonly bpred: Uint8Array | null;
  private readonly bpredMask: bigint;
  /** Every branch in the map was predicted correctly. */
  private allCorrect = true;
  /** Count mode: number of correctly predicted branches not yet reported (>= 31; map empty). */
  private predCount = 0;
  /** Count mode: the current row's branch failed its prediction. */
  private predFail = false;
  /** Predictor entry to update after the current row's decision (-1: none), and the outcome. */
  private bpredUpdate = -1;
  private bpredTaken = false;
  private readonly jtc: (bigint | null)[] | null;
  private readonly jtcMask: bigint;

  constructor(params: Partial<EtraceParams> | EtraceParams = {}, options: EncoderOptions = {}) {
    this.params = makeParams(params);
    if (this.params.implicitReturn && this.params.itypeWidthP !== 4) {
      throw new RangeError('implicit return needs itype width 4 (calls and returns told apart)');
    }
    this.onPacket = options.onPacket;
    this.collect = options.collect ?? true;
    this.resyncOnTrapRow = options.resyncOnTrapRow ?? false;
    this.objects = this.collect || this.onPacket !== undefined;
    this.stream = options.stream ? new ByteStream() : null;
    this.implicitReturn = this.params.implicitReturn;
    this.itypeWidth = this.params.itypeWidthP;
    this.resyncMaxCount = resyncPeriod(this.params);
    this.stackDepth = returnStackDepth(this.params);
    this.iretsMax = 2 ** irdepthWidth(this.params) - 1;
    for (let it = 0; it < 16; it++) {
      const effects = isTrapItype(it) || isUninferableItype(it, this.itypeWidth) || (this.implicitReturn && (isCallItype(it) || it === ITYPE.return));
      this.simple[it] = effects ? 0 : isBranchItype(it) ? 2 : 1;
    }
    const bp = this.params.bpredSizeP, jc = this.params.cacheSizeP;
    this.bpred = bp > 0 ? new Uint8Array(2 ** bp).fill(1) : null;
    this.bpredMask = BigInt(2 ** bp - 1);
    this.jtc = jc > 0 ? new Array<bigint | null>(2 ** jc).fill(null) : null;
    this.jtcMask = BigInt(2 ** jc - 1);
    this.slow = bp > 0 || jc > 0;
    this.sendSupport(false);
  }

  /** Add the next ingress row. */
  push(row: IngressRow): void {
    if (this.finished) throw new Error('encoder already finished');
    if (this.steady !== null) this.materialize();
    this.pushOne(row);
  }

  /**
   * Add the rows of a run, in order: exactly what pushing them one by one does. When the run is
   * {@link RowRun.skippable} and, once its first two rows are in, the resync count is below its
   * limit (or at it with nothing pending), the clocks of the rows between the first and the last
   * are quiet and leave nothing but the pipeline moved: they are skipped.
   */
  pushRun(run: RowRun): void {
    if (this.finished) throw new Error('encoder already finished');
    if (this.slow) {
      // Branch prediction or jump target cache on: every row through the whole flowchart.
      for (const r of run.rows) this.pushOne(r);
      return;
    }
    const st = this.steady;
    if (st !== null) {
      // Steady state (prev and curr plain, next = L, the last row of the previous run, not a
      // trap): with a skippable run of the same privilege and context, L's clock is quiet when L
      // has no effect of its own, the map does not fill and the resync count allows; then L
      // leaves no discontinuity, so the new run's first row and its middle are quiet too (the
      // same resync condition, nothing else changed) and the steady state holds with this run.
      const it = st.lastItype;
      const k = it >= 0 && it < 16 ? this.simple[it]! : 0;
      // Same steadyKey: run skippable, same privilege and context (st is skippable).
      if (k !== 0 && run.steadyKey === st.steadyKey) {
        let br = this.branches;
        if (k === 2) br++;
        const rc = this.resyncCount, max = this.resyncMaxCount;
        if (br < MAX_BRANCHES && !(rc >= max && (rc > max || br !== 0 || (this.implicitReturn && this.irets > 0)))) {
          if (it === ITYPE.nontakenBranch) this.branchMap = (this.branchMap | (1 << this.branches)) >>> 0;
          this.branches = br;
          this.steady = run;
          this.advanceTail(run, 1);
          this.rowCount += run.length;
          return;
        }
        if (k === 2 && br === MAX_BRANCHES && rc < max && !this.objects) {
          // L is the 31st branch: below the resync limit nothing comes before rpt_br in the
          // flowchart (prev plain, no discontinuity, same privilege and context, next not a
          // trap), so its clock sends just the full map; after it (no branches, the count at
          // most at its limit, no implicit returns) the new run's clocks are quiet as above.
          if (it === ITYPE.nontakenBranch) this.branchMap = (this.branchMap | (1 << this.branches)) >>> 0;
          this.branches = br;
          this.emitFullMap(this.branchMap);
          this.trapReported = false;
          this.steady = run;
          this.advanceTail(run, 1);
          this.rowCount += run.length;
          return;
        }
      }
      this.materialize();
    }
    const rows = run.rows, n = rows.length;
    if (!run.skippable) {
      for (let i = 0; i < n; i++) this.pushOne(rows[i]!);
      return;
    }
    this.pushOne(rows[0]!);
    this.pushOne(rows[1]!);
    const rc = this.resyncCount, max = this.resyncMaxCount;
    if (rc > max || (rc === max && (this.branches !== 0 || (this.implicitReturn && this.irets > 0)))) {
      for (let i = 2; i < n; i++) this.pushOne(rows[i]!);
      return;
    }
    // Rows 1..n-2 are plain, between plain rows (or the non-trap last row) of the same privilege
    // and context, after a plain row (no discontinuity): each clock is quiet (nothing sent, no
    // branch, no stack effect); only the pipeline moves.
    this.rowCount += n - 2;
    this.trapReported = false;
    this.irreportNow = false;
    this.irreportPending = false;
    this.steady = run;
    this.tail0 = rows[n - 3]!; this.tail1 = rows[n - 2]!; this.tail2 = rows[n - 1]!;
  }

  /** Write the pipeline slots of the steady state. */
  private materialize(): void {
    this.steady = null;
    const p = this.prev, c = this.curr, x = this.next;
    p.row = this.tail0!; p.qualified = true; p.updiscon = false;
    c.row = this.tail1!; c.qualified = true; c.updiscon = false;
    x.row = this.tail2!; x.qualified = true; x.updiscon = false;
    this.currentRow = this.rowCount - 1;
  }

  /** The last three rows after `times` more pushes of `run`'s rows (in the steady state). */
  private advanceTail(run: RowRun, times: number): void {
    const rows = run.rows, L = rows.length;
    const total = L * times;
    if (total >= 3) {
      this.tail0 = rows[(total - 3) % L]!; this.tail1 = rows[(total - 2) % L]!; this.tail2 = rows[(total - 1) % L]!;
    } else if (total === 2) {
      this.tail0 = this.tail2; this.tail1 = rows[0]!; this.tail2 = rows[1 % L]!;
    } else if (total === 1) {
      this.tail0 = this.tail1; this.tail1 = this.tail2; this.tail2 = rows[0]!;
    }
  }

  /**
   * {@link pushRun} `m` times with the same run (a block that loops on itself). In the steady
   * state with this run's last row plain, every step is the same quiet step; with it a branch and
   * the resync count below its limit, the steps until the map would fill only add branch bits:
   * both done at once.
   */
  pushRunRepeated(run: RowRun, m: number): void {
    if (this.slow) {
      for (; m > 0; m--) this.pushRun(run);
      return;
    }
    while (m > 0) {
      if (this.steady === run && !this.finished) {
        const it = run.lastItype;
        const k = it >= 0 && it < 16 ? this.simple[it]! : 0;
        const rc = this.resyncCount, max = this.resyncMaxCount, br = this.branches;
        if (k === 1 && !(rc >= max && (rc > max || br !== 0 || (this.implicitReturn && this.irets > 0)))) {
          this.rowCount += m * run.length;
          this.advanceTail(run, m);
          return;
        }
        if (k === 2 && rc < max) {
          const steps = Math.min(m, MAX_BRANCHES - 1 - br);
          if (steps > 0) {
            if (it === ITYPE.nontakenBranch) this.branchMap = (this.branchMap | (((1 << steps) - 1) << br)) >>> 0;
            this.branches = br + steps;
            this.rowCount += steps * run.length;
            this.advanceTail(run, steps);
            m -= steps;
            if (m === 0) return;
          }
        }
      }
      this.pushRun(run);
      m--;
    }
  }

  private pushOne(row: IngressRow): void {
    this.rowCount++;
    const s = this.prev;
    this.prev = this.curr;
    this.curr = this.next;
    this.next = s;
    s.row = row;
    s.qualified = true;
    s.updiscon = false;
    this.currentRow = this.rowCount - 1;
    if (this.rowCount !== 1 && !this.quiet()) this.encode();
  }

  /**
   * The current row's clock when it provably sends nothing: applies its effects (branch map,
   * return stack, discontinuity) and returns true; false (nothing changed) otherwise. Each
   * condition below rules out one of the flowchart's packet conditions in {@link encode}.
   */
  private quiet(): boolean {
    if (this.slow) return false;
    const prev = this.prev, curr = this.curr;
    // first_qualified, prev_updiscon.
    if (!curr.qualified || !prev.qualified || prev.updiscon) return false;
    const c = curr.row, pr = prev.row, nx = this.next.row;
    const it = c.itype;
    // prev_exception, curr_exc_only, er_n, next_exc_only (and the trap packets' inputs).
    if (it === ITYPE.exception || it === ITYPE.interrupt) return false;
    if (pr.itype === ITYPE.exception || pr.itype === ITYPE.interrupt) return false;
    if (nx.itype === ITYPE.exception || nx.itype === ITYPE.interrupt) return false;
    // ppccd, ppccd_br.
    const priv = c.priv, ctx = c.context;
    if (pr.priv !== priv || nx.priv !== priv || pr.context !== ctx || nx.context !== ctx) return false;
    // rpt_br (and the overflow check).
    let br = this.branches;
    const isBranch = it === ITYPE.nontakenBranch || it === ITYPE.takenBranch;
    if (isBranch) {
      if (br >= MAX_BRANCHES - 1) return false;
      br++;
    }
    // resync_exceeded, resync_br.
    const rc = this.resyncCount, max = this.resyncMaxCount;
    if (rc >= max && (rc > max || br !== 0 || (this.implicitReturn && this.irets > 0))) return false;
    if (isBranch) {
      if (it === ITYPE.nontakenBranch) this.branchMap = (this.branchMap | (1 << this.branches)) >>> 0;
      this.branches = br;
    }
    this.trapReported = false;
    this.irreportNow = this.irreportPending;
    this.irreportPending = false;
    this.applyEffects();
    return true;
  }

  /** Flush the pipeline: final address packet and the closing support packet. */
  finish(): void {
    if (this.finished) return;
    if (this.steady !== null) this.materialize();
    this.finished = true;
    if (this.rowCount === 0) {
      this.traceEnabled = false;
      this.sendSupport(false);
      return;
    }
    const s = this.prev;
    this.prev = this.curr;
    this.curr = this.next;
    this.next = s;
    s.row = this.curr.row;
    s.qualified = this.curr.qualified;
    s.updiscon = false;
    this.currentRow = this.rowCount;
    this.encode();
    this.sendBranchPacket(this.curr.row, true, NO_REASONS);
    this.traceEnabled = false;
    this.sendSupport(true);
  }

  /** The whole stream so far: header + payload of every packet. */
  streamBytes(): Uint8Array {
    if (this.stream !== null) return this.stream.buf.slice(0, this.stream.length);
    const total = this.packets.reduce((n, p) => n + p.bytes.length, 0);
    const out = new Uint8Array(total);
    let pos = 0;
    for (const p of this.packets) {
      out.set(p.bytes, pos);
      pos += p.bytes.length;
    }
    return out;
  }

  private isException(row: IngressRow): boolean {
    return isTrapItype(row.itype);
  }

  /** Bookkeeping common to every packet. */
  private sent(bytes: number): void {
    this.branches = 0;
    this.branchMap = 0;
    this.allCorrect = true;
    this.predCount = 0;
    this.predFail = false;
    this.irets = 0;
    this.resyncCount++;
    this.packetCount++;
    this.byteCount += bytes;
  }

  private emit(packet: TeInstPacket, reasons: number): void {
    const payload = serialise(packet, this.params);
    const bytes = frame(payload);
    const st = this.stream;
    if (st !== null) {
      st.reserve(bytes.length);
      st.buf.set(bytes, st.length);
      st.length += bytes.length;
    }
    this.sent(bytes.length);
    if (!this.objects) return;
    const encoded: EncodedPacket = { packet, payload, bytes, row: this.currentRow, reasons: reasonNames(reasons) };
    if (this.collect) this.packets.push(encoded);
    this.onPacket?.(encoded);
  }

  private sendSupport(qualified: boolean): void {
    this.emit({ format: 3, subformat: 3, ienable: this.traceEnabled ? 1 : 0, encoderMode: 0, qualStatus: qualified ? 1 : 0, ioptions: ioptionsFor(this.params) }, NO_REASONS);
  }

  private fullAddress(addr: bigint): bigint {
    return addressField(addr >> BigInt(this.params.iaddressLsbP), this.params);
  }

  private syncCommon(row: IngressRow): { branch: number; privilege: number; context?: number; time?: number } {
    const base = { branch: row.itype === ITYPE.takenBranch ? 0 : 1, privilege: row.priv };
    return this.params.nocontextP ? base : { ...base, context: row.context };
  }

  /** A sync packet is about to be sent: reset the predictor and the jump target cache. */
  private syncOptions(): void {
    if (this.predCount > 0) throw new Error('internal: sync packet with a branch count pending');
    this.bpred?.fill(1);
    this.jtc?.fill(null);
  }

  private sendStart(row: IngressRow, reasons: number): void {
    this.trapReported = false;
    this.stack.length = 0;
    this.syncOptions();
    if (!this.objects && this.startBits(row)) this.emitBits();
    else this.emit({ format: 3, subformat: 0, ...this.syncCommon(row), address: this.fullAddress(row.iaddr) }, reasons);
    this.lastAddress = row.iaddr;
    this.resyncCount = 0;
  }

  private sendTrap(row: IngressRow, thaddr: number, exc: IngressRow, prevUpdiscon: boolean, nextException: boolean, reasons: number): void {
    this.trapReported = thaddr === 0 && (prevUpdiscon || nextException);
    this.stack.length = 0;
    this.syncOptions();
    const interrupt = exc.itype === ITYPE.interrupt ? 1 : 0;
    const common = { format: 3 as const, subformat: 1 as const, ...this.syncCommon(row), ecause: exc.cause, interrupt, thaddr, address: this.fullAddress(row.iaddr) };
    this.emit(interrupt ? common : { ...common, tval: exc.tval & maskBits(this.params.iaddressWidthP) }, reasons);
    this.lastAddress = row.iaddr;
    this.resyncCount = 0;
  }

  private sendBranchPacket(row: IngressRow, withAddress: boolean, reasons: number): void {
    const p = this.params;
    if (this.slow) {
      this.sendOptionalPacket(row, withAddress, reasons);
      return;
    }
    if (!withAddress) {
      if (this.branches === MAX_BRANCHES && !this.objects) {
        // A full map without address: format 1, branches 0, 31 map bits (38 bits in all).
        this.emitFullMap(this.branchMap);
        return;
      }
      this.emit({ format: 1, branches: this.branches === MAX_BRANCHES ? 0 : this.branches, branchMap: this.branchMap }, reasons);
      return;
    }
    const raw = p.fullAddress ? row.iaddr : row.iaddr - this.lastAddress;
    const msb = Number(((raw & maskBits(p.iaddressWidthP)) >> BigInt(p.iaddressWidthP - 1)) & 1n);
    const address = addressField(raw >> BigInt(p.iaddressLsbP), p);
    const status = statusBits(msb, this.flagNotify, this.flagUpdiscon, this.flagIrreport);
    const irw = irdepthWidth(p);
    if (!this.objects) {
      // The fields of packetBits, written straight to the stream when they all fit.
      this.nbits = 0;
      const b = this.branches;
      const ok = (b === 0 ? this.putNum(2, 2) : this.putNum(1, 2) && this.putNum(b, 5) && this.putNum(this.branchMap, branchMapWidth(b))) &&
        this.putBig(address, addressFieldWidth(p)) && this.putNum(status.notify, 1) && this.putNum(status.updiscon, 1) &&
        this.putNum(status.irreport, 1) && (irw === 0 || this.putNum(codeIrdepth(this.irets, status.irreport, p), irw));
      if (ok) {
        this.lastAddress = row.iaddr;
        this.flagIrreport = false;
        this.emitBits();
        return;
      }
    }
    const ir = irw ? { irdepth: codeIrdepth(this.irets, status.irreport, p) } : {};
    const packet: TeInstPacket = this.branches === 0
      ? { format: 2, address, ...status, ...ir }
      : { format: 1, branches: this.branches, branchMap: this.branchMap, address, ...status, ...ir };
    this.lastAddress = row.iaddr;
    this.flagIrreport = false;
    this.emit(packet, reasons);
  }

  /**
   * {@link sendBranchPacket} with branch prediction or the jump target cache on: a branch count
   * (format 0 subformat 0) in count mode, else format 1/2, or format 0 subformat 1 on a cache hit.
   */
  private sendOptionalPacket(row: IngressRow, withAddress: boolean, reasons: number): void {
    const p = this.params;
    if (!withAddress) {
      if (this.predCount > 0) {
        this.emit({ format: 0, subformat: 0, branchCount: this.predCount - MAX_BRANCHES, branchFmt: BRANCH_FMT.noAddress }, reasons);
      } else {
        this.emit({ format: 1, branches: this.branches === MAX_BRANCHES ? 0 : this.branches, branchMap: this.branchMap }, reasons);
      }
      return;
    }
    const raw = p.fullAddress ? row.iaddr : row.iaddr - this.lastAddress;
    const msb = Number(((raw & maskBits(p.iaddressWidthP)) >> BigInt(p.iaddressWidthP - 1)) & 1n);
    const address = addressField(raw >> BigInt(p.iaddressLsbP), p);
    const status = statusBits(msb, this.flagNotify, this.flagUpdiscon, this.flagIrreport);
    const irw = irdepthWidth(p);
    const ir = irw ? { irdepth: codeIrdepth(this.irets, status.irreport, p) } : {};
    let packet: TeInstPacket;
    if (this.predCount > 0) {
      const branchFmt = this.predFail ? BRANCH_FMT.addressFail : BRANCH_FMT.address;
      packet = { format: 0, subformat: 0, branchCount: this.predCount - MAX_BRANCHES, branchFmt, address, ...status, ...ir };
    } else {
      packet = this.branches === 0
        ? { format: 2, address, ...status, ...ir }
        : { format: 1, branches: this.branches, branchMap: this.branchMap, address, ...status, ...ir };
    }
    const jtc = this.jtc;
    if (jtc !== null) {
      const index = Number((row.iaddr >> BigInt(p.iaddressLsbP)) & this.jtcMask);
      if (jtc[index] === row.iaddr) {
        if (this.predCount === 0 && !this.flagNotify && !this.flagUpdiscon) {
          // irreport is XORed with the bit before it: the map's MSB, or the MSB of `branches`.
          const b = this.branches;
          const before = b === 0 ? 0 : (this.branchMap >>> (branchMapWidth(b) - 1)) & 1;
          const irreport = (this.flagIrreport ? 1 : 0) ^ before;
          const cached: TeInstPacket = { format: 0, subformat: 1, index, branches: b, branchMap: this.branchMap, irreport,
            ...(irw ? { irdepth: codeIrdepth(this.irets, irreport, p) } : {}) };
          if (serialise(cached, p).length <= serialise(packet, p).length) packet = cached;
        }
      } else {
        jtc[index] = row.iaddr;
      }
    }
    this.lastAddress = row.iaddr;
    this.flagIrreport = false;
    this.emit(packet, reasons);
  }

  /** The fields of a start packet (as packetBits writes them) in {@link bitBuf}; false if one does not fit. */
  private startBits(row: IngressRow): boolean {
    const p = this.params;
    this.nbits = 0;
    return this.putNum(3, 2) && this.putNum(0, 2) && this.putNum(row.itype === ITYPE.takenBranch ? 0 : 1, 1) &&
      this.putNum(row.priv, p.privilegeWidthP) && this.putNum(0, p.notimeP ? 0 : p.timeWidthP) &&
      this.putNum(p.nocontextP ? 0 : row.context, p.nocontextP ? 0 : p.contextWidthP) &&
      this.putBig(this.fullAddress(row.iaddr), addressFieldWidth(p));
  }

  /** Append a field of `w` bits; false (nothing sure) unless 0 <= v < 2^w, an integer, w <= 32. */
  private putNum(v: number, w: number): boolean {
    if (w === 0) return true;
    if (w > 32 || !Number.isInteger(v) || v < 0 || v >= 2 ** w) return false;
    const b = this.bitBuf;
    let n = this.nbits;
    for (let i = 0; i < w; i++) b[n++] = (v >>> i) & 1;
    this.nbits = n;
    return true;
  }

  /** Append a `w`-bit field (w <= 64) from a value already in 0 .. 2^w - 1. */
  private putBig(v: bigint, w: number): boolean {
    if (w === 0) return true;
    if (w > 64 || v < 0n || v >> BigInt(w) !== 0n) return false;
    const lo = Number(v & 0xffffffffn), hi = Number(v >> 32n);
    const b = this.bitBuf;
    let n = this.nbits;
    for (let i = 0; i < w; i++) b[n++] = i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
    this.nbits = n;
    return true;
  }

  /** The bits in {@link bitBuf} as one packet: sign-compressed (as compressBits), framed, to the stream. */
  private emitBits(): void {
    const bits = this.bitBuf, len = this.nbits;
    const msb = bits[len - 1]!;
    let keep = len;
    while (keep > 1 && bits[keep - 2] === msb) keep--;
    const nbytes = (keep + 7) >> 3;
    if (nbytes < 1 || nbytes > 30) throw new RangeError(`payload length ${nbytes} not in 1..30`);
    const st = this.stream;
    if (st !== null) {
      st.reserve(nbytes + 1);
      const out = st.buf;
      let at = st.length;
      out[at++] = nbytes | (TE_INST_MSG_TYPE << 5);
      for (let k = 0; k < nbytes; k++) {
        let byte = 0;
        for (let i = 0; i < 8; i++) {
          const j = k * 8 + i;
          if (j < keep ? bits[j] : msb) byte |= 1 << i;
        }
        out[at++] = byte;
      }
      st.length = at;
    }
    this.sent(nbytes + 1);
  }

  /**
   * A format 1 packet with a full map and no address, written straight to the stream: payload
   * bits (LSB first) format 1 (2 bits), branches 0 (5 bits), the 31 map bits; sign-compressed as
   * {@link serialise} does (the run of copies of bit 37 cut to one, padded with copies of it).
   */
  private emitFullMap(map: number): void {
    const msb = map >>> 30;
    // Bits that differ from the sign: low 7 bits 0000001 (or their complement), then the map.
    const magMap = msb ? ~map & 0x7fffffff : map;
    const bitlen = magMap !== 0 ? 39 - Math.clz32(magMap) : msb ? 7 : 1;
    const nbytes = (bitlen + 8) >> 3;
    const st = this.stream;
    if (st !== null) {
      st.reserve(6);
      const b = st.buf;
      const at = st.length;
      b[at] = nbytes | (TE_INST_MSG_TYPE << 5);
      b[at + 1] = (1 | (map << 7)) & 0xff;
      if (nbytes > 1) b[at + 2] = (map >>> 1) & 0xff;
      if (nbytes > 2) b[at + 3] = (map >>> 9) & 0xff;
      if (nbytes > 3) b[at + 4] = (map >>> 17) & 0xff;
      if (nbytes > 4) b[at + 5] = (map >>> 25) | (msb ? 0xc0 : 0);
      st.length = at + 1 + nbytes;
    }
    this.sent(nbytes + 1);
  }

  /** One clock of the flowchart, for the current row. */
  private encode(): void {
    const { prev, curr, next } = this;
    const p = this.params;
    if (!curr.qualified) return;
    const c = curr.row, pr = prev.row, nx = next.row;

    if (isBranchItype(c.itype)) {
      if (this.bpred !== null) this.predictBranch(c);
      else {
        if (this.branches >= MAX_BRANCHES) throw new Error('branch map overflow');
        if (c.itype === ITYPE.nontakenBranch) this.branchMap |= 1 << this.branches;
        this.branches++;
        this.branchMap >>>= 0;
      }
    }

    // Flags.
    const prevUpdiscon = prev.updiscon;
    const currUpdisconStatic = isUninferableItype(c.itype, p.itypeWidthP);
    const prevException = this.isException(pr);
    const currExcOnly = c.iretire === 0 && this.isException(c);
    const currException = this.isException(c);
    const nextExcOnly = nx.iretire === 0 && this.isException(nx);
    const nextException = this.isException(nx);
    const prevReported = prevException && this.trapReported;
    this.trapReported = false;
    const firstQualified = !prev.qualified && curr.qualified;
    const pending = this.branches !== 0 || (p.implicitReturn && this.irets > 0) || this.predCount > 0;
    this.irreportNow = this.irreportPending;
    this.irreportPending = false;
    this.flagNotify = false;
    this.flagUpdiscon = prevUpdiscon && (nextException || nx.priv !== c.priv || this.resyncCount === this.resyncMaxCount);
    this.flagIrreport = this.irreportNow;
    // A start packet says the instruction at its address retires: not on an exception-only row,
    // whose trap packet (sent next, with its privilege) reports the change instead. (Seen after
    // an xRET to a lower privilege whose target faults at once: the reference flow's order of
    // checks would send a start packet for an instruction that never ran.)
    const ppccd = !currExcOnly && (c.priv !== pr.priv || (c.context !== pr.context && (c.ctype === CTYPE_PRECISE || prevUpdiscon)));
    const ppccdBr = pending && (nx.priv !== c.priv || (nx.context !== c.context && (nx.ctype === CTYPE_PRECISE || currUpdisconStatic)));
    const erN = c.iretire > 0 && currException;
    const resyncBr = this.resyncCount === this.resyncMaxCount && pending;
    const rptBr = this.branches === MAX_BRANCHES;
    const resyncExceeded = this.resyncCount > this.resyncMaxCount && (!currExcOnly || this.resyncOnTrapRow);

    this.decide(prevException, currExcOnly, prevReported, firstQualified, ppccd, resyncExceeded, prevUpdiscon,
      resyncBr, erN, nextExcOnly, ppccdBr, rptBr, nextException);
    if (this.bpredUpdate >= 0) {
      // After the decision: a sync packet sent for this row reset the predictor first.
      const t = this.bpred!, i = this.bpredUpdate;
      t[i] = nextPredictorState(t[i]!, this.bpredTaken);
      this.bpredUpdate = -1;
    }
    this.applyEffects();
  }

  /**
   * The current row's branch with the predictor on: predicted or not, it goes to the map, or in
   * count mode adds to the count (or marks the failure that ends it). The predictor entry is
   * updated after the row's decision.
   */
  private predictBranch(c: IngressRow): void {
    const taken = c.itype === ITYPE.takenBranch;
    const i = Number((c.iaddr >> BigInt(this.params.iaddressLsbP)) & this.bpredMask);
    const ok = (this.bpred![i]! >> 1 === 1) === taken;
    this.bpredUpdate = i;
    this.bpredTaken = taken;
    if (this.predCount > 0) {
      if (ok) this.predCount++;
      else this.predFail = true;
      return;
    }
    if (this.branches >= MAX_BRANCHES) throw new Error('branch map overflow');
    if (!taken) this.branchMap = (this.branchMap | (1 << this.branches)) >>> 0;
    this.branches++;
    if (!ok) this.allCorrect = false;
  }

  private decide(prevException: boolean, currExcOnly: boolean, prevReported: boolean, firstQualified: boolean, ppccd: boolean,
    resyncExceeded: boolean, prevUpdiscon: boolean, resyncBr: boolean, erN: boolean, nextExcOnly: boolean, ppccdBr: boolean,
    rptBr: boolean, nextException: boolean): void {
    const c = this.curr.row, pr = this.prev.row;
    if (prevException) {
      if (currExcOnly) this.sendTrap(c, 0, pr, prevUpdiscon, nextException, R.prevException | R.currExcOnly);
      else if (prevReported) this.sendStart(c, R.prevException | R.prevReported);
      else this.sendTrap(c, 1, pr, prevUpdiscon, nextException, R.prevException);
      return;
    }
    if (firstQualified || ppccd || resyncExceeded) {
      this.sendStart(c, (firstQualified ? R.firstQualified : 0) | (ppccd ? R.ppccd : 0) | (resyncExceeded ? R.resyncExceeded : 0));
      return;
    }
    if (prevUpdiscon) {
      if (currExcOnly) this.sendTrap(c, 0, c, prevUpdiscon, nextException, R.prevUpdiscon | R.currExcOnly);
      else this.sendBranchPacket(c, true, R.prevUpdiscon);
      return;
    }
    if (resyncBr || erN) {
      this.sendBranchPacket(c, true, (resyncBr ? R.resyncBr : 0) | (erN ? R.erN : 0));
      return;
    }
    if (nextExcOnly || ppccdBr) {
      this.sendBranchPacket(c, true, (nextExcOnly ? R.nextExcOnly : 0) | (ppccdBr ? R.ppccdBr : 0));
      return;
    }
    if (rptBr) {
      // Branch prediction: a full map of correct predictions becomes a count (nothing sent).
      if (this.bpred !== null && this.allCorrect) {
        this.predCount = MAX_BRANCHES;
        this.branches = 0;
        this.branchMap = 0;
      } else {
        this.sendBranchPacket(c, false, R.rptBr);
      }
      return;
    }
    // Count mode: a failed prediction ends the count (no address: the failing branch is implied);
    // so does a count about to overflow its 32-bit field (with the address of the last branch).
    if (this.predFail) this.sendBranchPacket(c, false, R.bpred);
    else if (this.predCount - MAX_BRANCHES === 0xffffffff) this.sendBranchPacket(c, true, R.bpred);
  }

  /** The current row's own effect: its discontinuity class and the implicit-return stack. */
  private applyEffects(): void {
    const curr = this.curr;
    const c = curr.row;
    curr.updiscon = isUninferableItype(c.itype, this.itypeWidth);
    if (!this.implicitReturn || c.iretire === 0) return;
    if (c.itype === ITYPE.return && this.stack.length > 0) {
      const predicted = this.stack.pop()!;
      if (predicted === this.next.row.iaddr && this.irets < this.iretsMax) {
        curr.updiscon = false;
        this.irets++;
      } else {
        this.irreportPending = true;
      }
    } else if (isCallItype(c.itype)) {
      if (this.stack.length === this.stackDepth) this.stack.shift();
      this.stack.push(c.iaddr + BigInt(instructionSize(c)));
    }
  }
}

/** Reasons a packet was sent (bits), in the order {@link EncodedPacket.reasons} lists them. */
const R = {
  prevException: 1, currExcOnly: 2, prevReported: 4, firstQualified: 8, ppccd: 16, resyncExceeded: 32,
  prevUpdiscon: 64, resyncBr: 128, erN: 256, nextExcOnly: 512, ppccdBr: 1024, rptBr: 2048, bpred: 4096,
} as const;
const NO_REASONS = 0;
const REASON_NAMES: [number, string][] = [
  [R.firstQualified, 'first_qualified'], [R.ppccd, 'ppccd'], [R.resyncExceeded, 'resync_exceeded'],
  [R.prevUpdiscon, 'prev_updiscon'], [R.resyncBr, 'resync_br'], [R.erN, 'er_n'], [R.nextExcOnly, 'next_exc_only'],
  [R.ppccdBr, 'ppccd_br'], [R.rptBr, 'rpt_br'], [R.bpred, 'bpred'],
];

/**
 * The next state of a 2-bit predictor entry (bit 1 the prediction, bit 0 the last outcome):
 * 00 -> 01 on a failure; 01 -> 00 on success, 11 on failure; 11 -> 10 on failure; 10 -> 11 on
 * success, 00 on failure.
 */
export function nextPredictorState(state: number, taken: boolean): number {
  const predictTaken = (state >> 1) === 1;
  const ok = predictTaken === taken;
  switch (state) {
    case 0: return ok ? 0 : 1;
    case 1: return ok ? 0 : 3;
    case 3: return ok ? 3 : 2;
    default: return ok ? 3 : 0;
  }
}

function reasonNames(bits: number): string[] {
  if (bits & R.prevException) {
    // prev_exception first, then curr_exc_only or prev_reported.
    return ['prev_exception', ...((bits & R.currExcOnly) ? ['curr_exc_only'] : []), ...((bits & R.prevReported) ? ['prev_reported'] : [])];
  }
  const out = REASON_NAMES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
  if (bits & R.currExcOnly) out.push('curr_exc_only'); // after prev_updiscon
  return out;
}

/** Encode a whole row sequence; returns the packets and the byte stream. */
export function encodeRows(rows: Iterable<IngressRow>, params: Partial<EtraceParams> = {}, options: EncoderOptions = {}): { packets: EncodedPacket[]; bytes: Uint8Array } {
  const enc = new EtraceEncoder(params, options);
  for (const r of rows) enc.push(r);
  enc.finish();
  return { packets: enc.packets, bytes: enc.streamBytes() };
}
