import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { timeRig } from './test-support/virtual-time.js';
import { CmsdkApbTimer, CmsdkTimerCtrl as C, CmsdkTimerReg as R } from './cmsdk-apb-timer.js';

function rig() {
  const t = timeRig();
  const log: [number, boolean][] = [];
  const irq = new IrqPin((l) => log.push([t.clock.nowNs(), l]));
  const timer = new CmsdkApbTimer({ clock: t.clock, irq });
  const rd = (off: number) => timer.read(off, 4);
  const wr = (off: number, v: number) => timer.write(off, 4, v);
  return { ...t, timer, irq, log, rd, wr };
}

test('reset: stopped, every register 0; the ID registers identify a CMSDK timer', () => {
  const r = rig();
  assert.deepEqual([r.rd(R.CTRL), r.rd(R.VALUE), r.rd(R.RELOAD), r.rd(R.INTSTATUS)], [0, 0, 0, 0]);
  const ids = [];
  for (let off = 0xfd0; off <= 0xffc; off += 4) ids.push(r.rd(off));
  assert.deepEqual(ids, [0x04, 0, 0, 0, 0x22, 0xb8, 0x1b, 0, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.equal(r.timer.timer.deadline, Infinity);
});

test('counts down at 25 MHz (40 ns per count) from RELOAD; VALUE is computed from virtual time', () => {
  const r = rig();
  r.wr(R.RELOAD, 1000);
  r.wr(R.CTRL, C.EN);
  assert.equal(r.rd(R.VALUE), 1000);
  r.runTo(40 * 250);
  assert.equal(r.rd(R.VALUE), 751, 'QEMU rounds the count up: it moves on 1 ns after each period');
  r.runTo(40 * 250 + 1);
  assert.equal(r.rd(R.VALUE), 750);
  r.runTo(40 * 251 + 1);
  assert.equal(r.rd(R.VALUE), 749);
});

test('the interrupt comes at the 1 -> 0 transition; then the counter holds 0 one period and reloads: period RELOAD + 1', () => {
  const r = rig();
  r.wr(R.RELOAD, 100);
  r.wr(R.CTRL, C.EN | C.IRQEN);
  r.runTo(40 * 100 - 1);
  assert.equal(r.rd(R.INTSTATUS), 0);
  assert.equal(r.timer.timer.deadline, 4000, 'one event armed for the underflow');
  r.runTo(4000);
  assert.equal(r.rd(R.INTSTATUS), 1);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.VALUE), 0, 'holds 0 right after the underflow');
  r.runTo(4040);
  assert.equal(r.rd(R.VALUE), 0, 'through the whole period');
  r.runTo(4041);
  assert.equal(r.rd(R.VALUE), 100, 'reloaded one period later');
  r.wr(R.INTCLEAR, 1);
  assert.equal(r.irq.level, false);
  r.runTo(4000 + 101 * 40 - 1);
  assert.equal(r.rd(R.INTSTATUS), 0);
  r.runTo(4000 + 101 * 40);
  assert.equal(r.rd(R.INTSTATUS), 1);
  assert.equal(r.timer.timer.deadline, 4000 + 2 * 101 * 40);
});

test('one event per underflow, never a tick: 1000 periods cost 1000 events', () => {
  const r = rig();
  r.wr(R.RELOAD, 24_999); // 1 ms
  r.wr(R.CTRL, C.EN | C.IRQEN);
  r.runTo(1_000_000_000); // one second
  assert.equal(r.fires(), 1000);
});

test('without IRQEN the underflow latches nothing', () => {
  const r = rig();
  r.wr(R.RELOAD, 10);
  r.wr(R.CTRL, C.EN);
  r.runTo(10_000);
  assert.equal(r.rd(R.INTSTATUS), 0);
  assert.equal(r.log.length, 0, 'the line is not even driven');
});

test('RELOAD = 0 makes a one-shot: counts VALUE down to 0 once and stops', () => {
  const r = rig();
  r.wr(R.VALUE, 50);
  r.wr(R.CTRL, C.EN | C.IRQEN);
  r.runTo(50 * 40);
  assert.equal(r.rd(R.INTSTATUS), 1);
  assert.equal(r.rd(R.VALUE), 0);
  assert.equal(r.timer.timer.deadline, Infinity);
  r.runTo(1_000_000);
  assert.equal(r.rd(R.VALUE), 0);
});

test('clearing EN freezes VALUE; setting it again continues from there', () => {
  const r = rig();
  r.wr(R.RELOAD, 1000);
  r.wr(R.CTRL, C.EN);
  r.runTo(40 * 300 + 1);
  r.wr(R.CTRL, 0);
  const v = r.rd(R.VALUE);
  assert.equal(v, 700);
  r.runTo(1_000_000);
  assert.equal(r.rd(R.VALUE), v);
  r.wr(R.CTRL, C.EN);
  r.runTo(1_000_000 + 40 * 100 + 1);
  assert.equal(r.rd(R.VALUE), v - 100);
});

test('writing VALUE restarts the count from it; writing RELOAD sets both', () => {
  const r = rig();
  r.wr(R.RELOAD, 1000);
  r.wr(R.CTRL, C.EN | C.IRQEN);
  r.runTo(4000);
  r.wr(R.VALUE, 10);
  assert.equal(r.rd(R.VALUE), 10);
  assert.equal(r.rd(R.RELOAD), 1000);
  r.runTo(4000 + 400);
  assert.equal(r.rd(R.INTSTATUS), 1);
  r.wr(R.RELOAD, 77);
  assert.equal(r.rd(R.VALUE), 77);
  assert.equal(r.rd(R.RELOAD), 77);
});

test('CTRL keeps 4 bits (EXTIN bits read back but do nothing); INTCLEAR only clears bit 0', () => {
  const r = rig();
  r.wr(R.CTRL, 0xfff6);
  assert.equal(r.rd(R.CTRL), 0x6);
  r.wr(R.INTCLEAR, 0xfffe);
  r.wr(0xfe0, 5);
  assert.equal(r.rd(0xfe0), 0x22);
  assert.equal(r.rd(0x10), 0);
});

test('time is virtual ns: under an icount shift of 3 a count lasts 5 instructions', () => {
  const t = timeRig(3);
  const timer = new CmsdkApbTimer({ clock: t.clock });
  timer.write(R.RELOAD, 4, 1000);
  timer.write(R.CTRL, 4, C.EN);
  t.cpu.n = 501; // 4008 ns: 100 counts and a bit
  assert.equal(timer.read(R.VALUE, 4), 900);
});

test('a PCLK that does not divide 1 GHz keeps QEMU\'s fractional period (7 MHz: 142.857... ns per count)', () => {
  const t = timeRig();
  const timer = new CmsdkApbTimer({ clock: t.clock, pclkHz: 7_000_000 });
  timer.write(R.RELOAD, 4, 7_000_000); // one second
  timer.write(R.CTRL, 4, C.EN | C.IRQEN);
  // next = 7e6 * 142 + floor(frac * 7e6 / 2^32), frac = (1e9 << 32) / 7e6 - (142 << 32)
  const raw = (1_000_000_000n << 32n) / 7_000_000n;
  const want = Number(7_000_000n * (raw >> 32n) + (((raw & 0xffff_ffffn) * 7_000_000n) >> 32n));
  assert.equal(timer.timer.deadline, want);
  assert.ok(Math.abs(want - 1e9) < 2);
  t.runTo(want - 1);
  assert.equal(timer.read(R.INTSTATUS, 4), 0);
  t.runTo(want);
  assert.equal(timer.read(R.INTSTATUS, 4), 1);
});
