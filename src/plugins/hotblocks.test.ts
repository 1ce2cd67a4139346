import { test } from 'node:test';
import assert from 'node:assert/strict';
import hotblocks from './hotblocks.js';
import { installPlugin } from './test-support/fake-api.js';

test('hotblocks reports blocks by execution count, with translation and instruction counts', () => {
  const fake = installPlugin(hotblocks, [['limit', '2']], { vcpus: 2 });
  const a = fake.translate(0x80000000n, [{}, {}]);
  const b = fake.translate(0x80000100n, [{}, {}, {}]);
  const c = fake.translate(0x80000200n, [{}]);
  for (let i = 0; i < 5; i++) fake.runBlock(i % 2, b);
  for (let i = 0; i < 3; i++) fake.runBlock(0, a);
  fake.runBlock(0, c);
  fake.flush();
  const a2 = fake.translate(0x80000000n, [{}, {}]); // retranslated after the flush: same entry
  fake.runBlock(1, a2);
  assert.deepEqual(a.ops.map(o => o.kind), ['exec'], 'one callback per block, nothing per instruction');
  assert.equal(fake.exit(),
    'collected 3 entries in the hash table\n' +
    'pc, tcount, icount, ecount\n' +
    '0x0000000080000100, 1, 3, 5\n' +
    '0x0000000080000000, 2, 2, 4\n');
});

test('hotblocks default limit is 20 and ties sort by address', () => {
  const fake = installPlugin(hotblocks);
  for (let i = 24; i >= 0; i--) fake.runBlock(0, fake.translate(BigInt(0x1000 + 0x10 * i), [{}]));
  const lines = fake.exit().trimEnd().split('\n');
  assert.equal(lines.length, 2 + 20);
  assert.equal(lines[2], '0x0000000000001000, 1, 1, 1');
  assert.equal(lines[3], '0x0000000000001010, 1, 1, 1');
});
