import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BusError } from '../core/bus.js';
import { IrqPin } from '../core/irq.js';
import { Plic, PlicLayout, VIRT_PLIC_BASE, VIRT_PLIC_SIZE, VirtIrq } from './plic.js';

const P = VIRT_PLIC_BASE;
const prio = (n: number) => P + PlicLayout.PRIORITY_BASE + 4 * (n - 1);
const pending = (w: number) => P + PlicLayout.PENDING_BASE + 4 * w;
const enable = (ctx: number, w: number) => P + PlicLayout.ENABLE_BASE + ctx * PlicLayout.ENABLE_STRIDE + 4 * w;
const threshold = (ctx: number) => P + PlicLayout.CONTEXT_BASE + ctx * PlicLayout.CONTEXT_STRIDE;
const claim = (ctx: number) => threshold(ctx) + 4;

/** A `virt` PLIC (one hart unless told) on a bus, with logged output lines. */
function rig(numHarts = 1) {
  const logs: boolean[][] = [];
  const outputs = Array.from({ length: 2 * numHarts }, (_, c) => {
    logs.push([]);
    return new IrqPin((l) => logs[c]!.push(l));
  });
  const plic = new Plic({ numHarts, outputs });
  const bus = new Bus();
  plic.map(bus);
  const rd = (a: number) => { bus.error = 0; const v = bus.read(a, 4); assert.equal(bus.error, 0); return v; };
  const wr = (a: number, v: number) => { bus.error = 0; bus.write(a, 4, v); assert.equal(bus.error, 0); };
  const clearLogs = () => logs.forEach((l) => (l.length = 0));
  return { plic, bus, outputs, logs, rd, wr, clearLogs };
}

test('claim returns the highest-priority enabled pending source and clears its pending bit', () => {
  const r = rig();
  r.wr(prio(3), 2);
  r.wr(prio(10), 5);
  r.wr(prio(40), 4);
  r.wr(enable(0, 0), (1 << 3) | (1 << 10));
  r.wr(enable(0, 1), 1 << (40 - 32));
  for (const n of [3, 10, 40]) r.plic.source(n).set(true);
  assert.equal(r.rd(pending(0)), (1 << 3) | (1 << 10));
  assert.equal(r.rd(pending(1)), 1 << 8);
  assert.equal(r.outputs[0]!.level, true, 'M context line raised');
  assert.equal(r.rd(claim(0)), 10);
  assert.equal(r.rd(pending(0)), 1 << 3);
  assert.equal(r.plic.isClaimed(10), true);
  assert.equal(r.rd(claim(0)), 40);
  assert.equal(r.rd(claim(0)), 3);
  assert.equal(r.rd(claim(0)), 0);
  assert.equal(r.outputs[0]!.level, false);
});

test('ties go to the lowest source number, and a source needs a priority strictly above the threshold', () => {
  const r = rig();
  for (const n of [7, 5, 6]) { r.wr(prio(n), 3); r.plic.source(n).set(true); }
  r.wr(enable(0, 0), 0xe0);
  r.wr(threshold(0), 3);
  assert.equal(r.plic.bestPending(0), 0);
  assert.equal(r.outputs[0]!.level, false);
  assert.equal(r.rd(claim(0)), 0);
  r.wr(threshold(0), 2);
  assert.equal(r.outputs[0]!.level, true);
  assert.equal(r.rd(claim(0)), 5);
});

test('a claimed source is not offered again until completed, though driving its line re-latches pending', () => {
  const r = rig();
  r.wr(prio(VirtIrq.UART0), 1);
  r.wr(enable(0, 0), 1 << VirtIrq.UART0);
  const uart = r.plic.source(VirtIrq.UART0);
  uart.set(true);
  assert.equal(r.rd(claim(0)), VirtIrq.UART0);
  uart.set(true); // the UART re-drives its still-high line
  assert.equal(r.rd(pending(0)), 1 << VirtIrq.UART0, 'pending latched again');
  assert.equal(r.outputs[0]!.level, false, 'but not offered while claimed');
  assert.equal(r.rd(claim(0)), 0);
  r.wr(claim(0), VirtIrq.UART0); // complete
  assert.equal(r.outputs[0]!.level, true);
  assert.equal(r.rd(claim(0)), VirtIrq.UART0);
});

test('driving a source low does not clear its pending bit: QEMU 7.2 latches until claimed', () => {
  const r = rig();
  r.wr(prio(VirtIrq.RTC), 1);
  r.wr(enable(1, 0), 1 << VirtIrq.RTC);
  r.plic.source(VirtIrq.RTC).set(true);
  r.plic.source(VirtIrq.RTC).set(false);
  assert.equal(r.plic.isPending(VirtIrq.RTC), true);
  assert.equal(r.outputs[1]!.level, true, 'S context still raised');
  assert.equal(r.rd(claim(1)), VirtIrq.RTC);
  assert.equal(r.plic.isPending(VirtIrq.RTC), false);
});

test('completion clears the claim whatever the enable bits and whichever context claimed it', () => {
  const r = rig();
  r.wr(prio(4), 1);
  r.wr(enable(0, 0), 1 << 4);
  r.plic.source(4).set(true);
  assert.equal(r.rd(claim(0)), 4);
  r.wr(enable(0, 0), 0);
  r.wr(claim(1), 4); // completed by the S context, source not enabled anywhere
  assert.equal(r.plic.isClaimed(4), false);
});

test('a completion of an id of 96 or more is ignored', () => {
  const r = rig();
  r.wr(prio(95), 1);
  r.wr(enable(0, 2), 1 << 31);
  r.plic.source(95).set(true);
  assert.equal(r.rd(claim(0)), 95);
  r.wr(claim(0), 95 + 32); // 127 & 31 = 31: would hit source 95's bit if not range-checked
  assert.equal(r.plic.isClaimed(95), true);
  r.wr(claim(0), 95);
  assert.equal(r.plic.isClaimed(95), false);
});

test('priorities and thresholds are WARL: a write stores the value modulo 8', () => {
  const r = rig();
  r.wr(prio(1), 0xf);
  assert.equal(r.rd(prio(1)), 7);
  r.wr(prio(1), 8);
  assert.equal(r.rd(prio(1)), 0);
  r.wr(prio(2), 0xffff_ffff);
  assert.equal(r.rd(prio(2)), 7);
  r.wr(threshold(0), 9);
  assert.equal(r.rd(threshold(0)), 1);
});

test('priority n sits at 0x4 * n: offset 0 reads 0, 0x180 (source 96) is storage, 0x184 is outside', () => {
  const r = rig();
  r.wr(P, 3);
  assert.equal(r.rd(P), 0);
  r.wr(P + 0x17c, 5);
  assert.equal(r.rd(P + 0x17c), 5, 'source 95');
  r.wr(P + 0x180, 6);
  assert.equal(r.rd(P + 0x180), 6, 'one past the array: QEMU stores it');
  r.wr(P + 0x184, 7);
  assert.equal(r.rd(P + 0x184), 0);
});

test('the pending array is 12 bytes of read-only bits', () => {
  const r = rig();
  r.wr(prio(33), 1);
  r.plic.source(33).set(true);
  r.wr(pending(1), 0);
  assert.equal(r.rd(pending(1)), 2);
  assert.equal(r.rd(pending(3)), 0, '0x100c is past the array');
});

test('enable words past the last source word read 0 and ignore writes', () => {
  const r = rig();
  r.wr(enable(0, 2), 0xffff_ffff);
  r.wr(enable(0, 3), 0xffff_ffff);
  assert.equal(r.rd(enable(0, 2)), 0xffff_ffff);
  assert.equal(r.rd(enable(0, 3)), 0);
  assert.equal(r.rd(enable(1, 0)), 0, 'other context untouched');
});

test('an enable write does not re-evaluate the outputs: the line follows at the next event', () => {
  const r = rig();
  r.wr(prio(2), 1);
  r.plic.source(2).set(true);
  r.wr(enable(0, 0), 1 << 2);
  assert.equal(r.outputs[0]!.level, false, 'QEMU 7.2 does not update on enable writes');
  r.wr(threshold(0), 0); // any update
  assert.equal(r.outputs[0]!.level, true);
  r.wr(enable(0, 0), 0);
  assert.equal(r.outputs[0]!.level, true, 'stays up after disabling too');
  assert.equal(r.rd(claim(0)), 0, 'but a claim finds nothing, and lowers it');
  assert.equal(r.outputs[0]!.level, false);
});

test('context 2h drives hart h M-mode, 2h+1 its S-mode; every update drives every context', () => {
  const r = rig(2);
  assert.deepEqual(r.plic.contexts, [
    { hart: 0, mode: 'M' }, { hart: 0, mode: 'S' }, { hart: 1, mode: 'M' }, { hart: 1, mode: 'S' },
  ]);
  assert.equal(r.plic.contextOf(1, 'S'), 3);
  r.clearLogs();
  r.wr(prio(1), 1);
  r.wr(enable(3, 0), 2);
  r.plic.source(1).set(true);
  assert.deepEqual(r.logs, [[false, false], [false, false], [false, false], [false, true]]);
  assert.equal(r.rd(claim(3)), 1);
  assert.equal(r.outputs[3]!.level, false);
});

test('contexts beyond the hart config read 0 and ignore writes', () => {
  const r = rig(1);
  r.wr(threshold(2), 5);
  assert.equal(r.rd(threshold(2)), 0);
  r.wr(enable(2, 0), 0xffff_ffff);
  assert.equal(r.rd(enable(2, 0)), 0);
  assert.equal(r.rd(P + VIRT_PLIC_SIZE - 4), 0);
});

test('only 4-byte accesses are valid: byte and halfword accesses fault, as on QEMU', () => {
  const r = rig();
  r.bus.error = 0;
  r.bus.read(prio(1), 1);
  assert.equal(r.bus.error, BusError.Unmapped);
  r.bus.error = 0;
  r.bus.write(prio(1), 2, 3);
  assert.equal(r.bus.error, BusError.Unmapped);
  assert.equal(r.rd(prio(1)), 0);
  r.bus.error = 0;
  r.bus.read(P + VIRT_PLIC_SIZE, 4);
  assert.equal(r.bus.error, BusError.Unmapped, 'nothing past the 0x600000 aperture');
});

test('reset clears every register and lowers M then S of each hart', () => {
  const r = rig();
  r.wr(prio(1), 1);
  r.wr(enable(0, 0), 2);
  r.plic.source(1).set(true);
  assert.equal(r.outputs[0]!.level, true);
  r.clearLogs();
  r.plic.reset();
  assert.deepEqual(r.logs, [[false], [false]]);
  assert.equal(r.rd(prio(1)), 0);
  assert.equal(r.rd(enable(0, 0)), 0);
  assert.equal(r.rd(pending(0)), 0);
});

test('a bad hart config or source number is rejected', () => {
  assert.throws(() => new Plic({ hartConfig: 'MX' }), /invalid mode/);
  assert.throws(() => new Plic({ hartConfig: 'MM' }), /duplicate/);
  assert.throws(() => new Plic().source(96), /no source 96/);
  assert.throws(() => new Plic({ outputs: [new IrqPin()] }), /1 output lines for 2 contexts/);
});
