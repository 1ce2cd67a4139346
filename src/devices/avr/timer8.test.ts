import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRIOPort, AVRTimer, portBConfig, portDConfig, timer0Config, timer2Config } from 'avr8js';
import { Gpio, GPIO_REGS as G } from './gpio.js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, OursRig, genTimerScript, runBoth } from './test-support/avr8js-rig.js';
import { Timer8, TIMER0_CONFIG, TIMER0_REGS as T0, TIMER2_CONFIG, TIMER2_REGS as T2 } from './timer8.js';
import { AvrVector } from './vectors.js';

const WGM01 = 0x02;
const WGM00 = 0x01;
const WGM02 = 0x08;

function timer0() {
  const chip = new FakeChip();
  const t = new Timer8(chip, TIMER0_CONFIG);
  return { chip, t };
}

/** STS: the hook sees the instruction's first cycle, then the 2 cycles pass. */
function sts(chip: FakeChip, addr: number, v: number): void {
  chip.write(addr, v);
  chip.step(2);
}

test('Timer0 CTC sets OCF0A every (OCR0A+1)×prescale cycles, from the end of the TCCR0B write', () => {
  const { chip } = timer0();
  sts(chip, T0.TCCR0A, WGM01);
  sts(chip, T0.OCR0A, 99);
  sts(chip, T0.TIMSK0, 0x02);
  const start = chip.now; // TCCR0B is written here; its STS ends 2 cycles later
  sts(chip, T0.TCCR0B, 0x03); // clk/64
  const phase = start + 2;
  for (let i = 0; i < 5; i++) {
    const at = chip.runUntil(() => chip.requesting(AvrVector.TIMER0_COMPA), 10_000);
    assert.equal(at, phase + 99 * 64 + i * 100 * 64, `match ${i}`);
    chip.takeInterrupt(AvrVector.TIMER0_COMPA);
    assert.equal(chip.data[T0.TIFR0]! & 0x02, 0, 'OCF0A cleared on vector entry');
  }
  assert.equal(chip.data[T0.TIFR0]! & 0x01, 0, 'no TOV0 in CTC below 0xFF');
});

test('Timer0 normal mode: TCNT0 is computed from cycles on read; TOV0 after 256 ticks; no per-cycle work', () => {
  const { chip } = timer0();
  chip.write(T0.TCCR0B, 0x01); // clk/1, takes effect at the end of this 1-cycle OUT
  chip.step(1);
  chip.now += 100; // 100 cycles pass without any callback
  assert.equal(chip.read(T0.TCNT0), 100);
  chip.fireDue();
  chip.run(300 - chip.now + 1);
  assert.equal(chip.data[T0.TIFR0]! & 0x01, 0x01);
  assert.deepEqual(chip.requestCycles(AvrVector.TIMER0_OVF), [], 'TOIE0 off: no request');
  // 1 million cycles: a handful of events per overflow, not one per cycle.
  const before = chip.fired;
  chip.run(1_000_000, 4);
  assert.ok(chip.fired - before < 3 * (1_000_000 / 256) + 10, `fired ${chip.fired - before}`);
});

test('Timer2 uses its own prescaler set: clk/32 and clk/128', () => {
  for (const [cs, div] of [
    [3, 32],
    [5, 128],
  ] as const) {
    const chip = new FakeChip();
    const t = new Timer8(chip, TIMER2_CONFIG);
    chip.write(T2.TCCR2B, cs);
    chip.step(1);
    assert.equal(t.prescaler(), div);
    chip.run(div * 10);
    assert.equal(chip.read(T2.TCNT2), 10);
    chip.write(T2.TIMSK2, 0x01);
    const at = chip.runUntil(() => chip.requesting(AvrVector.TIMER2_OVF), 256 * div);
    assert.equal(at, 1 + 256 * div);
  }
});

test('Timer0 fast PWM: an OCR0A write is buffered until BOTTOM; TOV0 at each wrap', () => {
  const { chip, t } = timer0();
  sts(chip, T0.TCCR0A, WGM01 | WGM00);
  sts(chip, T0.OCR0A, 10);
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  const phase = chip.now;
  chip.run(50);
  sts(chip, T0.OCR0A, 200); // buffered: still matches at 10 until the wrap
  chip.run(300 - (chip.now - phase));
  chip.write(T0.TIFR0, 0x07);
  chip.step(1);
  chip.write(T0.TIMSK0, 0x02);
  const at = chip.runUntil(() => chip.requesting(AvrVector.TIMER0_COMPA), 1000);
  assert.equal(at, phase + 256 + 200, 'second period matches the new OCR0A');
  assert.equal(t.wgm(), 3);
});

test('Timer0 phase-correct PWM: TOV0 at BOTTOM every 510 ticks, OCF0A counting up and down', () => {
  const { chip } = timer0();
  sts(chip, T0.OCR0A, 100); // immediate in normal mode; buffered until TOP once in PWM
  sts(chip, T0.TCCR0A, WGM00);
  chip.write(T0.TIMSK0, 0x03);
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  const phase = chip.now;
  const matches: number[] = [];
  const ovfs: number[] = [];
  while (chip.now < phase + 1100) {
    chip.step(1);
    if (chip.requesting(AvrVector.TIMER0_COMPA)) {
      matches.push(chip.now - phase);
      chip.takeInterrupt(AvrVector.TIMER0_COMPA);
    }
    if (chip.requesting(AvrVector.TIMER0_OVF)) {
      ovfs.push(chip.now - phase);
      chip.takeInterrupt(AvrVector.TIMER0_OVF);
    }
  }
  assert.deepEqual(matches, [100, 410, 610, 920]);
  assert.deepEqual(ovfs, [510, 1020]);
});

test('a TCNT0 write takes effect at the end of the writing instruction and swallows the ticks inside it', () => {
  const { chip } = timer0();
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  chip.run(20);
  chip.write(T0.TCNT0, 0x80); // STS: ticks at +1 and +2 are swallowed
  chip.step(2);
  assert.equal(chip.read(T0.TCNT0), 0x80);
  chip.step(1);
  assert.equal(chip.read(T0.TCNT0), 0x81);
});

test('TIFR0: a 1 clears a flag, a 0 leaves it (datasheet 15.9.7; avr8js clears every flag on any write), SBI clears only its bit', () => {
  const { chip } = timer0();
  sts(chip, T0.TCCR0A, WGM01);
  sts(chip, T0.OCR0A, 3);
  sts(chip, T0.OCR0B, 2);
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  chip.run(10);
  assert.equal(chip.data[T0.TIFR0]! & 0x06, 0x06);
  chip.write(T0.TIFR0, 0x02);
  assert.equal(chip.data[T0.TIFR0]! & 0x06, 0x04, 'OCF0B kept');
  chip.run(4);
  assert.equal(chip.data[T0.TIFR0]! & 0x06, 0x06);
  chip.sbi(T0.TIFR0, 2); // read-modify-write value 0x06, but only bit 2 is written
  assert.equal(chip.data[T0.TIFR0]! & 0x06, 0x02);
});

test('TIMSK0 set after the flag raises the request; clearing it drops the request, keeps the flag', () => {
  const { chip } = timer0();
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  chip.run(300);
  assert.equal(chip.requesting(AvrVector.TIMER0_OVF), false);
  chip.write(T0.TIMSK0, 0x01);
  assert.equal(chip.requesting(AvrVector.TIMER0_OVF), true);
  chip.write(T0.TIMSK0, 0x00);
  assert.equal(chip.requesting(AvrVector.TIMER0_OVF), false);
  assert.equal(chip.data[T0.TIFR0]! & 1, 1);
});

test('Timer0 external clock (CS=7): counts rising edges on T0 only', () => {
  const { chip, t } = timer0();
  chip.write(T0.TCCR0B, 0x07);
  chip.step(1);
  chip.run(1000);
  assert.equal(chip.read(T0.TCNT0), 0);
  t.clockPin(true);
  t.clockPin(false);
  t.clockPin(true);
  assert.equal(chip.read(T0.TCNT0), 2);
});

test('reset() restores the datasheet reset values and stops the timer', () => {
  const { chip, t } = timer0();
  sts(chip, T0.TCCR0A, WGM01);
  sts(chip, T0.OCR0A, 5);
  sts(chip, T0.TCCR0B, 0x01);
  chip.run(100);
  t.reset();
  for (const a of Object.values(T0)) assert.equal(chip.data[a], 0, `0x${a.toString(16)}`);
  chip.run(1000);
  assert.equal(chip.read(T0.TCNT0), 0);
  assert.equal(chip.nextDeadline(), null);
});

// ---- cross-check against avr8js ----

export const T8_CASES = [
  ['Timer0', TIMER0_CONFIG, timer0Config, { TCCRA: T0.TCCR0A, TCCRB: T0.TCCR0B, TCNT: T0.TCNT0, OCRA: T0.OCR0A, OCRB: T0.OCR0B, TIFR: T0.TIFR0, TIMSK: T0.TIMSK0 }, 3],
  ['Timer2', TIMER2_CONFIG, timer2Config, { TCCRA: T2.TCCR2A, TCCRB: T2.TCCR2B, TCNT: T2.TCNT2, OCRA: T2.OCR2A, OCRB: T2.OCR2B, TIFR: T2.TIFR2, TIMSK: T2.TIMSK2 }, 3],
] as const;
for (const [name, ourCfg, theirCfg, R, csMax] of T8_CASES) {
  test(`${name} matches avr8js's AVRTimer on 300 generated register scripts (TIFR after every instruction, every TCNT read)`, () => {
    for (let seed = 1; seed <= 300; seed++) {
      const chip = new FakeChip();
      new Timer8(chip, ourCfg);
      const ours = new OursRig(chip);
      const theirs = new Avr8jsRig();
      new AVRTimer(theirs.cpu, theirCfg);
      const diff = runBoth(genTimerScript(seed, R, csMax), ours, theirs, [R.TIFR]);
      assert.equal(diff, null, `seed ${seed}: ${diff}`);
    }
  });
}

void WGM02;

for (const [name, ourCfg, theirCfg, R, csMax] of T8_CASES) {
  test(`${name} compare outputs (COM bits, FOC strobes) drive OC pins as avr8js does: PINB/PIND and TIFR after every instruction`, () => {
    for (let seed = 1; seed <= 200; seed++) {
      const chip = new FakeChip();
      const gpio = new Gpio(chip);
      new Timer8(chip, ourCfg, { outputs: gpio });
      const ours = new OursRig(chip);
      const theirs = new Avr8jsRig();
      new AVRIOPort(theirs.cpu, portBConfig);
      new AVRIOPort(theirs.cpu, portDConfig);
      new AVRTimer(theirs.cpu, theirCfg);
      for (const r of [ours, theirs]) {
        r.write(G.DDRB, 0xff);
        r.write(G.DDRD, 0xff);
        r.write(G.PORTD, 0x0f);
      }
      const diff = runBoth(genTimerScript(seed, R, csMax, true), ours, theirs, [R.TIFR, G.PINB, G.PIND]);
      assert.equal(diff, null, `seed ${seed}: ${diff}`);
    }
  });
}

test('Timer0 fast PWM non-inverting on OC0A (PD6): set at BOTTOM, cleared at the OCR0A match', () => {
  const chip = new FakeChip();
  const gpio = new Gpio(chip);
  new Timer8(chip, TIMER0_CONFIG, { outputs: gpio });
  chip.write(G.DDRD, 1 << 6);
  chip.write(T0.OCR0A, 64);
  chip.write(T0.TCCR0A, 0x80 | WGM01 | WGM00);
  chip.write(T0.TCCR0B, 0x01);
  chip.step(1);
  const t0 = chip.now;
  const edges: string[] = [];
  gpio.onOutput((p, o) => edges.push(`${chip.now - t0}:${(o >> 6) & 1}`));
  chip.run(600);
  assert.deepEqual(edges, ['256:1', '320:0', '512:1', '576:0'], 'low from the enable (PORTD6 = 0) until the first BOTTOM');
});
