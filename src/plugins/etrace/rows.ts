/**
 * Ingress rows from the emulator's events: what a RISC-V core's trace ingress port would present
 * to an E-Trace encoder, one row per retired instruction plus one per trap where nothing retires
 * (the reference flow's `encoder_input.csv` conventions, fixtures/README.md).
 *
 * Cheap to run: nothing happens per instruction. Each translated block is described once
 * ({@link BlockInfo}); each execution of a block only records it as current. When the next block
 * starts, or a trap or trap return is reported, the current block is closed: its instructions up
 * to where execution left it become rows. RISC-V blocks end at every branch, jump, xRET, ecall and
 * ebreak, so only a block's last instruction can transfer control, and where it went is the next
 * address executed (a branch to its own fall-through is "not taken", as the reference rows have
 * it). Whether the last instruction was reached at all is told by the caller (the plugin keeps an
 * inline flag for it): a block left early (an MMIO access asking the engine to stop, the end of
 * the run) is cut at the next address, one left by an exception at the faulting instruction.
 */
import { classify16, classify32, itypeForInstr, type Instr } from './classify.js';
import { RowRun } from './encoder.js';
import { ITYPE, type IngressRow } from './ingress.js';

/** A number per address (exact for any 64-bit address), so blocks compare addresses without bigints. */
const addressKeys = new Map<bigint, number>();
function addressKey(pc: bigint): number {
  let k = addressKeys.get(pc);
  if (k === undefined) addressKeys.set(pc, (k = addressKeys.size));
  return k;
}

/** One translated block's instructions, as the row builder needs them. */
export class BlockInfo {
  /** Address after the last instruction (where a branch not taken goes). */
  readonly endPc: bigint;
  /** {@link addressKey} of the first address and of {@link endPc}. */
  readonly startKey: number;
  readonly endKey: number;
  /** Cached rows of the whole block (see {@link run}), for one privilege and itype width. */
  private runKey = -1;
  private runOn: RowRun | null = null;
  private runOff: RowRun | null = null;

  constructor(
    readonly pcs: readonly bigint[],
    readonly sizes: Uint8Array,
    /** Classification of the last instruction (the only one that may transfer control). */
    readonly last: Instr,
    /** Classification of every instruction (for ecall/ebreak retire-and-raise in mid-block traps). */
    readonly kinds: readonly Instr[],
  ) {
    const n = pcs.length;
    this.endPc = n === 0 ? 0n : pcs[n - 1]! + BigInt(sizes[n - 1]!);
    this.startKey = n === 0 ? -1 : addressKey(pcs[0]!);
    this.endKey = addressKey(this.endPc);
  }

  /** From the instructions' addresses and encodings (16-bit words have bits 1:0 != 3). */
  static of(insns: readonly { vaddr: bigint; size: number; opcode: number }[], xlen: 32 | 64): BlockInfo {
    const kinds = insns.map((i) => (i.size === 2 ? classify16(i.opcode & 0xffff, xlen) : classify32(i.opcode >>> 0)));
    return new BlockInfo(insns.map((i) => i.vaddr), Uint8Array.from(insns.map((i) => i.size)), kinds[kinds.length - 1]!, kinds);
  }

  /**
   * The rows of the whole block run at privilege `priv`, its last instruction going on
   * sequentially (`taken` false: to {@link endPc}) or elsewhere: exactly the rows
   * {@link RowBuilder.close} makes for it. Built once per block (and privilege), then shared.
   */
  run(priv: number, itypeWidth: 3 | 4, taken: boolean): RowRun {
    // Called for every block execution: no closures in here (a function that creates one
    // allocates its context on every call, even when the closure is not made).
    if (priv * 8 + itypeWidth !== this.runKey) this.buildRuns(priv, itypeWidth);
    return taken ? this.runOn! : this.runOff!;
  }

  private buildRuns(priv: number, itypeWidth: 3 | 4): void {
    const rows = this.pcs.map((pc, k): IngressRow => ({
      itype: ITYPE.none, cause: 0, tval: 0n, priv, iaddr: pc, iretire: 1, ilastsize: this.sizes[k] === 4 ? 1 : 0, context: 0, ctype: 0,
    }));
    const n = rows.length;
    const lastRow = (t: boolean): IngressRow[] => [...rows.slice(0, n - 1), { ...rows[n - 1]!, itype: itypeForInstr(this.last, itypeWidth, t) }];
    this.runOn = new RowRun(lastRow(true));
    this.runOff = new RowRun(lastRow(false));
    this.runKey = priv * 8 + itypeWidth;
  }

  /** Index of the instruction at `pc`, or -1. */
  indexOf(pc: bigint): number {
    return this.pcs.indexOf(pc);
  }
}

/** Emits rows in order. */
export type RowSink = (row: IngressRow) => void;

/** What a trap row needs besides the current block. */
export interface TrapInfo {
  interrupt: boolean;
  cause: number;
  tval: bigint;
  /** For an exception: the faulting instruction; for an interrupt: the address the handler returns to. */
  pc: bigint;
  /** Size of the instruction at `pc` when it is not in the current block (2 or 4); rows' ilastsize. */
  size: number;
}

/** Builds the rows of one vCPU. */
export class RowBuilder {
  private cur: BlockInfo | null = null;
  /** Privilege of the code running now (0 U, 1 S, 3 M). */
  priv = 3;
  /** Instructions retired (rows with iretire = 1) since tracing started. */
  retired = 0;
  /** Rows are passed on from the first retired instruction at `start` on (undefined: from the first row). */
  private started: boolean;

  constructor(private readonly sink: RowSink, private readonly itypeWidth: 3 | 4, private readonly start?: bigint) {
    this.started = start === undefined;
  }

  /**
   * Did the current block reach its last instruction? Asked when the block is closed (the
   * plugin's inline flag); true when not set.
   */
  reachedEnd: () => boolean = () => true;

  /** A host call's `ebreak` whose row waits for what comes next (see {@link hostCall}). */
  private pendingCall: { pc: bigint; cause: number } | null = null;

  /**
   * Takes a closed block's rows at once (instead of one by one through the row sink), when set:
   * see {@link enterBlock}. Gets the same rows, in the same order.
   */
  runSink: ((run: RowRun) => void) | null = null;

  /** Takes a block's rows `count` times (a block looping on itself), when set. */
  runRepeatSink: ((run: RowRun, count: number) => void) | null = null;

  /**
   * Hand many block starts to {@link enterBlock}: entries `index << 1 | reached` into `blocks`,
   * each `counts[i]` times in a row.
   */
  enterBlocks(queue: Int32Array, counts: Int32Array, n: number, blocks: readonly BlockInfo[]): void {
    for (let i = 0; i < n; i++) {
      const e = queue[i]!;
      const b = blocks[e >>> 1]!, reached = (e & 1) !== 0;
      this.enterBlock(b, reached);
      let c = counts[i]! - 1;
      if (c === 0) continue;
      if (reached && this.started && this.pendingCall === null && this.runRepeatSink !== null) {
        // b closed c times, each time going on at its own start: the same rows each time.
        const run = b.run(this.priv, this.itypeWidth, b.startKey !== b.endKey);
        this.retired += run.retired * c;
        this.runRepeatSink(run, c);
      } else {
        while (c-- > 0) this.enterBlock(b, reached);
      }
    }
  }

  /** A block starts executing. */
  enter(b: BlockInfo, pc: bigint): void {
    this.flushHostCall();
    if (this.cur !== null) this.close(pc);
    this.cur = b;
  }

  /**
   * A block starts executing at its first address (like {@link enter}); `reached` tells whether
   * the block running until now reached its last instruction (the inline flag as it was when `b`
   * started). A block that ran whole goes to {@link runSink} as its cached rows.
   */
  enterBlock(b: BlockInfo, reached: boolean): void {
    if (this.pendingCall !== null) this.flushHostCall();
    const cur = this.cur;
    if (cur !== null) {
      if (reached && this.started && this.runSink !== null) {
        this.cur = null;
        const run = cur.run(this.priv, this.itypeWidth, b.startKey !== cur.endKey);
        this.retired += run.retired;
        this.runSink(run);
      } else {
        this.close(b.pcs[0]!, reached);
      }
    }
    this.cur = b;
  }

  /**
   * A host call (semihosting `ebreak`) at `pc` was serviced. It is traced as the breakpoint
   * exception `cause` it raises on the hart (the `ebreak` retires and raises; the instruction
   * after it plays the handler) once execution goes on; when the run ends with it (SYS_EXIT),
   * as a plain retired instruction, since no handler ever runs.
   */
  hostCall(pc: bigint, cause: number): void {
    const b = this.cur;
    const k = b === null ? -1 : b.indexOf(pc);
    if (b === null || k < 0) return;
    this.cur = null;
    for (let i = 0; i < k; i++) this.row(ITYPE.none, 0, 0n, b.pcs[i]!, 1, b.sizes[i]!);
    this.pendingCall = { pc, cause };
  }

  private flushHostCall(): void {
    const c = this.pendingCall;
    if (c === null) return;
    this.pendingCall = null;
    this.row(ITYPE.exception, c.cause, 0n, c.pc, 1, 4);
  }

  /** The run ended with execution at `next`: the last rows. */
  end(next: bigint): void {
    const c = this.pendingCall;
    if (c !== null) {
      this.pendingCall = null;
      this.row(ITYPE.none, 0, 0n, c.pc, 1, 4);
    }
    this.close(next);
  }

  /**
   * Close the current block: execution continues at `next`. If the block's last instruction ran,
   * the whole block ran and that instruction went to `next`; otherwise the block was left early,
   * just before `next`.
   */
  close(next: bigint, reached?: boolean): void {
    const b = this.cur;
    if (b === null) return;
    this.cur = null;
    const j = (reached ?? this.reachedEnd()) ? -1 : b.indexOf(next);
    const n = j > 0 ? j : b.pcs.length;
    for (let k = 0; k < n; k++) {
      const pc = b.pcs[k]!, size = b.sizes[k]!;
      let itype: number = ITYPE.none;
      if (k === b.pcs.length - 1) itype = itypeForInstr(b.last, this.itypeWidth, next !== pc + BigInt(size));
      this.row(itype, 0, 0n, pc, 1, size);
    }
  }

  /**
   * A trap was taken (before the handler's first instruction). Closes the current block at the
   * faulting instruction (an ecall, ebreak or c.ebreak retires and raises: one row, itype 1) or,
   * for an interrupt, at the return address, then adds the trap row. `handlerPriv` is the
   * privilege the handler runs in.
   */
  trap(t: TrapInfo, handlerPriv: number): void {
    this.flushHostCall();
    const b = this.cur;
    if (t.interrupt) {
      this.close(t.pc);
      this.row(ITYPE.interrupt, t.cause, 0n, t.pc, 0, t.size);
    } else {
      const k = b === null ? -1 : b.indexOf(t.pc);
      if (b !== null && k >= 0) {
        // The instructions before the faulting one ran.
        this.cur = null;
        for (let i = 0; i < k; i++) this.row(ITYPE.none, 0, 0n, b.pcs[i]!, 1, b.sizes[i]!);
        const kind = b.kinds[k]!.kind;
        const retires = kind === 'ecall' || kind === 'ebreak';
        this.row(ITYPE.exception, t.cause, t.tval, t.pc, retires ? 1 : 0, b.sizes[k]!);
      } else {
        // A fetch fault at the target of the block's last instruction: that block ran whole.
        this.close(t.pc);
        this.row(ITYPE.exception, t.cause, t.tval, t.pc, 0, t.size);
      }
    }
    this.priv = handlerPriv;
  }

  /** An xRET went to `to` with privilege `priv` now. */
  trapReturn(to: bigint, priv: number): void {
    this.flushHostCall();
    this.close(to);
    this.priv = priv;
  }

  private row(itype: number, cause: number, tval: bigint, iaddr: bigint, iretire: number, size: number): void {
    if (!this.started) {
      if (iretire === 0 || iaddr !== this.start) return;
      this.started = true;
    }
    if (iretire) this.retired++;
    this.sink({ itype, cause, tval, priv: this.priv, iaddr, iretire, ilastsize: size === 4 ? 1 : 0, context: 0, ctype: 0 });
  }
}
