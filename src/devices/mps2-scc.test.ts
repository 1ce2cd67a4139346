import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { MPS2_AN386_SCC, Mps2Scc, Mps2SccReg as R } from './mps2-scc.js';

function rig(board = undefined as typeof MPS2_AN386_SCC | undefined) {
  const remap = new IrqPin();
  const leds: number[] = [];
  const scc = new Mps2Scc({ ...(board ? { board } : {}), remap, onLeds: (v) => leds.push(v) });
  return { scc, remap, leds, rd: (o: number) => scc.read(o, 4), wr: (o: number, v: number) => scc.write(o, 4, v) };
}

test('identification: ID 0x41043850 on AN385, 0x41043860 on AN386, AID 0x00200008, CFG4 2', () => {
  const a = rig();
  assert.equal(a.rd(R.ID), 0x4104_3850);
  assert.equal(a.rd(R.AID), 0x0020_0008);
  assert.equal(a.rd(R.CFG4), 2);
  assert.equal(rig(MPS2_AN386_SCC).rd(R.ID), 0x4104_3860);
});

test('reset values: CFGCTRL 0x100000, DLL 0xffff0001, the rest 0', () => {
  const r = rig();
  assert.equal(r.rd(R.CFGCTRL), 0x10_0000);
  assert.equal(r.rd(R.DLL), 0xffff_0001);
  for (const o of [R.CFG0, R.CFG1, R.CFG2, R.CFG3, R.CFG5, R.CFG6, R.CFG7, R.CFGDATA_RTN, R.CFGDATA_OUT, R.CFGSTAT]) assert.equal(r.rd(o), 0);
});

test('CFG0 drives remap from bit 0; CFG1 drives the LEDs; CFG2/3/4/5..7 ignore writes', () => {
  const r = rig();
  r.wr(R.CFG0, 0x3);
  assert.equal(r.rd(R.CFG0), 3);
  assert.equal(r.remap.level, true);
  r.wr(R.CFG1, 0xa5);
  assert.deepEqual(r.leds, [0xa5]);
  for (const o of [R.CFG2, R.CFG3, R.CFG4, R.CFG5, R.CFG6, R.CFG7, R.AID, R.ID]) r.wr(o, 0x1234);
  assert.deepEqual([R.CFG2, R.CFG3, R.CFG4, R.CFG5, R.CFG6, R.CFG7].map(r.rd), [0, 0, 2, 0, 0, 0]);
  assert.equal(r.rd(R.ID), 0x4104_3850);
});

test('SYS_CFG: function 1 reads and writes OSCCLK 0..2 (50, 24.576, 25 MHz); others fail with ERROR', () => {
  const r = rig();
  const xfer = (ctrl: number) => { r.wr(R.CFGCTRL, ctrl); return r.rd(R.CFGSTAT); };
  assert.equal(xfer(0x8010_0000), 1);
  assert.equal(r.rd(R.CFGDATA_RTN), 50_000_000);
  assert.equal(xfer(0x8010_0001), 1);
  assert.equal(r.rd(R.CFGDATA_RTN), 24_576_000);
  assert.equal(xfer(0x8010_0002), 1);
  assert.equal(r.rd(R.CFGDATA_RTN), 25_000_000);
  assert.equal(xfer(0x8010_0003), 3, 'no OSCCLK 3');
  assert.equal(xfer(0x8020_0000), 3, 'function 2');
  r.wr(R.CFGDATA_OUT, 0x1234);
  assert.equal(xfer(0xc010_0001), 1);
  assert.equal(r.scc.oscClock(1), 0x1234);
  xfer(0x8010_0001);
  assert.equal(r.rd(R.CFGDATA_RTN), 0x1234);
  r.wr(R.CFGCTRL, 0xffff_ffff);
  assert.equal(r.rd(R.CFGCTRL), 0x43f0_0fff, 'reserved bits and START read 0');
  r.wr(R.CFGCTRL, 0x10_0000);
  assert.equal(r.rd(R.CFGSTAT), 0, 'a CFGCTRL write clears CFGSTAT');
  r.scc.reset();
  assert.equal(r.scc.oscClock(1), 24_576_000);
});

test('DLL: only the lock mask [31:24] is writable', () => {
  const r = rig();
  r.wr(R.DLL, 0x00ff_fffe);
  assert.equal(r.rd(R.DLL), 0x00ff_0001);
});
