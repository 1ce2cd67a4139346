/**
 * E-Trace instruction-trace decoder, following the specification's decoder algorithm: it
 * walks the program image from each reported address, taking branch outcomes from the branch
 * maps and the targets of uninferable discontinuities from the packets, and reports every
 * retired PC plus a marker for every trap.
 *
 * Differences from the reference flow's decoder: the EPC of a trap is not recomputed (only
 * cause and interrupt are reported), a sync packet right after a trap reported with thaddr=0
 * starts at its address directly, and implicit return is implemented (see the encoder).
 */
import { signExtend, maskBits } from './bits.js';
import { isCall, isInferableJump, isReturn, isUninferable, type Instr } from './classify.js';
import type { ProgramImage } from './image.js';
import { hasAddress, irdepthCount, iterateStream, statusFlags, type TeInstPacket } from './packets.js';
import { IOPTION, addressFieldWidth, makeParams, returnStackDepth, type EtraceParams } from './params.js';

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
  private branches = 0;
  private branchMap = 0n;
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
      if (direct) {
        this.branches = 0;
        this.branchMap = 0n;
      }
      if (this.instr(address).kind === 'branch') {
        this.branchMap |= BigInt(te.branch) << BigInt(this.branches);
        this.branches++;
      }
      if (direct) {
        this.pc = address;
        this.report(address);
      } else {
        this.follow(te, true);
      }
      this.stack.length = 0;
      this.startOfTrace = false;
      this.trapOnlyReported = false;
      return;
    }
    if (this.startOfTrace) throw new DecodeError('trace does not start with a format 3 sync packet');
    if (hasAddress(te)) {
      this.stopAtLastBranch = false;
      const a = te.address ?? 0n;
      if (this.fullAddress) {
        this.address = a << BigInt(this.params.iaddressLsbP);
      } else {
        const diff = signExtend(a, addressFieldWidth(this.params)) << BigInt(this.params.iaddressLsbP);
        this.address = (this.address + diff) & this.pcMask;
      }
    }
    if (te.format === 1) {
      this.stopAtLastBranch = te.branches === 0;
      this.branchMap |= BigInt(te.branchMap) << BigInt(this.branches);
      this.branches += te.branches === 0 ? 31 : te.branches;
    }
    this.follow(te, false);
  }

  private processSupport(ioptions: number, qualStatus: number): void {
    const ir = (ioptions & IOPTION.implicitReturn) !== 0;
    if (ir && !this.params.implicitReturn) {
      throw new DecodeError('support packet says implicit return is on, but the decoder was not configured for it (--implicit-return)');
    }
    if (ioptions & (IOPTION.jumpTargetCache | IOPTION.branchPrediction | IOPTION.implicitException)) {
      throw new DecodeError(`support packet options 0x${ioptions.toString(16)} need features this decoder lacks`);
    }
    this.implicitReturn = ir;
    this.fullAddress = (ioptions & IOPTION.fullAddress) !== 0;
    if (qualStatus !== 0) this.startOfTrace = true;
  }

  private branchLimit(pc: bigint): number {
    return this.instr(pc).kind === 'branch' ? 1 : 0;
  }

  private follow(te: TeInstPacket, isSync: boolean): void {
    const flags = te.format !== 3 && hasAddress(te) ? statusFlags(te, this.params) : { notify: false, updiscon: false, irreport: false };
    const irdepth = te.format !== 3 && hasAddress(te) ? irdepthCount(te, this.params) : 0;
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
      if (!hasAddress(te) || this.stopAtLastBranch || !atAddress) continue;
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
      const taken = (this.branchMap & 1n) === 0n;
      this.branchMap >>= 1n;
      this.branches--;
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
