/**
 * RISC-V block translation: fetch and decode instructions from the PC until one ends the block,
 * then let the core assemble the JavaScript (with any plugin instrumentation) and compile it.
 */
import { FlowEmitter, generateBlock, type EmitContext, type GenInsn } from '../../core/blockgen.js';
import { JitBuilder } from '../../core/jit.js';
import type { CachedBlock } from '../../core/tb-cache.js';
import { Flow, FlowClass } from '../../plugin/api.js';
import type { PluginHost } from '../../plugin/host.js';
import { Exc } from './causes.js';
import { expandCompressed } from './compressed.js';
import { disassemble } from './disasm.js';
import { ENDS_BLOCK, Gen, SEMANTICS, type InsnSite, type RamInfo } from './emit.js';
import { decode, decodeReservedRm, type Encoding } from './encodings.js';
import { MODE_DATA_MMU_SHIFT, MODE_FETCH_MMU_SHIFT, MODE_FS_SHIFT, type Hart } from './hart.js';
import { FP_SEMANTICS, FP_WRITES_FREG } from './emit-fp.js';
import { pageKey } from './mmu.js';
import { encodingEnabled, isDefaultIsa, type RvIsa } from './isa.js';

/** Longest block, in instructions. */
export const MAX_BLOCK_INSNS = 128;
/** Mode bit: a block of exactly one instruction (used to stop precisely at a deadline). */
export const MODE_SINGLE = 1 << 8;

export type BlockFn = (s: Hart) => void;

export class RvBlock implements CachedBlock {
  valid = true;
  constructor(
    readonly pcLo: number, readonly pcHi: number, readonly mode: number, readonly pages: readonly number[],
    readonly extents: readonly (readonly [number, number])[],
    readonly n: number, readonly fn: BlockFn,
    readonly insnPcLo: Int32Array, readonly insnPcHi: Int32Array, readonly insnWord: Int32Array,
    /** The generated source, kept for `-d out_asm`-style debugging. */
    readonly source: string,
    /** Applies accumulated inline counter adds when a trap unwinds the block at instruction k. */
    readonly trapFixup: ((vcpu: number, k: number) => void) | undefined,
  ) {}
}

const TRANSFER = new Set(['jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'mret', 'sret']);
const TRAPS = new Set(['ecall', 'ebreak']);

class RvInsn implements GenInsn, InsnSite {
  /** For a wfi: the instructions after it that QEMU 7.2's translation block would hold (see {@link qemuTbTail}). */
  tbTail = 0;
  /** C off: start of QEMU 7.2's translation block holding this instruction (see emit.ts InsnSite). */
  qemuTbLo?: number;
  qemuTbHi?: number;
  constructor(readonly name: string, readonly w: number, readonly raw: number, readonly pcLo: number, readonly pcHi: number,
    readonly size: number, private readonly xlen: 32 | 64, private readonly gen: Gen,
    /** mstatus.FS in the block's translation mode. */
    private readonly fs: number) {}
  get opcode(): number { return this.raw >>> 0; }
  get flow(): FlowClass {
    return TRANSFER.has(this.name) ? FlowClass.Transfer : TRAPS.has(this.name) ? FlowClass.Trap : FlowClass.Sequential;
  }
  bytes(): Uint8Array {
    const b = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) b[i] = (this.raw >>> (8 * i)) & 0xff;
    return b;
  }
  disas(): string {
    const pc = (BigInt(this.pcHi >>> 0) << 32n) | BigInt(this.pcLo >>> 0);
    return disassemble(this.raw >>> 0, this.size as 2 | 4, this.xlen, pc).replace('\t', ' ');
  }
  emit(ctx: EmitContext): string {
    const fpSem = FP_SEMANTICS[this.name];
    if (fpSem !== undefined) {
      // F/D: illegal while mstatus.FS is Off (decided at translation, as QEMU does); an
      // instruction writing an f register makes FS Dirty (the key changes for later blocks).
      if (this.fs === 0) return `s.illegalDecode(${ctx.k});\n`;
      let code = fpSem(this, this.gen, ctx);
      if (this.fs !== 3 && FP_WRITES_FREG.has(this.name)) code += 's.markFsDirty();\n';
      return code;
    }
    const sem = SEMANTICS[this.name];
    if (sem === undefined) return `s.illegalDecode(${ctx.k});\n`;
    return sem(this, this.gen, ctx);
  }
}

export interface TranslateEnv {
  host: PluginHost;
  ram: RamInfo | null;
  symbolAt: (a: bigint) => string | undefined;
  /** QEMU's -singlestep: its translation blocks hold one instruction (a wfi then has no block tail). */
  singleStep?: boolean;
}

/** Is the word a CSR instruction that writes (ends the block: it may change interrupts or mode)? */
function csrWrites(name: string, w: number): boolean {
  if (!name.startsWith('csrr')) return false;
  const src = (w >>> 15) & 31;
  return name === 'csrrw' || name === 'csrrwi' || src !== 0;
}

/** QEMU 7.2's TCG_MAX_INSNS: the longest translation block. */
const QEMU_MAX_TB_INSNS = 512;

/**
 * Does this instruction end a QEMU 7.2 translation block (riscv_tr_translate_insn stops after an
 * instruction that sets `is_jmp`)? Jumps and branches, ecall/ebreak/mret/sret, fence.i, every
 * CSR instruction (reads too: do_csrr ends with do_csr_post) and words that fail to decode (an
 * illegal-instruction exception generated at translation; F/D while mstatus.FS is Off included).
 * Not wfi, sfence.vma, fences, loads, stores, AMOs or F/D (a reserved static rm raises at run time).
 */
function endsQemuTb(enc: Encoding | undefined, fs: number): boolean {
  if (enc === undefined) return true;
  if ((enc.ext === 'F' || enc.ext === 'D') && fs === 0) return true;
  return TRANSFER.has(enc.name) || TRAPS.has(enc.name) || enc.name === 'fence.i' || enc.name.startsWith('csrr');
}

function enabledOnly(e: Encoding | undefined, isa: RvIsa): Encoding | undefined {
  return e !== undefined && encodingEnabled(e, isa) ? e : undefined;
}

/**
 * Translate the block at the hart's PC for `mode`. Returns undefined after delivering an
 * instruction fetch fault when not even the first instruction can be fetched.
 */
export function translate(h: Hart, env: TranslateEnv, mode: number): RvBlock | undefined {
  const xlen = h.xlen;
  const single = (mode & MODE_SINGLE) !== 0;
  const priv = mode & 3;
  const dataMmu = ((mode >> MODE_DATA_MMU_SHIFT) & 1) !== 0;
  const dataPriv = (mode >> 2) & 3;
  const gen = new Gen(xlen, env.ram, ((mode >> 4) & 1) !== 0 ? h.pmp.fastRange(dataPriv) : null, h.pcLo, xlen === 32 ? 0 : h.pcHi, !single, dataMmu ? { read: h.mmu.read, write: h.mmu.write } : null);
  const rvc = h.isa.c;
  gen.ialign32 = !rvc;
  const jit = new JitBuilder();
  if (env.host.flowMask !== 0) gen.flow = new FlowEmitter(env.host, jit);
  /** C off: where QEMU's block holding the next instruction starts (a CSR read ends QEMU's block, not ours). */
  let qemuTbLo = h.pcLo, qemuTbHi = xlen === 32 ? 0 : h.pcHi;
  const insns: RvInsn[] = [];
  const pages: number[] = [];
  const extents: [number, number][] = [];
  const bus = h.bus;
  const startLo = h.pcLo, startHi = h.pcHi;
  let lo = startLo >>> 0, hi = startHi >>> 0;
  const limit = single ? 1 : MAX_BLOCK_INSNS;
  const viaMmu = ((mode >> MODE_FETCH_MMU_SHIFT) & 1) !== 0;
  if (viaMmu) h.mmuBlocks = true;
  let pageKeyCached = NaN, pageBase = -1;
  /** Fetch the halfword at virtual (vlo, vhi): >= 0, or -1 access fault, -2 page fault. */
  const fetch16 = (vlo: number, vhi: number): number => {
    let a: number;
    if (viaMmu) {
      const key = pageKey(vlo, vhi);
      if (key !== pageKeyCached) {
        const w = h.mmu.walk(h.satp, vlo, vhi, 4, priv, false, false);
        if (w.fault !== 0) return w.fault === 2 ? -1 : -2;
        pageKeyCached = key;
        pageBase = w.pa - (w.pa & 0xfff);
      }
      a = pageBase + (vlo & 0xfff);
    } else {
      if ((vhi >>> 0) >= 0x1000000) return -1;
      a = (vhi >>> 0) * 4294967296 + (vlo >>> 0);
    }
    if (!h.pmp.allows(a, 2, 4, priv)) return -1;
    const r = bus.find(a, 2);
    if (r === undefined || r.kind !== 'ram') return -1;
    const page = Math.floor(a / 4096);
    const at = pages.indexOf(page);
    if (at < 0) { pages.push(page); extents.push([a, a + 2]); }
    else { const ex = extents[at]!; if (a < ex[0]) ex[0] = a; if (a + 2 > ex[1]) ex[1] = a + 2; }
    return r.view.getUint16(a - r.base, true);
  };
  const big = (l: number, hh: number): bigint => (BigInt(hh >>> 0) << 32n) | BigInt(l >>> 0);
  const fs = (mode >> MODE_FS_SHIFT) & 3;
  /**
   * The encoding of a (32-bit or expanded) word; F/D words with a reserved static rm decode too
   * (they raise when run). Encodings of extensions `-cpu` switched off do not decode.
   */
  const isa = h.isa;
  const decodeAny = (w: number): Encoding | undefined => (w === 0 ? undefined : decode(w, xlen) ?? (fs !== 0 ? decodeReservedRm(w, xlen) : undefined));
  const decodeWord = isDefaultIsa(isa) ? decodeAny : (w: number): Encoding | undefined => enabledOnly(decodeAny(w), isa);
  /**
   * How many instructions follow `wfi` in the translation block QEMU 7.2 would make: its helper
   * leaves with cpu_loop_exit after icount was charged for the whole block, so a wfi that does not
   * sleep also counts these (as many as fit before the next timer deadline: the hart clamps that).
   * The rest of the wfi's page, up to the first instruction that ends a QEMU block.
   */
  const qemuTbTail = (wfi: RvInsn): number => {
    const page = pageKey(wfi.pcLo, wfi.pcHi);
    let vlo = lo >>> 0, vhi = hi >>> 0, count = 0;
    while (count < QEMU_MAX_TB_INSNS - n && pageKey(vlo | 0, vhi | 0) === page) {
      const h0 = fetch16(vlo | 0, vhi | 0);
      if (h0 < 0) break;
      let w = h0, size = 2;
      if ((h0 & 3) !== 3) w = rvc ? expandCompressed(h0, xlen) : 0;
      else {
        if ((vlo & 0xfff) === 0xffe) break; // would cross the page: QEMU ends the block before it
        const h1 = fetch16((vlo + 2) | 0, vhi | 0);
        if (h1 < 0) break;
        w = (h1 << 16) | h0; size = 4;
      }
      count++;
      if (endsQemuTb(decodeWord(w), fs)) break;
      vlo += size;
      if (vlo >= 4294967296) { vlo -= 4294967296; vhi = xlen === 32 ? 0 : vhi + 1; }
    }
    return count;
  };
  while (insns.length < limit) {
    const first = insns.length === 0;
    const h0 = fetch16(lo, hi);
    if (h0 < 0) {
      if (!first) break;
      h.fetchFault(big(lo, hi), big(lo, hi), h0 === -2 ? Exc.InsnPage : Exc.InsnAccess);
      return undefined;
    }
    let w: number, raw: number, size: number;
    if ((h0 & 3) !== 3) {
      // Without C a compressed halfword is illegal (QEMU 7.2 decode_opc; xtval holds the halfword).
      size = 2; raw = h0;
      w = rvc ? expandCompressed(h0, xlen) : 0;
    } else {
      // Do not start a 4-byte instruction that straddles into another page unless it is first.
      if (!first && (lo & 0xfff) === 0xffe) break;
      const lo2 = (lo + 2) | 0, hi2 = (lo >>> 0) + 2 >= 4294967296 ? (hi + 1) | 0 : hi;
      const h1 = fetch16(lo2, xlen === 32 ? 0 : hi2);
      if (h1 < 0) {
        if (!first) break;
        h.fetchFault(big(lo, hi), big(lo2, xlen === 32 ? 0 : hi2), h1 === -2 ? Exc.InsnPage : Exc.InsnAccess);
        return undefined;
      }
      size = 4; raw = (h1 << 16) | h0;
      w = raw;
    }
    const enc = decodeWord(w);
    const name = enc?.name ?? 'illegal';
    const insn = new RvInsn(name, w | 0, raw | 0, lo | 0, hi | 0, size, xlen, gen, fs);
    insns.push(insn);
    if (!rvc) {
      insn.qemuTbLo = qemuTbLo; insn.qemuTbHi = qemuTbHi;
      if (name.startsWith('csrr')) { const nx = lo + size; qemuTbLo = nx | 0; qemuTbHi = xlen === 32 ? 0 : nx >= 4294967296 ? (hi + 1) | 0 : hi | 0; }
    }
    const next = lo + size;
    if (next >= 4294967296) { lo = next - 4294967296; hi = (hi + 1) >>> 0; if (xlen === 32) hi = 0; } else lo = next;
    if (enc === undefined || ENDS_BLOCK.has(name) || csrWrites(name, w)) break;
    if ((lo & 0xfff) === 0) break; // stop at page boundaries: one page per block keeps invalidation exact
  }
  const n = insns.length;
  const last = insns[n - 1]!;
  if (last.name === 'wfi') last.tbTail = env.singleStep === true ? 0 : qemuTbTail(last);
  const endLo = lo | 0, endHi = hi | 0;
  // Falling off the last instruction: the next block runs on sequentially.
  const fallThrough = gen.event(Flow.FallThrough, last, String(endLo), String(endHi));
  const tail = (count: number): string => fallThrough +
    (xlen === 32 ? `s.pcLo = ${endLo}; s.icount += ${count}; return;\n` : `s.pcLo = ${endLo}; s.pcHi = ${endHi}; s.icount += ${count}; return;\n`);
  const src = generateBlock(insns, env.host, 'const x = s.x;\n', tail, env.symbolAt, false, jit, () => gen.usedLoop);
  const fn = jit.compile<BlockFn>('s', src.body, `tb_${(startLo >>> 0).toString(16)}`);
  const pcL = new Int32Array(n), pcH = new Int32Array(n), words = new Int32Array(n);
  insns.forEach((ins, i) => { pcL[i] = ins.pcLo; pcH[i] = ins.pcHi; words[i] = ins.raw; });
  return new RvBlock(startLo, startHi, mode, pages, extents, n, fn, pcL, pcH, words, src.body, src.trapFixup);
}
