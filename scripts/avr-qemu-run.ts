/**
 * Runs an ATmega328P program on QEMU 7.2 (`qemu-system-avr -M arduino-uno -nographic -bios`)
 * and prints its USART output: the reference for plain USART output (see scripts/avr/qemu.ts).
 *
 *     node --import tsx scripts/avr-qemu-run.ts [--timeout SECONDS] [--until TEXT|--no-until] [--time] guest.elf|guest.hex [< input]
 *
 * Stops when the output contains TEXT (default "done\n", the guests' last line), or after the
 * timeout (default 10 s). stdin, when not a terminal, is read whole and sent to the USART.
 * Exit status: 0 when TEXT was seen, 2 on timeout, 1 on errors.
 */
import { readFileSync } from 'node:fs';
import { runQemuAvr } from './avr/qemu.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let timeoutMs = 10_000;
  let until: string | null = 'done\n';
  let time = false;
  let image: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--timeout') timeoutMs = Number(args[++i]) * 1000;
    else if (a === '--until') until = (args[++i] ?? '').replace(/\\n/g, '\n');
    else if (a === '--no-until') until = null;
    else if (a === '--time') time = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else image = a;
  }
  if (!image) throw new Error('usage: avr-qemu-run.ts [--timeout S] [--until TEXT] guest.elf|hex');
  const input = process.stdin.isTTY ? undefined : new Uint8Array(readFileSync(0));
  const r = await runQemuAvr(image, { input, timeoutMs, until });
  process.stdout.write(r.output);
  if (time || r.stop !== 'until') process.stderr.write(`qemu: stopped by ${r.stop} after ${r.seconds.toFixed(3)} s\n`);
  return r.stop === 'until' ? 0 : 2;
}

main().then((c) => { process.exitCode = c; }, (e: Error) => {
  process.stderr.write(`avr-qemu-run: ${e.message}\n`);
  process.exitCode = 1;
});
