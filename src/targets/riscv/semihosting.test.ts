/**
 * Semihosting privilege: QEMU 7.2 services the `slli; ebreak; srai` sequence only outside U-mode
 * unless `-semihosting-config userspace=on` (trans_ebreak: semihosting_enabled(mem_idx < PRV_S));
 * from U-mode it is otherwise the plain breakpoint exception it encodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram, type Xlen } from './test-support/harness.js';

const program = `
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f          # PMP entry 0: NAPOT over everything, RWX (U-mode may run and read)
  csrw pmpcfg0, t0
  la t0, user
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0     # MPP = U
  mret
user:
  li a0, 3             # SYS_WRITEC
  la a1, ch
  .option push
  .option norvc
  slli zero, zero, 0x1f
  ebreak
  srai zero, zero, 7
  .option pop
  ecall                # back to M: the harness' trap handler ends the run
ch:
  .byte 0x55
  .balign 4
`;

for (const xlen of [32, 64] as Xlen[]) {
  test(`RV${xlen} semihosting from U-mode is a breakpoint unless userspace=on, then it is serviced`, async () => {
    let out = '';
    const plain = await runProgram(xlen, program, { allowTrap: true, semihosting: { out: (b) => { out += Buffer.from(b).toString(); } } });
    assert.equal(plain.hart.mcause, 3n, 'breakpoint');
    assert.equal(out, '');
    const user = await runProgram(xlen, program, { allowTrap: true, semihosting: { userspace: true, out: (b) => { out += Buffer.from(b).toString(); } } });
    assert.equal(user.hart.mcause, 8n, 'the ecall after it');
    assert.equal(out, 'U');
  });
}
