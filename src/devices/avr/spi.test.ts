import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRSPI, spiConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig } from './test-support/avr8js-rig.js';
import { MSTR, SPE, SPI2X, SPIE, SPIF, Spi, SPI_REGS as S, WCOL, type SpiOptions } from './spi.js';
import { AvrVector } from './vectors.js';

function spi(options: SpiOptions = {}) {
  const chip = new FakeChip();
  const s = new Spi(chip, options);
  return { chip, s };
}

test('SPI master: a transfer takes 8 SCK periods (clk/4 → 32 cycles), returns the MISO byte and sets SPIF', () => {
  const sent: number[] = [];
  const { chip, s } = spi({ transfer: (b) => (sent.push(b), b ^ 0xff) });
  chip.write(S.SPCR, SPE | MSTR);
  const t0 = chip.now;
  chip.write(S.SPDR, 0x3c);
  assert.deepEqual(sent, [0x3c]);
  assert.equal(s.busy(), true);
  chip.advanceTo(t0 + 31);
  assert.equal(chip.data[S.SPSR]! & SPIF, 0);
  chip.advanceTo(t0 + 32);
  assert.equal(chip.data[S.SPSR]! & SPIF, SPIF);
  assert.equal(chip.read(S.SPDR), 0xc3);
});

test('SPI clock rates: SPR1:0 give clk/4, 16, 64, 128; SPI2X halves them', () => {
  const { chip, s } = spi();
  const got: number[] = [];
  for (const spr of [0, 1, 2, 3]) {
    chip.write(S.SPCR, SPE | MSTR | spr);
    got.push(s.transferCycles());
  }
  chip.write(S.SPSR, SPI2X);
  got.push(s.transferCycles());
  assert.deepEqual(got, [32, 128, 512, 1024, 512]);
});

test('SPI: a SPDR write during a transfer sets WCOL and is not sent', () => {
  const sent: number[] = [];
  const { chip } = spi({ transfer: (b) => (sent.push(b), 0) });
  chip.write(S.SPCR, SPE | MSTR);
  chip.write(S.SPDR, 1);
  chip.step(10);
  chip.write(S.SPDR, 2);
  assert.equal(chip.data[S.SPSR]! & WCOL, WCOL);
  assert.deepEqual(sent, [1]);
});

test('SPIF is cleared by reading SPSR then accessing SPDR (18.5.2), or by entering SPI_STC; SPSR writes cannot clear it', () => {
  const { chip } = spi();
  chip.write(S.SPCR, SPE | MSTR | SPIE);
  chip.write(S.SPDR, 1);
  chip.run(32);
  assert.equal(chip.requesting(AvrVector.SPI_STC), true);
  chip.write(S.SPSR, SPIF);
  assert.equal(chip.data[S.SPSR]! & SPIF, SPIF, 'SPIF is read-only');
  chip.read(S.SPSR);
  chip.read(S.SPDR);
  assert.equal(chip.data[S.SPSR]! & SPIF, 0);
  assert.equal(chip.requesting(AvrVector.SPI_STC), false);
  chip.write(S.SPDR, 2);
  chip.run(32);
  chip.takeInterrupt(AvrVector.SPI_STC);
  assert.equal(chip.data[S.SPSR]! & SPIF, 0);
});

test('SPI slave mode (MSTR = 0) or disabled: a SPDR write only loads the register', () => {
  const sent: number[] = [];
  const { chip, s } = spi({ transfer: (b) => (sent.push(b), 0) });
  chip.write(S.SPCR, SPE);
  chip.write(S.SPDR, 9);
  assert.equal(s.busy(), false);
  assert.deepEqual(sent, []);
  assert.equal(chip.data[S.SPDR], 9);
});

test('SPI reset() clears SPCR, SPSR, SPDR and any transfer', () => {
  const { chip, s } = spi();
  chip.write(S.SPCR, SPE | MSTR);
  chip.write(S.SPDR, 1);
  s.reset();
  assert.deepEqual(Object.values(S).map((a) => chip.data[a]), [0, 0, 0]);
  assert.equal(chip.nextDeadline(), null);
});

test('SPI transfer completion matches avr8js to the cycle for every clock rate', () => {
  for (const [spcr, spsr] of [
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1],
  ] as const) {
    const chip = new FakeChip();
    new Spi(chip, { transfer: (b) => b + 1 });
    const rig = new Avr8jsRig();
    const their = new AVRSPI(rig.cpu, spiConfig, 16_000_000);
    their.onTransfer = (b) => b + 1;
    const run = (write: (a: number, v: number) => void, step: (n: number) => void, peek: (a: number) => number, cycles: () => number) => {
      write(S.SPCR, SPE | MSTR | spcr);
      write(S.SPSR, spsr);
      step(2);
      write(S.SPDR, 0x10);
      step(2);
      while (!(peek(S.SPSR) & SPIF)) step(3);
      return `${cycles()}:${peek(S.SPDR)}`;
    };
    const ours = run((a, v) => chip.write(a, v), (n) => chip.step(n), (a) => chip.data[a]!, () => chip.now);
    const theirs = run((a, v) => rig.write(a, v), (n) => rig.step(n), (a) => rig.peek(a), () => rig.cycles);
    assert.equal(ours, theirs);
  }
});
