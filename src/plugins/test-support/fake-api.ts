/**
 * A fake {@link PluginApi} for testing plugins without an engine (tests only).
 *
 * It records registrations and lets a test play the engine: translate a block of given
 * instructions, execute instructions (exec callbacks and inline ops in registration order, then
 * memory callbacks), raise discontinuities and run the exit callbacks, capturing `out` text.
 *
 * ```ts
 * const fake = installPlugin(insn, [['inline', 'off']]);
 * fake.translate(0x1000n, [{}, {}, { flow: FlowClass.Transfer }]);
 * fake.run(0, [0x1000n, 0x1004n, 0x1008n]);
 * fake.exit(); // fake.output === 'insns: 3\n'
 * ```
 */
import type {
  ArgValues, Cond, Counter, DisconCallback, DisconKind, ExecCallback, FlowCallback, FlowEvent, FlowKind, MemAccess, MemCallback, MemRW,
  Plugin, PluginApi, RegisterDesc, Scoreboard, TranslatedBlock, TranslatedInsn,
} from '../../plugin/api.js';
import { Discon, Flow, FlowClass } from '../../plugin/api.js';
import { checkArgs } from '../../plugin/args.js';

/** An instruction to translate; everything has a default (4 bytes, sequential, `nop`). */
export interface FakeInsnSpec {
  size?: number;
  flow?: FlowClass;
  opcode?: number;
  disas?: string;
  symbol?: string;
}

/** A memory access made by an executed instruction. */
export interface FakeMemSpec {
  vaddr: bigint;
  size?: number;
  isStore?: boolean;
  value?: bigint;
}

type Op =
  | { kind: 'exec'; cb: ExecCallback }
  | { kind: 'execIf'; counter: Counter; cond: Cond; imm: number; cb: ExecCallback }
  | { kind: 'add'; counter: Counter; n: number }
  | { kind: 'store'; counter: Counter; n: number };

type MemOp =
  | { kind: 'mem'; cb: MemCallback; rw: MemRW }
  | { kind: 'memAdd'; counter: Counter; n: number; rw: MemRW };

class FakeCounter implements Counter {
  private readonly values: number[] = [];
  constructor(readonly name: string) {}
  get(vcpu: number): number { return this.values[vcpu] ?? 0; }
  set(vcpu: number, value: number): void { this.values[vcpu] = value; }
  sum(): number { return this.values.reduce((a, b) => a + (b ?? 0), 0); }
}

class FakeScoreboard<T> implements Scoreboard<T> {
  private readonly entries: T[] = [];
  constructor(private readonly init: (vcpu: number) => T) {}
  get(vcpu: number): T {
    while (this.entries.length <= vcpu) this.entries.push(this.init(this.entries.length));
    return this.entries[vcpu]!;
  }
  all(): readonly T[] { return this.entries; }
}

function condHolds(v: number, cond: Cond, imm: number): boolean {
  switch (cond) {
    case 'eq': return v === imm;
    case 'ne': return v !== imm;
    case 'lt': return v < imm;
    case 'le': return v <= imm;
    case 'gt': return v > imm;
    case 'ge': return v >= imm;
    case 'always': return true;
    case 'never': return false;
  }
}

function runOps(ops: readonly Op[], vcpu: number): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'exec': op.cb(vcpu); break;
      case 'execIf': if (condHolds(op.counter.get(vcpu), op.cond, op.imm)) op.cb(vcpu); break;
      case 'add': op.counter.set(vcpu, op.counter.get(vcpu) + op.n); break;
      case 'store': op.counter.set(vcpu, op.n); break;
    }
  }
}

/** Instrumentation sinks shared by blocks and instructions. */
class Instrumented {
  readonly ops: Op[] = [];
  onExec(cb: ExecCallback): void { this.ops.push({ kind: 'exec', cb }); }
  onExecIf(counter: Counter, cond: Cond, imm: number, cb: ExecCallback): void {
    this.ops.push({ kind: 'execIf', counter, cond, imm, cb });
  }
  inlineAdd(counter: Counter, n: number): void { this.ops.push({ kind: 'add', counter, n }); }
  inlineStore(counter: Counter, n: number): void { this.ops.push({ kind: 'store', counter, n }); }
}

export class FakeInsn extends Instrumented implements TranslatedInsn {
  readonly memOps: MemOp[] = [];
  readonly bytes: Uint8Array;
  readonly opcode: number;
  readonly disas: string;
  readonly symbol: string | undefined;
  readonly size: number;
  readonly flow: FlowClass;
  constructor(readonly vaddr: bigint, spec: FakeInsnSpec) {
    super();
    this.size = spec.size ?? 4;
    this.flow = spec.flow ?? FlowClass.Sequential;
    this.opcode = spec.opcode ?? (this.size === 2 ? 0x0001 : 0x00000013);
    this.disas = spec.disas ?? 'nop';
    this.symbol = spec.symbol;
    this.bytes = new Uint8Array(this.size);
    for (let i = 0; i < this.size && i < 4; i++) this.bytes[i] = (this.opcode >>> (8 * i)) & 0xff;
  }
  onMemory(cb: MemCallback, rw: MemRW = 'rw'): void { this.memOps.push({ kind: 'mem', cb, rw }); }
  inlineAddOnMemory(counter: Counter, n: number, rw: MemRW = 'rw'): void {
    this.memOps.push({ kind: 'memAdd', counter, n, rw });
  }
}

export class FakeBlock extends Instrumented implements TranslatedBlock {
  readonly size: number;
  constructor(readonly vaddr: bigint, readonly insns: readonly FakeInsn[]) {
    super();
    this.size = insns.reduce((s, i) => s + i.size, 0);
  }
}

/** The reused access object handed to memory callbacks. */
class FakeAccess implements MemAccess {
  vaddr = 0n;
  size = 0;
  isStore = false;
  signed = false;
  bigEndian = false;
  value = 0n;
  get vaddrLo(): number { return Number(this.vaddr & 0xffffffffn); }
  get vaddrHi(): number { return Number((this.vaddr >> 32n) & 0xffffffffn); }
  get valueLo(): number { return Number(this.value & 0xffffffffn); }
  get valueHi(): number { return Number((this.value >> 32n) & 0xffffffffn); }
}

export interface FakeApiOptions {
  name?: string;
  arch?: string;
  vcpus?: number;
}

export class FakeApi implements PluginApi {
  readonly name: string;
  readonly arch: string;
  readonly vcpus: number;
  running = false;
  /** Everything passed to `out`. */
  output = '';
  /** Blocks translated so far, in order. */
  readonly blocks: FakeBlock[] = [];
  readonly translateCbs: ((tb: TranslatedBlock) => void)[] = [];
  readonly disconRegs: { mask: number; cb: DisconCallback }[] = [];
  readonly flowRegs: { mask: number; cb: FlowCallback }[] = [];
  readonly exitCbs: (() => void)[] = [];
  readonly flushCbs: (() => void)[] = [];
  readonly vcpuCbs = { init: [] as ExecCallback[], exit: [] as ExecCallback[], idle: [] as ExecCallback[], resume: [] as ExecCallback[] };
  readonly counters: Counter[] = [];
  private readonly access = new FakeAccess();
  private readonly pcs: bigint[] = [];

  constructor(opts: FakeApiOptions = {}) {
    this.name = opts.name ?? 'test';
    this.arch = opts.arch ?? 'riscv64';
    this.vcpus = opts.vcpus ?? 1;
  }

  // ---- PluginApi ----
  onVcpuInit(cb: ExecCallback): void { this.vcpuCbs.init.push(cb); }
  onVcpuExit(cb: ExecCallback): void { this.vcpuCbs.exit.push(cb); }
  onVcpuIdle(cb: ExecCallback): void { this.vcpuCbs.idle.push(cb); }
  onVcpuResume(cb: ExecCallback): void { this.vcpuCbs.resume.push(cb); }
  onTranslate(cb: (tb: TranslatedBlock) => void): void { this.translateCbs.push(cb); }
  onDiscontinuity(mask: number, cb: DisconCallback): void {
    if (!Number.isInteger(mask) || mask === 0 || (mask & ~Discon.All) !== 0) {
      throw new Error(`onDiscontinuity: bad mask ${mask}`);
    }
    this.disconRegs.push({ mask, cb });
  }
  onControlFlow(mask: number, cb: FlowCallback): void {
    if (!Number.isInteger(mask) || mask <= 0 || (mask & ~Flow.Any) !== 0) throw new Error(`onControlFlow: bad mask ${mask}`);
    this.flowRegs.push({ mask, cb });
  }
  onFlush(cb: () => void): void { this.flushCbs.push(cb); }
  onExit(cb: () => void): void { this.exitCbs.push(cb); }
  counter(name: string): Counter {
    const c = new FakeCounter(name);
    this.counters.push(c);
    return c;
  }
  scoreboard<T>(init: (vcpu: number) => T): Scoreboard<T> { return new FakeScoreboard(init); }
  registers(_vcpu: number): readonly RegisterDesc[] { return [{ name: 'pc', size: 8, feature: 'cpu' }]; }
  readRegister(vcpu: number, name: string): bigint {
    if (name !== 'pc') throw new Error(`no register ${name}`);
    return this.pc(vcpu);
  }
  writeRegister(vcpu: number, name: string, value: bigint): void {
    if (name !== 'pc') throw new Error(`no register ${name}`);
    this.pcs[vcpu] = value;
  }
  pc(vcpu: number): bigint { return this.pcs[vcpu] ?? 0n; }
  readMemory(_vcpu: number, _vaddr: bigint, _len: number): Uint8Array | undefined { return undefined; }
  translateAddress(_vcpu: number, vaddr: bigint): bigint | undefined { return vaddr; }
  readPhysicalMemory(_paddr: bigint, _len: number): Uint8Array | undefined { return undefined; }
  writePhysicalMemory(_paddr: bigint, _data: Uint8Array): boolean { return false; }
  writeMemory(_vcpu: number, _vaddr: bigint, _data: Uint8Array): boolean { return false; }
  symbolAt(vaddr: bigint): string | undefined {
    for (const b of this.blocks) for (const i of b.insns) if (i.vaddr === vaddr && i.symbol) return i.symbol;
    return undefined;
  }
  flush(): void {
    this.blocks.length = 0;
    for (const cb of this.flushCbs) cb();
  }
  uninstall(done?: () => void): void {
    this.translateCbs.length = 0;
    this.disconRegs.length = 0;
    this.flowRegs.length = 0;
    this.exitCbs.length = 0;
    this.flushCbs.length = 0;
    for (const list of Object.values(this.vcpuCbs)) list.length = 0;
    for (const b of this.blocks) {
      b.ops.length = 0;
      for (const i of b.insns) { i.ops.length = 0; i.memOps.length = 0; }
    }
    done?.();
  }
  out(text: string): void { this.output += text; }

  // ---- playing the engine ----

  /** Install `plugin` with already-checked `args`, as the host does (not running during install). */
  install(plugin: Plugin, args: ArgValues = {}): this {
    this.running = false;
    plugin.install(this, args);
    this.running = true;
    for (let v = 0; v < this.vcpus; v++) for (const cb of this.vcpuCbs.init) cb(v);
    return this;
  }

  /** Translate a block of consecutive instructions starting at `vaddr`; translate hooks run. */
  translate(vaddr: bigint, specs: readonly FakeInsnSpec[]): FakeBlock {
    const insns: FakeInsn[] = [];
    let pc = vaddr;
    for (const spec of specs) {
      const insn = new FakeInsn(pc, spec);
      insns.push(insn);
      pc += BigInt(insn.size);
    }
    const tb = new FakeBlock(vaddr, insns);
    this.blocks.push(tb);
    for (const cb of this.translateCbs) cb(tb);
    return tb;
  }

  /** The most recently translated instruction at `pc`. */
  insnAt(pc: bigint): FakeInsn {
    for (let b = this.blocks.length - 1; b >= 0; b--) {
      for (const insn of this.blocks[b]!.insns) if (insn.vaddr === pc) return insn;
    }
    throw new Error(`fake: no translated instruction at 0x${pc.toString(16)}`);
  }

  /** Execute one instruction: its exec callbacks and inline ops, then its memory accesses. */
  exec(vcpu: number, at: bigint | FakeInsn, mem: readonly FakeMemSpec[] = []): void {
    const insn = typeof at === 'bigint' ? this.insnAt(at) : at;
    this.pcs[vcpu] = insn.vaddr;
    runOps(insn.ops, vcpu);
    for (const m of mem) {
      const a = this.access;
      a.vaddr = m.vaddr;
      a.size = m.size ?? 4;
      a.isStore = m.isStore ?? false;
      a.value = m.value ?? 0n;
      for (const op of insn.memOps) {
        if (op.rw === 'r' && a.isStore || op.rw === 'w' && !a.isStore) continue;
        if (op.kind === 'mem') op.cb(vcpu, a);
        else op.counter.set(vcpu, op.counter.get(vcpu) + op.n);
      }
    }
    this.pcs[vcpu] = insn.vaddr + BigInt(insn.size);
  }

  /** Execute instructions by address, in order. */
  run(vcpu: number, pcs: readonly bigint[]): void {
    for (const pc of pcs) this.exec(vcpu, pc);
  }

  /** Execute a block: its block-level ops, then its first `count` instructions (all by default). */
  runBlock(vcpu: number, tb: FakeBlock, count = tb.insns.length): void {
    runOps(tb.ops, vcpu);
    for (let i = 0; i < count; i++) this.exec(vcpu, tb.insns[i]!);
  }

  /** Report a control-flow event of any kind (a trap kind goes to discontinuity registrations too). */
  flow(vcpu: number, kind: FlowKind, fromPc: bigint, toPc: bigint, cause = -1): void {
    if (kind <= 4) {
      this.pcs[vcpu] = toPc;
      for (const r of this.disconRegs) if (r.mask & kind) r.cb(vcpu, kind as DisconKind, fromPc, toPc);
    }
    const ev: FlowEvent = {
      kind, fromPc, toPc, cause,
      fromLo: Number(fromPc & 0xffffffffn), fromHi: Number(fromPc >> 32n), toLo: Number(toPc & 0xffffffffn), toHi: Number(toPc >> 32n),
    };
    for (const r of this.flowRegs) if (r.mask & kind) r.cb(vcpu, ev);
  }

  /** Raise a discontinuity: every registration (either kind) whose mask has `kind`, in order. */
  discon(vcpu: number, kind: DisconKind, fromPc: bigint, toPc: bigint, cause = -1): void {
    this.flow(vcpu, kind, fromPc, toPc, cause);
  }

  /** End the run: vCPU exit callbacks, then exit callbacks. Returns everything written to `out`. */
  exit(): string {
    this.running = false;
    for (let v = 0; v < this.vcpus; v++) for (const cb of this.vcpuCbs.exit) cb(v);
    for (const cb of this.exitCbs) cb();
    return this.output;
  }
}

/** Check `rawArgs` against the plugin's spec, as the loader does, and install it on a new fake. */
export function installPlugin(plugin: Plugin, rawArgs: [string, string][] = [], opts: FakeApiOptions = {}): FakeApi {
  return new FakeApi({ name: plugin.name, ...opts }).install(plugin, checkArgs(plugin.name, plugin.args, rawArgs));
}
