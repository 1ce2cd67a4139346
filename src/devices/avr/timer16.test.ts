import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRIOPort, AVRTimer, portBConfig, timer1Config } from 'avr8js';
import { Gpio, GPIO_REGS as G } from './gpio.js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, OursRig, genTimer16Script, runBoth } from './test-support/avr8js-rig.js';
import { Timer16, TIMER1_REGS as T1 } from './timer16.js';
import { AvrVector } from './vectors.js';

function timer1() {
  const chip = new FakeChip();
  const t = new Timer16(chip);
  return { chip, t };
}

/** A 16-bit write as compiled code does it: high byte (to TEMP) first, then the low byte. */
function w16(chip: FakeChip, addr: number, v: number): void {
  chip.write(addr + 1, v >> 8);
  chip.step(2);
  chip.write(addr, v & 0xff);
  chip.step(2);
}
function r16(chip: FakeChip, addr: number): number {
  const lo = chip.read(addr);
  const hi = chip.read(addr + 1);
  return (hi << 8) | lo;
}

test('Timer1 CTC on OCR1A (WGM 4) sets OCF1A every (OCR1A+1)×prescale cycles', () => {
  const { chip } = timer1();
  w16(chip, T1.OCR1AL, 15624); // 1 Hz at 16 MHz / 1024
  chip.write(T1.TIMSK1, 0x02);
  chip.write(T1.TCCR1B, 0x08 | 0x05);
  chip.step(1);
  const phase = chip.now;
  for (let i = 0; i < 3; i++) {
    while (!chip.requesting(AvrVector.TIMER1_COMPA)) chip.advanceTo(chip.nextDeadline()!); // sleeping CPU
    assert.equal(chip.now, phase + 15624 * 1024 + i * 15625 * 1024);
    chip.takeInterrupt(AvrVector.TIMER1_COMPA);
    assert.equal(chip.data[T1.TIFR1]! & 0x02, 0);
  }
});

test('Timer1 16-bit access goes through TEMP: TCNT1L read latches TCNT1H, high-byte writes wait for the low byte', () => {
  const { chip } = timer1();
  w16(chip, T1.TCNT1L, 0x1234);
  assert.equal(r16(chip, T1.TCNT1L), 0x1234);
  chip.write(T1.TCCR1B, 0x01);
  chip.step(1);
  chip.run(0x100);
  const v = r16(chip, T1.TCNT1L);
  assert.equal(v, 0x1234 + 0x100);
  chip.write(T1.OCR1AH, 0x55); // only TEMP until OCR1AL is written
  chip.step(2);
  w16(chip, T1.ICR1L, 0x0102); // ICR1H write replaces TEMP
  chip.write(T1.OCR1AL, 0x66);
  assert.equal(chip.data[T1.OCR1AH], 0x55, 'OCR1AH reads back what was written');
  chip.step(2);
});

test('Timer1 fast PWM 8-bit (WGM 5): TOP 0xFF, OCR1A high byte masked, TOV1 at each wrap', () => {
  const { chip, t } = timer1();
  chip.write(T1.TCCR1A, 0x01);
  w16(chip, T1.OCR1AL, 0x0380);
  assert.equal(chip.data[T1.OCR1AH], 0, 'fixed 8-bit TOP keeps no OCR1AH bits');
  chip.write(T1.TIMSK1, 0x01);
  chip.write(T1.TCCR1B, 0x08 | 0x01);
  chip.step(1);
  const phase = chip.now;
  const at = chip.runUntil(() => chip.requesting(AvrVector.TIMER1_OVF), 1000);
  assert.equal(at, phase + 256);
  assert.equal(t.wgm(), 5);
});

test('Timer1 phase-correct on ICR1 (WGM 10): TOV1 at BOTTOM every 2×ICR1 ticks, ICF1 at TOP (datasheet 16.9.5; avr8js never sets ICF1)', () => {
  const { chip } = timer1();
  w16(chip, T1.ICR1L, 100);
  chip.write(T1.TCCR1A, 0x02);
  chip.write(T1.TIMSK1, 0x21);
  chip.write(T1.TCCR1B, 0x10 | 0x01);
  chip.step(1);
  const phase = chip.now;
  const capt: number[] = [];
  const ovf: number[] = [];
  while (chip.now < phase + 450) {
    chip.step(1);
    if (chip.requesting(AvrVector.TIMER1_CAPT)) {
      capt.push(chip.now - phase);
      chip.takeInterrupt(AvrVector.TIMER1_CAPT);
    }
    if (chip.requesting(AvrVector.TIMER1_OVF)) {
      ovf.push(chip.now - phase);
      chip.takeInterrupt(AvrVector.TIMER1_OVF);
    }
  }
  assert.deepEqual(capt, [100, 300]);
  assert.deepEqual(ovf, [200, 400]);
});

test('Timer1 input capture: capture() copies TCNT1 to ICR1 on the edge ICES1 selects and sets ICF1', () => {
  const { chip, t } = timer1();
  chip.write(T1.TIMSK1, 0x20);
  chip.write(T1.TCCR1B, 0x40 | 0x02); // rising edge, clk/8
  chip.step(1);
  chip.run(800);
  t.capture('falling');
  assert.equal(chip.requesting(AvrVector.TIMER1_CAPT), false, 'falling edge ignored with ICES1 = 1');
  t.capture('rising');
  assert.equal(chip.requesting(AvrVector.TIMER1_CAPT), true);
  assert.equal(r16(chip, T1.ICR1L), 100);
  assert.equal(t.inputCapture(), 100);
  chip.takeInterrupt(AvrVector.TIMER1_CAPT);
  assert.equal(chip.data[T1.TIFR1]! & 0x20, 0, 'ICF1 cleared on vector entry');
});

test('Timer1 in CTC on ICR1 (WGM 12) ignores capture() (ICR1 is TOP)', () => {
  const { chip, t } = timer1();
  w16(chip, T1.ICR1L, 500);
  chip.write(T1.TCCR1B, 0x18 | 0x01);
  chip.step(1);
  chip.run(123);
  t.capture();
  assert.equal(t.inputCapture(), 500);
});

test('Timer1 reset() clears every register', () => {
  const { chip, t } = timer1();
  w16(chip, T1.OCR1AL, 0x1234);
  chip.write(T1.TCCR1B, 0x01);
  chip.step(1);
  chip.run(50);
  t.reset();
  for (const a of Object.values(T1)) assert.equal(chip.data[a], 0, `0x${a.toString(16)}`);
  assert.equal(t.counter(), 0);
});

test("Timer1 matches avr8js's AVRTimer on 300 generated register scripts (TOV1/OCF1A/OCF1B after every instruction, every TCNT1 read)", () => {
  const R = { TCCRA: T1.TCCR1A, TCCRB: T1.TCCR1B, TCNT: T1.TCNT1L, OCRA: T1.OCR1AL, OCRB: T1.OCR1BL, ICR: T1.ICR1L, TIFR: T1.TIFR1, TIMSK: T1.TIMSK1 };
  for (let seed = 1; seed <= 300; seed++) {
    const chip = new FakeChip();
    new Timer16(chip);
    const theirs = new Avr8jsRig();
    new AVRTimer(theirs.cpu, timer1Config);
    const diff = runBoth(genTimer16Script(seed, R, 2), new OursRig(chip), theirs, [R.TIFR], 0x07);
    assert.equal(diff, null, `seed ${seed}: ${diff}`);
  }
});

test('Timer1 compare outputs OC1A/OC1B (PB1/PB2) match avr8js: PINB and TOV1/OCF1A/OCF1B after every instruction', () => {
  const R = { TCCRA: T1.TCCR1A, TCCRB: T1.TCCR1B, TCNT: T1.TCNT1L, OCRA: T1.OCR1AL, OCRB: T1.OCR1BL, ICR: T1.ICR1L, TIFR: T1.TIFR1, TIMSK: T1.TIMSK1 };
  for (let seed = 1; seed <= 200; seed++) {
    const chip = new FakeChip();
    const gpio = new Gpio(chip);
    new Timer16(chip, undefined, { outputs: gpio });
    const theirs = new Avr8jsRig();
    new AVRIOPort(theirs.cpu, portBConfig);
    new AVRTimer(theirs.cpu, timer1Config);
    const ours = new OursRig(chip);
    for (const r of [ours, theirs]) r.write(G.DDRB, 0xff);
    const diff = runBoth(genTimer16Script(seed, R, 2, true), ours, theirs, [R.TIFR, G.PINB], [0x07, 0xff]);
    assert.equal(diff, null, `seed ${seed}: ${diff}`);
  }
});
