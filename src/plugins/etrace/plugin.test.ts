/**
 * The etrace plugin on the emulator:
 * - the golden guests give exactly the reference flow's ingress rows and byte streams (both
 *   configurations), so tracehook's events reproduce QEMU's instruction flow and the reference
 *   encoder's output;
 * - round trip on every RISC-V guest (rv32 and rv64) and the golden guests: the stream decoded
 *   over the ELF is exactly the PCs tracehook retired (recorded independently, per instruction),
 *   for itype width 3 and 4, with and without implicit return, with full addresses, and with
 *   branch prediction and the jump target cache (format 0);
 * - bad options are one-line errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { ARCHES, BARE, describeRun, guest, guestNames, runCli, type Arch } from '../../../test/helpers.js';
import { decodePcs } from './decoder.js';
import { ProgramImage } from './image.js';
import { CONFIGS, elfPath, GUESTS, loadPcTraceText, loadRaw, rawPath } from './test-support/golden.js';
import { gunzipSync } from 'node:zlib';

const RECORDER = new URL('./test-support/retired-pcs.ts', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const concurrency = Math.min(4, Math.max(2, availableParallelism()));
let tmp = '';
before(() => { tmp = mkdtempSync(join(tmpdir(), 'etrace-plugin-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

const archOf = (g: string): Arch => (g === 'rv32_mix' ? 'riscv32' : 'riscv64');

describe('etrace on the golden guests reproduces the reference flow', { concurrency }, () => {
  for (const g of GUESTS) {
    for (const c of CONFIGS) {
      it(`${g} configuration ${c}: ingress rows and te_inst bytes identical`, { timeout: 60_000 }, async () => {
        const rows = join(tmp, `${g}-${c}.csv`), out = join(tmp, `${g}-${c}.bin`);
        const opts = c === 'a' ? 'itype=3,resync=16' : 'itype=4,resync=64';
        const r = await runCli(archOf(g), [...BARE, '-kernel', elfPath(g), '-plugin', `etrace,start=0x80000000,${opts},rows=${rows},out=${out}`]);
        assert.equal(r.code, 0, describeRun(r));
        const gold = gunzipSync(readFileSync(`${FIXTURES}${g}/${c}/${g}.encoder_input.csv.gz`)).toString('utf8').replace(/\r/g, '');
        assert.equal(readFileSync(rows, 'utf8').replace(/\r/g, ''), gold);
        assert.deepEqual(new Uint8Array(readFileSync(out)), loadRaw(g, c), `${out} differs from ${rawPath(g, c)}`);
        const n = loadPcTraceText(g).trim().split('\n').length;
        assert.match(r.stderr, new RegExp(`^etrace: ${n} instructions, \\d+ packets, ${loadRaw(g, c).length} bytes`, 'm'));
      });
    }
  }
});

/** The option sets every round trip runs, with the decoder parameters that go with them. */
const VARIANTS = [
  { opts: 'itype=3', params: { itypeWidthP: 3 as const } },
  { opts: 'itype=4', params: { itypeWidthP: 4 as const } },
  { opts: 'itype=4,implicit-return=on', params: { itypeWidthP: 4 as const, implicitReturn: true } },
  { opts: 'itype=3,full-address=on,resync=32', params: { itypeWidthP: 3 as const, fullAddress: true, resyncMax: 1 } },
  { opts: 'itype=3,bpred=8', params: { itypeWidthP: 3 as const, bpredSizeP: 8 } },
  { opts: 'itype=4,jtc=4', params: { itypeWidthP: 4 as const, cacheSizeP: 4 } },
  { opts: 'itype=4,implicit-return=on,bpred=2,jtc=3,resync=32', params: { itypeWidthP: 4 as const, implicitReturn: true, bpredSizeP: 2, cacheSizeP: 3, resyncMax: 1 } },
];

async function roundTrip(arch: Arch, elf: string, extra: string[] = []): Promise<void> {
  const base = join(tmp, `${arch}-${elf.replace(/[^a-z0-9]/gi, '_')}`);
  const plugins = VARIANTS.flatMap((v, i) => ['-plugin', `etrace,start=0x80000000,${v.opts},out=${base}.${i}.bin`]);
  const r = await runCli(arch, [...BARE, '-kernel', elf, ...extra, ...plugins, '-plugin', `${RECORDER},start=0x80000000,out=${base}.pcs`], { cwd: tmp });
  assert.equal(r.code, 0, describeRun(r));
  const retired = readFileSync(`${base}.pcs`, 'utf8');
  const image = ProgramImage.fromElf(new Uint8Array(readFileSync(elf)), elf);
  for (const [i, v] of VARIANTS.entries()) {
    const pcs = decodePcs(new Uint8Array(readFileSync(`${base}.${i}.bin`)), image, { iaddressWidthP: arch === 'riscv32' ? 32 : 64, ...v.params });
    const decoded = pcs.map((p) => p.toString(16)).join('\n') + '\n';
    if (decoded !== retired) {
      const want = retired.split('\n'), got = decoded.split('\n');
      assert.fail(`${v.opts}: decoded ${got.length - 1} PCs, retired ${want.length - 1}; first difference at line ${got.findIndex((l, k) => l !== want[k]) + 1}`);
    }
  }
}

describe('etrace round trip: decoded PCs == retired PCs', { concurrency }, () => {
  for (const g of GUESTS) {
    it(`golden guest ${g}`, { timeout: 60_000 }, async () => {
      await roundTrip(archOf(g), elfPath(g));
      assert.equal(readFileSync(join(tmp, `${archOf(g)}-${elfPath(g).replace(/[^a-z0-9]/gi, '_')}.pcs`), 'utf8'), loadPcTraceText(g));
    });
  }
  // The workloads retire ~70M instructions: recording each PC takes minutes (scripts cover them).
  // smc rewrites its own code: no static program image describes what ran (a hardware trace
  // decoder has the same limit), so it is left out.
  for (const name of guestNames().filter((n) => !n.startsWith('workload') && n !== 'smc')) {
    for (const arch of ARCHES) {
      it(`${name} on ${arch}`, { timeout: 60_000 }, async () => {
        await roundTrip(arch, guest(name, arch), name === 'semihost' ? ['-semihosting'] : []);
      });
    }
  }
});

describe('etrace options', () => {
  const bad: [string, RegExp][] = [
    ['etrace,itype=5', /etrace: itype=5: expected 3 or 4/],
    ['etrace,implicit-return=on', /implicit-return=on needs itype=4/],
    ['etrace,resync=20', /etrace: resync=20: expected a power of two from 16/],
    ['etrace,start=main', /etrace: start=main: expected an address/],
    ['etrace,bpred=21', /etrace: bpred=21: expected a predictor size/],
    ['etrace,jtc=17', /etrace: jtc=17: expected a cache size/],
  ];
  for (const [arg, re] of bad) {
    it(`${arg} is a one-line error`, async () => {
      const r = await runCli('riscv64', [...BARE, '-kernel', guest('ecall', 'riscv64'), '-plugin', arg]);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, describeRun(r));
    });
  }
});

describe('etrace compression on kinds of code', () => {
  /** Stream and payload bits per instruction of a run. */
  async function bits(arch: Arch, elf: string, opts: string): Promise<{ stream: number; payload: number }> {
    const r = await runCli(arch, [...BARE, '-kernel', elf, '-plugin', `etrace,start=0x80000000,${opts}`]);
    assert.equal(r.code, 0, describeRun(r));
    const m = /bytes \(\d+ payload\), ([\d.]+) bits\/instruction \(([\d.]+) payload\)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    return { stream: Number(m[1]), payload: Number(m[2]) };
  }
  it('a loop kernel (SHA-256 rounds) costs less than 0.1 bits per instruction', async () => {
    for (const arch of ARCHES) assert.ok((await bits(arch, guest('kernels', arch), 'itype=3')).stream < 0.1);
  });
  it('call-heavy code costs about 1 bit per instruction without implicit return, less with it', async () => {
    const plain = await bits('riscv64', elfPath('calls'), 'itype=4');
    const implicit = await bits('riscv64', elfPath('calls'), 'itype=4,implicit-return=on');
    assert.ok(plain.payload > 0.8 && plain.payload < 1.6, `payload ${plain.payload}`);
    assert.ok(implicit.payload < plain.payload && implicit.stream < plain.stream, `${JSON.stringify(implicit)} vs ${JSON.stringify(plain)}`);
  });
  it('branch prediction makes the loop kernels cheaper, the jump target cache call-heavy code', async () => {
    for (const arch of ARCHES) {
      const plain = await bits(arch, guest('kernels', arch), 'itype=3');
      const bpred = await bits(arch, guest('kernels', arch), 'itype=3,bpred=8');
      assert.ok(bpred.stream < plain.stream, `${arch}: ${bpred.stream} vs ${plain.stream}`);
    }
    const plain = await bits('riscv64', elfPath('calls'), 'itype=4');
    const jtc = await bits('riscv64', elfPath('calls'), 'itype=4,jtc=4');
    assert.ok(jtc.stream < plain.stream, `${jtc.stream} vs ${plain.stream}`);
  });
});
