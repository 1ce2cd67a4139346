/**
 * tracehook's arduino-uno side by side with avr8js (guests/avr/README.md, "The reference runners").
 *
 * 1. Every guest and Arduino sketch (scripts/avr/guests.ts): USART output, every interrupt entry
 *    (cycle, vector, return address), watchdog resets and the end cycle equal the committed
 *    reference, guests/avr/expected/NAME.reference.txt and NAME.reference-events.txt, recorded
 *    from avr8js 0.21.1 with every datasheet correction (`make -C guests/avr expected`; the live
 *    comparison is `node --import tsx scripts/avr/crosscheck.ts --plain`). The cycle of an entry
 *    is the cycle the interrupt is accepted: the end of the interrupted instruction (asleep: the
 *    cycle it woke the core), before the entry's 4 cycles (and the 4 wake-up cycles).
 * 2. One test per correction (CORRECTIONS in scripts/avr/avr8js.ts), on a small program: avr8js
 *    with every correction equals tracehook; without that one correction (and plain avr8js) it
 *    does not, in the way the datasheet reference in the test's name says.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ALL_CORRECTIONS, formatEvent, runAvr8js, type Avr8jsResult, type Correction } from '../../scripts/avr/avr8js.js';
import { AVR_GUESTS, referenceOptions } from '../../scripts/avr/guests.js';
import { assemble } from '../targets/avr/test-support/asm.js';
import { runUnoEvents, type UnoEventsResult } from './arduino-uno-events.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXPECTED = join(ROOT, 'guests', 'avr', 'expected');

/** The events file format of scripts/avr/compare.ts. */
function eventsText(r: Pick<UnoEventsResult, 'events' | 'cycles' | 'stop'>): string {
  return r.events.map(formatEvent).join('\n') + (r.events.length ? '\n' : '') + `end ${r.cycles} ${r.stop}\n`;
}

describe('AVR guests: tracehook equals avr8js with the datasheet corrections', () => {
  for (const g of AVR_GUESTS) {
    it(`${g.name}: USART output, interrupt entries and end cycle as the reference`, async () => {
      const opts = referenceOptions(g);
      const r = await runUnoEvents(join(ROOT, g.elf), { input: opts.input, pins: opts.pins });
      assert.equal(r.stop, 'sleep', r.message);
      assert.equal(Buffer.from(r.output).toString('latin1'), readFileSync(join(EXPECTED, `${g.name}.reference.txt`), 'latin1'));
      assert.equal(eventsText(r), readFileSync(join(EXPECTED, `${g.name}.reference-events.txt`), 'utf8'));
    });
  }
});

// ---- the corrections, one small program each ----

/** Vector table (jmp main, then jmp to the named handlers or to `bad`), `main` at 0x68. */
function program(handlers: Record<number, string>, main: string, isr = ''): Uint8Array {
  const vecs = Array.from({ length: 26 }, (_, v) => (v === 0 ? 'jmp main' : `jmp ${handlers[v] ?? 'bad'}`));
  return assemble([...vecs, 'main:', main, 'cli', 'ldi r16, 1', 'out 0x33, r16', 'sleep', 'bad:', 'rjmp bad', isr].join('\n')).bytes;
}

interface Runs { reference: Avr8jsResult; without: Avr8jsResult; plain: Avr8jsResult; tracehook: UnoEventsResult }

async function runs(flash: Uint8Array, c: Correction): Promise<Runs> {
  const reference = runAvr8js(flash, { corrections: ALL_CORRECTIONS });
  const without = runAvr8js(flash, { corrections: ALL_CORRECTIONS.filter((x) => x !== c) });
  const plain = runAvr8js(flash, {});
  const tracehook = await runUnoEvents(flash);
  assert.equal(tracehook.stop, 'sleep', tracehook.message);
  assert.equal(eventsText(tracehook), eventsText(reference), 'tracehook = avr8js with every correction');
  assert.deepEqual([...tracehook.output], [...reference.output], 'the same USART output');
  return { reference, without, plain, tracehook };
}

const ev = (r: Pick<Avr8jsResult, 'events'>): string[] => r.events.map(formatEvent);

/** INT0 on PD2 as an output (the guest triggers it by writing PORTD: datasheet 13 "External Interrupts"). */
const INT0_RISING = 'ldi r16, 4\nout 0x0a, r16\nldi r16, 3\nsts 0x69, r16\nldi r16, 1\nout 0x1d, r16';

describe('datasheet corrections to avr8js 0.21.1: tracehook follows the datasheet', () => {
  it("entry-4: interrupt entry takes 4 cycles (datasheet 7.7.1 Interrupt Response Time: 'The interrupt execution response for all the enabled AVR interrupts is four clock cycles minimum'); avr8js charges 2", async () => {
    const r = await runs(program({ 1: 'isr' }, `${INT0_RISING}\nsei\nnop\nsbi 0x0b, 2\nnop\nnop`, 'isr:\nreti'), 'entry-4');
    assert.deepEqual(ev(r.tracehook), ['int 14 vector 1 INT0 from 0x007c']);
    assert.equal(r.tracehook.cycles, 30);
    assert.deepEqual([ev(r.without), r.without.cycles], [ev(r.tracehook), 28], 'without: the same entry, 2 cycles fewer');
    assert.equal(r.plain.cycles, 28, 'plain avr8js: 2 cycles fewer');
  });

  it("sei-delay: the instruction after SEI runs before a pending interrupt (datasheet 7.7 Reset and Interrupt Handling: 'the instruction following SEI will be executed before any pending interrupts'): `sei; cli` takes none; avr8js takes it", async () => {
    const r = await runs(program({ 1: 'isr' }, `${INT0_RISING}\nsbi 0x0b, 2\nsei\ncli\nnop`, 'isr:\nreti'), 'sei-delay');
    assert.deepEqual(ev(r.tracehook), []);
    assert.deepEqual(ev(r.without), ['int 13 vector 1 INT0 from 0x007a'], 'without: taken right after SEI');
    assert.deepEqual(ev(r.plain), ['int 13 vector 1 INT0 from 0x007a'], 'plain avr8js: taken right after SEI');
  });

  it("reti-delay: one main-program instruction runs between RETI and the next interrupt (datasheet 7.7: 'When the AVR exits from an interrupt, it will always return to the main program and execute one more instruction before any pending interrupt is served'); avr8js re-enters at once", async () => {
    // INT0 in low-level mode with PD2 low keeps requesting; the handler disables it after 3 entries
    const r = await runs(program({ 1: 'isr' }, 'ldi r16, 4\nout 0x0a, r16\nldi r16, 1\nout 0x1d, r16\nsei\ninc r2\ninc r2\ninc r2\ninc r2\ninc r2',
      'isr:\ninc r3\nmov r16, r3\ncpi r16, 3\nbrne out\nout 0x1d, r1\nout:\nreti'), 'reti-delay');
    assert.deepEqual(ev(r.tracehook), ['int 9 vector 1 INT0 from 0x0074', 'int 26 vector 1 INT0 from 0x0076', 'int 43 vector 1 INT0 from 0x0078'], 'each entry one inc later');
    assert.deepEqual(ev(r.without), ['int 9 vector 1 INT0 from 0x0074', 'int 25 vector 1 INT0 from 0x0074', 'int 41 vector 1 INT0 from 0x0074'], 'without: all from the same instruction');
    assert.deepEqual(r.plain.events.map((e) => e.from), [0x72, 0x72, 0x72], 'plain avr8js: all from the same instruction');
  });

  it("sleep: SLEEP (SE = 1, idle) halts until an interrupt, which is entered 4 cycles later (datasheet 10.1 Sleep Modes; 7.7.1: 'If an interrupt occurs when the MCU is in sleep mode, the interrupt execution response time is increased by four clock cycles'); avr8js treats SLEEP as a NOP", async () => {
    // Timer0 overflow (no prescaler, TOIE0) wakes it; the program does `cli` right after SLEEP
    const r = await runs(program({ 16: 'isr' }, 'ldi r16, 1\nsts 0x6e, r16\nout 0x25, r16\nsei\nout 0x33, r16\nsleep\ncli', 'isr:\nreti'), 'sleep');
    assert.deepEqual(ev(r.tracehook), ['int 263 vector 16 TIMER0_OVF from 0x0076'], 'woken at the overflow (cycle 263), entered at 271');
    assert.equal(r.tracehook.cycles, 282);
    assert.deepEqual([ev(r.without), r.without.cycles], [[], 14], 'without: SLEEP is a NOP, cli comes before the overflow');
    assert.deepEqual([ev(r.plain), r.plain.cycles], [[], 14]);
  });

  it("eeprom-irq: EE_READY is not requested while a write is in progress (datasheet 8.6.3 EECR.EERIE: 'The EEPROM Ready interrupt generates a constant interrupt when EEPE is cleared'); avr8js re-enters the handler during the write", async () => {
    // the handler starts an EEPROM write on its first entry and turns EERIE off on its second
    const r = await runs(program({ 22: 'isr' }, 'sbi 0x1f, 3\nsei\nwait:\nmov r16, r3\ncpi r16, 2\nbrne wait',
      'isr:\ninc r3\nmov r17, r3\ncpi r17, 2\nbreq last\nsbi 0x1f, 2\nsbi 0x1f, 1\nreti\nlast:\ncbi 0x1f, 3\nreti'), 'eeprom-irq');
    assert.deepEqual(ev(r.tracehook), ['int 7 vector 22 EE_READY from 0x006e', 'int 54420 vector 22 EE_READY from 0x006e'], 'second entry when the 3.4 ms write ends');
    assert.deepEqual(ev(r.without), ['int 7 vector 22 EE_READY from 0x006e', 'int 29 vector 22 EE_READY from 0x0070'], 'without: right after RETI, mid-write');
    assert.equal(r.plain.events[1]!.cycle, 25, 'plain avr8js: right after RETI');
  });

  it('eeprom-time: an EEPROM erase-and-write takes 3.4 ms = 54400 cycles (datasheet table 8-2 EEPROM Mode Bits, EEPM = 00); avr8js takes 3.6 ms (erase 1.8 + write 1.8)', async () => {
    const r = await runs(program({}, 'ldi r16, 0x55\nout 0x20, r16\nsbi 0x1f, 2\nsbi 0x1f, 1\nwait:\nsbic 0x1f, 1\nrjmp wait'), 'eeprom-time');
    assert.equal(r.tracehook.cycles, 54412);
    assert.equal(r.without.cycles, 57613, 'without: 3201 cycles more (3200, and the poll loop)');
    assert.equal(r.plain.cycles, 57613);
  });

  it('cbi-2: CBI takes 2 cycles (AVR Instruction Set Manual, CBI: "Cycles: 2" for AVRe, the ATmega328P core); avr8js counts 1 (and 2 for SBI)', async () => {
    const r = await runs(program({}, 'cbi 0x0b, 2\nnop'), 'cbi-2');
    assert.equal(r.tracehook.cycles, 9);
    assert.equal(r.without.cycles, 8);
    assert.equal(r.plain.cycles, 8);
  });

  it('clock-events: two timers due at the same instruction boundary both set their flags there (the Timer/Counters are separate hardware clocked together: datasheet 15-18, 17 Timer/Counter2 "clocked ... from the system clock"), so the higher-priority vector is entered first; avr8js runs one clock event per instruction and serves the other one instruction later', async () => {
    // Timer0 and Timer2 without prescaler, Timer2 started 2 cycles later with TCNT2 = 3: both
    // overflow at the same boundary (cycle 270)
    const r = await runs(program({ 9: 'isr', 16: 'isr' },
      'ldi r16, 1\nsts 0x6e, r16\nsts 0x70, r16\nldi r17, 3\nsts 0xb2, r17\nldi r17, 1\nsei\nout 0x25, r17\nnop\nsts 0xb1, r17\n' + 'nop\n'.repeat(600), 'isr:\nreti'), 'clock-events');
    assert.deepEqual(ev(r.tracehook).slice(0, 2), ['int 270 vector 9 TIMER2_OVF from 0x027e', 'int 282 vector 16 TIMER0_OVF from 0x0280'], 'TIMER2_OVF (vector 9) first');
    assert.deepEqual(ev(r.without).slice(0, 2), ['int 270 vector 16 TIMER0_OVF from 0x027e', 'int 282 vector 9 TIMER2_OVF from 0x0280'], 'without: TIMER0_OVF first, Timer2 flagged an instruction later');
    assert.equal(r.plain.events[0]!.name, 'TIMER0_OVF');
  });

  it("int-flag-masked: an INT0 edge while EIMSK masks INT0 sets INTF0, so enabling INT0 later enters the handler (datasheet 13.2.3 EIFR: 'When an edge or logic change on the INT0 pin triggers an interrupt request, INTF0 becomes set (one). If the I-bit in SREG and the INT0 bit in EIMSK are set (one), the MCU will jump'); avr8js sets no flag while masked", async () => {
    // rising edge on PD2 (an output) with EIMSK = 0, then sei and EIMSK = 1
    const r = await runs(program({ 1: 'isr' }, 'ldi r16, 4\nout 0x0a, r16\nldi r16, 3\nsts 0x69, r16\nsbi 0x0b, 2\nsei\nldi r16, 1\nout 0x1d, r16\nnop\nnop', 'isr:\nreti'), 'int-flag-masked');
    assert.deepEqual(ev(r.tracehook), ['int 13 vector 1 INT0 from 0x007a'], 'entered right after the EIMSK write');
    assert.deepEqual(ev(r.without), [], 'without: the edge is lost');
    assert.deepEqual(ev(r.plain), []);
  });

  it("ucsr0a-write: writing UCSR0A leaves the read-only flags alone (datasheet 19.10.2 UCSRnA: RXCn and UDREn are read-only; 'UDREn ... set, the buffer is empty'); avr8js clears UDRE0 (and RXC0, TXC0) on any UCSR0A write", async () => {
    // TXEN0 on (UDRE0 = 1), UCSR0A = U2X0, then send what UCSR0A reads
    const r = await runs(program({}, 'ldi r16, 8\nsts 0xc1, r16\nldi r16, 2\nsts 0xc0, r16\nlds r17, 0xc0\nsts 0xc6, r17'), 'ucsr0a-write');
    assert.deepEqual([...r.tracehook.output], [0x22], 'UDRE0 | U2X0');
    assert.deepEqual([...r.without.output], [], 'without: UDRE0 cleared, so the UDR0 write is ignored (19.6.3)');
    assert.deepEqual([...r.plain.output], [0x02]);
  });

  it("wdt-reset-io: a watchdog reset sets the I/O registers and SREG to their initial values (datasheet 11.1 Resetting the AVR: 'During reset, all I/O Registers are set to their initial values'); avr8js's reset keeps them", async () => {
    // first boot: GPIOR0 = 0x55, T = 1, watchdog reset mode (16 ms), spin; after the reset: send
    // SREG and GPIOR0 as they were at the reset vector
    const r = await runs(program({}, [
      'in r18, 0x3f', 'in r17, 0x1e', 'lds r16, 0x100', 'tst r16', 'brne second',
      'ldi r16, 1', 'sts 0x100, r16', 'ldi r16, 0x55', 'out 0x1e, r16', 'set',
      'ldi r16, 0x18', 'ldi r19, 0x08', 'sts 0x60, r16', 'sts 0x60, r19', 'spin:', 'rjmp spin',
      'second:', 'clr r1', 'out 0x34, r1', 'ldi r16, 0x18', 'sts 0x60, r16', 'sts 0x60, r1',
      'ldi r16, 8', 'sts 0xc1, r16', 'sts 0xc6, r17', 'sts 0xc6, r18',
      'wait:', 'lds r16, 0xc0', 'sbrs r16, 6', 'rjmp wait',
    ].join('\n')), 'wdt-reset-io');
    assert.equal(r.tracehook.events.map((e) => e.kind).join(), 'reset');
    assert.deepEqual([...r.tracehook.output], [0x00, 0x00], 'GPIOR0 and SREG reset');
    assert.deepEqual([...r.without.output], [0x55, 0x42], 'without: GPIOR0 = 0x55, SREG still T and Z from the first boot');
    assert.deepEqual([...r.plain.output], [0x55, 0x42]);
  });

  it("usart-tx-buffer: UDR0 is double-buffered, the first byte goes to the shift register at once and UDRE0 stays set (datasheet 19.6.3: UDRE0 'indicates if the transmit buffer (UDRn) is ready to receive new data'); TXC0 when the last frame is out (19.6.4); avr8js clears UDRE0 for a whole frame after each write", async () => {
    // TXEN0 (UBRR0 = 0: 160-cycle frames), send 'A', then send what UCSR0A reads, then wait for TXC0
    const r = await runs(program({}, 'ldi r16, 8\nsts 0xc1, r16\nldi r16, 0x41\nsts 0xc6, r16\nlds r17, 0xc0\nsts 0xc6, r17\nwait:\nlds r16, 0xc0\nsbrs r16, 6\nrjmp wait'), 'usart-tx-buffer');
    assert.deepEqual([...r.tracehook.output], [0x41, 0x20], 'UDRE0 still set after the first write');
    assert.deepEqual([...r.without.output], [0x41, 0x00], 'without: UDRE0 clear for a frame');
    assert.deepEqual([...r.plain.output], [0x41, 0x00]);
    assert.ok(r.tracehook.cycles > 320 && r.tracehook.cycles < 340, `two frames back to back, TXC0 after the second: ${r.tracehook.cycles}`);
  });

  it('every correction has a test here', () => {
    const src = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    for (const c of ALL_CORRECTIONS) assert.ok(src.includes(`'${c}')`), c);
  });
});

describe('the end of a run', () => {
  it('SLEEP with I = 0 ends the run, unless the watchdog is in reset mode: then its reset wakes the chip (the same on the reference)', async () => {
    // first boot: watchdog reset mode (16 ms), cli, sleep; after the reset: watchdog off, send
    // MCUSR, then the usual end
    const flash = program({}, [
      'in r17, 0x34', 'lds r16, 0x100', 'tst r16', 'brne second',
      'ldi r16, 1', 'sts 0x100, r16',
      'ldi r16, 0x18', 'ldi r19, 0x08', 'sts 0x60, r16', 'sts 0x60, r19',
      'cli', 'ldi r16, 1', 'out 0x33, r16', 'sleep', 'rjmp bad',
      'second:', 'clr r1', 'out 0x34, r1', 'ldi r16, 0x18', 'sts 0x60, r16', 'sts 0x60, r1',
      'ldi r16, 8', 'sts 0xc1, r16', 'sts 0xc6, r17',
      'wait:', 'lds r16, 0xc0', 'sbrs r16, 6', 'rjmp wait',
    ].join('\n'));
    const reference = runAvr8js(flash, { corrections: ALL_CORRECTIONS });
    const tracehook = await runUnoEvents(flash);
    assert.equal(tracehook.stop, 'sleep', tracehook.message);
    assert.deepEqual([...tracehook.output], [0x08], 'MCUSR = WDRF after the reset');
    assert.equal(eventsText(tracehook), eventsText(reference));
    assert.deepEqual(tracehook.events.map((e) => `${e.kind} ${e.cycle}`), ['reset 256015']);
  });
});
