/**
 * Live cross-checks of the MPS2 (`mps2-an385` / `mps2-an386`) device models against QEMU 7.2.
 *
 * 1. Registers with time stopped (qtest on a stopped machine): the same access sequences (fixed
 *    ones and seeded random ones) go to QEMU's devices and to ours, mapped by
 *    `createMps2Devices`; every value read must match, and so must the NVIC's pending bits
 *    (ISPR, read through QEMU's CPU address space), which record every rising interrupt line.
 * 2. Virtual time (`-icount shift=N`): a generated Thumb-2 program runs on QEMU's Cortex-M and
 *    performs register accesses at known instruction counts, logging every read to RAM; our
 *    models replay the same accesses at the same virtual nanoseconds and must read the same.
 *
 * Skipped when qemu-system-arm 7.2 is not installed.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../core/bus.js';
import { IrqPin } from '../core/irq.js';
import { createMps2Devices } from '../machines/mps2-map-devices.js';
import { UnimplementedDevice, type UnimplementedAccess } from './mps2-unimp.js';
import { MPS2_AN385, MPS2_AN386, type Mps2Map } from '../machines/mps2-map.js';
import { QEMU_ARM, QTest, prng, qemuAvailable, type AccessSize } from './test-support/qtest.js';
import { timeRig } from './test-support/virtual-time.js';

const skip = qemuAvailable(QEMU_ARM) ? false : 'qemu-system-arm 7.2 is not installed';

const ISPR = 0xe000_e200;
const ICPR = 0xe000_e280;

/** Our devices at the board's addresses, with NVIC pending bits latched on rising lines. */
function model(map: Mps2Map, shift = 0) {
  const t = timeRig(shift);
  const bus = new Bus();
  let pending = 0;
  const lines = Array.from({ length: map.numIrq }, (_, n) => {
    let level = false;
    return {
      get level() { return level; },
      set(l: boolean) { if (l && !level) pending |= 1 << n; level = l; },
    };
  });
  const devs = createMps2Devices({ map, bus, clock: t.clock, nvicIrq: (n) => lines[n]! });
  const read = (addr: number, size: AccessSize): number => {
    if (addr === ISPR) return pending >>> 0;
    bus.error = 0;
    return bus.read(addr, size) >>> 0;
  };
  const write = (addr: number, size: AccessSize, v: number): void => {
    if (addr === ICPR) {
      // (the generators only clear lines that are low)
      pending &= ~v;
      return;
    }
    bus.write(addr, size, v);
  };
  return { ...t, bus, devs, read, write, lines };
}

type Op = { k: 'r'; addr: number; size: AccessSize } | { k: 'w'; addr: number; size: AccessSize; v: number };

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);
const show = (op: Op): string => `${op.k} 0x${op.addr.toString(16)}/${op.size}${op.k === 'w' ? ` = 0x${op.v.toString(16)}` : ''}`;

async function compare(q: QTest, m: ReturnType<typeof model>, ops: Op[]): Promise<void> {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.k === 'w') {
      await q.write(op.addr, op.size, op.v);
      m.write(op.addr, op.size, op.v);
    } else {
      const want = Number(await q.read(op.addr, op.size));
      assert.equal(`0x${m.read(op.addr, op.size).toString(16)}`, `0x${want.toString(16)}`, `op ${i}: ${show(op)}`);
    }
  }
}

const QEMU_BASE = (board: string) => ['-M', board, '-display', 'none', '-S', '-nodefaults'];

for (const map of [MPS2_AN385, MPS2_AN386]) {
  describe(`${map.board}: registers against QEMU 7.2 (qtest, time stopped)`, { skip }, () => {
    // a fresh QEMU per test: device state must start from reset on both sides
    let q: QTest;
    beforeEach(() => { q = new QTest([], { binary: QEMU_ARM, baseArgs: QEMU_BASE(map.board) }); });
    afterEach(() => q?.close());

    test('SCC, FPGAIO and the ID registers of every CMSDK device read identically', async () => {
      const m = model(map);
      const ops: Op[] = [];
      for (const base of [0x4002_f000, 0x4002_8000]) {
        for (let off = 0; off < 0x110; off += 4) ops.push({ k: 'r', addr: base + off, size: 4 });
        for (let off = 0xfd0; off < 0x1000; off += 4) ops.push({ k: 'r', addr: base + off, size: 4 });
      }
      for (const base of [0x4000_0000, 0x4000_1000, 0x4000_2000, 0x4000_8000, 0x4000_4000, 0x4000_5000, 0x4000_6000, 0x4000_7000, 0x4000_9000]) {
        for (let off = 0xfd0; off < 0x1000; off += 4) ops.push({ k: 'r', addr: base + off, size: 4 });
        for (const size of [1, 2] as const) ops.push({ k: 'r', addr: base + 0xfe0, size }, { k: 'r', addr: base + 0xfe1, size: 1 });
      }
      // SCC: writable registers, SYS_CFG transfers (good and bad), absent registers
      const S = 0x4002_f000;
      for (const [off, v] of [[0, 0xffff_ffff], [4, 0x1234_5678], [8, 1], [0xc, 1], [0x10, 7], [0x14, 9], [0x18, 9], [0x1c, 9], [0x100, 0x00ff_fffe], [0xff8, 0], [0xffc, 0], [0xa4, 0xcafe]] as const) {
        ops.push({ k: 'w', addr: S + off, size: 4, v });
      }
      for (const ctrl of [0x8010_0000, 0x8010_0001, 0x8010_0002, 0x8010_0003, 0x8010_0fff, 0x8000_0000, 0x8020_0001, 0xc010_0002, 0x8010_0002, 0xffff_ffff, 0x4010_0001, 0x8fff_ffff]) {
        ops.push({ k: 'w', addr: S + 0xa8, size: 4, v: ctrl });
        for (const off of [0xa0, 0xa4, 0xa8, 0xac]) ops.push({ k: 'r', addr: S + off, size: 4 });
      }
      for (let off = 0; off < 0x110; off += 4) ops.push({ k: 'r', addr: S + off, size: 4 });
      // FPGAIO: writable registers and the absent ones
      const F = 0x4002_8000;
      for (const off of [0, 4, 8, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x28, 0x4c, 0x50]) {
        ops.push({ k: 'w', addr: F + off, size: 4, v: 0x8765_4321 }, { k: 'r', addr: F + off, size: 4 });
      }
      await compare(q, m, ops);
    });

    test('UARTs: 3000 random accesses read identically and raise the same NVIC interrupts (RX/TX pairs, overrun OR gate)', async () => {
      const m = model(map);
      const rnd = prng(0x3e2_0001);
      const bases = [0x4000_4000, 0x4000_5000, 0x4000_6000, 0x4000_7000, 0x4000_9000];
      const ops: Op[] = [{ k: 'w', addr: ICPR, size: 4, v: 0xffff_ffff }];
      for (let i = 0; i < 3000; i++) {
        const b = pick(rnd, bases);
        const r = rnd();
        if (r < 0.25) ops.push({ k: 'w', addr: b + 8, size: 4, v: int(rnd, 0x100) });
        else if (r < 0.45) ops.push({ k: 'w', addr: b, size: pick(rnd, [1, 4] as const), v: int(rnd, 0x100) });
        else if (r < 0.55) ops.push({ k: 'w', addr: b + pick(rnd, [4, 0xc]), size: 4, v: int(rnd, 16) });
        else if (r < 0.6) ops.push({ k: 'w', addr: b + 0x10, size: 4, v: int(rnd, 2 ** 32) });
        else if (r < 0.9) {
          // aligned accesses only: how a misaligned one is split is the bus's business, not the device's
          const off = pick(rnd, [0, 4, 8, 0xc, 0x10, 0x14, 0xfe0, 0x2, 0x1]);
          ops.push({ k: 'r', addr: b + off, size: (off & 1) !== 0 ? 1 : (off & 2) !== 0 ? pick(rnd, [2, 1] as const) : pick(rnd, [4, 4, 2, 1] as const) });
        }
        else ops.push({ k: 'r', addr: ISPR, size: 4 });
      }
      await compare(q, m, ops);
    });

    test('timers and dual timer: 3000 random register accesses read identically (enabled or not; time stopped)', async () => {
      const m = model(map);
      const rnd = prng(0x3e2_0002);
      const ops: Op[] = [];
      const dtOffs = [0, 4, 8, 0xc, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0xf00, 0xf04];
      const vals = [0, 1, 2, 0xf, 0xffff, 0x1_0000, 0x1234_5678, 0xffff_ffff, 0x8000_0000];
      for (let i = 0; i < 3000; i++) {
        const r = rnd();
        if (r < 0.3) {
          const b = pick(rnd, [0x4000_0000, 0x4000_1000]);
          const off = pick(rnd, [0, 4, 8, 0xc]);
          ops.push({ k: 'w', addr: b + off, size: 4, v: off === 0 ? int(rnd, 0x20) : pick(rnd, vals) });
        } else if (r < 0.6) {
          const off = pick(rnd, dtOffs);
          const ctrl = (off & 0x1f) === 8;
          ops.push({ k: 'w', addr: 0x4000_2000 + off, size: pick(rnd, [4, 4, 4, 1] as const), v: ctrl ? int(rnd, 0x100) : off >= 0xf00 ? pick(rnd, vals) & 3 : pick(rnd, vals) });
        } else if (r < 0.95) {
          if (rnd() < 0.4) ops.push({ k: 'r', addr: pick(rnd, [0x4000_0000, 0x4000_1000]) + pick(rnd, [0, 4, 8, 0xc, 0x10]), size: 4 });
          else if (rnd() < 0.05) ops.push({ k: 'r', addr: 0x4000_2000 + pick(rnd, dtOffs) + 1, size: 1 });
          else ops.push({ k: 'r', addr: 0x4000_2000 + pick(rnd, dtOffs), size: pick(rnd, [4, 4, 4, 2, 1] as const) });
        } else {
          ops.push({ k: 'r', addr: ISPR, size: 4 });
        }
      }
      // narrow writes must not be able to make the sizes' masks differ
      for (const op of ops) if (op.k === 'w' && op.size === 1) op.v = (op.v & 0xff) >>> 0;
      await compare(q, m, ops);
    });

    test('SBCon I2C: 2000 random line changes (START, address bits, ACK slot, STOP) read identically on all four', async () => {
      const m = model(map);
      const rnd = prng(0x3e2_0004);
      const bases = [0x4002_2000, 0x4002_3000, 0x4002_9000, 0x4002_a000];
      const ops: Op[] = [];
      for (let i = 0; i < 2000; i++) {
        const b = pick(rnd, bases);
        const x = rnd();
        if (x < 0.6) ops.push({ k: 'w', addr: b + pick(rnd, [0, 4]), size: 4, v: pick(rnd, [1, 2, 3, 1, 2, 0xff]) });
        else if (x < 0.65) ops.push({ k: 'w', addr: b + 8, size: 4, v: 3 });
        else ops.push({ k: 'r', addr: b + pick(rnd, [0, 0, 0, 4, 8]), size: pick(rnd, [4, 4, 1] as const) });
      }
      await compare(q, m, ops);
    });

    test('PL022 SPI: 3000 random accesses (FIFOs, loopback, data sizes, interrupts on NVIC 11, 22, 24) read identically', async () => {
      const m = model(map);
      const rnd = prng(0x3e2_0005);
      const bases = [0x4002_0000, 0x4002_1000, 0x4002_5000, 0x4002_6000, 0x4002_7000];
      const ops: Op[] = [{ k: 'w', addr: ICPR, size: 4, v: 0xffff_ffff }];
      for (let i = 0; i < 3000; i++) {
        const b = pick(rnd, bases);
        const x = rnd();
        // (CR1.MS with SSE only makes QEMU print a complaint)
        if (x < 0.08) ops.push({ k: 'w', addr: b, size: 4, v: int(rnd, 0x10000) });
        else if (x < 0.16) ops.push({ k: 'w', addr: b + 4, size: 4, v: pick(rnd, [0, 1, 2, 3, 8, 0xb, 0xf0]) });
        else if (x < 0.4) ops.push({ k: 'w', addr: b + 8, size: pick(rnd, [4, 4, 2] as const), v: int(rnd, 0x10000) });
        else if (x < 0.47) ops.push({ k: 'w', addr: b + pick(rnd, [0x10, 0x14, 0x20, 0x24, 0x28, 0xc, 0x18]), size: 4, v: int(rnd, 16) | (rnd() < 0.1 ? 0xf00 : 0) });
        else if (x < 0.93) ops.push({ k: 'r', addr: b + pick(rnd, [0, 4, 8, 8, 8, 0xc, 0xc, 0x10, 0x14, 0x18, 0x1c, 0x24, 0x28, 0xfe0, 0xffc]), size: 4 });
        else ops.push({ k: 'r', addr: ISPR, size: 4 });
      }
      await compare(q, m, ops);
    });

    test('unimplemented ranges and gaps read 0 at every size; unmapped holes are not ours to map', async () => {
      const m = model(map);
      const ops: Op[] = [];
      for (const a of [0x0080_0000, 0x00ff_fffc, 0x0101_0000, 0x1fff_fffc, 0x2080_0000, 0x4000_3000, 0x4000_a000, 0x4000_fffc,
        0x4001_0000, 0x4001_3ffc, 0x4001_4000, 0x4002_4000, 0x4002_4400, 0x4002_b000, 0x4002_effc, 0x4003_0000, 0x401f_fffc, 0x4100_0000, 0x411f_fffc]) {
        ops.push({ k: 'w', addr: a, size: 4, v: 0xffff_ffff });
        for (const size of [1, 2, 4] as const) ops.push({ k: 'r', addr: a, size });
      }
      await compare(q, m, ops);
    });
  });
}

test('mps2-an385: unimplemented-device accesses log the same lines as QEMU 7.2 -d unimp', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mps2-unimp-'));
  const logFile = join(dir, 'unimp.log');
  const q = new QTest(['-d', 'unimp', '-D', logFile], { binary: QEMU_ARM, baseArgs: QEMU_BASE('mps2-an385') });
  const seen: UnimplementedAccess[] = [];
  try {
    const t = timeRig();
    const bus = new Bus();
    createMps2Devices({ map: MPS2_AN385, bus, clock: t.clock, nvicIrq: () => new IrqPin(), onUnimplemented: (a) => seen.push(a), skipUnmodelled: true });
    const rnd = prng(0x3e2_0007);
    const addrs = [0x0080_0000, 0x0101_0000, 0x1fff_fff0, 0x2080_0010, 0x4000_3000, 0x4000_a004, 0x4001_0000, 0x4001_2ff8, 0x4001_4000,
      0x4002_4000, 0x4002_43fc, 0x4002_4400, 0x4002_b000, 0x4003_0000, 0x401f_fff0, 0x4100_0000, 0x411f_fffc];
    for (let i = 0; i < 200; i++) {
      const size = pick(rnd, [1, 2, 4] as const);
      const addr = pick(rnd, addrs) + (size === 4 ? 0 : size === 2 ? 2 * int(rnd, 2) : int(rnd, 4));
      if (rnd() < 0.5) {
        await q.read(addr, size);
        bus.read(addr, size);
      } else {
        const v = int(rnd, 2 ** (8 * size));
        await q.write(addr, size, v);
        bus.write(addr, size, v);
      }
    }
    await q.read(0x4002_fffc, 4); // a modelled device: no line
  } finally {
    q.close();
  }
  const logged = (): string[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n').filter((l) => l.includes('unimplemented device'));
  for (let i = 0; i < 500 && logged().length < 200; i++) await new Promise((r) => setTimeout(r, 10)); // QEMU flushes as it exits
  const want = logged();
  rmSync(dir, { recursive: true, force: true });
  const sizeOf = new Map(MPS2_AN385.devices.map((d) => [d.region, d.size]));
  const got = seen.map((a) => new UnimplementedDevice({ name: a.name, size: sizeOf.get(a.name)! }).logLine(a));
  assert.equal(want.length, 200);
  assert.deepEqual(got, want);
});

describe('mps2-an385: UART0 with a host on its serial line, against QEMU 7.2', { skip }, () => {
  let q: QTest;
  let sock: Socket;
  let dir: string;
  const received: number[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mps2-uart-'));
    const path = join(dir, 's0');
    q = new QTest([], {
      binary: QEMU_ARM,
      baseArgs: [...QEMU_BASE('mps2-an385'), '-chardev', `socket,id=s0,path=${path},server=on,wait=off`, '-serial', 'chardev:s0'],
    });
    await q.read(0x4000_4000 + 0xfe0, 4); // QEMU is up (and listening)
    for (let i = 0; !existsSync(path) && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
    sock = createConnection(path);
    sock.on('data', (b) => received.push(...b));
    await new Promise<void>((r) => sock.once('connect', () => r()));
  });
  afterEach(() => {
    sock?.destroy();
    q?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Poll QEMU until `pred` holds for the value at `addr` (host input arrives asynchronously). */
  const until = async (addr: number, pred: (v: number) => boolean): Promise<void> => {
    for (let i = 0; i < 2000; i++) { // (generous: CI machines are busy)
      if (pred(Number(await q.read(addr, 4)))) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`timeout waiting at 0x${addr.toString(16)}`);
  };

  test('received bytes wait outside the UART while it is full or disabled, raise RX (IRQ 0), and TX bytes reach the host', async () => {
    const m = model(MPS2_AN385);
    const U = 0x4000_4000;
    const both = async (op: Op): Promise<void> => compare(q, m, [op]);
    const regs = async (): Promise<void> => compare(q, m, [U + 4, U + 0xc, ISPR].map((addr): Op => ({ k: 'r', addr, size: 4 })));
    await both({ k: 'w', addr: ICPR, size: 4, v: 0xffff_ffff });
    // RX disabled: the host's byte is held back
    sock.write('C');
    m.devs.uarts[0]!.pushInput([0x43]);
    await new Promise((r) => setTimeout(r, 50));
    await regs();
    await both({ k: 'w', addr: U + 8, size: 4, v: 0xf });
    await until(U + 4, (v) => (v & 2) !== 0);
    await regs();
    sock.write('AB');
    m.devs.uarts[0]!.pushInput([0x41, 0x42]);
    await new Promise((r) => setTimeout(r, 50));
    await regs();
    for (let i = 0; i < 3; i++) {
      await both({ k: 'r', addr: U, size: 4 });
      if (i < 2) await until(U + 4, (v) => (v & 2) !== 0);
      await regs();
    }
    await both({ k: 'w', addr: U + 0xc, size: 4, v: 2 });
    await regs();
    for (const ch of 'ok\n') await both({ k: 'w', addr: U, size: 4, v: ch.charCodeAt(0) });
    await regs();
    for (let i = 0; i < 2000 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(String.fromCharCode(...received), 'ok\n');
  });
});

// ---------------------------------------------------------------------------------------------
// Virtual time: a generated guest program performs the accesses at known instruction counts.

/** Thumb-2 code generator for straight-line MMIO test programs. */
class Thumb {
  readonly h: number[] = [];
  /** Instructions emitted so far (each executes once, in order, apart from delay loops). */
  insns = 0;
  private ins(...halves: number[]): void { this.h.push(...halves); this.insns++; }
  movw(rd: number, imm: number): void {
    this.ins(0xf240 | (((imm >> 11) & 1) << 10) | ((imm >> 12) & 0xf), (((imm >> 8) & 7) << 12) | (rd << 8) | (imm & 0xff));
  }
  movt(rd: number, imm: number): void {
    this.ins(0xf2c0 | (((imm >> 11) & 1) << 10) | ((imm >> 12) & 0xf), (((imm >> 8) & 7) << 12) | (rd << 8) | (imm & 0xff));
  }
  /** rd = imm32 (two instructions, always, so timing does not depend on the value). */
  mov32(rd: number, imm: number): void { this.movw(rd, imm & 0xffff); this.movt(rd, (imm >>> 16) & 0xffff); }
  str(rt: number, rn: number): void { this.ins(0xf8c0 | rn, rt << 12); }
  strb(rt: number, rn: number): void { this.ins(0xf880 | rn, rt << 12); }
  ldr(rt: number, rn: number): void { this.ins(0xf8d0 | rn, rt << 12); }
  ldrb(rt: number, rn: number): void { this.ins(0xf890 | rn, rt << 12); }
  /** str rt, [rn], #4 */
  strPost4(rt: number, rn: number): void { this.ins(0xf840 | rn, (rt << 12) | 0xb04); }
  /** Burn exactly 2 + 2 * n instructions (n >= 1) with a subs/bne loop on r7; returns that count. */
  delay(n: number): number {
    this.mov32(7, n);
    const top = this.h.length;
    this.ins(0x1e7f); // subs r7, r7, #1
    const off = (top - (this.h.length + 2)) * 2; // bne top: offset from this instruction's PC + 4
    this.ins(0xd100 | ((off >> 1) & 0xff));
    this.insns += 2 * (n - 1);
    return 2 + 2 * n;
  }
  loopForever(): void { this.ins(0xe7fe); }
  bytes(): Uint8Array {
    const b = new Uint8Array(this.h.length * 2);
    this.h.forEach((v, i) => { b[2 * i] = v & 0xff; b[2 * i + 1] = v >> 8; });
    return b;
  }
}

type TimedOp = Op | { k: 'delay'; n: number };

const CODE = 0x100;
const LOG = 0x2000_0000;
const DONE = 0x2010_0000;

/**
 * Build the program: each access is `mov32 r1, addr; [mov32 r0, v; str] | [ldr; str r0, [r2], #4]`.
 * Returns the image and, per access, the number of instructions executed up to and including it.
 */
function buildProgram(ops: TimedOp[]): { image: Uint8Array; at: number[] } {
  const t = new Thumb();
  t.mov32(2, LOG);
  const at: number[] = [];
  for (const op of ops) {
    if (op.k === 'delay') { t.delay(op.n); continue; }
    t.mov32(1, op.addr);
    if (op.k === 'w') {
      t.mov32(0, op.v);
      if (op.size === 1) t.strb(0, 1); else t.str(0, 1);
      at.push(t.insns);
    } else {
      if (op.size === 1) t.ldrb(0, 1); else t.ldr(0, 1);
      at.push(t.insns);
      t.strPost4(0, 2);
    }
  }
  t.mov32(1, DONE);
  t.mov32(0, 1);
  t.str(0, 1);
  t.loopForever();
  const code = t.bytes();
  const image = new Uint8Array(CODE + code.length);
  const dv = new DataView(image.buffer);
  dv.setUint32(0, 0x2040_0000, true); // initial SP
  dv.setUint32(4, CODE | 1, true); // reset vector (Thumb)
  image.set(code, CODE);
  return { image, at };
}

/** Run `ops` as a guest on QEMU under `-icount shift=N`; returns the values read, in order. */
async function runOnQemu(board: string, ops: TimedOp[], shift: number): Promise<number[]> {
  const { image } = buildProgram(ops);
  const dir = mkdtempSync(join(tmpdir(), 'mps2-xc-'));
  const file = join(dir, 'prog.bin');
  writeFileSync(file, image);
  const q = new QTest([], { binary: QEMU_ARM, baseArgs: ['-M', board, '-display', 'none', '-nodefaults', '-icount', `shift=${shift},sleep=off`, '-kernel', file] });
  try {
    const deadline = Date.now() + 20_000;
    while ((await q.read(DONE, 4)) !== 1n) {
      if (Date.now() > deadline) throw new Error('guest did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    const n = ops.filter((o) => o.k === 'r').length;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(Number(await q.read(LOG + 4 * i, 4)));
    return out;
  } finally {
    q.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Replay `ops` on our models as QEMU's icount runs them: the access of the n-th instruction
 * (counting from 1) sees virtual time n << shift, and an event due during that instruction
 * (after (n - 1) << shift) fires only after it — QEMU runs a budget of whole instructions up to
 * the deadline, then the timers.
 */
function runOnModel(map: Mps2Map, ops: TimedOp[], shift: number): number[] {
  const { at } = buildProgram(ops);
  const m = model(map, shift);
  const out: number[] = [];
  let i = 0;
  for (const op of ops) {
    if (op.k === 'delay') continue;
    const n = at[i++]!;
    m.runTo((n - 1) * 2 ** shift);
    m.cpu.n = n;
    if (op.k === 'w') m.write(op.addr, op.size, op.v);
    else out.push(m.read(op.addr, op.size));
  }
  return out;
}

async function timed(map: Mps2Map, ops: TimedOp[], shift: number): Promise<void> {
  const want = await runOnQemu(map.board, ops, shift);
  const got = runOnModel(map, ops, shift);
  const reads = ops.filter((o): o is Op => o.k === 'r');
  if (process.env.MPS2_XC_DEBUG) {
    for (let i = 0; i < want.length; i++) console.log(i, show(reads[i]!), want[i]!.toString(16), got[i]!.toString(16));
  }
  for (let i = 0; i < want.length; i++) {
    assert.equal(`0x${got[i]!.toString(16)}`, `0x${want[i]!.toString(16)}`, `read ${i}: ${show(reads[i]!)}`);
  }
}

describe('mps2-an385: timers and FPGAIO counters in virtual time against QEMU 7.2 (-icount)', { skip }, () => {
  const map = MPS2_AN385;
  const T0 = 0x4000_0000, T1 = 0x4000_1000, DT = 0x4000_2000, F = 0x4002_8000;
  const r = (addr: number): Op => ({ k: 'r', addr, size: 4 });
  const w = (addr: number, v: number): Op => ({ k: 'w', addr, size: 4, v });
  const d = (n: number): TimedOp => ({ k: 'delay', n });

  test('CMSDK timer: VALUE, INTSTATUS and NVIC pending over periodic reloads, one-shot, stop/start, VALUE/RELOAD writes', async () => {
    const ops: TimedOp[] = [
      w(ICPR, 0xffff_ffff),
      w(T0 + 8, 50), w(T0, 9), r(T0 + 4), r(T0 + 4), r(T0 + 4), d(10), r(T0 + 4), r(T0 + 0xc), r(ISPR),
      d(20), r(T0 + 4), r(T0 + 0xc), r(ISPR), w(T0 + 0xc, 1), r(T0 + 0xc), w(ICPR, 0xffff_ffff),
      d(7), r(T0 + 4), d(1), r(T0 + 4), d(1), r(T0 + 4), d(1), r(T0 + 4), r(T0 + 0xc), r(ISPR),
      w(T0, 0), r(T0 + 4), d(100), r(T0 + 4), w(T0, 9), r(T0 + 4), d(3), r(T0 + 4),
      w(T0 + 4, 5), r(T0 + 4), d(3), r(T0 + 4), r(T0 + 0xc),
      w(T0 + 8, 0), r(T0 + 4), w(T0 + 4, 30), d(5), r(T0 + 4), d(30), r(T0 + 4), r(T0 + 0xc), r(ISPR), d(30), r(T0 + 4),
      w(T0 + 8, 1000), r(T0 + 4), d(40), r(T0 + 4),
      w(T1 + 8, 3), w(T1, 9), d(2), r(T1 + 4), d(2), r(T1 + 4), d(2), r(T1 + 4), r(T1 + 0xc), r(ISPR),
    ];
    await timed(map, ops, 4);
  });

  test('dual timer: free-running and periodic, 16/32-bit, prescale, one-shot, BGLOAD, LOAD while running', async () => {
    const ops: TimedOp[] = [
      w(ICPR, 0xffff_ffff),
      r(DT + 4), w(DT + 8, 0x80 | 0x20), d(5), r(DT + 4), d(50), r(DT + 4),
      w(DT, 0x30), r(DT + 4), d(30), r(DT + 4), r(DT + 0x10), r(DT + 0x14), r(ISPR), w(DT + 0xc, 0), r(DT + 0x10), w(ICPR, 0xffff_ffff),
      w(DT + 8, 0x80 | 0x40 | 0x20 | 0x2), w(DT, 40), r(DT + 4), d(25), r(DT + 4), r(DT + 0x10), d(25), r(DT + 4), r(DT + 0x10),
      w(DT + 0x18, 10), r(DT + 4), r(DT), d(30), r(DT + 4), d(30), r(DT + 4),
      w(DT, 20), r(DT + 4), d(20), r(DT + 4), d(20), r(DT + 4), d(20), r(DT + 4), r(DT + 8),
      w(DT + 8, 0x80 | 0x40 | 0x20 | 0x2 | 0x4), w(DT, 3), d(20), r(DT + 4), d(20), r(DT + 4), r(DT + 0x10),
      w(DT + 8, 0x80 | 0x40 | 0x20 | 0x2 | 0x1), w(DT + 0xc, 0), w(DT, 12), d(15), r(DT + 4), r(DT + 0x10), d(40), r(DT + 4),
      w(DT + 8, 0x80 | 0x20 | 0x2), r(DT + 4), d(10), r(DT + 4), w(DT + 8, 0x80 | 0x20), r(DT + 4), d(10), r(DT + 4),
      w(DT + 0x28, 0x80 | 0x40 | 0x20 | 0x2), w(DT + 0x20, 7), d(10), r(DT + 0x24), r(DT + 0x30), r(ISPR),
      w(DT + 0x28, 0), r(DT + 0x24), d(10), r(DT + 0x24),
    ];
    await timed(map, ops, 4);
  });

  test('FPGAIO: CLK1HZ, CLK100HZ, COUNTER and PSCNTR with and without a prescale, and writes to them', async () => {
    const ops: TimedOp[] = [
      r(F + 0x18), r(F + 0x20), r(F + 0x14), r(F + 0x10), d(500), r(F + 0x18), r(F + 0x20), r(F + 0x14),
      w(F + 0x1c, 7), r(F + 0x18), d(10), r(F + 0x18), r(F + 0x20), d(13), r(F + 0x18), r(F + 0x20),
      w(F + 0x20, 100), d(40), r(F + 0x20), r(F + 0x18), w(F + 0x18, 0xffff_fffe), d(200), r(F + 0x18), r(F + 0x20),
      w(F + 0x1c, 0), d(3), r(F + 0x18), r(F + 0x20),
      w(F + 0x14, 5), w(F + 0x10, 9), d(100_000), r(F + 0x14), r(F + 0x10), d(400_000), r(F + 0x14), r(F + 0x10),
    ];
    await timed(map, ops, 6);
  });

  test('600 random timer and dual-timer accesses at random instruction gaps (shift 3) read identically', async () => {
    const rnd = prng(0x3e2_0003);
    const ops: TimedOp[] = [w(ICPR, 0xffff_ffff)];
    const vals = [0, 1, 2, 3, 5, 10, 17, 40, 100, 0xffff, 0x1_0003, 0xffff_fffe];
    const dtOffs = [0, 4, 8, 0xc, 0x10, 0x14, 0x18, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38];
    for (let i = 0; i < 600; i++) {
      const x = rnd();
      if (x < 0.12) {
        ops.push(w(pick(rnd, [T0, T1]) + pick(rnd, [0, 4, 8, 0xc]), pick(rnd, vals)));
      } else if (x < 0.2) {
        ops.push(w(pick(rnd, [T0, T1]), int(rnd, 16)));
      } else if (x < 0.32) {
        const off = pick(rnd, dtOffs);
        ops.push(w(DT + off, (off & 0x1f) === 8 ? int(rnd, 0x100) : pick(rnd, vals)));
      } else if (x < 0.75) {
        ops.push(r(pick(rnd, [T0 + 4, T1 + 4, T0 + 0xc, T1 + 0xc, DT + 4, DT + 0x24, DT + 0x10, DT + 0x30, DT + 0x14, DT, DT + 0x20, DT + 8, DT + 0x28])));
      } else if (x < 0.8) {
        ops.push(r(ISPR));
      } else {
        ops.push(d(1 + int(rnd, rnd() < 0.8 ? 12 : 200)));
      }
    }
    await timed(map, ops, 3);
  });

  // (RESEN is left alone: after a second expiry it resets the board, and the guest with it)
  test('watchdog: counts from reset whatever INTEN says, RIS at expiry, INTCLR reloads, LOAD, lock', async () => {
    const WD = 0x4000_8000;
    const ops: TimedOp[] = [
      r(WD), r(WD + 4), d(10), r(WD + 4), r(WD + 8), r(WD + 0x10), r(WD + 0xc00),
      w(WD, 30), r(WD + 4), d(10), r(WD + 4), d(20), r(WD + 4), r(WD + 0x10), r(WD + 0x14), d(40), r(WD + 4), r(WD + 0x10),
      w(WD + 0xc, 0), r(WD + 4), r(WD + 0x10), d(5), r(WD + 4),
      w(WD + 8, 1), r(WD + 8), r(WD + 0x14), w(WD + 8, 0), r(WD + 4), d(5), r(WD + 4),
      w(WD + 0xc00, 0), r(WD + 0xc00), w(WD, 1000), r(WD), r(WD + 4), w(WD + 0xc00, 0x1acc_e551), r(WD + 0xc00), w(WD, 1000), r(WD), r(WD + 4),
      d(10), r(WD + 4), w(WD + 0xf00, 1), r(WD + 0xf00), w(WD + 0xf00, 0), r(WD + 0xf04),
    ];
    await timed(map, ops, 4);
  });

  test('500 random FPGAIO counter and watchdog accesses at random instruction gaps (shift 5) read identically', async () => {
    const rnd = prng(0x3e2_0006);
    const WD = 0x4000_8000;
    const ops: TimedOp[] = [];
    for (let i = 0; i < 500; i++) {
      const x = rnd();
      if (x < 0.1) ops.push(w(F + pick(rnd, [0x10, 0x14, 0x18, 0x1c, 0x20]), pick(rnd, [0, 1, 2, 3, 7, 100, 24_999, 0xffff_fffe])));
      else if (x < 0.2) ops.push(w(WD + pick(rnd, [0, 0, 0xc]), pick(rnd, [1, 5, 20, 100, 1000])));
      else if (x < 0.25) ops.push(w(WD + 0xc00, pick(rnd, [0, 0x1acc_e551, 0x1acc_e551])));
      else if (x < 0.8) ops.push(r(pick(rnd, [F + 0x10, F + 0x14, F + 0x18, F + 0x1c, F + 0x20, WD, WD + 4, WD + 0x10, WD + 0xc00])));
      else ops.push(d(1 + int(rnd, rnd() < 0.8 ? 20 : 3000)));
    }
    await timed(map, ops, 5);
  });
});
