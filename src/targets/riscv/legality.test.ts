/**
 * decode() and expandCompressed() against what QEMU 7.2 actually executes.
 *
 * fixtures/qemu-legality.json holds one verdict bit per probe (1 = QEMU ran
 * it, 0 = illegal-instruction exception at the probe) for the deterministic
 * probe list built below: every 16-bit encoding, every opcode × funct3 ×
 * funct7 combination of the non-SYSTEM 32-bit opcodes with random operands
 * (every rs2 too for OP-FP), and the SYSTEM funct3=000/100 space (no CSR
 * accesses, no wfi). The probes were run by fixtures/qemu/harness.S under
 * qemu-system-riscv{32,64} with the extensions this emulator lacks disabled.
 * Set RISCV_REGEN_QEMU=1 to re-run QEMU and rewrite the fixture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU_PROBE_CPU_FLAGS, qemuLegality } from './test-support/qemu-legality.js';
import { decode } from './encodings.js';
import { expandCompressed } from './compressed.js';
import { disassemble } from './disasm.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FIXTURE = join(FIX, 'qemu-legality.json');
const XLENS = [64, 32] as const;
/** QEMU's default rv32/rv64 CPUs also enable these; the emulator has no H or Zfh (Sstc's CSRs are not probed). */
const CPU_FLAGS = QEMU_PROBE_CPU_FLAGS;

type Probe = readonly [size: 2 | 4, word: number];

/** The harness keeps the probe's address in t6 (x31); these would jump to themselves forever. */
function selfLoop(size: 2 | 4, w: number, xlen: 32 | 64): boolean {
  if (size === 2) {
    const q = w & 3;
    const f3 = w >>> 13;
    if (q === 1 && (f3 === 5 || f3 === 6 || f3 === 7 || (f3 === 1 && xlen === 32))) {
      return f3 >= 6 ? ((((w >>> 10) & 7) << 5) | ((w >>> 2) & 31)) === 0 : ((w >>> 2) & 0x7ff) === 0;
    }
    return q === 2 && f3 === 4 && ((w >>> 2) & 31) === 0 && ((w >>> 7) & 31) === 31;
  }
  const op = w & 0x7f;
  if (op === 0x6f) return w >>> 12 === 0;
  if (op === 0x63) return (w & 0xfe000f80) === 0;
  if (op === 0x67) return ((w >>> 15) & 31) === 31 && ((w >> 20) & ~1) === 0;
  return false;
}

function probes(xlen: 32 | 64): Probe[] {
  let s = (0x1234567 ^ xlen) >>> 0;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const out: Probe[] = [];
  const add = (size: 2 | 4, w: number): void => {
    if (!selfLoop(size, w >>> 0, xlen)) out.push([size, w >>> 0]);
  };
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) add(2, h);
  for (let op = 3; op < 128; op += 4) {
    if ((op & 0x1f) === 0x1f || op === 0x73) continue;
    for (let f3 = 0; f3 < 8; f3++) {
      for (let f7 = 0; f7 < 128; f7++) {
        const n = op === 0x53 ? 32 : 2;
        for (let i = 0; i < n; i++) {
          let w = ((rnd() & ~0x7f) & 0x01ff8f80) | (f7 << 25) | (f3 << 12) | op;
          if (op === 0x53) w = (w & ~(31 << 20)) | (i << 20);
          if (op === 0x2f && rnd() % 2) w &= ~(31 << 20);
          if (op === 0x0f && rnd() % 2) w &= 0x0ff0707f;
          add(4, w);
        }
      }
    }
  }
  const WFI = 0x10500073;
  for (const base of [0x00000073, 0x00100073, 0x00200073, 0x10200073, 0x20200073, 0x30200073, 0x7b200073, 0x10400073, 0x12000073]) {
    for (let i = 0; i < 64; i++) {
      let w = base;
      if (i > 0) w ^= (1 << (rnd() % 32)) & ~0x7f;
      if (i > 32) w = (base & 0xfe00707f) | (rnd() & 0x01ff8f80);
      if (w >>> 0 === WFI || ((w >>> 12) & 7) % 4 !== 0) continue;
      add(4, w);
    }
  }
  for (let i = 0; i < 4000; i++) {
    const w = (rnd() & 0xffff8f80) | ((rnd() % 2) << 14) | 0x73;
    if (w >>> 0 !== WFI) add(4, w);
  }
  return out;
}

function runQemu(xlen: 32 | 64, cases: readonly Probe[]): string {
  return qemuLegality(xlen, cases);
}

function toBitmap(verdicts: string): string {
  const bytes = Buffer.alloc(Math.ceil(verdicts.length / 8));
  for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === '.') bytes[i >> 3]! |= 1 << (i & 7);
  return bytes.toString('base64');
}

interface Fixture {
  readonly qemu: string;
  readonly cpuFlags: string;
  readonly rv64: { readonly probes: number; readonly legal: string };
  readonly rv32: { readonly probes: number; readonly legal: string };
}

if (process.env.RISCV_REGEN_QEMU === '1') {
  const version = execFileSync('qemu-system-riscv64', ['--version']).toString().split('\n')[0]!;
  const fx: Record<string, unknown> = { qemu: version, cpuFlags: CPU_FLAGS };
  for (const xlen of XLENS) {
    const cases = probes(xlen);
    fx[`rv${xlen}`] = { probes: cases.length, legal: toBitmap(runQemu(xlen, cases)) };
  }
  writeFileSync(FIXTURE, JSON.stringify(fx, null, 1) + '\n');
}

const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;

for (const xlen of XLENS) {
  test(`rv${xlen}: decode/expandCompressed agree with QEMU 7.2 on every probe`, () => {
    const cases = probes(xlen);
    const { probes: count, legal } = fixture[`rv${xlen}`];
    assert.equal(cases.length, count, 'probe list changed: regenerate the fixture');
    const bits = Buffer.from(legal, 'base64');
    const diffs = new Map<string, string[]>();
    cases.forEach(([size, w], i) => {
      const qemuLegal = (bits[i >> 3]! & (1 << (i & 7))) !== 0;
      const ours = size === 2 ? expandCompressed(w, xlen) !== 0 : decode(w, xlen) !== undefined;
      if (ours !== qemuLegal) {
        const key = `${qemuLegal ? 'QEMU legal' : 'QEMU illegal'}: ${disassemble(w, size, xlen).split('\t')[0]}`;
        diffs.set(key, [...(diffs.get(key) ?? []), w.toString(16)].slice(0, 5));
      }
    });
    assert.deepEqual(Object.fromEntries(diffs), {});
  });
}

test('the probes cover the interesting cases', () => {
  const c64 = probes(64);
  assert.ok(c64.length > 130000);
  assert.ok(c64.some(([n, w]) => n === 4 && (w & 0x7f) === 0x53 && ((w >>> 12) & 7) === 5));
  assert.ok(c64.some(([n, w]) => n === 4 && w === 0x30200073)); // mret
});
