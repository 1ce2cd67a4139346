/**
 * Differential tests against QEMU 7.2 (skipped when qemu-system-riscv32/64 is not installed):
 * the same raw program runs on tracehook and on `qemu-system-riscvXX -M virt -bios none
 * -icount shift=0,sleep=off -cpu rvXX,f=off,d=off,h=off`, ends with `dump` (all registers
 * printed on the UART) and the two dumps must be identical. The programs: seeded random
 * straight-line and branching integer code (I, M, C, loads/stores at any alignment), and
 * hand-written trap, counter, self-modifying-code and interrupt scenarios whose handlers
 * record mcause/mepc/mtval/minstret in registers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDump, qemuPath, QEMU_CPU, runProgram, runQemuAsync, type QemuResult } from './test-support/harness.js';
import { type Xlen } from './test-support/asm.js';
import { XREG_NAMES } from './regnames.js';

const SCRATCH = 0x80300000n;

/** xorshift64 with a fixed seed per program. */
function rng(seed: bigint): () => bigint {
  let s = seed | 1n;
  return () => {
    s ^= (s << 13n) & 0xffffffffffffffffn; s ^= s >> 7n; s ^= (s << 17n) & 0xffffffffffffffffn;
    return s;
  };
}

/** A random program over a0..a7, s2..s7, t0..t4 (s0 = scratch base, never written). */
function randomProgram(xlen: Xlen, seed: bigint, n: number): string {
  const next = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Number(next() % BigInt(a.length))]!;
  const regs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 't0', 't1', 't2', 't3', 't4'];
  const cregs = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 's1'];
  const rops = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
    ...(xlen === 64 ? ['addw', 'subw', 'sllw', 'srlw', 'sraw', 'mulw', 'divw', 'divuw', 'remw', 'remuw'] : [])];
  const iops = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', ...(xlen === 64 ? ['addiw'] : [])];
  const shops = ['slli', 'srli', 'srai', ...(xlen === 64 ? ['slliw', 'srliw', 'sraiw'] : [])];
  const loads = ['lb', 'lbu', 'lh', 'lhu', 'lw', ...(xlen === 64 ? ['lwu', 'ld'] : [])];
  const stores = ['sb', 'sh', 'sw', ...(xlen === 64 ? ['sd'] : [])];
  const interesting = [0n, 1n, -1n, 0x7fffffffn, -0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, -0x8000000000000000n, 31n, 32n, 63n];
  const lines: string[] = [`li s0, ${SCRATCH}`];
  for (const r of [...regs, 's1']) {
    const v = next() % 3n === 0n ? pick(interesting) : next();
    lines.push(`li ${r}, ${BigInt.asIntN(xlen, v)}`);
  }
  let label = 0;
  for (let i = 0; i < n; i++) {
    const k = Number(next() % 100n);
    const rd = pick(regs), a = pick(regs), b = pick(regs);
    const imm = BigInt.asIntN(12, next());
    if (k < 40) lines.push(`${pick(rops)} ${rd}, ${a}, ${b}`);
    else if (k < 55) lines.push(`${pick(iops)} ${rd}, ${a}, ${imm}`);
    else if (k < 63) {
      const op = pick(shops);
      lines.push(`${op} ${rd}, ${a}, ${next() % (op.endsWith('w') || xlen === 32 ? 32n : 64n)}`);
    } else if (k < 66) lines.push(`lui ${rd}, ${next() % 0x100000n}`);
    else if (k < 67) lines.push(`auipc ${rd}, ${next() % 0x100000n}`);
    else if (k < 75) lines.push(`${pick(loads)} ${rd}, ${next() % 2000n}(s0)`);
    else if (k < 82) lines.push(`${pick(stores)} ${a}, ${next() % 2000n}(s0)`);
    else if (k < 90) {
      const c = pick(cregs), c2 = pick(cregs);
      const cimm = BigInt.asIntN(6, next());
      lines.push(pick([
        `c.addi ${c}, ${cimm === 0n ? 1n : cimm}`, `c.li ${c}, ${cimm}`, `c.andi ${c}, ${cimm}`, `c.slli ${c}, ${1n + next() % 31n}`,
        `c.srli ${c}, ${1n + next() % 31n}`, `c.srai ${c}, ${1n + next() % 31n}`, `c.add ${c}, ${c2}`, `c.sub ${c}, ${c2}`,
        `c.xor ${c}, ${c2}`, `c.or ${c}, ${c2}`, `c.and ${c}, ${c2}`, `c.mv ${c}, ${c2}`,
        xlen === 64 ? `c.addw ${c}, ${c2}` : `c.nop`, xlen === 64 ? `c.addiw ${c}, ${cimm}` : `c.nop`,
      ]));
    } else {
      // a forward branch over one to three instructions: splits blocks at data-dependent points
      const l = `r${label++}`;
      lines.push(`${pick(['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'])} ${a}, ${b}, ${l}`);
      const skip = 1 + Number(next() % 3n);
      for (let j = 0; j < skip; j++) lines.push(`${pick(rops)} ${pick(regs)}, ${pick(regs)}, ${pick(regs)}`);
      lines.push(`${l}:`);
    }
  }
  // fold the scratch memory into registers so stores are compared too
  for (let o = 0; o < 2048; o += xlen / 8) lines.push(`${xlen === 64 ? 'ld' : 'lw'} t5, ${o}(s0)`, `xor s8, s8, t5`, `slli t5, s8, 7`, `srli s8, s8, 3`, `add s8, s8, t5`);
  lines.push('csrr s9, minstret', 'dump');
  return lines.join('\n');
}

/** Handler bookkeeping shared by the scenario programs: log (mcause, mtval, minstret, mepc) at 0x80200000. */
const LOG_HANDLER = `
  .align 2
handler:
  csrr t2, mcause
  csrr t3, mtval
  csrr t4, minstret
  li t6, 0x80200000
  add t6, t6, s10
  sw t2, 0(t6)
  sw t3, 4(t6)
  sw t4, 8(t6)
  csrr t2, mepc
  sw t2, 12(t6)
  addi s10, s10, 16
  csrr t3, mcause
  bltz t3, 5f           # interrupt: return to mepc unchanged
  li t4, 1
  bne t3, t4, 3f
  csrw mepc, ra         # fetch fault: back to the caller
  mret
3:
  lhu t3, 0(t2)
  andi t3, t3, 3
  li t4, 3
  addi t2, t2, 2
  bne t3, t4, 4f
  addi t2, t2, 2
4:
  csrw mepc, t2
5:
  mret
`;
/** Load the log back into registers and dump. */
const LOG_DUMP = `
done:
  li t6, 0x80200000
${['a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's11', 'gp', 'tp', 'sp', 't0', 't1', 'ra']
    .map((r, i) => `  lw ${r}, ${i * 4}(t6)`).join('\n')}
  dump
`;

const SCENARIOS = (xlen: Xlen): Record<string, string> => ({
  'traps: ebreak, c.ebreak, access faults, illegal instructions, fetch fault': `
  la t0, handler
  csrw mtvec, t0
  li s10, 0
  ebreak
  c.ebreak
  lw a1, 0(zero)
  sh a1, 6(zero)
  .word 0xffffffff
  .half 0
  .word 0x00052507
  csrw mhartid, zero
  li t0, 0x20000
  jalr ra, 0(t0)
  j done
${LOG_HANDLER}
${LOG_DUMP}`,
  'counters: minstret/mcycle writes and reads, time': `
  li t0, 1000
  csrw minstret, t0
  csrr a0, minstret
  csrw mcycle, t0
  nop
  csrr a1, mcycle
  li t1, 250
1:
  addi t1, t1, -1
  bnez t1, 1b
  rdtime a2
  csrr a3, minstret
  dump`,
  'self-modifying code: patched before fence.i, and in a loop': `
  la t0, p1
  li t1, 0x02a00513       # addi a0, zero, 42
  sw t1, 0(t0)
  fence.i                 # QEMU (no precise SMC on RISC-V) would finish the block with the old code
p1:
  addi a0, zero, 1
  li s2, 0
  la t0, p2
  li t1, 0x06448493       # addi s1, s1, 100
p2:
  addi s1, s1, 1
  addi s2, s2, 1
  li t2, 3
  beq s2, t2, 1f
  sw t1, 0(t0)
  j p2
1:
  csrr a3, minstret
  dump`,
  'interrupts: software interrupt mid-block, timer with wfi, pending timer enabled by csrs': `
  la t0, handler
  csrw mtvec, t0
  li s10, 0
  li s0, 0x2004000
  li t0, 0x8
  csrw mie, t0
  csrsi mstatus, 8
  li t1, 0x2000000
  li t0, 1
  sw t0, 0(t1)            # msip: interrupt before the next instruction
  sw zero, 0(t1)
  addi a0, a0, 1
  sw zero, 4(s0)
  li t0, 9
  sw t0, 0(s0)
  li t0, 0x80
  csrw mie, t0
  wfi
  addi a0, a0, 1
  csrci mstatus, 8
  sw zero, 4(s0)
  sw zero, 0(s0)          # mtimecmp = 0: pending again, but MIE is off
  addi a0, a0, 1
  csrsi mstatus, 8        # taken right after this
  addi a0, a0, 1
  csrci mstatus, 8
  j done
  .align 2
handler:
  csrr t2, mcause
  csrr t3, mepc
  csrr t4, minstret
  li t6, 0x80200000
  add t6, t6, s10
  sw t2, 0(t6)
  sw t3, 4(t6)
  sw t4, 8(t6)
  addi s10, s10, 12
  li t5, -1
  sw t5, 4(s0)            # mtimecmp = far future: lowers MTIP
  li t5, 0x2000000
  sw zero, 0(t5)
  mret
${LOG_DUMP}`,
  'loads and stores at every alignment and across a page': `
  li s0, 0x80302ff9
  li t1, ${xlen === 64 ? '0x8877665544332211' : '0x44332211'}
  li t2, ${xlen === 64 ? '0x0123456789abcdef' : '0x89abcdef'}
  sw t1, 0(s0)
  sh t2, 5(s0)
  sb t2, 8(s0)
  lw a0, 0(s0)
  lh a1, 1(s0)
  lhu a2, 3(s0)
  lbu a3, 7(s0)
  lb a4, 8(s0)
  lw a5, 4(s0)
  addi s0, s0, 7
  sw t2, 0(s0)
  lw a6, -3(s0)
  lhu a7, 1(s0)
  dump`,
});

const XLENS: Xlen[] = [32, 64];

function compare(xlen: Xlen, ours: string, q: QemuResult, what: string): void {
  const a = parseDump(ours), b = parseDump(q.uart);
  const diff = a.flatMap((v, i) => (v === b[i] ? [] : [`${XREG_NAMES[i]}: tracehook 0x${v.toString(16)}, qemu 0x${b[i]!.toString(16)}`]));
  assert.deepEqual(diff, [], `RV${xlen} ${what}`);
}

for (const xlen of XLENS) {
  const skip = qemuPath(xlen) === undefined && `qemu-system-riscv${xlen} not installed`;
  const progs: [string, string][] = [
    ...[1n, 2n, 3n, 4n].map((seed): [string, string] => [`random integer program #${seed}`, randomProgram(xlen, seed * 0x9e3779b97f4a7c15n, 400)]),
    ...Object.entries(SCENARIOS(xlen)),
  ];
  // start every QEMU at once; each test waits for its own
  const qemus = skip ? [] : progs.map(([, src]) => runQemuAsync(xlen, src, { cpu: QEMU_CPU(xlen) }));
  progs.forEach(([name, src], i) => {
    test(`RV${xlen} same registers as QEMU: ${name}`, { skip }, async () => {
      const ours = await runProgram(xlen, src, { allowTrap: true });
      const q = await qemus[i]!;
      assert.equal(ours.code, 0, 'tracehook exit code');
      assert.equal(q.code, 0, 'qemu exit code');
      compare(xlen, ours.uart, q, name);
    });
  });
}
