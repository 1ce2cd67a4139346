import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnimplementedDevice, type UnimplementedAccess } from './mps2-unimp.js';

test('unimplemented devices read 0 and ignore writes at any offset and size, and log as QEMU -d unimp', () => {
  const seen: UnimplementedAccess[] = [];
  const u = new UnimplementedDevice({ name: 'VGA', size: 0x20_0000, onAccess: (a) => seen.push(a) });
  u.write(0x10, 4, 0x1234);
  assert.equal(u.read(0x10, 4), 0);
  assert.equal(u.read(0x3, 1), 0);
  assert.equal(u.logLine(seen[1]!), 'VGA: unimplemented device read  (size 4, offset 0x000010)');
  const apb = new UnimplementedDevice({ name: 'CMSDK APB peripheral region @0x40000000', size: 0x1_0000 });
  assert.equal(apb.logLine({ name: apb.name, kind: 'write', offset: 0x3004, size: 2, value: 0x12 }),
    'CMSDK APB peripheral region @0x40000000: unimplemented device write (size 2, offset 0x3004, value 0x0012)');
  const r2 = new UnimplementedDevice({ name: 'RESERVED 2', size: 0x1eff_0000 });
  assert.equal(r2.logLine({ name: r2.name, kind: 'read', offset: 0, size: 1, value: 0 }), 'RESERVED 2: unimplemented device read  (size 1, offset 0x00000000)');
});
