import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRADC, adcConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig } from './test-support/avr8js-rig.js';
import { Adc, ADC_REGS as A, ADATE, ADEN, ADIE, ADIF, ADLAR, ADSC } from './adc.js';
import { AvrVector } from './vectors.js';

function adc() {
  const chip = new FakeChip();
  const a = new Adc(chip);
  return { chip, a };
}

const REFS_AVCC = 0x40;

/** analogRead() as the Arduino core does it. */
function analogRead(chip: FakeChip, ch: number): { value: number; cycles: number } {
  chip.write(A.ADMUX, REFS_AVCC | ch);
  const t0 = chip.now;
  chip.write(A.ADCSRA, chip.data[A.ADCSRA]! | ADSC);
  chip.runUntil(() => !(chip.data[A.ADCSRA]! & ADSC), 100_000);
  const lo = chip.read(A.ADCL);
  const hi = chip.read(A.ADCH);
  return { value: (hi << 8) | lo, cycles: chip.now - t0 };
}

test('ADC conversion takes 25 ADC clocks the first time after ADEN, 13 after (clk/128: 3200 then 1664 cycles)', () => {
  const { chip, a } = adc();
  a.setChannelValue(0, 2.5);
  chip.write(A.ADCSRA, ADEN | 7);
  const first = analogRead(chip, 0);
  assert.deepEqual(first, { value: 512, cycles: 25 * 128 });
  const second = analogRead(chip, 0);
  assert.deepEqual(second, { value: 512, cycles: 13 * 128 });
  assert.equal(chip.data[A.ADCSRA]! & ADIF, ADIF);
});

test('ADC values: volts against AVCC / 1.1 V, raw codes, ADLAR left adjust, the bandgap and ground channels', () => {
  const { chip, a } = adc();
  chip.write(A.ADCSRA, ADEN | 2);
  a.setChannelValue(1, 0.55);
  assert.equal(analogRead(chip, 1).value, 112);
  chip.write(A.ADMUX, 0xc1); // internal 1.1 V
  chip.write(A.ADCSRA, ADEN | ADSC | 2);
  chip.run(200);
  assert.equal(chip.read(A.ADCL) | (chip.read(A.ADCH) << 8), 512);
  a.setChannelRaw(2, 1000);
  assert.equal(analogRead(chip, 2).value, 1000);
  chip.write(A.ADMUX, REFS_AVCC | ADLAR | 2);
  chip.write(A.ADCSRA, ADEN | ADSC | 2);
  chip.run(200);
  assert.equal(chip.data[A.ADCH], 1000 >> 2);
  assert.equal(chip.data[A.ADCL], (1000 << 6) & 0xff);
  a.setChannelValue(5, 9);
  assert.equal(analogRead(chip, 5).value, 1023, 'clamped');
  assert.equal(analogRead(chip, 14).value, 225, 'bandgap 1.1 V against 5 V');
  assert.equal(analogRead(chip, 15).value, 0);
});

test('ADC free running (ADATE, ADTS = 0): a conversion every 13 ADC clocks, ADIF each time, ADSC stays set', () => {
  const { chip, a } = adc();
  a.setChannelRaw(0, 300);
  chip.write(A.ADCSRA, ADEN | ADATE | ADIE | ADSC | 4); // clk/16
  const t0 = chip.now;
  const at: number[] = [];
  while (at.length < 3) {
    chip.step(1);
    if (chip.requesting(AvrVector.ADC)) {
      at.push(chip.now - t0);
      chip.takeInterrupt(AvrVector.ADC);
      assert.equal(chip.data[A.ADCSRA]! & ADSC, ADSC);
    }
  }
  assert.deepEqual(at, [25 * 16, 25 * 16 + 13 * 16, 25 * 16 + 26 * 16]);
});

test('ADC: ADSC with ADEN clear starts nothing; writing 1 to ADIF clears it; ADEN off aborts a conversion', () => {
  const { chip } = adc();
  chip.write(A.ADCSRA, ADSC);
  assert.equal(chip.data[A.ADCSRA], 0);
  chip.run(10_000);
  assert.equal(chip.data[A.ADCSRA], 0);
  chip.write(A.ADCSRA, ADEN | ADSC);
  chip.run(100);
  assert.equal(chip.data[A.ADCSRA], ADEN | ADIF);
  chip.write(A.ADCSRA, ADEN | ADIF);
  assert.equal(chip.data[A.ADCSRA], ADEN);
  chip.write(A.ADCSRA, ADEN | ADSC);
  chip.write(A.ADCSRA, 0);
  chip.run(100);
  assert.equal(chip.data[A.ADCSRA], 0);
});

test('reading ADCL locks the result until ADCH is read: a conversion ending in between is lost (24.9.3)', () => {
  const { chip, a } = adc();
  a.setChannelRaw(0, 0x155);
  chip.write(A.ADCSRA, ADEN | ADSC | 1);
  chip.run(60);
  assert.equal(chip.read(A.ADCL), 0x55);
  a.setChannelRaw(0, 0x2aa);
  chip.write(A.ADCSRA, ADEN | ADSC | 1);
  chip.run(60);
  assert.equal(chip.read(A.ADCH), 0x01);
  assert.equal(chip.read(A.ADCL), 0x55, 'the second result was dropped');
});

test('ADC reset() clears its registers', () => {
  const { chip, a } = adc();
  chip.write(A.ADMUX, 0x45);
  chip.write(A.ADCSRA, ADEN | ADSC);
  a.reset();
  assert.deepEqual(Object.values(A).map((x) => chip.data[x]), [0, 0, 0, 0, 0, 0]);
  assert.equal(chip.nextDeadline(), null);
});

test('ADC single conversions match avr8js: completion cycle and result for several prescalers and inputs', () => {
  for (const [adps, volts] of [
    [7, 2.5],
    [2, 1.234],
    [5, 4.99],
  ] as const) {
    const chip = new FakeChip();
    const ours = new Adc(chip);
    ours.setChannelValue(3, volts);
    const rig = new Avr8jsRig();
    const theirs = new AVRADC(rig.cpu, adcConfig);
    theirs.channelValues[3] = volts;
    const run = (write: (a: number, v: number) => void, step: (n: number) => void, peek: (a: number) => number, cycles: () => number) => {
      const log: string[] = [];
      write(A.ADMUX, REFS_AVCC | 3);
      step(2);
      write(A.ADCSRA, ADEN | adps);
      step(2);
      for (let i = 0; i < 2; i++) {
        write(A.ADCSRA, ADEN | ADSC | adps);
        step(2);
        while (peek(A.ADCSRA) & ADSC) step(2);
        log.push(`${cycles()}:${peek(A.ADCL) | (peek(A.ADCH) << 8)}:${peek(A.ADCSRA) & ADIF}`);
        write(A.ADCSRA, ADEN | ADIF | adps);
        step(2);
      }
      return log;
    };
    const a = run((x, v) => chip.write(x, v), (n) => chip.step(n), (x) => chip.data[x]!, () => chip.now);
    const b = run((x, v) => rig.write(x, v), (n) => rig.step(n), (x) => rig.peek(x), () => rig.cycles);
    assert.deepEqual(a, b, `ADPS ${adps}`);
  }
});
