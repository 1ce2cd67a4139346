/**
 * Runs an ATmega328P program on QEMU 7.2's `arduino-uno` board:
 * `qemu-system-avr -M arduino-uno -nographic -bios IMAGE` (an ELF as is; a HEX is converted to
 * a raw flash image in a temporary file, which `-bios` loads at address 0). QEMU refuses
 * `-icount` for AVR and its timers run on host time, and its board has no Timer/Counter0/2,
 * watchdog, EEPROM, external or pin-change interrupts (see guests/avr/README.md), so it is the
 * reference for plain USART output only. The run ends when the output contains `until`
 * (default: the guests' last line, "done\n"), when QEMU exits, or after `timeoutMs`.
 * USART input (`input`) is written to QEMU's stdin (the -nographic console multiplexer: a
 * Ctrl-A byte would be taken as an escape) when the guest's first output arrives: input that
 * reaches QEMU before the guest sets RXEN0 stays in the console's buffer and is never delivered
 * (QEMU's USART asks for more input only when UDR0 is read, not when the receiver is enabled).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAvrImage } from './image.js';

export interface QemuAvrOptions {
  input?: Uint8Array;
  timeoutMs?: number;
  until?: string | null;
  qemu?: string;
}

export interface QemuAvrResult {
  output: Buffer;
  stop: 'until' | 'timeout' | 'exit';
  stderr: string;
  seconds: number;
}

export function runQemuAvr(image: string, opts: QemuAvrOptions = {}): Promise<QemuAvrResult> {
  const until = opts.until === undefined ? 'done\n' : opts.until;
  let bios = image;
  let tmp: string | undefined;
  if (!/\.elf$/i.test(image)) {
    const { flash, end } = loadAvrImage(image);
    tmp = mkdtempSync(join(tmpdir(), 'avr-qemu-'));
    bios = join(tmp, 'flash.bin');
    writeFileSync(bios, flash.subarray(0, end));
  }
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.qemu ?? 'qemu-system-avr', ['-M', 'arduino-uno', '-nographic', '-bios', bios], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    let stop: QemuAvrResult['stop'] = 'exit';
    let done = false;
    const finish = (why: QemuAvrResult['stop']): void => {
      if (done) return;
      done = true;
      stop = why;
      clearTimeout(timer);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 10_000);
    let inputSent = false;
    child.stdout.on('data', (d: Buffer) => {
      if (done) return;
      if (!inputSent && opts.input?.length) {
        inputSent = true;
        child.stdin.write(opts.input);
      }
      chunks.push(d);
      if (until !== null && Buffer.concat(chunks).includes(until)) finish('until');
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', () => {
      clearTimeout(timer);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      let output = Buffer.concat(chunks);
      if (until !== null && stop === 'until') output = output.subarray(0, output.indexOf(until) + until.length);
      resolve({ output, stop: done ? stop : 'exit', stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    });
    // stdin stays open (an open pipe is what a terminal gives)
  });
}
