/**
 * The plugin host: registration, instrumentation of translated blocks (turned into generated code
 * by the engine), and dispatch of discontinuities and lifecycle events. Nothing here knows an
 * architecture: the machine is reached through {@link MachineAccess}, instructions through
 * {@link InsnInfo}.
 */
import {
  Discon, Flow, type Cond, type Counter, type DisconCallback, type DisconKind, type ExecCallback,
  type FlowClass, type MemAccess, type MemCallback, type MemRW, type Plugin, type PluginApi,
  type ArgValues, type FlowCallback, type FlowEvent, type FlowKind, type Scoreboard, type TranslatedBlock, type TranslatedInsn,
} from './api.js';
import { CounterImpl, ScoreboardImpl } from './counters.js';
import { PluginError } from './errors.js';
import { UserError } from '../core/errors.js';
import type { JitBuilder } from '../core/jit.js';
import { toBig } from '../core/u64.js';

/** What the host needs from the machine to serve the API: the machine-state part of it, as is. */
export interface MachineAccess extends Pick<PluginApi, 'arch' | 'vcpus' | 'registers' | 'readRegister' | 'writeRegister' |
  'pc' | 'readMemory' | 'writeMemory' | 'translateAddress' | 'readPhysicalMemory' | 'writePhysicalMemory' | 'symbolAt'> {
  /** Drop every translated block (they are re-instrumented when translated again). */
  flushCode(): void;
}

/** An instruction as a target decoded it, before instrumentation. */
export interface InsnInfo {
  readonly pcLo: number;
  readonly pcHi: number;
  readonly size: number;
  readonly opcode: number;
  readonly flow: FlowClass;
  bytes(): Uint8Array;
  disas(): string;
}

type PreOp =
  | { kind: 'cb'; cb: ExecCallback }
  | { kind: 'cond'; counter: CounterImpl; cond: Cond; imm: number; cb: ExecCallback }
  | { kind: 'add' | 'store'; counter: CounterImpl; n: number };

interface MemHook { kind: 'cb' | 'add'; rw: MemRW; cb?: MemCallback; counter?: CounterImpl; n: number; plugin: PluginRecord }

/** Instrumentation attached to one instruction or block. */
export class Instrumentation {
  readonly pre: PreOp[] = [];
  readonly mem: MemHook[] = [];
  get empty(): boolean { return this.pre.length === 0 && this.mem.length === 0; }
  /** True if some memory hook wants this direction. */
  wantsMem(store: boolean): boolean {
    for (const m of this.mem) if (m.rw === 'rw' || m.rw === (store ? 'w' : 'r')) return true;
    return false;
  }
}

interface PluginRecord {
  readonly name: string;
  active: boolean;
  init: ExecCallback[]; exit: ExecCallback[]; idle: ExecCallback[]; resume: ExecCallback[];
  translate: ((tb: TranslatedBlock) => void)[];
  flush: (() => void)[];
  atExit: (() => void)[];
}

class MemAccessImpl implements MemAccess {
  vaddrLo = 0; vaddrHi = 0; size = 0; isStore = false; signed = false; bigEndian = false;
  valueLo = 0; valueHi = 0;
  get vaddr(): bigint { return toBig(this.vaddrLo, this.vaddrHi); }
  get value(): bigint {
    const v = toBig(this.valueLo, this.valueHi);
    return this.size >= 8 ? v : v & ((1n << BigInt(this.size * 8)) - 1n);
  }
}

class FlowEventImpl implements FlowEvent {
  kind: FlowKind = 1;
  fromLo = 0; fromHi = 0; toLo = 0; toHi = 0; cause = -1;
  private from: bigint | undefined;
  private to: bigint | undefined;
  get fromPc(): bigint { return (this.from ??= toBig(this.fromLo, this.fromHi)); }
  get toPc(): bigint { return (this.to ??= toBig(this.toLo, this.toHi)); }
  set(kind: FlowKind, fromLo: number, fromHi: number, toLo: number, toHi: number, cause: number): void {
    this.kind = kind; this.fromLo = fromLo >>> 0; this.fromHi = fromHi >>> 0; this.toLo = toLo >>> 0; this.toHi = toHi >>> 0;
    this.cause = cause; this.from = undefined; this.to = undefined;
  }
}

function checkCond(cond: Cond): void {
  if (!['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'always', 'never'].includes(cond)) throw new Error(`unknown condition '${cond}'`);
}

export class PluginHost {
  private readonly plugins: PluginRecord[] = [];
  private discons: { mask: number; cb: DisconCallback; plugin: PluginRecord }[] = [];
  private flows: { mask: number; cb: FlowCallback; plugin: PluginRecord }[] = [];
  private readonly flowEvent = new FlowEventImpl();
  /** OR of every registered trap kind, by either registration (targets skip the call entirely when 0). */
  disconMask = 0;
  /**
   * OR of the registered control-transfer kinds (`Flow.Transfers` bits). Targets read it at
   * translation time and compile in {@link flowEvent} calls for these kinds only; a change
   * flushes the translated code.
   */
  flowMask = 0;
  /** The `flow` dispatcher, as generated code calls it. */
  readonly flowDispatch = (vcpu: number, kind: FlowKind, fromLo: number, fromHi: number, toLo: number, toHi: number): void =>
    this.flowEvent_(vcpu, kind, fromLo, fromHi, toLo, toHi, -1);
  /** True while any translate callback is registered. */
  instrumenting = false;
  running = false;
  private readonly accessObjs: MemAccessImpl[] = [];
  out: (text: string) => void = (t) => process.stderr.write(t);
  /** Set by the engine: called when a plugin asks for a flush or uninstalls. */
  machine: MachineAccess | null = null;

  /** Install a plugin: build its API object and call its `install`. */
  install(plugin: Plugin, args: ArgValues, machine: MachineAccess): void {
    this.machine = machine;
    const rec: PluginRecord = { name: plugin.name, active: true, init: [], exit: [], idle: [], resume: [], translate: [], flush: [], atExit: [] };
    this.plugins.push(rec);
    const api = this.makeApi(rec, machine);
    try {
      plugin.install(api, args);
    } catch (e) {
      // A plugin rejecting its arguments with a UserError is bad input, not a crash.
      if (e instanceof UserError) throw e;
      throw new PluginError(rec.name, 'install', e);
    }
    this.recompute();
  }

  private wrap<A extends unknown[]>(rec: PluginRecord, what: string, f: (...a: A) => void): (...a: A) => void {
    return (...a: A) => {
      try { f(...a); } catch (e) {
        if (e instanceof PluginError) throw e;
        throw new PluginError(rec.name, what, e);
      }
    };
  }

  private wrap1(rec: PluginRecord, what: string, f: (v: number) => void): (v: number) => void {
    return (v: number) => {
      try { f(v); } catch (e) {
        if (e instanceof PluginError) throw e;
        throw new PluginError(rec.name, what, e);
      }
    };
  }

  private recompute(): void {
    this.instrumenting = this.plugins.some((p) => p.active && p.translate.length > 0);
    this.disconMask = 0;
    for (const d of this.discons) if (d.plugin.active) this.disconMask |= d.mask;
    let flowMask = 0;
    for (const f of this.flows) {
      if (!f.plugin.active) continue;
      this.disconMask |= f.mask & Flow.Traps;
      flowMask |= f.mask & Flow.Transfers;
    }
    if (flowMask !== this.flowMask) {
      this.flowMask = flowMask;
      // Translated code has the old set of transfer events compiled in.
      this.machine?.flushCode();
    }
  }

  private makeApi(rec: PluginRecord, m: MachineAccess): PluginApi {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const host = this;
    const vcpuCheck = (v: number): void => {
      if (!Number.isInteger(v) || v < 0 || v >= m.vcpus) throw new RangeError(`no vCPU ${v}`);
    };
    return {
      name: rec.name,
      arch: m.arch,
      vcpus: m.vcpus,
      get running() { return host.running; },
      onVcpuInit: (cb) => { rec.init.push(this.wrap1(rec, 'vcpu-init', cb)); },
      onVcpuExit: (cb) => { rec.exit.push(this.wrap1(rec, 'vcpu-exit', cb)); },
      onVcpuIdle: (cb) => { rec.idle.push(this.wrap1(rec, 'vcpu-idle', cb)); },
      onVcpuResume: (cb) => { rec.resume.push(this.wrap1(rec, 'vcpu-resume', cb)); },
      onTranslate: (cb) => { rec.translate.push(cb); this.recompute(); },
      onDiscontinuity: (mask, cb) => {
        if (!Number.isInteger(mask) || mask <= 0 || (mask & ~Discon.All) !== 0) {
          throw new RangeError(`onDiscontinuity: mask ${mask} is not a nonzero subset of Discon.All (7)`);
        }
        this.discons.push({ mask, cb: this.wrap(rec, 'discontinuity', cb), plugin: rec });
        this.recompute();
      },
      onControlFlow: (mask, cb) => {
        if (!Number.isInteger(mask) || mask <= 0 || (mask & ~Flow.Any) !== 0) {
          throw new RangeError(`onControlFlow: mask ${mask} is not a nonzero subset of Flow.Any (${Flow.Any})`);
        }
        this.flows.push({ mask, cb: this.wrap(rec, 'control-flow', cb), plugin: rec });
        this.recompute();
      },
      onFlush: (cb) => { rec.flush.push(this.wrap(rec, 'flush', cb)); },
      onExit: (cb) => { rec.atExit.push(cb); },
      counter: (name) => new CounterImpl(name, m.vcpus),
      scoreboard: <T>(init: (vcpu: number) => T): Scoreboard<T> => new ScoreboardImpl(init),
      registers: (v) => { vcpuCheck(v); return m.registers(v); },
      readRegister: (v, n) => { vcpuCheck(v); return m.readRegister(v, n); },
      writeRegister: (v, n, val) => { vcpuCheck(v); m.writeRegister(v, n, val); },
      pc: (v) => { vcpuCheck(v); return m.pc(v); },
      readMemory: (v, a, len) => { vcpuCheck(v); return m.readMemory(v, a, len); },
      writeMemory: (v, a, d) => { vcpuCheck(v); return m.writeMemory(v, a, d); },
      translateAddress: (v, a) => { vcpuCheck(v); return m.translateAddress(v, a); },
      readPhysicalMemory: (a, len) => m.readPhysicalMemory(a, len),
      writePhysicalMemory: (a, d) => m.writePhysicalMemory(a, d),
      symbolAt: (a) => m.symbolAt(a),
      flush: () => m.flushCode(),
      uninstall: (done) => {
        rec.active = false;
        this.discons = this.discons.filter((d) => d.plugin !== rec);
        this.flows = this.flows.filter((d) => d.plugin !== rec);
        this.recompute();
        m.flushCode();
        if (done) done();
      },
      out: (text) => this.out(text),
    };
  }

  /** Run translate callbacks for a block; returns per-block and per-insn instrumentation. */
  instrument(pcLo: number, pcHi: number, insns: readonly InsnInfo[], symbolAt: (a: bigint) => string | undefined):
    { block: Instrumentation; insns: Instrumentation[] } {
    const block = new Instrumentation();
    const per = insns.map(() => new Instrumentation());
    for (const rec of this.plugins) {
      if (!rec.active || rec.translate.length === 0) continue;
      const tInsns = insns.map((info, i) => new TranslatedInsnImpl(info, per[i]!, rec, this, symbolAt));
      let size = 0;
      for (const i of insns) size += i.size;
      const tb = new TranslatedBlockImpl(toBig(pcLo, pcHi), tInsns, size, block, rec, this);
      for (const cb of rec.translate) {
        try { cb(tb); } catch (e) { throw new PluginError(rec.name, 'translate', e); }
      }
    }
    return { block, insns: per };
  }

  /** Wrap an exec callback of `rec` (used by the translated-block views). */
  wrapExec(rec: PluginRecord, cb: ExecCallback): ExecCallback { return this.wrap1(rec, 'exec', cb); }

  /** Wrap a memory callback of `rec`. */
  wrapMem(rec: PluginRecord, cb: MemCallback): MemCallback { return this.wrap(rec, 'memory', cb); }

  /**
   * Can a block's inline adds be summed in locals and written back at block exit? Only when
   * nothing in the block can observe a counter mid-block: no callbacks and no inline stores.
   */
  static canAccumulate(all: readonly Instrumentation[]): boolean {
    for (const ins of all) {
      for (const op of ins.pre) if (op.kind !== 'add') return false;
      for (const m of ins.mem) if (m.kind !== 'add') return false;
    }
    return true;
  }

  /**
   * JS statements for the pre-execution ops (inline counters, callbacks). `V` is the vCPU index.
   * With `acc`, inline adds go to local accumulators (named per counter in `acc`) instead.
   */
  emitPre(jit: JitBuilder, ins: Instrumentation, acc?: Map<Float64Array, string>): string {
    let code = '';
    for (const op of ins.pre) {
      switch (op.kind) {
        case 'cb': code += `${jit.constant(op.cb, 'cb')}(V);\n`; break;
        case 'add':
          if (acc !== undefined) {
            let name = acc.get(op.counter.values);
            if (name === undefined) { name = `acc${acc.size}`; acc.set(op.counter.values, name); }
            code += `${name} += ${op.n};\n`;
          } else code += `${jit.constant(op.counter.values, 'C')}[V] += ${op.n};\n`;
          break;
        case 'store': code += `${jit.constant(op.counter.values, 'C')}[V] = ${op.n};\n`; break;
        case 'cond': {
          if (op.cond === 'never') break;
          const c = jit.constant(op.counter.values, 'C');
          const f = jit.constant(op.cb, 'cb');
          const rel = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
          code += op.cond === 'always' ? `${f}(V);\n` : `if (${c}[V] ${rel[op.cond]} ${op.imm}) ${f}(V);\n`;
          break;
        }
      }
    }
    return code;
  }

  /**
   * JS statements to run after one memory access of an instrumented instruction, or '' if none
   * is wanted. Expressions must be side-effect free (they may be evaluated more than once).
   */
  emitMem(jit: JitBuilder, ins: Instrumentation, store: boolean, size: number, signed: boolean, bigEndian: boolean,
    aLo: string, aHi: string, vLo: string, vHi: string): string {
    const dir = store ? 'w' : 'r';
    let code = '';
    const cbs: MemCallback[] = [];
    for (const h of ins.mem) {
      if (h.rw !== 'rw' && h.rw !== dir) continue;
      if (h.kind === 'add') code += `${jit.constant(h.counter!.values, 'C')}[V] += ${h.n};\n`;
      else cbs.push(h.cb!);
    }
    if (cbs.length > 0) {
      const objs = this.accessObjs;
      const dispatch = (v: number, al: number, ah: number, vl: number, vh: number): void => {
        let a = objs[v];
        if (a === undefined) { a = new MemAccessImpl(); objs[v] = a; }
        a.vaddrLo = al >>> 0; a.vaddrHi = ah >>> 0; a.size = size; a.isStore = store; a.signed = signed; a.bigEndian = bigEndian;
        a.valueLo = vl >>> 0; a.valueHi = vh >>> 0;
        for (let i = 0; i < cbs.length; i++) cbs[i]!(v, a);
      };
      code += `${jit.constant(dispatch, 'mem')}(V, ${aLo}, ${aHi}, ${vLo}, ${vHi});\n`;
    }
    return code;
  }

  /**
   * Report a discontinuity (to `onDiscontinuity` and `onControlFlow` registrations). Targets call
   * this only when `disconMask & kind` is nonzero. `cause` as {@link FlowEvent.cause}.
   */
  discon(vcpu: number, kind: DisconKind, fromLo: number, fromHi: number, toLo: number, toHi: number, cause = -1): void {
    const list = this.discons;
    if (list.length > 0) {
      const from = toBig(fromLo, fromHi), to = toBig(toLo, toHi);
      for (let i = 0; i < list.length; i++) {
        const d = list[i]!;
        if ((d.mask & kind) !== 0) d.cb(vcpu, kind, from, to);
      }
    }
    if (this.flows.length > 0) this.flowEvent_(vcpu, kind, fromLo, fromHi, toLo, toHi, cause);
  }

  private flowEvent_(vcpu: number, kind: FlowKind, fromLo: number, fromHi: number, toLo: number, toHi: number, cause: number): void {
    const list = this.flows;
    const ev = this.flowEvent;
    ev.set(kind, fromLo, fromHi, toLo, toHi, cause);
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      if ((f.mask & kind) !== 0) f.cb(vcpu, ev);
    }
  }

  /**
   * A call to the transfer-event dispatcher for generated code: `kind` from `fromLo`/`fromHi` to
   * the address in the `toLo`/`toHi` expressions (evaluated once each), for `s.index`. Emit it
   * only for kinds in {@link flowMask}.
   */
  emitFlow(jit: JitBuilder, kind: FlowKind, fromLo: number, fromHi: number, toLo: string, toHi: string): string {
    return `${jit.constant(this.flowDispatch, 'flow')}(s.index, ${kind}, ${fromLo | 0}, ${fromHi | 0}, ${toLo}, ${toHi});\n`;
  }

  vcpuInit(v: number): void { for (const p of this.plugins) if (p.active) for (const cb of p.init) cb(v); }
  vcpuExit(v: number): void { for (const p of this.plugins) if (p.active) for (const cb of p.exit) cb(v); }
  vcpuIdle(v: number): void { for (const p of this.plugins) if (p.active) for (const cb of p.idle) cb(v); }
  vcpuResume(v: number): void { for (const p of this.plugins) if (p.active) for (const cb of p.resume) cb(v); }
  get hasIdleHooks(): boolean { return this.plugins.some((p) => p.active && (p.idle.length > 0 || p.resume.length > 0)); }
  flushed(): void { for (const p of this.plugins) if (p.active) for (const cb of p.flush) cb(); }

  /**
   * A machine's run as plugins see it: vCPU init for each of `vcpus`, then `run` (translation and
   * execution), with `running` true meanwhile. Resolves with what `run` does.
   */
  async runVcpus(vcpus: number, run: () => Promise<number>): Promise<number> {
    this.running = true;
    for (let v = 0; v < vcpus; v++) this.vcpuInit(v);
    try {
      return await run();
    } finally {
      this.running = false;
    }
  }

  /** The end of a machine's run: vCPU exit for each of `vcpus`, then the at-exit callbacks. */
  finishVcpus(vcpus: number): void {
    for (let v = 0; v < vcpus; v++) this.vcpuExit(v);
    this.atExit();
  }

  /** Run every at-exit callback in load order. */
  atExit(): void {
    this.running = false;
    for (const p of this.plugins) {
      for (const cb of p.atExit) {
        try { cb(); } catch (e) { throw new PluginError(p.name, 'exit', e); }
      }
    }
  }

  get count(): number { return this.plugins.length; }
}

class TranslatedInsnImpl implements TranslatedInsn {
  private disasCache: string | undefined;
  private bytesCache: Uint8Array | undefined;
  constructor(private readonly info: InsnInfo, private readonly ins: Instrumentation, private readonly rec: PluginRecord,
    private readonly host: PluginHost, private readonly symbolAtFn: (a: bigint) => string | undefined) {}
  get vaddr(): bigint { return toBig(this.info.pcLo, this.info.pcHi); }
  get size(): number { return this.info.size; }
  get bytes(): Uint8Array { return (this.bytesCache ??= this.info.bytes()); }
  get opcode(): number { return this.info.opcode; }
  get disas(): string { return (this.disasCache ??= this.info.disas()); }
  get symbol(): string | undefined { return this.symbolAtFn(this.vaddr); }
  get flow(): FlowClass { return this.info.flow; }
  onExec(cb: ExecCallback): void { this.ins.pre.push({ kind: 'cb', cb: this.host.wrapExec(this.rec, cb) }); }
  onExecIf(counter: Counter, cond: Cond, imm: number, cb: ExecCallback): void {
    checkCond(cond);
    this.ins.pre.push({ kind: 'cond', counter: asImpl(counter), cond, imm, cb: this.host.wrapExec(this.rec, cb) });
  }
  inlineAdd(counter: Counter, n: number): void { this.ins.pre.push({ kind: 'add', counter: asImpl(counter), n: num(n) }); }
  inlineStore(counter: Counter, n: number): void { this.ins.pre.push({ kind: 'store', counter: asImpl(counter), n: num(n) }); }
  onMemory(cb: MemCallback, rw: MemRW = 'rw'): void {
    this.ins.mem.push({ kind: 'cb', rw: rwCheck(rw), cb: this.host.wrapMem(this.rec, cb), n: 0, plugin: this.rec });
  }
  inlineAddOnMemory(counter: Counter, n: number, rw: MemRW = 'rw'): void {
    this.ins.mem.push({ kind: 'add', rw: rwCheck(rw), counter: asImpl(counter), n: num(n), plugin: this.rec });
  }
}

class TranslatedBlockImpl implements TranslatedBlock {
  constructor(readonly vaddr: bigint, readonly insns: readonly TranslatedInsn[], readonly size: number,
    private readonly ins: Instrumentation, private readonly rec: PluginRecord, private readonly host: PluginHost) {}
  onExec(cb: ExecCallback): void { this.ins.pre.push({ kind: 'cb', cb: this.host.wrapExec(this.rec, cb) }); }
  onExecIf(counter: Counter, cond: Cond, imm: number, cb: ExecCallback): void {
    checkCond(cond);
    this.ins.pre.push({ kind: 'cond', counter: asImpl(counter), cond, imm, cb: this.host.wrapExec(this.rec, cb) });
  }
  inlineAdd(counter: Counter, n: number): void { this.ins.pre.push({ kind: 'add', counter: asImpl(counter), n: num(n) }); }
  inlineStore(counter: Counter, n: number): void { this.ins.pre.push({ kind: 'store', counter: asImpl(counter), n: num(n) }); }
}

function asImpl(c: Counter): CounterImpl {
  if (!(c instanceof CounterImpl)) throw new TypeError('counter must come from api.counter()');
  return c;
}
function num(n: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`inline operand must be a finite number, got ${String(n)}`);
  return n;
}
function rwCheck(rw: MemRW): MemRW {
  if (rw !== 'r' && rw !== 'w' && rw !== 'rw') throw new TypeError(`memory direction must be 'r', 'w' or 'rw', got '${String(rw)}'`);
  return rw;
}
