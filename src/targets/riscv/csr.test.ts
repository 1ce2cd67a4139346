/**
 * Zicsr: read/write/set/clear semantics of the six CSR instructions, when they write at all,
 * read-only and nonexistent CSRs raising illegal instruction (mtval = the instruction), WARL
 * fields of mstatus/mtvec/mepc/misa, and the counters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ROM_INSNS, runProgram } from './test-support/harness.js';
import { asm, type Xlen } from './test-support/asm.js';

const word = (xlen: Xlen, src: string): bigint => BigInt(new DataView(asm(xlen, src).buffer).getUint32(0, true));

for (const xlen of [32, 64] as const) {
  const u = (v: bigint): bigint => BigInt.asUintN(xlen, v);

  test(`RV${xlen} csrrw/csrrs/csrrc and their immediate forms return the old value and write the new`, async () => {
    const r = await runProgram(xlen, `
      li t0, 0x0ff0
      csrw mscratch, t0
      li t1, 0x00ff
      csrrs a0, mscratch, t1     # a0 = 0x0ff0, csr = 0x0fff
      li t1, 0x0f0f
      csrrc a1, mscratch, t1     # a1 = 0x0fff, csr = 0x00f0
      li t1, -1
      csrrw a2, mscratch, t1     # a2 = 0x00f0, csr = all ones
      csrrci a3, mscratch, 0x1f  # a3 = all ones, csr = ~0x1f
      csrrsi a4, mscratch, 0x3   # a4 = ~0x1f, csr = ~0x1c
      csrrwi a5, mscratch, 0x15  # a5 = ~0x1c, csr = 0x15
      csrr a6, mscratch
      csrrw a7, mscratch, a7     # rd = rs1: writes the old a7 (0), returns 0x15
      csrr s2, mscratch
      exit
    `);
    assert.equal(r.x('a0'), 0x0ff0n);
    assert.equal(r.x('a1'), 0x0fffn);
    assert.equal(r.x('a2'), 0x00f0n);
    assert.equal(r.x('a3'), u(-1n));
    assert.equal(r.x('a4'), u(~0x1fn));
    assert.equal(r.x('a5'), u(~0x1cn));
    assert.equal(r.x('a6'), 0x15n);
    assert.equal(r.x('a7'), 0x15n);
    assert.equal(r.x('s2'), 0n);
  });

  test(`RV${xlen} csrrs/csrrc with x0 or a zero uimm read without writing, even read-only CSRs`, async () => {
    const r = await runProgram(xlen, `
      csrrs a0, mhartid, zero
      csrrc a1, mvendorid, zero
      csrrsi a2, marchid, 0
      csrrci a3, mimpid, 0
      li t0, 0
      csrrs a4, mhartid, t0      # a register holding 0: QEMU 7.2 does not write either
      exit
    `);
    assert.equal(r.x('a0'), 0n);
    assert.equal(r.x('a1'), 0n);
    assert.equal(r.x('a2'), 0x70216n);
    assert.equal(r.x('a3'), 0x70216n);
    assert.equal(r.x('a4'), 0n);
  });

  const readOnly: [string, string][] = [
    ['csrw mhartid, zero', 'csrrw to a read-only CSR'],
    ['csrrwi zero, mvendorid, 0', 'csrrwi to a read-only CSR (rd = x0)'],
    ['csrrsi a0, mimpid, 1', 'csrrsi with a nonzero uimm'],
    ['li a1, 1; csrrs a0, marchid, a1', 'csrrs with a nonzero source'],
    ['li a1, 1; csrrc a0, cycle, a1', 'csrrc of the user cycle counter'],
    ['csrw instret, zero', 'csrw of instret'],
    ['csrr a0, 0x7c0', 'read of a nonexistent CSR'],
    ['csrw 0x5c0, zero', 'write of a nonexistent CSR'],
    [xlen === 64 ? 'csrr a0, mcycleh' : 'csrw cycleh, zero', xlen === 64 ? 'mcycleh on RV64' : 'csrw of cycleh'],
    ...(xlen === 64 ? [['csrr a0, pmpcfg1', 'odd pmpcfg on RV64'] as [string, string]] : []),
  ];
  for (const [insn, what] of readOnly) {
    test(`RV${xlen} illegal CSR access (${what}) traps with mcause 2, mepc at it and mtval = the instruction`, async () => {
      const last = insn.split(';').pop()!.trim();
      const r = await runProgram(xlen, `
        li a0, 0x77
        ${insn.split(';').slice(0, -1).join('\n')}
      bad:
        ${last}
        exit
      `, { allowTrap: true });
      assert.ok(r.trapped, 'trapped');
      assert.equal(r.hart.mcause, 2n);
      assert.equal(r.hart.mepc, r.label('bad'));
      assert.equal(r.hart.mtval, word(xlen, last));
      assert.equal(r.x('a0'), 0x77n, 'destination unchanged');
    });
  }

  test(`RV${xlen} mstatus: MPP ignores the reserved value 2, WPRI bits read as zero, MIE/MPIE/SIE writable`, async () => {
    const r = await runProgram(xlen, `
      li t0, 0x1888               # MPP = 3, MPIE, MIE (MIE enabled with nothing pending)
      csrw mstatus, t0
      csrr a0, mstatus
      li t0, 0x1800
      csrc mstatus, t0            # MPP = 0
      li t0, 0x1000
      csrs mstatus, t0            # MPP = 2: reserved, keeps 0
      csrr a1, mstatus
      csrw mstatus, zero
      li t0, -1
      csrw mstatus, t0
      csrr a2, mstatus
      csrw mstatus, zero
      exit
    `);
    const base = xlen === 64 ? (2n << 32n) | (2n << 34n) : 0n; // UXL = SXL = 64-bit, read-only
    assert.equal(r.x('a0'), base | 0x1888n);
    assert.equal(r.x('a1'), base | 0x88n);
    // writable on any of these harts: SIE MIE SPIE MPIE SPP MPP MPRV SUM MXR TVM TW TSR;
    // FS (and so SD) only with an FPU; everything else reads as written by the hardware
    const fs = 3n << 13n, sd = 1n << BigInt(xlen - 1);
    const fixed = r.x('a2') & ~(fs | sd);
    assert.equal(fixed, base | 0x7e19aan);
    assert.ok((r.x('a2') & fs) === 0n || (r.x('a2') & sd) !== 0n, 'SD summarises a dirty FS');
  });

  test(`RV${xlen} misa is fixed; mtvec ignores modes 2 and 3; mepc keeps bit 0 as written (QEMU 7.2; mret ignores it)`, async () => {
    const r = await runProgram(xlen, `
      csrr a0, misa
      csrw misa, zero
      csrr a1, misa
      li t0, 0x80001001
      csrw mtvec, t0              # vectored: accepted
      csrr a2, mtvec
      li t0, 0x80002002
      csrw mtvec, t0              # mode 2: ignored
      csrr a3, mtvec
      li t0, 0x80003003
      csrw mepc, t0
      csrr a4, mepc
      exit
    `);
    const mxl = xlen === 64 ? 2n << 62n : 1n << 30n;
    const imacsu = 0x141105n;
    assert.equal(r.x('a0') & (mxl | imacsu), mxl | imacsu, 'MXL and I M A C S U');
    assert.equal(r.x('a0') & ~(mxl | imacsu | 0x28n), 0n, 'nothing but those (and F, D)');
    assert.equal(r.x('a1'), r.x('a0'), 'misa is not writable');
    assert.equal(r.x('a2'), 0x80001001n);
    assert.equal(r.x('a3'), 0x80001001n);
    assert.equal(r.x('a4'), 0x80003003n);
  });

  test(`RV${xlen} minstret and mcycle count retired instructions exactly, the reading instruction included`, async () => {
    const r = await runProgram(xlen, `
      csrr a0, minstret
      nop
      nop
      csrr a1, minstret
      csrr a2, mcycle
      rdinstret a3
      rdcycle a4
      li t0, 1000
      csrw minstret, t0
      csrr a5, minstret
      exit
    `);
    const first = BigInt(BOOT_ROM_INSNS + 1);
    assert.equal(r.x('a0'), first);
    assert.equal(r.x('a1'), first + 3n);
    assert.equal(r.x('a2'), first + 4n);
    assert.equal(r.x('a3'), first + 5n);
    assert.equal(r.x('a4'), first + 6n);
    assert.equal(r.x('a5'), 1001n, 'counts on from the written value (as QEMU 7.2)');
  });

  test(`RV${xlen} the time CSR reads the CLINT's mtime (10 MHz: one tick per 100 instructions at shift 0)`, async () => {
    const r = await runProgram(xlen, `
      li t0, 300
    1:
      addi t0, t0, -1
      bnez t0, 1b
      rdtime a0
      li t1, 0x200bff8
      lw a1, 0(t1)
      exit
    `);
    // boot 6 + li + 600 loop insns + rdtime = 608 instructions -> 6 ticks
    assert.equal(r.x('a0'), 6n);
    assert.equal(r.x('a1'), 6n);
  });
}

test('RV32 the high halves of the counters: minstreth/mcycleh and the user aliases', async () => {
  // (Not checked: whether a write to the low half carries into the high half once it wraps.
  // tracehook keeps one 64-bit counter and carries, as the spec says; QEMU 7.2 does not carry.)
  const r = await runProgram(32, `
    csrr a0, minstreth
    rdinstreth a1
    rdcycleh a2
    rdtimeh a3
    li t0, 5
    csrw minstreth, t0
    csrr a4, minstreth
    li t0, -16
    csrw minstret, t0
    csrr a5, minstret
    csrw mcycleh, t0
    csrr a6, mcycleh
    exit
  `);
  assert.equal(r.x('a0'), 0n);
  assert.equal(r.x('a1'), 0n);
  assert.equal(r.x('a2'), 0n);
  assert.equal(r.x('a3'), 0n);
  assert.equal(r.x('a4'), 5n);
  assert.equal(r.x('a5'), 0xfffffff1n);
  assert.equal(r.x('a6'), 0xfffffff0n);
});
