import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify16, classify32, isCall, isReturn, itypeForInstr } from './classify.js';
import { ITYPE } from './ingress.js';
import { CONFIGS, GUESTS, loadImage, loadRows } from './test-support/golden.js';

test('classifier decodes jumps, branches and system instructions (RV32 and RV64 C forms)', () => {
  assert.deepEqual(classify32(0xfedff0ef), { kind: 'jal', size: 4, imm: -0x14, rd: 1, rs1: 0, name: 'jal' });
  assert.equal(classify32(0x00e7cb63).imm, 0x16); // blt a5,a4,.+0x16
  assert.equal(classify32(0x30200073).kind, 'xret');
  assert.equal(classify16(0x8082, 64).name, 'c.jr'); // ret
  assert.ok(isReturn(classify16(0x8082, 64)));
  assert.ok(isCall(classify16(0x9782, 64))); // c.jalr a5
  assert.equal(classify16(0x2001, 32).name, 'c.jal');
  assert.equal(classify16(0x2001, 64).kind, 'other'); // c.addiw on RV64
  assert.equal(classify16(0x9002, 64).kind, 'ebreak');
  assert.equal(classify16(0xf87d, 64).imm, -0xa); // c.bnez s0,.-10
});

for (const c of CONFIGS) {
  test(`itypes derived from the ELF match every golden ${c} row (itype width ${c === 'a' ? 3 : 4})`, () => {
    for (const g of GUESTS) {
      const image = loadImage(g);
      const rows = loadRows(g, c);
      rows.forEach((r, i) => {
        if (r.itype === ITYPE.exception || r.itype === ITYPE.interrupt) return;
        const next = rows[i + 1];
        const instr = image.instrAt(r.iaddr);
        const taken = next !== undefined && next.iaddr !== r.iaddr + BigInt(instr.size);
        assert.equal(itypeForInstr(instr, c === 'a' ? 3 : 4, taken), r.itype, `${g}/${c} row ${i + 2} at ${r.iaddr.toString(16)}`);
      });
    }
  });
}
