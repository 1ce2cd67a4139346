/**
 * Runs every AVR guest and sketch (scripts/avr/guests.ts) on avr8js and on QEMU 7.2 and prints
 * a summary: the reference run's (avr8js with every datasheet correction, referenceOptions) stop
 * reason, cycles and interrupt entries per vector, plain avr8js's, and whether QEMU's USART
 * output is the reference's. With --out DIR (`make expected` in guests/avr), writes
 * NAME.reference.txt / NAME.reference-events.txt (what tracehook must print and do:
 * src/machines/arduino-uno-avr8js.test.ts), NAME.avr8js.txt / NAME.avr8js-events.txt (plain
 * avr8js) and NAME.qemu.txt.
 *
 *     node --import tsx scripts/avr/compare.ts [--out DIR] [--only NAME,...] [--no-qemu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatEvent, runAvr8js, type Avr8jsResult } from './avr8js.js';
import { AVR_GUESTS, guestOptions, referenceOptions } from './guests.js';

/** The events file: one line per interrupt entry / watchdog reset, then `end CYCLES STOP`. */
export function formatEvents(r: Pick<Avr8jsResult, 'events' | 'cycles' | 'stop'>): string {
  return r.events.map(formatEvent).join('\n') + (r.events.length ? '\n' : '') + `end ${r.cycles} ${r.stop}\n`;
}
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
    const r = runAvr8js(guest.hex, referenceOptions(guest));
    const lines = [`## ${guest.name}`, `reference: ${r.stop} at cycle ${r.cycles}; interrupt entries ${r.events.filter((e) => e.kind === 'int').length} (${vectorCounts(r)})`];
    const p = runAvr8js(guest.hex, guestOptions(guest));
    lines.push(`plain avr8js: ${p.stop} at cycle ${p.cycles}; ${vectorCounts(p)}; output ${p.output.equals(r.output) ? 'the same' : 'differs'}`);
    if (out) {
      writeFileSync(join(out, `${guest.name}.reference.txt`), r.output);
      writeFileSync(join(out, `${guest.name}.reference-events.txt`), formatEvents(r));
      writeFileSync(join(out, `${guest.name}.avr8js.txt`), p.output);
      writeFileSync(join(out, `${guest.name}.avr8js-events.txt`), formatEvents(p));
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

if (process.argv[1]?.endsWith('compare.ts')) main().catch((e: Error) => { process.stderr.write(`compare: ${e.message}\n`); process.exitCode = 1; });
