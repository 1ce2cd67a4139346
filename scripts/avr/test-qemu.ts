/**
 * The AVR part of `npm run test:qemu`: every AVR guest and sketch (scripts/avr/guests.ts) for
 * which QEMU 7.2's arduino-uno is a valid oracle runs on tracehook (the built CLI,
 * `node dist/cli/avr.js -M arduino-uno -nographic -bios GUEST.elf`, stdin = the guest's input)
 * and on `qemu-system-avr -M arduino-uno -nographic -bios GUEST.elf` (scripts/avr/qemu.ts: stops
 * at `done\n`, input sent once the guest's first output arrived), and the USART output must be
 * identical (and equal to the committed avr8js reference, guests/avr/expected/NAME.reference.txt).
 * The other guests are listed with the reason QEMU cannot run them (guests/avr/README.md, "What
 * QEMU 7.2's arduino-uno cannot do"); QEMU's output is not compared for them.
 *
 *     npm run build && node --import tsx scripts/avr/test-qemu.ts [--only NAME,...]
 *
 * Prints one line per guest (`ok`, `FAIL` with the first difference, or `skip` and why);
 * exits 1 if any failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AVR_GUESTS } from './guests.js';
import { runQemuAvr } from './qemu.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'avr.js');

function firstDiff(a: Buffer, b: Buffer): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `byte ${i}: ${JSON.stringify(a.subarray(i, i + 24).toString('latin1'))} vs ${JSON.stringify(b.subarray(i, i + 24).toString('latin1'))}`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let only: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = (args[++i] ?? '').split(',');
    else { process.stderr.write(`test-qemu (avr): unknown option ${args[i]}\n`); return 2; }
  }
  if (!existsSync(CLI)) { process.stderr.write('test-qemu (avr): dist/cli/avr.js missing: run npm run build\n'); return 2; }
  let passed = 0, failed = 0, skipped = 0;
  for (const g of AVR_GUESTS) {
    if (only && !only.includes(g.name)) continue;
    if (!g.qemuMatches) {
      skipped++;
      process.stdout.write(`skip avr ${g.name}: ${g.qemuWhyNot ?? 'QEMU is no oracle for it'}\n`);
      continue;
    }
    const input = g.input ?? '';
    const th = spawnSync(process.execPath, [CLI, '-M', 'arduino-uno', '-nographic', '-bios', join(ROOT, g.elf)], { input, timeout: 60_000, maxBuffer: 1 << 24 });
    const q = await runQemuAvr(join(ROOT, g.elf), { input: input ? new TextEncoder().encode(input) : undefined, timeoutMs: 30_000 });
    const ref = readFileSync(join(ROOT, 'guests', 'avr', 'expected', `${g.name}.reference.txt`));
    const problems: string[] = [];
    if (th.status !== 0) problems.push(`tracehook exit ${th.status ?? th.signal}: ${th.stderr.toString().trim()}`);
    if (q.stop !== 'until') problems.push(`QEMU stopped by ${q.stop} after ${q.seconds.toFixed(1)} s`);
    if (!th.stdout.equals(q.output)) problems.push(`output differs from QEMU's at ${firstDiff(th.stdout, q.output)}`);
    if (!th.stdout.equals(ref)) problems.push(`output differs from the avr8js reference at ${firstDiff(th.stdout, ref)}`);
    if (problems.length) { failed++; process.stdout.write(`FAIL avr ${g.name}: ${problems.join('; ')}\n`); }
    else { passed++; process.stdout.write(`ok   avr ${g.name}: ${th.stdout.length} bytes identical (QEMU ${q.seconds.toFixed(2)} s)\n`); }
  }
  process.stdout.write(`avr: ${passed} passed, ${failed} failed, ${skipped} skipped (QEMU is no oracle)\n`);
  return failed ? 1 : 0;
}

main().then((c) => { process.exitCode = c; }, (e: Error) => { process.stderr.write(`test-qemu (avr): ${e.stack}\n`); process.exitCode = 1; });
