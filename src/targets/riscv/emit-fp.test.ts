/**
 * Wiring of the F/D emitters (emit-fp.ts) on RV32 and RV64: every encoding has semantics, the
 * f-destination set, loads and stores (NaN-boxing), moves (sign extension), integer sources and
 * destinations (only the low word of x for the .w forms, x0 still raising flags), static and
 * dynamic rounding modes (a reserved frm is illegal before anything changes). Values are covered
 * by fp/qemu-table.test.ts and fp/reference.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENCODINGS } from './encodings.js';
import { FP_SEMANTICS, FP_WRITES_FREG } from './emit-fp.js';
import { compile, encode, Illegal, MockHart } from './fp/fixtures/run-insn.js';

const FP_NAMES = [...new Set(ENCODINGS.filter((e) => e.ext === 'F' || e.ext === 'D').map((e) => e.name))];
const BOX = 0xffffffff00000000n;
const ONE_S = 0x3f800000n, TWO_S = 0x40000000n, THREE_S = 0x40400000n;
const ONE_D = 0x3ff0000000000000n, TWO_D = 0x4000000000000000n, THREE_D = 0x4008000000000000n;

function run(xlen: 32 | 64, name: string, o: Parameters<typeof encode>[2], setup: (h: MockHart) => void): MockHart {
  const h = new MockHart(xlen);
  setup(h);
  compile(name, encode(name, xlen, o), xlen)(h);
  return h;
}

test('every F/D encoding has semantics, and nothing else does', () => {
  assert.deepEqual(FP_NAMES.filter((n) => FP_SEMANTICS[n] === undefined), []);
  assert.deepEqual(Object.keys(FP_SEMANTICS).filter((n) => !FP_NAMES.includes(n)), []);
});

test('FP_WRITES_FREG is exactly the instructions with an f-register destination', () => {
  const xDest = /^(fsw|fsd|feq|flt|fle|fclass|fmv\.x\.|fcvt\.(w|wu|l|lu)\.)/;
  assert.deepEqual(FP_NAMES.filter((n) => !xDest.test(n)).sort(), [...FP_WRITES_FREG].sort());
});

for (const xlen of [32, 64] as const) {
  test(`RV${xlen}: flw NaN-boxes, fsw stores the low word, fld/fsd move 64 bits`, () => {
    let h = run(xlen, 'flw', { rd: 5, rs1: 10, imm: 8 }, (h) => { h.setX(10, 0x100n); h.mem.setUint32(0x108, 0xff800001, true); });
    assert.equal(h.fr(5), BOX | 0xff800001n); // a signalling NaN survives the load bit for bit
    h = run(xlen, 'fsw', { rs1: 10, rs2: 5, imm: -4 }, (h) => { h.setX(10, 0x104n); h.setF(5, 0x123456787fa00001n); });
    assert.equal(h.mem.getUint32(0x100, true), 0x7fa00001);
    assert.equal(h.mem.getUint32(0x104, true), 0);
    h = run(xlen, 'fld', { rd: 31, rs1: 2, imm: 16 }, (h) => { h.setX(2, 0x200n); h.mem.setBigUint64(0x210, 0x7ff0000000000001n, true); });
    assert.equal(h.fr(31), 0x7ff0000000000001n);
    h = run(xlen, 'fsd', { rs1: 2, rs2: 0, imm: 8 }, (h) => { h.setX(2, 0x300n); h.setF(0, 0xfff4000000000123n); });
    assert.equal(h.mem.getBigUint64(0x308, true), 0xfff4000000000123n);
  });

  test(`RV${xlen}: fmv.x.w sign-extends the low word (no NaN-box check); fmv.w.x boxes`, () => {
    let h = run(xlen, 'fmv.x.w', { rd: 7, rs1: 3 }, (h) => h.setF(3, 0x00000000_80000001n));
    assert.equal(h.xr(7), xlen === 64 ? 0xffffffff80000001n : 0x80000001n);
    h = run(xlen, 'fmv.w.x', { rd: 3, rs1: 7 }, (h) => h.setX(7, xlen === 64 ? 0x1234567_7f800001n : 0x7f800001n));
    assert.equal(h.fr(3), BOX | 0x7f800001n);
    h = run(xlen, 'fmv.x.w', { rd: 0, rs1: 3 }, (h) => h.setF(3, 0x80000001n));
    assert.equal(h.xr(0), 0n);
  });

  test(`RV${xlen}: integer sources and destinations`, () => {
    // fcvt.s.w uses only the low word of x[rs1]
    let h = run(xlen, 'fcvt.s.w', { rd: 1, rs1: 9, rm: 0 }, (h) => h.setX(9, xlen === 64 ? 0x7fffffff_fffffffdn : 0xfffffffdn));
    assert.equal(h.fr(1), BOX | 0xc0400000n); // -3.0f
    h = run(xlen, 'fcvt.d.wu', { rd: 1, rs1: 9, rm: 0 }, (h) => h.setX(9, 0xffffffffn));
    assert.equal(h.fr(1), 0x41efffffffe00000n);
    // 32-bit results are sign-extended, also for the unsigned forms
    h = run(xlen, 'fcvt.wu.d', { rd: 4, rs1: 1, rm: 1 }, (h) => h.setF(1, 0x41efffffffe00000n));
    assert.equal(h.xr(4), xlen === 64 ? 0xffffffffffffffffn : 0xffffffffn);
    assert.equal(h.fp.fflags, 0);
    h = run(xlen, 'fcvt.w.s', { rd: 4, rs1: 1, rm: 1 }, (h) => h.setF(1, BOX | 0xc0600000n)); // -3.5 -> -3, NX
    assert.equal(h.xr(4), xlen === 64 ? 0xfffffffffffffffdn : 0xfffffffdn);
    assert.equal(h.fp.fflags, 1);
    // x0 destinations: nothing written, flags still raised
    h = run(xlen, 'fcvt.w.s', { rd: 0, rs1: 1, rm: 0 }, (h) => h.setF(1, BOX | 0x7fc00000n));
    assert.equal(h.fp.fflags, 16);
    h = run(xlen, 'feq.d', { rd: 0, rs1: 1, rs2: 2 }, (h) => { h.setF(1, 0x7ff0000000000001n); h.setF(2, ONE_D); });
    assert.equal(h.fp.fflags, 16);
    h = run(xlen, 'flt.s', { rd: 11, rs1: 1, rs2: 2 }, (h) => { h.setF(1, BOX | ONE_S); h.setF(2, BOX | TWO_S); });
    assert.equal(h.xr(11), 1n);
    h = run(xlen, 'fclass.s', { rd: 11, rs1: 1 }, (h) => h.setF(1, 0x3f800000n)); // not NaN-boxed: canonical NaN
    assert.equal(h.xr(11), 1n << 9n);
  });

  test(`RV${xlen}: arithmetic writes f[rd] even when it aliases a source; fsgnj checks NaN-boxing`, () => {
    let h = run(xlen, 'fmadd.d', { rd: 2, rs1: 2, rs2: 2, rs3: 2, rm: 0 }, (h) => h.setF(2, THREE_D));
    assert.equal(h.fr(2), 0x4028000000000000n); // 3*3+3 = 12
    h = run(xlen, 'fadd.s', { rd: 1, rs1: 1, rs2: 2, rm: 0 }, (h) => { h.setF(1, BOX | ONE_S); h.setF(2, BOX | TWO_S); });
    assert.equal(h.fr(1), BOX | THREE_S);
    h = run(xlen, 'fsgnjn.s', { rd: 3, rs1: 1, rs2: 1 }, (h) => h.setF(1, BOX | ONE_S));
    assert.equal(h.fr(3), BOX | 0xbf800000n);
    h = run(xlen, 'fsgnj.s', { rd: 3, rs1: 1, rs2: 2 }, (h) => { h.setF(1, ONE_S); h.setF(2, BOX | 0x80000000n); });
    assert.equal(h.fr(3), BOX | 0xffc00000n); // unboxed rs1 reads as the canonical NaN
    h = run(xlen, 'fsgnjx.d', { rd: 3, rs1: 1, rs2: 2 }, (h) => { h.setF(1, 0xfff0000000000001n); h.setF(2, 0x8000000000000000n); });
    assert.equal(h.fr(3), 0x7ff0000000000001n); // no canonicalisation, no flags
    assert.equal(h.fp.fflags, 0);
    h = run(xlen, 'fmin.d', { rd: 3, rs1: 1, rs2: 2 }, (h) => { h.setF(1, 0x7ff4000000000000n); h.setF(2, TWO_D); });
    assert.equal(h.fr(3), TWO_D);
    assert.equal(h.fp.fflags, 16);
  });

  test(`RV${xlen}: rm = 7 uses frm; a reserved frm is illegal before anything changes`, () => {
    const third = (rm: number): bigint => run(xlen, 'fdiv.d', { rd: 3, rs1: 1, rs2: 2, rm: 7 }, (h) => { h.fp.frm = rm; h.setF(1, ONE_D); h.setF(2, THREE_D); }).fr(3);
    assert.equal(third(0), 0x3fd5555555555555n);
    assert.equal(third(3), 0x3fd5555555555556n);
    assert.equal(run(xlen, 'fdiv.d', { rd: 3, rs1: 1, rs2: 2, rm: 3 }, (h) => { h.fp.frm = 0; h.setF(1, ONE_D); h.setF(2, THREE_D); }).fr(3), 0x3fd5555555555556n);
    const names = ['fadd.s', 'fsqrt.d', 'fmadd.s', 'fcvt.w.d', 'fcvt.s.w', 'fcvt.d.s', 'fcvt.d.w', 'fcvt.d.wu', 'fcvt.s.d',
      ...(xlen === 64 ? ['fcvt.l.s', 'fcvt.d.lu'] : [])];
    for (const name of names) for (const frm of [5, 6, 7]) {
      const h = new MockHart(xlen);
      h.fp.frm = frm;
      h.setF(3, 0x1234n); h.setX(3, 0x55n); h.setF(1, 0x7ff4000000000000n); h.fp.fflags = 0;
      const fn = compile(name, encode(name, xlen, { rd: 3, rs1: 1, rs2: 2, rs3: 1, rm: 7 }), xlen);
      assert.throws(() => fn(h), Illegal, `${name} with frm=${frm}`);
      assert.equal(h.fr(3), 0x1234n, name);
      assert.equal(h.xr(3), 0x55n, name);
      assert.equal(h.fp.fflags, 0, name);
    }
  });

  test(`RV${xlen}: static rm 5 and 6 are illegal (the decoder rejects them; the emitter agrees)`, () => {
    const e = ENCODINGS.find((x) => x.name === 'fadd.d')!;
    for (const rm of [5, 6]) {
      const fn = compile('fadd.d', (e.match | (rm << 12) | (3 << 7)) | 0, xlen);
      assert.throws(() => fn(new MockHart(xlen)), Illegal);
    }
  });
}

test('RV64: 64-bit conversions and moves use both words', () => {
  let h = run(64, 'fcvt.l.d', { rd: 5, rs1: 1, rm: 0 }, (h) => h.setF(1, 0xc3e0000000000000n)); // -2^63
  assert.equal(h.xr(5), 0x8000000000000000n);
  assert.equal(h.fp.fflags, 0);
  h = run(64, 'fcvt.lu.s', { rd: 5, rs1: 1, rm: 0 }, (h) => h.setF(1, BOX | 0x5f800000n)); // 2^64: saturates
  assert.equal(h.xr(5), 0xffffffffffffffffn);
  assert.equal(h.fp.fflags, 16);
  h = run(64, 'fcvt.d.l', { rd: 5, rs1: 6, rm: 1 }, (h) => h.setX(6, 0x7fffffffffffffffn));
  assert.equal(h.fr(5), 0x43dfffffffffffffn);
  assert.equal(h.fp.fflags, 1);
  h = run(64, 'fcvt.s.lu', { rd: 5, rs1: 6, rm: 0 }, (h) => h.setX(6, 0xffffffffffffffffn));
  assert.equal(h.fr(5), BOX | 0x5f800000n);
  h = run(64, 'fmv.x.d', { rd: 5, rs1: 6 }, (h) => h.setF(6, 0xfff0000000000001n));
  assert.equal(h.xr(5), 0xfff0000000000001n);
  h = run(64, 'fmv.d.x', { rd: 5, rs1: 6 }, (h) => h.setX(6, 0x7ff0000000000001n));
  assert.equal(h.fr(5), 0x7ff0000000000001n);
});
