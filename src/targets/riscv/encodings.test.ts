import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENCODINGS, decode, parsePattern, rd, rs1, rs2, rs3, funct3, funct7, immI, immS, immB, immU, immJ,
  csrAddr, csrImm, shamt, rm, aqrl, pred, succ, fm, type Encoding,
} from './encodings.js';

const XLENS = [32, 64] as const;
const forXlen = (xlen: 32 | 64): Encoding[] => ENCODINGS.filter((e) => e.xlen === undefined || e.xlen === xlen);

test('every encoding is well formed', () => {
  for (const e of ENCODINGS) {
    assert.ok(Number.isInteger(e.mask) && e.mask >= 0 && e.mask <= 0xffffffff, e.name);
    assert.ok(Number.isInteger(e.match) && e.match >= 0 && e.match <= 0xffffffff, e.name);
    assert.equal((e.match & ~e.mask) >>> 0, 0, `${e.name}: match has bits outside its mask`);
    assert.equal(e.mask & 0x7f, 0x7f, `${e.name}: opcode not fully fixed`);
    assert.equal(e.match & 3, 3, `${e.name}: not a 32-bit encoding`);
    assert.ok(['I', 'M', 'A', 'F', 'D', 'Zicsr', 'Zifencei', 'Priv', 'Zba', 'Zbb', 'Zbc', 'Zbs'].includes(e.ext), e.name);
    assert.equal(e.hasRm === true, (e.ext === 'F' || e.ext === 'D') && (e.mask & 0x7000) === 0, `${e.name}: hasRm`);
  }
});

test('no two encodings overlap for the same XLEN', () => {
  for (const xlen of XLENS) {
    const es = forXlen(xlen);
    for (let i = 0; i < es.length; i++) {
      for (let j = i + 1; j < es.length; j++) {
        const a = es[i]!;
        const b = es[j]!;
        const common = a.mask & b.mask;
        assert.notEqual(((a.match ^ b.match) & common) >>> 0, 0, `rv${xlen}: ${a.name} overlaps ${b.name}`);
      }
    }
  }
});

test('each name appears once per XLEN and the table has the expected size', () => {
  for (const xlen of XLENS) {
    const names = forXlen(xlen).map((e) => e.name);
    assert.equal(new Set(names).size, names.length, `rv${xlen}: duplicate names`);
  }
  assert.equal(ENCODINGS.length, 213); // 203 mnemonics; slli/srli/srai/rori/bclri/bexti/binvi/bseti/rev8/zext.h have one entry per XLEN
  assert.equal(forXlen(32).length, 154);
  assert.equal(forXlen(64).length, 203);
  const byExt = (x: string): number => ENCODINGS.filter((e) => e.ext === x).length;
  assert.deepEqual(
    { I: byExt('I'), M: byExt('M'), A: byExt('A'), F: byExt('F'), D: byExt('D'), Zicsr: byExt('Zicsr'), Zifencei: byExt('Zifencei'), Priv: byExt('Priv'),
      Zba: byExt('Zba'), Zbb: byExt('Zbb'), Zbc: byExt('Zbc'), Zbs: byExt('Zbs') },
    { I: 55, M: 13, A: 22, F: 30, D: 32, Zicsr: 6, Zifencei: 1, Priv: 4, Zba: 8, Zbb: 27, Zbc: 3, Zbs: 12 },
  );
});

test('decode finds every encoding from its match value', () => {
  for (const xlen of XLENS) for (const e of forXlen(xlen)) assert.equal(decode(e.match, xlen), e, `rv${xlen} ${e.name}`);
});

test('decode: XLEN-specific and reserved encodings', () => {
  const name = (w: number, xlen: 32 | 64): string | undefined => decode(w, xlen)?.name;
  assert.equal(name(0x00b50533, 64), 'add');
  assert.equal(name(0x0005851b, 32), undefined); // addiw
  assert.equal(name(0x0005851b, 64), 'addiw');
  assert.equal(name(0x02059513, 32), undefined); // slli a0,a1,32
  assert.equal(name(0x02059513, 64), 'slli');
  assert.equal(name(0x04059513, 64), undefined); // slli with bit 26 set
  assert.equal(name(0x4205d513, 64), 'srai'); // srai a0,a1,32
  assert.equal(name(0x4205d513, 32), undefined);
  assert.equal(name(0x0205951b, 64), undefined); // slliw with shamt[5]
  assert.equal(name(0x42b50533, 64), undefined); // sub with a stray funct7 bit
  assert.equal(name(0x1035a52f, 64), undefined); // lr.w with rs2 != 0
  assert.equal(name(0x1605a52f, 32), 'lr.w'); // lr.w.aqrl
  assert.equal(name(0x1605b52f, 32), undefined); // lr.d on RV32
  assert.equal(name(0x8330000f, 64), 'fence'); // fence.tso
  assert.equal(name(0x0100000f, 64), 'fence'); // pause
  assert.equal(name(0x8ff5050f, 64), 'fence'); // any fm/rs1/rd
  assert.equal(name(0x0000100f, 64), 'fence.i');
  assert.equal(name(0xfff5150f, 64), 'fence.i');
  assert.equal(name(0x0000200f, 64), undefined); // MISC-MEM funct3=010 (cbo.inval: QEMU 7.2 has no Zicbom)
  assert.equal(name(0x00000073, 64), 'ecall');
  assert.equal(name(0x00100073, 64), 'ebreak');
  assert.equal(name(0x30200073, 64), 'mret');
  assert.equal(name(0x10200073, 64), 'sret');
  assert.equal(name(0x10500073, 64), 'wfi');
  assert.equal(name(0x12b50073, 64), 'sfence.vma');
  assert.equal(name(0x12b50873, 64), undefined); // sfence.vma with rd != 0
  assert.equal(name(0x00200073, 64), undefined); // uret
  assert.equal(name(0x7b200073, 64), undefined); // dret
  assert.equal(name(0x10400073, 64), undefined); // sfence.vm
  assert.equal(name(0x00004073, 64), undefined); // SYSTEM funct3=100 (hypervisor loads)
  assert.equal(name(0xc0001073, 64), 'csrrw'); // unimp = csrw cycle,zero: CSR checks happen at run time
  assert.equal(name(0x00009067, 64), undefined); // jalr funct3=001
  assert.equal(name(0x0000a063, 64), undefined); // branch funct3=010
  assert.equal(name(0x0045e503, 64), 'lwu');
  assert.equal(name(0x0045f503, 64), undefined); // load funct3=111
});

test('decode: rounding modes 5 and 6 are illegal, 7 (dynamic) is accepted', () => {
  for (let r = 0; r < 8; r++) {
    const fadd = (0x00c58553 | (r << 12)) >>> 0;
    const fcvtds = (0x42058553 | (r << 12)) >>> 0;
    const fmadd = (0x68c58543 | (r << 12)) >>> 0;
    const ok = r !== 5 && r !== 6;
    assert.equal(decode(fadd, 64)?.name, ok ? 'fadd.s' : undefined, `fadd.s rm=${r}`);
    assert.equal(decode(fcvtds, 32)?.name, ok ? 'fcvt.d.s' : undefined, `fcvt.d.s rm=${r}`);
    assert.equal(decode(fmadd, 64)?.name, ok ? 'fmadd.s' : undefined, `fmadd.s rm=${r}`);
  }
  assert.equal(decode(0x00c5a553 | 0, 64)?.name, 'fadd.s'); // rm=2
  assert.equal(decode(0x20c59553, 64)?.name, 'fsgnjn.s'); // funct3 is an opcode field here
  assert.equal(decode(0x20c5d553, 64), undefined);
});

test('field extractors', () => {
  // add a0,a1,a2 ; fmadd.d fa0,fa1,fa2,fa3,rtz
  assert.deepEqual([rd(0x00c58533), rs1(0x00c58533), rs2(0x00c58533), funct3(0x00c58533), funct7(0x40c58533)], [10, 11, 12, 0, 0x20]);
  assert.deepEqual([rs3(0x6ac59543), rm(0x6ac59543)], [13, 1]);
  assert.equal(immI(0x80058513), -2048); // addi a0,a1,-2048
  assert.equal(immI(0x7ff58513), 2047);
  assert.equal(immS(0xfea53e23), -4); // sd a0,-4(a0) style
  assert.equal(immS(0x7ea5bfa3), 2047);
  assert.equal(immB(0xfab50ce3), -72); // beq a0,a1,.-72
  assert.equal(immB(0x04050063), 64);
  assert.equal(immB(0x80000063), -4096);
  assert.equal(immU(0x12345537), 0x12345000);
  assert.equal(immU(0xfffff537), -4096);
  assert.equal(immJ(0xfedff06f), -20);
  assert.equal(immJ(0x0700056f), 112);
  assert.equal(immJ(0x800000ef), -(1 << 20));
  assert.equal(csrAddr(0x30002573), 0x300);
  assert.equal(csrAddr(0xf1402573), 0xf14);
  assert.equal(csrImm(0x3002d073), 5);
  assert.equal(shamt(0x03f59513, 64), 63);
  assert.equal(shamt(0x01f59513, 32), 31);
  assert.equal(shamt(0x0035951b, 64), 3); // slliw: 5-bit
  assert.equal(aqrl(0x1605a52f), 3);
  assert.equal(aqrl(0x1405a52f), 2);
  assert.deepEqual([pred(0x0210000f), succ(0x0210000f), fm(0x8330000f)], [2, 1, 8]);
});

test('parsePattern rejects malformed patterns', () => {
  assert.deepEqual(parsePattern('0000000 ..... ..... 000 ..... 0110011'), { mask: 0xfe00707f, match: 0x33 });
  assert.throws(() => parsePattern('0000000 ..... ..... 000 ..... 011001'));
  assert.throws(() => parsePattern('0000000 ..... ..... 000 ..... 011001x'));
});
