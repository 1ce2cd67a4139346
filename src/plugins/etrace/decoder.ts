/**
 * E-Trace instruction-trace decoder, following the specification's decoder algorithm: it
 * walks the program image from each reported address, taking branch outcomes from the branch
 * maps and the targets of uninferable discontinuities from the packets, and reports every
 * retired PC plus a marker for every trap.
 *
 * Differences from the reference flow's decoder: the EPC of a trap is not recomputed (only
 * cause and interrupt are reported), a sync packet right after a trap reported with thaddr=0
 * starts at its address directly, and implicit return, branch prediction and the jump target
 * cache are implemented (see the encoder).
 *
 * Branch outcomes not yet used are kept as a queue of segments: explicit map bits, runs of
 * correctly predicted branches and a failed prediction (format 0 subformat 0). The predictor is
 * updated when an outcome is used (stepping from the branch), which is after the encoder updated
 * it; the two orders only differ across a sync packet (which resets the predictor), so at a sync
 * the outcome still pending (at most one: the branch at the last reported PC) is settled first.
 */
import { signExtend, maskBits } from './bits.js';
import { isCall, isInferableJump, isReturn, isUninferable, type Instr } from './classify.js';
import type { ProgramImage } from './image.js';
import { nextPredictorState } from './encoder.js';
import { BRANCH_FMT, branchMapWidth, codeIrdepth, hasAddress, irdepthCount, iterateStream, statusFlags, type TeInstPacket } from './packets.js';
import { IOPTION, addressFieldWidth, makeParams, returnStackDepth, type EtraceParams } from './params.js';

/** Pending branch outcomes: explicit bits, correct predictions, or one failed prediction. */
const SEG_BITS = 0, SEG_PRED = 1, SEG_FAIL = 2;
interface Segment {
  kind: number;
  n: number;
  /** SEG_BITS: the bits, oldest in bit 0 (0 = taken). */
  map: bigint;
  /** The predictor was already updated for this outcome (settled at a sync). */
  applied: boolean;
}

interface Flags {
  notify: boolean;
  updiscon: boolean;
  irreport: boolean;
}
const NO_FLAGS: Flags = { notify: false, updiscon: false, irreport: false };

/** One item of decoder output: a retired PC or a trap. */
export type DecodeEntry =
  | { kind: 'pc'; pc: bigint }
  | { kind: 'trap'; cause: number; interrupt: boolean; tval?: bigint };

/** The trace cannot be decoded (bad packet order, inconsistent with the image, ...). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Options of {@link EtraceDecoder}. */
export interface DecoderOptions {
  /** Called for each entry as it is decoded (in addition to collecting it). */
  onEntry?: (e: DecodeEntry) => void;
  /** Keep entries in {@link EtraceDecoder.entries} (default true). */
  collect?: boolean;
  /** Abort when one packet implies more steps than this (a jump-to-self loop); default 2^24. */
  maxStepsPerPacket?: number;
}

/** Streaming decoder: call {@link process} with each packet in order. */
export class EtraceDecoder {
  readonly params: EtraceParams;
  readonly entries: DecodeEntry[] = [];
  private readonly onEntry: ((e: DecodeEntry) => void) | undefined;
  private readonly collect: boolean;
  private readonly maxSteps: number;

  private pc = 0n;
  private address = 0n;
  /** Number of pending branch outcomes (sum over {@link queue}). */
  private branches = 0;
  private readonly queue: Segment[] = [];
  private bpredOn = false;
  private readonly bpred: Uint8Array | null;
  private readonly bpredMask: bigint;
  private jtcOn = false;
  private readonly jtc: (bigint | null)[] | null;
  private readonly jtcMask: bigint;
  private readonly lsb: bigint;
  private stopAtLastBranch = false;
  private startOfTrace = true;
  private trapOnlyReported = false;
  private implicitReturn = false;
  private fullAddress: boolean;
  private readonly stack: bigint[] = [];
  private readonly stackDepth: number;
  private iretsSeen = 0;
  /**
   * The last format 1/2 address was reached without an uninferable discontinuity; execution
   * may have come back to it later through one (the spec's inferred_address). The next
   * format 1/2 packet first re-walks from there to that discontinuity.
   */
  private inferredAddress = false;
  private readonly pcMask: bigint;

  constructor(private readonly image: ProgramImage, params: Partial<EtraceParams> | EtraceParams = {}, options: DecoderOptions = {}) {
    this.params = makeParams(params);
    this.onEntry = options.onEntry;
    this.collect = options.collect ?? true;
    this.maxSteps = options.maxStepsPerPacket ?? 1 << 24;
    this.fullAddress = this.params.fullAddress;
    this.stackDepth = returnStackDepth(this.params);
    this.pcMask = maskBits(this.params.iaddressWidthP);
    const bp = this.params.bpredSizeP, jc = this.params.cacheSizeP;
    this.bpred = bp > 0 ? new Uint8Array(2 ** bp).fill(1) : null;
    this.bpredMask = BigInt(2 ** bp - 1);
    this.jtc = jc > 0 ? new Array<bigint | null>(2 ** jc).fill(null) : null;
    this.jtcMask = BigInt(2 ** jc - 1);
    this.lsb = BigInt(this.params.iaddressLsbP);
  }

  private clearBranches(): void {
    this.queue.length = 0;
    this.branches = 0;
  }

  private appendBits(map: bigint, n: number): void {
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.kind === SEG_BITS && !last.applied) last.map |= map << BigInt(last.n), last.n += n;
    else this.queue.push({ kind: SEG_BITS, n, map, applied: false });
    this.branches += n;
  }

  private appendSeg(kind: number, n: number): void {
    this.queue.push({ kind, n, map: 0n, applied: false });
    this.branches += n;
  }

  private predictorIndex(pc: bigint): number {
    return Number((pc >> this.lsb) & this.bpredMask);
  }

  /** Use the oldest pending outcome for the branch at `pc`: true if taken. */
  private takeOutcome(pc: bigint): boolean {
    const seg = this.queue[0]!;
    let taken: boolean;
    if (seg.kind === SEG_BITS) {
      taken = (seg.map & 1n) === 0n;
      seg.map >>= 1n;
    } else {
      if (!this.bpredOn) throw new DecodeError('branch count without branch prediction');
      const predicted = this.bpred![this.predictorIndex(pc)]! >> 1 === 1;
      taken = seg.kind === SEG_PRED ? predicted : !predicted;
    }
    if (--seg.n === 0) this.queue.shift();
    this.branches--;
    if (this.bpredOn && !seg.applied) {
      const i = this.predictorIndex(pc);
      this.bpred![i] = nextPredictorState(this.bpred![i]!, taken);
    }
    return taken;
  }

  /**
   * A sync packet: settle the outcome still pending (the branch at the last reported PC, whose
   * predictor update the encoder made before the sync), then reset predictor and cache.
   */
  private syncOptions(): void {
    if (this.bpredOn && this.branches > 0) {
      if (this.branches > 1 || this.instr(this.pc).kind !== 'branch') {
        throw new DecodeError(`sync packet with ${this.branches} branch outcomes pending at 0x${this.pc.toString(16)}`);
      }
      const taken = this.takeOutcome(this.pc);
      this.queue.push({ kind: SEG_BITS, n: 1, map: taken ? 0n : 1n, applied: true });
      this.branches = 1;
    }
    this.bpred?.fill(1);
    this.jtc?.fill(null);
  }

  /** Remember a reported address in the jump target cache. */
  private cacheAddress(address: bigint): void {
    if (this.jtcOn) this.jtc![Number((address >> this.lsb) & this.jtcMask)] = address;
  }

  private emit(e: DecodeEntry): void {
    if (this.collect) this.entries.push(e);
    this.onEntry?.(e);
  }

  private report(pc: bigint): void {
    this.emit({ kind: 'pc', pc });
  }

  private instr(pc: bigint): Instr {
    return this.image.instrAt(pc);
  }

  /** Process one packet. */
  process(te: TeInstPacket): void {
    this.iretsSeen = 0;
    if (te.format === 3) {
      if (te.subformat === 3) {
        this.processSupport(te.ioptions, te.qualStatus);
        return;
      }
      this.syncOptions();
      if (te.subformat === 1) {
        this.emit(te.interrupt ? { kind: 'trap', cause: te.ecause, interrupt: true } : { kind: 'trap', cause: te.ecause, interrupt: false, tval: te.tval ?? 0n });
        if (!te.thaddr) {
          this.stack.length = 0;
          this.trapOnlyReported = !this.startOfTrace;
          return;
        }
      }
      const address = te.address << BigInt(this.params.iaddressLsbP);
      this.address = address;
      this.inferredAddress = false;
      const direct = te.subformat === 1 || this.startOfTrace || this.trapOnlyReported;
      if (direct) this.clearBranches();
      if (this.instr(address).kind === 'branch') this.appendBits(BigInt(te.branch), 1);
      if (direct) {
        this.pc = address;
        this.report(address);
      } else {
        this.follow(true, false, NO_FLAGS, 0);
      }
      this.stack.length = 0;
      this.startOfTrace = false;
      this.trapOnlyReported = false;
      return;
    }
    if (this.startOfTrace) throw new DecodeError('trace does not start with a format 3 sync packet');
    if (te.format === 0) {
      this.processFormat0(te);
      return;
    }
    if (hasAddress(te)) {
      this.stopAtLastBranch = false;
      this.takeAddressField(te.address ?? 0n);
    }
    if (te.format === 1) {
      this.stopAtLastBranch = te.branches === 0;
      this.appendBits(BigInt(te.branchMap), te.branches === 0 ? 31 : te.branches);
    }
    const withAddress = hasAddress(te);
    this.follow(false, withAddress, withAddress ? statusFlags(te, this.params) : NO_FLAGS, withAddress ? irdepthCount(te, this.params) : 0);
  }

  /** The absolute address of a format 0/1/2 address field; it goes to the jump target cache. */
  private takeAddressField(a: bigint): void {
    if (this.fullAddress) {
      this.address = a << this.lsb;
    } else {
      const diff = signExtend(a, addressFieldWidth(this.params)) << this.lsb;
      this.address = (this.address + diff) & this.pcMask;
    }
    this.cacheAddress(this.address);
  }

  private processFormat0(te: TeInstPacket & { format: 0 }): void {
    if (te.subformat === 0) {
      if (!this.bpredOn) throw new DecodeError('branch count packet (format 0 subformat 0) but branch prediction is off');
      const withAddress = te.branchFmt !== BRANCH_FMT.noAddress;
      this.stopAtLastBranch = !withAddress;
      if (withAddress) this.takeAddressField(te.address ?? 0n);
      this.appendSeg(SEG_PRED, te.branchCount + 31);
      if (te.branchFmt !== BRANCH_FMT.address) this.appendSeg(SEG_FAIL, 1);
      this.follow(false, withAddress, withAddress ? statusFlags(te, this.params) : NO_FLAGS, withAddress ? irdepthCount(te, this.params) : 0);
      return;
    }
    if (!this.jtcOn) throw new DecodeError('jump target cache packet (format 0 subformat 1) but the cache is off');
    const cached = this.jtc![te.index];
    if (cached === null || cached === undefined) throw new DecodeError(`jump target cache entry ${te.index} is empty`);
    this.address = cached;
    this.stopAtLastBranch = false;
    if (te.branches !== 0) this.appendBits(BigInt(te.branchMap), te.branches);
    // irreport is XORed with the bit before it: the map's MSB, or the MSB of `branches`.
    const before = te.branches === 0 ? 0 : (te.branchMap >>> (branchMapWidth(te.branches) - 1)) & 1;
    const flags = { notify: false, updiscon: false, irreport: te.irreport !== before };
    this.follow(false, true, flags, codeIrdepth(te.irdepth ?? 0, te.irreport, this.params));
  }

  private processSupport(ioptions: number, qualStatus: number): void {
    const ir = (ioptions & IOPTION.implicitReturn) !== 0;
    if (ir && !this.params.implicitReturn) {
      throw new DecodeError('support packet says implicit return is on, but the decoder was not configured for it (--implicit-return)');
    }
    const bp = (ioptions & IOPTION.branchPrediction) !== 0, jc = (ioptions & IOPTION.jumpTargetCache) !== 0;
    if (bp && this.bpred === null) {
      throw new DecodeError('support packet says branch prediction is on, but the decoder was not configured for it (--bpred N)');
    }
    if (jc && this.jtc === null) {
      throw new DecodeError('support packet says the jump target cache is on, but the decoder was not configured for it (--jtc N)');
    }
    if (ioptions & IOPTION.implicitException) {
      throw new DecodeError(`support packet options 0x${ioptions.toString(16)} need features this decoder lacks`);
    }
    this.implicitReturn = ir;
    this.bpredOn = bp;
    this.jtcOn = jc;
    this.fullAddress = (ioptions & IOPTION.fullAddress) !== 0;
    if (qualStatus !== 0) this.startOfTrace = true;
  }

  private branchLimit(pc: bigint): number {
    return this.instr(pc).kind === 'branch' ? 1 : 0;
  }

  private follow(isSync: boolean, withAddress: boolean, flags: Flags, irdepth: number): void {
    if (this.inferredAddress && !isSync) this.rewalk();
    for (let steps = 0; ; steps++) {
      if (steps >= this.maxSteps) {
        throw new DecodeError(`no progress: more than ${this.maxSteps} instructions without reaching 0x${this.address.toString(16)}`);
      }
      const stop = this.nextPc(isSync, flags.irreport, irdepth);
      this.report(this.pc);
      if (this.branches === 1 && this.stopAtLastBranch && this.instr(this.pc).kind === 'branch') {
        this.stopAtLastBranch = false;
        return;
      }
      const atAddress = this.pc === this.address && this.branches === this.branchLimit(this.pc);
      if (stop) {
        if (this.branches > this.branchLimit(this.pc)) {
          throw new DecodeError(`unprocessed branches at 0x${this.pc.toString(16)} (${this.branches} left in the branch map)`);
        }
        return;
      }
      if (isSync) {
        if (atAddress) return;
        continue;
      }
      if (!withAddress || this.stopAtLastBranch || !atAddress) continue;
      if (this.implicitReturn && this.iretsSeen !== irdepth) continue;
      if (flags.notify) return;
      if (!flags.updiscon) {
        this.inferredAddress = true;
        return;
      }
    }
  }

  /**
   * Walk from the tentatively reported address to the uninferable discontinuity that leads
   * back to it (no branches or implicit returns can lie on that path, or the address would
   * not have matched).
   */
  private rewalk(): void {
    const target = this.pc;
    this.inferredAddress = false;
    for (let steps = 0; ; steps++) {
      if (steps >= this.maxSteps) throw new DecodeError(`no progress: more than ${this.maxSteps} instructions without returning to 0x${target.toString(16)}`);
      const stop = this.nextPc(true, false, 0, target);
      this.report(this.pc);
      if (stop) return;
    }
  }

  /** Step from the current PC; true when an uninferable discontinuity took the reported address. */
  private nextPc(isSync: boolean, irreport: boolean, irdepth: number, rewalkTarget?: bigint): boolean {
    const thisPc = this.pc;
    const instr = this.instr(thisPc);
    let stop = false;
    const takeAddress = (): void => {
      if (rewalkTarget !== undefined) {
        this.pc = rewalkTarget;
        stop = true;
        return;
      }
      if (this.stopAtLastBranch) {
        throw new DecodeError(`unexpected uninferable discontinuity at 0x${thisPc.toString(16)} (${instr.name}) in a packet without address`);
      }
      this.pc = this.address;
      stop = true;
    };
    if (isInferableJump(instr)) {
      this.pc = instr.kind === 'jalr' ? BigInt(instr.imm) : thisPc + BigInt(instr.imm);
      if (instr.imm === 0 && instr.kind === 'jal') stop = true;
    } else if (this.implicitReturn && isReturn(instr) && this.stack.length > 0) {
      const predicted = this.stack.pop()!;
      if (isSync || (irreport && this.iretsSeen === irdepth)) {
        takeAddress();
      } else {
        this.pc = predicted;
        this.iretsSeen++;
      }
    } else if (isUninferable(instr)) {
      takeAddress();
    } else if (instr.kind === 'branch') {
      if (this.branches === 0) throw new DecodeError(`cannot resolve branch at 0x${thisPc.toString(16)}: branch map exhausted`);
      const taken = this.takeOutcome(thisPc);
      this.pc = taken ? thisPc + BigInt(instr.imm) : thisPc + BigInt(instr.size);
    } else {
      this.pc = thisPc + BigInt(instr.size);
    }
    this.pc &= this.pcMask;
    if (this.implicitReturn && isCall(instr)) {
      if (this.stack.length === this.stackDepth) this.stack.shift();
      this.stack.push(thisPc + BigInt(instr.size));
    }
    return stop;
  }
}

/** Decode a whole raw te_inst stream over a program image. */
export function decodeStream(bytes: Uint8Array, image: ProgramImage, params: Partial<EtraceParams> = {}): DecodeEntry[] {
  const dec = new EtraceDecoder(image, params);
  for (const { packet } of iterateStream(bytes, dec.params)) dec.process(packet);
  return dec.entries;
}

/** Only the PCs of {@link decodeStream}'s output. */
export function decodePcs(bytes: Uint8Array, image: ProgramImage, params: Partial<EtraceParams> = {}): bigint[] {
  return decodeStream(bytes, image, params).flatMap((e) => (e.kind === 'pc' ? [e.pc] : []));
}
