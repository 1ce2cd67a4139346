#!/usr/bin/env node
/**
 * `tracehook ARCH ...`: the same as `tracehook-ARCH ...`;
 * `tracehook etrace-decode ...`: decode an E-Trace instruction trace (src/cli/etrace-decode.ts).
 */
const ARCHES = ['riscv64', 'riscv32', 'avr', 'arm'] as const;
const arch = process.argv[2];
if (arch === 'etrace-decode') {
  const { runEtraceDecode } = await import('./etrace-decode.js');
  process.exitCode = runEtraceDecode(process.argv.slice(3));
} else {
  if (!(ARCHES as readonly string[]).includes(arch ?? '')) {
    process.stderr.write(`tracehook: usage: tracehook ${ARCHES.join('|')} [QEMU options] | tracehook etrace-decode --elf FILE TRACE [options] (got '${arch ?? ''}')\n`);
    process.exit(1);
  }
  process.argv.splice(2, 1);
  if (arch === 'arm') {
    const { runArmCli } = await import('./arm-main.js');
    runArmCli();
  } else if (arch === 'avr') {
    const { runAvrCli } = await import('./avr-main.js');
    runAvrCli();
  } else {
    const { runCli } = await import('./main.js');
    runCli(`tracehook-${arch}`, arch as 'riscv64' | 'riscv32');
  }
}
