/**
 * Generic assembly of a translation block's JavaScript: for each instruction, the plugin
 * instrumentation that must run before it (inline counters, exec callbacks) followed by the
 * target's semantics. Targets supply instructions that can emit their own code; the memory hook
 * lets a target call back into plugin instrumentation after each access.
 */
import type { FlowKind } from '../plugin/api.js';
import { PluginHost, type InsnInfo, type Instrumentation } from '../plugin/host.js';
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
  /**
   * Code placed before / after the instruction's own statement block, outside it: a target
   * opens and closes labelled blocks here so a forward branch inside the block is a `break`.
   */
  readonly codeBefore?: string;
  readonly codeAfter?: string;
}

/**
 * The control-transfer events a block being translated reports: the kinds plugins registered
 * when translation started (a change flushes the code), and the statement that reports one.
 */
export class FlowEmitter {
  readonly mask: number;
  constructor(private readonly host: PluginHost, private readonly jit: JitBuilder) { this.mask = host.flowMask; }
  /** Does some plugin want `kind`? */
  wants(kind: FlowKind): boolean { return (this.mask & kind) !== 0; }
  /**
   * Statement reporting `kind` from the instruction at `fromLo`/`fromHi` to the address in the
   * `toLo`/`toHi` expressions (run after the instruction's effects, before the block is left),
   * or '' when no plugin wants the kind.
   */
  event(kind: FlowKind, fromLo: number, fromHi: number, toLo: string, toHi: string): string {
    return this.wants(kind) ? this.host.emitFlow(this.jit, kind, fromLo, fromHi, toLo, toHi) : '';
  }
}

export interface BlockSource {
  body: string;
  jit: JitBuilder;
  /**
   * When inline counter adds were accumulated in locals: applies the adds of instructions 0..k
   * for a trap unwinding the block at instruction k (the locals are lost then).
   */
  trapFixup: ((vcpu: number, k: number) => void) | undefined;
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
  let acc: Map<Float64Array, string> | undefined;
  const prefix: Map<Float64Array, number>[] = [];
  if (host.instrumenting && insns.length > 0) {
    instr = host.instrument(insns[0]!.pcLo, insns[0]!.pcHi, insns, symbolAt);
    // Inline adds are summed in locals and written once per block exit when nothing can observe
    // the counters mid-block: a per-instruction count then costs a register add, not a store.
    if (PluginHost.canAccumulate([instr.block, ...instr.insns])) acc = new Map();
    body += host.emitPre(jit, instr.block, acc);
  }
  const running = new Map<Float64Array, number>();
  const addAll = (ins: Instrumentation | undefined): void => {
    if (ins === undefined) return;
    for (const op of ins.pre) if (op.kind === 'add') running.set(op.counter.values, (running.get(op.counter.values) ?? 0) + op.n);
  };
  addAll(instr?.block);
  for (let k = 0; k < insns.length; k++) {
    const ins = instr?.insns[k];
    const insn = insns[k]!;
    body += insn.codeBefore ?? '';
    if (ins !== undefined && !ins.empty) body += host.emitPre(jit, ins, acc);
    addAll(ins);
    prefix.push(new Map(running));
    const memHooked = ins !== undefined && ins.mem.length > 0;
    const ctx: EmitContext = {
      k, jit, memHooked,
      mem: (store, size, signed, aLo, aHi, vLo, vHi) =>
        ins !== undefined && ins.wantsMem(store) ? host.emitMem(jit, ins, store, size, signed, bigEndian, aLo, aHi, vLo, vHi) : '',
    };
    body += `// ${k}\n{\n${insn.emit(ctx)}}\n${insn.codeAfter ?? ''}`;
  }
  body += tail(insns.length);
  let trapFixup: BlockSource['trapFixup'];
  let pro = prologue;
  if (instr !== undefined) pro += 'const V = s.index;\n';
  if (acc !== undefined && acc.size > 0) {
    let flush = '';
    for (const [arr, name] of acc) { pro += `let ${name} = 0;\n`; flush += `${jit.constant(arr, 'C')}[V] += ${name}; `; }
    body = body.replace(/return;/g, `{ ${flush}return; }`);
    trapFixup = (v, k) => { for (const [arr, n] of prefix[k]!) arr[v]! += n; };
  }
  if (loops()) body = `L: for (;;) {\n${body}}\n`;
  return { body: pro + body, jit, trapFixup };
}
