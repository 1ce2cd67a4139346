import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { IrqPin } from '../core/irq.js';
import {
  Ns16550a, Ns16550aReg as R, UartIer, UartIir, UartLsr, UartMcr, UartMsr,
  VIRT_UART0_BASE, NS16550A_REGS_SIZE,
} from './ns16550a.js';

const B = VIRT_UART0_BASE;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A UART on a real bus, with an icount we set by hand and a log of every irq `set`. */
function rig(opts: { regshift?: number } = {}) {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock();
  clock.addSource(cpu);
  const out: number[] = [];
  const irqLog: boolean[] = [];
  const irq = new IrqPin((l) => irqLog.push(l));
  const uart = new Ns16550a({ clock, irq, output: (b) => out.push(b), regshift: opts.regshift });
  const bus = new Bus();
  bus.addMmio('uart0', B, NS16550A_REGS_SIZE << (opts.regshift ?? 0), uart);
  const sh = opts.regshift ?? 0;
  const rd = (reg: number): number => bus.read(B + (reg << sh), 1);
  const wr = (reg: number, v: number): void => bus.write(B + (reg << sh), 1, v);
  const text = (): string => String.fromCharCode(...out);
  return { cpu, clock, uart, bus, out, irq, irqLog, rd, wr, text };
}

test('reset state: IIR no interrupt, LSR THRE|TEMT, MSR DCD|DSR|CTS, MCR OUT2, line low', () => {
  const r = rig();
  assert.equal(r.rd(R.IIR), UartIir.NO_INT);
  assert.equal(r.rd(R.LSR), UartLsr.THRE | UartLsr.TEMT);
  assert.equal(r.rd(R.MSR), UartMsr.DCD | UartMsr.DSR | UartMsr.CTS);
  assert.equal(r.rd(R.MCR), UartMcr.OUT2);
  assert.equal(r.rd(R.IER), 0);
  assert.equal(r.rd(R.LCR), 0);
  assert.deepEqual(r.irqLog, [false]);
});

test('THR writes reach the output at once and leave LSR with THRE and TEMT set', () => {
  const r = rig();
  for (const c of bytes('hi\n')) r.wr(R.THR, c);
  assert.equal(r.text(), 'hi\n');
  assert.equal(r.rd(R.LSR) & (UartLsr.THRE | UartLsr.TEMT), UartLsr.THRE | UartLsr.TEMT);
});

test('a 32-bit store to THR sends only its low byte', () => {
  const r = rig();
  r.bus.write(B, 4, 0x1234_5641);
  assert.deepEqual(r.out, [0x41]);
});

test('divisor latch round-trips through DLL/DLM under DLAB and hides THR/IER meanwhile', () => {
  const r = rig();
  r.wr(R.IER, UartIer.RDI);
  r.wr(R.LCR, 0x80 | 0x03);
  assert.equal(r.rd(R.DLL), 0x0c, 'reset divisor is 12');
  assert.equal(r.rd(R.DLM), 0x00);
  r.wr(R.DLL, 0x34);
  r.wr(R.DLM, 0x12);
  assert.equal(r.rd(R.DLL), 0x34);
  assert.equal(r.rd(R.DLM), 0x12);
  assert.deepEqual(r.out, [], 'writing DLL does not transmit');
  r.wr(R.LCR, 0x03);
  assert.equal(r.rd(R.IER), UartIer.RDI);
  assert.equal(r.rd(R.LCR), 0x03);
  r.wr(R.LCR, 0x83);
  assert.equal(r.rd(R.DLL) | (r.rd(R.DLM) << 8), 0x1234);
});

test('THRE interrupt: raised when IER.THRI is enabled with THR empty, cleared by reading IIR', () => {
  const r = rig();
  r.wr(R.IER, UartIer.THRI);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.THRI);
  assert.equal(r.irq.level, false, 'reading IIR while THRI is the source clears it');
  assert.equal(r.rd(R.IIR), UartIir.NO_INT);
  assert.deepEqual(r.irqLog, [false, true, false]);
});

test('THRE interrupt: a THR write drops it, then the instant transmit raises it again', () => {
  const r = rig();
  r.wr(R.IER, UartIer.THRI);
  r.rd(R.IIR);
  r.irqLog.length = 0;
  r.wr(R.THR, 0x41);
  assert.deepEqual(r.irqLog, [false, true]);
  assert.equal(r.rd(R.IIR), UartIir.THRI);
});

test('THRE interrupt: writing IER again without toggling THRI does not re-raise it', () => {
  const r = rig();
  r.wr(R.IER, UartIer.THRI);
  r.rd(R.IIR);
  r.wr(R.IER, UartIer.THRI);
  assert.equal(r.irq.level, false);
  r.wr(R.IER, 0);
  r.wr(R.IER, UartIer.THRI);
  assert.equal(r.irq.level, true, 'toggling THRI resamples LSR.THRE');
});

test('RX without FIFO: one byte in RBR, DR set, RDI interrupt; the next byte waits for the read', () => {
  const r = rig();
  r.wr(R.IER, UartIer.RDI);
  r.uart.pushInput(bytes('ab'));
  assert.equal(r.rd(R.LSR) & UartLsr.DR, UartLsr.DR);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.RDI);
  assert.equal(r.uart.pendingInput, 1);
  assert.equal(r.rd(R.RBR), 0x61);
  assert.equal(r.irq.level, true, 'b was delivered right after the read');
  assert.equal(r.uart.pendingInput, 0);
  assert.equal(r.rd(R.RBR), 0x62);
  assert.equal(r.irq.level, false);
  assert.equal(r.rd(R.LSR) & UartLsr.DR, 0);
  assert.equal(r.rd(R.RBR), 0x62, 'RBR keeps the last byte');
});

test('hasInput covers queued host bytes and unread received data', () => {
  const r = rig();
  assert.equal(r.uart.hasInput, false);
  r.uart.pushInput(bytes('xy'));
  assert.equal(r.uart.hasInput, true);
  r.rd(R.RBR);
  assert.equal(r.uart.hasInput, true);
  r.rd(R.RBR);
  assert.equal(r.uart.hasInput, false);
});

test('interrupt priority: received data is reported before THR empty', () => {
  const r = rig();
  r.wr(R.IER, UartIer.RDI | UartIer.THRI);
  r.uart.pushInput(bytes('z'));
  assert.equal(r.rd(R.IIR), UartIir.RDI);
  assert.equal(r.rd(R.RBR), 0x7a);
  assert.equal(r.rd(R.IIR), UartIir.THRI);
  assert.equal(r.irq.level, false);
});

test('enabling the FIFOs sets IIR bits 7:6; disabling clears them', () => {
  const r = rig();
  r.wr(R.FCR, 0x01);
  assert.equal(r.rd(R.IIR), UartIir.FE | UartIir.NO_INT);
  r.wr(R.FCR, 0x00);
  assert.equal(r.rd(R.IIR), UartIir.NO_INT);
});

test('RX FIFO: the host is fed up to the trigger level, RDI rises there, each read lets one more in', () => {
  const r = rig();
  r.wr(R.FCR, 0x81); // FIFO on, trigger level 8
  r.wr(R.IER, UartIer.RDI);
  r.uart.pushInput(bytes('0123456789abcdefXYZ'));
  assert.equal(r.uart.pendingInput, 19 - 8, 'can_receive advertises itl - count');
  assert.equal(r.uart.inputSpace, 0);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.FE | UartIir.RDI);
  assert.equal(r.rd(R.RBR), 0x30);
  assert.equal(r.uart.pendingInput, 10, 'the read made room for one byte');
  let got = '';
  while (r.rd(R.LSR) & UartLsr.DR) got += String.fromCharCode(r.rd(R.RBR));
  assert.equal(got, '123456789abcdefXYZ');
  assert.equal(r.irq.level, false);
  assert.equal(r.uart.hasInput, false);
});

test('RX FIFO: character timeout raises CTI 4 char times after the last byte, RBR read clears it', () => {
  const r = rig();
  r.wr(R.LCR, 0x03); // 8N1 with the reset divisor 12: char time 300606 ns (float math, as QEMU)
  r.wr(R.FCR, 0xc1); // FIFO on, trigger level 14
  r.wr(R.IER, UartIer.RDI);
  r.cpu.n = 1000;
  r.uart.pushInput(bytes('abc'));
  assert.equal(r.irq.level, false, '3 bytes are below the trigger level');
  const due = 1000 + 4 * 300606;
  assert.equal(r.clock.nextDeadline(), due);
  r.cpu.n = due - 1;
  assert.equal(r.clock.runDue(), 0);
  r.cpu.n = due;
  assert.equal(r.clock.runDue(), 1);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.FE | UartIir.CTI);
  assert.equal(r.rd(R.RBR), 0x61);
  assert.equal(r.irq.level, false);
  assert.equal(r.clock.nextDeadline(), due + 4 * 300606, 'the read re-arms the timeout');
});

test('char time follows the divisor in single precision like QEMU (divisor 2: 50101 ns)', () => {
  const r = rig();
  r.wr(R.LCR, 0x83);
  r.wr(R.DLL, 2);
  r.wr(R.DLM, 0);
  r.wr(R.LCR, 0x03);
  r.wr(R.FCR, 0x01);
  r.uart.pushInput(bytes('q'));
  assert.equal(r.clock.nextDeadline(), 4 * 50101);
});

test('FCR receive reset drops data and clears DR; transmit reset makes THRE pending', () => {
  const r = rig();
  r.wr(R.FCR, 0x01);
  r.wr(R.IER, UartIer.THRI);
  r.rd(R.IIR);
  assert.equal(r.irq.level, false);
  r.uart.pushInput(bytes('k'));
  assert.equal(r.rd(R.LSR) & UartLsr.DR, UartLsr.DR);
  r.wr(R.FCR, 0x01 | 0x02 | 0x04);
  assert.equal(r.rd(R.LSR) & UartLsr.DR, 0);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.FE | UartIir.THRI);
});

test('overrun without FIFO sets OE, raises RLSI, and reading LSR clears it', () => {
  const r = rig();
  r.wr(R.IER, UartIer.RLSI);
  r.wr(R.MCR, UartMcr.LOOP);
  r.wr(R.THR, 1);
  r.wr(R.THR, 2); // received while DR is still set
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.IIR), UartIir.RLSI);
  assert.equal(r.rd(R.LSR) & UartLsr.OE, UartLsr.OE);
  assert.equal(r.irq.level, false);
  assert.equal(r.rd(R.LSR) & UartLsr.OE, 0);
  assert.equal(r.rd(R.RBR), 2);
});

test('loopback: transmitted bytes are received, not output, and MSR mirrors MCR', () => {
  const r = rig();
  r.wr(R.MCR, UartMcr.LOOP | UartMcr.DTR | UartMcr.RTS | UartMcr.OUT1 | UartMcr.OUT2);
  r.wr(R.THR, 0x55);
  assert.deepEqual(r.out, []);
  assert.equal(r.rd(R.RBR), 0x55);
  assert.equal(r.rd(R.MSR), UartMsr.DCD | UartMsr.RI | UartMsr.DSR | UartMsr.CTS);
  r.wr(R.MCR, UartMcr.LOOP);
  assert.equal(r.rd(R.MSR), 0);
});

test('a received break sets BI and DR, queues a NUL, and raises RLSI', () => {
  const r = rig();
  r.wr(R.FCR, 0x01);
  r.wr(R.IER, UartIer.RLSI | UartIer.RDI);
  r.uart.sendBreak();
  assert.equal(r.rd(R.IIR), UartIir.FE | UartIir.RLSI);
  assert.equal(r.rd(R.LSR) & (UartLsr.BI | UartLsr.DR), UartLsr.BI | UartLsr.DR);
  assert.equal(r.rd(R.RBR), 0);
  assert.equal(r.rd(R.LSR) & UartLsr.DR, 0);
});

test('scratch register holds a byte; offsets past the 8 registers are ignored', () => {
  const r = rig();
  r.wr(R.SCR, 0xa5);
  assert.equal(r.rd(R.SCR), 0xa5);
  assert.equal(r.uart.read(8, 1), 0);
  r.uart.write(8, 1, 0x41);
  assert.deepEqual(r.out, []);
});

test('regshift spaces the registers 1 << regshift bytes apart', () => {
  const r = rig({ regshift: 2 });
  r.wr(R.SCR, 0x5a);
  assert.equal(r.bus.read(B + 7 * 4, 4), 0x5a);
  r.bus.write(B, 4, 0x21);
  assert.equal(r.text(), '!');
});

test('reset() restores the reset state but keeps FCR, like QEMU', () => {
  const r = rig();
  r.wr(R.FCR, 0x41);
  r.wr(R.IER, 0x0f);
  r.wr(R.SCR, 9);
  r.uart.reset();
  assert.equal(r.rd(R.IER), 0);
  assert.equal(r.rd(R.SCR), 0);
  assert.equal(r.irq.level, false);
  r.uart.pushInput(bytes('abcdef'));
  assert.equal(r.uart.pendingInput, 2, 'FIFO still on with trigger level 4');
});
