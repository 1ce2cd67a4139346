import { test } from 'node:test';
import assert from 'node:assert/strict';
import insn from './insn.js';
import { installPlugin } from './test-support/fake-api.js';
import { FlowClass } from '../plugin/api.js';

for (const inline of ['on', 'off']) {
  test(`insn counts instructions with inline=${inline}`, () => {
    const fake = installPlugin(insn, [['inline', inline]]);
    const tb = fake.translate(0x1000n, [{}, {}, { flow: FlowClass.Transfer }]);
    // inline=on compiles an add per instruction, inline=off registers a callback instead.
    for (const i of tb.insns) assert.deepEqual(i.ops.map(o => o.kind), [inline === 'on' ? 'add' : 'exec']);
    fake.runBlock(0, tb);
    fake.runBlock(0, tb, 2); // an exception at the third instruction
    assert.equal(fake.exit(), 'insns: 5\n');
  });
}

test('insn reports per vCPU when there are several', () => {
  for (const inline of ['on', 'off']) {
    const fake = installPlugin(insn, [['inline', inline]], { vcpus: 2 });
    const tb = fake.translate(0x1000n, [{}, { size: 2 }, {}]);
    fake.runBlock(0, tb);
    fake.runBlock(1, tb, 2);
    assert.equal(fake.exit(), 'cpu 0 insns: 3\ncpu 1 insns: 2\ninsns: 5\n');
  }
});
