import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSRS, CSR_NAMES, FREG_NAMES, XREG_NAMES, csrName, csrNumber, fregName, fregNumber, xregName, xregNumber } from './regnames.js';

test('integer and FP register names', () => {
  assert.equal(XREG_NAMES.length, 32);
  assert.deepEqual(XREG_NAMES.slice(0, 11), ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0']);
  assert.deepEqual([xregName(17), xregName(18), xregName(27), xregName(28), xregName(31)], ['a7', 's2', 's11', 't3', 't6']);
  assert.deepEqual([fregName(0), fregName(8), fregName(10), fregName(18), fregName(28), fregName(31)], ['ft0', 'fs0', 'fa0', 'fs2', 'ft8', 'ft11']);
  assert.equal(FREG_NAMES.length, 32);
  assert.equal(xregNumber('fp'), 8);
  assert.equal(xregNumber('s0'), 8);
  assert.equal(xregNumber('x31'), 31);
  assert.equal(xregNumber('t6'), 31);
  assert.equal(xregNumber('f0'), undefined);
  assert.equal(fregNumber('fa7'), 17);
  assert.equal(fregNumber('f31'), 31);
  for (let i = 0; i < 32; i++) {
    assert.equal(xregNumber(xregName(i)), i);
    assert.equal(fregNumber(fregName(i)), i);
  }
});

test('the CSRs the emulator needs have their standard numbers', () => {
  const expected: Record<string, number> = {
    fflags: 0x001, frm: 0x002, fcsr: 0x003,
    cycle: 0xc00, time: 0xc01, instret: 0xc02, hpmcounter3: 0xc03, hpmcounter31: 0xc1f,
    cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82, hpmcounter3h: 0xc83, hpmcounter31h: 0xc9f,
    sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a, sscratch: 0x140,
    sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d, satp: 0x180,
    mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
    mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a, mcountinhibit: 0x320,
    mhpmevent3: 0x323, mhpmevent31: 0x33f, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
    pmpcfg0: 0x3a0, pmpcfg15: 0x3af, pmpaddr0: 0x3b0, pmpaddr63: 0x3ef,
    tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, dcsr: 0x7b0, dpc: 0x7b1, dscratch0: 0x7b2, dscratch1: 0x7b3,
    mcycle: 0xb00, minstret: 0xb02, mhpmcounter3: 0xb03, mhpmcounter31: 0xb1f,
    mcycleh: 0xb80, minstreth: 0xb82, mhpmcounter3h: 0xb83, mhpmcounter31h: 0xb9f, mhpmevent3h: 0x723,
    mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  };
  for (const [name, num] of Object.entries(expected)) {
    assert.equal(csrNumber(name), num, name);
    assert.equal(csrName(num), name, `0x${num.toString(16)}`);
  }
  assert.equal(csrNumber('sbadaddr'), 0x143);
  assert.equal(csrNumber('nonsense'), undefined);
  assert.equal(csrName(0x8ff), undefined);
});

test('CSR names per privileged spec are exactly the ones objdump 2.40 knows', () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'csr-names.txt');
  const rows = readFileSync(fixture, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' '));
  for (const spec of ['1.10', '1.11', '1.12'] as const) {
    const want = new Map(rows.filter((r) => r[0] === spec).map((r) => [parseInt(r[1]!, 16), r[2]!]));
    const got = new Map<number, string>();
    for (let n = 0; n < 4096; n++) {
      const name = csrName(n, spec);
      if (name) got.set(n, name);
    }
    assert.deepEqual(got, want, spec);
  }
  assert.equal(CSR_NAMES.get(0x300), 'mstatus');
  assert.equal(CSR_NAMES.get(0x000), undefined); // ustatus is gone in 1.12
  assert.equal(csrName(0x000, '1.11'), 'ustatus');
  assert.equal(csrName(0x30a, '1.11'), undefined);
  assert.ok(CSRS.every((c, i) => i === 0 || CSRS[i - 1]!.num <= c.num));
});
