/**
 * The F/D instructions against QEMU 7.2: fixtures/qemu-fp.txt.gz holds ~14,500 operand sets for
 * every F/D computational instruction, each run on qemu-system-riscv64 7.2 in every rounding mode
 * (46,000 results with their fflags; see fixtures/gen.ts). Each is replayed here through the
 * emitted code (emit-fp.ts) and its helpers on RV64, with a static rounding mode and again with
 * rm = dynamic (frm set), and must give the same 64-bit destination and the same fflags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { compile, encode, MockHart, type InsnFn } from './fixtures/run-insn.js';

interface Case { op: string; args: bigint[]; results: { r: bigint; fl: number }[] }

const text = gunzipSync(readFileSync(new URL('./fixtures/qemu-fp.txt.gz', import.meta.url))).toString('utf8');
const cases: Case[] = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
  const t = l.split(' ');
  const op = t[0]!;
  const args: bigint[] = [], results: { r: bigint; fl: number }[] = [];
  for (const v of t.slice(1)) {
    if (v.includes(':')) { const [r, fl] = v.split(':'); results.push({ r: BigInt('0x' + r), fl: parseInt(fl!, 16) }); } else args.push(BigInt('0x' + v));
  }
  return { op, args, results };
});

/** Does the instruction write an x register (x10) rather than f0, and read x11 rather than f1? */
const X_DEST = /^(feq|flt|fle|fclass|fmv\.x|fcvt\.(w|wu|l|lu)\.)/;
const X_SRC = /^(fmv\.[wd]\.x|fcvt\.[sd]\.(w|wu|l|lu)$)/;

function runner(op: string, rm: number): InsnFn {
  const xd = X_DEST.test(op), xs = X_SRC.test(op);
  return compile(op, encode(op, 64, { rd: xd ? 10 : 0, rs1: xs ? 11 : 1, rs2: 2, rs3: 3, rm }), 64);
}

function check(dynamic: boolean): string[] {
  const h = new MockHart(64);
  const fns = new Map<string, InsnFn>();
  const bad: string[] = [];
  for (const c of cases) {
    const xd = X_DEST.test(c.op), xs = X_SRC.test(c.op);
    c.results.forEach((want, rm) => {
      if (dynamic && c.results.length === 1) return;
      const key = `${c.op}/${dynamic ? 7 : rm}`;
      let fn = fns.get(key);
      if (fn === undefined) { fn = runner(c.op, dynamic ? 7 : rm); fns.set(key, fn); }
      h.fp.frm = dynamic ? rm : 0;
      h.setF(1, c.args[0]!); h.setF(2, c.args[1] ?? 0n); h.setF(3, c.args[2] ?? 0n); h.setX(11, c.args[0]!);
      h.setF(0, 0n); h.setX(10, 0n); h.fp.fflags = 0;
      fn(h);
      const got = xd ? h.xr(10) : h.fr(0);
      if (got !== want.r || h.fp.fflags !== want.fl) {
        const hx = (v: bigint): string => v.toString(16).padStart(16, '0');
        bad.push(`${c.op} rm=${rm} ${c.args.map(hx).join(' ')}: got ${hx(got)}:${h.fp.fflags.toString(16)} want ${hx(want.r)}:${want.fl.toString(16)}`);
      }
    });
  }
  return bad;
}

test('the fixture covers every F/D computational instruction', () => {
  const ops = new Set(cases.map((c) => c.op));
  assert.equal(ops.size, 58);
  assert.ok(cases.length > 14000);
});

test('every F/D result and fflags match QEMU 7.2 (static rounding modes)', () => {
  const bad = check(false);
  assert.deepEqual(bad.slice(0, 25), [], `${bad.length} mismatches`);
});

test('the same with rm = dynamic and frm set to each mode', () => {
  const bad = check(true);
  assert.deepEqual(bad.slice(0, 25), [], `${bad.length} mismatches`);
});
