/**
 * `tracehook etrace-decode`: decoding a golden stream prints pc_trace; bad input gives one
 * line on stderr and exit status 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeRows } from '../plugins/etrace/encoder.js';
import { elfPath, goldenParams, loadPcTraceText, loadRaw, loadRows, rawPath } from '../plugins/etrace/test-support/golden.js';
import { runEtraceDecode } from './etrace-decode.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '', stderr = '';
  const code = runEtraceDecode(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

let tmp = '';
before(() => { tmp = mkdtempSync(join(tmpdir(), 'etrace-cli-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

test('tracehook etrace-decode (spawned) prints pc_trace for a golden stream', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/tracehook.ts'), 'etrace-decode', '--elf', elfPath('rv32_mix'), rawPath('rv32_mix', 'b'), '--itype-width', '4', '--resync', '64'],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, loadPcTraceText('rv32_mix'));
});

test('--markers adds trap lines; --implicit-return decodes an implicit-return stream', () => {
  const m = run(['--elf', elfPath('timer_irq'), rawPath('timer_irq', 'a'), '--markers']);
  assert.equal(m.code, 0);
  const lines = m.stdout.trim().split('\n');
  assert.equal(lines.filter((l) => l === 'trap interrupt cause=7').length, 24);
  assert.equal(lines.filter((l) => !l.startsWith('trap')).join('\n') + '\n', loadPcTraceText('timer_irq'));
  const trace = join(tmp, 'calls.ir.bin');
  writeFileSync(trace, encodeRows(loadRows('calls', 'b'), { ...goldenParams('calls', 'b'), implicitReturn: true }).bytes);
  const ir = run(['--elf', elfPath('calls'), trace, '--implicit-return']);
  assert.equal(ir.stderr, '');
  assert.equal(ir.stdout, loadPcTraceText('calls'));
});

test('--bpred N / --jtc N decode a stream with branch prediction and the jump target cache', () => {
  const trace = join(tmp, 'calls.f0.bin');
  writeFileSync(trace, encodeRows(loadRows('calls', 'b'), { ...goldenParams('calls', 'b'), bpredSizeP: 6, cacheSizeP: 4 }).bytes);
  const r = run(['--elf', elfPath('calls'), trace, '--bpred', '6', '--jtc', '4']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, loadPcTraceText('calls'));
  const missing = run(['--elf', elfPath('calls'), trace, '--jtc', '4']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /branch prediction is on, but the decoder was not configured for it \(--bpred N\)/);
  const bad = run(['--elf', elfPath('calls'), trace, '--bpred', 'x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--bpred must be a size \(log2 of the entries\) from 0 to 20 \(got 'x'\)/);
});

test('errors are one line on stderr with exit status 1', () => {
  const oneLine = (r: { code: number; stdout: string; stderr: string }, re: RegExp): void => {
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  };
  oneLine(run(['--elf', elfPath('calls'), join(tmp, 'missing.bin')]), /cannot read trace '.*missing\.bin': no such file/);
  const truncated = join(tmp, 'truncated.bin');
  const raw = loadRaw('calls', 'a');
  writeFileSync(truncated, raw.subarray(0, raw.length - 3));
  oneLine(run(['--elf', elfPath('calls'), truncated]), /truncated stream: packet at offset \d+/);
  const malformed = join(tmp, 'malformed.bin');
  writeFileSync(malformed, Uint8Array.from([0x41, 0x1f, 0x81, 0x00]));
  oneLine(run(['--elf', elfPath('calls'), malformed]), /bad header byte 0x81 at offset 2/);
  oneLine(run(['--elf', elfPath('calls'), rawPath('rv32_mix', 'a')]), /not in the program image|cannot resolve branch|unprocessed branches|unexpected uninferable/);
  oneLine(run(['--elf', elfPath('calls'), rawPath('calls', 'a'), '--itype-width', '5']), /--itype-width must be 3 or 4/);
  oneLine(run(['--elf', elfPath('calls'), rawPath('calls', 'a'), '--bogus']), /unknown option '--bogus'/);
  oneLine(run(['--elf', rawPath('calls', 'a'), rawPath('calls', 'a')]), /not an ELF file/);
  oneLine(run([]), /missing --elf FILE \(usage: tracehook etrace-decode/);
});
