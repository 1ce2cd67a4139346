import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeTeInstCsv } from './csv.js';
import { EtraceEncoder, encodeRows } from './encoder.js';
import { ITYPE, itypeWidth4To3, type IngressRow } from './ingress.js';
import { CONFIGS, GUESTS, goldenParams, loadImage, loadRaw, loadRows, loadTeInstCsv } from './test-support/golden.js';

for (const g of GUESTS) {
  for (const c of CONFIGS) {
    test(`encoder reproduces the golden ${g}/${c} stream byte for byte and te_inst.csv field for field`, () => {
      const { packets, bytes } = encodeRows(loadRows(g, c), goldenParams(g, c));
      assert.deepEqual(Buffer.from(bytes), Buffer.from(loadRaw(g, c)));
      assert.equal(writeTeInstCsv(packets.map((p) => p.packet)), loadTeInstCsv(g, c));
    });
  }
}

test('itype width 3 rows derived from the width-4 rows of b give the golden a streams', () => {
  for (const g of GUESTS) {
    const rows = loadRows(g, 'b').map((r) => ({ ...r, itype: itypeWidth4To3(r.itype) }));
    const { bytes } = encodeRows(rows, { ...goldenParams(g, 'b'), itypeWidthP: 3, resyncMax: 0 });
    assert.deepEqual(Buffer.from(bytes), Buffer.from(loadRaw(g, 'a')), g);
  }
});

test('itype 3 (exception return) is an uninferable discontinuity like 6 and 14', () => {
  for (const g of ['priv_modes', 'timer_irq'] as const) {
    for (const c of CONFIGS) {
      const rows = loadRows(g, c);
      const image = loadImage(g);
      let changed = 0;
      const asExcReturn = rows.map((r) => {
        const isXret = r.iretire === 1 && image.instrAt(r.iaddr).kind === 'xret';
        if (isXret) changed++;
        return isXret ? { ...r, itype: ITYPE.exceptionReturn } : r;
      });
      assert.ok(changed > 0, `${g}/${c}: some xRET rows`);
      const { bytes } = encodeRows(asExcReturn, goldenParams(g, c));
      assert.deepEqual(Buffer.from(bytes), Buffer.from(loadRaw(g, c)), `${g}/${c}`);
    }
  }
});

function row(iaddr: number, itype = 0, extra: Partial<IngressRow> = {}): IngressRow {
  return { itype, cause: 0, tval: 0n, priv: 3, iaddr: BigInt(iaddr), iretire: 1, ilastsize: 1, context: 0, ctype: 0, ...extra };
}

test('no resync start packet on an exception-only row (the reference flow sends one there)', () => {
  // 17 uninferable jumps (one address packet each), then a branch that fills the resync count,
  // then an interrupt row: the resync would fall on the interrupt row.
  const rows: IngressRow[] = [];
  let pc = 0x80000000;
  for (let i = 0; i < 17; i++) rows.push(row((pc += 0x100), ITYPE.uninferableJump));
  rows.push(row((pc += 0x100), ITYPE.nontakenBranch));
  rows.push(row(pc + 4, ITYPE.interrupt, { iretire: 0, cause: 7 }));
  rows.push(row(0x80000800));
  rows.push(row(0x80000804));
  const kinds = (resyncOnTrapRow: boolean): string[] =>
    encodeRows(rows, { resyncMax: 0 }, { resyncOnTrapRow }).packets.map((p) => `${p.packet.format}.${'subformat' in p.packet ? p.packet.subformat : ''}@${p.row}`);
  const ours = kinds(false), rf = kinds(true);
  assert.ok(rf.includes('3.0@19'), `reference behaviour: start packet on row 19 (${rf.join(' ')})`);
  assert.ok(!ours.includes('3.0@19'), `ours: ${ours.join(' ')}`);
  assert.ok(ours.includes('3.1@20'), 'the trap packet follows');
});

test('streaming: onPacket sees every packet as it is produced; finish is idempotent', () => {
  const seen: number[] = [];
  const enc = new EtraceEncoder(goldenParams('branchy', 'a'), { onPacket: (p) => seen.push(p.bytes.length), collect: false });
  for (const r of loadRows('branchy', 'a')) enc.push(r);
  enc.finish();
  enc.finish();
  assert.equal(seen.reduce((a, b) => a + b, 0), loadRaw('branchy', 'a').length);
  assert.equal(enc.packets.length, 0);
  assert.throws(() => enc.push(row(0)), /finished/);
});

test('implicit return needs itype width 4', () => {
  assert.throws(() => new EtraceEncoder({ implicitReturn: true, itypeWidthP: 3 }), /itype width 4/);
});
