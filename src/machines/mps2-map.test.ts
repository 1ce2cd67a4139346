/**
 * The MPS2 maps against QEMU 7.2 itself: `fixtures/mps2-an38{5,6}-mtree{,-f}.txt` are QEMU's
 * `info mtree` and `info mtree -f`, dumped (QEMU 7.2.22, Debian bookworm's qemu-system-arm) with
 *
 *     qemu-system-arm -M mps2-an385 -display none -S -nodefaults -qmp stdio
 *     {"execute":"qmp_capabilities"}
 *     {"execute":"human-monitor-command","arguments":{"command-line":"info mtree -f"}}
 *
 * (the "return" string, CRLF turned into LF). Interrupt numbers are not in the tree; they were
 * checked against QEMU through qtest (see src/devices/mps2-qemu-crosscheck.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MPS2_AN385,
  MPS2_AN386,
  MPS2_CPU_REGIONS,
  flatRangeName,
  flattenMps2Map,
  mps2Map,
  type Mps2Map,
} from './mps2-map.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

interface Line { start: number; end: number; prio: number; kind: string; name: string; depth: number }

/** Parse `0000000000400000-00000000007fffff (prio 0, ram): alias mps.ssram1_m @mps.ssram1 ...` lines. */
function parseLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const m = /^( *)([0-9a-f]{16})-([0-9a-f]{16}) \(prio (-?\d+), ([a-z/]+)\): (.*)$/.exec(raw);
    if (!m) continue;
    out.push({ depth: m[1]!.length, start: parseInt(m[2]!, 16), end: parseInt(m[3]!, 16), prio: Number(m[4]), kind: m[5]!, name: m[6]! });
  }
  return out;
}

/** The lines of one section, from its header line to the next blank line. */
function section(text: string, header: string): string {
  const i = text.indexOf(header);
  assert.ok(i >= 0, `no section ${header}`);
  const rest = text.slice(i);
  const end = rest.indexOf('\n\n');
  return end < 0 ? rest : rest.slice(0, end);
}

const hex = (n: number): string => `0x${n.toString(16)}`;

for (const map of [MPS2_AN385, MPS2_AN386]) {
  test(`${map.board}: the flat view is QEMU 7.2's (info mtree -f, address space "memory")`, () => {
    const want = parseLines(section(fixture(`${map.board}-mtree-f.txt`), 'AS "memory"'));
    assert.ok(want.length > 40);
    const got = flattenMps2Map(map);
    assert.deepEqual(
      got.map((r) => `${hex(r.base)}-${hex(r.base + r.size - 1)} prio ${r.priority} ${r.source.kind === 'ram' ? 'ram' : 'i/o'} ${flatRangeName(r)}`),
      want.map((l) => `${hex(l.start)}-${hex(l.end)} prio ${l.prio} ${l.kind} ${l.name}`),
    );
  });

  test(`${map.board}: every RAM region, alias and device matches QEMU 7.2's memory tree (info mtree)`, () => {
    const tree = parseLines(section(fixture(`${map.board}-mtree.txt`), 'address-space: memory')).filter((l) => l.depth === 4);
    const ours: string[] = [];
    for (const r of map.ram) ours.push(`${hex(r.base)}-${hex(r.base + r.size - 1)} 0 ram ${r.name}`);
    for (const a of map.aliases) {
      const t = map.ram.find((r) => r.name === a.target)!;
      ours.push(`${hex(a.base)}-${hex(a.base + a.size - 1)} 0 ram alias ${a.name} @${a.target} ${a.offset.toString(16).padStart(16, '0')}-${(a.offset + a.size - 1).toString(16).padStart(16, '0')}`);
      assert.ok(a.offset + a.size <= t.size);
    }
    for (const d of map.devices) ours.push(`${hex(d.base)}-${hex(d.base + d.size - 1)} ${d.priority} i/o ${d.region}`);
    const theirs = tree.map((l) => `${hex(l.start)}-${hex(l.end)} ${l.prio} ${l.kind} ${l.name}`);
    assert.deepEqual([...ours].sort(), [...theirs].sort());
  });

  test(`${map.board}: the CPU-side regions are where QEMU's armv7m container has them`, () => {
    const flat = parseLines(section(fixture(`${map.board}-mtree-f.txt`), 'AS "cpu-memory-0"'));
    for (const r of MPS2_CPU_REGIONS) {
      const hit = flat.find((l) => l.name.startsWith(r.name) && l.start >= r.base && l.end <= r.base + r.size - 1);
      assert.ok(hit, `${r.name} at ${hex(r.base)}`);
    }
    // and the rest of the CPU's flat view is the system flat view
    const sys = parseLines(section(fixture(`${map.board}-mtree-f.txt`), 'AS "memory"'));
    const cpuOnly = flat.filter((l) => !sys.some((s) => s.start === l.start && s.end === l.end && s.name === l.name));
    assert.deepEqual(cpuOnly.map((l) => l.name.split(' @')[0]), ['bitband', 'bitband', 'nvic-default', 'nvic_sysregs', 'v7m_systick', 'nvic_sysregs', 'nvic-default']);
  });
}

test('the two boards differ only in CPU, description and SCC ID', () => {
  const strip = (m: Mps2Map) => ({ ...m, board: '', cpu: '', description: '', sccId: 0 });
  assert.deepEqual(strip(MPS2_AN385), strip(MPS2_AN386));
  assert.equal(MPS2_AN385.cpu, 'cortex-m3');
  assert.equal(MPS2_AN386.cpu, 'cortex-m4');
  assert.equal(MPS2_AN385.sccId, 0x41043850);
  assert.equal(MPS2_AN386.sccId, 0x41043860);
  assert.equal(mps2Map('mps2-an386'), MPS2_AN386);
});

test('interrupt wiring: UART RX/TX pairs, timers 8/9/10, overflow and SPI OR gates, ethernet 13, watchdog NMI', () => {
  const m = MPS2_AN385;
  const dev = (id: string) => m.devices.find((d) => d.id === id)!;
  const uartIrqs = [0, 1, 2, 3, 4].map((i) => dev(`uart${i}`).irqs);
  assert.deepEqual(uartIrqs.map((q) => [q.rx, q.tx]), [
    [{ kind: 'nvic', irq: 0 }, { kind: 'nvic', irq: 1 }],
    [{ kind: 'nvic', irq: 2 }, { kind: 'nvic', irq: 3 }],
    [{ kind: 'nvic', irq: 4 }, { kind: 'nvic', irq: 5 }],
    [{ kind: 'nvic', irq: 18 }, { kind: 'nvic', irq: 19 }],
    [{ kind: 'nvic', irq: 20 }, { kind: 'nvic', irq: 21 }],
  ]);
  assert.deepEqual(uartIrqs.map((q) => Object.keys(q).sort()), [
    ['rx', 'rxOverrun', 'tx', 'txOverrun'], ['rx', 'rxOverrun', 'tx', 'txOverrun'], ['rx', 'rxOverrun', 'tx', 'txOverrun'], ['rx', 'tx'], ['rx', 'tx'],
  ]);
  assert.deepEqual(dev('uart2').irqs.rxOverrun, { kind: 'or', gate: 'uart-overflow', input: 5 });
  assert.deepEqual(m.orGates.find((g) => g.name === 'uart-overflow'), { name: 'uart-overflow', inputs: 6, irq: 12 });
  assert.deepEqual(dev('timer0').irqs, { timint: { kind: 'nvic', irq: 8 } });
  assert.deepEqual(dev('timer1').irqs, { timint: { kind: 'nvic', irq: 9 } });
  assert.deepEqual(dev('dualtimer').irqs, { timintc: { kind: 'nvic', irq: 10 } });
  assert.deepEqual(dev('watchdog').irqs, { wdogint: { kind: 'nmi' } });
  assert.deepEqual(dev('ethernet').irqs, { irq: { kind: 'nvic', irq: 13 } });
  assert.deepEqual(dev('spi-adc').irqs, { sspintr: { kind: 'nvic', irq: 22 } });
  assert.equal(m.orGates.find((g) => g.name === 'spi0')!.irq, 11);
  assert.equal(m.orGates.find((g) => g.name === 'spi1')!.irq, 24);
  // every NVIC number is within num-irq and every OR input exists
  for (const d of m.devices) {
    for (const t of Object.values(d.irqs)) {
      if (t.kind === 'nvic') assert.ok(t.irq >= 0 && t.irq < m.numIrq);
      if (t.kind === 'or') assert.ok(t.input < m.orGates.find((g) => g.name === t.gate)!.inputs);
    }
  }
});

test('the flat view is disjoint, sorted, and has RAM at 0 (the vector table) and the PSRAM at 0x21000000', () => {
  const flat = flattenMps2Map(MPS2_AN385);
  for (let i = 1; i < flat.length; i++) assert.ok(flat[i - 1]!.base + flat[i - 1]!.size <= flat[i]!.base);
  const at = (a: number) => flat.find((r) => a >= r.base && a < r.base + r.size);
  assert.equal(at(0)!.source.kind, 'ram');
  const alias = at(0x0040_0010)!;
  assert.ok(alias.source.kind === 'ram' && alias.source.ram.name === 'mps.ssram1' && alias.source.alias?.name === 'mps.ssram1_m');
  assert.equal(at(0x21ff_fffc)!.source.kind === 'ram' && at(0x21ff_fffc)!.source.kind, 'ram');
  assert.equal(at(0x2200_0000), undefined, 'bit-band is the CPU\'s');
  assert.equal(at(0x4020_0100), undefined, 'past the LAN9118 is unmapped');
  const gap = at(0x4000_3000)!;
  assert.ok(gap.source.kind === 'device' && gap.source.device.kind === 'unimplemented' && gap.source.offset === 0x3000);
});
