/**
 * `tracehook-avr` end to end (the built CLI, dist/cli/avr.js): guests on arduino-uno with USART0
 * on stdio, Intel HEX as well as ELF, `-d int` lines, plugins, and one-line errors for bad input.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../targets/avr/test-support/asm.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'avr.js');
const guest = (name: string, ext = 'elf') => join(ROOT, 'guests', 'avr', `${name}.${ext}`);

function run(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const UNO = ['-M', 'arduino-uno', '-nographic'];

let tmp = '';
before(() => { tmp = mkdtempSync(join(tmpdir(), 'tracehook-avr-cli-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

describe('tracehook-avr', () => {
  it('runs a guest (ELF) to its end: USART0 on stdout, exit 0 when it sleeps with interrupts off', () => {
    const r = run([...UNO, '-bios', guest('timer0-ctc')]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /timer0 A 10, timer0 B 10, timer2 A 50\n/);
    assert.match(r.stdout, /done\n$/);
  });

  it('runs the same guest from Intel HEX (-kernel works as -bios)', () => {
    const elf = run([...UNO, '-bios', guest('timer0-ctc')]);
    const hex = run([...UNO, '-kernel', guest('timer0-ctc', 'hex')]);
    assert.equal(hex.code, 0);
    assert.equal(hex.stdout, elf.stdout);
  });

  it('-d int prints one line per interrupt entry; discons finds nothing wrong', () => {
    const r = run([...UNO, '-bios', guest('timer1-ctc'), '-d', 'int', '-plugin', 'discons']);
    assert.equal(r.code, 0);
    const ints = r.stderr.split('\n').filter((l) => l.startsWith('avr_interrupt:'));
    assert.ok(ints.length > 0);
    assert.match(ints[0]!, /^avr_interrupt: vector \d+ TIMER1_\w+ at cycle \d+: pc 0x[0-9a-f]{4} -> 0x[0-9a-f]{4}, sp 0x[0-9a-f]{4}$/);
    assert.match(r.stderr, /discons: checked [1-9]\d* events, skipped \d+, 0 mismatches/);
  });

  it('console input reaches USART0 (interrupt-driven receive)', () => {
    const r = run([...UNO, '-bios', guest('usart-rx-irq')], 'Hello, AVR!\n');
    assert.equal(r.code, 0, r.stderr);
    const expected = readFileSync(join(ROOT, 'guests', 'avr', 'expected', 'usart-rx-irq.qemu.txt'), 'utf8');
    assert.equal(r.stdout, expected);
  });

  it('-d in_asm shows byte addresses and avr-objdump syntax', () => {
    const r = run([...UNO, '-bios', guest('hello'), '-d', 'in_asm', '-D', join(tmp, 'log.txt')]);
    assert.equal(r.code, 0);
    const log = readFileSync(join(tmp, 'log.txt'), 'utf8');
    assert.match(log, /^0x00000000:  0c 94 [0-9a-f]{2} [0-9a-f]{2} +jmp 0x[0-9a-f]+$/m);
  });

  it('-max-insns stops a run after that many cycles, plugins still report', () => {
    const r = run([...UNO, '-bios', guest('workload'), '-max-insns', '100000', '-plugin', 'insn']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tracehook-avr: guest still running after 100000 cycles \(-max-insns\): stopped\n$/);
    assert.match(r.stderr, /insns: \d+/);
  });

  it('-pin drives input pins: extint-pins with the reference drive prints what avr8js + corrections does, with the same interrupt entries', () => {
    const PINS = ['D2=1@100000', 'D2=0@150000', 'D3=1@200000', 'D3=0@250000', 'B0=1@300000', 'C1=1@350000', 'B0=0@400000', 'D2=1@450000', 'D2=0@460000'];
    const r = run([...UNO, '-bios', guest('extint-pins'), '-d', 'int', ...PINS.flatMap((p) => ['-pin', p])]);
    assert.equal(r.code, 0, r.stderr);
    const expected = join(ROOT, 'guests', 'avr', 'expected');
    assert.equal(r.stdout, readFileSync(join(expected, 'extint-pins.reference.txt'), 'utf8'));
    // `avr_interrupt: vector N NAME at cycle C: pc 0xFROM -> ...` against `int C vector N NAME from 0xFROM`
    const ints = r.stderr.split('\n').filter((l) => l.startsWith('avr_interrupt:'))
      .map((l) => l.replace(/^avr_interrupt: vector (\d+) (\S+) at cycle (\d+): pc (0x[0-9a-f]{4}) .*$/, 'int $3 vector $1 $2 from $4'));
    const ref = readFileSync(join(expected, 'extint-pins.reference-events.txt'), 'utf8').split('\n').filter((l) => l.startsWith('int '));
    assert.equal(ref.length, 7);
    assert.deepEqual(ints, ref);
    // without the drive nothing happens
    const idle = run([...UNO, '-bios', guest('extint-pins')]);
    assert.match(idle.stdout, /events: 0\n/);
  });

  it('-adc sets an ADC input: a program converting channel 0 against AVCC (5 V) sends ADCH, ADCL', () => {
    const prog = assemble([
      'ldi r16, 0x08', 'sts 0xc1, r16', // UCSR0B = TXEN0
      'ldi r16, 0x40', 'sts 0x7c, r16', // ADMUX: AVCC, channel 0
      'ldi r16, 0xc7', 'sts 0x7a, r16', // ADCSRA: ADEN | ADSC, clk/128
      'wait:', 'lds r16, 0x7a', 'sbrc r16, 6', 'rjmp wait',
      'lds r17, 0x78', 'lds r18, 0x79', 'sts 0xc6, r18', 'sts 0xc6, r17',
      'txc:', 'lds r16, 0xc0', 'sbrs r16, 6', 'rjmp txc', // the second byte leaves the buffer

      'ldi r16, 1', 'out 0x33, r16', 'sleep',
    ].join('\n')).bytes;
    const f = join(tmp, 'adc.bin');
    writeFileSync(f, prog);
    const code = (args: string[]): number[] => [...Buffer.from(spawnSync(process.execPath, [CLI, ...UNO, '-bios', f, ...args], { encoding: 'latin1' }).stdout, 'latin1')];
    assert.deepEqual(code(['-adc', '0=2.5']), [0x02, 0x00], '2.5 V of 5 V: 512');
    assert.deepEqual(code(['-adc', '0=1.25', '-adc', '1=4']), [0x01, 0x00], '1.25 V: 256');
    assert.deepEqual(code([]), [0, 0], 'unset: 0 V');
  });

  const errors: [string, string[], string | RegExp][] = [
    ['-pin without a value', ['-M', 'arduino-uno', '-bios', 'x', '-pin'], '-pin: requires an argument (PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000)'],
    ['-pin bad port', ['-M', 'arduino-uno', '-bios', 'x', '-pin', 'A2=1@10'], '-pin A2=1@10: expected PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000 (port B, C or D, bit 0-7, level 0 or 1)'],
    ['-pin bad level', ['-M', 'arduino-uno', '-bios', 'x', '-pin', 'D2=2@10'], '-pin D2=2@10: expected PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000 (port B, C or D, bit 0-7, level 0 or 1)'],
    ['-pin no cycle', ['-M', 'arduino-uno', '-bios', 'x', '-pin', 'D2=1'], '-pin D2=1: expected PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000 (port B, C or D, bit 0-7, level 0 or 1)'],
    ['-adc bad channel', ['-M', 'arduino-uno', '-bios', 'x', '-adc', '9=1'], '-adc 9=1: expected CH=VOLTS, e.g. 0=2.5 (channel 0-7, volts >= 0)'],
    ['-adc bad volts', ['-M', 'arduino-uno', '-bios', 'x', '-adc', '0=high'], '-adc 0=high: expected CH=VOLTS, e.g. 0=2.5 (channel 0-7, volts >= 0)'],
    ['no machine', ['-bios', 'x.elf'], 'no machine specified (use -M arduino-uno)'],
    ['another machine', ['-M', 'virt', '-bios', 'x.elf'], '-M virt: unsupported machine type (use -M help)'],
    ['no program', ['-M', 'arduino-uno'], 'no program: use -bios FILE (AVR ELF or Intel HEX)'],
    ['-icount', ['-M', 'arduino-uno', '-icount', 'shift=0', '-bios', 'x'], "-icount: not supported for AVR (QEMU's avr target refuses it too): virtual time always counts cycles at 16 MHz"],
    ['-smp', ['-M', 'arduino-uno', '-smp', '2', '-bios', 'x'], '-smp: the ATmega328P has one CPU'],
    ['missing file', ['-M', 'arduino-uno', '-bios', '/nonexistent/x.elf'], /^\/nonexistent\/x\.elf: /],
    ['a RISC-V ELF', ['-M', 'arduino-uno', '-bios', join(ROOT, 'guests', 'riscv', 'demo.rv64.elf')], /demo\.rv64\.elf: ELF machine is RISC-V, expected AVR$/],
    ['unknown flag', ['-M', 'arduino-uno', '-frobnicate'], '-frobnicate: invalid option'],
  ];
  for (const [name, args, msg] of errors) {
    it(`bad input (${name}): one line, exit 1`, () => {
      const r = run(args);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, r.stderr);
      const text = lines[0]!.replace(/^tracehook-avr: /, '');
      if (typeof msg === 'string') assert.equal(text, msg); else assert.match(text, msg);
    });
  }

  it('ELF images QEMU refuses: entry not 0, another AVR CPU type', () => {
    const elf = readFileSync(guest('hello'));
    const entry = Buffer.from(elf); entry.writeUInt32LE(0x10, 0x18);
    const avr6 = Buffer.from(elf); avr6.writeUInt32LE((avr6.readUInt32LE(0x24) & ~0x7f) | 6, 0x24);
    writeFileSync(join(tmp, 'entry.elf'), entry);
    writeFileSync(join(tmp, 'avr6.elf'), avr6);
    const a = run(['-M', 'arduino-uno', '-bios', join(tmp, 'entry.elf')]);
    assert.equal(a.code, 1);
    assert.equal(a.stderr, `tracehook-avr: ${join(tmp, 'entry.elf')}: BIOS entry_point must be 0x0000 (ELF image has entry_point 0x0010)\n`);
    const b = run(['-M', 'arduino-uno', '-bios', join(tmp, 'avr6.elf')]);
    assert.equal(b.code, 1);
    assert.equal(b.stderr, `tracehook-avr: ${join(tmp, 'avr6.elf')}: ELF image is for 'avr6' CPU, arduino-uno has an 'avr5' CPU (ATmega328P)\n`);
  });

  it('an undefined opcode stops with one line', () => {
    const f = join(tmp, 'bad.bin');
    writeFileSync(f, Buffer.from([0x00, 0x00, 0x03, 0x90]));
    const r = run(['-M', 'arduino-uno', '-bios', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'tracehook-avr: undefined opcode 0x9003 at 0x0002 (not an ATmega328P instruction)\n');
  });
});
