import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { Mps2Pl022, Pl022Cr1, Pl022Int, Pl022Reg as R, Pl022Sr } from './mps2-pl022.js';

test('reset: transmit FIFO empty and not full, TX raw interrupt, nothing masked in; PrimeCell IDs', () => {
  const p = new Mps2Pl022();
  assert.equal(p.read(R.SR, 4), Pl022Sr.TFE | Pl022Sr.TNF);
  assert.equal(p.read(R.RIS, 4), Pl022Int.TX);
  assert.equal(p.read(R.MIS, 4), 0);
  assert.deepEqual([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => p.read(o, 4)), [0x22, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
});

test('frames wait in the transmit FIFO until the port is enabled, then come back as 0 from the empty bus', () => {
  const p = new Mps2Pl022();
  p.write(R.CR0, 4, 7); // 8-bit frames
  for (let i = 0; i < 5; i++) p.write(R.DR, 4, 0xa0 + i);
  assert.equal(p.read(R.SR, 4), Pl022Sr.TNF | Pl022Sr.BSY);
  assert.equal(p.read(R.RIS, 4), 0, 'more than half full: no TX interrupt');
  p.write(R.CR1, 4, Pl022Cr1.SSE);
  assert.equal(p.read(R.SR, 4), Pl022Sr.TFE | Pl022Sr.TNF | Pl022Sr.RNE);
  assert.equal(p.read(R.RIS, 4), Pl022Int.TX | Pl022Int.RX);
  assert.equal(p.read(R.DR, 4), 0);
});

test('loopback returns the frames masked to the data size; the interrupt line is RIS & IMSC', () => {
  const irq = new IrqPin();
  const p = new Mps2Pl022({ irq });
  p.write(R.CR0, 4, 3); // 4-bit frames
  p.write(R.CR1, 4, Pl022Cr1.SSE | Pl022Cr1.LBM);
  p.write(R.DR, 4, 0x1234);
  assert.equal(p.read(R.DR, 4), 0x4);
  p.write(R.IMSC, 4, Pl022Int.TX);
  assert.equal(irq.level, true);
  p.write(R.IMSC, 4, Pl022Int.RX);
  assert.equal(irq.level, false);
});

test('the transmitter stalls rather than overflow the receive FIFO', () => {
  const p = new Mps2Pl022({ transfer: (f) => f ^ 0xff });
  p.write(R.CR0, 4, 7);
  p.write(R.CR1, 4, Pl022Cr1.SSE);
  for (let i = 0; i < 12; i++) p.write(R.DR, 4, i);
  assert.equal(p.read(R.SR, 4), Pl022Sr.TNF | Pl022Sr.RNE | Pl022Sr.RFF | Pl022Sr.BSY, '8 received, 4 waiting');
  const got = [];
  while (p.read(R.SR, 4) & Pl022Sr.RNE) got.push(p.read(R.DR, 4));
  assert.deepEqual(got, [...Array(12).keys()].map((i) => i ^ 0xff));
});
