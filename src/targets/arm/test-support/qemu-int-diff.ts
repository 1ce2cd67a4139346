/**
 * Compare `-d int` of the exception model with QEMU 7.2 on the same ELF (mps2-an385 memory map:
 * RAM at 0 and 0x20000000, nothing at 0x30000000), under -icount shift=0,sleep=off:
 *
 *   npx tsx src/targets/arm/test-support/qemu-int-diff.ts FILE.s [--save]
 *
 * `--save` records the binary and QEMU's log in fixtures/qemu-int.json (keyed by the file's base
 * name), which qemu-int.test.ts replays without QEMU. The programs are in test-support/qemu-int/.
 *
 * The program must end with semihosting SYS_EXIT (r0 = 0x18, bkpt 0xab). Prints the first
 * differing line, or "identical". QEMU's first line (a reset before the image is loaded) is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bus } from '../../../core/bus.js';
import { VirtualClock } from '../../../core/clock.js';
import { Runner } from '../../../core/runner.js';
import { PluginHost } from '../../../plugin/host.js';
import { buildArmCore } from '../system.js';

const src = process.argv[2]!;
const dir = mkdtempSync(join(tmpdir(), 'tracehook-qint-'));
execFileSync('arm-none-eabi-as', ['-o', join(dir, 'p.o'), src]);
execFileSync('arm-none-eabi-ld', ['-Ttext=0', '-e', '0', '-o', join(dir, 'p.elf'), join(dir, 'p.o')]);
execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', join(dir, 'p.elf'), join(dir, 'p.bin')]);
try {
  execFileSync('qemu-system-arm', ['-M', 'mps2-an385', '-nographic', '-semihosting', '-kernel', join(dir, 'p.elf'), '-d', 'int', '-icount', 'shift=0,sleep=off', '-D', join(dir, 'q.log')], { timeout: 30_000, stdio: 'ignore' });
} catch { /* a lockup aborts QEMU: compare up to there */ }
// QEMU's lockup report is followed by a register dump: compare up to the fatal line.
const qlog = readFileSync(join(dir, 'q.log'), 'utf8').split('\n').slice(1);
const fatal = qlog.findIndex((l) => l.startsWith('qemu: fatal:'));
const want = fatal >= 0 ? [...qlog.slice(0, fatal + 1), ''] : qlog;

if (process.argv[3] === '--save') {
  const file = fileURLToPath(new URL('../fixtures/qemu-int.json', import.meta.url));
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, { bin: string; log: string }> : {};
  all[basename(src, '.s')] = { bin: readFileSync(join(dir, 'p.bin')).toString('hex'), log: want.join('\n') };
  writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
}

const bus = new Bus('little');
const ram0 = bus.addRam('ssram1', 0, 0x400000);
const ram1 = bus.addRam('ssram23', 0x20000000, 0x800000);
const clock = new VirtualClock(0);
const host = new PluginHost();
let log = '';
let runner: Runner<never, never> | undefined;
const core = buildArmCore({
  bus, clock, host, cpuHz: 25_000_000, fastRams: [ram0, ram1], intLog: (l) => { log += l; },
  semihosting: (cpu) => { if (cpu.r[0] === 0x18) { runner!.requestExit(0); return true; } return false; },
});
bus.load(0, new Uint8Array(readFileSync(join(dir, 'p.bin'))));
clock.addSource(core.cpu);
const r = new Runner(clock, [core.cpu], core.engine, { maxInsns: 10_000_000, inputOpen: () => false, waitInput: () => Promise.resolve() });
runner = r as unknown as Runner<never, never>;
core.reset();
try { await r.run(); } catch (e) { log += `qemu: fatal: ${(e as Error).message}\n`; } // QEMU's wording for a stop
const got = log.split('\n');
for (let i = 0; i < Math.max(want.length, got.length); i++) {
  if (want[i] !== got[i]) {
    console.log(`line ${i + 1}:\n  qemu: ${want[i] ?? '(end)'}\n  ours: ${got[i] ?? '(end)'}`);
    process.exit(1);
  }
}
console.log(`identical (${got.length - 1} lines)`);
