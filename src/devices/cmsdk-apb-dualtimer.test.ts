import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { CmsdkApbDualTimer, CmsdkDualTimerCtrl as C, CmsdkDualTimerReg as R, CMSDK_DUALTIMER_STRIDE } from './cmsdk-apb-dualtimer.js';
import { timeRig } from './test-support/virtual-time.js';

function rig() {
  const t = timeRig();
  const irq = new IrqPin(), irq1 = new IrqPin(), irq2 = new IrqPin();
  const dt = new CmsdkApbDualTimer({ clock: t.clock, irq, irq1, irq2 });
  const rd = (off: number, size = 4) => dt.read(off, size);
  const wr = (off: number, v: number, size = 4) => dt.write(off, size, v);
  const levels = () => [irq1.level, irq2.level, irq.level];
  return { ...t, dt, rd, wr, levels };
}

const T2 = CMSDK_DUALTIMER_STRIDE;

test('reset: both timers stopped, free-running 16-bit with INTEN, VALUE 0xffffffff, LOAD 0; ID registers', () => {
  const r = rig();
  for (const b of [0, T2]) {
    assert.equal(r.rd(b + R.CONTROL), C.INTEN);
    assert.equal(r.rd(b + R.VALUE), 0xffff_ffff);
    assert.equal(r.rd(b + R.LOAD), 0);
    assert.equal(r.rd(b + R.BGLOAD), 0);
    assert.equal(r.rd(b + R.RIS), 0);
    assert.equal(r.rd(b + R.MIS), 0);
  }
  const ids = [];
  for (let off = 0xfd0; off <= 0xffc; off += 4) ids.push(r.rd(off));
  assert.deepEqual(ids, [0x04, 0, 0, 0, 0x23, 0xb8, 0x1b, 0, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.equal(r.rd(0x40), 0, 'no third timer');
});

test('periodic 32-bit: interrupt every LOAD + 1 counts of 40 ns, RIS latched, MIS and the lines follow INTEN', () => {
  const r = rig();
  r.wr(R.LOAD, 99);
  r.wr(R.CONTROL, C.ENABLE | C.MODE | C.SIZE | C.INTEN);
  assert.equal(r.rd(R.VALUE), 99);
  r.runTo(99 * 40 - 1);
  assert.equal(r.rd(R.RIS), 0);
  r.runTo(99 * 40);
  assert.equal(r.rd(R.RIS), 1);
  assert.equal(r.rd(R.MIS), 1);
  assert.deepEqual(r.levels(), [true, false, true]);
  r.wr(R.INTCLR, 0);
  assert.deepEqual(r.levels(), [false, false, false]);
  r.runTo(99 * 40 + 100 * 40);
  assert.equal(r.rd(R.RIS), 1, 'next underflow one LOAD + 1 period later');
  r.wr(R.CONTROL, C.ENABLE | C.MODE | C.SIZE); // INTEN off: RIS stays, MIS and lines drop
  assert.equal(r.rd(R.RIS), 1);
  assert.equal(r.rd(R.MIS), 0);
  assert.deepEqual(r.levels(), [false, false, false]);
});

test('timer 2 drives TIMINT2 and the combined line', () => {
  const r = rig();
  r.wr(T2 + R.LOAD, 9);
  r.wr(T2 + R.CONTROL, C.ENABLE | C.MODE | C.SIZE | C.INTEN);
  r.runTo(400);
  assert.deepEqual(r.levels(), [false, true, true]);
  assert.equal(r.rd(R.RIS), 0);
  assert.equal(r.rd(T2 + R.RIS), 1);
});

test('free-running 16-bit wraps from 0 to 0xffff and keeps the upper half of VALUE', () => {
  const r = rig();
  r.wr(R.LOAD, 0x0001_0005); // free-running: sets the count, not a limit
  assert.equal(r.rd(R.VALUE), 0x0001_0005);
  r.wr(R.CONTROL, C.ENABLE | C.INTEN);
  r.runTo(5 * 40);
  assert.equal(r.rd(R.RIS), 1);
  r.runTo(6 * 40 + 1);
  assert.equal(r.rd(R.VALUE), 0x0001_ffff, 'wrapped to 0xffff, top half kept');
  assert.equal(r.rd(R.LOAD), 0x0001_0005, 'LOAD reads as written in free-running mode');
});

test('one-shot counts to 0 once and stops', () => {
  const r = rig();
  r.wr(R.LOAD, 20);
  r.wr(R.CONTROL, C.ENABLE | C.MODE | C.SIZE | C.ONESHOT | C.INTEN);
  r.runTo(20 * 40);
  assert.equal(r.rd(R.RIS), 1);
  r.runTo(100_000);
  assert.equal(r.rd(R.VALUE), 0);
  assert.equal(r.dt.ptimer(1).deadline, Infinity);
});

test('prescale 16 and 256 (and the undefined 3 as 256) stretch a count to 640 and 10240 ns', () => {
  for (const [ps, ns] of [[1, 640], [2, 10240], [3, 10240]] as const) {
    const r = rig();
    r.wr(R.LOAD, 10);
    r.wr(R.CONTROL, C.ENABLE | C.MODE | C.SIZE | C.INTEN | (ps << C.PRESCALE_SHIFT));
    r.runTo(10 * ns - 1);
    assert.equal(r.rd(R.RIS), 0, `prescale ${ps}`);
    r.runTo(10 * ns);
    assert.equal(r.rd(R.RIS), 1, `prescale ${ps}`);
  }
});

test('BGLOAD sets the next period without touching the count; LOAD restarts it', () => {
  const r = rig();
  r.wr(R.LOAD, 100);
  r.wr(R.CONTROL, C.ENABLE | C.MODE | C.SIZE);
  r.runTo(10 * 40 + 1);
  r.wr(R.BGLOAD, 5);
  assert.equal(r.rd(R.VALUE), 90);
  assert.equal(r.rd(R.LOAD), 5);
  r.wr(R.LOAD, 50);
  assert.equal(r.rd(R.VALUE), 50);
});

test('switching 32 -> 16 bits keeps the upper halves of VALUE and LOAD', () => {
  const r = rig();
  r.wr(R.CONTROL, C.MODE | C.SIZE);
  r.wr(R.LOAD, 0x1234_5678);
  r.wr(R.CONTROL, C.MODE);
  assert.equal(r.rd(R.VALUE), 0x1234_5678);
  assert.equal(r.rd(R.LOAD), 0x1234_5678);
  r.wr(R.CONTROL, C.MODE | C.SIZE);
  assert.equal(r.rd(R.VALUE), 0x1234_5678);
});

test('integration test mode drives the outputs from TIMERITOP', () => {
  const r = rig();
  r.wr(R.TIMERITCR, 0xff);
  assert.equal(r.rd(R.TIMERITCR), 1);
  r.wr(R.TIMERITOP, 2);
  assert.deepEqual(r.levels(), [false, true, true]);
  r.wr(R.TIMERITOP, 1);
  assert.deepEqual(r.levels(), [true, false, true]);
  r.wr(R.TIMERITCR, 0);
  assert.deepEqual(r.levels(), [false, false, false]);
  assert.equal(r.rd(R.TIMERITOP), 0, 'write-only');
});

test('narrow accesses read the low bytes of the register at that offset', () => {
  const r = rig();
  assert.equal(r.rd(R.VALUE, 1), 0xff);
  assert.equal(r.rd(R.VALUE + 2, 2), 0, 'not a register offset');
  r.wr(R.CONTROL, 0xff, 1);
  assert.equal(r.rd(R.CONTROL), 0xef, 'bit 4 is not writable');
});
