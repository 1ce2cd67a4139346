#!/usr/bin/env node
/** `tracehook ARCH ...`: the same as `tracehook-ARCH ...`. */
import { runCli } from './main.js';

const arch = process.argv[2];
if (arch !== 'riscv64' && arch !== 'riscv32') {
  process.stderr.write(`tracehook: usage: tracehook riscv64|riscv32 [QEMU options] (got '${arch ?? ''}')\n`);
  process.exit(1);
}
process.argv.splice(2, 1);
runCli(`tracehook-${arch}`, arch);
