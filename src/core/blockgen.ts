/**
 * Generic assembly of a translation block's JavaScript: for each instruction, the plugin
 * instrumentation that must run before it (inline counters, exec callbacks) followed by the
 * target's semantics. Targets supply instructions that can emit their own code; the memory hook
 * lets a target call back into plugin instrumentation after each access.
 */
import type { InsnInfo, PluginHost, Instrumentation } from '../plugin/host.js';
import { JitBuilder } from './jit.js';

export interface EmitContext {
  /** Index of the instruction in its block. */
  readonly k: number;
  readonly jit: JitBuilder;
  /** Code to run after a memory access (plugin memory callbacks), or ''. */
  mem(store: boolean, size: number, signed: boolean, aLo: string, aHi: string, vLo: string, vHi: string): string;
  /** True when some plugin hooks this instruction's memory accesses (targets then use the slow path). */
  readonly memHooked: boolean;
}

export interface GenInsn extends InsnInfo {
  /** JavaScript statements implementing the instruction. */
  emit(ctx: EmitContext): string;
}

export interface BlockSource {
  body: string;
  jit: JitBuilder;
}

/**
 * Build a block's code. `prologue` declares locals; `tail(n)` is emitted when control falls off
 * the last instruction (n = instruction count).
 */
export function generateBlock(insns: readonly GenInsn[], host: PluginHost, prologue: string,
  tail: (n: number) => string, symbolAt: (a: bigint) => string | undefined, bigEndian: boolean, jit = new JitBuilder(),
  /** Asked after emission: wrap the body in `L: for (;;) { }` (a target emitted `continue L` for a self-loop). */
  loops: () => boolean = () => false): BlockSource {
  let body = '';
  let instr: { block: Instrumentation; insns: Instrumentation[] } | undefined;
  if (host.instrumenting && insns.length > 0) {
    instr = host.instrument(insns[0]!.pcLo, insns[0]!.pcHi, insns, symbolAt);
    body += 'const V = s.index;\n';
    body += host.emitPre(jit, instr.block);
  }
  for (let k = 0; k < insns.length; k++) {
    const ins = instr?.insns[k];
    if (ins !== undefined && !ins.empty) body += host.emitPre(jit, ins);
    const memHooked = ins !== undefined && ins.mem.length > 0;
    const ctx: EmitContext = {
      k, jit, memHooked,
      mem: (store, size, signed, aLo, aHi, vLo, vHi) =>
        ins !== undefined && ins.wantsMem(store) ? host.emitMem(jit, ins, store, size, signed, bigEndian, aLo, aHi, vLo, vHi) : '',
    };
    body += `// ${k}\n{\n${insns[k]!.emit(ctx)}}\n`;
  }
  body += tail(insns.length);
  if (loops()) body = `L: for (;;) {\n${body}}\n`;
  return { body: prologue + body, jit };
}
