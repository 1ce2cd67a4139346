import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { CMSDK_WATCHDOG_UNLOCK, CmsdkApbWatchdog, CmsdkWatchdogCtrl as C, CmsdkWatchdogReg as R } from './cmsdk-apb-watchdog.js';
import { timeRig } from './test-support/virtual-time.js';

function rig() {
  const t = timeRig();
  const nmi = new IrqPin();
  let resets = 0;
  const wd = new CmsdkApbWatchdog({ clock: t.clock, irq: nmi, onReset: () => resets++ });
  return { ...t, wd, nmi, resets: () => resets, rd: (o: number) => wd.read(o, 4), wr: (o: number, v: number) => wd.write(o, 4, v) };
}

test('counts down from 0xffffffff at 25 MHz from reset, whatever WDOGCONTROL says', () => {
  const r = rig();
  assert.equal(r.rd(R.LOAD), 0xffff_ffff);
  assert.equal(r.rd(R.CONTROL), 0);
  r.runTo(40 * 10 + 1);
  assert.equal(r.rd(R.VALUE), 0xffff_ffff - 10);
  const ids = [];
  for (let off = 0xfd0; off <= 0xffc; off += 4) ids.push(r.rd(off));
  assert.deepEqual(ids, [0x04, 0, 0, 0, 0x24, 0xb8, 0x1b, 0, 0x0d, 0xf0, 0x05, 0xb1]);
});

test('first expiry sets RIS; the NMI line follows RIS & INTEN; INTCLR clears RIS and reloads the count', () => {
  const r = rig();
  r.wr(R.LOAD, 100);
  r.runTo(4000);
  assert.equal(r.rd(R.RIS), 1);
  assert.equal(r.rd(R.MIS), 0);
  assert.equal(r.nmi.level, false);
  r.wr(R.CONTROL, C.INTEN);
  assert.equal(r.rd(R.MIS), 1);
  assert.equal(r.nmi.level, true);
  r.wr(R.INTCLR, 0);
  assert.equal(r.rd(R.RIS), 0);
  assert.equal(r.nmi.level, false);
  assert.equal(r.rd(R.VALUE), 100);
});

test('a second expiry with RIS still set stops the count and, once RESEN is set, resets the board', () => {
  const r = rig();
  r.wr(R.LOAD, 10);
  r.runTo(400);
  assert.equal(r.rd(R.RIS), 1);
  r.runTo(400 + 11 * 40);
  assert.equal(r.rd(R.VALUE), 0, 'stopped at 0');
  assert.equal(r.wd.timer.deadline, Infinity);
  assert.equal(r.resets(), 0, 'RESEN is clear');
  r.wr(R.INTCLR, 0);
  assert.equal(r.rd(R.VALUE), 10, 'reloaded but still stopped');
  r.runTo(10_000);
  assert.equal(r.rd(R.VALUE), 10);
  r.wr(R.CONTROL, C.RESEN);
  assert.equal(r.resets(), 1, 'the reset status stays until a device reset');
  r.wd.reset();
  r.wr(R.CONTROL, C.RESEN);
  assert.equal(r.resets(), 1);
});

test('a LOAD write reloads and restarts the count', () => {
  const r = rig();
  r.wr(R.LOAD, 10);
  r.runTo(2000); // expired twice: stopped
  assert.equal(r.rd(R.VALUE), 0);
  r.wr(R.LOAD, 50);
  r.runTo(2000 + 40 * 5 + 1);
  assert.equal(r.rd(R.VALUE), 45);
});

test('WDOGLOCK: any value but 0x1ACCE551 locks every other register against writes', () => {
  const r = rig();
  r.wr(R.LOCK, 1);
  assert.equal(r.rd(R.LOCK), 1);
  r.wr(R.LOAD, 5);
  r.wr(R.CONTROL, 3);
  assert.equal(r.rd(R.LOAD), 0xffff_ffff);
  assert.equal(r.rd(R.CONTROL), 0);
  r.wr(R.LOCK, CMSDK_WATCHDOG_UNLOCK);
  assert.equal(r.rd(R.LOCK), 0);
  r.wr(R.LOAD, 5);
  assert.equal(r.rd(R.LOAD), 5);
});

test('integration test mode drives WDOGINT and WDOGRES from ITOP', () => {
  const r = rig();
  r.wr(R.ITCR, 0xff);
  assert.equal(r.rd(R.ITCR), 1);
  r.wr(R.ITOP, 2);
  assert.equal(r.nmi.level, true);
  r.wr(R.ITOP, 1);
  assert.equal(r.nmi.level, false);
  assert.equal(r.resets(), 1);
  assert.equal(r.rd(R.ITOP), 0, 'write-only');
});
