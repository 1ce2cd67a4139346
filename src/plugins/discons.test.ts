import { test } from 'node:test';
import assert from 'node:assert/strict';
import discons from './discons.js';
import { installPlugin, type FakeApi } from './test-support/fake-api.js';
import { Discon, Flow, FlowClass } from '../plugin/api.js';

const { Sequential: S, Transfer: T, Trap } = FlowClass;

/**
 * A small RISC-V-like program:
 *   0x1000 addi; 0x1004 ecall; 0x1008 addi; 0x100c c.addi (2 bytes); 0x100e j
 *   0x2000 csrr (handler); 0x2004 mret;  0x2100 second handler
 *   0x3000 slli x0,x0,0x1f; 0x3004 ebreak; 0x3008 srai x0,x0,7 (semihosting); 0x300c addi
 */
function setup(args: [string, string][] = [], vcpus = 1): FakeApi {
  const fake = installPlugin(discons, args, { vcpus });
  fake.translate(0x1000n, [{ flow: S }, { flow: Trap }, { flow: S }, { size: 2, flow: S }, { flow: T }]);
  fake.translate(0x2000n, [{ flow: S }, { flow: T }]);
  fake.translate(0x2100n, [{ flow: S }]);
  fake.translate(0x3000n, [{ flow: S }, { flow: Trap }, { flow: S }, { flow: S }]);
  return fake;
}

test('discons registers an exec callback on every instruction and one All registration', () => {
  const fake = setup();
  for (const tb of fake.blocks) for (const i of tb.insns) assert.deepEqual(i.ops.map(o => o.kind), ['exec']);
  assert.deepEqual(fake.disconRegs.map(r => r.mask), [Discon.All]);
});

test('discons accepts correct sequences', () => {
  const fake = setup();
  // ecall: from = the ecall, to = the handler; mret back (a transfer, not an event)
  fake.run(0, [0x1000n, 0x1004n]);
  fake.discon(0, Discon.Exception, 0x1004n, 0x2000n);
  fake.run(0, [0x2000n, 0x2004n, 0x1008n]);
  // interrupt after a sequential instruction: from = last + size (a 2-byte one too)
  fake.discon(0, Discon.Interrupt, 0x100cn, 0x2000n);
  fake.run(0, [0x2000n, 0x2004n, 0x100cn]);
  fake.discon(0, Discon.Interrupt, 0x100en, 0x2000n);
  fake.run(0, [0x2000n, 0x2004n, 0x100en]);
  // host call: to = from + size
  fake.run(0, [0x3000n, 0x3004n]);
  fake.discon(0, Discon.HostCall, 0x3004n, 0x3008n);
  fake.exec(0, 0x3008n);
  // double trap: the second event comes from the first one's target
  fake.run(0, [0x1000n, 0x1004n]);
  fake.discon(0, Discon.Exception, 0x1004n, 0x2000n);
  fake.discon(0, Discon.Exception, 0x2000n, 0x2100n);
  fake.exec(0, 0x2100n);
  // fetch fault after a sequential instruction: from = the unfetchable next one
  fake.exec(0, 0x1008n);
  fake.discon(0, Discon.Exception, 0x100cn, 0x2000n);
  fake.exec(0, 0x2000n);
  // after a control transfer the source is unknown: skipped, the target is still checked
  fake.exec(0, 0x2004n);
  fake.discon(0, Discon.Interrupt, 0x1234n, 0x2000n);
  fake.exec(0, 0x2000n);
  assert.equal(fake.exit(), 'discons: checked 8 events, skipped 1, 0 mismatches\n');
});

test('discons skips the source check before any instruction, and keeps vCPUs apart', () => {
  const fake = setup([], 2);
  fake.discon(1, Discon.Interrupt, 0x5000n, 0x2000n); // vcpu 1 has executed nothing yet
  fake.exec(0, 0x1000n);
  fake.exec(1, 0x2000n);
  fake.discon(0, Discon.Interrupt, 0x1004n, 0x2100n);
  fake.exec(1, 0x2004n);
  fake.exec(0, 0x2100n);
  assert.equal(fake.exit(), 'discons: checked 2 events, skipped 1, 0 mismatches\n');
});

test('discons reports each kind of mismatch (abort=off)', () => {
  const fake = setup([['abort', 'off']]);
  // (c) interrupt reported at the last instruction instead of the next one
  fake.exec(0, 0x1000n);
  fake.discon(0, Discon.Interrupt, 0x1000n, 0x2000n);
  fake.exec(0, 0x2000n);
  // (b) exception after a trap instruction from somewhere else (last + size is only a fetch fault after a sequential one)
  fake.run(0, [0x2004n, 0x1004n]);
  fake.discon(0, Discon.Exception, 0x1008n, 0x2000n);
  // (a) a second event with no instruction between must come from the first target
  fake.discon(0, Discon.Exception, 0x2004n, 0x2100n);
  // exec: the first instruction after an event is not its target
  fake.exec(0, 0x2000n);
  // (d) a host call must resume after the calling instruction
  fake.run(0, [0x3000n, 0x3004n]);
  fake.discon(0, Discon.HostCall, 0x3004n, 0x300cn);
  // the host call source is checked too (then its target is not: the size is unknown)
  fake.run(0, [0x2100n, 0x3000n, 0x3004n]);
  fake.discon(0, Discon.HostCall, 0x3008n, 0x300cn);
  fake.exec(0, 0x300cn);
  assert.equal(fake.exit(), [
    'discons: mismatch source vcpu 0 kind interrupt: expected 0x1004, found 0x1000, last pc 0x1000',
    'discons: mismatch source vcpu 0 kind exception: expected 0x1004, found 0x1008, last pc 0x1004',
    'discons: mismatch source vcpu 0 kind exception: expected 0x2000, found 0x2004, last pc 0x1004',
    'discons: mismatch target vcpu 0 kind exception: expected 0x2100, found 0x2000, last pc 0x1004',
    'discons: mismatch target vcpu 0 kind hostcall: expected 0x3008, found 0x300c, last pc 0x3004',
    'discons: mismatch target vcpu 0 kind hostcall: expected 0x300c, found 0x2100, last pc 0x3004',
    'discons: mismatch source vcpu 0 kind hostcall: expected 0x3004, found 0x3008, last pc 0x3004',
    'discons: checked 5 events, skipped 0, 7 mismatches',
    '',
  ].join('\n'));
});

test('discons aborts on the first mismatch by default, with the report as the error message', () => {
  const fake = setup();
  fake.exec(0, 0x1000n);
  assert.throws(() => fake.discon(0, Discon.Interrupt, 0x1000n, 0x2000n), {
    message: 'discons: mismatch source vcpu 0 kind interrupt: expected 0x1004, found 0x1000, last pc 0x1000',
  });
  const fake2 = setup();
  fake2.run(0, [0x1000n, 0x1004n]);
  fake2.discon(0, Discon.Exception, 0x1004n, 0x2000n);
  assert.throws(() => fake2.exec(0, 0x2004n), {
    message: 'discons: mismatch target vcpu 0 kind exception: expected 0x2000, found 0x2004, last pc 0x1004',
  });
  assert.equal(fake2.exit(), 'discons: checked 1 events, skipped 0, 1 mismatches\n');
});

test('discons trace-all prints every event', () => {
  const fake = setup([['trace-all', 'on']], 2);
  fake.run(1, [0x3000n, 0x3004n]);
  fake.discon(1, Discon.HostCall, 0x3004n, 0x3008n);
  fake.exec(1, 0x3008n);
  assert.equal(fake.exit(),
    'discons: vcpu 1 hostcall from 0x3004 to 0x3008\n' +
    'discons: checked 1 events, skipped 0, 0 mismatches\n');
});

test('discons flow=on checks transfer events: sources, not-taken targets, and jumps no event explains', () => {
  const fake = setup([['flow', 'on'], ['abort', 'off']]);
  assert.deepEqual(fake.flowRegs.map(r => r.mask), [Flow.Any]);
  // ecall, handler, mret reported as a trap return: nothing skipped any more
  fake.run(0, [0x1000n, 0x1004n]);
  fake.flow(0, Flow.Exception, 0x1004n, 0x2000n, 11);
  fake.run(0, [0x2000n, 0x2004n]);
  fake.flow(0, Flow.TrapReturn, 0x2004n, 0x1008n);
  fake.run(0, [0x1008n, 0x100cn, 0x100en]);
  fake.flow(0, Flow.DirectJump, 0x100en, 0x1000n);
  fake.run(0, [0x1000n]);
  assert.match(fake.exit(), /^discons: checked 3 events, skipped 0, 0 mismatches$/m);

  const bad = setup([['flow', 'on'], ['abort', 'off']]);
  bad.run(0, [0x1008n, 0x100cn, 0x100en, 0x1000n]); // the jump at 0x100e reported nothing
  bad.run(0, [0x1008n]);
  bad.flow(0, Flow.BranchNotTaken, 0x1008n, 0x1010n); // not taken must go to 0x100c
  bad.flow(0, Flow.Call, 0x2000n, 0x2100n); // not from the last instruction (and a target pending)
  const out = bad.exit();
  assert.match(out, /mismatch unexplained vcpu 0 kind none: expected 0x1012, found 0x1000/);
  assert.match(out, /mismatch unexplained vcpu 0 kind none: expected 0x1004, found 0x1008/);
  assert.match(out, /mismatch target vcpu 0 kind branch-not-taken: expected 0x100c, found 0x1010/);
  assert.match(out, /mismatch source vcpu 0 kind call: expected 0x1010, found 0x2000/);
});
