// The encoder as it was before the fast path (commit cef36f9), kept verbatim as the reference
// the fast encoder must match byte for byte (fastpath.test.ts).
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
 * - implicit return is implemented (the reference flow only has a TODO), see {@link EtraceEncoder}.
 */
import { maskBits } from '../bits.js';
import { ITYPE, instructionSize, isBranchItype, isCallItype, isTrapItype, isUninferableItype, type IngressRow } from '../ingress.js';
import { addressField, codeIrdepth, frame, serialise, statusBits, type TeInstPacket } from '../packets.js';
import { ioptionsFor, irdepthWidth, makeParams, resyncPeriod, returnStackDepth, type EtraceParams } from '../params.js';

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
}

interface Slot {
  row: IngressRow;
  qualified: boolean;
  /** Decided when the row is current: its discontinuity must be reported. */
  updiscon: boolean;
}

const EMPTY_ROW: IngressRow = { itype: 0, cause: 0, tval: 0n, priv: 0, iaddr: 0n, iretire: 0, ilastsize: 0, context: 0, ctype: 0 };
const MAX_BRANCHES = 31;
const CTYPE_PRECISE = 2;

/**
 * The encoder. Feed ingress rows in order with {@link push}, then call {@link finish}.
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
 */
export class EtraceEncoder {
  readonly params: EtraceParams;
  /** Packets produced so far (unless `collect` is false). */
  readonly packets: EncodedPacket[] = [];
  private readonly onPacket: ((p: EncodedPacket) => void) | undefined;
  private readonly collect: boolean;
  private readonly resyncOnTrapRow: boolean;

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
  private readonly stack: bigint[] = [];
  private readonly stackDepth: number;
  private irets = 0;
  private readonly iretsMax: number;
  private irreportPending = false;
  private irreportNow = false;

  private flags = {
    notify: false, updiscon: false, irreport: false,
  };

  constructor(params: Partial<EtraceParams> | EtraceParams = {}, options: EncoderOptions = {}) {
    this.params = makeParams(params);
    if (this.params.implicitReturn && this.params.itypeWidthP !== 4) {
      throw new RangeError('implicit return needs itype width 4 (calls and returns told apart)');
    }
    this.onPacket = options.onPacket;
    this.collect = options.collect ?? true;
    this.resyncOnTrapRow = options.resyncOnTrapRow ?? false;
    this.resyncMaxCount = resyncPeriod(this.params);
    this.stackDepth = returnStackDepth(this.params);
    this.iretsMax = 2 ** irdepthWidth(this.params) - 1;
    this.sendSupport(false);
  }

  /** Add the next ingress row. */
  push(row: IngressRow): void {
    if (this.finished) throw new Error('encoder already finished');
    this.rowCount++;
    this.shift({ row, qualified: true, updiscon: false });
    this.currentRow = this.rowCount - 1;
    if (this.rowCount !== 1) this.encode();
  }

  /** Flush the pipeline: final address packet and the closing support packet. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.rowCount === 0) {
      this.traceEnabled = false;
      this.sendSupport(false);
      return;
    }
    this.shift({ ...this.next, updiscon: false });
    this.currentRow = this.rowCount;
    this.encode();
    this.sendBranchPacket(this.curr.row, true, []);
    this.traceEnabled = false;
    this.sendSupport(true);
  }

  /** The whole stream so far: header + payload of every packet. */
  streamBytes(): Uint8Array {
    const total = this.packets.reduce((n, p) => n + p.bytes.length, 0);
    const out = new Uint8Array(total);
    let pos = 0;
    for (const p of this.packets) {
      out.set(p.bytes, pos);
      pos += p.bytes.length;
    }
    return out;
  }

  private shift(slot: Slot): void {
    this.prev = this.curr;
    this.curr = this.next;
    this.next = slot;
  }

  private isException(row: IngressRow): boolean {
    return isTrapItype(row.itype);
  }

  private emit(packet: TeInstPacket, reasons: string[]): void {
    const payload = serialise(packet, this.params);
    const encoded: EncodedPacket = { packet, payload, bytes: frame(payload), row: this.currentRow, reasons };
    this.branches = 0;
    this.branchMap = 0;
    this.irets = 0;
    this.resyncCount++;
    if (this.collect) this.packets.push(encoded);
    this.onPacket?.(encoded);
  }

  private sendSupport(qualified: boolean): void {
    this.emit({ format: 3, subformat: 3, ienable: this.traceEnabled ? 1 : 0, encoderMode: 0, qualStatus: qualified ? 1 : 0, ioptions: ioptionsFor(this.params) }, []);
  }

  private fullAddress(addr: bigint): bigint {
    return addressField(addr >> BigInt(this.params.iaddressLsbP), this.params);
  }

  private syncCommon(row: IngressRow): { branch: number; privilege: number; context?: number; time?: number } {
    const base = { branch: row.itype === ITYPE.takenBranch ? 0 : 1, privilege: row.priv };
    return this.params.nocontextP ? base : { ...base, context: row.context };
  }

  private sendStart(row: IngressRow, reasons: string[]): void {
    this.trapReported = false;
    this.stack.length = 0;
    this.emit({ format: 3, subformat: 0, ...this.syncCommon(row), address: this.fullAddress(row.iaddr) }, reasons);
    this.lastAddress = row.iaddr;
    this.resyncCount = 0;
  }

  private sendTrap(row: IngressRow, thaddr: number, exc: IngressRow, prevUpdiscon: boolean, nextException: boolean, reasons: string[]): void {
    this.trapReported = thaddr === 0 && (prevUpdiscon || nextException);
    this.stack.length = 0;
    const interrupt = exc.itype === ITYPE.interrupt ? 1 : 0;
    const common = { format: 3 as const, subformat: 1 as const, ...this.syncCommon(row), ecause: exc.cause, interrupt, thaddr, address: this.fullAddress(row.iaddr) };
    this.emit(interrupt ? common : { ...common, tval: exc.tval & maskBits(this.params.iaddressWidthP) }, reasons);
    this.lastAddress = row.iaddr;
    this.resyncCount = 0;
  }

  private sendBranchPacket(row: IngressRow, withAddress: boolean, reasons: string[]): void {
    const p = this.params;
    if (!withAddress) {
      this.emit({ format: 1, branches: this.branches === MAX_BRANCHES ? 0 : this.branches, branchMap: this.branchMap }, reasons);
      return;
    }
    const raw = p.fullAddress ? row.iaddr : row.iaddr - this.lastAddress;
    const msb = Number(((raw & maskBits(p.iaddressWidthP)) >> BigInt(p.iaddressWidthP - 1)) & 1n);
    const address = addressField(raw >> BigInt(p.iaddressLsbP), p);
    const status = statusBits(msb, this.flags.notify, this.flags.updiscon, this.flags.irreport);
    const ir = irdepthWidth(p) ? { irdepth: codeIrdepth(this.irets, status.irreport, p) } : {};
    const packet: TeInstPacket = this.branches === 0
      ? { format: 2, address, ...status, ...ir }
      : { format: 1, branches: this.branches, branchMap: this.branchMap, address, ...status, ...ir };
    this.lastAddress = row.iaddr;
    this.flags.irreport = false;
    this.emit(packet, reasons);
  }

  /** One clock of the flowchart, for the current row. */
  private encode(): void {
    const { prev, curr, next } = this;
    const p = this.params;
    if (!curr.qualified) return;
    const c = curr.row, pr = prev.row, nx = next.row;

    if (isBranchItype(c.itype)) {
      if (this.branches >= MAX_BRANCHES) throw new Error('branch map overflow');
      if (c.itype === ITYPE.nontakenBranch) this.branchMap |= 1 << this.branches;
      this.branches++;
      this.branchMap >>>= 0;
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
    const pending = this.branches !== 0 || (p.implicitReturn && this.irets > 0);
    this.irreportNow = this.irreportPending;
    this.irreportPending = false;
    this.flags = {
      notify: false,
      updiscon: prevUpdiscon && (nextException || nx.priv !== c.priv || this.resyncCount === this.resyncMaxCount),
      irreport: this.irreportNow,
    };
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
    this.applyEffects();
  }

  private decide(prevException: boolean, currExcOnly: boolean, prevReported: boolean, firstQualified: boolean, ppccd: boolean,
    resyncExceeded: boolean, prevUpdiscon: boolean, resyncBr: boolean, erN: boolean, nextExcOnly: boolean, ppccdBr: boolean,
    rptBr: boolean, nextException: boolean): void {
    const c = this.curr.row, pr = this.prev.row;
    const why = (pairs: [string, boolean][]): string[] => pairs.filter(([, v]) => v).map(([k]) => k);
    if (prevException) {
      if (currExcOnly) this.sendTrap(c, 0, pr, prevUpdiscon, nextException, ['prev_exception', 'curr_exc_only']);
      else if (prevReported) this.sendStart(c, ['prev_exception', 'prev_reported']);
      else this.sendTrap(c, 1, pr, prevUpdiscon, nextException, ['prev_exception']);
      return;
    }
    if (firstQualified || ppccd || resyncExceeded) {
      this.sendStart(c, why([['first_qualified', firstQualified], ['ppccd', ppccd], ['resync_exceeded', resyncExceeded]]));
      return;
    }
    if (prevUpdiscon) {
      if (currExcOnly) this.sendTrap(c, 0, c, prevUpdiscon, nextException, ['prev_updiscon', 'curr_exc_only']);
      else this.sendBranchPacket(c, true, ['prev_updiscon']);
      return;
    }
    if (resyncBr || erN) {
      this.sendBranchPacket(c, true, why([['resync_br', resyncBr], ['er_n', erN]]));
      return;
    }
    if (nextExcOnly || ppccdBr) {
      this.sendBranchPacket(c, true, why([['next_exc_only', nextExcOnly], ['ppccd_br', ppccdBr]]));
      return;
    }
    if (rptBr) this.sendBranchPacket(c, false, ['rpt_br']);
  }

  /** The current row's own effect: its discontinuity class and the implicit-return stack. */
  private applyEffects(): void {
    const p = this.params;
    const c = this.curr.row;
    this.curr.updiscon = isUninferableItype(c.itype, p.itypeWidthP);
    if (!p.implicitReturn || c.iretire === 0) return;
    if (c.itype === ITYPE.return && this.stack.length > 0) {
      const predicted = this.stack.pop()!;
      if (predicted === this.next.row.iaddr && this.irets < this.iretsMax) {
        this.curr.updiscon = false;
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

/** Encode a whole row sequence; returns the packets and the byte stream. */
export function encodeRows(rows: Iterable<IngressRow>, params: Partial<EtraceParams> = {}, options: EncoderOptions = {}): { packets: EncodedPacket[]; bytes: Uint8Array } {
  const enc = new EtraceEncoder(params, options);
  for (const r of rows) enc.push(r);
  enc.finish();
  return { packets: enc.packets, bytes: enc.streamBytes() };
}
