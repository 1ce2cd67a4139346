/**
 * Runs every AVR guest and sketch (scripts/avr/guests.ts) on avr8js and on QEMU 7.2 and prints
 * a summary: avr8js's stop reason, cycles and interrupt entries per vector (with the guest's
 * reference options, plain avr8js where those differ, and with the datasheet's interrupt
 * timing, `--datasheet`), and whether QEMU's USART output is
 * the same. With --out DIR, writes NAME.avr8js.txt, NAME.avr8js-events.txt and NAME.qemu.txt.
 *
 *     node --import tsx scripts/avr/compare.ts [--out DIR] [--only NAME,...] [--no-qemu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatEvent, runAvr8js, type Avr8jsResult } from './avr8js.js';
import { AVR_GUESTS, guestOptions } from './guests.js';
import { runQemuAvr } from './qemu.js';

function vectorCounts(r: Avr8jsResult): string {
  const m = new Map<string, number>();
  for (const e of r.events) m.set(e.name, (m.get(e.name) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out: string | undefined;
  let only: string[] | undefined;
  let qemu = true;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--only') only = (args[++i] ?? '').split(',');
    else if (args[i] === '--no-qemu') qemu = false;
    else throw new Error(`unknown option ${args[i]}`);
  }
  if (out) mkdirSync(out, { recursive: true });
  let differ = 0;
  for (const guest of AVR_GUESTS) {
    if (only && !only.includes(guest.name)) continue;
    const r = runAvr8js(guest.hex, guestOptions(guest));
    const lines = [`## ${guest.name}`, `avr8js: ${r.stop} at cycle ${r.cycles}; interrupt entries ${r.events.filter((e) => e.kind === 'int').length} (${vectorCounts(r)})`];
    if (guest.avr8js) {
      const p = runAvr8js(guest.hex, guestOptions(guest, true));
      const same = p.output.equals(r.output);
      lines.push(`plain avr8js: ${p.stop} at cycle ${p.cycles}; ${vectorCounts(p)}; output ${same ? 'the same' : 'differs'}`);
      if (out) writeFileSync(join(out, `${guest.name}.avr8js-plain.txt`), p.output);
    }
    {
      const d = runAvr8js(guest.hex, { ...guestOptions(guest), datasheet: true });
      const same = d.output.equals(r.output);
      lines.push(`--datasheet: ${d.stop} at cycle ${d.cycles}; output ${same ? 'the same' : 'differs'}`);
      if (out && !same) writeFileSync(join(out, `${guest.name}.avr8js-datasheet.txt`), d.output);
    }
    if (out) {
      writeFileSync(join(out, `${guest.name}.avr8js.txt`), r.output);
      writeFileSync(join(out, `${guest.name}.avr8js-events.txt`), r.events.map(formatEvent).join('\n') + `\nend ${r.cycles} ${r.stop}\n`);
    }
    if (qemu) {
      const q = await runQemuAvr(guest.elf, {
        input: guest.input ? new TextEncoder().encode(guest.input) : undefined,
        timeoutMs: guest.qemuMatches ? 20_000 : 3_000,
      });
      const same = q.output.equals(r.output);
      if (same !== guest.qemuMatches) differ++;
      lines.push(`qemu: ${q.stop} after ${q.seconds.toFixed(2)} s; output ${same ? 'identical' : `differs (${q.output.length} vs ${r.output.length} bytes)`}${same === guest.qemuMatches ? '' : '  <-- UNEXPECTED'}`);
      if (out) writeFileSync(join(out, `${guest.name}.qemu.txt`), q.output);
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (differ) {
    process.stdout.write(`${differ} guest(s) where QEMU did not do as expected\n`);
    process.exitCode = 1;
  }
}

main().catch((e: Error) => { process.stderr.write(`compare: ${e.message}\n`); process.exitCode = 1; });
