/**
 * The public plugin API of tracehook.
 *
 * A plugin is an ES module whose default export (or named export `plugin`) is a {@link Plugin}:
 * `{ name, args?, install(api, args) }`. Callbacks are closures, so there is no `udata`.
 * Registering nothing costs nothing: code is only instrumented where a plugin asked for it.
 *
 * Addresses are `bigint` and exact (a 64-bit guest address never passes through a lossy number).
 * Hot callbacks (per instruction, per memory access) receive pre-allocated objects: copy what you
 * keep, the object is reused.
 */

/**
 * Throw this from `install` to reject bad arguments or set-up: the run stops with the message as
 * one line and exit status 1, like any other bad input (anything else thrown is a plugin crash).
 */
export { UserError } from '../core/errors.js';

/** Kinds of discontinuity, OR-able. Bit values never change. */
export const Discon = {
  /** Asynchronous: not caused by the instruction at fromPc (timer, device, other core). */
  Interrupt: 1,
  /** Synchronous, caused by one instruction, handled by guest code. */
  Exception: 2,
  /** Synchronous request serviced by the emulator (semihosting). */
  HostCall: 4,
  /** The three trap kinds (never includes future control-flow kinds). */
  All: 7,
} as const;
export type DisconKind = 1 | 2 | 4;

/** Name of a discontinuity kind, for reports. */
export function disconName(kind: number): string {
  return kind === 1 ? 'interrupt' : kind === 2 ? 'exception' : kind === 4 ? 'hostcall' : `kind${kind}`;
}

/**
 * How an instruction may change control flow, known at translation time. The `discons` checker
 * uses it to tell which events an instruction can explain.
 */
export const FlowClass = {
  /** Falls through to pc + size. */
  Sequential: 0,
  /** Branch, jump, call, return or trap return (`mret`, `sret`). */
  Transfer: 1,
  /** An instruction whose purpose is to trap (`ecall`, `ebreak`, SVC, BKPT, Ticc). */
  Trap: 2,
} as const;
export type FlowClass = 0 | 1 | 2;

/**
 * Control-flow event kinds, OR-able: the three discontinuity kinds (same bits, same meaning as
 * {@link Discon}) and one bit per kind of guest control transfer. Bit values never change.
 *
 * For the transfer kinds `fromPc` is the transferring instruction and `toPc` the next instruction
 * executed (for a branch not taken and a block fall-through, `fromPc` + size). Each instruction
 * that transfers control gives exactly one event: a call is `Call` (not also a jump), a return
 * `Return`. Which instruction is which is the target's business (README, "Control-flow events").
 */
export const Flow = {
  Interrupt: 1,
  Exception: 2,
  HostCall: 4,
  /** A conditional branch (or AVR skip) that was taken. */
  BranchTaken: 8,
  /** A conditional branch (or AVR skip) that was not taken: toPc = fromPc + size. */
  BranchNotTaken: 16,
  /** An unconditional jump to an address fixed in the instruction, not a call. */
  DirectJump: 32,
  /** A jump to a computed address (register, memory, table), not a call or return. */
  IndirectJump: 64,
  /** A call: the instruction saves a return address (RISC-V: links x1/x5; ARM: BL, BLX; AVR: CALL, RCALL, ICALL). */
  Call: 128,
  /** A function return (RISC-V: jalr through x1/x5 without linking; ARM: BX LR, POP {..,PC}, LDR PC from SP; AVR: RET). */
  Return: 256,
  /** A return from a trap handler (mret, sret, EXC_RETURN, RETI). */
  TrapReturn: 512,
  /** A translation block ended without a transfer and the next one runs on sequentially. */
  FallThrough: 1024,
  /** The three trap kinds (= Discon.All). */
  Traps: 7,
  /** Both branch outcomes. */
  Branches: 24,
  /** Every transfer kind (no traps). */
  Transfers: 2040,
  /** Every kind. */
  Any: 2047,
} as const;
export type FlowKind = 1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024;

/** Name of a control-flow kind, for reports (`interrupt`, `branch-taken`, `call`, ...). */
export function flowName(kind: number): string {
  switch (kind) {
    case 1: return 'interrupt';
    case 2: return 'exception';
    case 4: return 'hostcall';
    case 8: return 'branch-taken';
    case 16: return 'branch-not-taken';
    case 32: return 'jump';
    case 64: return 'indirect-jump';
    case 128: return 'call';
    case 256: return 'return';
    case 512: return 'trap-return';
    case 1024: return 'fall-through';
    default: return `kind${kind}`;
  }
}

/**
 * One control-flow event. The object is reused for every event: copy what you keep. Addresses
 * are exact `bigint`s computed on first read; the `Lo`/`Hi` halves (unsigned 32-bit numbers) read
 * without allocating, for hot paths.
 */
export interface FlowEvent {
  readonly kind: FlowKind;
  readonly fromPc: bigint;
  readonly toPc: bigint;
  readonly fromLo: number;
  readonly fromHi: number;
  readonly toLo: number;
  readonly toHi: number;
  /**
   * For traps, the architecture's cause: RISC-V `xcause` without the interrupt bit, ARM the
   * exception number, AVR the vector index; -1 for host calls and transfers.
   */
  readonly cause: number;
}

/** Called for each control-flow event of a registered kind (for traps: once entry is complete, with PC = toPc). */
export type FlowCallback = (vcpu: number, ev: FlowEvent) => void;

/** Called for each discontinuity once trap entry is complete, with PC = toPc. */
export type DisconCallback = (vcpu: number, kind: DisconKind, fromPc: bigint, toPc: bigint) => void;

/** Condition for conditional callbacks: `counter[vcpu] <op> imm`. */
export type Cond = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'always' | 'never';

/** Which memory accesses a memory callback wants. */
export type MemRW = 'r' | 'w' | 'rw';

/** Information about one memory access. Reused between calls: copy what you keep. */
export interface MemAccess {
  /** Guest virtual address, exact. Computed on demand. */
  readonly vaddr: bigint;
  /** Low/high 32 bits of the virtual address as unsigned numbers, for allocation-free use. */
  readonly vaddrLo: number;
  readonly vaddrHi: number;
  /** Bytes accessed: 1, 2, 4 or 8. */
  readonly size: number;
  readonly isStore: boolean;
  /** The load was sign-extended. */
  readonly signed: boolean;
  readonly bigEndian: boolean;
  /** The value loaded or stored (zero-extended to its size). Computed on demand. */
  readonly value: bigint;
  /** Low/high 32 bits of the value, unsigned. */
  readonly valueLo: number;
  readonly valueHi: number;
}

export type MemCallback = (vcpu: number, access: MemAccess) => void;
export type ExecCallback = (vcpu: number) => void;

/**
 * A u64 value per vCPU that generated code can update inline (QEMU's `qemu_plugin_u64` on a
 * scoreboard). Values are exact up to 2^53.
 */
export interface Counter {
  readonly name: string;
  get(vcpu: number): number;
  set(vcpu: number, value: number): void;
  /** Sum over all vCPUs. */
  sum(): number;
}

/** Per-vCPU plugin state of any shape, created on demand for each vCPU index. */
export interface Scoreboard<T> {
  get(vcpu: number): T;
  /** Every vCPU's entry created so far, by index. */
  all(): readonly T[];
}

/** One guest instruction of a block being translated. */
export interface TranslatedInsn {
  /** Guest virtual address. */
  readonly vaddr: bigint;
  /** Size in bytes. */
  readonly size: number;
  /** The instruction's bytes as fetched. */
  readonly bytes: Uint8Array;
  /** The raw encoding as an unsigned number (at most 32 bits of it). */
  readonly opcode: number;
  /** Disassembly, e.g. `addi a0,a0,1`. */
  readonly disas: string;
  /** Name of the symbol this instruction starts, if the loaded image has one here. */
  readonly symbol: string | undefined;
  readonly flow: FlowClass;
  /** Call `cb` each time this instruction is about to execute. */
  onExec(cb: ExecCallback): void;
  /** Call `cb` before execution when `counter[vcpu] <cond> imm` holds. */
  onExecIf(counter: Counter, cond: Cond, imm: number, cb: ExecCallback): void;
  /** Add `n` to `counter[vcpu]` before execution, compiled into the block. */
  inlineAdd(counter: Counter, n: number): void;
  /** Store `n` in `counter[vcpu]` before execution, compiled into the block. */
  inlineStore(counter: Counter, n: number): void;
  /** Call `cb` after each memory access this instruction makes. */
  onMemory(cb: MemCallback, rw?: MemRW): void;
  /** Add `n` to `counter[vcpu]` for each memory access, compiled into the block. */
  inlineAddOnMemory(counter: Counter, n: number, rw?: MemRW): void;
}

/** A translation block: straight-line guest code translated once and cached. */
export interface TranslatedBlock {
  readonly vaddr: bigint;
  readonly insns: readonly TranslatedInsn[];
  /** Total size in bytes. */
  readonly size: number;
  onExec(cb: ExecCallback): void;
  onExecIf(counter: Counter, cond: Cond, imm: number, cb: ExecCallback): void;
  inlineAdd(counter: Counter, n: number): void;
  inlineStore(counter: Counter, n: number): void;
}

/** A guest register as the plugin sees it. */
export interface RegisterDesc {
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** Feature group, like gdb's (`cpu`, `csr`, `fpu`). */
  readonly feature: string;
}

/** The plugin API handed to `install`. */
export interface PluginApi {
  /** Name of the plugin (as loaded). */
  readonly name: string;
  /** Guest architecture name, e.g. `riscv64`. */
  readonly arch: string;
  /** Number of vCPUs of the machine. */
  readonly vcpus: number;
  /** True while the machine is running (false during install and at exit). */
  readonly running: boolean;

  onVcpuInit(cb: ExecCallback): void;
  onVcpuExit(cb: ExecCallback): void;
  /** The vCPU went idle (WFI, SLEEP). */
  onVcpuIdle(cb: ExecCallback): void;
  /** The vCPU resumed from idle. */
  onVcpuResume(cb: ExecCallback): void;
  /** Called once for each block as it is translated; attach instrumentation here. */
  onTranslate(cb: (tb: TranslatedBlock) => void): void;
  /** Register for discontinuities of the kinds in `mask` (a nonzero subset of `Discon.All`). */
  onDiscontinuity(mask: number, cb: DisconCallback): void;
  /**
   * Register for control-flow events of the kinds in `mask` (a nonzero subset of `Flow.Any`):
   * traps as with {@link onDiscontinuity}, plus branches, jumps, calls, returns, trap returns and
   * block fall-throughs. Only the registered transfer kinds are compiled into translated code, so
   * a registration for traps only costs what `onDiscontinuity` costs.
   */
  onControlFlow(mask: number, cb: FlowCallback): void;
  /** Called when the translation cache is flushed. */
  onFlush(cb: () => void): void;
  /** Called once at exit, in load order. */
  onExit(cb: () => void): void;

  /** A new inline-updatable per-vCPU counter. */
  counter(name: string): Counter;
  /** A per-vCPU scoreboard of any shape. */
  scoreboard<T>(init: (vcpu: number) => T): Scoreboard<T>;

  /** Registers of `vcpu`, in gdb order. */
  registers(vcpu: number): readonly RegisterDesc[];
  /** Read a register by name (exact, unsigned). Throws on unknown names. */
  readRegister(vcpu: number, name: string): bigint;
  /** Write a register by name. */
  writeRegister(vcpu: number, name: string, value: bigint): void;
  /** Current PC of `vcpu`. */
  pc(vcpu: number): bigint;
  /** Read guest memory at a virtual address as `vcpu` sees it; undefined if not all readable. */
  readMemory(vcpu: number, vaddr: bigint, len: number): Uint8Array | undefined;
  /** Write guest memory; returns false if not all writable RAM. */
  writeMemory(vcpu: number, vaddr: bigint, data: Uint8Array): boolean;
  /** Physical address that `vaddr` maps to for `vcpu` now (data access), or undefined if unmapped. */
  translateAddress(vcpu: number, vaddr: bigint): bigint | undefined;
  /** Read physical memory (RAM/ROM only, no device side effects); undefined if not all readable. */
  readPhysicalMemory(paddr: bigint, len: number): Uint8Array | undefined;
  /** Write physical RAM; returns false if not all writable RAM. */
  writePhysicalMemory(paddr: bigint, data: Uint8Array): boolean;
  /** Symbol name covering an address, from the loaded image(s). */
  symbolAt(vaddr: bigint): string | undefined;

  /** Flush the translation cache: every block is translated (and instrumented) again. */
  flush(): void;
  /** Remove all of this plugin's callbacks; `done` runs once they are gone. */
  uninstall(done?: () => void): void;
  /** Write text to the plugin output (stderr, or the `-D` log file). */
  out(text: string): void;
}

/** Declared argument types, checked before `install` runs. */
export type ArgSpec = Record<string, { type: 'bool' | 'int' | 'string'; default?: boolean | number | string; help?: string }>;
export type ArgValues = Record<string, boolean | number | string>;

/** What a plugin module exports. */
export interface Plugin {
  readonly name: string;
  readonly description?: string;
  /** Accepted `key=value` arguments; unknown keys are rejected. */
  readonly args?: ArgSpec;
  install(api: PluginApi, args: ArgValues): void;
}

/** Helper for authors: gives type checking to a plugin definition. */
export function definePlugin(p: Plugin): Plugin {
  return p;
}
