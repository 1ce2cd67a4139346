/**
 * Synchronous traps: mcause/mepc/mtval (and mstatus stacking) for ecall, ebreak, illegal
 * instructions, load/store/fetch access faults; mret; U-mode ecall; delegation to S-mode; exact
 * retirement counts around a faulting instruction in the middle of a block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ROM_INSNS, runProgram } from './test-support/harness.js';

/** A handler that records mcause/mepc/mtval/mstatus in s8..s11 and stops. */
const RECORD = `
  .align 2
handler:
  csrr s8, mcause
  csrr s9, mepc
  csrr s10, mtval
  csrr s11, mstatus
  exit
`;
const SETUP = 'la t0, handler\n  csrw mtvec, t0';

for (const xlen of [32, 64] as const) {
  const u = (v: bigint): bigint => BigInt.asUintN(xlen, v);
  const MPP = 3n << 11n, MPIE = 1n << 7n, MIE = 1n << 3n;

  async function trapAt(body: string, setup = SETUP): Promise<{ cause: bigint; epc: bigint; tval: bigint; status: bigint; at: bigint; r: Awaited<ReturnType<typeof runProgram>> }> {
    const r = await runProgram(xlen, `
      ${setup}
      li a0, 0x77
    at:
      ${body}
      li a0, 0x99          # must not run
      exit
    ${RECORD}`);
    return { cause: r.x('s8'), epc: r.x('s9'), tval: r.x('s10'), status: r.x('s11'), at: r.label('at'), r };
  }

  test(`RV${xlen} ecall from M-mode: mcause 11, mepc at the ecall, mtval 0, MPP = M, MPIE = old MIE`, async () => {
    const t = await trapAt('ecall', `${SETUP}\n csrsi mstatus, 8`);
    assert.equal(t.cause, 11n);
    assert.equal(t.epc, t.at);
    assert.equal(t.tval, 0n);
    assert.equal(t.status & MPP, MPP);
    assert.equal(t.status & MPIE, MPIE);
    assert.equal(t.status & MIE, 0n);
    assert.equal(t.r.x('a0'), 0x77n);
  });

  test(`RV${xlen} ebreak and c.ebreak: mcause 3, mtval 0`, async () => {
    for (const insn of ['ebreak', 'c.ebreak']) {
      const t = await trapAt(insn);
      assert.equal(t.cause, 3n, insn);
      assert.equal(t.epc, t.at, insn);
      assert.equal(t.tval, 0n, insn);
    }
  });

  const illegal: [string, bigint][] = [
    ['.word 0xffffffff', 0xffffffffn],
    ['.half 0', 0n],                                   // c.unimp / all-zero parcel
    ['.word 0x00052507', 0x00052507n],                 // flw: no F, or F with mstatus.FS = Off (reset)
    ['.half 0x6001', 0x6001n],                         // c.lui with a zero immediate (reserved)
  ];
  for (const [insn, tval] of illegal) {
    test(`RV${xlen} illegal instruction ${insn}: mcause 2, mtval = the instruction bits`, async () => {
      const t = await trapAt(insn);
      assert.equal(t.cause, 2n);
      assert.equal(t.epc, t.at);
      assert.equal(t.tval, tval);
    });
  }

  test(`RV${xlen} load access fault on unmapped memory: mcause 5, mtval = the address`, async () => {
    const t = await trapAt('lw a0, 16(zero)');
    assert.equal(t.cause, 5n);
    assert.equal(t.epc, t.at);
    assert.equal(t.tval, 16n);
    assert.equal(t.r.x('a0'), 0x77n, 'destination unchanged');
  });

  test(`RV${xlen} store access fault on unmapped memory: mcause 7, mtval = the address`, async () => {
    const t = await trapAt('li t1, 0x200\n  sw a0, -4(t1)'.replace('\n  sw', '\nat2:\n  sw'));
    assert.equal(t.cause, 7n);
    assert.equal(t.epc, t.r.label('at2'));
    assert.equal(t.tval, 0x1fcn);
  });

  test(`RV${xlen} fetch access fault: mcause 1, mepc = mtval = the target`, async () => {
    const t = await trapAt('li t1, 0x20000\n  jalr ra, 0(t1)');   // between the boot ROM and the test device
    assert.equal(t.cause, 1n);
    assert.equal(t.epc, 0x20000n);
    assert.equal(t.tval, 0x20000n);
  });

  test(`RV${xlen} a fault in the middle of a block: earlier instructions retire, later ones do not, minstret is exact`, async () => {
    const r = await runProgram(xlen, `
      ${SETUP}
      li a1, 0
      addi a1, a1, 1
      addi a1, a1, 1
    at:
      lw a2, 0(zero)
      addi a1, a1, 100
      exit
    handler:
      csrr s8, minstret
      csrr s9, mepc
      exit
    `);
    assert.equal(r.x('a1'), 2n);
    assert.equal(r.x('s9'), r.label('at'));
    // boot + la (2) + csrw + li + 2 addi = 12 retired; the faulting lw does not count; csrr does
    assert.equal(r.x('s8'), BigInt(BOOT_ROM_INSNS + 6 + 1));
  });

  test(`RV${xlen} mret returns to mepc, restores MIE from MPIE and sets MPP to U`, async () => {
    const r = await runProgram(xlen, `
      ${SETUP}
      la t0, after
      csrw mepc, t0
      li t0, 0x1880            # MPP = M, MPIE = 1, MIE = 0
      csrw mstatus, t0
      mret
      li a0, 0x99
    after:
      csrr a1, mstatus
      exit
    ${RECORD}`);
    assert.equal(r.x('a0'), 0n);
    assert.equal(r.x('a1') & (MPP | MPIE | MIE), MPIE | MIE);
  });

  // U-mode needs PMP: with no entry, only M-mode may access memory.
  const PMP_ALL = `
      li t0, -1
      csrw pmpaddr0, t0
      li t0, 0x1f              # NAPOT, RWX
      csrw pmpcfg0, t0`;

  test(`RV${xlen} ecall from U-mode: mcause 8, MPP = U; mret/wfi/CSR access in U-mode are illegal`, async () => {
    const r = await runProgram(xlen, `
      ${SETUP}
      ${PMP_ALL}
      la t0, user
      csrw mepc, t0
      li t0, 0x1800
      csrc mstatus, t0         # MPP = U
      mret
    user:
      ecall
    ${RECORD}`);
    assert.equal(r.x('s8'), 8n);
    assert.equal(r.x('s9'), r.label('user'));
    assert.equal(r.x('s11') & MPP, 0n);
    for (const insn of ['mret', 'wfi', 'csrr a0, mstatus', 'csrr a0, sstatus', 'sret']) {
      const t = await runProgram(xlen, `
        ${SETUP}
        ${PMP_ALL}
        la t0, user
        csrw mepc, t0
        li t0, 0x1800
        csrc mstatus, t0
        mret
      user:
        ${insn}
        ecall
      ${RECORD}`);
      assert.equal(t.x('s8'), 2n, `${insn} in U-mode`);
      assert.equal(t.x('s9'), t.label('user'));
    }
  });

  test(`RV${xlen} medeleg sends U-mode ecalls to S-mode (scause/sepc/SPP), S-mode ecalls still go to M`, async () => {
    const r = await runProgram(xlen, `
      ${SETUP}
      ${PMP_ALL}
      la t0, shandler
      csrw stvec, t0
      li t0, 0x100             # delegate ecall from U
      csrw medeleg, t0
      la t0, user
      csrw mepc, t0
      li t0, 0x1800
      csrc mstatus, t0
      mret
    user:
      ecall
    shandler:
      csrr s2, scause
      csrr s3, sepc
      csrr s4, sstatus
      ecall                    # from S: not delegated
    ${RECORD}`);
    assert.equal(r.x('s2'), 8n);
    assert.equal(r.x('s3'), r.label('user'));
    assert.equal(r.x('s4') & 0x100n, 0n, 'SPP = U');
    assert.equal(r.x('s8'), 9n);
    assert.equal(r.x('s9'), r.label('shandler') + 12n);
    assert.equal((r.x('s11') & MPP) >> 11n, 1n, 'MPP = S');
  });

  test(`RV${xlen} a vectored mtvec sends exceptions to the base address`, async () => {
    const r = await runProgram(xlen, `
      la t0, handler
      ori t0, t0, 1
      csrw mtvec, t0
    at:
      ecall
      .align 2
    ${RECORD}`);
    assert.equal(r.x('s8'), 11n);
    assert.equal(r.x('s9'), r.label('at'));
  });

  test(`RV${xlen} an address beyond the physical range faults with the full address in mtval`, async () => {
    const addr = xlen === 64 ? 0x0100000000000000n : 0xfffffff0n;
    const t = await trapAt(`li t1, ${addr}\nat2:\n  ld a1, 8(t1)`.replace('ld', xlen === 64 ? 'ld' : 'lw'));
    assert.equal(t.cause, 5n);
    assert.equal(t.epc, t.r.label('at2'));
    assert.equal(t.tval, u(addr + 8n));
  });

  test(`RV${xlen} a store to the boot ROM is ignored as in QEMU 7.2, not an access fault`, async () => {
    // QEMU maps the virt mrom as ROM: guest writes are discarded without an exception.
    const r = await runProgram(xlen, `
      ${SETUP}
      li t0, 0x1000
      li t1, 0x55
      sw t1, 0(t0)
      lw a1, 0(t0)
      li a0, 1
      exit
    ${RECORD}`);
    assert.equal(r.x('s8'), 0n, `mcause ${r.x('s8')} at mepc 0x${r.x('s9').toString(16)}`);
    assert.equal(r.x('a0'), 1n);
    assert.equal(r.x('a1'), 0x297n, 'ROM unchanged');
  });
}

