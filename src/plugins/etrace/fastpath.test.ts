/**
 * The encoder's fast paths (quiet clocks, runs whose middle is skipped, bytes written without
 * packet objects) give exactly what the encoder gave before them, row by row: same packets, same
 * rows and reasons, same bytes. Reference: test-support/reference-encoder.ts (the encoder before
 * the fast paths). Inputs: the 12 golden row files and seeded random row sequences (branches,
 * jumps, calls and returns with implicit return, traps, privilege changes, resync periods 16..64).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitWriter, maskBits } from './bits.js';
import { EtraceEncoder, RowRun, type EncodedPacket } from './encoder.js';
import { ITYPE, type IngressRow } from './ingress.js';
import type { EtraceParams } from './params.js';
import { EtraceEncoder as ReferenceEncoder } from './test-support/reference-encoder.js';
import { CONFIGS, GUESTS, goldenParams, loadRows } from './test-support/golden.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Out { packets: { packet: unknown; row: number; reasons: string[]; bytes: number[] }[]; bytes: Buffer }
const view = (ps: EncodedPacket[], bytes: Uint8Array): Out => ({
  packets: ps.map((p) => ({ packet: p.packet, row: p.row, reasons: p.reasons, bytes: [...p.bytes] })),
  bytes: Buffer.from(bytes),
});

function reference(rows: readonly IngressRow[], params: Partial<EtraceParams>): Out {
  const enc = new ReferenceEncoder(params);
  for (const r of rows) enc.push(r);
  enc.finish();
  return view(enc.packets, enc.streamBytes());
}

/** Split rows into runs: at every row that is not plain (like blocks) and at random points. */
function runs(rows: readonly IngressRow[], rand: () => number): RowRun[] {
  const out: RowRun[] = [];
  let start = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const cut = r.itype !== ITYPE.none || r.iretire !== 1 || i === rows.length - 1 || rand() < 0.05;
    if (cut) {
      out.push(new RowRun(rows.slice(start, i + 1)));
      start = i + 1;
    }
  }
  return out;
}

/** The new encoder three ways must equal the reference. */
function check(rows: readonly IngressRow[], params: Partial<EtraceParams>, seed: number, what: string): void {
  const want = reference(rows, params);
  // 1. Row by row.
  const a = new EtraceEncoder(params);
  for (const r of rows) a.push(r);
  a.finish();
  assert.deepEqual(view(a.packets, a.streamBytes()), want, `${what}: push`);
  // 2. In runs (skipping quiet middles), with packet objects.
  const rand = rng(seed);
  const rs = runs(rows, rand);
  const b = new EtraceEncoder(params);
  for (const r of rs) b.pushRun(r);
  b.finish();
  assert.deepEqual(view(b.packets, b.streamBytes()), want, `${what}: pushRun`);
  // 3. In runs, bytes only (no packet objects); mixed with single pushes.
  const c = new EtraceEncoder(params, { collect: false, stream: true });
  for (const r of rs) {
    if (rand() < 0.1) for (const x of r.rows) c.push(x);
    else c.pushRun(r);
  }
  c.finish();
  assert.deepEqual(Buffer.from(c.streamBytes()), want.bytes, `${what}: stream`);
  assert.equal(c.packetCount, want.packets.length, `${what}: packet count`);
  assert.equal(c.byteCount, want.bytes.length, `${what}: byte count`);
}

for (const g of GUESTS) {
  for (const cfg of CONFIGS) {
    test(`fast paths == row-by-row reference: golden ${g}/${cfg}`, () => {
      const rows = loadRows(g, cfg);
      check(rows, goldenParams(g, cfg), 1, `${g}/${cfg}`);
      check(rows, { ...goldenParams(g, cfg), fullAddress: true }, 2, `${g}/${cfg} full address`);
    });
  }
}

/**
 * A random but plausible instruction flow: blocks of plain instructions ending in a branch,
 * jump, call or return (returns mostly to the address the matching call pushed, so implicit
 * returns are predicted; sometimes elsewhere), ecall/ebreak and faulting instructions,
 * interrupts, xRETs with privilege changes, long branch loops (full maps, resyncs).
 */
function randomRows(seed: number, count: number, width: 3 | 4, trapRate: number, switchRate: number): IngressRow[] {
  const rand = rng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const rows: IngressRow[] = [];
  let pc = 0x80000000n, priv = 3, context = 0, ctype = 0;
  const calls: bigint[] = [];
  const add = (itype: number, size: number, extra: Partial<IngressRow> = {}): IngressRow => {
    const r: IngressRow = { itype, cause: 0, tval: 0n, priv, iaddr: pc, iretire: 1, ilastsize: size === 4 ? 1 : 0, context, ctype, ...extra };
    rows.push(r);
    return r;
  };
  const jump = (w3: number, w4: number): number => (width === 3 ? w3 : w4);
  const loopMode = () => rand() < 0.3;
  let loop = loopMode();
  while (rows.length < count) {
    if (rand() < 0.02) loop = loopMode();
    const n = loop ? 1 + int(8) : int(12);
    for (let i = 0; i < n; i++) {
      const size = rand() < 0.5 ? 2 : 4;
      add(ITYPE.none, size);
      pc += BigInt(size);
    }
    const size = rand() < 0.5 ? 2 : 4;
    // 0-1 branch, 2 call, 3-4 return, 5 jump, 6-8 traps, 9-10 xRET, 11 plain.
    const k = rand() < trapRate ? 6 + int(5) : loop ? (rand() < 0.97 ? 0 : [2, 3, 5, 11][int(4)]!) : [0, 1, 2, 3, 4, 5, 11][int(7)]!;
    switch (k) {
      case 0: case 1: { // branch
        const taken = rand() < 0.6;
        add(taken ? ITYPE.takenBranch : ITYPE.nontakenBranch, size);
        pc = taken ? pc - BigInt(2 * int(64)) : pc + BigInt(size);
        break;
      }
      case 2: { // inferable or uninferable call
        const unInf = rand() < 0.5;
        add(unInf ? jump(6, 8) : jump(0, 9), size);
        calls.push(pc + BigInt(size));
        pc = 0x80001000n + BigInt(2 * int(4096));
        break;
      }
      case 3: case 4: { // return
        add(jump(6, 13), size);
        const back = calls.pop();
        pc = back !== undefined && rand() < 0.85 ? back : 0x80002000n + BigInt(2 * int(4096));
        break;
      }
      case 5: { // other jumps
        const t = int(4);
        add(t === 0 ? jump(0, 11) : t === 1 ? jump(0, 15) : t === 2 ? jump(6, 10) : jump(6, 14), size);
        pc = 0x80000000n + BigInt(2 * int(8192));
        break;
      }
      case 6: { // ecall / ebreak: retires and raises
        add(ITYPE.exception, size, { cause: rand() < 0.5 ? 8 + priv : 3 });
        const from = priv;
        priv = rand() < 0.7 ? 3 : 1;
        if (from === 3) priv = 3;
        pc = 0x80003000n;
        break;
      }
      case 7: { // a faulting instruction (nothing retires), sometimes twice in a row
        add(ITYPE.exception, size, { iretire: 0, cause: 2, tval: BigInt(int(1 << 30)) });
        pc = 0x80003000n;
        if (rand() < 0.2) {
          add(ITYPE.exception, 4, { iretire: 0, cause: 2, tval: 0x12345678n });
          pc = 0x80003100n;
        }
        priv = 3;
        break;
      }
      case 8: { // interrupt before the instruction at pc
        add(ITYPE.interrupt, size, { iretire: 0, cause: 7 });
        priv = 3;
        pc = 0x80004000n;
        break;
      }
      case 9: case 10: { // xRET, maybe to a lower privilege
        add(width === 3 ? 6 : rand() < 0.5 ? 14 : ITYPE.exceptionReturn, 4);
        priv = [0, 1, 3][int(3)]!;
        pc = 0x80005000n + BigInt(2 * int(4096));
        break;
      }
      default: { // a plain block end (fall through into the next block)
        add(ITYPE.none, size);
        pc += BigInt(size);
        // Sometimes a privilege or context change without a trap (the encoder must see it).
        if (rand() < switchRate) priv = [0, 1, 3][int(3)]!;
        if (rand() < switchRate) {
          context = int(4);
          ctype = [0, 2][int(2)]!;
        }
      }
    }
  }
  return rows;
}

for (let seed = 1; seed <= 24; seed++) {
  test(`fast paths == row-by-row reference: random flow ${seed}`, () => {
    const width: 3 | 4 = seed % 2 === 0 ? 4 : 3;
    const resyncMax = Math.floor(seed / 3) % 3;
    const rows = randomRows(seed, 30000, width, [0.2, 0.01, 0.001][seed % 3]!, seed % 4 === 1 ? 0.1 : 0);
    const params: Partial<EtraceParams> = {
      itypeWidthP: width, resyncMax, implicitReturn: width === 4 && seed % 4 === 0, fullAddress: seed % 5 === 0,
      iaddressWidthP: seed % 7 === 0 ? 32 : 64,
    };
    check(rows, params, seed, `seed ${seed} ${JSON.stringify(params)}`);
  });
}

test('BitWriter gives the bits of the bit-by-bit reference (random fields, numbers and bigints)', () => {
  const rand = rng(99);
  for (let k = 0; k < 3000; k++) {
    const w = new BitWriter();
    const bits: number[] = [];
    const fields = 1 + Math.floor(rand() * 8);
    for (let f = 0; f < fields; f++) {
      const width = 1 + Math.floor(rand() * 64);
      const big = BigInt(Math.floor(rand() * 2 ** 32)) << 32n | BigInt(Math.floor(rand() * 2 ** 32));
      const v = big & maskBits(width);
      const asNumber = width <= 32 && rand() < 0.5;
      w.write(asNumber ? Number(v) : v, width);
      for (let i = 0; i < width; i++) bits.push(Number((v >> BigInt(i)) & 1n));
    }
    assert.deepEqual(w.toBits(), bits);
  }
});

test('full-map format 1 packets written as bytes (edge maps: all taken, none taken, top bit, random)', () => {
  const rand = rng(7);
  const maps = [0, 0x7fffffff, 0x40000000, 0x3fffffff, 1, 0x7ffffffe];
  for (let k = 0; k < 200; k++) maps.push(Math.floor(rand() * 2 ** 31));
  const rows: IngressRow[] = [];
  let pc = 0x80000000n;
  for (const m of maps) {
    for (let i = 0; i < 31; i++) {
      rows.push({ itype: (m >>> i) & 1 ? ITYPE.nontakenBranch : ITYPE.takenBranch, cause: 0, tval: 0n, priv: 3, iaddr: pc, iretire: 1, ilastsize: 1, context: 0, ctype: 0 });
      rows.push({ itype: 0, cause: 0, tval: 0n, priv: 3, iaddr: pc + 4n, iretire: 1, ilastsize: 1, context: 0, ctype: 0 });
      pc += 8n;
    }
  }
  for (const resyncMax of [0, 2, 20]) check(rows, { resyncMax }, resyncMax, `full maps, resync ${resyncMax}`);
});

test('pushRunRepeated (a block looping on itself) == the rows pushed one by one', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rand = rng(1000 + seed);
    const width: 3 | 4 = seed % 2 ? 3 : 4;
    const params: Partial<EtraceParams> = { itypeWidthP: width, resyncMax: seed % 3, implicitReturn: width === 4 && seed % 4 === 0 };
    const block = (base: number, n: number, lastItype: number, priv: number): RowRun =>
      new RowRun(Array.from({ length: n }, (_, i): IngressRow => ({
        itype: i === n - 1 ? lastItype : 0, cause: 0, tval: 0n, priv, iaddr: BigInt(base + 4 * i), iretire: 1, ilastsize: 1, context: 0, ctype: 0,
      })));
    const pool = [
      block(0x1000, 7, ITYPE.takenBranch, 3), block(0x2000, 8, ITYPE.nontakenBranch, 3), block(0x3000, 3, ITYPE.none, 3),
      block(0x4000, 1, ITYPE.takenBranch, 3), block(0x5000, 2, ITYPE.nontakenBranch, 3), block(0x6000, 5, width === 3 ? 6 : 13, 3),
      block(0x7000, 4, width === 3 ? 0 : 9, 3), block(0x8000, 6, ITYPE.takenBranch, 1), block(0x9000, 3, ITYPE.none, 0),
    ];
    // Operations: [run, count, repeated?]; the reference gets the same rows one by one.
    const ops: [RowRun, number, boolean][] = [];
    for (let i = 0; i < 400; i++) {
      const r = pool[Math.floor(rand() * pool.length)]!;
      ops.push([r, 1 + Math.floor(rand() * (rand() < 0.5 ? 5 : 200)), rand() < 0.9]);
    }
    const rows = ops.flatMap(([r, c, rep]) => (rep ? Array.from({ length: c }, () => r.rows).flat() : [...r.rows]));
    const want = reference(rows, params);
    const enc = new EtraceEncoder(params, { collect: false, stream: true });
    for (const [r, c, rep] of ops) {
      if (rep) enc.pushRunRepeated(r, c);
      else enc.pushRun(r);
    }
    enc.finish();
    assert.deepEqual(Buffer.from(enc.streamBytes()), want.bytes, `seed ${seed}`);
    assert.ok(want.packets.length > 20, `seed ${seed}: ${want.packets.length} packets`);
  }
});
