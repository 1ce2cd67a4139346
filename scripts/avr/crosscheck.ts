/**
 * Side by side with avr8js: runs every AVR guest and sketch (scripts/avr/guests.ts) on tracehook
 * (in-process) and on the reference, avr8js with the datasheet corrections tracehook follows
 * (`REFERENCE_CORRECTIONS` in scripts/avr/avr8js.ts), and checks that USART output, every
 * interrupt entry (cycle, vector) and the end cycle are identical. With --plain it also runs plain
 * avr8js and says which corrections change what (turning each off in turn).
 *
 *     node --import tsx scripts/avr/crosscheck.ts [--only a,b] [--plain] [--verbose]
 *
 * Exit status 1 when some guest differs from the reference.
 */
import { CORRECTIONS, formatEvent, runAvr8js, type Avr8jsResult, type Correction } from './avr8js.js';
import { AVR_GUESTS, guestOptions, referenceOptions } from './guests.js';
import { runTracehookAvr, type TracehookAvrResult } from './tracehook.js';

type Run = Pick<Avr8jsResult, 'output' | 'events' | 'cycles'> & { stop: string };

/** The first difference between two runs, or undefined when identical. */
export function firstDifference(a: Run, b: Run): string | undefined {
  if (!a.output.equals(b.output)) {
    let i = 0;
    while (i < a.output.length && a.output[i] === b.output[i]) i++;
    return `output differs at byte ${i}: ${JSON.stringify(a.output.subarray(i, i + 30).toString('latin1'))} vs ${JSON.stringify(b.output.subarray(i, i + 30).toString('latin1'))}`;
  }
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    const x = a.events[i], y = b.events[i];
    const fx = x ? formatEvent(x) : '(none)', fy = y ? formatEvent(y) : '(none)';
    if (fx !== fy) return `event ${i} of ${a.events.length}/${b.events.length}: ${fx} vs ${fy}`;
  }
  if (a.cycles !== b.cycles || a.stop !== b.stop) return `end ${a.stop} ${a.cycles} vs ${b.stop} ${b.cycles}`;
  return undefined;
}

export function summary(r: Run): string {
  const m = new Map<string, number>();
  for (const e of r.events) m.set(e.name, (m.get(e.name) ?? 0) + 1);
  return `${r.stop} ${r.cycles}; ${[...m].map(([k, v]) => `${k} ${v}`).join(', ') || 'no interrupts'}; ${r.output.length} bytes out`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let only: string[] | undefined;
  let plain = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = (args[++i] ?? '').split(',');
    else if (args[i] === '--plain') plain = true;
    else throw new Error(`unknown option ${args[i]}`);
  }
  let bad = 0;
  for (const guest of AVR_GUESTS) {
    if (only && !only.includes(guest.name)) continue;
    const refOpts = referenceOptions(guest);
    const ref = runAvr8js(guest.hex, refOpts);
    const th: TracehookAvrResult = await runTracehookAvr(guest.elf, { input: refOpts.input, pins: refOpts.pins });
    const d = firstDifference(ref, th);
    if (d) bad++;
    const lines = [`## ${guest.name}`, `reference: ${summary(ref)}`, `tracehook: ${d ? summary(th) : 'identical'}${d ? `\n  DIFFERS: ${d}` : ''}`];
    if (plain) {
      const p = runAvr8js(guest.hex, guestOptions(guest));
      const pd = firstDifference(p, ref);
      lines.push(`plain avr8js: ${pd ? summary(p) : 'identical'}`);
      if (pd) {
        const matter: string[] = [];
        for (const c of CORRECTIONS) {
          if (!refOpts.corrections?.includes(c.name)) continue;
          const without = runAvr8js(guest.hex, { ...refOpts, corrections: refOpts.corrections.filter((x: Correction) => x !== c.name) });
          const wd = firstDifference(without, ref);
          if (wd) matter.push(`${c.name} (${wd.startsWith('output') ? 'output' : wd.startsWith('end') ? 'end cycle' : 'events'})`);
        }
        lines.push(`  corrections that change it: ${matter.join(', ') || 'none alone'}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (bad) {
    process.stdout.write(`${bad} guest(s) differ from the reference\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  main().catch((e: Error) => { process.stderr.write(`crosscheck: ${e.stack}\n`); process.exitCode = 1; });
}
