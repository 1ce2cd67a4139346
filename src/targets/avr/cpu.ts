/**
 * The ATmega328P CPU core: architectural state (data space with registers, I/O and SRAM; program
 * flash), the slow paths generated code calls (hooked I/O, SREG writes, SLEEP, WDR, SPM), and
 * interrupt delivery. It implements {@link AvrChip}, the interface peripherals are written against.
 *
 * Time: `icount` counts CPU cycles (the virtual clock unit is one cycle). Inside a block, generated
 * code passes the cycles executed so far in the block (`c0`) to every slow path, so `cycles()` is
 * exact when a peripheral hook runs.
 *
 * PCs are byte addresses everywhere outside the return-address stack (which holds word addresses,
 * as the hardware pushes them): plugins, the translation cache and `-d` logs all see bytes.
 */
import type { ClockEvent, VirtualClock } from '../../core/clock.js';
import type { EngineCpu } from '../../core/engine.js';
import { StopError } from '../../core/runner.js';
import { Discon } from '../../plugin/api.js';
import type { PluginHost } from '../../plugin/host.js';
import type { AvrChip, AvrReadHook, AvrTimer, AvrWriteHook } from '../../devices/avr/chip.js';
import { AVR_MCUSR, AVR_RAMEND, AVR_SMCR, AVR_SPH, AVR_SPL, AVR_SREG } from '../../devices/avr/chip.js';
import { AVR_VECTOR_COUNT, avrVectorName } from '../../devices/avr/vectors.js';

/** Program flash of the ATmega328P: 32 KiB (16 K words). PCs wrap within it. */
export const FLASH_BYTES = 0x8000;
export const FLASH_MASK = FLASH_BYTES - 1;
/**
 * The data space as the CPU sees it: the full 16-bit range pointers can address. The chip maps
 * 0x000..0x8ff (registers, I/O, extended I/O, 2 KiB SRAM); bytes above RAMEND read back what was
 * written (real parts leave them unmapped).
 */
export const DATA_BYTES = 0x10000;
/** Flash page of the ATmega328P in bytes (64 words): SPM's temporary buffer. */
export const SPM_PAGE_BYTES = 128;
/** Interrupt response: push PC (2 bytes), clear I, jump to the vector (datasheet 7.7: 4 cycles minimum). */
export const INTERRUPT_CYCLES = 4;
/** Extra response cycles when the interrupt wakes the MCU from sleep (datasheet 7.7: "increased by four clock cycles"). */
export const WAKE_CYCLES = 4;
/** SPMCSR (store program memory control and status) in the data space. */
export const AVR_SPMCSR = 0x57;
const SREG_I = 0x80;

/** Thrown by nothing: AVR has no synchronous traps, so blocks never unwind. */
export const AVR_NO_TRAP = { avrNoTrap: true } as const;

export interface AvrCpuOptions {
  clock: VirtualClock;
  host: PluginHost;
  /** CPU clock in Hz (16 MHz on the Uno). */
  frequency?: number;
  /** `-d int` sink: one line per interrupt or reset. */
  intLog?: (line: string) => void;
}

class CycleTimer implements AvrTimer {
  readonly ev: ClockEvent;
  constructor(private readonly clock: VirtualClock, fire: (now: number) => void) {
    this.ev = { deadline: Infinity, fire: (now) => fire(now) };
    clock.addEvent(this.ev);
  }
  armAt(cycle: number): void { this.ev.deadline = cycle; this.clock.reschedule(); }
  disarm(): void {
    if (this.ev.deadline !== Infinity) { this.ev.deadline = Infinity; this.clock.reschedule(); }
  }
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

export class AvrCpu implements EngineCpu, AvrChip {
  readonly index = 0;
  /** Cycles executed by this CPU (updated at block exits; idle time is the clock's). */
  icount = 0;
  limit = 0;
  exitReq = 0;
  /** Nonzero when an interrupt (or a reset) can be taken now: pending & SREG.I, or a reset request. */
  irqPending = 0;
  /** Sleeping (SLEEP with SMCR.SE set) until an interrupt. */
  halted = false;
  /** Byte address of the next instruction. */
  pcLo = 0;
  pcHi = 0;
  mode = 0;
  curBlock: unknown = null;
  /** Cycles into the executing block while a slow path runs (0 between blocks). */
  cur = 0;
  readonly data = new Uint8Array(DATA_BYTES);
  readonly flash = new Uint8Array(FLASH_BYTES);
  readonly flash16 = new Uint16Array(this.flash.buffer);
  readonly frequency: number;
  readonly readHooks: (AvrReadHook | undefined)[] = new Array<AvrReadHook | undefined>(256).fill(undefined);
  readonly writeHooks: (AvrWriteHook | undefined)[] = new Array<AvrWriteHook | undefined>(256).fill(undefined);
  /** Bit v set: vector v is requesting service. */
  pending = 0;
  private readonly acks: ((() => void) | undefined)[] = [];
  private resetPending = false;
  /** icount right after SEI/RETI: one more instruction runs before an interrupt is taken. */
  inhibitAt = -1;
  /** The translated block at byte PC `pc` (normal mode), if any (set by the machine; for chaining). */
  findBlock: (pc: number) => { readonly n: number; readonly valid: boolean; readonly fn: (s: AvrCpu, depth?: number) => void } | undefined = () => undefined;
  /** Runs exactly one instruction (set by the machine: a single-instruction block). */
  stepOne: () => void = () => { throw new Error('AvrCpu.stepOne is not wired'); };
  /** Flash bytes [addr, addr + len) changed (SPM): translated code there must go. */
  onFlashWrite: (addr: number, len: number) => void = () => {};
  /** An I/O hook was added: translated code must be regenerated to call it. */
  onHooksChanged: () => void = () => {};
  /** The chip is being reset (watchdog): the machine resets its peripherals. */
  onSystemReset: () => void = () => {};
  private readonly wdrListeners: (() => void)[] = [];
  readonly spmBuffer = new Uint8Array(SPM_PAGE_BYTES).fill(0xff);
  readonly clock: VirtualClock;
  readonly host: PluginHost;
  private readonly intLog: ((line: string) => void) | undefined;

  constructor(o: AvrCpuOptions) {
    this.clock = o.clock;
    this.host = o.host;
    this.frequency = o.frequency ?? 16_000_000;
    this.intLog = o.intLog;
    this.powerOn();
  }

  /**
   * Power-on state: data space cleared, SP = RAMEND, PC = 0. MCUSR reads 0 as in QEMU 7.2 and
   * avr8js (the part sets PORF there; the guests' reference outputs print 0x00).
   */
  powerOn(): void {
    this.data.fill(0);
    this.resetCore();
  }

  /** What any reset does to the core: I/O cleared (MCUSR kept), SREG 0, SP = RAMEND, PC 0; SRAM and r0..r31 kept. */
  private resetCore(): void {
    const mcusr = this.data[AVR_MCUSR]!;
    this.data.fill(0, 0x20, 0x100);
    this.data[AVR_MCUSR] = mcusr;
    this.data[AVR_SPL] = AVR_RAMEND & 0xff;
    this.data[AVR_SPH] = AVR_RAMEND >> 8;
    this.pcLo = 0;
    this.pending = 0;
    this.halted = false;
    this.inhibitAt = -1;
    this.resetPending = false;
    this.spmBuffer.fill(0xff);
    this.irqPending = 0;
    this.exitReq = 1;
  }

  // ---- EngineCpu / clock --------------------------------------------------------------------

  /** Cycles up to the instruction now executing (exact inside a block). */
  retired(): number { return this.icount + this.cur; }

  // ---- AvrChip ------------------------------------------------------------------------------

  cycles(): number { return this.clock.icount(); }

  onRead(addr: number, hook: AvrReadHook): void {
    this.checkIo(addr);
    this.readHooks[addr] = hook;
    this.onHooksChanged();
  }

  onWrite(addr: number, hook: AvrWriteHook): void {
    this.checkIo(addr);
    this.writeHooks[addr] = hook;
    this.onHooksChanged();
  }

  private checkIo(addr: number): void {
    if (!Number.isInteger(addr) || addr < 0x20 || addr > 0xff) throw new RangeError(`AVR I/O hook address 0x${addr.toString(16)} is outside 0x20..0xff`);
    if (addr === AVR_SREG) throw new RangeError('SREG belongs to the CPU and cannot be hooked');
  }

  timer(fire: (nowCycles: number) => void): AvrTimer { return new CycleTimer(this.clock, fire); }

  setInterrupt(vector: number, requesting: boolean): void {
    if (!Number.isInteger(vector) || vector < 1 || vector > AVR_VECTOR_COUNT) throw new RangeError(`no interrupt vector ${vector} on the ATmega328P`);
    const bit = 1 << vector;
    this.pending = requesting ? this.pending | bit : this.pending & ~bit;
    this.sregChanged();
  }

  onInterruptTaken(vector: number, ack: () => void): void { this.acks[vector] = ack; }

  requestReset(): void {
    this.resetPending = true;
    this.irqPending = 1;
    this.exitReq = 1;
  }

  onWatchdogReset(listener: () => void): void { this.wdrListeners.push(listener); }

  /** The executing instruction takes `cycles` more (EEPROM access halts the CPU). */
  addCycles(cycles: number): void { this.icount += cycles; }

  // ---- registers ----------------------------------------------------------------------------

  get sp(): number { return this.data[AVR_SPL]! | (this.data[AVR_SPH]! << 8); }
  set sp(v: number) { this.data[AVR_SPL] = v & 0xff; this.data[AVR_SPH] = (v >> 8) & 0xff; }
  get sreg(): number { return this.data[AVR_SREG]!; }
  set sreg(v: number) { this.data[AVR_SREG] = v & 0xff; this.sregChanged(); }

  // ---- slow paths called by generated code -------------------------------------------------

  /** Read data-space byte `a` (registers, hooked I/O, anything) at cycle offset `c0` of the block. */
  ld(a: number, c0: number): number {
    if (a >= 0x20 && a < 0x100) {
      const h = this.readHooks[a];
      if (h !== undefined) {
        this.cur = c0;
        const v = h(a) & 0xff;
        this.cur = 0;
        return v;
      }
    }
    return this.data[a]!;
  }

  /**
   * Write data-space byte `a`. `mask`: the bits the instruction writes (SBI/CBI touch one bit:
   * on the ATmega328P they leave the other flags of a flag register alone, datasheet 7.4).
   */
  st(a: number, v: number, mask: number, c0: number): void {
    if (a < 0x20 || a >= 0x100) { this.data[a] = v; return; }
    const h = this.writeHooks[a];
    if (h !== undefined) {
      this.cur = c0;
      if (!h(v, this.data[a]!, a, mask)) this.data[a] = v;
      this.cur = 0;
      return;
    }
    this.data[a] = v;
    if (a === AVR_SREG) this.sregChanged();
  }

  /** SREG (or the pending set) changed: recompute whether an interrupt can be taken. */
  sregChanged(): void {
    const can = this.resetPending || (this.pending !== 0 && (this.data[AVR_SREG]! & SREG_I) !== 0);
    this.irqPending = can ? 1 : 0;
    if (can) this.exitReq = 1;
  }

  /** SEI or RETI just set I (icount already counts the instruction): one more instruction runs first. */
  interruptsEnabled(): void {
    this.inhibitAt = this.icount;
    this.sregChanged();
  }

  /**
   * Asked when SLEEP halts with SREG.I = 0: true when nothing can ever wake the core (no
   * interrupt can be taken; the machine answers whether a watchdog reset is still possible).
   */
  sleepsForever: () => boolean = () => false;

  /** SLEEP (icount and PC already past it): halt if SMCR.SE is set. */
  sleep(): void {
    if ((this.data[AVR_SMCR]! & 1) === 0) return;
    this.halted = true;
    if (this.host.hasIdleHooks) this.host.vcpuIdle(this.index);
    if ((this.data[AVR_SREG]! & SREG_I) === 0 && this.sleepsForever()) {
      // The way AVR programs end (guests/avr/README.md): the chip would sleep for ever. Stop here
      // rather than run the timers that can no longer wake it.
      throw new StopError('all vCPUs are idle (sleep) with interrupts disabled and no watchdog reset armed: the guest can never wake');
    }
  }

  wdr(c0: number): void {
    this.cur = c0;
    for (const l of this.wdrListeners) l();
    this.cur = 0;
  }

  /**
   * SPM (from any section: boot-lock bits are not modelled). SPMCSR selects the operation:
   * SPMEN alone fills the temporary page buffer with r1:r0 at Z; PGERS erases the page at Z;
   * PGWRT writes the buffer to it. The operation is instantaneous here (the part halts the CPU
   * for the 3.7–4.5 ms flash write).
   */
  spm(): void {
    const csr = this.data[AVR_SPMCSR]!;
    const z = this.data[30]! | (this.data[31]! << 8);
    const page = z & FLASH_MASK & ~(SPM_PAGE_BYTES - 1);
    switch (csr & 0x1f) {
      case 0x01: { // buffer fill
        const off = z & (SPM_PAGE_BYTES - 2);
        this.spmBuffer[off] = this.data[0]!;
        this.spmBuffer[off + 1] = this.data[1]!;
        break;
      }
      case 0x03: // page erase
        this.flash.fill(0xff, page, page + SPM_PAGE_BYTES);
        this.onFlashWrite(page, SPM_PAGE_BYTES);
        break;
      case 0x05: // page write
        this.flash.set(this.spmBuffer, page);
        this.spmBuffer.fill(0xff);
        this.onFlashWrite(page, SPM_PAGE_BYTES);
        break;
      case 0x11: // RWW section read enable: clears RWWSB
        this.spmBuffer.fill(0xff);
        break;
      default:
        break; // lock bits, signature reads: not modelled
    }
    this.data[AVR_SPMCSR] = csr & 0xc0 & ~0x40;
  }

  /** An opcode the ATmega328P does not have: the run stops (QEMU stops with EXCP_DEBUG). */
  undefinedOpcode(pc: number, word: number): never {
    throw new StopError(`undefined opcode 0x${word.toString(16).padStart(4, '0')} at ${hex4(pc)} (not an ATmega328P instruction)`);
  }

  // ---- interrupts ---------------------------------------------------------------------------

  /** Called by the engine between blocks when `irqPending`: reset, or enter the lowest requesting vector. */
  takeInterrupt(): boolean {
    if (this.resetPending) { this.reset(); return true; }
    if (this.pending === 0 || (this.data[AVR_SREG]! & SREG_I) === 0) { this.irqPending = 0; return false; }
    if (this.icount === this.inhibitAt && !this.halted) {
      // The instruction after SEI/RETI runs before any interrupt (datasheet 7.7).
      this.inhibitAt = -1;
      this.stepOne();
      return true;
    }
    this.inhibitAt = -1;
    const vector = 31 - Math.clz32(this.pending & -this.pending);
    // The cycle the interrupt is accepted (what `-d int` reports, as the avr8js reference runner
    // does): the end of the interrupted instruction, or asleep the cycle the request woke the
    // core; before the 4 entry cycles (and the 4 wake-up cycles).
    const at = this.cycles();
    let woke = false;
    if (this.halted) {
      this.halted = false;
      woke = true;
      if (this.host.hasIdleHooks) this.host.vcpuResume(this.index);
    }
    const from = this.pcLo;
    const ret = from >>> 1;
    let sp = this.sp;
    this.st(sp, ret & 0xff, 0xff, 0);
    this.st((sp - 1) & 0xffff, (ret >> 8) & 0xff, 0xff, 0);
    sp = (sp - 2) & 0xffff;
    this.sp = sp;
    this.data[AVR_SREG] = this.data[AVR_SREG]! & ~SREG_I;
    this.pcLo = vector * 4;
    this.icount += INTERRUPT_CYCLES + (woke ? WAKE_CYCLES : 0);
    const ack = this.acks[vector];
    if (ack !== undefined) ack();
    this.sregChanged();
    this.exitReq = 1;
    if (this.intLog !== undefined) {
      this.intLog(`avr_interrupt: vector ${vector} ${avrVectorName(vector)} at cycle ${at}: pc ${hex4(from)} -> ${hex4(this.pcLo)}, sp ${hex4(sp)}${woke ? ' (woke from sleep)' : ''}\n`);
    }
    if ((this.host.disconMask & Discon.Interrupt) !== 0) this.host.discon(this.index, Discon.Interrupt, from, 0, this.pcLo, 0, vector);
    return true;
  }

  /** A reset requested while running (watchdog): an Interrupt event to vector 0. */
  private reset(): void {
    const from = this.pcLo;
    const at = this.cycles();
    const wasHalted = this.halted;
    this.resetCore();
    if (wasHalted && this.host.hasIdleHooks) this.host.vcpuResume(this.index);
    this.onSystemReset();
    this.sregChanged();
    if (this.intLog !== undefined) this.intLog(`avr_interrupt: vector 0 RESET at cycle ${at}: pc ${hex4(from)} -> 0x0000 (reset requested)\n`);
    if ((this.host.disconMask & Discon.Interrupt) !== 0) this.host.discon(this.index, Discon.Interrupt, from, 0, 0, 0, 0);
  }
}
