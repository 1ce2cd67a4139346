import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrqPin } from '../core/irq.js';
import { CmsdkApbUart, CmsdkUartCtrl as C, CmsdkUartInt as I, CmsdkUartReg as R, CmsdkUartState as S } from './cmsdk-apb-uart.js';

function rig() {
  const out: number[] = [];
  const tx = new IrqPin(), rx = new IrqPin(), txo = new IrqPin(), rxo = new IrqPin(), all = new IrqPin();
  const uart = new CmsdkApbUart({ output: (b) => out.push(b), txInt: tx, rxInt: rx, txOverrunInt: txo, rxOverrunInt: rxo, combinedInt: all });
  const rd = (off: number, size = 4) => uart.read(off, size);
  const wr = (off: number, v: number, size = 4) => uart.write(off, size, v);
  const levels = () => [tx.level, rx.level, txo.level, rxo.level, all.level];
  return { uart, out, rd, wr, levels, tx, rx };
}

test('reset state: every register reads 0; the PID/CID registers identify a CMSDK UART', () => {
  const r = rig();
  for (const off of [R.DATA, R.STATE, R.CTRL, R.INTSTATUS, R.BAUDDIV, 0x14, 0x100, 0xfcc]) assert.equal(r.rd(off), 0, `0x${off.toString(16)}`);
  const ids = [];
  for (let off = 0xfd0; off <= 0xffc; off += 4) ids.push(r.rd(off));
  assert.deepEqual(ids, [0x04, 0, 0, 0, 0x21, 0xb8, 0x1b, 0, 0x0d, 0xf0, 0x05, 0xb1]);
});

test('a DATA write with TX enabled goes straight to the output; TX_INTEN latches INTSTATUS.TX and the TX and combined lines', () => {
  const r = rig();
  r.wr(R.CTRL, C.TX_EN | C.TX_INTEN);
  r.wr(R.DATA, 0x141); // only the low byte is sent
  assert.deepEqual(r.out, [0x41]);
  assert.equal(r.rd(R.STATE) & S.TXFULL, 0);
  assert.equal(r.rd(R.INTSTATUS), I.TX);
  assert.deepEqual(r.levels(), [true, false, false, false, true]);
  r.wr(R.INTCLEAR, I.TX);
  assert.equal(r.rd(R.INTSTATUS), 0);
  assert.deepEqual(r.levels(), [false, false, false, false, false]);
});

test('without TX_INTEN a byte is sent but no interrupt is latched', () => {
  const r = rig();
  r.wr(R.CTRL, C.TX_EN);
  r.wr(R.DATA, 0x42);
  assert.deepEqual(r.out, [0x42]);
  assert.equal(r.rd(R.INTSTATUS), 0);
});

test('with TX disabled the byte stays (TXFULL); enabling TX later does not send it and the next write overruns', () => {
  const r = rig();
  r.wr(R.DATA, 0x61);
  assert.deepEqual(r.out, []);
  assert.equal(r.rd(R.STATE), S.TXFULL);
  r.wr(R.CTRL, C.TX_EN | C.TXO_INTEN);
  assert.deepEqual(r.out, [], 'QEMU only transmits from a DATA write');
  r.wr(R.DATA, 0x62);
  assert.deepEqual(r.out, []);
  assert.equal(r.rd(R.STATE), S.TXFULL | S.TXOVERRUN);
  assert.equal(r.rd(R.INTSTATUS), I.TXO, 'TXO mirrors STATE.TXOVERRUN & CTRL.TXO_INTEN');
  assert.deepEqual(r.levels(), [false, false, true, false, true]);
  // clearing TXO through INTCLEAR clears the overrun in STATE
  r.wr(R.INTCLEAR, I.TXO);
  assert.equal(r.rd(R.STATE), S.TXFULL);
  assert.deepEqual(r.levels(), [false, false, false, false, false]);
});

test('TXO is not latched: it follows CTRL.TXO_INTEN and clears through STATE writes too', () => {
  const r = rig();
  r.wr(R.DATA, 1);
  r.wr(R.DATA, 2); // overrun, TXO_INTEN off
  assert.equal(r.rd(R.INTSTATUS), 0);
  r.wr(R.CTRL, C.TXO_INTEN);
  assert.equal(r.rd(R.INTSTATUS), I.TXO);
  r.wr(R.CTRL, 0);
  assert.equal(r.rd(R.INTSTATUS), 0);
  r.wr(R.CTRL, C.TXO_INTEN);
  r.wr(R.STATE, S.TXOVERRUN | S.TXFULL | S.RXFULL); // bits 0/1 are read-only
  assert.equal(r.rd(R.STATE), S.TXFULL);
  assert.equal(r.rd(R.INTSTATUS), 0);
});

test('receive: dropped while RX is disabled; RXFULL and INTSTATUS.RX on arrival; a DATA read empties the buffer', () => {
  const r = rig();
  r.uart.receive(0x31);
  assert.equal(r.rd(R.STATE), 0);
  r.wr(R.CTRL, C.RX_EN | C.RX_INTEN);
  assert.equal(r.uart.canReceive(), true);
  r.uart.receive(0x31);
  assert.equal(r.rd(R.STATE), S.RXFULL);
  assert.equal(r.rd(R.INTSTATUS), I.RX);
  assert.deepEqual(r.levels(), [false, true, false, false, true]);
  assert.equal(r.uart.canReceive(), false);
  assert.equal(r.rd(R.DATA), 0x31);
  assert.equal(r.rd(R.STATE), 0);
  assert.equal(r.rd(R.INTSTATUS), I.RX, 'INTSTATUS.RX stays until cleared');
  assert.equal(r.rd(R.DATA), 0x31, 'the buffer keeps the last byte');
});

test('a byte arriving on a full buffer is an RX overrun: it replaces the old byte, RXO follows RXO_INTEN', () => {
  const r = rig();
  r.wr(R.CTRL, C.RX_EN | C.RXO_INTEN);
  r.uart.receive(1);
  r.uart.receive(2);
  assert.equal(r.rd(R.STATE), S.RXFULL | S.RXOVERRUN);
  assert.equal(r.rd(R.INTSTATUS), I.RXO);
  assert.deepEqual(r.levels(), [false, false, false, true, true]);
  assert.equal(r.rd(R.DATA), 2);
  r.wr(R.STATE, S.RXOVERRUN);
  assert.equal(r.rd(R.STATE), 0);
  assert.deepEqual(r.levels(), [false, false, false, false, false]);
});

test('queued host input reaches the UART one byte per DATA read, and when RX gets enabled', () => {
  const r = rig();
  r.uart.pushInput(new TextEncoder().encode('hi!'));
  assert.equal(r.uart.pendingInput, 3);
  assert.equal(r.rd(R.STATE), 0, 'RX disabled: nothing taken');
  r.wr(R.CTRL, C.RX_EN);
  assert.equal(r.uart.pendingInput, 2);
  const got: number[] = [];
  while (r.rd(R.STATE) & S.RXFULL) got.push(r.rd(R.DATA));
  assert.equal(String.fromCharCode(...got), 'hi!');
  assert.equal(r.rd(R.STATE) & S.RXOVERRUN, 0, 'no overrun: bytes wait outside the UART');
  assert.equal(r.uart.hasInput, false);
});

test('CTRL keeps 7 bits, BAUDDIV 20 bits; the baud rate is pclk / BAUDDIV once BAUDDIV >= 16', () => {
  const r = rig();
  r.wr(R.CTRL, 0xffff_ffff);
  assert.equal(r.rd(R.CTRL), 0x7f);
  r.wr(R.BAUDDIV, 0xfff_ffff);
  assert.equal(r.rd(R.BAUDDIV), 0xf_ffff);
  r.wr(R.BAUDDIV, 15);
  assert.equal(r.uart.baudRate, 0);
  r.wr(R.BAUDDIV, 217);
  assert.equal(r.uart.baudRate, Math.floor(25_000_000 / 217));
});

test('narrow accesses hit the register at their own offset: a byte read of DATA reads and empties it, offset 1 reads 0', () => {
  const r = rig();
  r.wr(R.CTRL, C.RX_EN, 1);
  r.uart.receive(0xab);
  assert.equal(r.rd(R.DATA + 1, 1), 0);
  assert.equal(r.rd(R.STATE), S.RXFULL);
  assert.equal(r.rd(R.DATA, 1), 0xab);
  assert.equal(r.rd(R.STATE), 0);
  r.wr(R.BAUDDIV, 0x12345);
  assert.equal(r.rd(R.BAUDDIV, 1), 0x45);
  assert.equal(r.rd(R.BAUDDIV, 2), 0x2345);
});

test('writes to the ID registers and unknown offsets change nothing; reset clears everything but queued input', () => {
  const r = rig();
  r.wr(0xfe0, 0);
  assert.equal(r.rd(0xfe0), 0x21);
  r.wr(R.CTRL, C.TX_EN | C.TX_INTEN);
  r.wr(R.DATA, 0x55);
  r.uart.pushInput([1, 2]);
  r.uart.reset();
  assert.deepEqual([r.rd(R.STATE), r.rd(R.CTRL), r.rd(R.INTSTATUS), r.rd(R.BAUDDIV)], [0, 0, 0, 0]);
  assert.equal(r.uart.pendingInput, 2);
});
