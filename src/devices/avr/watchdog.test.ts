import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRClock, AVRWatchdog, watchdogConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, OursRig, type Rig } from './test-support/avr8js-rig.js';
import { Watchdog, WATCHDOG_REGS as W, WDCE, WDE, WDIE, WDIF, WDP3, WDRF } from './watchdog.js';
import { AvrVector } from './vectors.js';

function wdt() {
  const chip = new FakeChip();
  const w = new Watchdog(chip);
  chip.onReset = () => w.reset();
  return { chip, w };
}

/** avr-libc's wdt_enable(): the timed sequence with two STS one instruction apart. */
function timedWrite(chip: FakeChip, value: number): void {
  chip.write(W.WDTCSR, WDCE | WDE);
  chip.step(2);
  chip.write(W.WDTCSR, value);
  chip.step(2);
}

test('watchdog timeouts are frequency/128 kHz × (2048 << WDP) cycles: 16 ms = 256,000 cycles, 8.192 s for WDP = 9', () => {
  const { chip, w } = wdt();
  timedWrite(chip, WDIE);
  assert.equal(w.timeoutCycles(), 256_000);
  timedWrite(chip, WDIE | WDP3 | 1);
  assert.equal(w.timeoutCycles(), 131_072_000);
});

test('watchdog interrupt mode: WDIF and the WDT request every timeout, WDIF cleared by the vector, WDIE kept', () => {
  const { chip } = wdt();
  const t0 = chip.now;
  chip.write(W.WDTCSR, WDIE | 1); // WDP needs the timed sequence: only WDIE lands
  chip.step(2);
  assert.equal(chip.data[W.WDTCSR], WDIE);
  chip.advanceTo(t0 + 256_000 - 1);
  assert.equal(chip.requesting(AvrVector.WDT), false);
  chip.advanceTo(t0 + 256_000);
  assert.equal(chip.requesting(AvrVector.WDT), true);
  chip.takeInterrupt(AvrVector.WDT);
  assert.equal(chip.data[W.WDTCSR], WDIE);
  chip.advanceTo(t0 + 512_000);
  assert.equal(chip.requesting(AvrVector.WDT), true);
  assert.equal(chip.resets, 0);
});

test('WDR restarts the watchdog period', () => {
  const { chip } = wdt();
  timedWrite(chip, WDE);
  const start = chip.now - 2;
  chip.advanceTo(start + 200_000);
  chip.wdr();
  chip.advanceTo(start + 300_000);
  assert.equal(chip.resets, 0);
  chip.advanceTo(start + 200_000 + 256_000);
  assert.equal(chip.resets, 1);
});

test('watchdog reset mode: MCUSR.WDRF set, chip reset requested; WDRF then keeps WDE on (datasheet 10.9.2; avr8js stops the watchdog)', () => {
  const { chip, w } = wdt();
  let resetAt = -1;
  chip.onReset = () => {
    resetAt = chip.now;
    w.reset();
  };
  timedWrite(chip, WDE | 2); // 64 ms
  const start = chip.now - 2;
  chip.advanceTo(start + 4 * 256_000 + 10);
  assert.equal(chip.resets, 1);
  assert.equal(resetAt, start + 4 * 256_000);
  assert.equal(chip.data[W.MCUSR]! & WDRF, WDRF);
  assert.equal(chip.data[W.WDTCSR], WDE, 'reset values, WDE forced by WDRF: 16 ms reset mode');
  assert.equal(w.nextTimeout(), resetAt + 256_000);
  timedWrite(chip, 0);
  assert.equal(chip.data[W.WDTCSR], WDE, 'WDE cannot be cleared while WDRF is set');
  chip.write(W.MCUSR, 0);
  timedWrite(chip, 0);
  assert.equal(chip.data[W.WDTCSR], 0);
  assert.equal(w.enabled(), false);
});

test('watchdog interrupt-and-reset mode: the first timeout interrupts and entering the vector clears WDIE; the next resets', () => {
  const { chip } = wdt();
  timedWrite(chip, WDE | WDIE);
  const t0 = chip.now - 2;
  chip.advanceTo(t0 + 256_000);
  assert.equal(chip.requesting(AvrVector.WDT), true);
  assert.equal(chip.data[W.WDTCSR]! & WDIE, WDIE, 'WDIE still set until the vector runs');
  chip.takeInterrupt(AvrVector.WDT);
  assert.equal(chip.data[W.WDTCSR]! & (WDIE | WDIF), 0);
  chip.advanceTo(t0 + 512_000);
  assert.equal(chip.resets, 1);
});

test('the timed sequence: WDE cannot be cleared nor WDP changed without it, or after its 4-cycle window', () => {
  const { chip } = wdt();
  chip.write(W.WDTCSR, WDE); // setting WDE needs no sequence (safety level 1)
  chip.step(2);
  assert.equal(chip.data[W.WDTCSR], WDE);
  chip.write(W.WDTCSR, 0x07);
  chip.step(2);
  assert.equal(chip.data[W.WDTCSR], WDE);
  chip.write(W.WDTCSR, WDCE | WDE);
  chip.step(4);
  chip.write(W.WDTCSR, 0x01); // 4 cycles later: too late
  assert.equal(chip.data[W.WDTCSR], WDE);
  chip.write(W.WDTCSR, WDCE | WDE);
  chip.step(3);
  chip.write(W.WDTCSR, 0x01);
  assert.equal(chip.data[W.WDTCSR], 0x01);
});

test('writing 1 to WDIF clears it; writing 0 leaves it', () => {
  const { chip } = wdt();
  chip.write(W.WDTCSR, WDIE);
  chip.advanceTo(256_000);
  assert.equal(chip.data[W.WDTCSR], WDIE | WDIF);
  chip.write(W.WDTCSR, WDIE);
  assert.equal(chip.data[W.WDTCSR], WDIE | WDIF);
  chip.write(W.WDTCSR, WDIE | WDIF);
  assert.equal(chip.data[W.WDTCSR], WDIE);
});

// ---- cross-check against avr8js ----

function scenario(r: Rig, wdr: () => void): string[] {
  const log: string[] = [];
  const seq = (v: number) => {
    r.write(W.WDTCSR, WDCE | WDE);
    r.step(2);
    r.write(W.WDTCSR, v);
    r.step(2);
  };
  seq(WDIE | 1);
  let next = 0;
  for (let i = 0; i < 3_000_000 && log.length < 6; i += 4) {
    r.step(4);
    if (r.peek(W.WDTCSR) & WDIF) {
      log.push(`WDIF@${r.cycles}`);
      r.write(W.WDTCSR, WDIE | WDIF);
      r.step(2);
    }
    if (++next === 30_000) {
      wdr();
      log.push(`wdr@${r.cycles}`);
    }
  }
  return log;
}

test('watchdog interrupt timing matches avr8js (timed sequence, WDR, WDIF clears) to the cycle', () => {
  const chip = new FakeChip();
  new Watchdog(chip);
  const ours = scenario(new OursRig(chip), () => chip.wdr());
  const rig = new Avr8jsRig();
  new AVRWatchdog(rig.cpu, watchdogConfig, new AVRClock(rig.cpu, 16_000_000));
  const theirs = scenario(rig, () => rig.cpu.onWatchdogReset());
  assert.deepEqual(ours, theirs);
  assert.equal(ours.length, 6);
});
