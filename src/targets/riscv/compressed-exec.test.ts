/**
 * Compressed instructions execute exactly as their 32-bit expansions: every RVC integer
 * instruction is run from the same register and memory state in its `c.` form and in its
 * expanded form, and the resulting registers and memory are compared (and the expansion the
 * decoder uses must be the 32-bit word the assembler gives for it). Control transfers, whose
 * link value differs (pc + 2), are checked on their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './test-support/harness.js';
import { asm, type Xlen } from './test-support/asm.js';
import { expandCompressed } from './compressed.js';

const DATA = 0x80300000n;
const RESULTS = 0x80400000n;

/** [compressed form, expansion] */
function cases(xlen: Xlen): [string, string][] {
  const c: [string, string][] = [
    ['c.addi4spn a0, sp, 16', 'addi a0, sp, 16'],
    ['c.addi4spn s1, sp, 1020', 'addi s1, sp, 1020'],
    ['c.lw a0, 4(a1)', 'lw a0, 4(a1)'],
    ['c.lw s0, 124(a1)', 'lw s0, 124(a1)'],
    ['c.sw a2, 8(a1)', 'sw a2, 8(a1)'],
    ['c.nop', 'addi zero, zero, 0'],
    ['c.addi a0, -32', 'addi a0, a0, -32'],
    ['c.addi t0, 31', 'addi t0, t0, 31'],
    ['c.li a0, -1', 'addi a0, zero, -1'],
    ['c.li ra, 17', 'addi ra, zero, 17'],
    ['c.addi16sp sp, -64', 'addi sp, sp, -64'],
    ['c.addi16sp sp, 496', 'addi sp, sp, 496'],
    ['c.lui a0, 0xfffe1', 'lui a0, 0xfffe1'],
    ['c.lui t0, 31', 'lui t0, 31'],
    ['c.srli a0, 3', 'srli a0, a0, 3'],
    ['c.srai a3, 7', 'srai a3, a3, 7'],
    ['c.andi a0, -2', 'andi a0, a0, -2'],
    ['c.andi s0, 21', 'andi s0, s0, 21'],
    ['c.sub a0, a1', 'sub a0, a0, a1'],
    ['c.xor a4, a5', 'xor a4, a4, a5'],
    ['c.or s1, a2', 'or s1, s1, a2'],
    ['c.and a0, a3', 'and a0, a0, a3'],
    ['c.slli a0, 13', 'slli a0, a0, 13'],
    ['c.slli ra, 1', 'slli ra, ra, 1'],
    ['c.lwsp a0, 12(sp)', 'lw a0, 12(sp)'],
    ['c.lwsp t0, 252(sp)', 'lw t0, 252(sp)'],
    ['c.swsp a2, 28(sp)', 'sw a2, 28(sp)'],
    ['c.mv a0, a2', 'add a0, zero, a2'],
    ['c.mv t0, ra', 'add t0, zero, ra'],
    ['c.add a0, a2', 'add a0, a0, a2'],
    ['c.add sp, a0', 'add sp, sp, a0'],
  ];
  if (xlen === 64) {
    c.push(
      ['c.ld a0, 8(a1)', 'ld a0, 8(a1)'],
      ['c.ld s1, 248(a1)', 'ld s1, 248(a1)'],
      ['c.sd a2, 16(a1)', 'sd a2, 16(a1)'],
      ['c.addiw a0, 31', 'addiw a0, a0, 31'],
      ['c.addiw t0, -1', 'addiw t0, t0, -1'],
      ['c.addiw a2, 0', 'addiw a2, a2, 0'],
      ['c.srli a0, 63', 'srli a0, a0, 63'],
      ['c.srai a0, 32', 'srai a0, a0, 32'],
      ['c.slli a0, 40', 'slli a0, a0, 40'],
      ['c.subw a0, a1', 'subw a0, a0, a1'],
      ['c.addw a4, a5', 'addw a4, a4, a5'],
      ['c.ldsp a0, 24(sp)', 'ld a0, 24(sp)'],
      ['c.ldsp ra, 504(sp)', 'ld ra, 504(sp)'],
      ['c.sdsp a2, 32(sp)', 'sd a2, 32(sp)'],
    );
  }
  return c;
}

const INIT_REGS = ['ra', 't0', 's0', 's1', 'a0', 'a2', 'a3', 'a4', 'a5'];

/** One program running every case from a fresh state and saving x1..x30 after each. */
function program(xlen: Xlen, insns: string[]): string {
  const st = xlen === 64 ? 'sd' : 'sw', w = xlen / 8;
  return insns.map((insn, i) => {
    const init = INIT_REGS.map((r, j) => {
      const v = BigInt.asIntN(xlen, 0x0123456789abcdefn * BigInt(j + 3) + BigInt(i) * 0x10001n ^ (BigInt(j) << 60n));
      return `li ${r}, ${v}`;
    });
    const save = Array.from({ length: 30 }, (_, r) => `${st} x${r + 1}, ${(r + 1) * w}(t6)`);
    return [
      ...init,
      `li a1, ${DATA + BigInt(i) * 0x200n}`,
      `li sp, ${DATA + 0x10000n + BigInt(i) * 0x200n}`,
      insn,
      `li t6, ${RESULTS + BigInt(i) * 0x100n}`,
      ...save,
    ].join('\n');
  }).join('\n') + '\nexit';
}

for (const xlen of [32, 64] as const) {
  test(`RV${xlen} the decoder expands each c. instruction to the assembler's 32-bit form`, () => {
    for (const [c, full] of cases(xlen)) {
      const half = new DataView(asm(xlen, c).buffer).getUint16(0, true);
      const word = new DataView(asm(xlen, full).buffer).getUint32(0, true);
      assert.equal(expandCompressed(half, xlen) >>> 0, word, `${c} (0x${half.toString(16)})`);
    }
  });

  test(`RV${xlen} every compressed integer instruction leaves the same registers and memory as its expansion`, async () => {
    const cs = cases(xlen);
    const fill = Uint8Array.from({ length: 0x20000 }, (_, i) => (i * 0x9d + (i >> 8) * 0x31 + 0x80) & 0xff);
    const setup = (m: { bus: { load(a: number, d: Uint8Array): void } }): void => m.bus.load(Number(DATA), fill);
    const rc = await runProgram(xlen, program(xlen, cs.map(([c]) => c)), { setup });
    const rf = await runProgram(xlen, program(xlen, cs.map(([, f]) => f)), { setup });
    cs.forEach(([c, f], i) => {
      const a = rc.mem(RESULTS + BigInt(i) * 0x100n, 31 * (xlen / 8));
      const b = rf.mem(RESULTS + BigInt(i) * 0x100n, 31 * (xlen / 8));
      assert.deepEqual(a, b, `registers after ${c} vs ${f}`);
      // the case really ran: the saved a1 (x11) is its base address
      assert.equal(rc.load(RESULTS + BigInt(i) * 0x100n + BigInt(11 * (xlen / 8)), (xlen / 8) as 4 | 8), DATA + BigInt(i) * 0x200n);
    });
    assert.deepEqual(rc.mem(DATA, 0x20000), rf.mem(DATA, 0x20000), 'memory');
  });

  test(`RV${xlen} c.j, c.jr, c.jalr${xlen === 32 ? ', c.jal' : ''}, c.beqz and c.bnez: targets and pc + 2 links`, async () => {
    const r = await runProgram(xlen, `
      li a0, 0
      li a1, 0
      c.j 1f
      li a0, 0x99
    1:
      la t0, f1
      c.jalr t0
    ret1:
      la t1, f2
      c.jr t1
      li a0, 0x98
    f2:
      ${xlen === 32 ? 'c.jal f3' : 'jal ra, f3'}
    ret3:
      li s0, 0
      c.beqz s0, 2f
      li a0, 0x97
    2:
      c.bnez s0, 3f
      li s1, 5
      c.bnez s1, 4f
    3:
      li a0, 0x96
    4:
      exit
    f1:
      mv s2, ra
      c.jr ra
    f3:
      mv s3, ra
      ret
    `);
    assert.equal(r.x('a0'), 0n);
    assert.equal(r.x('s2'), r.label('ret1'), 'c.jalr links pc + 2');
    assert.equal(r.x('s3'), r.label('ret3'));
  });

  test(`RV${xlen} mixed 16/32-bit code: a 32-bit instruction at a 2 mod 4 address, and one across a page boundary`, async () => {
    // 0x80000ffe: a 4-byte instruction straddling two pages
    const r = await runProgram(xlen, `
      c.li a0, 1
      li a1, 0x12345
      add a2, a0, a1
      j cross
      .space 0x80000ffe - .
    cross:
      addi a3, a2, 1      # at 0x80000ffe..0x80001001
      c.addi a3, 1
      exit
    `);
    assert.equal(r.label('cross') % 0x1000n, 0xffen);
    assert.equal(r.x('a2'), 0x12346n);
    assert.equal(r.x('a3'), 0x12348n);
  });
}
