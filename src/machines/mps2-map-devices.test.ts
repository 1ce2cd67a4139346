import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.js';
import { VirtualClock } from '../core/clock.js';
import { IrqPin } from '../core/irq.js';
import type { UnimplementedAccess } from '../devices/mps2-unimp.js';
import { createMps2Devices, mapMps2Ram } from './mps2-map-devices.js';
import { MPS2_AN385, MPS2_AN386, flattenMps2Map } from './mps2-map.js';

function rig(map = MPS2_AN385, extra: { skipUnmodelled?: boolean } = {}) {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock(0);
  clock.addSource(cpu);
  const bus = new Bus();
  const nvic = Array.from({ length: 32 }, () => new IrqPin());
  const nmi = new IrqPin();
  const out: [number, number][] = [];
  const unimp: UnimplementedAccess[] = [];
  let wdResets = 0;
  const devs = createMps2Devices({
    map, bus, clock, nvicIrq: (n) => nvic[n]!, nmi,
    uartOutput: (i, b) => out.push([i, b]),
    onUnimplemented: (a) => unimp.push(a),
    onWatchdogReset: () => wdResets++,
    ...extra,
  });
  const rd = (a: number, size = 4) => { bus.error = 0; const v = bus.read(a, size); assert.equal(bus.error, 0, `read 0x${a.toString(16)}`); return v; };
  const wr = (a: number, v: number, size = 4) => { bus.error = 0; bus.write(a, size, v); assert.equal(bus.error, 0, `write 0x${a.toString(16)}`); };
  return { cpu, clock, bus, nvic, nmi, devs, out, unimp, rd, wr, wdResets: () => wdResets };
}

test('every device piece of the flat view is on the bus, and nothing else (RAM is the machine\'s)', () => {
  const r = rig();
  const want = flattenMps2Map(MPS2_AN385).filter((f) => f.source.kind === 'device');
  assert.deepEqual(r.bus.regions.map((g) => [g.base, g.size]), want.map((f) => [f.base, f.size]));
  assert.ok(r.bus.regions.every((g) => g.kind === 'mmio'));
});

test('the UARTs transmit to uartOutput by index and interrupt on their NVIC pairs', () => {
  const r = rig();
  r.wr(0x4000_5008, 0x5); // UART1: TX_EN | TX_INTEN
  r.wr(0x4000_5000, 0x68);
  r.wr(0x4000_9008, 0x1); // UART4
  r.wr(0x4000_9000, 0x69);
  assert.deepEqual(r.out, [[1, 0x68], [4, 0x69]]);
  assert.equal(r.nvic[3]!.level, true, 'UART1 TX is IRQ 3');
  assert.equal(r.nvic[21]!.level, false);
});

test('UART0-2 overruns share IRQ 12 through the OR gate; UART3/4 overruns go nowhere', () => {
  const r = rig();
  r.wr(0x4000_6008, 0x10); // UART2: TXO_INTEN, TX disabled
  r.wr(0x4000_6000, 1);
  r.wr(0x4000_6000, 2); // overrun
  assert.equal(r.nvic[12]!.level, true);
  r.wr(0x4000_4008, 0x10);
  r.wr(0x4000_4000, 1);
  r.wr(0x4000_4000, 2);
  r.wr(0x4000_600c, 0x4); // clear UART2's: UART0's keeps the gate high
  assert.equal(r.nvic[12]!.level, true);
  r.wr(0x4000_400c, 0x4);
  assert.equal(r.nvic[12]!.level, false);
  r.wr(0x4000_7008, 0x10);
  r.wr(0x4000_7000, 1);
  r.wr(0x4000_7000, 2);
  assert.equal(r.nvic[12]!.level, false);
  assert.equal(r.rd(0x4000_700c), 0x4, 'UART3 reports it all the same');
});

test('timers interrupt on 8, 9 and 10; the watchdog on the NMI', () => {
  const r = rig();
  r.wr(0x4000_0008, 10);
  r.wr(0x4000_0000, 9);
  r.wr(0x4000_1008, 10);
  r.wr(0x4000_1000, 9);
  r.wr(0x4000_2000, 10);
  r.wr(0x4000_2008, 0xe2);
  r.wr(0x4000_8000, 10);
  r.wr(0x4000_8008, 1);
  r.cpu.n = 1000;
  r.clock.runDue();
  assert.deepEqual([8, 9, 10].map((n) => r.nvic[n]!.level), [true, true, true]);
  assert.equal(r.nmi.level, true);
});

test('SCC ID per board; gaps in peripheral windows are unimplemented devices that report accesses', () => {
  assert.equal(rig(MPS2_AN386).rd(0x4002_fffc), 0x4104_3860);
  const r = rig();
  assert.equal(r.rd(0x4002_fffc), 0x4104_3850);
  r.wr(0x4000_3004, 0x12, 2);
  assert.equal(r.rd(0x4100_0010), 0);
  assert.deepEqual(r.unimp.map((a) => [a.name, a.kind, a.offset]), [
    ['CMSDK APB peripheral region @0x40000000', 'write', 0x3004],
    ['VGA', 'read', 0x10],
  ]);
});

test('the unmodelled LAN9118 reads 0, or is left unmapped with skipUnmodelled', () => {
  assert.equal(rig().rd(0x4020_0064), 0);
  const r = rig(MPS2_AN385, { skipUnmodelled: true });
  r.bus.error = 0;
  r.bus.read(0x4020_0064, 4);
  assert.notEqual(r.bus.error, 0);
});

test('reset() brings the devices back to their reset state', () => {
  const r = rig();
  r.wr(0x4002_f004, 0xff);
  r.wr(0x4000_4008, 0x3);
  r.wr(0x4000_0008, 77);
  r.devs.reset();
  assert.deepEqual([r.rd(0x4002_f004), r.rd(0x4000_4008), r.rd(0x4000_0008)], [0, 0, 0]);
});

test('mapMps2Ram: RAM regions and their aliases share bytes, and with the devices the whole flat view is mapped', () => {
  const r = rig();
  const rams = mapMps2Ram(r.bus, MPS2_AN385);
  assert.deepEqual([...rams.keys()], ['mps.ssram1', 'mps.blockram', 'mps.ssram23', 'mps.ram']);
  r.wr(0x0000_0010, 0xdead_beef);
  assert.equal(r.rd(0x0040_0010), 0xdead_beef);
  r.wr(0x0100_c002, 0x1234, 2);
  assert.equal(r.rd(0x0100_0002, 2), 0x1234);
  assert.equal(r.rd(0x0100_4002, 1), 0x34);
  r.wr(0x207f_fffc, 7);
  assert.equal(r.rd(0x203f_fffc), 7);
  r.wr(0x21ff_fffc, 9);
  assert.equal(rams.get('mps.ram')!.view.getUint32(0xff_fffc, true), 9);
  const flat = flattenMps2Map(MPS2_AN385);
  assert.deepEqual(r.bus.regions.map((g) => [g.base, g.size]), flat.map((f) => [f.base, f.size]));
});
