import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AVREEPROM, EEPROMMemoryBackend } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig } from './test-support/avr8js-rig.js';
import { AVR8JS_EEPROM_TIMES, Eeprom, EEPROM_REGS as E, EEMPE, EEPE, EERE, EERIE, type EepromOptions } from './eeprom.js';
import { AvrVector } from './vectors.js';

function eeprom(options: EepromOptions = {}) {
  const chip = new FakeChip();
  const e = new Eeprom(chip, options);
  return { chip, e };
}

function setAddress(chip: FakeChip, addr: number): void {
  chip.write(E.EEARH, addr >> 8);
  chip.write(E.EEARL, addr & 0xff);
}

/** avr-libc's eeprom_write_byte core: SBI EEMPE; SBI EEPE (2 cycles each). */
function program(chip: FakeChip, addr: number, value: number, eecr = 0): void {
  setAddress(chip, addr);
  chip.write(E.EEDR, value);
  chip.write(E.EECR, eecr);
  chip.sbi(E.EECR, 2);
  chip.step(2);
  chip.sbi(E.EECR, 1);
  chip.step(2);
}

test('EEPROM read: EERE loads EEDR from EEAR at once and halts the CPU 4 cycles', () => {
  const contents = new Uint8Array(1024);
  contents[0x3ff] = 0xa5;
  const { chip } = eeprom({ contents });
  setAddress(chip, 0x3ff);
  chip.sbi(E.EECR, 0);
  assert.equal(chip.data[E.EEDR], 0xa5);
  assert.equal(chip.stalled, 4);
  assert.equal(chip.data[E.EECR]! & EERE, 0, 'EERE is a strobe');
});

test('EEPROM erase-and-write takes 3.4 ms (54,400 cycles, datasheet table 8-2): EEPE reads 1 until then, EE_READY after', () => {
  const { chip, e } = eeprom();
  chip.write(E.EECR, EERIE);
  assert.equal(chip.requesting(AvrVector.EE_READY), true, 'ready while idle');
  const t0 = chip.now + 2; // the SBI EEPE instruction's first cycle
  program(chip, 5, 0x42, EERIE);
  assert.equal(chip.stalled, 2);
  assert.equal(e.busy(), true);
  assert.equal(chip.requesting(AvrVector.EE_READY), false);
  chip.advanceTo(t0 + 54_400 - 1);
  assert.equal(chip.data[E.EECR]! & EEPE, EEPE);
  chip.advanceTo(t0 + 54_400);
  assert.equal(chip.data[E.EECR]! & EEPE, 0);
  assert.equal(chip.requesting(AvrVector.EE_READY), true);
  chip.takeInterrupt(AvrVector.EE_READY);
  assert.equal(chip.requesting(AvrVector.EE_READY), true, 'EE_READY is a level: not cleared by the vector');
  assert.equal(e.memory[5], 0x42);
});

test('EEPROM erase only and write only take 1.8 ms each; write only can only clear bits', () => {
  const contents = new Uint8Array(1024).fill(0x0f);
  const { chip, e } = eeprom({ contents });
  program(chip, 1, 0x00, 0x10); // EEPM = 1: erase only
  assert.equal(e.memory[1], 0xff);
  chip.advanceTo(chip.now + 28_800);
  assert.equal(e.busy(), false);
  program(chip, 2, 0xf3, 0x20); // EEPM = 2: write only
  assert.equal(e.memory[2], 0x03);
  chip.advanceTo(chip.now + 28_800);
  assert.equal(e.busy(), false);
});

test('EEPE does nothing without EEMPE, more than 4 cycles after it, or in the same write (datasheet 8.6.3)', () => {
  const { chip, e } = eeprom();
  setAddress(chip, 0);
  chip.write(E.EEDR, 0);
  chip.sbi(E.EECR, 1);
  assert.equal(e.busy(), false);
  chip.sbi(E.EECR, 2);
  chip.step(4);
  chip.sbi(E.EECR, 1);
  assert.equal(e.busy(), false);
  assert.equal(chip.data[E.EECR]! & EEMPE, 0, 'EEMPE cleared itself after 4 cycles');
  chip.write(E.EECR, EEMPE | EEPE);
  assert.equal(e.busy(), false);
  assert.equal(e.memory[0], 0xff);
});

test('EEAR and EEPM cannot change while a write is in progress; reads are ignored then', () => {
  const { chip, e } = eeprom();
  program(chip, 7, 0x11);
  setAddress(chip, 9);
  assert.equal(chip.data[E.EEARL], 7);
  chip.write(E.EEDR, 0);
  chip.sbi(E.EECR, 0);
  assert.equal(chip.data[E.EEDR], 0);
  assert.equal(chip.stalled, 2);
  chip.advanceTo(chip.now + 60_000);
  chip.sbi(E.EECR, 0);
  assert.equal(chip.data[E.EEDR], 0x11);
  assert.equal(e.busy(), false);
});

test('EEPROM contents persist to a file when one is given', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'eeprom-')), 'eeprom.bin');
  const a = eeprom({ file });
  program(a.chip, 3, 0x99);
  a.chip.advanceTo(a.chip.now + 60_000);
  assert.equal(readFileSync(file)[3], 0x99);
  const b = eeprom({ file });
  assert.equal(b.e.memory[3], 0x99);
});

test('reset() clears the registers and keeps the contents', () => {
  const { chip, e } = eeprom();
  program(chip, 4, 0x12);
  e.reset();
  assert.deepEqual(Object.values(E).map((a) => chip.data[a]), [0, 0, 0, 0]);
  assert.equal(e.memory[4], 0x12);
  assert.equal(chip.nextDeadline(), null);
});

test('EEPROM write and read timing match avr8js (with its 3.6 ms erase-and-write): EECR after every instruction, CPU halts', () => {
  const chip = new FakeChip();
  new Eeprom(chip, { times: AVR8JS_EEPROM_TIMES });
  const rig = new Avr8jsRig();
  new AVREEPROM(rig.cpu, new EEPROMMemoryBackend(1024));
  const run = (write: (a: number, v: number, m?: number) => void, step: (n: number) => void, peek: (a: number) => number, cycles: () => number) => {
    const log: string[] = [];
    write(E.EEARL, 0x10);
    write(E.EEDR, 0x5a);
    step(1);
    write(E.EECR, EERIE | EEMPE);
    step(1);
    write(E.EECR, EERIE | EEMPE | EEPE);
    step(1);
    log.push(`${cycles()}:${peek(E.EECR)}`);
    while (peek(E.EECR) & EEPE) step(3);
    log.push(`${cycles()}:${peek(E.EECR)}`);
    write(E.EECR, EERIE | EERE);
    step(1);
    log.push(`${cycles()}:${peek(E.EEDR)}`);
    return log;
  };
  const ours = run((a, v) => chip.write(a, v), (n) => chip.step(n), (a) => chip.data[a]!, () => chip.now);
  const theirs = run((a, v) => rig.write(a, v), (n) => rig.step(n), (a) => rig.peek(a), () => rig.cycles);
  assert.deepEqual(ours, theirs);
});
