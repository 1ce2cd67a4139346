/**
 * Memory callbacks see every store, also one that ends its block: the guest's final write to
 * the test finisher (0x100000) stops the run from inside its block.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARCHES, BARE, FIXTURES, describeRun, guest, runCli } from './helpers.js';

for (const arch of ARCHES) {
  it(`the store that stops the run reaches memory callbacks (${arch})`, async () => {
    const r = await runCli(arch, [...BARE, '-kernel', guest('ecall', arch), '-plugin', join(FIXTURES, 'plugins', 'last-stores.ts')]);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /^last stores: .* 100000=5555$/m, describeRun(r));
  });
}
