/**
 * Thumb block translation: fetch and decode halfwords from the PC until an instruction ends the
 * block, follow ITSTATE statically through the block (an IT instruction makes the next one to four
 * instructions conditional: each is wrapped in `if (cond)`, and 16-bit data processing inside the
 * block does not set flags), then let the core assemble the JavaScript and compile it.
 *
 * ITSTATE at the block's start is part of its key (`mode` bits 7:0), so a block entered in the
 * middle of an IT block (after an exception return, or a block split) decodes correctly. A block
 * ends at every PC write, at SVC/BKPT/UDF, at MSR/CPS (interrupt masking may change), WFI/WFE,
 * ISB, after 128 instructions and before an instruction it cannot fetch.
 */
import { FlowEmitter, generateBlock, type EmitContext, type GenInsn } from '../../core/blockgen.js';
import { JitBuilder } from '../../core/jit.js';
import type { CachedBlock } from '../../core/tb-cache.js';
import { Flow, FlowClass, type FlowKind } from '../../plugin/api.js';
import type { PluginHost } from '../../plugin/host.js';
import { MODE_MPU, MODE_NOT_THUMB, MODE_SINGLE, MODE_UNPRIV, type ArmBlockInfo, type ArmCpu } from './cpu.js';
import { disassemble } from './disasm.js';
import { condExpr, conditionalBranchOffset, ENDS_BLOCK, Gen, SEMANTICS, transferKind, writesPc, type ArmSite } from './emit.js';

/** Branches that may not be taken: their block goes on after them (an exit when taken). */
const FALLS_THROUGH = new Set(['b_c16', 'b_c32', 'cbz', 'cbnz']);
import { eliminateDeadFlags } from './dead-flags.js';
import { cacheLoopState } from './loop-locals.js';
import { decode, isThumb32, type ArmEncoding, type Fields } from './encodings.js';

/** Longest block, in instructions. */
export const MAX_BLOCK_INSNS = 128;

export type ArmBlockFn = (s: ArmCpu, depth?: number) => void;

export class ArmBlock implements CachedBlock, ArmBlockInfo {
  valid = true;
  constructor(
    readonly pcLo: number, readonly pcHi: number, readonly mode: number, readonly pages: readonly number[],
    readonly extents: readonly (readonly [number, number])[],
    readonly n: number, readonly fn: ArmBlockFn,
    readonly insnPc: Int32Array, readonly insnIt: Uint8Array,
    /** The generated source, for debugging. */
    readonly source: string,
    readonly trapFixup: ((vcpu: number, k: number) => void) | undefined,
  ) {}
}

/** ITAdvance() of the manual. */
export function itAdvance(it: number): number {
  if ((it & 7) === 0) return 0;
  return (it & 0xe0) | ((it << 1) & 0x1f);
}

const TRAP_IDS = new Set(['svc', 'bkpt']);

class ArmInsn implements GenInsn, ArmSite {
  codeBefore = '';
  codeAfter = '';
  /** Code emitted ahead of block assembly (for dead-flag elimination), used instead of emitting again. */
  code: string | undefined;
  constructor(readonly e: ArmEncoding | undefined, readonly f: Fields, readonly raw: number, readonly pc: number,
    readonly size: 2 | 4, readonly itBefore: number, readonly itAfter: number, private readonly gen: Gen) {}
  get id(): string { return this.e?.id ?? 'undefined'; }
  get pcLo(): number { return this.pc; }
  get pcHi(): number { return 0; }
  get next(): number { return (this.pc + this.size) | 0; }
  get inIT(): boolean { return (this.itBefore & 0xf) !== 0; }
  get opcode(): number { return this.raw >>> 0; }
  get ends(): boolean { return this.e === undefined || writesPc(this.e.id, this.f); }
  /** The control-flow event kind when it transfers control (emit.ts `transferKind`), else null. */
  get transfer(): FlowKind | null { return this.e === undefined ? null : transferKind(this.e.id, this.f); }
  get flow(): FlowClass {
    if (this.e === undefined) return FlowClass.Sequential;
    if (TRAP_IDS.has(this.e.id)) return FlowClass.Trap;
    if (writesPc(this.e.id, this.f) && (ENDS_BLOCK.has(this.e.id) ? /^(b|bl|bx|blx|cb|tb)/.test(this.e.id) : true)) return FlowClass.Transfer;
    return FlowClass.Sequential;
  }
  bytes(): Uint8Array {
    const w = this.raw >>> 0;
    return this.size === 2 ? Uint8Array.of(w & 0xff, w >>> 8) : Uint8Array.of((w >>> 16) & 0xff, w >>> 24, w & 0xff, (w >>> 8) & 0xff);
  }
  disas(): string { return disassemble(this.raw >>> 0, this.size, this.pc >>> 0, this.itBefore).replace('\t', ' '); }
  emit(ctx: EmitContext): string {
    if (this.code !== undefined) return this.code;
    let code = this.e === undefined ? `s.undefined(${ctx.k});\n` : SEMANTICS[this.e.id]!(this, this.gen, ctx);
    const cond = this.inIT && this.e?.id !== 'it' ? this.itBefore >> 4 : 14;
    if (cond < 14) {
      // A transfer skipped by its IT condition is a branch not taken (the block ends after it).
      const skipped = this.transfer === null ? '' : this.gen.event(Flow.BranchNotTaken, this.pc, String(this.next));
      code = `if (${condExpr(cond)}) {\n${code}}\n` + (skipped === '' ? '' : `else {\n${skipped}}\n`);
    }
    if (this.gen.instrumented && !this.ends) code += `s.pcLo = ${this.next};\n`;
    return code;
  }
}

export interface ArmTranslateEnv {
  host: PluginHost;
  symbolAt: (a: bigint) => string | undefined;
}

/** A labelled statement around instructions `from`..`to` of a block, for an in-block branch at `at`. */
interface InBlockLabel { from: number; to: number; at: number; loop: boolean }

/** Can the two ranges be labelled statements at once (disjoint, or one inside the other)? */
const nests = (a: InBlockLabel, b: InBlockLabel): boolean =>
  a.to < b.from || b.to < a.from || (a.from <= b.from && b.to <= a.to) || (b.from <= a.from && a.to <= b.to);

/**
 * Conditional branches whose target is another instruction of the same block stay inside it:
 * - forward (target j > k): a labelled block `F<k>: { ... }` around k..j-1, which the taken
 *   branch leaves with `break` (so a loop body with if/else arms runs without leaving its block);
 * - backward (target m, 0 < m <= k): a labelled loop `B<k>: for (;;) { ... break B<k>; }` around
 *   m..k, which the taken branch repeats with `continue` while the deadline allows (an inner loop
 *   runs inside its outer loop's block). A branch to the block's start is the block's own loop.
 * The ranges must nest: a branch whose range would cross an accepted one, or whose target starts
 * with another ITSTATE, leaves the block as usual. Records the targets in `gen.inBlock`.
 */
function linkInBlockBranches(insns: readonly ArmInsn[], gen: Gen): InBlockLabel[] {
  const labels: InBlockLabel[] = [];
  const byPc = new Map<number, number>();
  insns.forEach((i, k) => { if (!byPc.has(i.pc)) byPc.set(i.pc, k); });
  for (let k = 0; k < insns.length; k++) {
    const b = insns[k]!;
    if (!FALLS_THROUGH.has(b.id) || b.inIT) continue;
    const j = byPc.get((b.pc + 4 + conditionalBranchOffset(b.id, b.f)) | 0);
    if (j === undefined || j === 0 || insns[j]!.itBefore !== b.itAfter) continue;
    if (j === k + 1) { gen.inBlock.set(k, j); continue; } // to the next instruction: nothing to skip
    const label: InBlockLabel = j > k ? { from: k, to: j - 1, at: k, loop: false } : { from: j, to: k, at: k, loop: true };
    if (!labels.every((l) => nests(l, label))) continue;
    labels.push(label);
    gen.inBlock.set(k, j);
  }
  // Open outer labels first (earlier start, then later end; a loop outside a block of the same
  // range), close them in reverse.
  labels.sort((a, b) => a.from - b.from || b.to - a.to || Number(b.loop) - Number(a.loop));
  for (const l of labels) insns[l.from]!.codeBefore += l.loop ? `B${l.at}: for (;;) {\n` : `F${l.at}: {\n`;
  for (const l of [...labels].reverse()) insns[l.to]!.codeAfter += l.loop ? `break B${l.at};\n}\n` : '}\n';
  return labels;
}

/** Translate the block at the CPU's PC for `mode`; undefined when a fault was delivered instead (fetch, T bit). */
export function translate(cpu: ArmCpu, env: ArmTranslateEnv, mode: number): ArmBlock | undefined {
  const start = cpu.pcLo;
  if ((mode & MODE_NOT_THUMB) !== 0) { cpu.invState(start); return undefined; }
  const single = (mode & MODE_SINGLE) !== 0;
  const baseMode = mode & ~MODE_SINGLE;
  const instrumented = env.host.instrumenting;
  const pages: number[] = [];
  const extents: [number, number][] = [];
  const mpu = (mode & MODE_MPU) !== 0;
  let mpuDenied = false;
  const fetch = (a: number): number => {
    if (!cpu.mayExecute(a, (mode & MODE_UNPRIV) !== 0)) { mpuDenied = true; return -1; }
    const h = cpu.fetch16(a);
    if (h < 0) return h;
    const ua = a >>> 0;
    const page = Math.floor(ua / 4096);
    const at = pages.indexOf(page);
    if (at < 0) { pages.push(page); extents.push([ua, ua + 2]); } else {
      const ex = extents[at]!;
      if (ua < ex[0]) ex[0] = ua;
      if (ua + 2 > ex[1]) ex[1] = ua + 2;
    }
    return h;
  };
  interface Raw { raw: number; pc: number; size: 2 | 4; hit: { e: ArmEncoding; f: Fields } | undefined }
  const raws: Raw[] = [];
  const limit = single ? 1 : MAX_BLOCK_INSNS;
  let pc = start;
  while (raws.length < limit) {
    const first = raws.length === 0;
    const h0 = fetch(pc);
    if (h0 < 0) {
      if (first) { cpu.fetchFault(pc, mpuDenied); return undefined; }
      break;
    }
    let raw: number, size: 2 | 4;
    if (isThumb32(h0)) {
      const h1 = fetch((pc + 2) | 0);
      if (h1 < 0) {
        if (first) { cpu.fetchFault((pc + 2) | 0, mpuDenied); return undefined; }
        break;
      }
      raw = ((h0 << 16) | h1) >>> 0; size = 4;
    } else { raw = h0; size = 2; }
    const hit = decode(raw, size === 2 ? 16 : 32, cpu.profile);
    raws.push({ raw, pc, size, hit });
    pc = (pc + size) | 0;
    // A conditional branch leaves the block only when taken: translation goes on with the
    // instruction after it, so a loop whose body has forward branches stays in one block.
    if (hit === undefined || (writesPc(hit.e.id, hit.f) && !FALLS_THROUGH.has(hit.e.id))) break;
  }
  const n = raws.length;
  const jit = new JitBuilder();
  // With the MPU on, every access takes the checked slow path.
  const gen = new Gen(start, baseMode, n, !single && !instrumented, mpu ? [] : cpu.fastRams, instrumented, !single && !instrumented && cpu.chaining, jit);
  if (env.host.flowMask !== 0) gen.flow = new FlowEmitter(env.host, jit);
  let it = baseMode & 0xff;
  const insns: ArmInsn[] = raws.map((r) => {
    const before = it;
    if (r.hit?.e.id === 'it') it = (r.hit.f.c! << 4) | r.hit.f.k!;
    else it = (before & 0xf) !== 0 ? itAdvance(before) : 0;
    return new ArmInsn(r.hit?.e, r.hit?.f ?? {}, r.raw, r.pc, r.size, before, it, gen);
  });
  if (gen.allowLoop) {
    // Uninstrumented: in-block branches, then each instruction's code without dead flag stores.
    const labels = linkInBlockBranches(insns, gen);
    // Branch events are reported in the middle of the block, where a callback may read the flags
    // (the analysis only sees exits and CPU calls as reads): keep every flag store then.
    const midBlockEvents = gen.flow !== null && (gen.flow.wants(Flow.BranchTaken) || gen.flow.wants(Flow.BranchNotTaken));
    if (!midBlockEvents) {
      const sites = insns.map((i, k) => ({ code: i.emit({ k, jit, memHooked: false, mem: () => '' }), conditional: i.inIT && i.id !== 'it' }));
      eliminateDeadFlags(sites, gen.inBlock).forEach((code, k) => { insns[k]!.code = code; });
      // No event calls at all (a callback could read registers): inner loops keep state in locals.
      if (gen.flow === null) {
        const loops = insns.map((i) => ({ code: i.code!, codeBefore: i.codeBefore, codeAfter: i.codeAfter }));
        cacheLoopState(loops, labels.filter((l) => l.loop));
        loops.forEach((l, k) => { const i = insns[k]!; i.code = l.code; i.codeBefore = l.codeBefore; i.codeAfter = l.codeAfter; });
      }
    }
  }
  const endPc = pc;
  const endIt = it;
  // Control falls off the last instruction when it does not transfer (size limit, page end, an
  // unfetchable next instruction, or an instruction skipped by IT that would end the block): the
  // next block runs on sequentially. A conditional branch not taken reported its own event.
  const last = insns[n - 1]!;
  const fallThrough = last.transfer === null ? gen.event(Flow.FallThrough, last.pc, String(endPc)) : '';
  const tail = (count: number): string => fallThrough + gen.exit(count, endPc, endIt);
  const src = generateBlock(insns, env.host, 'const r = s.r, f = s.f;\n', tail, env.symbolAt, false, jit, () => gen.usedLoop);
  const fn = jit.compile<ArmBlockFn>('s, dp', src.body, `tb_${(start >>> 0).toString(16)}`);
  const insnPc = Int32Array.from(insns.map((i) => i.pc));
  const insnIt = Uint8Array.from(insns.map((i) => i.itBefore));
  return new ArmBlock(start, 0, mode, pages, extents, n, fn, insnPc, insnIt, src.body, src.trapFixup);
}
