import { test } from 'node:test';
import assert from 'node:assert/strict';
import cflow from './cflow.js';
import { Flow } from '../plugin/api.js';
import { installPlugin } from './test-support/fake-api.js';

/** A loop branch at 0x1008 taken 3 times then not, a call and its return, a faulting load. */
function play(args: [string, string][] = []) {
  const fake = installPlugin(cflow, args);
  fake.translate(0x1000n, [{ disas: 'addi a0,a0,1' }, { disas: 'lw a1,0(a2)' }, { disas: 'bne a0,a3,1000', flow: 1 }]);
  for (let i = 0; i < 3; i++) fake.flow(0, Flow.BranchTaken, 0x1008n, 0x1000n);
  fake.flow(0, Flow.BranchNotTaken, 0x1008n, 0x100cn);
  fake.flow(0, Flow.Call, 0x100cn, 0x2000n);
  fake.flow(0, Flow.Return, 0x2004n, 0x1010n);
  fake.flow(0, Flow.Return, 0x2004n, 0x1020n);
  fake.flow(0, Flow.Exception, 0x1004n, 0x80000000n, 5);
  fake.flow(0, Flow.Exception, 0x1004n, 0x80000000n, 5);
  fake.flow(0, Flow.Interrupt, 0x1010n, 0x80000000n, 7);
  return fake;
}

test('cflow counts taken and not-taken branches per site with their destinations, hottest first', () => {
  const out = play([['limit', '2']]).exit();
  assert.equal(out,
    'collected 4 control-flow sites, 9 events\n' +
    '  addr: 0x1008: bne a0,a3,1000 (branch)\n' +
    '    taken 3, not taken 1\n' +
    '    events 4\n' +
    '      to 0x1000 (3)\n' +
    '      to 0x100c (1)\n' +
    '  addr: 0x1004: lw a1,0(a2) (sync fault)\n' +
    '    early exits 2\n' +
    '    events 2\n' +
    '      to 0x80000000 (2)\n');
});

test('cflow sorts by early exits, by destinations, by taken and not-taken counts', () => {
  const first = (sort: string) => play([['sort', sort], ['limit', '1']]).exit().split('\n')[1];
  assert.equal(first('early'), '  addr: 0x1004: lw a1,0(a2) (sync fault)');
  assert.equal(first('popular'), '  addr: 0x1008: bne a0,a3,1000 (branch)');
  assert.equal(first('taken'), '  addr: 0x1008: bne a0,a3,1000 (branch)');
  assert.equal(play([['sort', 'popular'], ['limit', '3']]).exit().split('\n').filter((l) => l.startsWith('  addr')).length, 3);
});

test('cflow counts interrupts only with traps=on, and reports sites with nothing of the sort key last or not at all', () => {
  assert.doesNotMatch(play([['limit', '10']]).exit(), /interrupted/);
  assert.match(play([['traps', 'on'], ['limit', '10']]).exit(), /addr: 0x1010: \? \(interrupted\)/);
  assert.equal(play([['sort', 'not-taken']]).exit().split('\n').filter((l) => l.startsWith('  addr')).length, 1);
});

test('cflow rejects an unknown sort order with a one-line error', () => {
  assert.throws(() => installPlugin(cflow, [['sort', 'coldest']]), /cflow: sort=coldest: expected one of hottest, early, popular, taken, not-taken/);
});
