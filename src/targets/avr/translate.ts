/**
 * AVR block translation: decode instructions from flash at the PC until one ends the block, then
 * let the core assemble the JavaScript (with any plugin instrumentation) and compile it.
 *
 * A block ends at jumps, calls and returns, at SLEEP, SPM and SEI, at an undefined opcode and at a
 * 4 KiB flash page boundary. A conditional branch or skip inside a block leaves it when taken and
 * falls through to the rest of the block otherwise (so a loop body with a forward branch is one
 * block, and a backward branch to the block's start loops in place). Along the fall-through path
 * the cycles executed before each instruction are a compile-time constant, so each exit adds an
 * exact constant to `icount`.
 *
 * Dead SREG elimination: an instruction's flag computation is dropped when a later instruction of
 * the same block overwrites every flag it writes before anything can read SREG (no plugin
 * instrumentation, no data-space access that could read SREG or leave the block early).
 */
import { FlowEmitter, generateBlock, type EmitContext, type GenInsn } from '../../core/blockgen.js';
import { JitBuilder } from '../../core/jit.js';
import type { CachedBlock } from '../../core/tb-cache.js';
import { Flow, FlowClass } from '../../plugin/api.js';
import type { PluginHost } from '../../plugin/host.js';
import { FLASH_MASK, type AvrCpu } from './cpu.js';
import { disassembleEncoding } from './disasm.js';
import { decode, isTwoWord, operands, sregMask, type AvrEncoding, type AvrOperands } from './encodings.js';
import { SEMANTICS, type AvrGen, type AvrSite } from './semantics.js';

/** Longest block, in instructions. */
export const MAX_BLOCK_INSNS = 64;
/** Mode bit: a block of exactly one instruction (to stop precisely at a deadline, or after SEI). */
export const MODE_SINGLE = 1 << 8;

export type AvrBlockFn = (s: AvrCpu, depth?: number) => void;

/** Most blocks one block may chain into before returning to the engine (bounds the JS stack). */
const CHAIN_DEPTH = 16;

/** A block exit's successor, found on first use and dropped when it is invalidated. */
type Chained = ReturnType<AvrCpu['findBlock']> & object;

class ChainLink {
  b: Chained | null = null;
  constructor(readonly pc: number) {}
  /** Look the successor up in the translation cache (not translating: the engine does that). */
  find(s: AvrCpu): Chained | null {
    const b = s.findBlock(this.pc);
    this.b = b ?? null;
    return this.b;
  }
}

export class AvrBlock implements CachedBlock {
  valid = true;
  constructor(
    readonly pcLo: number, readonly pcHi: number, readonly mode: number, readonly pages: readonly number[],
    readonly extents: readonly (readonly [number, number])[],
    /** Upper bound of the block's cycles (every branch taken, every skip over a 2-word instruction). */
    readonly n: number, readonly fn: AvrBlockFn,
    /** Instructions in the block. */
    readonly count: number,
    /** The generated source, for debugging. */
    readonly source: string,
  ) {}
}

const FLOW_CLASS: Readonly<Record<string, FlowClass>> = {
  seq: FlowClass.Sequential, sleep: FlowClass.Sequential,
  branch: FlowClass.Transfer, skip: FlowClass.Transfer, jump: FlowClass.Transfer, call: FlowClass.Transfer,
  ret: FlowClass.Transfer, reti: FlowClass.Transfer,
};

class AvrInsn implements GenInsn {
  flagsLive = true;
  constructor(readonly e: AvrEncoding | undefined, readonly o: AvrOperands, readonly w0: number, readonly w1: number,
    readonly pc: number, readonly size: number, readonly next: number, readonly nextSize: number, readonly c0: number,
    private readonly gen: AvrGen & { instrumented: boolean }) {}
  get pcLo(): number { return this.pc; }
  get pcHi(): number { return 0; }
  get opcode(): number { return this.size === 4 ? ((this.w0 << 16) | this.w1) >>> 0 : this.w0; }
  get flow(): FlowClass { return this.e === undefined ? FlowClass.Sequential : FLOW_CLASS[this.e.flow]!; }
  bytes(): Uint8Array {
    const b = [this.w0 & 0xff, this.w0 >> 8];
    if (this.size === 4) b.push(this.w1 & 0xff, this.w1 >> 8);
    return Uint8Array.from(b);
  }
  disas(): string {
    return this.e === undefined ? `.word 0x${this.w0.toString(16).padStart(4, '0')}` : disassembleEncoding(this.e, this.w0, this.w1);
  }
  emit(ctx: EmitContext): string {
    if (this.e === undefined) return `s.pcLo = ${this.pc}; s.icount += ${this.c0}; s.undefinedOpcode(${this.pc}, ${this.w0});\n`;
    const code = SEMANTICS[this.e.id]!(this as AvrSite & { e: AvrEncoding }, this.gen, ctx);
    // Under instrumentation the PC is kept exact for the next instruction's callbacks.
    return this.gen.instrumented && !this.endsBlock ? `${code}s.pcLo = ${this.next};\n` : code;
  }
  /** Does this instruction end its block? */
  get endsBlock(): boolean {
    const e = this.e;
    return e === undefined || (e.flow !== 'seq' && e.flow !== 'branch' && e.flow !== 'skip') || e.id === 'spm' || (e.id === 'bset' && this.o.s === 7);
  }
  /** Upper bound of its cycles. */
  get maxCycles(): number {
    const e = this.e;
    if (e === undefined) return 1;
    return e.flow === 'branch' ? 2 : e.flow === 'skip' ? 3 : e.cycles;
  }
}

export interface AvrTranslateEnv {
  host: PluginHost;
  symbolAt: (a: bigint) => string | undefined;
}

const NO_OPERANDS: AvrOperands = { d: 0, r: 0, K: 0, k: 0, A: 0, b: 0, s: 0, q: 0 };

/** Translate the block at the CPU's PC for `mode`. */
export function translate(cpu: AvrCpu, env: AvrTranslateEnv, mode: number): AvrBlock {
  const single = (mode & MODE_SINGLE) !== 0;
  const start = cpu.pcLo & FLASH_MASK;
  const f16 = cpu.flash16;
  const insns: AvrInsn[] = [];
  let maxCycles = 0;
  let usedLoop = false;
  const instrumented = env.host.instrumenting;
  const jit = new JitBuilder();
  // Control-transfer events: only the kinds plugins registered now (a change flushes the code).
  const flow = env.host.flowMask !== 0 ? new FlowEmitter(env.host, jit) : null;
  const gen: AvrGen & { instrumented: boolean } = {
    instrumented,
    event: (kind, from, to) => (flow === null ? '' : flow.event(kind, from, 0, to, '0')),
    exit(pc, cycles) {
      if (!single && pc === start) {
        // A branch back to the block's start: go round again without returning to the engine
        // while a whole further iteration fits before the deadline and nothing asked to leave.
        usedLoop = true;
        return `s.icount += ${cycles}; ${instrumented ? `s.pcLo = ${pc}; ` : ''}if (s.icount + ${maxCycles} <= s.limit && s.exitReq === 0) continue L; s.pcLo = ${pc}; return;\n`;
      }
      if (single || instrumented) return `s.pcLo = ${pc}; s.icount += ${cycles}; return;\n`;
      // Chaining: run the block at `pc` from here when the engine would do nothing else first
      // (nothing pending, the whole block fits before the deadline), up to CHAIN_DEPTH deep.
      const link = jit.constant(new ChainLink(pc), 'ln');
      return `s.pcLo = ${pc}; s.icount += ${cycles}; if (s.exitReq === 0 && s.irqPending === 0 && (dp | 0) < ${CHAIN_DEPTH}) { ` +
        `const nb = ${link}.b !== null && ${link}.b.valid ? ${link}.b : ${link}.find(s); ` +
        `if (nb !== null && s.icount + nb.n <= s.limit) { nb.fn(s, (dp | 0) + 1); return; } } return;\n`;
    },
    readHooked: (a) => cpu.readHooks[a] !== undefined,
    writeHooked: (a) => cpu.writeHooks[a] !== undefined,
  };
  let pc = start;
  let c0 = 0;
  const limit = single ? 1 : MAX_BLOCK_INSNS;
  while (insns.length < limit) {
    const w0 = f16[pc >> 1]!;
    const e = decode(w0);
    const size = e !== undefined && e.pattern.length === 32 ? 4 : 2;
    const w1 = size === 4 ? f16[((pc + 2) & FLASH_MASK) >> 1]! : 0;
    const next = (pc + size) & FLASH_MASK;
    const nextSize = isTwoWord(f16[next >> 1]!) ? 4 : 2;
    const ins = new AvrInsn(e, e === undefined ? NO_OPERANDS : operands(e, w0, w1), w0, w1, pc, size, next, nextSize, c0, gen);
    insns.push(ins);
    c0 += e === undefined ? 0 : e.cycles;
    maxCycles += ins.maxCycles;
    pc = next;
    if (ins.endsBlock || (pc & 0xfff) === 0) break;
  }
  // SREG liveness, backwards from the block's end (everything live there).
  if (!env.host.instrumenting) {
    let live = 0xff;
    for (let k = insns.length - 1; k >= 0; k--) {
      const e = insns[k]!.e;
      if (e === undefined) { live = 0xff; continue; }
      const w = sregMask(e.writes);
      insns[k]!.flagsLive = (w & live) !== 0 || w === 0;
      // a branch or skip may leave the block: everything is live there
      live = e.flow === 'skip' || e.flow === 'branch' ? 0xff : (live & ~w) | sregMask(e.reads);
    }
  }
  const end = pc;
  const total = c0;
  // Control falls off the last instruction (size limit, page end): the next block runs on
  // sequentially. A branch or skip there reported its own not-taken event.
  const last = insns[insns.length - 1]!;
  const fallThrough = last.e?.flow === 'seq' ? gen.event(Flow.FallThrough, last.pc, String(end)) : '';
  const tail = (): string => last.endsBlock ? '' : `${fallThrough}s.pcLo = ${end}; s.icount += ${total}; return;\n`;
  const src = generateBlock(insns, env.host, 'const d = s.data, f = s.flash;\n', tail, env.symbolAt, false, jit, () => usedLoop);
  const fn = jit.compile<AvrBlockFn>('s, dp', src.body, `tb_${start.toString(16)}`);
  const endByte = last.pc + last.size;
  const pages = [start >> 12];
  const extents: [number, number][] = [[start, Math.min(endByte, (pages[0]! + 1) << 12)]];
  if (((endByte - 1) >> 12) !== pages[0]) { pages.push((endByte - 1) >> 12); extents.push([(endByte - 1) & ~0xfff, endByte]); }
  return new AvrBlock(start, 0, mode, pages, extents, maxCycles, fn, insns.length, src.body);
}
