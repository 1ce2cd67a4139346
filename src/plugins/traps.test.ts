import { test } from 'node:test';
import assert from 'node:assert/strict';
import traps from './traps.js';
import { installPlugin } from './test-support/fake-api.js';
import { Discon, Flow } from '../plugin/api.js';

test('traps counts each kind per vCPU and prints a table with a total', () => {
  const fake = installPlugin(traps, [], { vcpus: 2 });
  assert.equal(fake.disconRegs.length, 1);
  assert.equal(fake.disconRegs[0]!.mask, Discon.All);
  fake.discon(0, Discon.Interrupt, 0x1004n, 0x2000n);
  fake.discon(0, Discon.Interrupt, 0x1008n, 0x2000n);
  fake.discon(0, Discon.Exception, 0x1010n, 0x2000n);
  fake.discon(1, Discon.HostCall, 0x3004n, 0x3008n);
  fake.discon(1, Discon.Exception, 0x3010n, 0x2000n);
  assert.equal(fake.exit(),
    'vcpu  | interrupts | exceptions | host calls\n' +
    '0     |          2 |          1 |          0\n' +
    '1     |          0 |          1 |          1\n' +
    'total |          2 |          2 |          1\n');
});

test('traps prints zero rows for idle vCPUs', () => {
  const fake = installPlugin(traps, [], { vcpus: 1 });
  assert.equal(fake.exit(),
    'vcpu  | interrupts | exceptions | host calls\n' +
    '0     |          0 |          0 |          0\n' +
    'total |          0 |          0 |          0\n');
});

test('traps api=flow counts the same events through onControlFlow', () => {
  const fake = installPlugin(traps, [['api', 'flow']]);
  assert.deepEqual(fake.flowRegs.map((r) => r.mask), [Flow.Traps]);
  assert.equal(fake.disconRegs.length, 0);
  fake.flow(0, Flow.Interrupt, 0x10n, 0x20n, 7);
  fake.flow(0, Flow.Exception, 0x24n, 0x20n, 2);
  fake.flow(0, Flow.HostCall, 0x30n, 0x34n);
  assert.match(fake.exit(), /^total \| +1 \| +1 \| +1$/m);
  assert.throws(() => installPlugin(traps, [['api', 'both']]), /traps: api=both: expected discon or flow/);
});
