/**
 * fdt-parse: the DTB reader against fdt.ts's writer (round trips) and against a DTB QEMU 7.2
 * dumped (src/machines/fixtures, see the README there), plus the DTS-like printer's format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDtb, node, type FdtNode } from './fdt.js';
import {
  FdtParseError, dtbToDts, fdtToDts, findNode, formatPropValue, getProp, parseDtb, propCells, propStrings, readDtb,
} from './fdt-parse.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'machines', 'fixtures');
const enc = new TextEncoder();

function sample(): FdtNode {
  return node('', [
    ['#address-cells', 2], ['#size-cells', 2], ['compatible', ['acme,board', 'simple-bus']], ['model', 'Acme'],
  ], [
    node('chosen', [['bootargs', 'console=ttyS0 "x"'], ['empty', null]]),
    node('memory@80000000', [['device_type', 'memory'], ['reg', [0, 0x80000000, 0, 0x8000000]]]),
    node('cpus', [['#address-cells', 1], ['#size-cells', 0]], [
      node('cpu@0', [['reg', 0], ['big', [0x123456789abcdefn]], ['raw', new Uint8Array([1, 2, 3])]], [
        node('interrupt-controller', [['interrupt-controller', null], ['phandle', 1]]),
      ]),
    ]),
  ]);
}

test('parseDtb reads back what buildDtb wrote, and buildDtb(parseDtb(x)) is x byte for byte', () => {
  const dtb = buildDtb(sample(), 3);
  const { header, memReserve, root } = readDtb(dtb);
  assert.equal(header.version, 17);
  assert.equal(header.lastCompVersion, 16);
  assert.equal(header.bootCpuidPhys, 3);
  assert.equal(header.totalsize, dtb.length);
  assert.deepEqual(memReserve, []);
  assert.equal(root.name, '');
  assert.deepEqual(root.children.map((c) => c.name), ['chosen', 'memory@80000000', 'cpus']);
  assert.deepEqual(propStrings(getProp(root, '/', 'compatible')!), ['acme,board', 'simple-bus']);
  assert.deepEqual(propStrings(getProp(root, '/chosen', 'bootargs')!), ['console=ttyS0 "x"']);
  assert.deepEqual(getProp(root, '/chosen', 'empty'), new Uint8Array(0));
  assert.deepEqual(propCells(getProp(root, '/memory@80000000', 'reg')!), [0, 0x80000000, 0, 0x8000000]);
  assert.deepEqual(propCells(getProp(root, '/cpus/cpu@0', 'big')!), [0x1234567, 0x89abcdef]);
  assert.deepEqual(getProp(root, '/cpus/cpu@0', 'raw'), new Uint8Array([1, 2, 3]));
  assert.deepEqual(propCells(getProp(root, '/cpus/cpu@0/interrupt-controller', 'phandle')!), [1]);
  assert.equal(findNode(root, '/cpus/cpu@1'), undefined);
  assert.equal(getProp(root, '/cpus', 'nope'), undefined);
  assert.deepEqual(buildDtb(root, 3), dtb);
});

test('a parsed tree keeps property and child order as stored', () => {
  const t = node('', [['z', 1], ['a', 2], ['m', 'x']], [node('b'), node('a'), node('c', [], [node('y'), node('x')])]);
  const root = parseDtb(buildDtb(t));
  assert.deepEqual(root.props.map(([k]) => k), ['z', 'a', 'm']);
  assert.deepEqual(root.children.map((c) => c.name), ['b', 'a', 'c']);
  assert.deepEqual(root.children[2]!.children.map((c) => c.name), ['y', 'x']);
});

test('dtbToDts prints a stable DTS-like text', () => {
  assert.equal(dtbToDts(buildDtb(sample())), [
    '/dts-v1/;',
    '',
    '/ {',
    '\t#address-cells = <0x02>;',
    '\t#size-cells = <0x02>;',
    '\tcompatible = "acme,board", "simple-bus";',
    '\tmodel = "Acme";',
    '',
    '\tchosen {',
    '\t\tbootargs = "console=ttyS0 \\"x\\"";',
    '\t\tempty;',
    '\t};',
    '',
    '\tmemory@80000000 {',
    '\t\tdevice_type = "memory";',
    '\t\treg = <0x00 0x80000000 0x00 0x8000000>;',
    '\t};',
    '',
    '\tcpus {',
    '\t\t#address-cells = <0x01>;',
    '\t\t#size-cells = <0x00>;',
    '',
    '\t\tcpu@0 {',
    '\t\t\treg = <0x00>;',
    '\t\t\tbig = <0x1234567 0x89abcdef>;',
    '\t\t\traw = [01 02 03];',
    '',
    '\t\t\tinterrupt-controller {',
    '\t\t\t\tinterrupt-controller;',
    '\t\t\t\tphandle = <0x01>;',
    '\t\t\t};',
    '\t\t};',
    '\t};',
    '};',
    '',
  ].join('\n'));
});

test('fdtToDts of a typed tree equals dtbToDts of its DTB', () => {
  assert.equal(fdtToDts(sample()), dtbToDts(buildDtb(sample())));
  const parsed = parseDtb(buildDtb(sample()));
  assert.equal(fdtToDts(parsed), dtbToDts(buildDtb(sample())));
});

test('formatPropValue: strings only when every string is non-empty printable ASCII', () => {
  assert.equal(formatPropValue(new Uint8Array(0)), '');
  assert.equal(formatPropValue(enc.encode('a\0b\0')), '"a", "b"');
  assert.equal(formatPropValue(enc.encode('back\\slash\0')), '"back\\\\slash"');
  // dtc prints 3686400 (00 38 40 00) as "\08@"; here it stays a cell.
  assert.equal(formatPropValue(new Uint8Array([0, 0x38, 0x40, 0])), '<0x384000>');
  assert.equal(formatPropValue(enc.encode('ab\0\0')), '<0x61620000>');
  assert.equal(formatPropValue(new Uint8Array([0x41, 0x42, 0x43])), '[41 42 43]'); // no NUL
  assert.equal(formatPropValue(new Uint8Array([0xff, 0, 1])), '[ff 00 01]');
  assert.equal(formatPropValue(new Uint8Array([0xc3, 0xa9, 0, 0])), '<0xc3a90000>');
});

test('readDtb rejects malformed input', () => {
  const good = buildDtb(sample());
  const patch = (off: number, v: number, src = good): Uint8Array => {
    const b = src.slice();
    new DataView(b.buffer).setUint32(off, v);
    return b;
  };
  assert.throws(() => readDtb(good.subarray(0, 20)), FdtParseError);
  assert.throws(() => readDtb(patch(0, 0xdeadbeef)), /magic/);
  assert.throws(() => readDtb(patch(20, 15)), /version 15/);
  assert.throws(() => readDtb(good.subarray(0, good.length - 16)), /totalsize/);
  const offStruct = new DataView(good.buffer).getUint32(8);
  assert.throws(() => readDtb(patch(offStruct, 7)), /unknown structure tag/);
  assert.throws(() => readDtb(patch(offStruct, 2)), /unbalanced/);
  assert.throws(() => readDtb(patch(offStruct, 9)), /no root node/);
  assert.throws(() => readDtb(patch(36, 8)), /FDT_END|outside|ends/); // structure block cut short
  assert.throws(() => propCells(new Uint8Array(3)), FdtParseError);
  assert.throws(() => propStrings(new Uint8Array([0x41])), FdtParseError);
});

test('NOP tags are skipped', () => {
  // The record of `z = <1>` (tag, len, nameoff, value: 16 bytes) becomes four FDT_NOP tags.
  const dtb = buildDtb(node('', [['z', 1], ['a', 2]]));
  const dv = new DataView(dtb.buffer);
  const s = dv.getUint32(8) + 8; // after BEGIN_NODE and the empty (padded) name
  for (let i = 0; i < 4; i++) dv.setUint32(s + i * 4, 4);
  assert.deepEqual(parseDtb(dtb).props.map(([k]) => k), ['a']);
});

test('a DTB dumped by QEMU 7.2 parses with the values dtc shows', () => {
  const q = new Uint8Array(readFileSync(join(FIX, 'virt-rv64-smp2-128m.dtb')));
  const { header, memReserve, root } = readDtb(q);
  assert.equal(header.totalsize, q.length);
  assert.equal(header.offMemRsvmap, 40);
  assert.equal(header.offDtStruct, 56);
  assert.deepEqual(memReserve, []);
  assert.deepEqual(root.children.map((c) => c.name), [
    'pmu', 'fw-cfg@10100000', 'flash@20000000', 'chosen', 'poweroff', 'reboot', 'platform-bus@4000000',
    'memory@80000000', 'cpus', 'soc',
  ]);
  assert.deepEqual(propStrings(getProp(root, '/', 'model')!), ['riscv-virtio,qemu']);
  assert.deepEqual(propStrings(getProp(root, '/chosen', 'stdout-path')!), ['/soc/serial@10000000']);
  assert.equal(getProp(root, '/chosen', 'rng-seed')!.length, 32);
  assert.deepEqual(propCells(getProp(root, '/cpus/cpu@1', 'phandle')!), [1]);
  assert.deepEqual(propCells(getProp(root, '/cpus/cpu@0', 'phandle')!), [3]);
  assert.deepEqual(propCells(getProp(root, '/soc/plic@c000000', 'interrupts-extended')!), [4, 11, 4, 9, 2, 11, 2, 9]);
  assert.deepEqual(propStrings(getProp(root, '/soc/test@100000', 'compatible')!), ['sifive,test1', 'sifive,test0', 'syscon']);
  assert.deepEqual(propCells(getProp(root, '/soc/serial@10000000', 'clock-frequency')!), [3686400]);
  const dts = dtbToDts(q);
  assert.match(dts, /\n\t\t\tclock-frequency = <0x384000>;\n/);
  assert.match(dts, /\n\t\tranges;\n/);
  // Same tree through fdt.ts's writer (different string table layout, same text).
  assert.equal(dtbToDts(buildDtb(root)), dts);
});
