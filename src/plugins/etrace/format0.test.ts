/**
 * Format 0 (the specification's optional efficiency modes): branch prediction (subformat 0,
 * branch counts) and the jump target cache (subformat 1, cache index).
 * - field layouts of both subformats, with and without the subformat field, serialise/parse;
 * - the predictor's state machine;
 * - round trips on the golden guests' rows (decoded PCs == pc_trace) with either or both modes,
 *   with and without implicit return, both itype widths;
 * - the support packet's ioptions bits and the decoder's checks of them;
 * - compression: what the modes gain (and what they cost) on the golden guests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePcs, DecodeError } from './decoder.js';
import { encodeRows, nextPredictorState } from './encoder.js';
import { ITYPE, itypeWidth4To3, type IngressRow } from './ingress.js';
import { ProgramImage } from './image.js';
import { BRANCH_FMT, packetBits, parsePayload, parseStream, PacketError, serialise, type TeInstPacket } from './packets.js';
import { f0sWidth, IOPTION, makeParams, type EtraceParams } from './params.js';
import { GUESTS, goldenParams, loadImage, loadPcTrace, loadRows, type Guest } from './test-support/golden.js';

const hexPcs = (pcs: bigint[]): string[] => pcs.map((p) => p.toString(16));

/** Read `w` bits at `at` (LSB first) from a bit array. */
function field(bits: number[], at: number, w: number): bigint {
  let v = 0n;
  for (let i = 0; i < w; i++) if (bits[at + i]) v |= 1n << BigInt(i);
  return v;
}

test('format 0 subformat 0 layout: format, subformat, branch_count (32), branch_fmt (2), then the address fields', () => {
  const both = makeParams({ bpredSizeP: 6, cacheSizeP: 3, implicitReturn: true, itypeWidthP: 4, returnStackSizeP: 2 });
  assert.equal(f0sWidth(both), 1);
  const noAddr: TeInstPacket = { format: 0, subformat: 0, branchCount: 1234, branchFmt: BRANCH_FMT.noAddress };
  let bits = packetBits(noAddr, both);
  assert.equal(bits.length, 2 + 1 + 32 + 2);
  assert.deepEqual([field(bits, 0, 2), field(bits, 2, 1), field(bits, 3, 32), field(bits, 35, 2)], [0n, 0n, 1234n, 0n]);
  // A count with no address compresses to the bits of the count.
  assert.equal(serialise(noAddr, both).length, 2);
  const withAddr: TeInstPacket = { format: 0, subformat: 0, branchCount: 0xffffffff, branchFmt: BRANCH_FMT.addressFail, address: 0x123n, notify: 0, updiscon: 1, irreport: 0, irdepth: 5 };
  bits = packetBits(withAddr, both);
  assert.equal(bits.length, 2 + 1 + 32 + 2 + 63 + 3 + 3);
  assert.deepEqual([field(bits, 3, 32), field(bits, 35, 2), field(bits, 37, 63), field(bits, 100, 1), field(bits, 101, 1), field(bits, 102, 1), field(bits, 103, 3)],
    [0xffffffffn, 3n, 0x123n, 0n, 1n, 0n, 5n]);
  // Only branch prediction: no subformat field.
  const bpOnly = makeParams({ bpredSizeP: 6 });
  assert.equal(f0sWidth(bpOnly), 0);
  assert.equal(packetBits(noAddr, bpOnly).length, 2 + 32 + 2);
  for (const [p, params] of [[noAddr, both], [withAddr, both], [noAddr, bpOnly], [{ ...withAddr, irdepth: undefined, branchFmt: BRANCH_FMT.address }, bpOnly]] as const) {
    const q = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
    assert.deepEqual(parsePayload(serialise(p, params), params), q);
  }
});

test('format 0 subformat 1 layout: format, subformat, index, branches, branch_map (none when branches is 0), irreport, irdepth', () => {
  const both = makeParams({ bpredSizeP: 6, cacheSizeP: 3, implicitReturn: true, itypeWidthP: 4, returnStackSizeP: 2 });
  const withMap: TeInstPacket = { format: 0, subformat: 1, index: 5, branches: 12, branchMap: 0xabc, irreport: 1, irdepth: 6 };
  let bits = packetBits(withMap, both);
  assert.equal(bits.length, 2 + 1 + 3 + 5 + 15 + 1 + 3);
  assert.deepEqual([field(bits, 0, 2), field(bits, 2, 1), field(bits, 3, 3), field(bits, 6, 5), field(bits, 11, 15), field(bits, 26, 1), field(bits, 27, 3)],
    [0n, 1n, 5n, 12n, 0xabcn, 1n, 6n]);
  const noMap: TeInstPacket = { format: 0, subformat: 1, index: 7, branches: 0, branchMap: 0, irreport: 0, irdepth: 0 };
  bits = packetBits(noMap, both);
  assert.equal(bits.length, 2 + 1 + 3 + 5 + 1 + 3);
  // Only the cache: no subformat field; without implicit return no irdepth.
  const jcOnly = makeParams({ cacheSizeP: 4 });
  const plain: TeInstPacket = { format: 0, subformat: 1, index: 9, branches: 31, branchMap: 0x7fffffff, irreport: 1 };
  assert.equal(packetBits(plain, jcOnly).length, 2 + 4 + 5 + 31 + 1);
  for (const [p, params] of [[withMap, both], [noMap, both], [plain, jcOnly]] as const) assert.deepEqual(parsePayload(serialise(p, params), params), p);
  // Without either option a format 0 payload is an error.
  assert.throws(() => parsePayload(serialise(plain, jcOnly), makeParams()), PacketError);
});

test('predictor entries: 2-bit states, the prediction changes after two failures', () => {
  // [state, taken] -> next
  const table: [number, boolean, number][] = [
    [0, false, 0], [0, true, 1], [1, false, 0], [1, true, 3], [3, true, 3], [3, false, 2], [2, true, 3], [2, false, 0],
  ];
  for (const [s, t, n] of table) assert.equal(nextPredictorState(s, t), n, `${s} ${t}`);
});

const MODES: [string, Partial<EtraceParams>][] = [
  ['bpred', { bpredSizeP: 8 }],
  ['jtc', { cacheSizeP: 4 }],
  ['bpred + jtc', { bpredSizeP: 6, cacheSizeP: 5 }],
  ['tiny bpred + tiny jtc', { bpredSizeP: 1, cacheSizeP: 1 }],
  ['bpred + jtc, full address', { bpredSizeP: 8, cacheSizeP: 4, fullAddress: true }],
  ['bpred + jtc, resync 16', { bpredSizeP: 8, cacheSizeP: 4, resyncMax: 0 }],
];

/** Encode the golden rows with `params` and decode them; returns stream bits per instruction. */
function roundTrip(g: Guest, params: Partial<EtraceParams>, rows = loadRows(g, 'b')): { bits: number; format0: number } {
  const { packets, bytes } = encodeRows(rows, params);
  assert.deepEqual(hexPcs(decodePcs(bytes, loadImage(g), params)), loadPcTrace(g), `${g} ${JSON.stringify(params)}`);
  return { bits: (8 * bytes.length) / loadPcTrace(g).length, format0: packets.filter((p) => p.packet.format === 0).length };
}

for (const [name, mode] of MODES) {
  for (const ir of [false, true]) {
    test(`round trip with ${name}${ir ? ', implicit return' : ''}: every golden guest decodes to pc_trace`, () => {
      for (const g of GUESTS) roundTrip(g, { ...goldenParams(g, 'b'), ...mode, ...(ir ? { implicitReturn: true } : {}) });
    });
  }
  test(`round trip with ${name}, itype width 3 rows`, () => {
    for (const g of GUESTS) {
      const rows = loadRows(g, 'b').map((r) => ({ ...r, itype: itypeWidth4To3(r.itype) }));
      roundTrip(g, { ...goldenParams(g, 'a'), ...mode }, rows);
    }
  });
}

test('both subformats are used on the golden guests (counts on timer_irq, cache indexes on calls)', () => {
  const counts = encodeRows(loadRows('timer_irq', 'b'), { ...goldenParams('timer_irq', 'b'), bpredSizeP: 8 }).packets;
  assert.ok(counts.some((p) => p.packet.format === 0 && p.packet.subformat === 0 && p.packet.branchFmt !== BRANCH_FMT.noAddress));
  const cached = encodeRows(loadRows('calls', 'b'), { ...goldenParams('calls', 'b'), cacheSizeP: 4 }).packets;
  assert.ok(cached.filter((p) => p.packet.format === 0 && p.packet.subformat === 1).length > 100);
});

test('support packet ioptions: bit 3 jump target cache, bit 4 branch prediction; the decoder checks them', () => {
  const rows = loadRows('calls', 'b');
  const base = goldenParams('calls', 'b');
  const ioptions = (params: Partial<EtraceParams>): number => {
    const first = encodeRows(rows.slice(0, 10), params).packets[0]!.packet;
    assert.ok(first.format === 3 && first.subformat === 3);
    return first.ioptions;
  };
  assert.equal(ioptions(base), 0);
  assert.equal(ioptions({ ...base, cacheSizeP: 2 }), IOPTION.jumpTargetCache);
  assert.equal(ioptions({ ...base, bpredSizeP: 2 }), IOPTION.branchPrediction);
  assert.equal(ioptions({ ...base, bpredSizeP: 2, cacheSizeP: 2, implicitReturn: true }), IOPTION.branchPrediction | IOPTION.jumpTargetCache | IOPTION.implicitReturn);
  const image = loadImage('calls');
  const bp = encodeRows(rows, { ...base, bpredSizeP: 3 }).bytes;
  assert.throws(() => decodePcs(bp, image, base), (e: unknown) => e instanceof DecodeError && /branch prediction is on.*--bpred/.test(e.message));
  const jc = encodeRows(rows, { ...base, cacheSizeP: 3 }).bytes;
  assert.throws(() => decodePcs(jc, image, { ...base, bpredSizeP: 3 }), (e: unknown) => e instanceof DecodeError && /jump target cache is on.*--jtc/.test(e.message));
  // A decoder configured for the modes decodes a stream without them (the options are off).
  assert.deepEqual(hexPcs(decodePcs(encodeRows(rows, base).bytes, image, { ...base, bpredSizeP: 3, cacheSizeP: 3 })), loadPcTrace('calls'));
  // Sizes must agree: a different cache size changes the index width.
  assert.throws(() => decodePcs(jc, image, { ...base, cacheSizeP: 5 }), (e: unknown) => e instanceof DecodeError || e instanceof PacketError);
  assert.ok(parseStream(bp, makeParams({ ...base, bpredSizeP: 3 })).length > 0);
});

test('compression: the jump target cache helps call-heavy code, the branch predictor loops of predictable branches', () => {
  const bits = (g: Guest, extra: Partial<EtraceParams>): number => roundTrip(g, { ...goldenParams(g, 'b'), ...extra }).bits;
  // calls: indirect calls and returns to a few targets.
  assert.ok(bits('calls', { cacheSizeP: 4 }) < bits('calls', {}) * 0.95);
  assert.ok(bits('calls', { cacheSizeP: 4, implicitReturn: true }) < bits('calls', { implicitReturn: true }));
  // timer_irq: loops made only of branches, waiting for an interrupt.
  assert.ok(bits('timer_irq', { bpredSizeP: 8 }) < bits('timer_irq', {}) * 0.9);
  // branchy's kernels branch on data (sorting, Collatz parity, CRC bits): the predictor is right
  // for about 81% of its branches, so runs of 31 correct predictions (the shortest a count
  // replaces) are rare and the maps stay. The mode then costs only the support packets' longer
  // ioptions field (two packets, at most a byte each).
  const plain = encodeRows(loadRows('branchy', 'b'), goldenParams('branchy', 'b')).bytes.length;
  const bp = encodeRows(loadRows('branchy', 'b'), { ...goldenParams('branchy', 'b'), bpredSizeP: 8 }).bytes.length;
  assert.ok(bp <= plain + 2, `${bp} vs ${plain}`);
});

/**
 * A small synthetic program whose branches and jumps take whatever the test says (the decoder
 * only needs their kinds and immediate targets):
 *   0x00 nop; 0x04 bne a0,a1,0x00; 0x08 beq a0,a1,0x10; 0x0c jalr x0,0(a2); 0x10 nop; 0x14 jalr x0,0(a3)
 * Flows: random walks with biased branch outcomes, random jump targets and interrupts (handler
 * at 0x10, returning through the jalr at 0x14).
 */
const BASE = 0x80000000n;
function bType(f3: number, imm: number): number {
  return ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (11 << 20) | (10 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
}
const PROGRAM = [0x00000013, bType(1, -4), bType(0, 8), (12 << 15) | 0x67, 0x00000013, (13 << 15) | 0x67];
function syntheticImage(): ProgramImage {
  const data = new Uint8Array(PROGRAM.length * 4);
  new DataView(data.buffer).setUint32(0, 0, true);
  PROGRAM.forEach((w, i) => new DataView(data.buffer).setUint32(4 * i, w, true));
  return new ProgramImage([{ start: BASE, end: BASE + BigInt(data.length), data }], 64, BASE);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Flow { rows: IngressRow[]; pcs: string[] }
/** `steps` instructions of a random walk: the loop branch taken with probability `loopBias`. */
function syntheticFlow(seed: number, steps: number, loopBias: number, irqRate = 0.002): Flow {
  const rand = rng(seed);
  const rows: IngressRow[] = [], pcs: string[] = [];
  const row = (itype: number, off: number, retired = 1, cause = 0): void => {
    rows.push({ itype, cause, tval: 0n, priv: 3, iaddr: BASE + BigInt(off), iretire: retired, ilastsize: 1, context: 0, ctype: 0 });
    if (retired) pcs.push((BASE + BigInt(off)).toString(16));
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let pc = 0, ret = -1;
  for (let i = 0; i < steps; i++) {
    if (ret < 0 && i > 0 && rand() < irqRate) {
      row(ITYPE.interrupt, pc, 0, 7);
      ret = pc;
      pc = 0x10;
    }
    switch (pc) {
      case 0x00: row(ITYPE.none, pc); pc = 0x04; break;
      case 0x04: { const t = rand() < loopBias; row(t ? ITYPE.takenBranch : ITYPE.nontakenBranch, pc); pc = t ? 0x00 : 0x08; break; }
      case 0x08: { const t = rand() < 0.1; row(t ? ITYPE.takenBranch : ITYPE.nontakenBranch, pc); pc = t ? 0x10 : 0x0c; break; }
      case 0x0c: row(ITYPE.uninferableJump, pc); pc = pick([0x00, 0x04, 0x08, 0x10]); break;
      case 0x10: row(ITYPE.none, pc); pc = 0x14; break;
      default: row(ITYPE.uninferableJump, pc); pc = ret >= 0 ? ret : pick([0x00, 0x04, 0x08]); ret = -1; break;
    }
  }
  return { rows, pcs };
}

test('synthetic flows: counts ended by a failed prediction (branch_fmt 0), with an address (2, 3), cache indexes with maps; all decode', () => {
  const image = syntheticImage();
  const seen = new Set<string>();
  for (const [name, mode] of [...MODES, ['bpred 2, jtc 1', { bpredSizeP: 2, cacheSizeP: 1 }]] as [string, Partial<EtraceParams>][]) {
    for (let seed = 1; seed <= 12; seed++) {
      const flow = syntheticFlow(seed, 4000, seed % 3 === 0 ? 0.9 : 0.995);
      const params: Partial<EtraceParams> = { resyncMax: 4, ...mode };
      const { packets, bytes } = encodeRows(flow.rows, params);
      for (const { packet: p } of packets) {
        if (p.format === 0) seen.add(p.subformat === 0 ? `count fmt ${p.branchFmt}` : `index ${p.branches ? 'map' : 'no map'}`);
      }
      assert.deepEqual(hexPcs(decodePcs(bytes, image, params)), flow.pcs, `${name} seed ${seed}`);
    }
  }
  assert.deepEqual([...seen].sort(), ['count fmt 0', 'count fmt 2', 'count fmt 3', 'index map', 'index no map']);
});

test('the predictor makes a long loop cost a few packets; without it, one full map per 31 iterations', () => {
  const flow = syntheticFlow(7, 20000, 0.9995, 0);
  const plain = encodeRows(flow.rows, { resyncMax: 8 }).bytes.length;
  const bp = encodeRows(flow.rows, { resyncMax: 8, bpredSizeP: 4 }).bytes.length;
  assert.ok(bp * 3 < plain, `${bp} vs ${plain}`);
});
