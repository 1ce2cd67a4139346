import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BusError } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { IrqPin } from '../core/irq.js';
import { GoldfishRtc, GoldfishRtcReg as R, VIRT_RTC_BASE } from './goldfish-rtc.js';

const EPOCH = 1_700_000_000_123_456_789n; // ns since 1970
const B = VIRT_RTC_BASE;

/** An RTC at `virt`'s address with a fixed epoch and an icount we set by hand. */
function rig(shift = 0) {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock(shift);
  clock.addSource(cpu);
  const log: boolean[] = [];
  const irq = new IrqPin((l) => log.push(l));
  const rtc = new GoldfishRtc({ clock, irq, epochNs: EPOCH });
  const bus = new Bus();
  rtc.map(bus);
  const rd = (off: number) => { bus.error = 0; const v = bus.read(B + off, 4); assert.equal(bus.error, 0); return v; };
  const wr = (off: number, v: number) => { bus.error = 0; bus.write(B + off, 4, v); assert.equal(bus.error, 0); };
  const time = () => { const lo = rd(R.TIME_LOW); return (BigInt(rd(R.TIME_HIGH)) << 32n) | BigInt(lo); };
  const setAlarm = (t: bigint) => { wr(R.ALARM_HIGH, Number(t >> 32n)); wr(R.ALARM_LOW, Number(t & 0xffff_ffffn)); };
  return { cpu, clock, rtc, bus, irq, log, rd, wr, time, setAlarm };
}

test('TIME_LOW then TIME_HIGH read the epoch plus virtual nanoseconds', () => {
  const r = rig();
  assert.equal(r.time(), EPOCH);
  r.cpu.n = 1234;
  assert.equal(r.time(), EPOCH + 1234n);
  assert.equal(r.rtc.now(), EPOCH + 1234n);
});

test('the count follows virtual ns, not instructions, under an icount shift', () => {
  const r = rig(2);
  r.cpu.n = 10;
  assert.equal(r.rtc.now(), EPOCH + 40n);
});

test('TIME_HIGH returns the high half latched by the last TIME_LOW read', () => {
  const r = rig();
  assert.equal(r.rd(R.TIME_HIGH), 0, 'nothing latched yet');
  const lo = r.rd(R.TIME_LOW);
  r.cpu.n = 2 ** 40; // the high half moves on...
  assert.equal(r.rd(R.TIME_HIGH), Number(EPOCH >> 32n), '...but TIME_HIGH still reads the latch');
  assert.equal(lo, Number(EPOCH & 0xffff_ffffn));
});

test('an 8-byte read at TIME_LOW is TIME_LOW then the latched TIME_HIGH, as QEMU splits it', () => {
  const r = rig();
  r.bus.error = 0;
  const lo = r.bus.read(B + R.TIME_LOW, 8);
  assert.equal((BigInt(r.bus.hi32 >>> 0) << 32n) | BigInt(lo >>> 0), EPOCH);
});

test('the default epoch is the wall clock at construction, in whole seconds', () => {
  const clock = new VirtualClock();
  const before = BigInt(Math.floor(Date.now() / 1000));
  const rtc = new GoldfishRtc({ clock });
  const after = BigInt(Math.floor(Date.now() / 1000));
  const t = rtc.now();
  assert.equal(t % 1_000_000_000n, 0n);
  assert.ok(t >= before * 1_000_000_000n && t <= after * 1_000_000_000n);
});

test('a future alarm arms a clock event at alarm - offset; when it fires the enabled line rises', () => {
  const r = rig();
  r.cpu.n = 100;
  r.wr(R.IRQ_ENABLED, 1);
  r.setAlarm(EPOCH + 5000n);
  assert.equal(r.rd(R.ALARM_STATUS), 1);
  assert.equal(r.rtc.alarmDeadline, 5000);
  assert.equal(r.clock.nextDeadline(), 5000);
  r.cpu.n = 4999;
  assert.equal(r.clock.runDue(), 0);
  assert.equal(r.irq.level, false);
  r.cpu.n = 5000;
  assert.equal(r.clock.runDue(), 1);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.ALARM_STATUS), 0);
  assert.equal(r.rtc.interruptPending, true);
});

test('an alarm at or before the current time fires at once; ALARM_HIGH alone does not arm', () => {
  const r = rig();
  r.wr(R.IRQ_ENABLED, 1);
  r.wr(R.ALARM_HIGH, 0xffff_ffff);
  assert.equal(r.rd(R.ALARM_STATUS), 0);
  assert.equal(r.irq.level, false);
  r.setAlarm(EPOCH);
  assert.equal(r.irq.level, true);
  assert.equal(r.rd(R.ALARM_STATUS), 0);
  assert.equal(r.rtc.alarmDeadline, Infinity);
  assert.equal(r.rd(R.ALARM_LOW), Number(EPOCH & 0xffff_ffffn));
  assert.equal(r.rd(R.ALARM_HIGH), Number(EPOCH >> 32n));
});

test('the line is pending AND enabled, driven on each change; CLEAR_INTERRUPT lowers it', () => {
  const r = rig();
  r.setAlarm(1n); // long past: pending now, but not enabled
  assert.deepEqual(r.log, [false]);
  assert.equal(r.rtc.interruptPending, true);
  r.wr(R.IRQ_ENABLED, 3);
  assert.equal(r.rd(R.IRQ_ENABLED), 1, 'only bit 0 is kept');
  r.wr(R.CLEAR_INTERRUPT, 0);
  r.wr(R.IRQ_ENABLED, 0);
  assert.deepEqual(r.log, [false, true, false, false]);
});

test('CLEAR_ALARM disarms a pending alarm', () => {
  const r = rig();
  r.wr(R.IRQ_ENABLED, 1);
  r.setAlarm(EPOCH + 1000n);
  r.wr(R.CLEAR_ALARM, 0);
  assert.equal(r.rd(R.ALARM_STATUS), 0);
  assert.equal(r.clock.nextDeadline(), Infinity);
  r.cpu.n = 2000;
  assert.equal(r.clock.runDue(), 0);
  assert.equal(r.irq.level, false);
});

test('setting the time moves the count but not an armed alarm, which keeps QEMU\'s old expiry', () => {
  const r = rig();
  r.wr(R.IRQ_ENABLED, 1);
  r.setAlarm(EPOCH + 1000n);
  r.wr(R.TIME_HIGH, Number(EPOCH >> 32n) + 1); // jump 2^32 ns ahead
  assert.equal(r.time(), EPOCH + 2n ** 32n);
  assert.equal(r.rtc.alarmDeadline, 1000, 'still fires 1000 ns in, though the count is long past the alarm');
  r.wr(R.TIME_LOW, 7);
  assert.equal(r.rd(R.TIME_LOW), 7);
  r.cpu.n = 1000;
  r.clock.runDue();
  assert.equal(r.irq.level, true);
});

test('an alarm so far ahead that its expiry overflows int64 fires at the next check (QEMU clamps it to 0)', () => {
  const r = rig();
  r.wr(R.IRQ_ENABLED, 1);
  r.setAlarm(0xffff_ffff_ffff_fff0n);
  assert.equal(r.rd(R.ALARM_STATUS), 1);
  assert.equal(r.rtc.alarmDeadline, 0);
  r.clock.runDue();
  assert.equal(r.irq.level, true);
});

test('only the 0x24-byte register window is mapped, and only 4-byte accesses are valid', () => {
  const r = rig();
  assert.equal(r.rd(0x20), 0, 'inside the window, unimplemented: reads 0');
  for (const [off, size] of [[0x24, 4], [0xffc, 4], [R.TIME_LOW, 1], [R.IRQ_ENABLED, 2]] as const) {
    r.bus.error = 0;
    r.bus.read(B + off, size);
    assert.equal(r.bus.error, BusError.Unmapped, `read ${size}@${off.toString(16)}`);
  }
  r.bus.error = 0;
  r.bus.write(B + R.IRQ_ENABLED, 1, 1);
  assert.equal(r.bus.error, BusError.Unmapped);
  assert.equal(r.rd(R.IRQ_ENABLED), 0);
});

test('reset disarms and clears alarm and interrupt state but keeps the time', () => {
  const r = rig();
  r.wr(R.IRQ_ENABLED, 1);
  r.setAlarm(EPOCH + 1000n);
  r.cpu.n = 10;
  r.rtc.reset();
  assert.equal(r.rd(R.ALARM_STATUS), 0);
  assert.equal(r.rd(R.IRQ_ENABLED), 0);
  assert.equal(r.rd(R.ALARM_LOW), 0);
  assert.equal(r.clock.nextDeadline(), Infinity);
  assert.equal(r.time(), EPOCH + 10n);
});
