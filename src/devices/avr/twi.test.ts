import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRTWI, twiConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig } from './test-support/avr8js-rig.js';
import { Twi, TWI_REGS as T, TwiStatus, TWEA, TWEN, TWIE, TWINT, TWSTA, TWSTO, type TwiDevice, type TwiOptions } from './twi.js';
import { AvrVector } from './vectors.js';

function twi(options: TwiOptions = {}) {
  const chip = new FakeChip();
  const t = new Twi(chip, options);
  return { chip, t };
}

/** Wire's pattern: write TWCR, then wait for TWINT. */
function act(chip: FakeChip, twcr: number): number {
  chip.write(T.TWCR, twcr);
  chip.runUntil(() => (chip.data[T.TWCR]! & TWINT) !== 0, 100_000);
  return chip.data[T.TWSR]! & 0xf8;
}

test('TWI master transmit: START 0x08, SLA+W ACK 0x18, data ACK 0x28, STOP clears TWSTO without TWINT', () => {
  const log: string[] = [];
  const device: TwiDevice = {
    start: (r) => log.push(`start${r ? ' again' : ''}`),
    connect: (a, w) => (log.push(`connect ${a.toString(16)} ${w ? 'w' : 'r'}`), a === 0x3c),
    write: (b) => (log.push(`write ${b}`), true),
    stop: () => log.push('stop'),
  };
  const { chip, t } = twi({ device });
  assert.equal(act(chip, TWINT | TWSTA | TWEN), TwiStatus.START);
  chip.write(T.TWDR, 0x3c << 1);
  assert.equal(act(chip, TWINT | TWEN), TwiStatus.MT_SLA_ACK);
  chip.write(T.TWDR, 0x42);
  assert.equal(act(chip, TWINT | TWEN), TwiStatus.MT_DATA_ACK);
  chip.write(T.TWCR, TWINT | TWSTO | TWEN);
  chip.run(10);
  assert.equal(chip.data[T.TWCR]! & (TWSTO | TWINT), 0);
  assert.equal(t.status(), TwiStatus.NO_INFO);
  assert.deepEqual(log, ['start', 'connect 3c w', 'write 66', 'stop']);
});

test('TWI master receive: SLA+R ACK 0x40, bytes with ACK 0x50 then NACK 0x58 per TWEA; no device NACKs the address', () => {
  let n = 0;
  const { chip } = twi({ device: { connect: () => true, read: () => 0xa0 + n++ } });
  act(chip, TWINT | TWSTA | TWEN);
  chip.write(T.TWDR, (0x50 << 1) | 1);
  assert.equal(act(chip, TWINT | TWEN), TwiStatus.MR_SLA_ACK);
  assert.equal(act(chip, TWINT | TWEA | TWEN), TwiStatus.MR_DATA_ACK);
  assert.equal(chip.data[T.TWDR], 0xa0);
  assert.equal(act(chip, TWINT | TWEN), TwiStatus.MR_DATA_NACK);
  assert.equal(chip.data[T.TWDR], 0xa1);
  const lonely = twi();
  act(lonely.chip, TWINT | TWSTA | TWEN);
  lonely.chip.write(T.TWDR, 0x20 << 1);
  assert.equal(act(lonely.chip, TWINT | TWEN), TwiStatus.MT_SLA_NACK);
});

test("TWI 'bus' timing: START takes one SCL period, a byte nine (SCL = 16 + 2·TWBR·4^TWPS cycles)", () => {
  const { chip, t } = twi({ timing: 'bus', device: { connect: () => true } });
  chip.write(T.TWBR, 72); // 100 kHz at 16 MHz
  assert.equal(t.sclCycles(), 160);
  const t0 = chip.now;
  act(chip, TWINT | TWSTA | TWEN);
  assert.equal(chip.now - t0, 160);
  chip.write(T.TWDR, 0x10);
  const t1 = chip.now;
  act(chip, TWINT | TWEN);
  assert.equal(chip.now - t1, 9 * 160);
});

test('TWI interrupt: TWINT & TWIE request it; entering the vector does not clear TWINT (22.9.2), writing 1 does', () => {
  const { chip } = twi();
  act(chip, TWINT | TWSTA | TWEN | TWIE);
  assert.equal(chip.requesting(AvrVector.TWI), true);
  chip.takeInterrupt(AvrVector.TWI);
  assert.equal(chip.requesting(AvrVector.TWI), true);
  chip.write(T.TWCR, TWEN | TWIE); // TWINT written 0: stays set, nothing starts
  assert.equal(chip.requesting(AvrVector.TWI), true);
  chip.write(T.TWCR, TWINT | TWSTO | TWEN | TWIE);
  assert.equal(chip.requesting(AvrVector.TWI), false);
});

test('TWI reset values: TWSR 0xF8, TWDR 0xFF, TWAR 0xFE', () => {
  const { chip, t } = twi();
  chip.write(T.TWBR, 5);
  t.reset();
  assert.deepEqual(Object.values(T).map((a) => chip.data[a]), [0, 0xf8, 0xfe, 0xff, 0, 0]);
});

test("TWI START and SLA+W to nobody match avr8js's AVRTWI (Noop handler): TWSR/TWINT after every instruction", () => {
  const chip = new FakeChip();
  new Twi(chip);
  const rig = new Avr8jsRig();
  new AVRTWI(rig.cpu, twiConfig, 16_000_000);
  const run = (write: (a: number, v: number) => void, step: (n: number) => void, peek: (a: number) => number) => {
    const log: string[] = [];
    const wait = () => {
      for (let i = 0; i < 5; i++) {
        step(1);
        log.push(`${peek(T.TWSR)}/${peek(T.TWCR) & TWINT}`);
      }
    };
    write(T.TWCR, TWINT | TWSTA | TWEN);
    wait();
    write(T.TWDR, 0x78);
    write(T.TWCR, TWINT | TWEN);
    wait();
    return log;
  };
  const ours = run((a, v) => chip.write(a, v), (n) => chip.step(n), (a) => chip.data[a]!);
  const theirs = run((a, v) => rig.write(a, v), (n) => rig.step(n), (a) => rig.peek(a));
  assert.deepEqual(ours, theirs);
});
