import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRUSART, usart0Config } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, OursRig, prng, type Rig } from './test-support/avr8js-rig.js';
import { DOR0, RXC0, RXCIE0, RXEN0, TXC0, TXCIE0, TXEN0, U2X0, UDRE0, UDRIE0, Usart, USART0_REGS as U, type UsartOptions } from './usart.js';
import { AvrVector } from './vectors.js';

function usart(options: UsartOptions = {}) {
  const chip = new FakeChip();
  const out: number[] = [];
  const u = new Usart(chip, { onByte: (b) => out.push(b), ...options });
  return { chip, u, out };
}

/** Serial.begin(115200) as the Arduino core does it: U2X0, UBRR0 = 16, 8N1, RX and TX on. */
function begin115200(chip: FakeChip): void {
  chip.write(U.UCSR0A, U2X0);
  chip.write(U.UBRR0H, 0);
  chip.write(U.UBRR0L, 16);
  chip.write(U.UCSR0B, RXEN0 | TXEN0);
}

test('USART0 frame time comes from UBRR0, U2X0 and the frame format: 115200 8N1 with U2X0 is 17×8×10 cycles', () => {
  const { chip, u } = usart();
  begin115200(chip);
  assert.equal(u.frameCycles(), 17 * 8 * 10);
  assert.equal(Math.round(u.baudRate()), 117647);
  chip.write(U.UCSR0A, 0);
  chip.write(U.UBRR0L, 103);
  chip.write(U.UCSR0C, 0x20 | 0x08 | 0x04); // even parity, 2 stop bits, 7 data bits
  assert.equal(u.dataBits(), 7);
  assert.equal(u.frameCycles(), 104 * 16 * (1 + 7 + 1 + 2));
});

test('USART0 (avr8js timing): a UDR0 write sends the byte at once, clears UDRE0/TXC0 and sets both one frame later', () => {
  const { chip, out } = usart();
  begin115200(chip);
  chip.step(1);
  const t0 = chip.now;
  chip.write(U.UDR0, 0x41);
  assert.deepEqual(out, [0x41]);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), 0);
  chip.run(1359);
  assert.equal(chip.data[U.UCSR0A]! & UDRE0, 0);
  chip.step(1);
  assert.equal(chip.now, t0 + 1360);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), UDRE0 | TXC0);
});

test('USART0 (datasheet timing): the transmit buffer takes a second byte while the first is shifted out; TXC0 after the last frame', () => {
  const { chip, out } = usart({ timing: 'datasheet' });
  begin115200(chip);
  const t0 = chip.now;
  chip.write(U.UDR0, 1);
  assert.equal(chip.data[U.UCSR0A]! & UDRE0, UDRE0, 'shift register busy, buffer free');
  chip.write(U.UDR0, 2);
  assert.equal(chip.data[U.UCSR0A]! & UDRE0, 0);
  chip.write(U.UDR0, 3); // UDRE0 clear: ignored (19.6.3)
  assert.deepEqual(out, [1]);
  chip.advanceTo(t0 + 1360);
  assert.deepEqual(out, [1, 2]);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), UDRE0);
  chip.advanceTo(t0 + 2720);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), UDRE0 | TXC0);
});

test('USART0 ignores UDR0 writes while TXEN0 is clear', () => {
  const { chip, out } = usart();
  chip.write(U.UDR0, 0x55);
  assert.deepEqual(out, []);
  assert.equal(chip.data[U.UCSR0A], UDRE0);
});

test('USART0 receive(): bytes arrive one frame apart, RXC0 holds until UDR0 is read, a third unread byte is lost with DOR0', () => {
  const { chip, u } = usart();
  begin115200(chip);
  const t0 = chip.now;
  u.receive(0x31, 0x32, 0x33);
  chip.advanceTo(t0 + 1359);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, 0);
  chip.advanceTo(t0 + 1360);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, RXC0);
  chip.advanceTo(t0 + 3 * 1360);
  assert.equal(chip.data[U.UCSR0A]! & DOR0, DOR0, 'third byte overran the two-level FIFO');
  assert.equal(chip.read(U.UDR0), 0x31);
  assert.equal(chip.data[U.UCSR0A]! & (RXC0 | DOR0), RXC0);
  assert.equal(chip.read(U.UDR0), 0x32);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, 0);
});

test('USART0 keeps host input until RXEN0 is set; clearing RXEN0 flushes the receive buffer', () => {
  const { chip, u } = usart();
  chip.write(U.UBRR0L, 16);
  chip.write(U.UCSR0A, U2X0);
  u.receive(7, 8);
  chip.run(5000, 4);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, 0);
  assert.equal(u.pendingInput(), 2);
  chip.write(U.UCSR0B, RXEN0);
  chip.run(1360);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, RXC0);
  chip.write(U.UCSR0B, 0);
  assert.equal(chip.data[U.UCSR0A]! & RXC0, 0);
  assert.equal(chip.read(U.UDR0), 0);
});

test('USART_RX and USART_UDRE stay requested through vector entry; USART_TX is cleared by it', () => {
  const { chip, u } = usart();
  begin115200(chip);
  chip.write(U.UCSR0B, RXEN0 | TXEN0 | RXCIE0 | UDRIE0 | TXCIE0);
  assert.equal(chip.requesting(AvrVector.USART_UDRE), true);
  chip.takeInterrupt(AvrVector.USART_UDRE);
  assert.equal(chip.requesting(AvrVector.USART_UDRE), true, 'UDRE0 is not cleared by the vector (19.7.3)');
  chip.write(U.UDR0, 0x10);
  assert.equal(chip.requesting(AvrVector.USART_UDRE), false);
  u.receive(0x20);
  chip.run(1360);
  assert.equal(chip.requesting(AvrVector.USART_RX), true);
  assert.equal(chip.requesting(AvrVector.USART_TX), true);
  chip.takeInterrupt(AvrVector.USART_RX);
  assert.equal(chip.requesting(AvrVector.USART_RX), true);
  chip.takeInterrupt(AvrVector.USART_TX);
  assert.equal(chip.requesting(AvrVector.USART_TX), false);
  assert.equal(chip.data[U.UCSR0A]! & TXC0, 0);
  assert.equal(chip.read(U.UDR0), 0x20);
  assert.equal(chip.requesting(AvrVector.USART_RX), false);
});

test('UCSR0A writes keep the read-only RXC0/UDRE0 (avr8js zeroes them); writing 1 to TXC0 clears it', () => {
  const { chip } = usart();
  begin115200(chip);
  chip.write(U.UDR0, 1);
  chip.run(1360);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), UDRE0 | TXC0);
  chip.write(U.UCSR0A, U2X0);
  assert.equal(chip.data[U.UCSR0A]! & (UDRE0 | TXC0), UDRE0 | TXC0);
  chip.write(U.UCSR0A, U2X0 | TXC0);
  assert.equal(chip.data[U.UCSR0A], UDRE0 | U2X0);
});

test('reset() restores UCSR0A = 0x20, UCSR0C = 0x06 and empties the queues', () => {
  const { chip, u } = usart();
  begin115200(chip);
  u.receive(1, 2, 3);
  chip.write(U.UDR0, 9);
  u.reset();
  assert.deepEqual([U.UCSR0A, U.UCSR0B, U.UCSR0C, U.UBRR0L, U.UBRR0H].map((a) => chip.data[a]), [0x20, 0, 0x06, 0, 0]);
  assert.equal(u.pendingInput(), 0);
  assert.equal(chip.nextDeadline(), null);
});

// ---- cross-check against avr8js ----

/** A polling transmitter (`while (!(UCSR0A & UDRE0)); UDR0 = c;`) on both; UCSR0A after each instruction. */
function txScript(r: Rig, seed: number): string[] {
  const rnd = prng(seed);
  const trace: string[] = [];
  r.write(U.UBRR0H, 0);
  r.write(U.UBRR0L, [0, 1, 3, 16, 103][seed % 5]!);
  r.write(U.UCSR0C, Math.floor(rnd() * 64) & 0x3e);
  r.write(U.UCSR0B, TXEN0 | (rnd() < 0.5 ? 4 : 0));
  r.step(2);
  for (let n = 0; n < 6; n++) {
    while (!(r.read(U.UCSR0A) & UDRE0)) {
      r.step(2);
      r.step(1 + Math.floor(rnd() * 3));
      trace.push(`${r.cycles}:${r.peek(U.UCSR0A) & 0xe0}`);
    }
    r.step(2);
    r.write(U.UDR0, 0x40 + n);
    r.step(2);
    trace.push(`${r.cycles}:${r.peek(U.UCSR0A) & 0xe0}`);
  }
  return trace;
}

test('USART0 transmit matches avr8js: bytes, and UDRE0/TXC0 after every instruction of a polling loop, for random frame formats', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const chip = new FakeChip();
    new Usart(chip, { onByte: (b) => ours.push(b) });
    const a = txScript(new OursRig(chip), seed);
    const rig = new Avr8jsRig();
    const their = new AVRUSART(rig.cpu, usart0Config, 16_000_000);
    their.onByteTransmit = (b) => theirs.push(b);
    const b = txScript(rig, seed);
    assert.deepEqual(a, b, `seed ${seed}`);
    assert.deepEqual(ours, theirs);
  }
});

test('USART0 receive matches avr8js: RXC0 rises at the same cycle for bytes fed one at a time', () => {
  for (const ubrr of [0, 16, 103]) {
    const chip = new FakeChip();
    const u = new Usart(chip);
    const rig = new Avr8jsRig();
    const their = new AVRUSART(rig.cpu, usart0Config, 16_000_000);
    const ours = new OursRig(chip);
    for (const r of [ours, rig] as Rig[]) {
      r.write(U.UBRR0L, ubrr);
      r.write(U.UCSR0B, RXEN0);
      r.step(2);
    }
    const got: string[][] = [[], []];
    for (let n = 0; n < 3; n++) {
      u.receive(0x61 + n);
      their.writeByte(0x61 + n);
      [ours, rig].forEach((r, i) => {
        while (!(r.peek(U.UCSR0A) & RXC0)) r.step(1);
        got[i]!.push(`${r.cycles}:${r.read(U.UDR0)}`);
        r.step(3);
      });
    }
    assert.deepEqual(got[0], got[1], `UBRR0 ${ubrr}`);
  }
});
