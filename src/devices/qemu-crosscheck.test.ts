/**
 * Live cross-checks of the `virt` device models against QEMU 7.2 through qtest: the same access
 * sequences (fixed ones and seeded random ones) go to QEMU's devices and to ours, and every value
 * read and every interrupt level must match. Skipped when qemu-system-riscv64 7.2 is not
 * installed (the unit tests beside each device carry the same facts without QEMU).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { IrqPin } from '../core/irq.js';
import { CfiFlash, VIRT_FLASH_BANKS } from './cfi-flash.js';
import { GoldfishRtc, GoldfishRtcReg, VIRT_RTC_BASE } from './goldfish-rtc.js';
import { PcieGpex } from './pcie-gpex.js';
import { Plic, PlicLayout, VIRT_PLIC_BASE } from './plic.js';
import { VIRT_VIRTIO_COUNT, VirtioMmio, virtVirtioBase } from './virtio-mmio.js';
import { QOM, QTest, prng, qemuAvailable, type AccessSize } from './test-support/qtest.js';

const skip = qemuAvailable() ? false : 'qemu-system-riscv64 7.2 is not installed';
const RTC_BASE_S = 1577934245n; // 2020-01-02T03:04:05Z

/** Our devices on a bus at the `virt` addresses, with a hand-driven virtual clock. */
function model() {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock(0);
  clock.addSource(cpu);
  const bus = new Bus();
  const plicOut = [new IrqPin(), new IrqPin()]; // context 0 = M, context 1 = S
  const plic = new Plic({ outputs: plicOut });
  plic.map(bus);
  const rtcIrq = new IrqPin();
  const rtc = new GoldfishRtc({ clock, irq: rtcIrq, epochNs: RTC_BASE_S * 1_000_000_000n });
  rtc.map(bus);
  const flash = VIRT_FLASH_BANKS.map((b) => new CfiFlash({ name: b.name }));
  flash.forEach((f, i) => f.map(bus, VIRT_FLASH_BANKS[i]!.base));
  const pci = new PcieGpex();
  pci.map(bus);
  for (let i = 0; i < VIRT_VIRTIO_COUNT; i++) new VirtioMmio().map(bus, virtVirtioBase(i));
  const read = (addr: number, size: AccessSize): bigint => {
    bus.error = 0;
    const lo = bus.read(addr, size);
    return size === 8 ? (BigInt(bus.hi32 >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
  };
  const write = (addr: number, size: AccessSize, v: bigint): void => {
    bus.error = 0;
    bus.write(addr, size, Number(v & 0xffff_ffffn), Number((v >> 32n) & 0xffff_ffffn));
  };
  return { cpu, clock, bus, plic, plicOut, rtc, rtcIrq, flash, pci, read, write };
}

type Model = ReturnType<typeof model>;
type Op =
  | { k: 'r'; addr: number; size: AccessSize }
  | { k: 'w'; addr: number; size: AccessSize; v: bigint }
  | { k: 'irq'; n: number; level: number };

/** Apply `ops` to QEMU and to the model, comparing each read and the interrupt levels after each op. */
async function compare(q: QTest, m: Model, ops: Op[], levels?: () => [qemu: boolean[], ours: boolean[]]): Promise<void> {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const where = `op ${i} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : typeof v === 'number' && v > 255 ? `0x${v.toString(16)}` : v))}`;
    if (op.k === 'r') {
      const want = await q.read(op.addr, op.size);
      assert.equal(`0x${m.read(op.addr, op.size).toString(16)}`, `0x${want.toString(16)}`, where);
    } else if (op.k === 'w') {
      await q.write(op.addr, op.size, op.v);
      m.write(op.addr, op.size, op.v);
    } else {
      await q.setIrqIn(QOM.PLIC, op.n, op.level);
      m.plic.source(op.n).set(op.level !== 0);
    }
    if (levels) {
      const [want, got] = levels();
      assert.deepEqual(got, want, `interrupt levels after ${where}`);
    }
  }
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

describe('cross-check against QEMU 7.2 (qtest)', { skip }, () => {
  let q: QTest;
  let m: Model;
  before(async () => {
    q = new QTest(['-rtc', 'clock=vm,base=2020-01-02T03:04:05']);
    await q.interceptOut(QOM.PLIC);
    m = model();
  });
  after(() => q?.close());

  // QEMU's PLIC GPIO outputs: 0 = hart 0 S-mode, 1 = hart 0 M-mode. Ours: context 0 = M, 1 = S.
  const plicLevels = (): [boolean[], boolean[]] => [
    [q.irqLevels.get(1) ?? false, q.irqLevels.get(0) ?? false],
    [m.plicOut[0]!.level, m.plicOut[1]!.level],
  ];

  test('PLIC: 3000 random register accesses and source edges read and interrupt identically', async () => {
    const rnd = prng(0x5eed_0001);
    const P = VIRT_PLIC_BASE;
    const ctxBase = (c: number) => P + PlicLayout.CONTEXT_BASE + c * PlicLayout.CONTEXT_STRIDE;
    const enBase = (c: number) => P + PlicLayout.ENABLE_BASE + c * PlicLayout.ENABLE_STRIDE;
    const ops: Op[] = [];
    const sources = [1, 2, 3, 4, 5, 10, 11, 31, 32, 33, 35, 63, 64, 65, 95];
    for (let i = 0; i < 3000; i++) {
      const r = rnd();
      if (r < 0.12) {
        // priority of a source (or the edges of the window), legal or not
        const off = pick(rnd, [0, 0x180, 0x184, ...sources.map((s) => 4 * s)]);
        ops.push({ k: 'w', addr: P + off, size: 4, v: BigInt(pick(rnd, [0, 1, 2, 3, 5, 7, 8, 9, 15, 0xffff_ffff])) });
      } else if (r < 0.2) {
        const bits = sources.filter(() => rnd() < 0.5).reduce((a, s) => a | (1n << BigInt(s)), 0n);
        const word = int(rnd, 4);
        ops.push({ k: 'w', addr: enBase(int(rnd, 2)) + 4 * word, size: 4, v: (bits >> BigInt(32 * word)) & 0xffff_ffffn });
      } else if (r < 0.26) {
        ops.push({ k: 'w', addr: ctxBase(int(rnd, 2)), size: 4, v: BigInt(pick(rnd, [0, 0, 1, 2, 3, 6, 7, 8, 9])) });
      } else if (r < 0.5) {
        ops.push({ k: 'irq', n: pick(rnd, sources), level: rnd() < 0.6 ? 1 : 0 });
      } else if (r < 0.62) {
        ops.push({ k: 'r', addr: ctxBase(int(rnd, 2)) + 4, size: 4 }); // claim
      } else if (r < 0.72) {
        ops.push({ k: 'w', addr: ctxBase(int(rnd, 2)) + 4, size: 4, v: BigInt(pick(rnd, [...sources, 0, 96, 97, 200])) });
      } else {
        const addr = pick(rnd, [
          P, P + 4, P + 0x180, P + 0x184, P + 4 * pick(rnd, sources),
          P + 0x1000, P + 0x1004, P + 0x1008, P + 0x100c, P + 0x1010,
          enBase(0), enBase(0) + 8, enBase(0) + 0xc, enBase(1) + 4, enBase(2),
          ctxBase(0), ctxBase(1), ctxBase(0) + 8, ctxBase(2), P + 0x5ffffc,
        ]);
        ops.push({ k: 'r', addr, size: pick(rnd, [4, 4, 4, 1, 2] as const) });
      }
    }
    await compare(q, m, ops, plicLevels);
  });

  test('Goldfish RTC: time, alarm and interrupt registers read identically (virtual time stopped)', async () => {
    const R = VIRT_RTC_BASE;
    const reg = GoldfishRtcReg;
    const nowNs = RTC_BASE_S * 1_000_000_000n;
    const ops: Op[] = [
      { k: 'r', addr: R + reg.TIME_HIGH, size: 4 },
      { k: 'r', addr: R + reg.TIME_LOW, size: 4 },
      { k: 'r', addr: R + reg.TIME_HIGH, size: 4 },
      { k: 'r', addr: R + reg.TIME_LOW, size: 8 },
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 },
      // an alarm in the future arms; one at or before now fires at once
      { k: 'w', addr: R + reg.ALARM_HIGH, size: 4, v: (nowNs + 5_000_000_000n) >> 32n },
      { k: 'w', addr: R + reg.ALARM_LOW, size: 4, v: (nowNs + 5_000_000_000n) & 0xffff_ffffn },
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 },
      { k: 'r', addr: R + reg.ALARM_LOW, size: 4 },
      { k: 'r', addr: R + reg.ALARM_HIGH, size: 4 },
      { k: 'w', addr: R + reg.CLEAR_ALARM, size: 4, v: 1n },
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 },
      { k: 'w', addr: R + reg.ALARM_LOW, size: 4, v: 0n }, // high half still in the future
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 },
      { k: 'w', addr: R + reg.ALARM_HIGH, size: 4, v: 0n },
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 }, // ALARM_HIGH alone does not re-arm
      { k: 'w', addr: R + reg.ALARM_LOW, size: 4, v: 5n }, // in the past: fires now
      { k: 'r', addr: R + reg.ALARM_STATUS, size: 4 },
      { k: 'w', addr: R + reg.IRQ_ENABLED, size: 4, v: 3n },
      { k: 'r', addr: R + reg.IRQ_ENABLED, size: 4 },
      { k: 'w', addr: R + reg.CLEAR_INTERRUPT, size: 4, v: 0n },
      { k: 'w', addr: R + reg.IRQ_ENABLED, size: 4, v: 0n },
      // moving the clock
      { k: 'w', addr: R + reg.TIME_HIGH, size: 4, v: 0x1234n },
      { k: 'r', addr: R + reg.TIME_LOW, size: 4 },
      { k: 'r', addr: R + reg.TIME_HIGH, size: 4 },
      { k: 'w', addr: R + reg.TIME_LOW, size: 4, v: 0xdead_beefn },
      { k: 'r', addr: R + reg.TIME_LOW, size: 4 },
      { k: 'r', addr: R + reg.TIME_HIGH, size: 4 },
      // invalid sizes and the rest of the window
      { k: 'r', addr: R + reg.TIME_LOW, size: 1 },
      { k: 'r', addr: R + reg.IRQ_ENABLED, size: 2 },
      { k: 'r', addr: R + reg.CLEAR_ALARM, size: 4 },
      { k: 'r', addr: R + 0x20, size: 4 },
      { k: 'r', addr: R + 0x24, size: 4 },
      { k: 'r', addr: R + 0xffc, size: 4 },
    ];
    await compare(q, m, ops);
  });

  test('CFI flash: the query table, ids and status read identically in both banks', async () => {
    const ops: Op[] = [];
    for (const { base } of VIRT_FLASH_BANKS) {
      ops.push({ k: 'r', addr: base, size: 4 });
      ops.push({ k: 'w', addr: base + 0x55 * 4, size: 4, v: 0x98n });
      for (let off = 0; off < 0x60 * 4; off += 4) ops.push({ k: 'r', addr: base + off, size: 4 });
      for (let off = 0x40; off < 0x50; off++) ops.push({ k: 'r', addr: base + off, size: 1 });
      for (let off = 0x40; off < 0x50; off += 2) ops.push({ k: 'r', addr: base + off, size: 2 });
      ops.push({ k: 'r', addr: base + 0x40, size: 8 });
      ops.push({ k: 'w', addr: base, size: 4, v: 0xf0n });
      ops.push({ k: 'w', addr: base, size: 4, v: 0x90n });
      for (const off of [0, 4, 8, 0xc, 0x400, 0x404, 0x1_0000, 0x1_0004, 0x3fc]) ops.push({ k: 'r', addr: base + off, size: 4 });
      ops.push({ k: 'r', addr: base + 4, size: 2 });
      ops.push({ k: 'w', addr: base, size: 2, v: 0x70n });
      ops.push({ k: 'r', addr: base, size: 4 }, { k: 'r', addr: base, size: 2 }, { k: 'r', addr: base + 0x123, size: 1 });
      ops.push({ k: 'w', addr: base, size: 1, v: 0xffn });
      ops.push({ k: 'r', addr: base, size: 4 });
    }
    await compare(q, m, ops);
  });

  test('CFI flash: 2500 random command sequences program, erase and read identically', async () => {
    const rnd = prng(0x5eed_0002);
    const ops: Op[] = [];
    const cmds = [0x00, 0x10, 0x20, 0x28, 0x40, 0x50, 0x60, 0x70, 0x90, 0x98, 0xd0, 0xe8, 0xf0, 0xff, 0x01, 0x41, 0x1ff];
    const offsets = () => pick(rnd, [0, 4, 8, 0x3c, 0x40, 0x100, 0xffc, 0x1000, 0x1004, 0x3fffc, 0x40000, 0x40004, 0x1fffffc]) + pick(rnd, [0, 0, 0, 1, 2]);
    for (let i = 0; i < 2500; i++) {
      const base = pick(rnd, VIRT_FLASH_BANKS).base;
      const r = rnd();
      if (r < 0.35) {
        const c = pick(rnd, cmds);
        ops.push({ k: 'w', addr: base + (offsets() & ~3), size: 4, v: BigInt(c) | (rnd() < 0.3 ? BigInt(c) << 16n : 0n) });
      } else if (r < 0.55) {
        const size = pick(rnd, [1, 2, 4, 4, 8] as const);
        const addr = base + (offsets() & ~(size - 1));
        const v = BigInt(int(rnd, 2 ** 32)) | (size === 8 ? BigInt(int(rnd, 2 ** 32)) << 32n : 0n);
        ops.push({ k: 'w', addr, size, v: size === 8 ? v : v & ((1n << BigInt(8 * size)) - 1n) });
      } else {
        const size = pick(rnd, [1, 2, 4, 4, 8] as const);
        ops.push({ k: 'r', addr: base + (offsets() & ~(size - 1)), size });
      }
    }
    // back to read-array mode and compare the bytes the sequence could have touched
    for (const { base } of VIRT_FLASH_BANKS) {
      ops.push({ k: 'w', addr: base, size: 4, v: 0xffn });
      for (const off of [0, 0x40, 0x100, 0xff8, 0x1000, 0x3fff8, 0x40000, 0x1fffff8]) ops.push({ k: 'r', addr: base + off, size: 8 });
    }
    await compare(q, m, ops);
  });

  test('PCIe: ECAM config space of 00:00.0, absent functions and the unassigned windows read identically', async () => {
    const rnd = prng(0x5eed_0003);
    const E = 0x3000_0000;
    const ops: Op[] = [];
    for (let off = 0; off < 0x104; off += 4) ops.push({ k: 'r', addr: E + off, size: 4 });
    for (let i = 0; i < 1500; i++) {
      const fn = rnd() < 0.7 ? 0 : pick(rnd, [1, 8, 0xff, 0x100, 0x1000, 0xff00, 0xfff]);
      const size = pick(rnd, [1, 2, 4, 8] as const);
      const reg = int(rnd, 0x110) & ~(size - 1);
      const addr = E + fn * 0x1000 + (rnd() < 0.05 ? 0xffc & ~(size - 1) : reg);
      if (rnd() < 0.4) {
        const v = BigInt(int(rnd, 2 ** 32)) | (size === 8 ? BigInt(int(rnd, 2 ** 32)) << 32n : 0n);
        ops.push({ k: 'w', addr, size, v: size === 8 ? v : v & ((1n << BigInt(8 * size)) - 1n) });
      } else {
        ops.push({ k: 'r', addr, size });
      }
    }
    for (const addr of [0x0300_0000, 0x0300_fff8, 0x4000_0000, 0x7fff_fff8, 0x4_0000_0000, 0x7_ffff_fff8]) {
      ops.push({ k: 'w', addr, size: 4, v: 0x1234n });
      for (const size of [1, 2, 4, 8] as const) ops.push({ k: 'r', addr, size });
    }
    await compare(q, m, ops);
  });

  test('virtio-mmio: all eight empty transports read identically at every offset and size', async () => {
    const ops: Op[] = [];
    for (let i = 0; i < VIRT_VIRTIO_COUNT; i++) {
      const b = virtVirtioBase(i);
      ops.push({ k: 'w', addr: b + 0x70, size: 4, v: 0xffn }, { k: 'w', addr: b + 0x30, size: 4, v: 1n });
      for (let off = 0; off < 0x200; off += 4) ops.push({ k: 'r', addr: b + off, size: 4 });
      for (const off of [0, 1, 2, 3, 4, 0xc, 0xd]) ops.push({ k: 'r', addr: b + off, size: 1 });
      for (const off of [0, 2, 4, 0xc, 0xe]) ops.push({ k: 'r', addr: b + off, size: 2 });
      ops.push({ k: 'r', addr: b, size: 8 }, { k: 'r', addr: b + 8, size: 8 }, { k: 'r', addr: b + 0x200, size: 4 });
    }
    await compare(q, m, ops);
  });
});
