import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mps2Fpgaio, Mps2FpgaioReg as R } from './mps2-fpgaio.js';
import { timeRig } from './test-support/virtual-time.js';

function rig() {
  const t = timeRig();
  const leds: number[] = [];
  const io = new Mps2Fpgaio({ clock: t.clock, onLeds: (v) => leds.push(v) });
  const rd = (off: number) => io.read(off, 4);
  const wr = (off: number, v: number) => io.write(off, 4, v);
  return { ...t, io, rd, wr, leds, at: (ns: number) => { t.cpu.n = ns; } };
}

test('reset: every register 0', () => {
  const r = rig();
  for (const off of [R.LED0, R.BUTTON, R.CLK1HZ, R.CLK100HZ, R.COUNTER, R.PRESCALE, R.PSCNTR, R.MISC]) assert.equal(r.rd(off), 0);
});

test('LED0 keeps the two LED bits and reports them', () => {
  const r = rig();
  r.wr(R.LED0, 0xff);
  assert.equal(r.rd(R.LED0), 3);
  assert.deepEqual(r.leds, [3]);
});

test('CLK1HZ and CLK100HZ count whole seconds and hundredths of virtual time; writes set them from now', () => {
  const r = rig();
  r.at(2_999_999_999);
  assert.equal(r.rd(R.CLK1HZ), 2);
  assert.equal(r.rd(R.CLK100HZ), 299);
  r.at(3_000_000_000);
  assert.equal(r.rd(R.CLK1HZ), 3);
  r.wr(R.CLK1HZ, 100);
  r.wr(R.CLK100HZ, 7);
  r.at(4_000_000_000);
  assert.equal(r.rd(R.CLK1HZ), 101);
  assert.equal(r.rd(R.CLK100HZ), 107);
});

test('PRESCALE 0: PSCNTR sticks at 0 and COUNTER counts every 40 ns tick', () => {
  const r = rig();
  r.at(40 * 1000 + 39);
  assert.equal(r.rd(R.COUNTER), 1000);
  assert.equal(r.rd(R.PSCNTR), 0);
});

test('PSCNTR counts down at 25 MHz and reloads from PRESCALE one tick after 0, when COUNTER increments', () => {
  const r = rig();
  r.wr(R.PRESCALE, 5);
  r.wr(R.PSCNTR, 7);
  const seen: [number, number][] = [];
  for (let tick = 0; tick <= 14; tick++) {
    r.at(40 * tick);
    seen.push([r.rd(R.PSCNTR), r.rd(R.COUNTER)]);
  }
  // QEMU's own example: PSCNTR 7 6 5 4 3 2 1 0 5 4 3 2 1 0 5, COUNTER +1 at ticks 8 and 14
  assert.deepEqual(seen.map((s) => s[0]), [7, 6, 5, 4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 5]);
  assert.deepEqual(seen.map((s) => s[1]), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2]);
});

test('reads between ticks lose no time (the sync point stays on a tick boundary)', () => {
  const r = rig();
  r.wr(R.PRESCALE, 24_999); // COUNTER in ms
  r.wr(R.PSCNTR, 24_999);
  for (let ns = 0; ns <= 5_000_000; ns += 7_777) { r.at(ns); r.rd(R.COUNTER); }
  r.at(10_000_000);
  assert.equal(r.rd(R.COUNTER), 10);
});

test('COUNTER and MISC are writable; BUTTON, SWITCH and DBGCTRL read 0', () => {
  const r = rig();
  r.wr(R.COUNTER, 0xffff_fff0);
  r.at(40 * 20);
  assert.equal(r.rd(R.COUNTER), 4, 'wraps at 32 bits');
  r.wr(R.MISC, 0xdead_beef);
  assert.equal(r.rd(R.MISC), 0xdead_beef);
  r.wr(R.SWITCH, 5);
  r.wr(R.DBGCTRL, 5);
  r.wr(R.BUTTON, 5);
  assert.deepEqual([r.rd(R.SWITCH), r.rd(R.DBGCTRL), r.rd(R.BUTTON)], [0, 0, 0]);
});
