import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mps2SbconI2c, SbconLine as L, SbconReg as R } from './mps2-sbcon-i2c.js';

test('power-on: CONTROL reads 0; setting both lines reads SCL and a released SDA', () => {
  const i2c = new Mps2SbconI2c();
  assert.equal(i2c.read(R.CONTROL, 4), 0);
  i2c.write(R.CONTROLS, 4, L.SCL | L.SDA);
  assert.equal(i2c.read(R.CONTROL, 4), 3);
  i2c.write(R.CONTROLC, 4, L.SCL);
  assert.equal(i2c.read(R.CONTROL, 4), 2);
});

test('an address sent to the empty bus is NACKed: SDA reads high in the acknowledge slot', () => {
  const i2c = new Mps2SbconI2c();
  const set = (bits: number) => i2c.write(R.CONTROLS, 4, bits);
  const clr = (bits: number) => i2c.write(R.CONTROLC, 4, bits);
  set(L.SCL | L.SDA);
  clr(L.SDA); // START: SDA falls while SCL is high
  clr(L.SCL);
  for (const bit of [1, 0, 1, 0, 0, 0, 0, 0]) { // address 0x50, write
    if (bit) set(L.SDA); else clr(L.SDA);
    set(L.SCL);
    clr(L.SCL);
  }
  set(L.SDA); // release SDA for the acknowledge
  set(L.SCL);
  assert.equal(i2c.read(R.CONTROL, 4) & L.SDA, L.SDA, 'NACK');
  clr(L.SCL);
  clr(L.SDA); // ... and SDA follows what we drive from then on (the decoder is stopped)
  set(L.SCL);
  assert.equal(i2c.read(R.CONTROL, 4), L.SCL);
});

test('other offsets read all ones and ignore writes', () => {
  const i2c = new Mps2SbconI2c();
  assert.equal(i2c.read(8, 4), 0xffff_ffff);
  assert.equal(i2c.read(8, 1), 0xff);
  i2c.write(8, 4, 3);
  assert.equal(i2c.read(R.CONTROL, 4), 0);
});
