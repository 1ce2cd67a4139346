/**
 * The run loop of one vCPU: take pending interrupts between blocks, find or translate the block
 * at the PC, and run it — never past the instruction-count limit, so timer events fire at exact
 * instruction boundaries whatever the block sizes.
 */
import { UserError } from './errors.js';
import { TbCache, type CachedBlock } from './tb-cache.js';
import { toBig } from './u64.js';

/** Consecutive fetch faults without progress after which a vCPU is declared stuck. */
const STUCK_FETCH_FAULTS = 100_000;

/** The state the engine needs from a target's vCPU. */
export interface EngineCpu {
  readonly index: number;
  icount: number;
  /** Instruction-count limit of the current run slice (generated self-loops check it). */
  limit: number;
  exitReq: number;
  irqPending: number;
  halted: boolean;
  pcLo: number;
  pcHi: number;
  mode: number;
  curBlock: unknown;
  /** Deliver a pending, enabled interrupt (or wake from idle). True if anything changed. */
  takeInterrupt(): boolean;
}

export interface EngineBlock extends CachedBlock {
  readonly n: number;
  readonly fn: (s: never) => void;
}

/** Target hooks for the engine. */
export interface EngineTarget<C extends EngineCpu, B extends EngineBlock> {
  /** Translate at the CPU's PC; undefined if a fetch fault was delivered instead. */
  translate(cpu: C, mode: number): B | undefined;
  /** Mode bit that asks for single-instruction blocks. */
  readonly singleMode: number;
  /** The object generated code throws to unwind after a trap it already delivered. */
  readonly trapSentinel: unknown;
}

export class Engine<C extends EngineCpu, B extends EngineBlock> {
  readonly cache = new TbCache<B>();
  /** Blocks translated so far (statistics). */
  translations = 0;
  /** Run one instruction per block (QEMU's -singlestep / -d nochain with exact PCs). */
  singleStep = false;

  constructor(readonly target: EngineTarget<C, B>) {}

  /** Fetch faults in a row with no instruction executed in between (a vector pointing nowhere). */
  private fetchFaults = 0;
  private lastFaultIcount = -1;

  private lookup(cpu: C, mode: number): B | undefined {
    let tb = this.cache.lookup(cpu.pcLo, cpu.pcHi, mode);
    if (tb === undefined) {
      tb = this.target.translate(cpu, mode);
      if (tb === undefined) {
        // A fetch fault was delivered. If the handler itself cannot be fetched the vCPU loops
        // forever without retiring anything; QEMU would hang there, we stop with a clear line.
        if (cpu.icount === this.lastFaultIcount) {
          if (++this.fetchFaults >= STUCK_FETCH_FAULTS) {
            throw new UserError(`vCPU ${cpu.index} is stuck: ${STUCK_FETCH_FAULTS} instruction fetch faults in a row without executing anything (trap vector at 0x${toBig(cpu.pcLo, cpu.pcHi).toString(16)} is not executable)`);
          }
        } else { this.fetchFaults = 1; this.lastFaultIcount = cpu.icount; }
        return undefined;
      }
      this.translations++;
      this.cache.insert(tb);
    }
    return tb;
  }

  /**
   * Run `cpu` until its icount reaches `limit`, it halts (WFI), or something sets `exitReq`
   * with `stop()` true. Returns when any of these holds.
   */
  run(cpu: C, limit: number, stop: () => boolean): void {
    const sentinel = this.target.trapSentinel;
    const singleBit = this.target.singleMode;
    cpu.limit = limit;
    for (;;) {
      try {
        while (cpu.icount < limit) {
          if (cpu.exitReq !== 0) {
            cpu.exitReq = 0;
            if (stop()) return;
          }
          if (cpu.irqPending !== 0 && cpu.takeInterrupt()) continue;
          if (cpu.halted) return;
          const base = this.singleStep ? cpu.mode | singleBit : cpu.mode;
          let tb = this.lookup(cpu, base);
          if (tb === undefined) continue;
          if (cpu.icount + tb.n > limit) {
            tb = this.lookup(cpu, cpu.mode | singleBit);
            if (tb === undefined) continue;
          }
          cpu.curBlock = tb;
          (tb.fn as (s: C) => void)(cpu);
        }
        return;
      } catch (e) {
        if (e !== sentinel) throw e;
      }
    }
  }
}
