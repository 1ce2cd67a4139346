/**
 * `-cpu rv64|rv32,PROP=...` extension switches (isa.ts): parsing and QEMU 7.2's refusals, misa,
 * the ISA string, and instruction legality with an extension off — on tracehook always, and on
 * QEMU 7.2 with the same `-cpu` switches when qemu-system-riscv* and the cross compiler are
 * installed (the bare-metal probe harness of legality.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ISA, encodingEnabled, isaString, misaValue, parseCpuSpec, CpuSpecError, type RvIsa } from './isa.js';
import { decode, ENCODINGS, type Encoding, type Ext } from './encodings.js';
import { expandCompressed } from './compressed.js';
import { runProgram } from './test-support/harness.js';
import { qemuLegality } from './test-support/qemu-legality.js';
import { VirtMachine } from '../../machines/riscv-virt.js';

const has = (bin: string, arg = '--version'): boolean => {
  try { execFileSync(bin, [arg], { stdio: 'ignore' }); return true; } catch { return false; }
};
const LIVE = has('qemu-system-riscv64') && has('qemu-system-riscv32') && has('riscv64-unknown-elf-gcc');

const parse = (spec: string, xlen: 32 | 64 = 64): RvIsa => parseCpuSpec(spec, xlen).isa;
const refuses = (spec: string, msg: string, xlen: 32 | 64 = 64): void => {
  assert.throws(() => parseCpuSpec(spec, xlen), (e: unknown) => e instanceof CpuSpecError && e.message === msg, spec);
};

test('-cpu parsing: QEMU 7.2 property names, values and defaults', () => {
  assert.deepEqual(parse('rv64'), DEFAULT_ISA);
  assert.deepEqual(parse('rv64,h=false'), DEFAULT_ISA);
  assert.deepEqual(parse('rv32,h=off', 32), DEFAULT_ISA);
  assert.equal(parse('rv64,zba=false').zba, false);
  assert.equal(parse('rv64,zba=no').zba, false);
  assert.equal(parse('rv64,zba=off,zba=on').zba, true, 'the last switch wins');
  assert.deepEqual(parse('rv64,m=off,a=off,Zifencei=off,Zihintpause=off,zbb=off,zbc=off,zbs=off,sstc=off'),
    { ...DEFAULT_ISA, m: false, a: false, zifencei: false, zihintpause: false, zbb: false, zbc: false, zbs: false, sstc: false });
  assert.deepEqual(parse('rv64,f=off,d=off,Zicsr=off'), { ...DEFAULT_ISA, f: false, d: false, zicsr: false });
  assert.equal(parse('rv64,d=false').d, false);
  assert.equal(parse('rv64,m=false,zmmul=true').zmmul, true);
  // Switches QEMU has that change nothing here.
  assert.deepEqual(parse('rv64,Zfh=off,Zfhmin=off,sscofpmf=off,svinval=off,debug=on,mmu=on,pmp=on,s=on,u=on,i=on,g=off'), DEFAULT_ISA);
  // g=on with part of G off: QEMU warns and turns IMAFD_Zicsr_Zifencei back on.
  const g = parseCpuSpec('rv64,m=off,g=on', 64);
  assert.deepEqual(g.isa, DEFAULT_ISA);
  assert.deepEqual(g.warnings, ['warning: Setting G will also set IMAFD_Zicsr_Zifencei']);
  assert.deepEqual(parseCpuSpec('rv64,g=on', 64).warnings, []);
});

test('-cpu refusals: QEMU 7.2 wording (checked with qemu-system-riscv64 -M virt,dumpdtb=)', () => {
  refuses('rv64,foo=on', "can't apply global rv64-riscv-cpu.foo=on: Property 'rv64-riscv-cpu.foo' not found");
  refuses('rv32,zicsr=off', "can't apply global rv32-riscv-cpu.zicsr=off: Property 'rv32-riscv-cpu.zicsr' not found", 32);
  refuses('rv64,M=off', "can't apply global rv64-riscv-cpu.M=off: Property 'rv64-riscv-cpu.M' not found");
  refuses('rv64,zba=OFF', "can't apply global rv64-riscv-cpu.zba=OFF: Parameter 'zba' expects 'on' or 'off'");
  refuses('rv64,zba=0', "can't apply global rv64-riscv-cpu.zba=0: Parameter 'zba' expects 'on' or 'off'");
  refuses('rv64,zba', 'Expected key=value format, found zba.');
  refuses('rv64,f=false', 'D extension requires F extension');
  refuses('rv64,Zicsr=false', 'F extension requires Zicsr');
  refuses('rv64,Zicsr=false,f=false', 'D extension requires F extension');
  refuses('rv64,i=false', 'Either I or E extension must be set');
  refuses('rv64,i=false,f=false', 'Either I or E extension must be set');
  refuses('rv64,e=true', 'I and E extensions are incompatible');
  refuses('rv64,u=false', 'Setting S extension without U extension is illegal');
  refuses('rv64,u=false,f=false', 'Setting S extension without U extension is illegal');
  refuses('rv64,d=false,v=true', 'V extension requires D extension');
  refuses('rv64,f=false,d=false,Zfh=true', 'Zfh/Zfhmin extensions require F extension');
  // What QEMU accepts but tracehook does not model.
  refuses('rv64,h=on', "enabling 'h' is not supported by tracehook (no hypervisor extension)");
  refuses('rv64,v=on', "enabling 'v' is not supported by tracehook");
  refuses('rv64,mmu=off', "disabling 'mmu' is not supported by tracehook");
  refuses('rv64,h=off,s=off,u=off', "disabling 's' is not supported by tracehook");
  refuses('rv64,s=off,u=off', 'H extension implicitly requires S-mode'); // QEMU's default has H
  refuses('rv64,pmu-num=8', "property 'pmu-num' is not supported by tracehook");
  refuses('rv32,m=off', "unknown CPU model 'rv32' (supported: rv64)");
});

test('ISA string and misa follow the switches (values QEMU 7.2 prints and reads)', () => {
  assert.equal(isaString(64, DEFAULT_ISA), 'rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  assert.equal(isaString(64, parse('rv64,m=false')), 'rv64iafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  assert.equal(isaString(64, parse('rv64,d=false')), 'rv64imafc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  assert.equal(isaString(64, parse('rv64,Zicsr=false,f=false,d=false')), 'rv64imac_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  assert.equal(isaString(64, parse('rv64,zba=false,zbb=false,zbc=false,zbs=false')), 'rv64imafdc_zicsr_zifencei_zihintpause_sstc');
  assert.equal(isaString(64, parse('rv64,m=false,zmmul=true')), 'rv64iafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  assert.equal(isaString(32, parse('rv32,m=false,a=false,f=false,d=false,c=false,Zicsr=false,Zifencei=false,Zihintpause=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=false', 32)), 'rv32i');
  assert.equal(isaString(64, parse('rv64,c=false')), 'rv64imafd_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc');
  // misa as read with csrr under QEMU 7.2.
  assert.equal(misaValue(64, DEFAULT_ISA), 0x800000000014112dn);
  assert.equal(misaValue(64, parse('rv64,f=false,d=false')), 0x8000000000141105n);
  assert.equal(misaValue(32, parse('rv32,c=false', 32)), 0x40141129n);
});

/** Extensions each case switches off, with the QEMU -cpu flags. */
interface Case { xlen: 32 | 64; flags: string; off: Ext[]; defines?: string[] }
const CASES: Case[] = [
  { xlen: 64, flags: 'm=false', off: ['M'] },
  { xlen: 32, flags: 'a=false', off: ['A'] },
  { xlen: 64, flags: 'zba=false,zbb=false,zbc=false,zbs=false', off: ['Zba', 'Zbb', 'Zbc', 'Zbs'] },
  { xlen: 32, flags: 'zbb=false,zbs=false', off: ['Zbb', 'Zbs'] },
  { xlen: 64, flags: 'Zifencei=false', off: ['Zifencei'], defines: ['NOFENCEI'] },
  { xlen: 64, flags: 'd=false', off: ['D'], defines: ['NOFP'] },
  { xlen: 32, flags: 'f=false,d=false', off: ['F', 'D'], defines: ['NOFP'] },
];

/** A deterministic sample of `ext`'s encodings for `xlen`: rs1 = a0 (an address), rd = a2, rs2 = a3; static rm = rne. */
function sample(xlen: 32 | 64, exts: readonly Ext[]): number[] {
  let s = 0x9e3779b9 ^ xlen;
  const rnd = (): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return s >>> 0; };
  const out: number[] = [];
  for (const e of ENCODINGS as readonly Encoding[]) {
    if (!exts.includes(e.ext) || (e.xlen !== undefined && e.xlen !== xlen)) continue;
    for (let i = 0; i < 2; i++) {
      let w = (e.match | (rnd() & ~e.mask)) >>> 0;
      const fields = (10 << 15) | (12 << 7) | (13 << 20);
      const fmask = (31 << 15) | (31 << 7) | (31 << 20);
      w = (w & ~(fmask & ~e.mask)) | (fields & ~e.mask);
      if (e.hasRm) w &= ~0x7000;
      if (decode(w >>> 0, xlen) !== e) continue;
      out.push(w >>> 0);
    }
  }
  return out;
}

/** Compressed halfwords (every 61st of the space) whose expansion belongs to `exts` (c.fld, c.fsdsp, c.flw, ...). */
function sample16(xlen: 32 | 64, exts: readonly Ext[]): number[] {
  const out: number[] = [];
  for (let h = 0; h < 0x10000; h += 61) {
    if ((h & 3) === 3) continue;
    const w = expandCompressed(h, xlen);
    const e = w === 0 ? undefined : decode(w, xlen);
    if (e !== undefined && exts.includes(e.ext)) out.push(h);
  }
  return out;
}

/**
 * Run the words (4-byte, or 2-byte each followed by a c.nop) on tracehook with `isa`: how many
 * raised illegal instruction at the word itself.
 */
async function tracehookIllegal(xlen: 32 | 64, words: readonly number[], isa: RvIsa, half = false): Promise<number> {
  const r = await runProgram(xlen, `
    la t0, handler
    csrw mtvec, t0
    li t0, 0x6000
    csrs mstatus, t0
    li s1, 0
    li a0, 0x80a00000
    li a3, 0
  probes:
    ${words.map((w) => (half ? `.half 0x${w.toString(16)}\n    .half 0x0001` : `.word 0x${w.toString(16)}`)).join('\n    ')}
    exit
    .align 2
  handler:
    csrr t0, mcause
    li t1, 2
    bne t0, t1, 1f
    csrr t0, mtval
    csrr t1, mepc
    ${half ? 'lhu' : 'lwu'} t2, 0(t1)
    bne t0, t2, 1f
    addi s1, s1, 1
  1:
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li a0, 0x80a00000
    li a3, 0
    mret
  `.replaceAll('lwu', xlen === 64 ? 'lwu' : 'lw'), { isa, memBytes: 16 << 20 });
  return Number(r.x('s1'));
}

for (const c of CASES) {
  const spec = `rv${c.xlen},h=false,${c.flags}`;
  test(`-cpu ${spec}: ${c.off.join('/')} encodings illegal on tracehook${LIVE ? ' and QEMU 7.2' : ''}, legal by default`, async () => {
    const isa = parse(spec, c.xlen);
    const words = sample(c.xlen, c.off);
    assert.ok(words.length >= 2 * c.off.length, `${words.length} samples`);
    for (const w of words) assert.equal(encodingEnabled(decode(w, c.xlen)!, isa), false, w.toString(16));
    assert.equal(await tracehookIllegal(c.xlen, words, isa), words.length, 'every sample illegal on tracehook');
    assert.equal(await tracehookIllegal(c.xlen, words, DEFAULT_ISA), 0, 'no sample illegal with the default CPU');
    if (LIVE) {
      const probes = words.map((w) => [4, w] as const);
      assert.equal(qemuLegality(c.xlen, probes, `h=false,${c.flags}`, c.defines), 'I'.repeat(words.length), 'QEMU');
      assert.equal(qemuLegality(c.xlen, probes, 'h=false', c.defines), '.'.repeat(words.length), 'QEMU, default CPU');
    }
    // The compressed forms (c.fld, c.fsdsp, c.flw, ...) go with their extension.
    const halves = sample16(c.xlen, c.off);
    if (halves.length > 0) {
      assert.equal(await tracehookIllegal(c.xlen, halves, isa, true), halves.length, 'every compressed sample illegal on tracehook');
      if (LIVE) assert.equal(qemuLegality(c.xlen, halves.map((w) => [2, w] as const), `h=false,${c.flags}`, c.defines), 'I'.repeat(halves.length), 'QEMU (compressed)');
    }
  });
}

for (const xlen of [64, 32] as const) {
  test(`rv${xlen} c=false: compressed halfwords illegal on tracehook${LIVE ? ' and QEMU 7.2' : ''} (xtval = the halfword)`, async () => {
    const isa = parse(`rv${xlen},h=false,c=false`, xlen);
    const words: number[] = [];
    for (let h = 1; h < 0x10000; h += 97) if ((h & 3) !== 3 && expandCompressed(h, xlen) !== 0) words.push(h);
    assert.ok(words.length > 400);
    const r = await runProgram(xlen, `
      la t0, handler
      csrw mtvec, t0
      li s1, 0
      ${words.map((w) => `.half 0x${w.toString(16)}\n      .half 0x0001`).join('\n      ')}
      exit
      .align 2
    handler:
      csrr t0, mcause
      li t1, 2
      bne t0, t1, 1f
      csrr t0, mtval
      csrr t1, mepc
      lhu t2, 0(t1)
      bne t0, t2, 1f
      addi s1, s1, 1
    1:
      csrr t0, mepc
      addi t0, t0, 4
      csrw mepc, t0
      mret
    `, { isa });
    assert.equal(Number(r.x('s1')), words.length);
    if (LIVE) assert.equal(qemuLegality(xlen, words.map((w) => [2, w] as const), `h=false,c=false`), 'I'.repeat(words.length));
  });
}

test('rv64 a=false: the word AMOs and LR/SC are illegal, the doubleword ones still run (QEMU 7.2 trans_rva.c.inc has no REQUIRE_EXT for them)', async () => {
  const isa = parse('rv64,h=false,a=false');
  const as = ENCODINGS.filter((e) => e.ext === 'A');
  for (const e of as) assert.equal(encodingEnabled(e, isa), e.xlen === 64, e.name);
  const words = as.map((e) => (e.match | ((10 << 15) | (12 << 7) | (13 << 20)) & ~e.mask) >>> 0);
  const want = as.map((e) => (e.xlen === 64 ? '.' : 'I')).join('');
  assert.equal((await Promise.all(words.map((w) => tracehookIllegal(64, [w], isa)))).map((n) => (n === 1 ? 'I' : '.')).join(''), want);
  if (LIVE) assert.equal(qemuLegality(64, words.map((w) => [4, w] as const), 'h=false,a=false'), want, 'QEMU 7.2');
});

test('Zmmul without M: multiplications legal, divisions not (QEMU 7.2 REQUIRE_M_OR_ZMMUL)', () => {
  const isa = parse('rv64,m=false,zmmul=true');
  for (const n of ['mul', 'mulh', 'mulhsu', 'mulhu', 'mulw']) assert.ok(encodingEnabled(ENCODINGS.find((e) => e.name === n)!, isa), n);
  for (const n of ['div', 'divu', 'rem', 'remu', 'divw', 'remuw']) assert.ok(!encodingEnabled(ENCODINGS.find((e) => e.name === n)!, isa), n);
  if (LIVE) {
    const ms = ENCODINGS.filter((e) => e.ext === 'M' && (e.xlen ?? 64) === 64);
    const probes = ms.map((e) => [4, (e.match | (10 << 15) | (12 << 7) | (13 << 20)) >>> 0] as const);
    assert.equal(qemuLegality(64, probes, 'h=false,m=false,zmmul=true'), ms.map((e) => (encodingEnabled(e, isa) ? '.' : 'I')).join(''), 'QEMU 7.2');
  }
});

test('Zihintpause off: pause still runs (QEMU 7.2 decodes it as fence); Zicsr off: CSR instructions illegal', () => {
  const pause = decode(0x0100000f, 64)!;
  assert.ok(encodingEnabled(pause, parse('rv64,Zihintpause=false')));
  const csrr = decode(0xf1402573, 64)!; // csrr a0, mhartid
  assert.ok(!encodingEnabled(csrr, parse('rv64,Zicsr=false,f=false,d=false')));
});

test('Zicsr off: the boot ROM\'s csrr a0, mhartid traps, as on QEMU 7.2 (-d int)', async () => {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rv-isa-'));
  const kernel = join(dir, 'k.bin');
  writeFileSync(kernel, new Uint8Array(4));
  const m = new VirtMachine({
    xlen: 64, bios: 'none', kernel, memBytes: 16 << 20, maxInsns: 5, isa: parse('rv64,Zicsr=false,f=false,d=false'),
    uartOut: () => {}, semihostingOut: () => {}, intLog: (l) => lines.push(l),
  });
  await m.run().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  assert.equal(lines[0], 'riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000000000002, epc:0x0000000000001008, tval:0x00000000f1402573, desc=illegal_instruction\n');
  assert.equal(lines[1], 'riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000000000001, epc:0x0000000000000000, tval:0x0000000000000000, desc=fault_fetch\n');
});

test('F off: mstatus.FS stays Off and fcsr is illegal; Sstc off: stimecmp illegal, mip.STIP writable (values read on QEMU 7.2)', async () => {
  const prog = `
    la t0, handler
    csrw mtvec, t0
    li t0, 0x6000
    csrs mstatus, t0
    csrr s1, mstatus
    li s2, -1
    csrr s2, fcsr
    csrr s3, sstatus
    li s4, -1
    csrr s4, 0x14d
    li t0, 1
    slli t0, t0, 63
    csrs menvcfg, t0
    li t0, 32
    csrs mip, t0
    csrr s5, mip
    csrr s6, misa
    exit
    .align 2
  handler:
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li t0, 0xeeee
    mv s2, t0
    mv s4, t0
    mret
  `;
  const nofp = await runProgram(64, prog.replace('mv s4, t0', ''), { isa: parse('rv64,f=false,d=false') });
  assert.equal(nofp.x('s1'), 0x0000000a00000000n);
  assert.equal(nofp.x('s2'), 0xeeeen);
  assert.equal(nofp.x('s3'), 0x0000000200000000n);
  assert.equal(nofp.x('s6'), 0x8000000000141105n);
  const nosstc = await runProgram(64, prog.replace('mv s2, t0', ''), { isa: parse('rv64,sstc=false') });
  assert.equal(nosstc.x('s1'), 0x8000000a00006000n);
  assert.equal(nosstc.x('s4'), 0xeeeen);
  assert.equal(nosstc.x('s5') & 0x20n, 0x20n, 'STIP written by software');
  const dflt = await runProgram(64, prog.replace('mv s2, t0', ''));
  assert.equal(dflt.x('s4'), 0n);
  assert.equal(dflt.x('s5') & 0x20n, 0n, 'STIP read-only while Sstc is enabled');
});
