/**
 * `-cpu rvXX,c=off` (IALIGN=32) as QEMU 7.2 runs it: jumps and taken branches to a target with bit
 * 1 set raise instruction-address-misaligned at the jump (jal and branches report the start of
 * QEMU's translation block as the bad address, jalr its target, and leave rd unwritten);
 * compressed halfwords are illegal (xtval = the halfword); mret/sret to an xepc with bits 1:0 set
 * raise misaligned fetch with QEMU's stale bad address. The trap handler prints mcause, mtval and
 * mepc; the expected output was printed by QEMU 7.2 with the same -cpu (and is compared live when
 * QEMU is installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpuSpec } from './isa.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSource, qemuPath, RAM_BASE, runProgram } from './test-support/harness.js';
import { assemble } from './test-support/asm.js';

/**
 * The UART output of `src` on QEMU 7.2 with `-cpu cpu`. Through `-serial file:` (with stdio and
 * stdin closed, QEMU sometimes loses the tail of the output when the guest exits).
 */
function qemuUart(xlen: 32 | 64, src: string, cpu: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rv-ialign-'));
  try {
    writeFileSync(join(dir, 'p.bin'), assemble(xlen, prepareSource(src, true, xlen), { origin: RAM_BASE }).bytes);
    spawnSync(qemuPath(xlen)!, ['-M', 'virt', '-bios', 'none', '-kernel', 'p.bin', '-display', 'none', '-monitor', 'none',
      '-serial', 'file:out.txt', '-cpu', cpu, '-m', '16M', '-icount', 'shift=0,sleep=off'], { cwd: dir, timeout: 10_000, stdio: 'ignore' });
    return readFileSync(join(dir, 'out.txt'), 'latin1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const program = (xlen: 32 | 64): string => `
    la t0, handler
    csrw mtvec, t0
    li s0, 1
    csrr t0, mhartid      # a CSR read ends QEMU's block: the next jal's bad address is the pc after it
  here1:
    .word 0x0060006f      # jal x0, +6
    nop
    li s0, 2
    .word 0x00000363      # beq x0, x0, +6 (taken)
    nop
    li s0, 3
    li ra, 0x1234
    la t1, tgt3
    addi t1, t1, 3        # bit 0 is dropped, bit 1 stays: misaligned
    jalr ra, 0(t1)
  tgt3:
    nop
    mv a0, ra
    call hex
    li s0, 4
  c4:
    .half 0x4501          # c.li a0, 0: illegal without C
    .half 0x0001
    nop
    li s0, 5
    la t0, after5
    addi t0, t0, 2
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    mret                  # mepc[1] set: misaligned, stale bad address (the jalr target)
    nop
  after5:
    li s0, 6
    la t0, after6
    addi t0, t0, 1
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    mret                  # mepc[0] set also counts without C
    nop
  after6:
    li s0, 7
    li t0, 0x500
    lw t1, 0(t0)          # load access fault (nothing mapped): the bad address becomes 0x500
    nop
    li s0, 8
    la t0, after8
    addi t0, t0, 2
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    mret
    nop
  after8:
    li s0, 9
    li t1, 1
    .word 0x00031363      # bne t1, x0... (rs1=t1? no: bne x6, x0, +6) taken
    nop
    .word 0x00001363      # bne x0, x0, +6: not taken, no trap
    li s0, 10
    mv a0, s0
    call hex
    exit
  hex:
    li t3, 0x10000000
    li t4, ${xlen - 4}
  1:
    srl t5, a0, t4
    andi t5, t5, 15
    addi t5, t5, 48
    li t6, 58
    blt t5, t6, 2f
    addi t5, t5, 39
  2:
    sb t5, 0(t3)
    addi t4, t4, -4
    bgez t4, 1b
    li t5, 10
    sb t5, 0(t3)
    ret
    .align 2
  handler:
    mv s1, ra
    mv a0, s0
    call hex
    csrr a0, mcause
    call hex
    csrr a0, mtval
    call hex
    csrr a0, mepc
    call hex
    mv ra, s1
    csrr t0, mepc
    andi t0, t0, -4
    addi t0, t0, 8
    csrw mepc, t0
    li t0, 0x1800
    csrs mstatus, t0
    mret
`;

/**
 * What QEMU 7.2 prints (qemu-system-riscv64 -cpu rv64,h=false,c=false; rv32 prints the same
 * values in 8 digits): per trap the case number, mcause, mtval, mepc.
 */
const EXPECT = [
  [1, 0, 0x80000014, 0x80000014], // jal after a csrr: bad address = start of QEMU's block (after the csrr)
  [2, 0, 0x8000001c, 0x80000020], // beq: bad address = start of QEMU's block (the mret of the handler returned there)
  [3, 0, 0x80000046, 0x80000040], // jalr: bad address = the target
  [0x1234], // jalr left ra alone
  [4, 2, 0x4501, 0x80000058], // a compressed halfword: illegal, xtval = the halfword
  [5, 0, 0x80000046, 0x80000080], // mret, mepc[1] set: the stale bad address (jalr's target)
  [6, 0, 0x80000046, 0x800000a8], // mret, mepc[0] set
  [7, 5, 0x500, 0x800000b8], // a load access fault sets the bad address
  [8, 0, 0x500, 0x800000e0], // ... which the next misaligned mret reports
  [9, 0, 0x800000e8, 0x800000f0], // bne taken; the not-taken one after it does not trap
  [10],
];

for (const xlen of [64, 32] as const) {
  test(`rv${xlen} c=off: misaligned jumps, branches, mret and compressed words as QEMU 7.2`, async () => {
    const spec = `rv${xlen},h=false,c=false`;
    const src = program(xlen);
    const r = await runProgram(xlen, src, { isa: parseCpuSpec(spec, xlen).isa });
    const want = EXPECT.flat().map((v) => v.toString(16).padStart(xlen / 4, '0') + '\n').join('');
    assert.equal(r.uart, want);
    if (qemuPath(xlen) !== undefined) assert.equal(qemuUart(xlen, src, spec), want, 'QEMU 7.2 prints the same');
  });
}
