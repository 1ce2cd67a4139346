/**
 * Runs an ATmega328P program (Intel HEX or ELF) on avr8js: the reference for tracehook-avr's
 * USART output and cycle counts. See scripts/avr/avr8js.ts for what is modelled and when it stops.
 *
 *     node --import tsx scripts/avr8js-run.ts [options] guest.hex|guest.elf [< input]
 *
 *   --events             after the run, print on stderr one line per interrupt entry
 *                        (`int CYCLE vector N NAME from 0xRETADDR`) and watchdog reset, then
 *                        `end CYCLES sleep|limit|sleep-forever pc 0xPC`
 *   --max-cycles N       stop at N cycles (default 2e9)
 *   --pin D2=1@100000    drive an input pin (port B/C/D, bit, level) from that cycle on; repeatable
 *   --adc 0=2.5          ADC input CH at VOLTS; repeatable
 *   --reference          apply every datasheet correction below: the reference tracehook-avr is
 *                        checked against (scripts/avr/crosscheck.ts); without it, plain avr8js
 *   --fix NAME[,NAME]    apply these corrections (repeatable); `--help` lists them with their
 *                        datasheet references (CORRECTIONS in scripts/avr/avr8js.ts):
 *                        entry-4, sei-delay, reti-delay, sleep, eeprom-irq, eeprom-time, cbi-2,
 *                        int-flag-masked, usart-tx-buffer, ucsr0a-write, wdt-reset-io, clock-events
 *   --sleep              = --fix sleep;  --fix-eeprom-irq = --fix eeprom-irq;
 *   --datasheet          = --fix entry-4,sei-delay,reti-delay (the older spellings)
 *   --time               print the wall time and cycles per second on stderr
 *   --eeprom             print the EEPROM bytes that are not 0xff on stderr at the end
 *
 * USART0 output goes to stdout. USART0 input: stdin when it is not a terminal (read whole first),
 * delivered back to back at the guest's baud rate once it enables the receiver.
 * Exit status: 0 when the guest ended with SLEEP and I = 0, 2 at the cycle limit, 1 on errors.
 */
import { readFileSync } from 'node:fs';
import { ALL_CORRECTIONS, CORRECTIONS, formatEvent, parsePinDrive, runAvr8js, type Correction, type PinDrive } from './avr/avr8js.js';

function help(): string {
  return 'usage: avr8js-run.ts [--events] [--max-cycles N] [--pin D2=1@CYCLE]... [--adc CH=VOLTS]... [--reference | --fix NAME,...] [--time] [--eeprom] guest.hex|elf [< input]\n\n'
    + 'Plain avr8js 0.21.1 unless corrections are given. Corrections (--reference: all of them):\n'
    + CORRECTIONS.map((c) => `  ${c.name.padEnd(16)} ${c.doc}\n`).join('');
}

function main(): number {
  const args = process.argv.slice(2);
  let fixEepromIrq = false, datasheet = false;
  let events = false, sleepModel = false, time = false, eeprom = false;
  let maxCycles: number | undefined;
  const pins: PinDrive[] = [];
  const corrections = new Set<Correction>();
  const adc: { channel: number; volts: number }[] = [];
  let image: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--events') events = true;
    else if (a === '--sleep') sleepModel = true;
    else if (a === '--time') time = true;
    else if (a === '--fix-eeprom-irq') fixEepromIrq = true;
    else if (a === '--datasheet') datasheet = true;
    else if (a === '--eeprom') eeprom = true;
    else if (a === '--max-cycles') maxCycles = Number(args[++i]);
    else if (a === '--pin') pins.push(parsePinDrive(args[++i] ?? ''));
    else if (a === '--adc') {
      const m = /^([0-7])=(\d+(?:\.\d*)?)$/.exec(args[++i] ?? '');
      if (!m) throw new Error(`bad --adc ${args[i]} (expected CH=VOLTS, e.g. 0=2.5)`);
      adc.push({ channel: Number(m[1]), volts: Number(m[2]) });
    }
    else if (a === '--reference') for (const c of ALL_CORRECTIONS) corrections.add(c);
    else if (a === '--fix') {
      for (const c of (args[++i] ?? '').split(',')) {
        if (!ALL_CORRECTIONS.includes(c as Correction)) throw new Error(`unknown correction '${c}' (${ALL_CORRECTIONS.join(', ')})`);
        corrections.add(c as Correction);
      }
    } else if (a === '--help' || a === '-h') { process.stdout.write(help()); return 0; }
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (image) throw new Error('one image only');
    else image = a;
  }
  if (!image) throw new Error(help().split('\n')[0]!);
  const input = process.stdin.isTTY ? new Uint8Array(0) : new Uint8Array(readFileSync(0));
  const t0 = process.hrtime.bigint();
  const r = runAvr8js(image, { input, maxCycles, pins, sleepModel, fixEepromIrq, datasheet, corrections: [...corrections], adc });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(r.output);
  if (events) {
    const lines = r.events.map(formatEvent);
    lines.push(`end ${r.cycles} ${r.stop} pc 0x${r.pc.toString(16).padStart(4, '0')}`);
    process.stderr.write(lines.join('\n') + '\n');
  }
  if (eeprom) {
    const used: string[] = [];
    r.eeprom.forEach((b, a) => { if (b !== 0xff) used.push(`${a.toString(16).padStart(3, '0')}:${b.toString(16).padStart(2, '0')}`); });
    process.stderr.write(`eeprom ${used.join(' ')}\n`);
  }
  if (time) process.stderr.write(`avr8js: ${r.cycles} cycles in ${secs.toFixed(3)} s = ${(r.cycles / secs / 1e6).toFixed(1)} M cycles/s (run loop only)\n`);
  return r.stop === 'sleep' ? 0 : 2;
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`avr8js-run: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
