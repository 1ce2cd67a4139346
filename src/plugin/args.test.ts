import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkArgs, parseInteger, parsePluginSpec } from './args.js';
import { UserError } from '../core/errors.js';
import type { ArgSpec } from './api.js';

test('parsePluginSpec: name and key=value pairs', () => {
  assert.deepEqual(parsePluginSpec('insn,inline=off'), { target: 'insn', rawArgs: [['inline', 'off']] });
  assert.deepEqual(parsePluginSpec('./p/x.ts'), { target: './p/x.ts', rawArgs: [] });
  assert.deepEqual(parsePluginSpec('hotblocks,limit=5,inline=on'),
    { target: 'hotblocks', rawArgs: [['limit', '5'], ['inline', 'on']] });
});

test('parsePluginSpec: QEMU forms (file=, arg=, bare keys, ",," escape, trailing comma)', () => {
  assert.deepEqual(parsePluginSpec('file=./libinsn.so,arg=inline'),
    { target: './libinsn.so', rawArgs: [['inline', 'on']] });
  assert.deepEqual(parsePluginSpec('x.js,arg=limit=3,verbose,'),
    { target: 'x.js', rawArgs: [['limit', '3'], ['verbose', 'on']] });
  assert.deepEqual(parsePluginSpec('x.js,msg=a,,b'), { target: 'x.js', rawArgs: [['msg', 'a,b']] });
  assert.deepEqual(parsePluginSpec('x.js,msg='), { target: 'x.js', rawArgs: [['msg', '']] });
});

test('parsePluginSpec: errors', () => {
  assert.throws(() => parsePluginSpec(''), UserError);
  assert.throws(() => parsePluginSpec(',inline=on'), /-plugin needs a plugin name/);
  assert.throws(() => parsePluginSpec('insn,=on'), { name: 'UserError', message: "plugin insn: argument without a name in '=on'" });
});

const spec: ArgSpec = {
  inline: { type: 'bool', default: true },
  limit: { type: 'int', default: 20 },
  filter: { type: 'string' },
};

test('checkArgs: defaults and typed values', () => {
  assert.deepEqual(checkArgs('insn', spec, []), { inline: true, limit: 20 });
  assert.deepEqual(checkArgs('insn', spec, [['inline', 'off'], ['limit', '0x10'], ['filter', 'ld']]),
    { inline: false, limit: 16, filter: 'ld' });
  for (const [t, v] of [['on', true], ['yes', true], ['TRUE', true], ['off', false], ['no', false], ['false', false]] as const) {
    assert.equal(checkArgs('insn', spec, [['inline', t]]).inline, v, t);
  }
  assert.equal(checkArgs('insn', spec, [['limit', '-3']]).limit, -3);
  assert.equal(checkArgs('insn', spec, [['limit', '1'], ['limit', '2']]).limit, 2, 'last wins');
  assert.deepEqual(checkArgs('x', undefined, []), {});
});

test('checkArgs: unknown keys and bad values', () => {
  assert.throws(() => checkArgs('insn', spec, [['foo', '1']]),
    { name: 'UserError', message: "plugin insn: unknown argument 'foo' (accepted: inline, limit, filter)" });
  assert.throws(() => checkArgs('x', undefined, [['foo', '1']]),
    { message: "plugin x: unknown argument 'foo' (it accepts no arguments)" });
  assert.throws(() => checkArgs('insn', spec, [['toString', '1']]), /unknown argument 'toString'/);
  assert.throws(() => checkArgs('insn', spec, [['inline', 'maybe']]),
    { name: 'UserError', message: "plugin insn: argument 'inline' expects on/off, got 'maybe'" });
  assert.throws(() => checkArgs('insn', spec, [['limit', '12abc']]),
    { message: "plugin insn: argument 'limit' expects an integer (decimal or 0x hex), got '12abc'" });
  assert.throws(() => checkArgs('insn', spec, [['limit', '']]), /expects an integer/);
  assert.throws(() => checkArgs('p', { n: { type: 'int', default: 'x' } }, []),
    { message: "plugin p: default of argument 'n' is not of type int" });
});

test('parseInteger', () => {
  assert.equal(parseInteger('0'), 0);
  assert.equal(parseInteger('0xFF'), 255);
  assert.equal(parseInteger('-0x10'), -16);
  assert.equal(parseInteger('9007199254740993'), undefined);
  assert.equal(parseInteger('1.5'), undefined);
  assert.equal(parseInteger('0x'), undefined);
});
