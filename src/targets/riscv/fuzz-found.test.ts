/**
 * Regression tests for the differences the differential fuzzer (scripts/fuzz-diff.ts) found
 * between tracehook and QEMU 7.2, one named test per difference (the name in brackets is the
 * fuzzer's switch, scripts/fuzz/cli.ts KNOWN_AVOIDS). Each program ends in `dump`; the tests
 * check the registers that show the behaviour against the values QEMU 7.2 produces (so they run
 * without QEMU) and, when qemu-system-riscvXX is installed, that QEMU prints the same dump.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDump, qemuPath, runProgram, runQemuAsync } from './test-support/harness.js';
import type { Xlen } from './test-support/asm.js';
import { XREG_NAMES } from './regnames.js';
import { xregNumber } from './regnames.js';

/** Runs `src` on tracehook (and on QEMU when installed: same dump); returns the registers by name. */
async function run(xlen: Xlen, src: string, singleStep = false): Promise<(r: string) => bigint> {
  const q = qemuPath(xlen) !== undefined ? runQemuAsync(xlen, src, { cpu: `rv${xlen},h=off`, singleStep }) : undefined;
  const ours = await runProgram(xlen, src, { allowTrap: true, singleStep });
  assert.equal(ours.code, 0, 'tracehook exit code');
  const regs = parseDump(ours.uart);
  if (q !== undefined) {
    const qr = await q;
    assert.equal(qr.code, 0, 'qemu exit code');
    const theirs = parseDump(qr.uart);
    const diff = regs.flatMap((v, i) => (v === theirs[i] ? [] : [`${XREG_NAMES[i]}: tracehook 0x${v.toString(16)}, qemu 0x${theirs[i]!.toString(16)}`]));
    assert.deepEqual(diff, [], `RV${xlen}: tracehook and QEMU 7.2 differ`);
  }
  return (r) => regs[xregNumber(r)!]!;
}

/**
 * A trap handler that logs mtval, mcause and mepc (XLEN/8 bytes each) from s11 on, skips the
 * instruction (4 bytes) and returns to M-mode.
 */
const LOG_AND_SKIP = (xlen: Xlen): string => {
  const st = xlen === 64 ? 'sd' : 'sw', w = xlen / 8;
  return `
  .align 2
handler:
  csrr t1, mtval
  ${st} t1, 0(s11)
  csrr t1, mcause
  ${st} t1, ${w}(s11)
  csrr t1, mepc
  ${st} t1, ${2 * w}(s11)
  addi s11, s11, ${3 * w}
  addi t1, t1, 4
  csrw mepc, t1
  li t1, 0x1800
  csrs mstatus, t1
  mret
`;
};
/** Instructions LOG_AND_SKIP runs per trap. */
const HANDLER_INSNS = 13;
const LOG = 0x80200000n;
/** Load trap-log entry `i` (mtval, mcause, mepc) into registers `regs`. */
const loadLog = (xlen: Xlen, i: number, regs: [string, string, string]): string => {
  const ld = xlen === 64 ? 'ld' : 'lw', w = xlen / 8;
  return `li t2, ${LOG}\n` + regs.map((r, j) => `  ${ld} ${r}, ${(3 * i + j) * w}(t2)`).join('\n');
};
const SETUP = `
  la t0, handler
  csrw mtvec, t0
  li s11, ${LOG}
`;

for (const xlen of [32, 64] as const) {
  test(`[rm-icount] RV${xlen}: a static reserved rounding mode (5, 6) raises illegal instruction when it runs, uncounted, and its block goes on`, async () => {
    // fadd.d f0, f1, f2 with rm = 5 and rm = 6
    const RM5 = 0x0210d053, RM6 = 0x0210e053;
    const x = await run(xlen, `${SETUP}
  li t0, 0x2000
  csrs mstatus, t0          # FS = Initial
  li a0, 0
  li a1, 0
  li a2, 0
  csrr s2, minstret
  addi a0, a0, 1
  .word ${RM5}
  addi a1, a1, 1
  .word ${RM6}
  addi a2, a2, 1
  csrr s3, minstret
  sub s4, s3, s2            # the csrr, 3 addi and 2 handler runs: the two fadd.d are not counted
  li t0, 0x6000
  csrc mstatus, t0          # FS = Off: now illegal at decode (QEMU's REQUIRE_FPU), counted
  csrr s5, minstret
  .word ${RM5}
  addi a3, a3, 1
  csrr s6, minstret
  sub s7, s6, s5
  ${loadLog(xlen, 0, ['a4', 'a5', 'a6'])}
  ${loadLog(xlen, 1, ['s8', 's9', 's10'])}
  dump
  ${LOG_AND_SKIP(xlen)}`);
    assert.equal(x('s4'), BigInt(4 + 2 * HANDLER_INSNS));
    assert.equal(x('s7'), BigInt(3 + HANDLER_INSNS));
    assert.deepEqual([x('a0'), x('a1'), x('a2'), x('a3')], [1n, 1n, 1n, 1n]);
    assert.deepEqual([x('a4'), x('a5')], [BigInt(RM5), 2n]);
    assert.deepEqual([x('s8'), x('s9'), x('s10') - x('a6')], [BigInt(RM6), 2n, 8n]);
  });

  test(`[mret-nopmp] RV${xlen}: mret to S- or U-mode while no PMP entry is active is an illegal instruction (QEMU 7.2 helper_mret), uncounted`, async () => {
    for (const mpp of [0, 1]) {
      const x = await run(xlen, `${SETUP}
  la t0, target
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, ${mpp << 11}
  csrs mstatus, t0
  csrr s2, minstret
  addi a5, a5, 1
at:
  mret
target:
  li a0, 0x77               # not reached
  dump
  .align 2
handler:
  csrr s3, minstret
  sub s3, s3, s2            # the csrr and the addi: mret is not counted
  csrr s4, mcause
  csrr s5, mepc
  la s6, at
  sub s5, s5, s6
  csrr s6, mtval
  csrr s7, mstatus
  srli s7, s7, 11
  andi s7, s7, 3            # MPP = M
  dump`);
      assert.deepEqual([x('s3'), x('s4'), x('s5'), x('s6'), x('s7'), x('a0')], [2n, 2n, 0n, 0x30200073n, 3n, 0n], `MPP = ${mpp}`);
    }
    // with an active entry (even one matching nothing useful) the mret returns
    const x = await run(xlen, `${SETUP}
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  la t0, target
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800
  csrs mstatus, t0
  mret
target:
  li a0, 0x77
  ecall
  .align 2
handler:
  csrr s4, mcause
  dump`);
    assert.deepEqual([x('a0'), x('s4')], [0x77n, 9n]);
  });

  test(`[wfi] RV${xlen}: a wfi that does not sleep also counts the rest of QEMU 7.2's translation block`, async () => {
    // MTIP pending (mtimecmp = 0) and enabled in mie, mstatus.MIE = 0: wfi does not sleep.
    // QEMU's helper_wfi leaves with cpu_loop_exit after icount was charged for the whole block:
    // the block goes on to the first jump, branch, CSR instruction, fence.i, ecall/ebreak/xret
    // or illegal word (not sfence.vma, fences, memory, F/D, wfi), or the end of the page.
    const variants: [string, number][] = [
      ['sfence.vma', 4], ['fence.i', 1], ['fence', 4], ['sw zero, 0(s1)', 4], ['lw t2, 0(s1)', 4],
      ['amoadd.w t2, zero, (s1)', 4], ['.word 0x02107053', 4], ['c.nop', 4], ['csrr t2, mscratch', 1],
      ['beqz zero, 1f\n1:', 1], ['wfi', 4 + 3], ['.word 0x0210d053', 4],
    ];
    const regs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5'];
    const body = variants.map(([v], i) => `
  csrr t3, minstret
  wfi
  ${v}
  nop
  nop
  csrr t4, minstret
  sub ${regs[i]}, t4, t3`).join('\n');
    const x = await run(xlen, `${SETUP}
  li t0, 0x80
  csrw mie, t0
  li t1, 0x2004000
  sw zero, 0(t1)
  sw zero, 4(t1)
  li t0, 0x2000
  csrs mstatus, t0
  li s1, 0x80100000
  ${body}
  dump
  ${LOG_AND_SKIP(xlen)}`);
    variants.forEach(([v, extra], i) => {
      // csrr, wfi, the variant, 2 nops (the trapping rm = 5 word: the handler instead) plus the extra count
      const runs = v === '.word 0x0210d053' ? 4 + HANDLER_INSNS : 5;
      assert.equal(x(regs[i]!), BigInt(runs + extra), v);
    });
  });

  test(`[wfi] RV${xlen}: under -singlestep a wfi that does not sleep counts itself only (QEMU's blocks then hold one instruction)`, async () => {
    const x = await run(xlen, `${SETUP}
  li t0, 0x80
  csrw mie, t0
  li t1, 0x2004000
  sw zero, 0(t1)
  sw zero, 4(t1)
  csrr t3, minstret
  wfi
  nop
  nop
  csrr t4, minstret
  sub a0, t4, t3
  dump
  ${LOG_AND_SKIP(xlen)}`, true);
    assert.equal(x('a0'), 4n);
  });

  test(`[mmio-misaligned] RV${xlen}: misaligned MMIO loads are two aligned loads combined, misaligned MMIO stores byte stores (QEMU 7.2 softmmu)`, async () => {
    const ld = xlen === 64 ? 'ld' : 'lw';
    const x = await run(xlen, `${SETUP}
  li s0, 0x10000000         # UART: every access reads or writes the one register at its offset
  li s1, 0x40000000         # PCIe MMIO window: nothing behind it, all ones
  lw a0, 1(s0)              # (RBR=0 >> 8) | (MCR=0x08 << 24)
  lw a1, 2(s0)
  lw a2, 3(s0)
  lh a3, 5(s0)              # (MCR >> 8) | (MSR=0xb0 << 8), sign-extended
  lw a4, 1(s1)
  lhu a5, 3(s1)
  li t0, 0x11223344
  sw t0, 5(s0)              # bytes to LSR, MSR, SCR = 0x22, then 0x10000008: no device, fault there
  lbu a6, 7(s0)
  li s2, 0xc000000
  li t0, 7
  sw t0, 2(s2)              # PLIC: byte stores, which it refuses: fault at the first byte
  ${ld} a7, 1(s1)
  ${loadLog(xlen, 0, ['s3', 's4', 's5'])}
  ${loadLog(xlen, 1, ['s6', 's7', 's8'])}
  dump
  ${LOG_AND_SKIP(xlen)}`);
    const ones = (1n << BigInt(xlen)) - 1n;
    assert.deepEqual([x('a0'), x('a1'), x('a2')], [0x08000000n, 0x00080000n, 0x00000800n]);
    assert.equal(x('a3'), ones & ~0x4fffn);
    assert.deepEqual([x('a4'), x('a5'), x('a7')], [xlen === 64 ? ones : ones, 0xffffn, ones]);
    assert.equal(x('a6'), 0x22n);
    assert.deepEqual([x('s3'), x('s4')], [0x10000008n, 7n]);
    assert.deepEqual([x('s6'), x('s7')], [0xc000002n, 7n]);
  });

  test(`[clint-size] RV${xlen}: byte and halfword accesses to the CLINT are access faults (QEMU 7.2 riscv_aclint ops: valid sizes 4 (MSWI), 4..8 (MTIMER))`, async () => {
    const x = await run(xlen, `${SETUP}
  li s0, 0x2000000          # MSWI: msip of hart 0
  li s1, 0x2004000          # MTIMER: mtimecmp of hart 0
  li t0, 1
  sb t0, 0(s0)              # store access fault (7), msip unchanged
  lbu a0, 0(s1)             # load access fault (5)
  lhu a1, 2(s1)             # load access fault (5)
  lw a2, 0(s0)              # a word access works: msip = 0
  ${loadLog(xlen, 0, ['s3', 's4', 's5'])}
  ${loadLog(xlen, 1, ['s6', 's7', 's8'])}
  ${loadLog(xlen, 2, ['s9', 's10', 'a3'])}
  dump
  ${LOG_AND_SKIP(xlen)}`);
    assert.deepEqual([x('s3'), x('s4')], [0x2000000n, 7n]);
    assert.deepEqual([x('s6'), x('s7')], [0x2004000n, 5n]);
    assert.deepEqual([x('s9'), x('s10')], [0x2004002n, 5n]);
    assert.equal(x('a2'), 0n);
  });

  if (xlen === 64) {
    test('[uart-ld] RV64: a doubleword access to the UART is one register access (QEMU 7.2 serial_mm_ops impl.max_access_size = 8)', async () => {
      const x = await run(64, `${SETUP}
  li s0, 0x10000000
  ld a0, 0(s0)              # RBR: 0, not RBR | MCR << 32
  ld a1, 0(s0)
  li t0, 0x0000000800000003
  sd t0, 3(s0)              # misaligned: byte stores in ascending order from LCR (= 3)
  lbu a2, 3(s0)
  lbu a3, 7(s0)
  li t0, 0x5a
  sd t0, 7(s0)              # misaligned: SCR = 0x5a, then 0x10000008: unmapped, store fault
  ld a4, 0(s0)
  lbu a5, 7(s0)
  dump
  ${LOG_AND_SKIP(64)}`);
      assert.deepEqual([x('a0'), x('a1')], [0n, 0n]);
      assert.equal(x('a2'), 3n);
      assert.equal(x('a5'), 0x5an);
      assert.equal(x('a4'), 0n);
    });
  }

  test(`[ptr-adu] RV${xlen}: a non-leaf PTE with A, D or U set is a page fault (QEMU 7.2 get_physical_address); G is allowed`, async () => {
    const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n;
    const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags;
    const ROOT = 0x80300000n, L1 = 0x80301000n, L0 = 0x80302000n, DATA = 0x80310000n;
    const w = xlen / 8, st = xlen === 64 ? 'sd' : 'sw';
    const results: bigint[] = [];
    for (const flag of [A, D, U, G, 0n]) {
      const store = (addr: bigint, v: bigint): string => `li t0, ${addr}\n  li t1, ${v}\n  ${st} t1, 0(t0)`;
      // RV64 Sv39: 0x40000000 -> ROOT[1] -> L1[0] -> L0[0] -> DATA; RV32 Sv32: ROOT[0x100] -> L0[0] -> DATA.
      const tables = xlen === 64
        ? [store(ROOT + 2n * 8n, pte(0x80000000n, V | R | W | X | A | D)), store(ROOT + 8n, pte(L1, V | flag)), store(L1, pte(L0, V)), store(L0, pte(DATA, V | R | W | A | D))]
        : [store(ROOT + 0x200n * 4n, pte(0x80000000n, V | R | W | X | A | D)), store(ROOT + 0x100n * 4n, pte(L0, V | flag)), store(L0, pte(DATA, V | R | W | A | D))];
      const satp = xlen === 64 ? (8n << 60n) | (ROOT >> 12n) : (1n << 31n) | (ROOT >> 12n);
      const x = await run(xlen, `${SETUP}
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  ${store(DATA, 0x1234n)}
  ${tables.join('\n  ')}
  li t0, ${satp}
  csrw satp, t0
  sfence.vma
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800
  csrs mstatus, t0          # MPP = S
  la t0, smode
  csrw mepc, t0
  mret
smode:
  li s0, 0x40000000
  li s1, ${0x40000000n + BigInt(w)}
  lw a0, 0(s0)              # 0x1234 through the mapping, or a load page fault
  ecall
  ${loadLog(xlen, 0, ['s2', 's3', 's4'])}
  ${loadLog(xlen, 1, ['s5', 's6', 's7'])}
  dump
  ${LOG_AND_SKIP(xlen)}`);
      results.push(x('a0'), x('s3'), x('s2'));
    }
    const fault = [0n, 13n, 0x40000000n], ok = [0x1234n, 9n, 0n];
    assert.deepEqual(results, [...fault, ...fault, ...fault, ...ok, ...ok]);
  });

  test(`[sc-fault] RV${xlen}: an SC to the all-ones address without a reservation raises misaligned, as QEMU 7.2 (whose "no reservation" is load_res = -1)`, async () => {
    const scs = xlen === 64 ? ['sc.w', 'sc.d'] : ['sc.w'];
    const x = await run(xlen, `${SETUP}
  li s1, 0x80100000
  li t0, -1
  li a0, 7
  ${scs.map((sc) => `${sc} a0, a1, (t0)        # no reservation: misaligned exception (QEMU's cause 4, the spec's 6)`).join('\n  ')}
  lr.w a2, (s1)
  li a3, 7
  sc.w a3, a1, (t0)         # a reservation elsewhere: fails (rd = 1), no exception
  addi t1, s1, 2
  li a4, 7
  sc.w a4, a1, (t1)         # no reservation, misaligned, not all-ones: fails without an exception (QEMU 7.2)
  ${loadLog(xlen, 0, ['s2', 's3', 's4'])}
  ori s3, s3, 2             # QEMU 7.2 reports cause 4 for a misaligned SC, the spec 6
  ${loadLog(xlen, 1, ['s5', 's6', 's7'])}
  ori s6, s6, 2
  li t2, ${LOG + BigInt(3 * 2 * (xlen / 8))}
  sub s8, s11, t2           # 0: no more traps
  dump
  ${LOG_AND_SKIP(xlen)}`);
    const ones = (1n << BigInt(xlen)) - 1n;
    assert.deepEqual([x('s2'), x('s3')], [ones, 6n]);
    if (xlen === 64) assert.deepEqual([x('s5'), x('s6')], [ones, 6n]);
    assert.deepEqual([x('a0'), x('a3'), x('a4')], [7n, 1n, 1n]);
    assert.equal(x('s8'), xlen === 64 ? 0n : BigInt.asUintN(xlen, -BigInt(3 * (xlen / 8))));
  });

  test(`[wfi] RV${xlen}: the count after a wfi that does not sleep stops at the next timer deadline (QEMU 7.2 runs a block only if it fits before it)`, async () => {
    // MTIP pending and enabled, so wfi does not sleep; stimecmp arms a timer 2 ticks (200
    // instructions) after a tick boundary; the wfi (4 instructions after it in QEMU's block)
    // then runs at 12 distances from that deadline: the extra count shrinks to what fits.
    const regs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5'];
    const stce = xlen === 64 ? 'li t0, 1\n  slli t0, t0, 63\n  csrs menvcfg, t0' : 'li t0, 0x80000000\n  csrs 0x31a, t0';
    const trials = regs.map((r, j) => `
  csrr t1, time
2${j}:
  csrr t2, time
  beq t1, t2, 2${j}b
  addi t2, t2, 2
  csrw stimecmp, t2
  csrr t3, minstret
  ${Array.from({ length: 190 + j }, () => 'nop').join('\n  ')}
  wfi
  nop
  nop
  nop
  csrr t4, minstret
  sub ${r}, t4, t3`).join('\n');
    const x = await run(xlen, `${SETUP}
  li t0, 0x80
  csrw mie, t0
  li t1, 0x2004000
  sw zero, 0(t1)
  sw zero, 4(t1)
  ${stce}
  ${trials}
  dump
  ${LOG_AND_SKIP(xlen)}`);
    // csrr minstret, the nops, wfi, 3 nops: 195 + j, plus min(4, instructions left before the deadline)
    assert.deepEqual(regs.map((r) => x(r)), [199n, 200n, 201n, 202n, 203n, 203n, 203n, 203n, 203n, 208n, 209n, 210n]);
  });

  test(`[stimecmp] RV${xlen}: with menvcfg.STCE = 0 an M-mode stimecmp write still sets STIP or arms the timer, and STIP is one bit with software's (QEMU 7.2 write_stimecmp)`, async () => {
    const x = await run(xlen, `${SETUP}
  csrw stimecmp, zero       # in the past: STIP at once
  csrr a0, mip
  li t0, -1
  csrw stimecmp, t0         # in the future: STIP cleared, timer armed
  csrr a1, mip
  csrr t1, time
  addi t1, t1, 3
  csrw stimecmp, t1         # 300 instructions ahead
  csrr a2, mip
  li t2, 1000
1:
  addi t2, t2, -1
  bnez t2, 1b
  csrr a3, mip              # the timer fired
  li t0, 0x20
  csrc mip, t0              # STCE = 0: software may clear the timer's STIP
  csrr a4, mip
  dump
  ${LOG_AND_SKIP(xlen)}`);
    const MTIP = 0x80n, STIP = 0x20n;
    assert.deepEqual([x('a0'), x('a1'), x('a2'), x('a3'), x('a4')], [MTIP | STIP, MTIP, MTIP, MTIP | STIP, MTIP]);
  });
}
