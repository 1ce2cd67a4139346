/**
 * E-Trace cross-check against QEMU (part of `npm run test:qemu`): for each RISC-V guest (rv32 and
 * rv64, the golden E-Trace guests too), the PCs `tracehook etrace-decode` rebuilds from the
 * `-plugin etrace` stream equal the instructions QEMU 7.2 retired, taken from
 * `qemu-system-riscvXX -d exec,nochain,int -singlestep -icount shift=0,sleep=off`:
 * every `Trace` line from the ELF entry on is an instruction that started; one QEMU rewound
 * (`cpu_io_recompile: rewound execution of TB to X`) or left before it ran (`Stopped execution
 * of TB chain before ... [X]`) is logged again, so its first line goes; an instruction that raised
 * an exception (`async:0`, other than ecall/ebreak, which retire and raise) did not retire.
 * Both traces start at the ELF entry (QEMU's reset ROM has no image the decoder could read).
 *
 *     node --import tsx scripts/etrace/qemu-check.ts [--variant itype=4,implicit-return=on]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENTRY = 0x80000000n;

/** Retired PCs (lowercase hex) from a QEMU `-d exec,nochain,int -singlestep` log. */
export function qemuRetired(log: string): string[] {
  const pcs: bigint[] = [];
  let started = false;
  const dropLast = (pc: bigint): void => { if (pcs.length > 0 && pcs[pcs.length - 1] === pc) pcs.pop(); };
  for (const line of log.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]+)\//.exec(line))) {
      const pc = BigInt('0x' + m[1]);
      if (!started && pc === ENTRY) started = true;
      if (started) pcs.push(pc);
    } else if ((m = /^cpu_io_recompile: rewound execution of TB to ([0-9a-f]+)/.exec(line))) {
      dropLast(BigInt('0x' + m[1]));
    } else if ((m = /^Stopped execution of TB chain before .*\[([0-9a-f]+)\]/.exec(line))) {
      dropLast(BigInt('0x' + m[1]));
    } else if ((m = /^riscv_cpu_do_interrupt: .*async:0, .*epc:0x([0-9a-f]+), .*desc=(\S+)/.exec(line))) {
      if (!/ecall|breakpoint/.test(m[2]!)) dropLast(BigInt('0x' + m[1]));
    }
  }
  return pcs.map((p) => p.toString(16));
}

interface Case { name: string; arch: 'riscv64' | 'riscv32'; elf: string; extra: string[] }

function cases(): Case[] {
  const out: Case[] = [];
  const dir = join(ROOT, 'guests/riscv');
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)\.(rv32|rv64)\.elf$/.exec(f);
    // Workloads: ~70M single-stepped instructions in QEMU's log (gigabytes); smc rewrites its code.
    if (!m || m[1]!.startsWith('workload') || m[1] === 'smc') continue;
    if (m[1] === 'faults') {
      // QEMU 7.2 reports a faulting AMO with its load's cause (5, not the spec's 7: the accepted
      // deviation in scripts/fuzz/output.ts), and the guest's handler branches on the cause, so
      // the two instruction streams part there by design.
      console.log(`  ${m[1]}.${m[2]}: skipped (QEMU 7.2's AMO fault cause differs by design; the guest branches on it)`);
      continue;
    }
    out.push({ name: `${m[1]}.${m[2]}`, arch: m[2] === 'rv32' ? 'riscv32' : 'riscv64', elf: join(dir, f), extra: m[1] === 'semihost' ? ['-semihosting'] : [] });
  }
  const golden = join(ROOT, 'src/plugins/etrace/fixtures');
  for (const g of ['branchy', 'calls', 'jump_exc', 'priv_modes', 'timer_irq', 'rv32_mix']) {
    out.push({ name: `etrace/${g}`, arch: g === 'rv32_mix' ? 'riscv32' : 'riscv64', elf: join(golden, g, `${g}.elf`), extra: [] });
  }
  return out;
}

function main(): number {
  const { values } = parseArgs({ options: { variant: { type: 'string', default: 'itype=3' } } });
  const variant = values.variant!;
  const decodeFlags: string[] = [];
  if (/itype=4/.test(variant)) decodeFlags.push('--itype-width', '4');
  if (/implicit-return=on/.test(variant)) decodeFlags.push('--implicit-return');
  if (/full-address=on/.test(variant)) decodeFlags.push('--full-address');
  const q = spawnSync('qemu-system-riscv64', ['--version'], { encoding: 'utf8' });
  if (q.error || q.status !== 0) { console.log('etrace vs QEMU: qemu-system-riscv64 not found: skipped'); return 0; }
  const tmp = mkdtempSync(join(tmpdir(), 'etrace-qemu-'));
  let failed = 0, total = 0;
  try {
    for (const c of cases()) {
      total++;
      const log = join(tmp, 'q.log'), bin = join(tmp, 't.bin');
      const qr = spawnSync(`qemu-system-${c.arch}`, ['-M', 'virt', '-bios', 'none', '-kernel', c.elf, '-nographic', '-monitor', 'none', '-serial', 'null',
        ...c.extra, '-d', 'exec,nochain,int', '-singlestep', '-icount', 'shift=0,sleep=off', '-D', log], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
      if (qr.status === null) { console.log(`  ${c.name}: QEMU did not finish`); failed++; continue; }
      const want = qemuRetired(readFileSync(log, 'utf8'));
      const tr = spawnSync(process.execPath, [join(ROOT, `dist/cli/${c.arch}.js`), '-M', 'virt', '-bios', 'none', '-nographic', '-kernel', c.elf, ...c.extra,
        '-plugin', `etrace,start=0x80000000,${variant},out=${bin}`], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
      const dr = spawnSync(process.execPath, [join(ROOT, 'dist/cli/tracehook.js'), 'etrace-decode', '--elf', c.elf, bin, ...decodeFlags], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const got = dr.stdout.trim().split('\n');
      const same = tr.status === 0 && dr.status === 0 && got.length === want.length && got.every((p, i) => p === want[i]);
      if (!same) {
        failed++;
        const i = got.findIndex((p, k) => p !== want[k]);
        console.log(`  ${c.name}: DIFFERENT (tracehook exit ${tr.status}, decode exit ${dr.status} ${dr.stderr.trim()}; decoded ${got.length}, QEMU retired ${want.length}; first difference at ${i}: ${got[i]} vs ${want[i]})`);
      } else {
        console.log(`  ${c.name}: ${want.length} PCs identical`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`etrace (${variant}) decoded PCs vs QEMU -singlestep -d exec: ${total - failed}/${total} identical`);
  return failed === 0 ? 0 : 1;
}

// Run when started as a script (not when imported for qemuRetired).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
