import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandCompressed, isCompressed } from './compressed.js';
import { decode } from './encodings.js';
import { disassemble } from './disasm.js';

test('isCompressed', () => {
  assert.equal(isCompressed(0x0000), true);
  assert.equal(isCompressed(0x4505), true);
  assert.equal(isCompressed(0x8082), true);
  assert.equal(isCompressed(0x0513), false);
  assert.equal(isCompressed(0xffff), false);
});

test('expansions of representative instructions', () => {
  const cases: [number, 32 | 64, number, string][] = [
    [0x0028, 64, 0x00810513, 'c.addi4spn a0,sp,8 -> addi a0,sp,8'],
    [0x41c8, 64, 0x0045a503, 'c.lw a0,4(a1)'],
    [0x6588, 64, 0x0085b503, 'c.ld a0,8(a1)'],
    [0x6588, 32, 0x0085a507, 'c.flw fa0,8(a1) on RV32'],
    [0x2588, 64, 0x0085b507, 'c.fld fa0,8(a1)'],
    [0xc1c8, 64, 0x00a5a223, 'c.sw a0,4(a1)'],
    [0xe188, 64, 0x00a5b023, 'c.sd a0,0(a1)'],
    [0xa188, 64, 0x00a5b027, 'c.fsd fa0,0(a1)'],
    [0x0001, 64, 0x00000013, 'c.nop'],
    [0x157d, 64, 0xfff50513, 'c.addi a0,-1'],
    [0x250d, 64, 0x0035051b, 'c.addiw a0,3'],
    [0x2501, 64, 0x0005051b, 'c.addiw a0,0 (sext.w)'],
    [0x2501, 32, 0x600000ef, 'c.jal .+0x600 on RV32'],
    [0x4505, 64, 0x00100513, 'c.li a0,1'],
    [0x6105, 64, 0x02010113, 'c.addi16sp sp,32'],
    [0x7101, 64, 0xe0010113, 'c.addi16sp sp,-512'],
    [0x6505, 64, 0x00001537, 'c.lui a0,1'],
    [0x7505, 64, 0xfffe1537, 'c.lui a0,0xfffe1'],
    [0x8105, 64, 0x00155513, 'c.srli a0,1'],
    [0x9105, 64, 0x02155513, 'c.srli a0,33'],
    [0x8505, 64, 0x40155513, 'c.srai a0,1'],
    [0x890d, 64, 0x00357513, 'c.andi a0,3'],
    [0x8d0d, 64, 0x40b50533, 'c.sub a0,a1'],
    [0x8d2d, 64, 0x00b54533, 'c.xor a0,a1'],
    [0x8d4d, 64, 0x00b56533, 'c.or a0,a1'],
    [0x8d6d, 64, 0x00b57533, 'c.and a0,a1'],
    [0x9d0d, 64, 0x40b5053b, 'c.subw a0,a1'],
    [0x9d2d, 64, 0x00b5053b, 'c.addw a0,a1'],
    [0xb7bd, 64, 0xf6fff06f, 'c.j .-146'],
    [0xc101, 64, 0x00050063, 'c.beqz a0,.'],
    [0xe501, 64, 0x00051463, 'c.bnez a0,.+8'],
    [0x050a, 64, 0x00251513, 'c.slli a0,2'],
    [0x4512, 64, 0x00412503, 'c.lwsp a0,4(sp)'],
    [0x6522, 64, 0x00813503, 'c.ldsp a0,8(sp)'],
    [0x6522, 32, 0x00812507, 'c.flwsp fa0,8(sp) on RV32'],
    [0x2522, 64, 0x00813507, 'c.fldsp fa0,8(sp)'],
    [0x8502, 64, 0x00050067, 'c.jr a0'],
    [0x8082, 64, 0x00008067, 'c.jr ra (ret)'],
    [0x852e, 64, 0x00b00533, 'c.mv a0,a1 -> add a0,zero,a1'],
    [0x9002, 64, 0x00100073, 'c.ebreak'],
    [0x9502, 64, 0x000500e7, 'c.jalr a0'],
    [0x952e, 64, 0x00b50533, 'c.add a0,a1'],
    [0xc22a, 64, 0x00a12223, 'c.swsp a0,4(sp)'],
    [0xe42a, 64, 0x00a13423, 'c.sdsp a0,8(sp)'],
    [0xe42a, 32, 0x00a12427, 'c.fswsp fa0,8(sp) on RV32'],
    [0xa42a, 64, 0x00a13427, 'c.fsdsp fa0,8(sp)'],
    // HINTs are legal
    [0x000d, 64, 0x00300013, 'c.nop 3'],
    [0x4015, 64, 0x00500013, 'c.li zero,5'],
    [0x6005, 32, 0x00001037, 'c.lui zero,1'],
    [0x802e, 64, 0x00b00033, 'c.mv zero,a1'],
    [0x902e, 64, 0x00b00033, 'c.add zero,a1'],
    [0x000e, 64, 0x00301013, 'c.slli zero,3'],
    [0x0502, 64, 0x00051513, 'c.slli64 a0'],
    [0x8001, 64, 0x00045413, 'c.srli64 s0'],
    [0x0501, 64, 0x00050513, 'c.addi a0,0'],
    [0x6002, 32, 0x00012007, 'c.flwsp ft0,0(sp)'],
  ];
  for (const [h, xlen, want, what] of cases) {
    assert.equal(expandCompressed(h, xlen).toString(16), want.toString(16), what);
    assert.ok(decode(want, xlen), `${what}: expansion decodes`);
  }
});

test('reserved and illegal encodings expand to 0', () => {
  const cases: [number, 32 | 64, string][] = [
    [0x0000, 64, 'all zero'],
    [0x0000, 32, 'all zero'],
    [0x0004, 64, 'c.addi4spn nzuimm=0'],
    [0x001c, 32, 'c.addi4spn nzuimm=0, rd=a5'],
    [0x8000, 64, 'quadrant 0 funct3=100'],
    [0x9c41, 64, 'quadrant 1 reserved'],
    [0x9c61, 32, 'quadrant 1 reserved'],
    [0x6101, 64, 'c.addi16sp imm=0'],
    [0x6501, 64, 'c.lui a0,0'],
    [0x6001, 64, 'c.lui zero,0'],
    [0x4002, 64, 'c.lwsp zero'],
    [0x6002, 64, 'c.ldsp zero'],
    [0x8002, 64, 'c.jr zero'],
    [0x2001, 64, 'c.addiw zero'],
    [0x2005, 64, 'c.addiw zero,1'],
    [0x1506, 32, 'c.slli shamt[5] on RV32'],
    [0x9105, 32, 'c.srli shamt[5] on RV32'],
    [0x9505, 32, 'c.srai shamt[5] on RV32'],
    [0x9d0d, 32, 'c.subw on RV32'],
    [0x9d2d, 32, 'c.addw on RV32'],
    [0x0513, 64, 'not compressed'],
  ];
  for (const [h, xlen, what] of cases) assert.equal(expandCompressed(h, xlen), 0, what);
});

/** Objdump spells some compressed forms differently from their 32-bit expansion; map those to the 32-bit spelling. */
function canonical(s: string): string {
  const [m, ops = ''] = s.split('\t');
  const a = ops.split(',');
  switch (m) {
    case 'c.slli64': return `sll\t${a[0]},${a[0]},0x0`;
    case 'c.srli64': return `srl\t${a[0]},${a[0]},0x0`;
    case 'c.srai64': return `sra\t${a[0]},${a[0]},0x0`;
    case 'c.nop': return `li\tzero,${a[0]}`;
    case 'c.slli': return `sll\tzero,zero,${a[1]}`;
    case 'c.li': return a[1] === '0' ? 'nop' : `li\tzero,${a[1]}`;
    case 'c.lui': return `lui\tzero,${a[1]}`;
    case 'c.mv': case 'c.add': return `add\tzero,zero,${a[1]}`;
    case 'mv': return `add\t${a[0]},zero,${a[1]}`; // c.mv expands to add rd,x0,rs2
    case 'add': return a[2] === '0' ? `mv\t${a[0]},${a[1]}` : s; // c.addi rd,0
    default: return s;
  }
}

test('every legal 16-bit encoding expands to an equivalent, decodable instruction', () => {
  for (const xlen of [32, 64] as const) {
    const bad: string[] = [];
    let legal = 0;
    for (let h = 0; h < 0x10000; h++) {
      if (!isCompressed(h)) continue;
      const w = expandCompressed(h, xlen);
      if (w === 0) continue;
      legal++;
      if (!decode(w, xlen)) bad.push(`${h.toString(16)}: undecodable ${w.toString(16)}`);
      const c = disassemble(h, 2, xlen, 0x1000n);
      const e = disassemble(w, 4, xlen, 0x1000n);
      if (canonical(c) !== e && c !== e) bad.push(`${h.toString(16)}: ${c} vs ${e}`);
    }
    assert.deepEqual(bad.slice(0, 10), [], `rv${xlen}: ${bad.length} bad expansions`);
    assert.equal(legal, xlen === 64 ? 46743 : 45207);
  }
});
