/**
 * Loads and stores of every width with sign/zero extension, at every alignment (QEMU performs
 * misaligned RAM accesses, so they must work here too, on the JIT's slow path), across a page
 * boundary, with negative offsets, from the boot ROM, and from the program's own code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPairs, runProgram } from './test-support/harness.js';
import { type Xlen } from './test-support/asm.js';

const DATA = 0x80300000n;
/** 0x80300ff8: a window that straddles the page boundary at 0x80301000. */
const PAGE_EDGE = DATA + 0xff8n;
const PATTERN = Uint8Array.from({ length: 32 }, (_, i) => ((i * 0x93 + 0x81) ^ (i << 4)) & 0xff);

function refLoad(mem: Uint8Array, off: number, size: number, signed: boolean, xlen: Xlen): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[off + i]!);
  if (signed) v = BigInt.asIntN(size * 8, v);
  return BigInt.asUintN(xlen, v);
}

const LOADS: Record<Xlen, [string, number, boolean][]> = {
  32: [['lb', 1, true], ['lbu', 1, false], ['lh', 2, true], ['lhu', 2, false], ['lw', 4, true]],
  64: [['lb', 1, true], ['lbu', 1, false], ['lh', 2, true], ['lhu', 2, false], ['lw', 4, true], ['lwu', 4, false], ['ld', 8, true]],
};

for (const xlen of [32, 64] as const) {
  for (const [where, baseAddr] of [['in a page', DATA], ['across a page boundary', PAGE_EDGE]] as const) {
    test(`RV${xlen} loads of every width and alignment ${where} sign- or zero-extend`, async () => {
      const offs = Array.from({ length: 9 }, (_, i) => i);
      const pairs = offs.map((o) => [baseAddr + BigInt(o), 0n] as [bigint, bigint]);
      const loads = LOADS[xlen];
      // a nonzero immediate too: the address is a0 - 4 + 4
      const res = await runPairs(xlen, loads.map(([op]) => `addi a4, a0, -4\n  ${op} a2, 4(a4)\n  ${op} a3, 0(a0)`), pairs, {
        setup: (m) => m.bus.load(Number(baseAddr), PATTERN),
      });
      const bad: string[] = [];
      loads.forEach(([op, size, signed], i) => offs.forEach((o, j) => {
        const want = refLoad(PATTERN, o, size, signed, xlen);
        const [g1, g2] = res[i]![j]!;
        if (g1 !== want || g2 !== want) bad.push(`${op} +${o}: got 0x${g1.toString(16)}/0x${g2.toString(16)}, want 0x${want.toString(16)}`);
      }));
      assert.deepEqual(bad, []);
    });
  }

  test(`RV${xlen} stores of every width and alignment write exactly their bytes`, async () => {
    const widths: [string, number][] = xlen === 64 ? [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]] : [['sb', 1], ['sh', 2], ['sw', 4]];
    const value = xlen === 64 ? 0x8877665544332211n : 0x44332211n;
    const lines: string[] = [`li a1, ${value}`];
    // each (width, offset) gets its own 16-byte slot, pre-filled with 0xee
    const slots: [number, number, bigint][] = [];
    widths.forEach(([op, size], wi) => {
      for (let o = 0; o < 8; o++) {
        const slot = DATA + BigInt((wi * 8 + o) * 16);
        slots.push([size, o, slot]);
        lines.push(`li a0, ${slot + BigInt(o) + 100n}`, `${op} a1, -100(a0)`);
      }
    });
    // and the same across the page boundary
    const [widestOp] = widths[widths.length - 1]!;
    lines.push(`li a0, ${DATA + 0x1000n - 3n}`, `${widestOp} a1, 0(a0)`);
    const r = await runProgram(xlen, lines.join('\n') + '\nexit', {
      setup: (m) => m.bus.load(Number(DATA), new Uint8Array(0x1010).fill(0xee)),
    });
    for (const [size, o, slot] of slots) {
      const got = r.mem(slot, 16);
      const want = new Uint8Array(16).fill(0xee);
      for (let i = 0; i < size; i++) want[o + i] = Number((value >> BigInt(8 * i)) & 0xffn);
      assert.deepEqual(got, want, `store of ${size} bytes at offset ${o}`);
    }
    const edge = r.mem(DATA + 0x1000n - 3n, 8);
    const wantEdge = new Uint8Array(8).fill(0xee);
    const widest = xlen / 8;
    for (let i = 0; i < widest; i++) wantEdge[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    assert.deepEqual(edge.subarray(0, widest), wantEdge.subarray(0, widest));
  });

  test(`RV${xlen} a store whose data register is its base register, and load-use chains`, async () => {
    const r = await runProgram(xlen, `
      li a0, ${DATA}
      sw a0, 0(a0)
      lw a1, 0(a0)
      addi a2, a0, 8
      sw a2, 0(a2)
      ${xlen === 64 ? 'lwu' : 'lw'} a3, 0(a2)
      lw a3, 0(a3)          # follows the pointer it just stored
      lbu a4, 1(a0)
      exit
    `);
    assert.equal(r.load(DATA, 4), DATA & 0xffffffffn);
    assert.equal(r.x('a1'), BigInt.asUintN(xlen, BigInt.asIntN(32, DATA)));
    assert.equal(r.x('a3'), BigInt.asUintN(xlen, BigInt.asIntN(32, DATA + 8n)));
    assert.equal(r.x('a4'), (DATA >> 8n) & 0xffn);
  });

  test(`RV${xlen} loads read the boot ROM and the program's own instructions`, async () => {
    const r = await runProgram(xlen, `
      li a0, 0x1000
      lw a1, 0(a0)          # auipc t0, 0 (the reset vector)
      lhu a2, 2(a0)
    self:
      auipc t0, 0
      lw a3, 0(t0)          # the auipc itself
      lw a4, 2(t0)          # misaligned, straddling two instructions
      exit
    `);
    assert.equal(r.x('a1'), 0x297n);
    assert.equal(r.x('a2'), 0n);
    const self = r.mem(r.label('self'), 8);
    const dv = new DataView(self.buffer);
    assert.equal(r.x('a3'), BigInt(dv.getUint32(0, true)));
    assert.equal(r.x('a4'), BigInt.asUintN(xlen, BigInt(dv.getInt32(2, true))));
  });

  test(`RV${xlen} loads and stores at the last bytes of RAM`, async () => {
    const ramEnd = 0x80000000n + 16n * 1024n * 1024n;
    const r = await runProgram(xlen, `
      li a0, ${ramEnd - 8n}
      li a1, -2
      sw a1, 4(a0)
      lw a2, 4(a0)
      sh a1, 6(a0)
      lhu a3, 6(a0)
      sb a1, 7(a0)
      lbu a4, 7(a0)
      exit
    `);
    assert.equal(r.x('a2'), BigInt.asUintN(xlen, -2n));
    assert.equal(r.x('a3'), 0xfffen);
    assert.equal(r.x('a4'), 0xfen);
  });
}

for (const xlen of [32, 64] as const) {
  test(`RV${xlen} a misaligned access straddling the end of RAM faults with mtval = the first byte past RAM (spec, QEMU 7.2)`, async () => {
    // Privileged spec: for a misaligned access that faults, mtval holds the address of the
    // portion of the access that caused the fault. QEMU 7.2 reports 0x81000000 for all four.
    const ramEnd = 0x80000000n + 16n * 1024n * 1024n;
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li s0, ${ramEnd}
      li s2, 0
      lw a0, -2(s0)
      sw a0, -3(s0)
      lh a0, -1(s0)
      sh a0, -1(s0)
      exit
      .align 2
    handler:
      csrr t2, mtval
      li t3, 0x80200000
      add t3, t3, s2
      sw t2, 0(t3)
      addi s2, s2, 4
      csrr t2, mepc
      addi t2, t2, 4
      csrw mepc, t2
      mret
    `);
    assert.equal(r.x('s2'), 16n, 'four faults');
    const tvals = [0, 4, 8, 12].map((o) => r.load(0x80200000n + BigInt(o), 4));
    assert.deepEqual(tvals, [ramEnd, ramEnd, ramEnd, ramEnd].map((v) => v & 0xffffffffn));
  });
}
