/**
 * Golden outputs of the bundled plugins on deterministic guests (virtual time counts
 * instructions, so every run of a command prints the same bytes):
 *
 * - `traps` tables for timer, deleg and faults on rv32 and rv64;
 * - `insn` counts for ecall on rv32 and rv64 (inline and `inline=off` agree);
 * - `hotblocks,limit=5` on workload (rv64);
 * - the first 20 lines of `execlog` on ecall (rv64).
 *
 * Expected outputs live in test/golden/. Each command is run twice and must print the same bytes
 * both times; the numbers are also checked against independent sources (the guest's own printout,
 * `-d int`, `-singlestep -d exec`), so a golden file cannot silently record a wrong value.
 *
 * Regenerate after an intended change (a rebuilt guest, a new output format):
 *
 *     npm run build && UPDATE_GOLDEN=1 node --import tsx --test test/plugins-golden.test.ts
 *
 * test/golden/guests.sha256 records the guest ELFs the golden files were made from, so a failure
 * caused by a rebuilt guest says so.
 *
 * Hand checks made when the golden files were recorded (QEMU 7.2.22, same ELFs):
 * - the traps totals equal QEMU's `-d int` line counts (async:1 / async:0) for all six runs;
 * - the ecall insn counts (rv64 27661, rv32 38602) equal the number of `Trace` lines of
 *   `qemu-system-riscvXX -singlestep -d exec,nochain` (6 boot-ROM instructions included);
 * - the workload minstret figures the guest prints match QEMU with `-icount shift=0`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  ARCHES, BARE, ROOT, describeRun, guest, runCli, sha256File, xlenTag, type Arch, type RunResult,
} from './helpers.js';

const UPDATE = !!process.env['UPDATE_GOLDEN'] && process.env['UPDATE_GOLDEN'] !== '0';
const GOLDEN = join(ROOT, 'test', 'golden');
const MANIFEST = join(GOLDEN, 'guests.sha256');
const concurrency = Math.min(4, Math.max(2, availableParallelism()));

// ---------------------------------------------------------------------------------------------
// Golden files

function readManifest(): Map<string, string> {
  const m = new Map<string, string>();
  if (!existsSync(MANIFEST)) return m;
  for (const line of readFileSync(MANIFEST, 'utf8').split('\n')) {
    const x = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (x) m.set(x[2]!, x[1]!);
  }
  return m;
}

/** Guest ELFs used by golden files in this run (UPDATE_GOLDEN only), relative path → sha256. */
const used = new Map<string, string>();

after(() => {
  if (!UPDATE || used.size === 0) return;
  const all = readManifest();
  for (const [k, v] of used) all.set(k, v);
  const text = [...all.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${v}  ${k}\n`).join('');
  writeFileSync(MANIFEST, text);
});

/** Compare `actual` with test/golden/`name` (or write it, with UPDATE_GOLDEN=1). */
function golden(name: string, actual: string, guests: string[]): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    for (const g of guests) used.set(relative(ROOT, g), sha256File(g));
    return;
  }
  const regen = 'npm run build && UPDATE_GOLDEN=1 node --import tsx --test test/plugins-golden.test.ts';
  assert.ok(existsSync(file), `golden file test/golden/${name} is missing; create it with: ${regen}`);
  const expected = readFileSync(file, 'utf8');
  if (actual === expected) return;
  const manifest = readManifest();
  const changed = guests.filter((g) => manifest.get(relative(ROOT, g)) !== sha256File(g)).map((g) => relative(ROOT, g));
  const why = changed.length > 0
    ? `guest ELF(s) changed since the golden files were recorded: ${changed.join(', ')}. If that is expected, regenerate: ${regen}`
    : `output differs from test/golden/${name} (the guests are unchanged). If the change is intended, regenerate: ${regen}`;
  assert.equal(actual, expected, why);
}

// ---------------------------------------------------------------------------------------------
// Running

/** Run a command twice at once; both runs must succeed and print identical bytes. */
async function twice(arch: Arch, args: string[]): Promise<RunResult> {
  const [a, b] = await Promise.all([runCli(arch, args), runCli(arch, args)]);
  assert.equal(a.code, 0, describeRun(a));
  assert.equal(b.code, 0, describeRun(b));
  assert.ok(a.stdout === b.stdout, 'stdout differs between two identical runs');
  assert.ok(a.stderr === b.stderr, 'stderr differs between two identical runs');
  return a;
}

async function ok(arch: Arch, args: string[]): Promise<RunResult> {
  const r = await runCli(arch, args);
  assert.equal(r.code, 0, describeRun(r));
  return r;
}

const kernel = (name: string, arch: Arch) => [...BARE, '-kernel', guest(name, arch)];
const tag = (arch: Arch) => xlenTag(arch);
const xlenOf = (arch: Arch) => (arch === 'riscv64' ? 64 : 32);

/** `insns: N` → N (the only line the insn plugin prints for one vCPU). */
function insnCount(stderr: string): number {
  const m = /^insns: (\d+)$/m.exec(stderr);
  assert.ok(m, `no 'insns: N' line in ${JSON.stringify(stderr.slice(-300))}`);
  return Number(m[1]);
}

/** Run with `-singlestep -d exec,nochain -D FILE`: the PC of every executed instruction, in order. */
async function tracedPcs(arch: Arch, name: string): Promise<bigint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-trace-'));
  try {
    const log = join(dir, 'exec.log');
    await ok(arch, [...kernel(name, arch), '-singlestep', '-d', 'exec,nochain', '-D', log]);
    const pcs: bigint[] = [];
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]+)\//.exec(line);
      if (m) pcs.push(BigInt(`0x${m[1]}`));
    }
    return pcs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// traps

interface TrapsTable { rows: number[][]; total: number[] }

function parseTraps(table: string): TrapsTable {
  const lines = table.trimEnd().split('\n');
  assert.equal(lines[0], 'vcpu  | interrupts | exceptions | host calls');
  const row = (l: string) => {
    const m = /^(\S+) +\| +(\d+) \| +(\d+) \| +(\d+)$/.exec(l);
    assert.ok(m, `bad traps row ${JSON.stringify(l)}`);
    return { label: m[1]!, n: [Number(m[2]), Number(m[3]), Number(m[4])] };
  };
  const body = lines.slice(1).map(row);
  const total = body.pop()!;
  assert.equal(total.label, 'total');
  body.forEach((r, i) => assert.equal(r.label, String(i)));
  return { rows: body.map((r) => r.n), total: total.n };
}

/** What each guest's own console output says about its traps: [interrupts, exceptions] bounds. */
const GUEST_TRAPS: Record<string, (stdout: string, xlen: number) => { interrupts: number; minExceptions: number; exceptions?: number }> = {
  // timer prints how many interrupts each part took ("timer interrupts = 0x5", "interrupts
  // taken = 0x2", ...) and how many ecalls reached the vectored handler; it makes no other trap.
  timer(stdout) {
    let interrupts = 0;
    for (const m of stdout.matchAll(/^ {2}ok {3}(?:timer |software )?interrupts(?: taken| after setting MIE)? = 0x([0-9a-f]+)$/gm)) {
      interrupts += parseInt(m[1]!, 16);
    }
    const e = /^ {2}ok {3}ecalls = 0x([0-9a-f]+)$/m.exec(stdout);
    assert.ok(e, 'timer guest printed no ecall count');
    const exceptions = parseInt(e[1]!, 16);
    return { interrupts, minExceptions: exceptions, exceptions };
  },
  // deleg lists every trap its handlers saw ("event N: M-mode trap cause=..."); the runtime's
  // own ecalls that return from m_run() are not listed, so exceptions are a lower bound.
  deleg(stdout, xlen) {
    let interrupts = 0, exceptions = 0;
    for (const m of stdout.matchAll(/^ {2}ok {3}event \d+: [MS]-mode trap cause=([0-9a-f]+) /gm)) {
      if (BigInt(`0x${m[1]}`) >> BigInt(xlen - 1) === 1n) interrupts++;
      else exceptions++;
    }
    return { interrupts, minExceptions: exceptions };
  },
  // faults prints one "traps=1" line per fault taken (plus m_run() return ecalls, not listed).
  faults(stdout) {
    return { interrupts: 0, minExceptions: [...stdout.matchAll(/ traps=1 /g)].length };
  },
};

describe('traps golden tables', { concurrency }, () => {
  for (const name of ['timer', 'deleg', 'faults']) {
    for (const arch of ARCHES) {
      it(`${name} on ${arch}`, async () => {
        const withInt = await twice(arch, [...kernel(name, arch), '-plugin', 'traps', '-d', 'int']);
        const plain = await ok(arch, [...kernel(name, arch), '-plugin', 'traps']);
        assert.match(plain.stdout, new RegExp(`^PASS ${name} `, 'm'));
        // -d int goes to the same stream as the table, before it.
        const intLines = withInt.stderr.split('\n').filter((l) => l.startsWith('riscv_cpu_do_interrupt: '));
        const table = withInt.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('riscv_cpu_do_interrupt: ')).join('\n') + '\n';
        assert.equal(plain.stderr, table, 'the table changed when -d int was added');
        assert.equal(plain.stdout, withInt.stdout, 'the guest output changed when -d int was added');

        const t = parseTraps(table);
        assert.equal(t.rows.length, 1);
        assert.deepEqual(t.rows[0], t.total);
        const [interrupts, exceptions, hostcalls] = t.total as [number, number, number];
        assert.equal(interrupts, intLines.filter((l) => / async:1,/.test(l)).length, 'interrupts vs -d int');
        assert.equal(exceptions, intLines.filter((l) => / async:0,/.test(l)).length, 'exceptions vs -d int');
        assert.equal(hostcalls, 0, 'no semihosting in these guests');

        const own = GUEST_TRAPS[name]!(plain.stdout, xlenOf(arch));
        assert.equal(interrupts, own.interrupts, 'interrupts vs the guest\'s own count');
        assert.ok(exceptions >= own.minExceptions, `exceptions ${exceptions} < ${own.minExceptions} the guest reported`);
        if (own.exceptions !== undefined) assert.equal(exceptions, own.exceptions, 'exceptions vs the guest\'s own count');
        assert.ok(interrupts + exceptions > 0);

        golden(`traps-${name}.${tag(arch)}.txt`, table, [guest(name, arch)]);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// insn

describe('insn counts', { concurrency }, () => {
  for (const arch of ARCHES) {
    it(`ecall on ${arch}: golden count, inline = callback = executed-instruction trace`, async () => {
      const inline = await twice(arch, [...kernel('ecall', arch), '-plugin', 'insn']);
      const n = insnCount(inline.stderr);
      assert.equal(inline.stderr, `insns: ${n}\n`);
      const callback = await ok(arch, [...kernel('ecall', arch), '-plugin', 'insn,inline=off']);
      assert.equal(callback.stderr, inline.stderr, 'inline=off counts differently');
      const pcs = await tracedPcs(arch, 'ecall');
      assert.equal(pcs.length, n, 'insn count vs Trace lines of -singlestep -d exec,nochain');
      assert.equal(pcs[0], 0x1000n, 'execution starts in the boot ROM');
      golden(`insn-ecall.${tag(arch)}.txt`, inline.stderr, [guest('ecall', arch)]);
    });

    // Traps in the middle of blocks (faults, deleg) and interrupts (timer): the inline counter
    // must not count an instruction that did not start, nor miss one.
    for (const name of ['faults', 'deleg', 'timer']) {
      it(`${name} on ${arch}: inline and inline=off agree`, async () => {
        const [a, b] = await Promise.all([
          ok(arch, [...kernel(name, arch), '-plugin', 'insn']),
          ok(arch, [...kernel(name, arch), '-plugin', 'insn,inline=off']),
        ]);
        assert.equal(insnCount(a.stderr), insnCount(b.stderr));
        assert.equal(a.stdout, b.stdout, 'the guest output depends on how insn counts');
      });
    }
  }

  it('workload on riscv64: inline = inline=off, and close to the minstret the guest prints', { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([
      ok('riscv64', [...kernel('workload', 'riscv64'), '-plugin', 'insn']),
      ok('riscv64', [...kernel('workload', 'riscv64'), '-plugin', 'insn,inline=off']),
    ]);
    const n = insnCount(a.stderr);
    assert.equal(insnCount(b.stderr), n, 'inline=off counts differently');
    // "minstret: crc C, matmul M, total T": T instructions between two reads of minstret; the
    // whole run adds the boot, the .bss clearing, printing and exit around them.
    const m = /^minstret: crc (\d+), matmul (\d+), total (\d+) /m.exec(a.stdout);
    assert.ok(m, describeRun(a));
    const total = Number(m[3]);
    assert.equal(Number(m[1]) + Number(m[2]), total);
    assert.ok(total > 90_000_000, `minstret total ${total}`);
    assert.ok(n > total && n - total < total / 100, `insn count ${n} vs minstret total ${total}`);
  });
});

// ---------------------------------------------------------------------------------------------
// hotblocks

describe('hotblocks golden output', () => {
  it('workload on riscv64, limit=5', { timeout: 120_000 }, async () => {
    const args = [...kernel('workload', 'riscv64'), '-plugin', 'hotblocks,limit=5'];
    const [r, both] = await Promise.all([
      twice('riscv64', args),
      ok('riscv64', [...args, '-plugin', 'insn']),
    ]);
    assert.match(r.stdout, /^PASS workload /m);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^collected \d+ entries in the hash table$/);
    assert.equal(lines[1], 'pc, tcount, icount, ecount');
    const rows = lines.slice(2).map((l) => {
      const m = /^0x([0-9a-f]{16}), (\d+), (\d+), (\d+)$/.exec(l);
      assert.ok(m, `bad hotblocks row ${JSON.stringify(l)}`);
      return { pc: BigInt(`0x${m[1]}`), tcount: Number(m[2]), icount: Number(m[3]), ecount: Number(m[4]) };
    });
    assert.equal(rows.length, 5);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.ecount >= rows[i]!.ecount, 'not sorted by ecount');
    for (const b of rows) {
      assert.ok(b.pc >= 0x80000000n && b.tcount >= 1 && b.icount >= 1 && b.ecount >= 1, JSON.stringify(b, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v));
    }
    // The CRC's per-byte loop tail runs once per byte: CRC_PASSES (12) x BUF_SIZE (65536).
    assert.ok(rows.some((b) => b.ecount === 12 * 65536), 'no block ran 12 x 65536 times');
    // The instructions of the hottest blocks are a part of all instructions.
    const n = insnCount(both.stderr);
    const hot = rows.reduce((s, b) => s + b.icount * b.ecount, 0);
    assert.ok(hot <= n && hot > n / 2, `top-5 blocks ${hot} instructions of ${n}`);
    // Adding insn does not change what hotblocks sees.
    assert.ok(both.stderr.startsWith(r.stderr), 'hotblocks output changed when insn was loaded too');
    golden('hotblocks-workload.rv64.txt', r.stderr, [guest('workload', 'riscv64')]);
  });
});

// ---------------------------------------------------------------------------------------------
// execlog

/** An execlog line: vCPU, PC, opcode, "disassembly", then `, load|store, 0xADDRESS` per access. */
const EXECLOG_LINE = /^0, 0x([0-9a-f]+), 0x[0-9a-f]+, "[^"]+"((?:, (?:load|store), 0x\S+)*)$/;

describe('execlog golden output', () => {
  let full: Promise<RunResult> | undefined;
  const execlog = () => (full ??= twice('riscv64', [...kernel('ecall', 'riscv64'), '-plugin', 'execlog']));

  it('ecall on riscv64: first 20 lines; one line per executed instruction', async () => {
    const [r, pcs] = await Promise.all([execlog(), tracedPcs('riscv64', 'ecall')]);
    assert.match(r.stdout, /^PASS ecall /m);
    const lines = r.stderr.trimEnd().split('\n');
    const logged = lines.map((l) => {
      const m = EXECLOG_LINE.exec(l);
      assert.ok(m, `bad execlog line ${JSON.stringify(l)}`);
      return BigInt(`0x${m[1]}`);
    });
    // Every executed instruction, in order: the same sequence as -singlestep -d exec.
    assert.equal(logged.length, pcs.length, 'execlog lines vs Trace lines of -singlestep -d exec,nochain');
    assert.ok(logged.every((pc, i) => pc === pcs[i]), 'execlog PCs differ from the -d exec trace');
    const head = lines.slice(0, 20);
    // The boot ROM (6 instructions at 0x1000, as QEMU's virt) then the guest's _start.
    assert.match(head[0]!, /^0, 0x1000, /);
    assert.match(head[6]!, /^0, 0x80000000, /);
    // The boot ROM's `ld a1,32(t0)` with t0 = 0x1000 loads from 0x1020.
    assert.ok(head.includes('0, 0x100c, 0x202b583, "ld a1,32(t0)", load, 0x00001020'), head.join('\n'));
    golden('execlog-ecall.rv64.txt', head.join('\n') + '\n', [guest('ecall', 'riscv64')]);
  });

  // Addresses of 0x80000000 and up once printed as negative hex ("store, 0x-7fffef00").
  it('ecall on riscv64: memory addresses are unsigned hex', async () => {
    const r = await execlog();
    const bad: string[] = [];
    let ram = 0;
    for (const line of r.stderr.trimEnd().split('\n')) {
      for (const m of (EXECLOG_LINE.exec(line)?.[2] ?? '').matchAll(/, (?:load|store), (0x\S+)/g)) {
        if (!/^0x[0-9a-f]{8,16}$/.test(m[1]!)) { if (bad.length < 3) bad.push(line); continue; }
        if (BigInt(m[1]!) >= 0x80000000n) ram++;
      }
    }
    assert.deepEqual(bad, [], 'malformed addresses');
    assert.ok(ram > 1000, `only ${ram} accesses to RAM (0x80000000 and up) logged`);
  });
});
