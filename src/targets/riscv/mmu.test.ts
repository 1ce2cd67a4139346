/**
 * Virtual memory: Sv39 (RV64) and Sv32 (RV32) page tables built by the guest, S-mode accesses
 * through them (inline TLB fast path and slow path), A/D bits set in hardware, page faults with
 * the faulting address in mtval, superpages, SUM, and sfence.vma after a remap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from './test-support/harness.js';

const ROOT = 0x80200000n, L1 = 0x80201000n, L0 = 0x80202000n, DATA = 0x80300000n, DATA2 = 0x80301000n;
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n;

/** A handler (M-mode) that records mcause/mepc/mtval in s8..s10 and stops. */
const RECORD = `
  .align 2
handler:
  csrr s8, mcause
  csrr s9, mepc
  csrr s10, mtval
  exit
`;

function pte(pa: bigint, flags: bigint): bigint { return ((pa >> 12n) << 10n) | flags; }

/** Page tables for RV64 Sv39: RAM and the low devices identity-mapped by 1 GiB superpages,
 * 0x40000000 mapped by 4 KiB pages: page 0 → DATA (R/W, A but not D), page 1 invalid, page 2 → DATA2 user. */
function sv39Setup(): string {
  const st = (addr: bigint, v: bigint): string => `li t0, ${addr}\n  li t1, ${v}\n  sd t1, 0(t0)`;
  return [
    'li t0, -1', 'csrw pmpaddr0, t0', 'li t0, 0x1f', 'csrw pmpcfg0, t0',
    'la t0, handler', 'csrw mtvec, t0',
    st(ROOT + 0n * 8n, pte(0n, V | R | W | A | D)),
    st(ROOT + 2n * 8n, pte(0x80000000n, V | R | W | X | A | D)),
    st(ROOT + 1n * 8n, pte(L1, V)),
    st(L1, pte(L0, V)),
    st(L0 + 0n * 8n, pte(DATA, V | R | W | A)),
    st(L0 + 2n * 8n, pte(DATA2, V | R | W | U | A | D)),
    `li t0, ${(8n << 60n) | (ROOT >> 12n)}`, 'csrw satp, t0', 'sfence.vma',
    'li t0, 0x1800', 'csrc mstatus, t0', 'li t0, 0x800', 'csrs mstatus, t0', // MPP = S
    'la t0, smode', 'csrw mepc, t0', 'mret',
  ].join('\n  ');
}

test('RV64 Sv39: S-mode stores and loads through a 4 KiB mapping reach the mapped physical page, and set D', async () => {
  const r = await runProgram(64, `
    ${sv39Setup()}
  smode:
    li s0, 0x40000000
    li t0, 0x1234
    sd t0, 8(s0)          # first write: walk sets D
    ld a1, 8(s0)
    sd t0, 16(s0)         # now cached for writes
    lw a2, 16(s0)
    li t1, 0
  loop:                   # a loop so the block runs from the inline TLB path
    addi t1, t1, 1
    sw t1, 24(s0)
    lw a3, 24(s0)
    li t2, 100
    bne t1, t2, loop
    exit
  ${RECORD}`);
  assert.equal(r.x('a1'), 0x1234n);
  assert.equal(r.x('a2'), 0x1234n);
  assert.equal(r.x('a3'), 100n);
  assert.equal(r.load(DATA + 8n, 8), 0x1234n);
  assert.equal(r.load(DATA + 24n, 4), 100n);
  assert.equal(r.load(L0, 8) & (A | D), A | D, 'A and D set in the leaf PTE');
});

test('RV64 Sv39: a load from an invalid page is a load page fault with the virtual address in mtval', async () => {
  const r = await runProgram(64, `
    ${sv39Setup()}
  smode:
    li s0, 0x40001008
  at:
    ld a1, 0(s0)
    exit
  ${RECORD}`);
  assert.equal(r.x('s8'), 13n);
  assert.equal(r.x('s9'), r.label('at'));
  assert.equal(r.x('s10'), 0x40001008n);
});

test('RV64 Sv39: S-mode may not touch a user page without SUM, and may with it', async () => {
  const r = await runProgram(64, `
    ${sv39Setup()}
  smode:
    li s0, 0x40002000
    li t0, 0x40000
    csrs sstatus, t0      # SUM
    li t0, 77
    sd t0, 0(s0)
    ld a1, 0(s0)
    li t0, 0x40000
    csrc sstatus, t0
  at:
    ld a2, 0(s0)
    exit
  ${RECORD}`);
  assert.equal(r.x('a1'), 77n);
  assert.equal(r.x('s8'), 13n);
  assert.equal(r.x('s9'), r.label('at'));
  assert.equal(r.x('s10'), 0x40002000n);
});

test('RV64 Sv39: a store to a read-only page is a store page fault; a fetch from a non-executable page an instruction page fault', async () => {
  const st = await runProgram(64, `
    ${sv39Setup().replace(`li t1, ${pte(DATA, V | R | W | A)}`, `li t1, ${pte(DATA, V | R | A)}`)}
  smode:
    li s0, 0x40000000
  at:
    sd s0, 0(s0)
    exit
  ${RECORD}`);
  assert.equal(st.x('s8'), 15n);
  assert.equal(st.x('s10'), 0x40000000n);
  const fx = await runProgram(64, `
    ${sv39Setup()}
  smode:
    li s0, 0x40000000
    jr s0
  ${RECORD}`);
  assert.equal(fx.x('s8'), 12n);
  assert.equal(fx.x('s9'), 0x40000000n);
  assert.equal(fx.x('s10'), 0x40000000n);
});

test('RV64 Sv39: after remapping a page and sfence.vma, accesses see the new page', async () => {
  const r = await runProgram(64, `
    ${sv39Setup()}
  smode:
    li s0, 0x40000000
    li t0, 11
    sd t0, 0(s0)           # DATA
    li t1, ${L0}
    li t2, ${pte(DATA2, V | R | W | A | D)}
    sd t2, 0(t1)           # remap page 0 to DATA2 (identity superpage covers the table)
    sfence.vma
    li t0, 22
    sd t0, 0(s0)           # DATA2
    exit
  ${RECORD}`);
  assert.equal(r.load(DATA, 8), 11n);
  assert.equal(r.load(DATA2, 8), 22n);
});

test('RV32 Sv32: S-mode accesses through a 4 KiB page and a 4 MiB superpage; invalid page faults', async () => {
  const ROOT32 = 0x80200000n, L0_32 = 0x80201000n;
  const sw = (addr: bigint, v: bigint): string => `li t0, ${addr}\n  li t1, ${v}\n  sw t1, 0(t0)`;
  const setup = [
    'li t0, -1', 'csrw pmpaddr0, t0', 'li t0, 0x1f', 'csrw pmpcfg0, t0',
    'la t0, handler', 'csrw mtvec, t0',
    sw(ROOT32 + 0n * 4n, pte(0n, V | R | W | A | D)),                     // 0..4 MiB devices
    sw(ROOT32 + 0x200n * 4n, pte(0x80000000n, V | R | W | X | A | D)),    // 0x80000000 4 MiB superpage
    sw(ROOT32 + 0x100n * 4n, pte(L0_32, V)),                               // 0x40000000 → table
    sw(L0_32, pte(DATA, V | R | W | A | D)),
    `li t0, ${(1n << 31n) | (ROOT32 >> 12n)}`, 'csrw satp, t0', 'sfence.vma',
    'li t0, 0x1800', 'csrc mstatus, t0', 'li t0, 0x800', 'csrs mstatus, t0',
    'la t0, smode', 'csrw mepc, t0', 'mret',
  ].join('\n  ');
  const r = await runProgram(32, `
    ${setup}
  smode:
    li s0, 0x40000000
    li t0, 0x5678
    sw t0, 4(s0)
    lw a1, 4(s0)
    li s1, 0x40001000
  at:
    lw a2, 0(s1)
    exit
  ${RECORD}`);
  assert.equal(r.x('a1'), 0x5678n);
  assert.equal(r.load(DATA + 4n, 4), 0x5678n);
  assert.equal(r.x('s8'), 13n);
  assert.equal(r.x('s10'), 0x40001000n);
});
