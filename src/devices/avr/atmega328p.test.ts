import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeChip } from './test-support/fake-chip.js';
import { Atmega328pPeripherals } from './atmega328p.js';
import { TIMER0_REGS as T0 } from './timer8.js';
import { TIMER1_REGS as T1 } from './timer16.js';
import { USART0_REGS as U, TXEN0 } from './usart.js';
import { WATCHDOG_REGS as W, WDE, WDRF } from './watchdog.js';
import { AvrVector, avrVectorName } from './vectors.js';

function board() {
  const chip = new FakeChip();
  const out: number[] = [];
  const p = new Atmega328pPeripherals(chip, { usart: { onByte: (b) => out.push(b) } });
  chip.onReset = () => p.reset();
  return { chip, p, out };
}

test('all peripherals on one chip: no address hooked twice (the fake chip throws), USART and Timer0 work side by side', () => {
  const { chip, out } = board();
  chip.write(U.UCSR0B, TXEN0);
  chip.write(U.UDR0, 0x48);
  assert.deepEqual(out, [0x48]);
  chip.write(T0.TCCR0B, 3);
  chip.step(1);
  chip.run(64 * 10);
  assert.equal(chip.read(T0.TCNT0), 10);
});

test('PD5 edges clock Timer1 when CS1 = 7 (external, rising); PB0 edges capture into ICR1', () => {
  const { chip, p } = board();
  chip.write(T1.TCCR1B, 0x40 | 0x07);
  chip.step(1);
  for (let i = 0; i < 3; i++) {
    p.gpio.setPin('D', 5, true);
    p.gpio.setPin('D', 5, false);
  }
  assert.equal(p.timer1.counter(), 3);
  p.gpio.setPin('B', 0, true);
  assert.equal(p.timer1.inputCapture(), 3);
  assert.equal(chip.data[0x36]! & 0x20, 0x20);
});

test('a watchdog reset resets every peripheral through the chip and keeps MCUSR.WDRF', () => {
  const { chip } = board();
  chip.write(U.UCSR0B, TXEN0);
  chip.write(W.WDTCSR, WDE);
  chip.advanceTo(256_000);
  assert.equal(chip.resets, 1);
  assert.equal(chip.data[U.UCSR0B], 0);
  assert.equal(chip.data[W.MCUSR]! & WDRF, WDRF);
});

test('vector names follow the datasheet table', () => {
  assert.equal(avrVectorName(0), 'RESET');
  assert.equal(avrVectorName(AvrVector.TIMER0_OVF), 'TIMER0_OVF');
  assert.equal(avrVectorName(25), 'SPM_READY');
  assert.equal(AvrVector.USART_RX, 18);
});

test('analogWrite-style PWM on OC2A reaches PB3 through the GPIO', () => {
  const { chip, p } = board();
  const seen: number[] = [];
  p.gpio.onOutput((port, o) => {
    if (port === 'B') seen.push((o >> 3) & 1);
  });
  chip.write(0x24, 1 << 3); // DDRB: PB3 output
  chip.write(0xb3, 128); // OCR2A
  chip.write(0xb0, 0x80 | 0x03); // COM2A1, fast PWM
  chip.write(0xb1, 0x01);
  chip.step(1);
  chip.run(1024);
  assert.deepEqual(seen.slice(1, 5), [1, 0, 1, 0]);
});
