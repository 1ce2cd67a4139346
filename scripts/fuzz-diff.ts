/**
 * Differential fuzzer: random RISC-V instruction sequences run on tracehook and on QEMU 7.2, both
 * with -icount shift=0,sleep=off, outputs compared exactly; differences are minimised and printed
 * with disassembly and both outputs. Exit status 1 if any case differs, 2 on a usage error.
 *
 *   npm run build
 *   node --import tsx scripts/fuzz-diff.ts --seed 1 --count 2000 [--xlen 32|64] [--group alu,mem] [--len 100]
 *   node --import tsx scripts/fuzz-diff.ts --fixed      # CI: fixed seeds, under 2 minutes
 *
 * How it works: scripts/fuzz/README.md.
 */
import { main } from './fuzz/cli.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`fuzz-diff: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 3;
}
