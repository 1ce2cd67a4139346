/**
 * The same register-level script on a tracehook peripheral (on a {@link FakeChip}) and on avr8js's
 * peripheral (on its own CPU with an empty program, interrupts off), for cross-check tests.
 * "Instructions" are simulated by advancing the cycle counter and then letting each side run its
 * clock events, as avr8js's run loop (`avrInstruction(); cpu.tick()`) does.
 */
import { CPU } from 'avr8js';
import { FakeChip } from './fake-chip.js';

export interface Rig {
  /** A store (`STS`) at the current cycle. */
  write(addr: number, value: number): void;
  /** A load (`LDS`) at the current cycle (through the hooks). */
  read(addr: number): number;
  /** The data-space byte, without hooks. */
  peek(addr: number): number;
  /** One instruction of `len` cycles. */
  step(len: number): void;
  readonly cycles: number;
}

export class OursRig implements Rig {
  constructor(readonly chip: FakeChip) {}
  write(addr: number, value: number): void {
    this.chip.write(addr, value);
  }
  read(addr: number): number {
    return this.chip.read(addr);
  }
  peek(addr: number): number {
    return this.chip.data[addr]!;
  }
  step(len: number): void {
    this.chip.step(len);
  }
  get cycles(): number {
    return this.chip.now;
  }
}

export class Avr8jsRig implements Rig {
  readonly cpu = new CPU(new Uint16Array(0x4000));
  write(addr: number, value: number): void {
    this.cpu.writeData(addr, value);
  }
  read(addr: number): number {
    return this.cpu.readData(addr);
  }
  peek(addr: number): number {
    return this.cpu.data[addr]!;
  }
  step(len: number): void {
    this.cpu.cycles += len;
    this.cpu.tick();
  }
  get cycles(): number {
    return this.cpu.cycles;
  }
  /** Whether avr8js has vector `vector` queued (its interrupt table holds word addresses 2n). */
  pending(vector: number): boolean {
    return !!(this.cpu as unknown as { pendingInterrupts: unknown[] }).pendingInterrupts[vector * 2];
  }
}

/** A small deterministic PRNG (mulberry32) for generated scripts. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The registers a generated timer script touches. */
export interface TimerRegs {
  TCCRA: number;
  TCCRB: number;
  TCNT: number;
  OCRA: number;
  OCRB: number;
  TIFR: number;
  TIMSK: number;
}

export type Op = { kind: 'w'; addr: number; v: number } | { kind: 'r'; addr: number } | { kind: 's'; len: number; n: number };

/** `outputs`: TCCRnA also gets random COMnA/COMnB bits and TCCRnB random FOCnA/FOCnB strobes. */
export function genTimerScript(seed: number, regs: TimerRegs, csMax: number, outputs = false): Op[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const byte = () => pick([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, Math.floor(rnd() * 256), Math.floor(rnd() * 16)]);
  const ops: Op[] = [];
  for (let i = 0; i < 120; i++) {
    const r = rnd();
    const foc = outputs && rnd() < 0.3 ? Math.floor(rnd() * 4) << 6 : 0;
    if (r < 0.12) ops.push({ kind: 'w', addr: regs.TCCRB, v: foc | (rnd() < 0.5 ? 0x08 : 0) | (1 + Math.floor(rnd() * csMax)) });
    else if (r < 0.22) ops.push({ kind: 'w', addr: regs.TCCRA, v: outputs ? Math.floor(rnd() * 256) & 0xf3 : Math.floor(rnd() * 4) });
    else if (r < 0.34) ops.push({ kind: 'w', addr: regs.OCRA, v: byte() });
    else if (r < 0.44) ops.push({ kind: 'w', addr: regs.OCRB, v: byte() });
    else if (r < 0.5) ops.push({ kind: 'w', addr: regs.TCNT, v: byte() });
    else if (r < 0.54) ops.push({ kind: 'w', addr: regs.TIFR, v: 0x07 });
    else if (r < 0.58) ops.push({ kind: 'w', addr: regs.TIMSK, v: Math.floor(rnd() * 8) });
    else if (r < 0.7) ops.push({ kind: 'r', addr: regs.TCNT });
    else ops.push({ kind: 's', len: pick([1, 1, 1, 2, 2, 3, 4]), n: pick([1, 3, 10, 50, 200, 700]) });
  }
  return ops;
}

/** Runs a script on both; returns the first difference, or null. */
/** `watchMask`: bits compared at every watched address (one mask for all, or one per address). */
export function runBoth(ops: Op[], a: Rig, b: Rig, watch: readonly number[], watchMask: number | readonly number[] = 0xff): string | null {
  const mask = (i: number) => (typeof watchMask === 'number' ? watchMask : watchMask[i]!);
  const snap = (r: Rig) => watch.map((x, i) => r.peek(x) & mask(i)).join(',');
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 'w') {
      a.write(op.addr, op.v);
      b.write(op.addr, op.v);
      a.step(2);
      b.step(2);
    } else if (op.kind === 'r') {
      const va = a.read(op.addr);
      const vb = b.read(op.addr);
      a.step(2);
      b.step(2);
      if (va !== vb) return `op ${i} read 0x${op.addr.toString(16)} at cycle ${a.cycles}: ours ${va}, avr8js ${vb}`;
    } else {
      for (let k = 0; k < op.n; k++) {
        a.step(op.len);
        b.step(op.len);
        if (snap(a) !== snap(b)) return `op ${i} step ${k} cycle ${a.cycles}: ours [${snap(a)}], avr8js [${snap(b)}]`;
      }
    }
    if (snap(a) !== snap(b)) return `after op ${i} (${JSON.stringify(op)}) cycle ${a.cycles}: ours [${snap(a)}], avr8js [${snap(b)}]`;
  }
  return null;
}


/** Timer1's registers for a generated script (16-bit ones by their low byte). */
export interface Timer16Regs extends TimerRegs {
  ICR: number;
}

/** A script for Timer1: 16-bit writes high byte first, TCNT1 read low byte first. */
export function genTimer16Script(seed: number, regs: Timer16Regs, csMax: number, outputs = false): Op[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const word = () =>
    pick([0, 1, 2, 3, 0xff, 0x100, 0x1ff, 0x3ff, 0x400, 0xffff, Math.floor(rnd() * 0x400), Math.floor(rnd() * 64), Math.floor(rnd() * 0x10000)]);
  const ops: Op[] = [];
  const w16 = (addr: number, v: number) => {
    ops.push({ kind: 'w', addr: addr + 1, v: v >> 8 });
    ops.push({ kind: 'w', addr, v: v & 0xff });
  };
  for (let i = 0; i < 120; i++) {
    const r = rnd();
    if (r < 0.12) ops.push({ kind: 'w', addr: regs.TCCRB, v: (Math.floor(rnd() * 4) << 3) | (1 + Math.floor(rnd() * csMax)) });
    else if (r < 0.22) ops.push({ kind: 'w', addr: regs.TCCRA, v: outputs ? Math.floor(rnd() * 256) & 0xf3 : Math.floor(rnd() * 4) });
    else if (r < 0.32) w16(regs.OCRA, word());
    else if (r < 0.4) w16(regs.OCRB, word());
    else if (r < 0.46) w16(regs.ICR, word());
    else if (r < 0.5) w16(regs.TCNT, word());
    else if (r < 0.54) ops.push({ kind: 'w', addr: regs.TIFR, v: 0x27 });
    else if (r < 0.58) ops.push({ kind: 'w', addr: regs.TIMSK, v: Math.floor(rnd() * 8) });
    else if (r < 0.7) {
      ops.push({ kind: 'r', addr: regs.TCNT });
      ops.push({ kind: 'r', addr: regs.TCNT + 1 });
    } else ops.push({ kind: 's', len: pick([1, 1, 1, 2, 2, 3, 4]), n: pick([1, 3, 10, 50, 200, 700]) });
  }
  return ops;
}
