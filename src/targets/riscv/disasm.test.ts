/**
 * Checks `disassemble` against GNU objdump 2.40 output stored in fixtures/
 * (see fixtures/README.md). Set RISCV_REGEN_FIXTURES=1 to rebuild the objdump
 * fixtures with the installed riscv64-unknown-elf toolchain instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { disassemble } from './disasm.js';
import { decode } from './encodings.js';
import { expandCompressed } from './compressed.js';
import { csrName, type PrivSpec } from './regnames.js';

const BINARY_BASE = 0x80000000n;
const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const REGEN = process.env.RISCV_REGEN_FIXTURES === '1';
const XLENS = [64, 32] as const;
const BRANCHES = new Set(['j', 'jal', 'beqz', 'bnez', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'blez', 'bgez', 'bltz', 'bgtz']);

interface Line {
  readonly addr: bigint;
  readonly word: number;
  readonly size: 2 | 4;
  /** Mnemonic and operands, normalised: no `<symbol>`, no `# comment`, bare hex targets. */
  readonly text: string;
  readonly raw: string;
}

/**
 * Parses `objdump -d`/`-D` output lines of the form `  addr:\tbytes \tmnemonic\toperands`.
 * The large fixtures omit the `addr:` column; their addresses run on from BINARY_BASE.
 */
function parseObjdump(out: string): Line[] {
  const lines: Line[] = [];
  let next = BINARY_BASE;
  for (const raw of out.split('\n')) {
    const m = /^(?:\s*([0-9a-f]+):\t)?([0-9a-f]+)\s+\t(.*)$/.exec(raw);
    if (!m) continue;
    const hex = m[2]!;
    const addr = m[1] !== undefined ? BigInt('0x' + m[1]) : next;
    next = addr + BigInt(hex.length / 2);
    let text = m[3]!.replace(/ # .*$/, '').replace(/ <[^>]*>$/, '');
    const tab = text.indexOf('\t');
    if (tab > 0 && BRANCHES.has(text.slice(0, tab))) text = text.replace(/0x([0-9a-f]+)$/, '$1');
    lines.push({ addr, word: parseInt(hex, 16) >>> 0, size: hex.length === 4 ? 2 : 4, text, raw });
  }
  return lines;
}

function sh(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, maxBuffer: 1 << 30 }).toString();
}

/** Deterministic pseudo-random 32-bit instruction words biased towards the standard opcodes. */
function randomWords(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const majors = [0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73];
  const out: number[] = [];
  while (out.length < n) {
    let w = rnd();
    const op = rnd() % 8 === 0 ? (rnd() & 0x7c) | 3 : majors[rnd() % majors.length]!;
    if ((op & 0x1f) === 0x1f) continue; // longer than 32 bits
    w = (w & ~0x7f) | op;
    const r = rnd();
    if (r & 1) w &= ~(31 << 7);
    if (r & 2) w &= ~(31 << 15);
    if (r & 4) w &= ~(31 << 20);
    if (r & 8) w = (w & 0x01ffffff) | ([0, 1, 0x20, 0x21, 0x10, 0x11, 0x50, 0x51, 0x60, 0x61, 0x68, 0x69, 0x70, 0x71, 0x78, 0x79, 0x2c, 0x2d, 0x14, 0x15, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0d][(r >>> 8) % 26]! << 25);
    if ((r >>> 16) % 4 === 0) w = (w & 0x000fffff) | ([0, 1, 0xfff, 0xff, 0x300, 0xc00, 0xc01, 0xc02, 0x003, 0x002, 0x001, 0x7ff, 0x800, 0x120][(r >>> 20) % 14]! << 20);
    if ((r >>> 24) % 4 === 0) w = (w & ~(31 << 20)) | (((w >>> 15) & 31) << 20);
    out.push(w >>> 0);
  }
  return out;
}

function objdumpBinary(bytes: Buffer, xlen: 32 | 64, extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvdis-'));
  try {
    writeFileSync(join(dir, 'in.bin'), bytes);
    const out = sh('riscv64-unknown-elf-objdump', ['-D', '-b', 'binary', '-m', `riscv:rv${xlen}`, `--adjust-vma=0x${BINARY_BASE.toString(16)}`, ...extra, 'in.bin'], dir);
    // Keep only the instruction lines, without the (sequential) address column.
    return out
      .split('\n')
      .filter((l) => /^\s*[0-9a-f]+:\t/.test(l))
      .map((l) => l.replace(/^\s*[0-9a-f]+:\t/, ''))
      .join('\n') + '\n';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * objdump -d of 32-bit words assembled as instructions (.insn) into an object for the ISA QEMU 7.2's
 * default CPU implements plus Zicbom/Zicboz (objdump 2.40 cannot set the ISA of a raw binary),
 * stripped so that targets print as for a raw binary; same layout as objdumpBinary's.
 */
function objdumpWords(words: readonly number[], xlen: 32 | 64): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvdis-'));
  try {
    writeFileSync(join(dir, 'w.S'), words.map((w) => `.insn 0x${(w >>> 0).toString(16)}\n`).join(''));
    sh('riscv64-unknown-elf-gcc', ['-c', `-march=rv${xlen}gc_zba_zbb_zbc_zbs_zicbom_zicboz`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, '-Wa,-mpriv-spec=1.12', '-o', 'w.o', 'w.S'], dir);
    sh('riscv64-unknown-elf-objcopy', ['--strip-all', 'w.o'], dir);
    const out = sh('riscv64-unknown-elf-objdump', ['-d', `--adjust-vma=0x${BINARY_BASE.toString(16)}`, 'w.o'], dir);
    return out
      .split('\n')
      .filter((l) => /^\s*[0-9a-f]+:\t/.test(l))
      .map((l) => l.replace(/^\s*[0-9a-f]+:\t/, ''))
      .join('\n') + '\n';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function regenerate(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rvfix-'));
  try {
    for (const xlen of XLENS) {
      sh('riscv64-unknown-elf-gcc', ['-c', `-march=rv${xlen}gc`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, '-Wa,-mpriv-spec=1.12', '-o', `rv${xlen}.o`, join(FIX, `rv${xlen}.S`)], dir);
      writeFileSync(join(FIX, `rv${xlen}.objdump.txt`), sh('riscv64-unknown-elf-objdump', ['-d', `rv${xlen}.o`], dir));
      const halves = Buffer.alloc(0x10000 / 4 * 3 * 2);
      let i = 0;
      for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) halves.writeUInt16LE(h, 2 * i++);
      writeFileSync(join(FIX, `rvc-all.rv${xlen}.objdump.txt.gz`), gzipSync(objdumpBinary(halves, xlen), { level: 9 }));
      const words = randomWords(20000, 0x5eed + xlen);
      writeFileSync(join(FIX, `random.rv${xlen}.objdump.txt.gz`), gzipSync(objdumpWords(words, xlen), { level: 9 }));
    }
    // CSR names per privileged-spec version.
    const csr = Buffer.alloc(4096 * 4);
    for (let n = 0; n < 4096; n++) csr.writeUInt32LE(((n << 20) | (10 << 7) | 0x2073) >>> 0, 4 * n);
    const rows: string[] = ['# spec csr name  (csrr a0,<csr> as printed by objdump -M priv-spec=<spec>)'];
    for (const spec of ['1.10', '1.11', '1.12']) {
      for (const l of parseObjdump(objdumpBinary(csr, 64, ['-M', `priv-spec=${spec}`]))) {
        const n = (l.word >>> 20) & 0xfff;
        const m = /^csrr\ta0,(.*)$/.exec(l.text);
        const name = m ? m[1]! : { 1: 'fflags', 2: 'frm', 3: 'fcsr', 0xc00: 'cycle', 0xc01: 'time', 0xc02: 'instret' }[n];
        if (name && !name.startsWith('0x')) rows.push(`${spec} 0x${n.toString(16).padStart(3, '0')} ${name}`);
      }
    }
    writeFileSync(join(FIX, 'csr-names.txt'), rows.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (REGEN) regenerate();

function readFixture(name: string): string {
  const buf = readFileSync(join(FIX, name));
  return name.endsWith('.gz') ? gunzipSync(buf).toString() : buf.toString();
}

function checkAll(lines: readonly Line[], xlen: 32 | 64, label: string): void {
  assert.ok(lines.length > 0, `${label}: fixture has no instructions`);
  const bad: string[] = [];
  for (const l of lines) {
    const got = disassemble(l.word, l.size, xlen, l.addr);
    if (got !== l.text) bad.push(`${l.word.toString(16)}: expected ${JSON.stringify(l.text)}, got ${JSON.stringify(got)}`);
  }
  assert.deepEqual(bad.slice(0, 20), [], `${label}: ${bad.length} of ${lines.length} lines differ`);
}

/** Fixture words that QEMU 7.2 rejects (they are in the programs on purpose). */
const ILLEGAL_IN_PROGRAMS: Record<32 | 64, ReadonlySet<number>> = {
  64: new Set([
    0xfe000033, 0x0000707b, 0x00004073, 0x00200073, 0x7b200073, 0x10400073, 0x20200073, 0x42b50533, 0x2800202f,
    0x1035a52f, 0x00c5d553, 0x00c5e553, 0x00009067, 0x0205951b, 0x4200d51b,
    0x0000, 0x0004, 0x8000, 0x6101, 0x6501, 0x4002, 0x8002, 0x9c41, 0x9c61, 0x2001, 0x6002,
  ]),
  32: new Set([
    0xfe000033, 0x0000707b, 0x00004073, 0x00200073, 0x7b200073, 0x10400073, 0x20200073, 0x42b50533, 0x2800202f,
    0x1035a52f, 0x00c5d553, 0x00c5e553, 0x00009067, 0x02059513, 0x4205d513, 0x0045e503, 0x0085b503, 0x0015851b,
    0x0000, 0x0004, 0x8000, 0x6101, 0x6501, 0x4002, 0x8002, 0x9c41, 0x9c61, 0x1506, 0x9105, 0x9505, 0x9d0d, 0x9d2d,
  ]),
};

for (const xlen of XLENS) {
  test(`rv${xlen} program: disassemble() matches objdump -d on every line`, () => {
    checkAll(parseObjdump(readFixture(`rv${xlen}.objdump.txt`)), xlen, `rv${xlen}.objdump.txt`);
  });

  test(`rv${xlen} program: decode/expandCompressed accept exactly the QEMU-legal lines`, () => {
    const lines = parseObjdump(readFixture(`rv${xlen}.objdump.txt`));
    const illegal = ILLEGAL_IN_PROGRAMS[xlen];
    const problems: string[] = [];
    for (const l of lines) {
      const legal = l.size === 2 ? expandCompressed(l.word, xlen) !== 0 : decode(l.word, xlen) !== undefined;
      if (legal === illegal.has(l.word)) problems.push(`${l.word.toString(16)} ${l.text}: decoded as ${legal ? 'legal' : 'illegal'}`);
      if (l.size === 2 && legal) {
        const w = expandCompressed(l.word, xlen);
        if (!decode(w, xlen)) problems.push(`${l.word.toString(16)} expands to undecodable ${w.toString(16)}`);
      }
    }
    assert.deepEqual(problems, []);
    for (const w of illegal) assert.ok(lines.some((l) => l.word === w), `fixture lacks ${w.toString(16)}`);
  });

  test(`rv${xlen}: all 49152 16-bit encodings match objdump`, () => {
    const lines = parseObjdump(readFixture(`rvc-all.rv${xlen}.objdump.txt.gz`));
    assert.equal(lines.length, 49152);
    checkAll(lines, xlen, `rvc-all.rv${xlen}`);
  });

  test(`rv${xlen}: 20000 pseudo-random 32-bit words match objdump`, () => {
    const lines = parseObjdump(readFixture(`random.rv${xlen}.objdump.txt.gz`));
    assert.deepEqual(lines.map((l) => l.word), randomWords(20000, 0x5eed + xlen));
    checkAll(lines, xlen, `random.rv${xlen}`);
  });
}

test('CSR operands use the names of the requested privileged spec', () => {
  const rows = readFixture('csr-names.txt')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(' ') as [PrivSpec, string, string]);
  for (const spec of ['1.10', '1.11', '1.12'] as const) {
    const named = new Map(rows.filter((r) => r[0] === spec).map((r) => [parseInt(r[1], 16), r[2]]));
    assert.ok(named.size > 300, `${spec}: only ${named.size} names`);
    for (let n = 0; n < 4096; n++) {
      assert.equal(csrName(n, spec), named.get(n), `csr 0x${n.toString(16)} under ${spec}`);
      const word = ((n << 20) | (10 << 7) | 0x2073) >>> 0; // csrrs a0, n, zero
      const text = disassemble(word, 4, 64, 0n, { privSpec: spec });
      if (![1, 2, 3, 0xc00, 0xc01, 0xc02].includes(n)) {
        assert.equal(text, `csrr\ta0,${named.get(n) ?? '0x' + n.toString(16)}`);
      }
    }
  }
});

test('format details', () => {
  assert.equal(disassemble(0x00000013, 4, 64), 'nop');
  assert.equal(disassemble(0x00008067, 4, 64), 'ret');
  assert.equal(disassemble(0x0001, 2, 64), 'nop');
  assert.equal(disassemble(0x8082, 2, 32), 'ret');
  assert.equal(disassemble(0x00500513, 4, 64), 'li\ta0,5');
  assert.equal(disassemble(0x4505, 2, 64), 'li\ta0,1');
  assert.equal(disassemble(0x0005851b, 4, 64), 'sext.w\ta0,a1');
  assert.equal(disassemble(0x0005851b, 4, 32), '.4byte\t0x5851b');
  assert.equal(disassemble(0x30002573, 4, 64), 'csrr\ta0,mstatus');
  assert.equal(disassemble(0x30051073, 4, 64), 'csrw\tmstatus,a0');
  assert.equal(disassemble(0xc0001073, 4, 64), 'unimp');
  assert.equal(disassemble(0x0000, 2, 64), 'unimp');
  assert.equal(disassemble(0x8000, 2, 64), '.2byte\t0x8000');
  assert.equal(disassemble(0x000d, 2, 64), 'c.nop\t3');
  assert.equal(disassemble(0x2501, 2, 64), 'sext.w\ta0,a0');
  assert.equal(disassemble(0x2501, 2, 32), 'jal\t600');
  // pc-relative targets: absolute hex, wrapped to XLEN
  assert.equal(disassemble(0xfedff06f, 4, 64, 0x80000014n), 'j\t80000000');
  assert.equal(disassemble(0xfedff06f, 4, 64), 'j\tffffffffffffffec');
  assert.equal(disassemble(0xfedff06f, 4, 32), 'j\tffffffec');
  assert.equal(disassemble(0xb7bd, 2, 64, 0x92n), 'j\t0');
  assert.equal(disassemble(0x0100000f, 4, 64), 'fence\tw,unknown');
  assert.equal(disassemble(0x00c5f553, 4, 64), 'fadd.s\tfa0,fa1,fa2');
  assert.equal(disassemble(0x00c5d553, 4, 64), 'fadd.s\tfa0,fa1,fa2,unknown');
  assert.equal(disassemble(0x30002573, 4, 64, 0n, { privSpec: '1.11' }), 'csrr\ta0,mstatus');
  assert.equal(disassemble(0x30a02573, 4, 64, 0n, { privSpec: '1.11' }), 'csrr\ta0,0x30a');
});
