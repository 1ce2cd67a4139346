import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BusError } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { IrqPin } from '../core/irq.js';
import { Clint, ClintReg, VIRT_CLINT_BASE } from './clint.js';

const MSIP = VIRT_CLINT_BASE + ClintReg.MSIP;
const MTIMECMP = VIRT_CLINT_BASE + ClintReg.MTIMECMP;
const MTIME = VIRT_CLINT_BASE + ClintReg.MTIME;

/** A CLINT on a real bus, driven by an icount we set by hand. */
function rig(numHarts = 1, shift = 0) {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock(shift);
  clock.addSource(cpu);
  let reschedules = 0;
  clock.onReschedule = () => { reschedules++; };
  const mtipLog: boolean[][] = [];
  const msipLog: boolean[][] = [];
  const mtip = Array.from({ length: numHarts }, (_, h) => {
    mtipLog.push([]);
    return new IrqPin((l) => mtipLog[h]!.push(l));
  });
  const msip = Array.from({ length: numHarts }, (_, h) => {
    msipLog.push([]);
    return new IrqPin((l) => msipLog[h]!.push(l));
  });
  const clint = new Clint({ clock, numHarts, mtip, msip });
  const bus = new Bus();
  clint.map(bus);
  const read64 = (addr: number): bigint => {
    const lo = bus.read(addr, 8);
    return (BigInt(bus.hi32) << 32n) | BigInt(lo);
  };
  const write64 = (addr: number, v: bigint): void => {
    bus.write(addr, 8, Number(v & 0xffff_ffffn), Number(v >> 32n));
  };
  return { cpu, clock, clint, bus, mtip, msip, mtipLog, msipLog, read64, write64, reschedules: () => reschedules };
}

test('mtime counts 10 MHz ticks of virtual time: floor(ns / 100)', () => {
  const r = rig();
  assert.equal(r.read64(MTIME), 0n);
  r.cpu.n = 99;
  assert.equal(r.bus.read(MTIME, 4), 0);
  r.cpu.n = 100;
  assert.equal(r.bus.read(MTIME, 4), 1);
  r.cpu.n = 123_456_789;
  assert.equal(r.read64(MTIME), 1_234_567n);
  assert.equal(r.clint.mtime(), 1_234_567n);
  assert.equal(r.bus.read(MTIME + 4, 4), 0);
});

test('mtime follows virtual ns, not instructions, when icount shift is not 0', () => {
  const r = rig(1, 3); // 8 ns per instruction
  r.cpu.n = 25; // 200 ns
  assert.equal(r.clint.mtime(), 2n);
});

test('reset at construction raises MTIP (mtimecmp 0 <= mtime 0) and lowers MSIP, like QEMU', () => {
  const r = rig(2);
  for (let h = 0; h < 2; h++) {
    assert.deepEqual(r.mtipLog[h], [true]);
    assert.deepEqual(r.msipLog[h], [false]);
    assert.equal(r.mtip[h]!.level, true);
    assert.equal(r.clint.timerDeadline(h), Infinity);
  }
});

test('mtimecmp = 5 via two 32-bit writes arms the timer at 500 ns and MTIP rises exactly then', () => {
  const r = rig();
  r.bus.write(MTIMECMP + 4, 4, 0); // high half: mtimecmp still 0, in the past
  r.bus.write(MTIMECMP, 4, 5); // low half: mtimecmp = 5, in the future
  assert.equal(r.read64(MTIMECMP), 5n);
  assert.deepEqual(r.mtipLog[0], [true, true, false]);
  assert.equal(r.mtip[0]!.level, false);
  assert.equal(r.clint.timerDeadline(0), 500);
  assert.equal(r.clock.nextDeadline(), 500);
  assert.equal(r.clock.icountAt(500), 500);
  assert.ok(r.reschedules() > 0);

  r.cpu.n = 499;
  assert.equal(r.clock.runDue(), 0);
  assert.equal(r.mtip[0]!.level, false);
  r.cpu.n = 500;
  assert.equal(r.clint.mtime(), 5n);
  assert.equal(r.clock.runDue(), 1);
  assert.equal(r.mtip[0]!.level, true);
  assert.equal(r.clint.timerDeadline(0), Infinity);
});

test('timer deadline is now + (mtimecmp - mtime) * 100 ns, counted from the write, as QEMU rounds it', () => {
  const r = rig();
  r.cpu.n = 150; // mtime = 1, halfway through a tick
  r.write64(MTIMECMP, 3n);
  assert.equal(r.clint.timerDeadline(0), 350); // not 300, when mtime actually reaches 3
  r.cpu.n = 300;
  assert.equal(r.clint.mtime(), 3n);
  r.clock.runDue();
  assert.equal(r.mtip[0]!.level, false, 'QEMU keeps MTIP low until its timer fires');
  r.cpu.n = 349;
  r.clock.runDue();
  assert.equal(r.mtip[0]!.level, false);
  r.cpu.n = 350;
  r.clock.runDue();
  assert.equal(r.mtip[0]!.level, true);
});

test('mtimecmp at or before mtime raises MTIP at once and leaves an armed timer alone', () => {
  const r = rig();
  r.write64(MTIMECMP, 10n);
  assert.equal(r.mtip[0]!.level, false);
  assert.equal(r.clint.timerDeadline(0), 1000);
  r.cpu.n = 400; // mtime 4
  r.write64(MTIMECMP, 4n);
  assert.equal(r.mtip[0]!.level, true);
  assert.equal(r.clint.timerDeadline(0), 1000);
});

test('an 8-byte mtimecmp store keeps both halves exactly', () => {
  const r = rig();
  const v = 0x0000_1234_9abc_def0n;
  r.write64(MTIMECMP, v);
  assert.equal(r.read64(MTIMECMP), v);
  assert.equal(r.clint.mtimecmp(0), v);
  assert.equal(r.bus.read(MTIMECMP + 4, 4), 0x1234);
  assert.equal(r.bus.read(MTIMECMP, 4), 0x9abc_def0);
  assert.equal(r.clint.timerDeadline(0), Number(v * 100n));
  assert.equal(r.mtip[0]!.level, false);
});

test('a (mtimecmp - mtime) * 100 that overflows 64 bits wraps the deadline, as QEMU muldiv64 does', () => {
  const r = rig();
  const v = 0x1234_5678_9abc_def0n;
  r.write64(MTIMECMP, v);
  // the wrapped product is neither below diff nor above INT64_MAX, so QEMU's check lets it through
  assert.equal(r.clint.timerDeadline(0), Number(BigInt.asUintN(64, v * 100n)));
});

test('a huge mtimecmp saturates the deadline at INT64_MAX ns (QEMU overflow check)', () => {
  const r = rig();
  r.write64(MTIMECMP, 0xffff_ffff_ffff_ffffn);
  assert.equal(r.clint.timerDeadline(0), Number((1n << 63n) - 1n));
  assert.equal(r.mtip[0]!.level, false);
});

test('writing mtime moves the offset and re-evaluates every hart', () => {
  const r = rig(2);
  r.write64(MTIMECMP, 50n);
  r.write64(MTIMECMP + 8, 5000n);
  assert.equal(r.mtip[0]!.level, false);
  assert.equal(r.mtip[1]!.level, false);
  r.cpu.n = 1000; // mtime 10
  r.write64(MTIME, 100n);
  assert.equal(r.read64(MTIME), 100n);
  assert.equal(r.mtip[0]!.level, true, 'hart 0 mtimecmp is now in the past');
  assert.equal(r.mtip[1]!.level, false);
  assert.equal(r.clint.timerDeadline(1), 1000 + (5000 - 100) * 100);
  r.cpu.n = 1250;
  assert.equal(r.clint.mtime(), 102n);
});

test('32-bit mtime writes replace one half of the current mtime', () => {
  const r = rig();
  r.clint.setMtime(0x0000_0007_0000_0010n);
  r.bus.write(MTIME, 4, 0xdead_beef);
  assert.equal(r.read64(MTIME), 0x0000_0007_dead_beefn);
  r.bus.write(MTIME + 4, 4, 0x42);
  assert.equal(r.read64(MTIME), 0x0000_0042_dead_beefn);
  r.cpu.n = 300;
  assert.equal(r.clint.mtime(), 0x0000_0042_dead_bef2n);
});

test('msip bit 0 drives each hart software interrupt and reads back', () => {
  const r = rig(2);
  r.bus.write(MSIP + 4, 4, 0xffff_ffff);
  assert.equal(r.msip[1]!.level, true);
  assert.equal(r.msip[0]!.level, false);
  assert.equal(r.bus.read(MSIP + 4, 4), 1);
  assert.equal(r.bus.read(MSIP, 4), 0);
  r.bus.write(MSIP + 4, 4, 2);
  assert.equal(r.msip[1]!.level, false);
  assert.equal(r.bus.read(MSIP + 4, 4), 0);
  assert.deepEqual(r.msipLog[1], [false, true, false]);
});

test('msip of a hart that does not exist reads 0 and ignores writes', () => {
  const r = rig(1);
  r.bus.write(MSIP + 4, 4, 1);
  assert.equal(r.bus.read(MSIP + 4, 4), 0);
  assert.deepEqual(r.msipLog[0], [false]);
});

test('the CLINT window past the MTIMER device is unmapped, as in QEMU', () => {
  const r = rig();
  r.bus.error = 0;
  r.bus.read(VIRT_CLINT_BASE + 0xc000, 4);
  assert.equal(r.bus.error, BusError.Unmapped);
  assert.equal(r.clint.read(0xc000, 4), 0);
});

test('the Clint handler also serves the whole window when mapped as one region', () => {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock();
  clock.addSource(cpu);
  const clint = new Clint({ clock });
  const bus = new Bus();
  bus.addMmio('clint', VIRT_CLINT_BASE, 0x10000, clint);
  cpu.n = 1000;
  assert.equal(bus.read(MTIME, 4), 10);
  bus.write(MTIMECMP, 4, 20);
  assert.equal(clint.timerDeadline(0), 2000);
  bus.write(MSIP, 4, 1);
  assert.equal(clint.msip(0), true);
});
