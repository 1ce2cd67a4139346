import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRIOPort, portBConfig, portCConfig, portDConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, prng } from './test-support/avr8js-rig.js';
import { fixIntFlagMasked } from '../../../scripts/avr/avr8js.js';
import { Gpio, GPIO_REGS as G } from './gpio.js';
import { ExtInterrupts, EXT_INT_REGS as E } from './ext-interrupts.js';
import { AvrVector } from './vectors.js';

function rig() {
  const chip = new FakeChip();
  const gpio = new Gpio(chip);
  const ext = new ExtInterrupts(chip, gpio);
  return { chip, gpio, ext };
}

test('INT0 on the falling edge of PD2: INTF0 set, INT0 requested, cleared by entering the vector', () => {
  const { chip, gpio } = rig();
  gpio.setPin('D', 2, true);
  chip.write(E.EICRA, 0x02);
  chip.write(E.EIMSK, 0x01);
  gpio.setPin('D', 2, true);
  assert.equal(chip.requesting(AvrVector.INT0), false);
  gpio.setPin('D', 2, false);
  assert.equal(chip.data[E.EIFR], 0x01);
  assert.equal(chip.requesting(AvrVector.INT0), true);
  chip.takeInterrupt(AvrVector.INT0);
  assert.equal(chip.data[E.EIFR], 0);
  assert.equal(chip.requesting(AvrVector.INT0), false);
  gpio.setPin('D', 2, true);
  assert.equal(chip.requesting(AvrVector.INT0), false, 'rising edge ignored');
});

test('INT1 on PD3: rising-edge mode and any-change mode', () => {
  const { chip, gpio } = rig();
  chip.write(E.EICRA, 0x0c); // ISC11:10 = 3, rising
  chip.write(E.EIMSK, 0x02);
  gpio.setPin('D', 3, true);
  assert.equal(chip.requesting(AvrVector.INT1), true);
  chip.write(E.EIFR, 0x02);
  gpio.setPin('D', 3, false);
  assert.equal(chip.requesting(AvrVector.INT1), false);
  chip.write(E.EICRA, 0x04); // any change
  gpio.setPin('D', 3, true);
  assert.equal(chip.requesting(AvrVector.INT1), true);
});

test('INT0 low level: requested exactly while PD2 is low, INTF0 stays 0 (datasheet 13.2.3), vector entry does not end it', () => {
  const { chip, gpio } = rig();
  gpio.setPin('D', 2, false);
  chip.write(E.EICRA, 0x00);
  chip.write(E.EIMSK, 0x01);
  assert.equal(chip.requesting(AvrVector.INT0), true, 'already low when enabled');
  chip.takeInterrupt(AvrVector.INT0);
  assert.equal(chip.requesting(AvrVector.INT0), true);
  assert.equal(chip.data[E.EIFR], 0);
  gpio.setPin('D', 2, true);
  assert.equal(chip.requesting(AvrVector.INT0), false);
});

test("an INT0 edge while EIMSK.INT0 is clear sets INTF0 (datasheet 13.2.3 EIFR: the edge 'triggers an interrupt request, INTF0 becomes set'; EIMSK only gates the jump; avr8js sets no flag), requested once EIMSK enables it", () => {
  const { chip, gpio } = rig();
  chip.write(E.EICRA, 0x01);
  gpio.setPin('D', 2, true);
  assert.equal(chip.data[E.EIFR], 0x01);
  assert.equal(chip.requesting(AvrVector.INT0), false);
  chip.write(E.EIMSK, 0x01);
  assert.equal(chip.requesting(AvrVector.INT0), true);
  chip.takeInterrupt(AvrVector.INT0);
  assert.equal(chip.data[E.EIFR], 0);
});

test('PCINT2: a change on PD5 with PCMSK2 bit 5 sets PCIF2 even with PCICR clear; PCICR then requests PCINT2 at once', () => {
  const { chip, gpio } = rig();
  chip.write(E.PCMSK2, 1 << 5);
  gpio.setPin('D', 4, true);
  assert.equal(chip.data[E.PCIFR], 0, 'PD4 not in PCMSK2');
  gpio.setPin('D', 5, true);
  assert.equal(chip.data[E.PCIFR], 0x04);
  assert.equal(chip.requesting(AvrVector.PCINT2), false);
  chip.write(E.PCICR, 0x04);
  assert.equal(chip.requesting(AvrVector.PCINT2), true);
  chip.takeInterrupt(AvrVector.PCINT2);
  assert.equal(chip.data[E.PCIFR], 0);
});

test('PCINT0 triggers on an output pin change (PB0 toggled through PINB)', () => {
  const { chip } = rig();
  chip.write(E.PCICR, 0x01);
  chip.write(E.PCMSK0, 0x01);
  chip.write(G.DDRB, 0x01);
  chip.write(G.PINB, 0x01);
  assert.equal(chip.requesting(AvrVector.PCINT0), true);
  chip.sbi(E.PCIFR, 0);
  assert.equal(chip.requesting(AvrVector.PCINT0), false);
});

test('PCINT1 on port C (PCMSK1), EIFR/PCIFR cleared by writing 1 only', () => {
  const { chip, gpio } = rig();
  chip.write(E.PCMSK1, 0x7f);
  chip.write(E.PCICR, 0x02);
  gpio.setPin('C', 3, true);
  assert.equal(chip.requesting(AvrVector.PCINT1), true);
  chip.write(E.PCIFR, 0x00);
  assert.equal(chip.data[E.PCIFR], 0x02);
  chip.write(E.PCIFR, 0x02);
  assert.equal(chip.data[E.PCIFR], 0);
});

test('reset() clears EICRA, EIMSK, EIFR, PCICR, PCIFR and PCMSKn', () => {
  const { chip, ext } = rig();
  for (const a of Object.values(E)) chip.data[a] = 0xff;
  ext.reset();
  for (const a of Object.values(E)) assert.equal(chip.data[a], 0);
});

test("INT0/INT1 edge modes and PCINT flags match avr8js's AVRIOPort (with the int-flag-masked correction) on random pin activity", () => {
  for (let seed = 1; seed <= 50; seed++) {
    const rnd = prng(seed);
    const { chip, gpio } = rig();
    const r = new Avr8jsRig();
    new AVRIOPort(r.cpu, portBConfig);
    new AVRIOPort(r.cpu, portCConfig);
    const pd = new AVRIOPort(r.cpu, portDConfig);
    fixIntFlagMasked(r.cpu, pd);
    for (let b = 0; b < 8; b++) gpio.setPin('D', b, false);
    const both = (addr: number, v: number) => {
      chip.write(addr, v);
      r.write(addr, v);
    };
    both(E.EICRA, 0x05 + Math.floor(rnd() * 3) * 0x05); // edge modes only (1..3 for both INTs)
    both(E.EIMSK, 1 + Math.floor(rnd() * 3));
    both(E.PCMSK2, Math.floor(rnd() * 256));
    both(E.PCICR, 0x04);
    for (let i = 0; i < 60; i++) {
      const x = rnd();
      if (x < 0.7) {
        const bit = Math.floor(rnd() * 8);
        const level = rnd() < 0.5;
        gpio.setPin('D', bit, level);
        pd.setPin(bit, level);
      } else if (x < 0.8) {
        both(E.EIFR, 0x03);
      } else if (x < 0.9) {
        both(E.PCIFR, 0x07);
      } else {
        both(E.EIMSK, Math.floor(rnd() * 4));
      }
      assert.equal(chip.data[E.EIFR]! & 3, r.peek(E.EIFR) & 3, `seed ${seed} op ${i} EIFR`);
      assert.equal(chip.data[E.PCIFR]! & 7, r.peek(E.PCIFR) & 7, `seed ${seed} op ${i} PCIFR`);
      for (const v of [AvrVector.INT0, AvrVector.INT1, AvrVector.PCINT2]) {
        assert.equal(chip.requesting(v), r.pending(v), `seed ${seed} op ${i} vector ${v}`);
      }
    }
  }
});
