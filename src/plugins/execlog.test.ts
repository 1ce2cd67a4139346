import { test } from 'node:test';
import assert from 'node:assert/strict';
import execlog from './execlog.js';
import { installPlugin } from './test-support/fake-api.js';

const program = [
  { opcode: 0x00a00513, disas: 'li a0,10' },
  { opcode: 0x00053583, disas: 'ld a1,0(a0)' },
  { opcode: 0xc198, size: 2, disas: 'c.sw a4,0(a1)' },
  { opcode: 0x00b50023, disas: 'sb a1,0(a0)' },
];

test('execlog prints one line per instruction with its memory accesses', () => {
  const fake = installPlugin(execlog, [], { vcpus: 2 });
  const tb = fake.translate(0x80000000n, program);
  fake.exec(0, 0x80000000n);
  fake.exec(0, 0x80000004n, [{ vaddr: 0x1000n, size: 8 }]);
  fake.exec(1, 0x80000008n, [{ vaddr: 0x1234_5678_9an, isStore: true }]);
  fake.exec(0, 0x8000000an, [{ vaddr: 0x20n, size: 1, isStore: true }, { vaddr: 0x21n, size: 1, isStore: true }]);
  assert.equal(tb.insns[0]!.memOps.length, 1);
  assert.equal(fake.exit(),
    '0, 0x80000000, 0xa00513, "li a0,10"\n' +
    '0, 0x80000004, 0x53583, "ld a1,0(a0)", load, 0x00001000\n' +
    // remaining lines are flushed at exit, vCPU by vCPU
    '0, 0x8000000a, 0xb50023, "sb a1,0(a0)", store, 0x00000020, store, 0x00000021\n' +
    '1, 0x80000008, 0xc198, "c.sw a4,0(a1)", store, 0x123456789a\n');
});

test('execlog ifilter and afilter log only matching instructions', () => {
  const fake = installPlugin(execlog, [['ifilter', 'sb|c.sw'], ['afilter', '0x80000000']]);
  const tb = fake.translate(0x80000000n, program);
  assert.deepEqual(tb.insns.map(i => i.ops.length), [1, 0, 1, 1]);
  fake.runBlock(0, tb);
  assert.equal(fake.exit(),
    '0, 0x80000000, 0xa00513, "li a0,10"\n' +
    '0, 0x80000008, 0xc198, "c.sw a4,0(a1)"\n' +
    '0, 0x8000000a, 0xb50023, "sb a1,0(a0)"\n');
  assert.throws(() => installPlugin(execlog, [['afilter', 'main']]), /argument 'afilter' expects addresses/);
});

test('execlog batches output', () => {
  const fake = installPlugin(execlog);
  const tb = fake.translate(0x1000n, [{ disas: 'x'.repeat(100) }]);
  let calls = 0;
  const out = fake.out.bind(fake);
  fake.out = (text: string) => { calls++; out(text); };
  for (let i = 0; i < 2000; i++) fake.exec(0, tb.insns[0]!);
  const lines = fake.exit().split('\n').length - 1;
  assert.equal(lines, 2000);
  assert.ok(calls <= 5, `${calls} out calls`);
});
