/**
 * The test assembler: hand-checked encodings, labels and expressions, `li` sequences checked by
 * evaluating them, error messages, and (when the GNU toolchain is installed) byte-for-byte
 * agreement with `riscv64-unknown-elf-as` on a sample covering every supported instruction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsmError, asm, assemble, liLength, type Xlen } from './asm.js';

const words = (b: Uint8Array): number[] => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length >> 2 }, (_, i) => dv.getUint32(i * 4, true));
};
const halves = (b: Uint8Array): number[] => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length >> 1 }, (_, i) => dv.getUint16(i * 2, true));
};

test('encodings of representative instructions (from objdump)', () => {
  const cases: [Xlen, string, number][] = [
    [64, 'addi a0, a0, 1', 0x00150513],
    [64, 'add a0, a1, a2', 0x00c58533],
    [64, 'ld ra, 8(sp)', 0x00813083],
    [64, 'sd s0, -16(sp)', 0xfe813823],
    [32, 'lui a0, 0x12345', 0x12345537],
    [64, 'auipc t0, 0', 0x00000297],
    [64, 'ecall', 0x00000073],
    [64, 'ebreak', 0x00100073],
    [64, 'mret', 0x30200073],
    [64, 'sret', 0x10200073],
    [64, 'wfi', 0x10500073],
    [64, 'fence.i', 0x0000100f],
    [64, 'fence', 0x0ff0000f],
    [64, 'csrr a0, mhartid', 0xf1402573],
    [64, 'csrw mtvec, t0', 0x30529073],
    [64, 'csrsi mstatus, 8', 0x30046073],
    [64, 'lr.w a0, (a1)', 0x1005a52f],
    [64, 'sc.d.aqrl a0, a2, (a1)', 0x1ec5b52f],
    [64, 'amoadd.w a0, a2, (a1)', 0x00c5a52f],
    [64, 'mulhsu a0, a1, a2', 0x02c5a533],
    [64, 'slli a0, a1, 63', 0x03f59513],
    [64, 'sraiw a0, a1, 31', 0x41f5d51b],
    [64, 'ret', 0x00008067],
    [64, 'nop', 0x00000013],
    [64, 'mv a0, a1', 0x00058513],
    [64, 'j .', 0x0000006f],
    [64, 'beqz a0, .', 0x00050063],
    [64, 'jal .+8', 0x008000ef],
    [64, 'sext.w a0, a0', 0x0005051b],
  ];
  for (const [xlen, src, w] of cases) assert.deepEqual(words(asm(xlen, src)), [w], src);
  const c: [Xlen, string, number][] = [
    [64, 'c.addi a0, 1', 0x0505], [64, 'c.li a0, 1', 0x4505], [64, 'c.lw a0, 4(a1)', 0x41c8], [64, 'c.ld a0, 8(a1)', 0x6588],
    [64, 'c.sw a0, 4(a1)', 0xc1c8], [64, 'c.sd a0, 0(a1)', 0xe188], [64, 'c.nop', 0x0001], [64, 'c.addi a0, -1', 0x157d],
    [64, 'c.addiw a0, 3', 0x250d], [32, 'c.jal .+0x600', 0x2501], [64, 'c.addi16sp sp, 32', 0x6105], [64, 'c.addi16sp sp, -512', 0x7101],
    [64, 'c.lui a0, 1', 0x6505], [64, 'c.lui a0, 0xfffe1', 0x7505], [64, 'c.srli a0, 1', 0x8105], [64, 'c.srli a0, 33', 0x9105],
    [64, 'c.srai a0, 1', 0x8505], [64, 'c.andi a0, 3', 0x890d], [64, 'c.sub a0, a1', 0x8d0d], [64, 'c.xor a0, a1', 0x8d2d],
    [64, 'c.jr ra', 0x8082], [64, 'c.ebreak', 0x9002], [64, 'c.addi4spn a0, sp, 8', 0x0028], [64, 'c.unimp', 0x0000],
  ];
  for (const [xlen, src, h] of c) assert.deepEqual(halves(asm(xlen, src)), [h], src);
});

test('labels (forward, backward, numeric local), `.`, .equ, %hi/%lo and la', () => {
  const r = assemble(64, `
    .equ DATA, 0x80001234
  start:
    j fwd             # +8
    beq a0, a1, start # -4
  fwd: 1:
    bnez a0, 1b       # 0
    bnez a0, 1f       # +8
    j .+4
  1:
    lui t0, %hi(DATA)
    addi t0, t0, %lo(DATA)
    la t1, start
    li t2, DATA
    .word start + 4, DATA
  `);
  const w = words(r.bytes);
  assert.equal(r.symbols.get('start'), 0x80000000n);
  assert.equal(r.symbols.get('fwd'), 0x80000008n);
  assert.equal(w[0], 0x0080006f);
  assert.equal(w[1], 0xfeb50ee3);
  assert.equal(w[2], 0x00051063);
  assert.equal(w[3], 0x00051463);
  assert.equal(w[4], 0x0040006f);
  assert.equal(w[5], 0x800012b7);  // lui t0, 0x80001
  assert.equal(w[6], 0x23428293);  // addi t0, t0, 0x234
  assert.equal(w[7], 0x00000317);  // auipc t1, -7 pages... here: auipc t1, 0 (start is 28 bytes back)
  assert.equal(w[8], 0xfe430313);  // addi t1, t1, -28
  assert.equal(w[w.length - 2], 0x80000004);
  assert.equal(w[w.length - 1], 0x80001234);
  // a different origin moves labels but not PC-relative code
  const r2 = assemble(64, 'a: j a\n.word a', { origin: 0x1000 });
  assert.deepEqual(words(r2.bytes), [0x0000006f, 0x1000]);
});

/** Evaluate a li sequence (lui/addi/addiw/slli on one register) in BigInt. */
function evalLi(xlen: Xlen, code: Uint8Array): bigint {
  let v = 0n;
  const sx = (x: bigint, bits: number): bigint => BigInt.asIntN(bits, x);
  for (const w of words(code)) {
    const op = w & 0x7f, f3 = (w >>> 12) & 7, rs1 = (w >>> 15) & 31, imm = BigInt(w >> 20);
    if (op === 0x37) v = sx(BigInt(w & 0xfffff000), 32);
    else if (op === 0x13 && f3 === 0) v = (rs1 === 0 ? 0n : v) + imm;
    else if (op === 0x1b && f3 === 0) v = sx((rs1 === 0 ? 0n : v) + imm, 32);
    else if (op === 0x13 && f3 === 1) v = v << BigInt((w >>> 20) & 63);
    else throw new Error(`unexpected word 0x${w.toString(16)} in li`);
    v = sx(v, xlen);
  }
  return BigInt.asUintN(xlen, v);
}

test('li expands to a sequence that computes the constant (RV64: at most 8 instructions)', () => {
  let s = 0x9e3779b97f4a7c15n;
  const next = (): bigint => { s ^= (s << 13n) & (2n ** 64n - 1n); s ^= s >> 7n; s ^= (s << 17n) & (2n ** 64n - 1n); return s; };
  const vals: bigint[] = [0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 0x7ffff800n,
    0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffff00000000n, 0x100000000n];
  for (let i = 0; i < 400; i++) {
    const r = next();
    vals.push(r, r >> BigInt(i % 64), BigInt.asIntN(64, r) >> BigInt(i % 64), r & ((1n << BigInt(i % 64)) - 1n), r & 0xfffff000n);
  }
  for (const v of vals) {
    for (const xlen of [32, 64] as const) {
      const t = xlen === 32 ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v);
      const code = asm(xlen, `li a0, ${t}`);
      assert.equal(evalLi(xlen, code), BigInt.asUintN(xlen, t), `li ${t} on RV${xlen}`);
      assert.equal(code.length / 4, liLength(xlen, t));
      assert.ok(code.length <= (xlen === 32 ? 8 : 32), `li ${t}: ${code.length / 4} instructions`);
    }
  }
});

test('errors name the line and the problem', () => {
  const bad: [Xlen, string, RegExp][] = [
    [64, 'addi a0, a0, 2048', /immediate 2048 out of range/],
    [64, 'frob a0', /unknown instruction 'frob'/],
    [64, 'c.addi4spn t0, sp, 8', /x8\.\.x15/],
    [32, 'ld a0, 0(a1)', /not an RV32 instruction/],
    [32, 'c.ld a0, 0(a1)', /RV64 only/],
    [64, 'c.jal .', /RV32 only/],
    [64, 'j nowhere', /undefined symbol 'nowhere'/],
    [64, 'x: nop\nx: nop', /label 'x' defined twice/],
    [64, 'beq a0, a1, .+5000', /offset 5000 out of range/],
    [64, 'slli a0, a0, 64', /shift amount 64 out of range/],
    [32, 'slli a0, a0, 32', /shift amount 32 out of range/],
    [64, 'lr.w a0, 4(a1)', /atomic address/],
    [64, 'lw a0, a1', /offset\(register\)/],
    [64, 'add a0, a1', /expected 3 operand/],
    [64, 'c.lw a0, 2(a1)', /multiple of 4/],
    [64, 'nop\n  li a0, lbl\nlbl:', /li takes a constant/],
    [64, 'csrr a0, nosuchcsr', /undefined symbol/],
  ];
  for (const [xlen, src, re] of bad) {
    assert.throws(() => asm(xlen, src), (e: unknown) => e instanceof AsmError && re.test(e.message) && /asm line \d+/.test(e.message), src);
  }
});

// ---- agreement with GNU as ------------------------------------------------------------------------

const AS = '/usr/bin/riscv64-unknown-elf-as', OBJCOPY = '/usr/bin/riscv64-unknown-elf-objcopy';
const haveToolchain = existsSync(AS) && existsSync(OBJCOPY);

function sample(xlen: Xlen): { base: string; rvc: string } {
  const x64 = (s: string): string => (xlen === 64 ? s : '');
  const base = `
start:
  lui a0, 0x12345
  lui t0, 0xfffff
  auipc ra, 0x80000
  jal ra, start
  jal zero, fwd
  jalr ra, 12(a0)
  jalr t0
  jalr x0, a1, -4
  beq a0, a1, start
  bne s0, s1, fwd
  blt a2, a3, start
  bge a4, a5, fwd
  bltu t0, t1, start
  bgeu t2, t3, fwd
  lb a0, -1(a1)
  lh a0, 2047(a1)
  lw a0, -2048(a1)
  ${x64('ld a0, 8(sp)')}
  lbu a0, 0(a1)
  lhu a0, (a1)
  ${x64('lwu a0, 4(a1)')}
  sb a0, -1(a1)
  sh a0, 2(a1)
  sw a0, 4(a1)
  ${x64('sd a0, -8(a1)')}
  addi a0, a1, -2048
  slti a0, a1, 5
  sltiu a0, a1, -1
  xori a0, a1, 0x7ff
  ori a0, a1, 1
  andi a0, a1, -16
  ${xlen === 64 ? 'slli a0, a1, 63' : 'slli a0, a1, 31'}
  ${xlen === 64 ? 'srli a0, a1, 32' : 'srli a0, a1, 31'}
  srai a0, a1, 1
  add a0, a1, a2
  sub a0, a1, a2
  sll a0, a1, a2
  slt a0, a1, a2
  sltu a0, a1, a2
  xor a0, a1, a2
  srl a0, a1, a2
  sra a0, a1, a2
  or a0, a1, a2
  and a0, a1, a2
  ${x64('addiw a0, a1, -1')}
  ${x64('slliw a0, a1, 31')}
  ${x64('srliw a0, a1, 0')}
  ${x64('sraiw a0, a1, 7')}
  ${x64('addw a0, a1, a2')}
  ${x64('subw a0, a1, a2')}
  ${x64('sllw a0, a1, a2')}
  ${x64('srlw a0, a1, a2')}
  ${x64('sraw a0, a1, a2')}
  mul a0, a1, a2
  mulh a0, a1, a2
  mulhsu a0, a1, a2
  mulhu a0, a1, a2
  div a0, a1, a2
  divu a0, a1, a2
  rem a0, a1, a2
  remu a0, a1, a2
  ${x64('mulw a0, a1, a2')}
  ${x64('divw a0, a1, a2')}
  ${x64('divuw a0, a1, a2')}
  ${x64('remw a0, a1, a2')}
  ${x64('remuw a0, a1, a2')}
  lr.w a0, (a1)
  sc.w a0, a2, (a1)
  ${x64('lr.d.aq a0, (a1)')}
  ${x64('sc.d.rl a0, a2, (a1)')}
  amoswap.w a0, a2, (a1)
  amoadd.w.aqrl a0, a2, (a1)
  amoxor.w a0, a2, (a1)
  amoand.w a0, a2, (a1)
  amoor.w a0, a2, (a1)
  amomin.w a0, a2, (a1)
  amomax.w a0, a2, (a1)
  amominu.w a0, a2, (a1)
  amomaxu.w a0, a2, (a1)
  ${x64('amoswap.d a0, a2, (a1)')}
  ${x64('amoadd.d a0, a2, (a1)')}
  ${x64('amoxor.d a0, a2, (a1)')}
  ${x64('amoand.d.aq a0, a2, (a1)')}
  ${x64('amoor.d a0, a2, (a1)')}
  ${x64('amomin.d a0, a2, (a1)')}
  ${x64('amomax.d a0, a2, (a1)')}
  ${x64('amominu.d a0, a2, (a1)')}
  ${x64('amomaxu.d a0, a2, (a1)')}
  fence
  fence rw, w
  fence iorw, iorw
  fence.tso
  fence.i
  ecall
  ebreak
  mret
  sret
  wfi
  sfence.vma
  sfence.vma a0
  sfence.vma a0, a1
  csrrw a0, mstatus, a1
  csrrs a0, mie, a1
  csrrc a0, 0x340, a1
  csrrwi a0, mtvec, 5
  csrrsi a0, mscratch, 31
  csrrci a0, mepc, 0
  csrr a0, mcause
  csrw mtval, a1
  csrs mip, a1
  csrc mstatus, a1
  csrwi mstatus, 8
  csrsi mstatus, 8
  csrci mstatus, 8
  csrw mstatus, 8
  rdcycle a0
  rdtime a1
  rdinstret a2
  nop
  mv a0, a1
  not a0, a1
  neg a0, a1
  ${x64('negw a0, a1')}
  ${x64('sext.w a0, a1')}
  seqz a0, a1
  snez a0, a1
  sltz a0, a1
  sgtz a0, a1
  beqz a0, start
  bnez a0, fwd
  blez a0, fwd
  bgez a0, fwd
  bltz a0, fwd
  bgtz a0, fwd
  bgt a0, a1, fwd
  ble a0, a1, fwd
  bgtu a0, a1, fwd
  bleu a0, a1, fwd
  j start
  jr a0
  ret
  unimp
`;
  const rvc = `
  c.addi4spn a0, sp, 1020
  c.addi4spn s1, sp, 4
  c.lw a0, 124(a1)
  c.lw s0, 0(a5)
  ${x64('c.ld a0, 248(a1)')}
  c.sw a0, 64(a1)
  ${x64('c.sd a0, 8(a1)')}
  c.nop
  c.addi a0, -32
  c.addi t0, 31
  ${x64('c.addiw a0, -1')}
  c.li a0, 31
  c.li t6, -32
  c.addi16sp sp, -512
  c.addi16sp sp, 496
  c.lui a0, 1
  c.lui t0, 0xfffff
  c.lui a1, 0xfffe0
  ${xlen === 64 ? 'c.srli a0, 63' : 'c.srli a0, 31'}
  c.srai a1, 1
  c.andi a2, -1
  c.sub a0, a1
  c.xor s0, s1
  c.or a4, a5
  c.and a0, a0
  ${x64('c.subw a0, a1')}
  ${x64('c.addw a0, a1')}
  c.j near
  c.j fwd
near:
  c.beqz a0, near
  c.bnez a5, fwd
  ${xlen === 64 ? 'c.slli a0, 63' : 'c.slli a0, 31'}
  c.slli t0, 1
  c.lwsp a0, 252(sp)
  ${x64('c.ldsp ra, 504(sp)')}
  c.jr ra
  c.mv a0, t6
  c.ebreak
  c.jalr a0
  c.add a0, a1
  c.swsp a0, 252(sp)
  ${x64('c.sdsp ra, 504(sp)')}
  ${xlen === 32 ? 'c.jal near' : 'c.addiw a5, 1'}
  .half 0x1234
  .half 0x5678
  .word 0xdeadbeef
  .dword 0x0123456789abcdef
  .byte 1, 2
  .align 2
fwd:
  .word 0
`;
  return { base, rvc };
}

const LI_SAMPLE = [0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 0x12345678n, 0x7ffff800n,
  0x100000n, 0x123456789abcdef0n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffff00000000n, 0x0000000100000001n,
  0x5555555555555555n, 0x100000000000n, -0x123456789n];

for (const xlen of [32, 64] as const) {
  test(`RV${xlen} assembles every supported instruction to the same bytes as riscv64-unknown-elf-as`, { skip: !haveToolchain && 'GNU RISC-V toolchain not installed' }, () => {
    const { base, rvc } = sample(xlen);
    const lis = LI_SAMPLE.filter((v) => xlen === 64 || (v >= -(1n << 31n) && v < 1n << 32n)).map((v) => `  li a0, ${v}`).join('\n');
    const src = `${base}\n${lis}\n`;
    const gas = `.option norelax\n.option norvc\n${src}\n.option rvc\n${rvc}\n`;
    const dir = mkdtempSync(join(tmpdir(), 'tracehook-asm-'));
    try {
      writeFileSync(join(dir, 'a.s'), gas);
      execFileSync(AS, [`-march=rv${xlen}imac_zicsr_zifencei`, `-mabi=${xlen === 64 ? 'lp64' : 'ilp32'}`, '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
      execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
      const theirs = new Uint8Array(readFileSync(join(dir, 'a.bin')));
      const ours = asm(xlen, `${src}\n${rvc}`);
      assert.equal(ours.length, theirs.length, 'size');
      const prog = assemble(xlen, `${src}\n${rvc}`);
      const bad = prog.listing.filter((l) => {
        const o = Number(l.addr - 0x80000000n);
        return l.size > 0 && ours.subarray(o, o + l.size).some((b, i) => b !== theirs[o + i]);
      }).map((l) => l.text);
      assert.deepEqual(bad, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
