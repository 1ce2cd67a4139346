import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { atbBeats, encapPacket } from './encap.js';
import { PacketError, frame, parsePayload, parseStream, serialise, type TeInstPacket } from './packets.js';
import { makeParams } from './params.js';
import { FIXTURES, GUESTS, goldenParams, loadRaw } from './test-support/golden.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const bytes = (s: string): Uint8Array => new Uint8Array(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

/** Minimal CSV line splitter with double-quote support. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

const rows = readFileSync(`${FIXTURES}spec_examples.csv`, 'utf8').trim().split('\n').slice(1).map(splitCsv);
const specParams = makeParams({ iaddressWidthP: 40, iaddressLsbP: 0, fullAddress: true, contextWidthP: 32, nocontextP: false, notimeP: true, ecauseWidthP: 5, privilegeWidthP: 2 });

function packetFromFields(fields: string): TeInstPacket {
  const f = Object.fromEntries(fields.split(' ').map((kv) => kv.split('='))) as Record<string, string>;
  const n = (k: string): number => Number(f[k]);
  const b = (k: string): bigint => BigInt(f[k]!);
  switch (f.format) {
    case '1': return { format: 1, branches: n('branches'), branchMap: n('branch_map'), address: b('address'), notify: n('notify'), updiscon: n('updiscon'), irreport: n('irreport') };
    case '2': return { format: 2, address: b('address'), notify: n('notify'), updiscon: n('updiscon'), irreport: n('irreport') };
  }
  const common = (): { branch: number; privilege: number; context: number; address: bigint } =>
    ({ branch: n('branch'), privilege: n('privilege'), context: n('context'), address: b('address') });
  switch (f.subformat) {
    case '0': return { format: 3, subformat: 0, ...common() };
    case '1': {
      const trap = { format: 3 as const, subformat: 1 as const, ...common(), ecause: n('ecause'), interrupt: n('interrupt'), thaddr: n('thaddr') };
      return f.tval === undefined ? trap : { ...trap, tval: b('tval') };
    }
    default: return { format: 3, subformat: 3, ienable: n('ienable'), encoderMode: n('encoder_mode'), qualStatus: n('qual_status'), ioptions: n('ioptions'), denable: n('denable'), dloss: n('dloss'), doptions: n('doptions') };
  }
}

for (const [id, name, fields, , payloadHex, streamHex, specHex, agrees] of rows.filter((r) => r[0]!.startsWith('te_inst'))) {
  test(`spec example ${id} (${name}): fields give payload ${payloadHex}, stream and back`, () => {
    const p = packetFromFields(fields!);
    const payload = serialise(p, specParams);
    assert.equal(hex(payload), payloadHex);
    assert.equal(hex(frame(payload)), streamHex);
    if (agrees === 'yes') assert.equal(hex(payload), specHex);
    assert.deepEqual(parsePayload(payload, specParams), p);
    assert.deepEqual(parseStream(bytes(streamHex!), specParams), [{ offset: 0, packet: p }]);
  });
}

test('spec example te_inst-3: the spec text bytes decode to 0x200000d8, not the annotated 0x800001b0', () => {
  const row = rows.find((r) => r[0] === 'te_inst-3')!;
  const p = parsePayload(bytes(row[6]!), specParams);
  assert.equal(p.format === 3 && p.subformat === 0 ? p.address : -1n, 0x200000d8n);
});

for (const [id, name, , params, out] of rows.filter((r) => r[0]!.startsWith('encap'))) {
  test(`spec example ${id} (${name})`, () => {
    const payloadHex = rows.find((r) => r[0] === id)![2]!.replace('payload=', '');
    const payload = bytes(payloadHex);
    const srcId = Number(/0x([0-9a-f]+)/.exec(params!)![0]);
    if (id!.endsWith('-atb')) {
      const beats = atbBeats(frame(payload).map((b, i) => (i === 0 ? payload.length : b)));
      const text = beats.map((b) => `ATBYTES=${b.atbytes} ATDATA=0x${b.atdata.toString(16).padStart(8, '0')}`).join('; ');
      assert.equal(text, out);
    } else {
      assert.equal(hex(encapPacket(payload, { srcId, srcIdBits: 6, type: 2, typeBits: 2 })), out);
    }
  });
}

test('every golden stream parses and re-serialises to the same bytes', () => {
  for (const g of GUESTS) {
    for (const c of ['a', 'b'] as const) {
      const params = makeParams(goldenParams(g, c));
      const raw = loadRaw(g, c);
      const packets = parseStream(raw, params);
      const again = packets.map((p) => frame(serialise(p.packet, params)));
      assert.deepEqual(Buffer.concat(again), Buffer.from(raw), `${g}/${c}`);
    }
  }
});

test('bad streams: truncated packet, bad header, format 0, over-long payload', () => {
  const p = makeParams();
  assert.throws(() => parseStream(bytes('49 73 00 00'), p), (e: unknown) => e instanceof PacketError && /truncated stream/.test(e.message));
  assert.throws(() => parseStream(bytes('81 00'), p), /bad header byte 0x81/);
  assert.throws(() => parseStream(bytes('41 00'), p), /format 0/);
  assert.throws(() => parseStream(bytes('44 1f 00 00 00'), p), /longer than its fields/);
});
