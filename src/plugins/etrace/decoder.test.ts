import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EtraceDecoder, decodePcs, decodeStream, DecodeError } from './decoder.js';
import { encodeRows } from './encoder.js';
import { itypeWidth4To3 } from './ingress.js';
import { PacketError, parseStream, statusFlags } from './packets.js';
import { makeParams, type EtraceParams } from './params.js';
import { ImageError } from './image.js';
import { CONFIGS, GUESTS, goldenParams, loadImage, loadPcTrace, loadRaw, loadRows, loadTraps, type Guest } from './test-support/golden.js';

const hexPcs = (pcs: bigint[]): string[] => pcs.map((p) => p.toString(16));

for (const g of GUESTS) {
  for (const c of CONFIGS) {
    test(`decoding the golden ${g}/${c} stream with the ELF gives pc_trace exactly`, () => {
      assert.deepEqual(hexPcs(decodePcs(loadRaw(g, c), loadImage(g), goldenParams(g, c))), loadPcTrace(g));
    });
  }
}

test('trap markers: one per traps.csv line, same type and cause, after the same pc_trace line', () => {
  for (const g of GUESTS) {
    const entries = decodeStream(loadRaw(g, 'a'), loadImage(g), goldenParams(g, 'a'));
    let pcs = 0;
    const traps: { interrupt: boolean; cause: number; after: number }[] = [];
    for (const e of entries) {
      if (e.kind === 'pc') pcs++;
      else traps.push({ interrupt: e.interrupt, cause: e.cause, after: pcs });
    }
    const want = loadTraps(g);
    assert.deepEqual(traps.map(({ interrupt, cause }) => ({ interrupt, cause })), want, g);
  }
});

/** Encode golden rows with other options and decode them again. */
function roundTrip(g: Guest, params: Partial<EtraceParams>, rows = loadRows(g, 'b')): { packets: number; bytes: number; payload: number } {
  const { packets, bytes } = encodeRows(rows, params);
  assert.deepEqual(hexPcs(decodePcs(bytes, loadImage(g), params)), loadPcTrace(g), JSON.stringify(params));
  return { packets: packets.length, bytes: bytes.length, payload: bytes.length - packets.length };
}

const VARIANTS: [string, Partial<EtraceParams>][] = [
  ['implicit return', { implicitReturn: true }],
  ['implicit return, 2-entry stack', { implicitReturn: true, returnStackSizeP: 1 }],
  ['implicit return, resync 16', { implicitReturn: true, resyncMax: 0 }],
  ['full address', { fullAddress: true }],
  ['full address + implicit return', { fullAddress: true, implicitReturn: true }],
  ['resync 32', { resyncMax: 1 }],
  ['resync 256', { resyncMax: 4 }],
  ['resync 2^12', { resyncMax: 8 }],
];

for (const [name, v] of VARIANTS) {
  test(`round trip with ${name}: every guest decodes to pc_trace`, () => {
    for (const g of GUESTS) roundTrip(g, { ...goldenParams(g, 'b'), ...v });
  });
}

test('round trip with itype width 3 rows derived from the width-4 rows', () => {
  for (const g of GUESTS) {
    const rows = loadRows(g, 'b').map((r) => ({ ...r, itype: itypeWidth4To3(r.itype) }));
    for (const resyncMax of [0, 3]) roundTrip(g, { ...goldenParams(g, 'a'), resyncMax }, rows);
  }
});

test('implicit return makes calls cheaper: fewer packets and fewer bits per instruction', () => {
  const base = roundTrip('calls', goldenParams('calls', 'b'));
  const ir = roundTrip('calls', { ...goldenParams('calls', 'b'), implicitReturn: true });
  assert.ok(ir.packets < base.packets / 2, `${ir.packets} vs ${base.packets} packets`);
  assert.ok(ir.bytes < base.bytes, `${ir.bytes} vs ${base.bytes} bytes`);
});

test('implicit return reports returns that miss the prediction with the irreport flag', () => {
  const params = makeParams({ ...goldenParams('calls', 'b'), implicitReturn: true, returnStackSizeP: 1 });
  const { packets } = encodeRows(loadRows('calls', 'b'), params);
  const flagged = packets.filter((p) => (p.packet.format === 1 || p.packet.format === 2) && p.packet.address !== undefined && statusFlags(p.packet, params).irreport);
  assert.ok(flagged.length > 0);
});

test('decoder errors: no sync first, stream from another program, truncated stream, implicit return not configured', () => {
  const raw = loadRaw('calls', 'a');
  const packets = parseStream(raw, makeParams());
  const dec = new EtraceDecoder(loadImage('calls'));
  assert.throws(() => dec.process(packets[2]!.packet), (e: unknown) => e instanceof DecodeError && /does not start with a format 3 sync/.test(e.message));
  assert.throws(() => decodePcs(loadRaw('rv32_mix', 'a'), loadImage('calls'), goldenParams('rv32_mix', 'a')), (e: unknown) => e instanceof ImageError || e instanceof DecodeError);
  const img = loadImage('calls');
  assert.throws(() => img.instrAt(0x1000n), /PC 0x1000 is not in the program image/);
  assert.throws(() => decodePcs(raw.subarray(0, raw.length - 1), loadImage('calls')), PacketError);
  const ir = encodeRows(loadRows('calls', 'b'), { implicitReturn: true, itypeWidthP: 4 }).bytes;
  assert.throws(() => decodePcs(ir, loadImage('calls')), /implicit return/);
});
