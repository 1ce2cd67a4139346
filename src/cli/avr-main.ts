/**
 * `tracehook-avr`: qemu-system-avr's command line for the `arduino-uno` machine. Flags are parsed
 * by the shared parser (options.ts); those that mean nothing on an ATmega328P are refused in one
 * line. As QEMU's AVR target, `-icount` is refused: virtual time always counts CPU cycles at
 * 16 MHz, so runs are deterministic anyway. `-max-insns N` stops after N cycles.
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { cliMain } from './cli-run.js';
import { debugHelp, parseOptions, type Options } from './options.js';

const PROG = 'tracehook-avr';

function usage(): string {
  return `usage: ${PROG} -M arduino-uno -bios FILE [options]

A CPU emulator built for instrumentation; accepts qemu-system-avr syntax for the flags below.

-M arduino-uno          the machine (ATmega328P at 16 MHz); -M help lists it
-bios FILE              the program: AVR ELF or Intel HEX (.hex)
-kernel FILE            the same as -bios
-nographic              USART0 on stdio
-serial DEV             USART0: stdio, mon:stdio, null, none or file:PATH
-plugin NAME[,k=v...]   load a plugin: bundled name or file path (repeatable)
-d ITEM,...             log int, exec, in_asm, cpu ('-d help' for the list)
-D FILE                 write logs (and plugin output) to FILE instead of stderr
-singlestep             one instruction per translation block
-max-insns N            stop after N cycles (tracehook only)
-pin PORTBIT=LEVEL@CYCLE  drive an input pin from that cycle on, e.g. -pin D2=1@100000 (port B/C/D,
                        bit 0-7, level 0/1; at the first instruction boundary at or after CYCLE);
                        repeatable (tracehook only; the avr8js reference runner's --pin)
-adc CH=VOLTS           ADC input CH (0-7) at VOLTS, e.g. -adc 0=2.5; repeatable (tracehook only)
-h, -help               display this help and exit
-version                display version information and exit

Virtual time counts CPU cycles (16 MHz): -icount is not accepted, as in QEMU's AVR target.
-d int: 'at cycle C' is the cycle the interrupt is accepted (the end of the interrupted
instruction; asleep, the cycle it wakes the core), before its 4 entry (+4 wake-up) cycles.
A run ends at SLEEP with interrupts disabled and no watchdog reset armed (exit status 0).
`;
}

export interface PinDriveSpec { port: 'B' | 'C' | 'D'; bit: number; value: boolean; cycle: number }

/** `-pin D2=1@100000`: port B/C/D, bit, level, cycle. */
export function parsePinOption(spec: string): PinDriveSpec {
  const m = /^([BCDbcd])([0-7])=([01])@(\d+)$/.exec(spec);
  if (!m || !Number.isSafeInteger(Number(m[4]))) throw new UserError(`-pin ${spec}: expected PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000 (port B, C or D, bit 0-7, level 0 or 1)`);
  return { port: m[1]!.toUpperCase() as 'B' | 'C' | 'D', bit: Number(m[2]), value: m[3] === '1', cycle: Number(m[4]) };
}

/** `-adc 0=2.5`: ADC channel 0..7 at that many volts. */
export function parseAdcOption(spec: string): { channel: number; volts: number } {
  const m = /^([0-7])=(\d+(?:\.\d*)?|\.\d+)$/.exec(spec);
  if (!m) throw new UserError(`-adc ${spec}: expected CH=VOLTS, e.g. 0=2.5 (channel 0-7, volts >= 0)`);
  return { channel: Number(m[1]), volts: Number(m[2]) };
}

/** Take tracehook-avr's own options (-pin, -adc) out of argv; the rest is QEMU's syntax. */
function takeAvrOptions(argv: string[]): { rest: string[]; pins: PinDriveSpec[]; adc: { channel: number; volts: number }[] } {
  const rest: string[] = [];
  const pins: PinDriveSpec[] = [];
  const adc: { channel: number; volts: number }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.replace(/^--?/, '');
    if (a.startsWith('-') && (name === 'pin' || name === 'adc')) {
      const v = argv[++i];
      if (v === undefined) throw new UserError(`-${name}: requires an argument (${name === 'pin' ? 'PORTBIT=LEVEL@CYCLE, e.g. D2=1@100000' : 'CH=VOLTS, e.g. 0=2.5'})`);
      if (name === 'pin') pins.push(parsePinOption(v)); else adc.push(parseAdcOption(v));
    } else {
      rest.push(a);
    }
  }
  return { rest, pins, adc };
}

/** Refuse what has no meaning on this board, one line each. */
function checkAvrOptions(o: Options): void {
  if (o.icount !== undefined) throw new UserError("-icount: not supported for AVR (QEMU's avr target refuses it too): virtual time always counts cycles at 16 MHz");
  if (o.smp !== 1) throw new UserError('-smp: the ATmega328P has one CPU');
  if (o.memBytes !== undefined) throw new UserError('-m: the ATmega328P has a fixed 2 KiB of SRAM');
  if (o.append !== undefined) throw new UserError('-append: not supported on arduino-uno (no kernel command line)');
  if (o.initrd !== undefined) throw new UserError('-initrd: not supported on arduino-uno');
  if (o.semihosting) throw new UserError('-semihosting: not supported for AVR');
  if (o.noReboot) throw new UserError('-no-reboot: not supported for AVR (a watchdog reset restarts the program)');
  if (o.cpu !== undefined && o.cpu !== 'help' && !['avr5', 'avr5-avr-cpu', 'atmega328p'].includes(o.cpu)) {
    throw new UserError(`-cpu ${o.cpu}: unknown CPU model (arduino-uno has an avr5 ATmega328P)`);
  }
  for (const k of Object.keys(o.machineProps)) {
    if (k !== 'help') throw new UserError(`-M ${o.machine},${k}=...: arduino-uno has no property '${k}'`);
  }
}

export async function avrMain(argv: string[]): Promise<number> {
  return cliMain(PROG, async (r) => {
    let o: Options;
    const own = takeAvrOptions(argv);
    try {
      o = parseOptions(own.rest, 'avr');
    } catch (e) {
      if (e instanceof UserError && e.message.startsWith('no machine specified')) throw new UserError('no machine specified (use -M arduino-uno)');
      throw e;
    }
    if (o.help) { process.stdout.write(usage()); return 0; }
    if (o.version) { process.stdout.write(`${PROG} version 0.1.0 (tracehook; QEMU-compatible command line)\n`); return 0; }
    if (o.debug.includes('help')) { process.stdout.write(debugHelp()); return 0; }
    if (o.machine === 'help' || o.machineProps['help'] !== undefined) {
      process.stdout.write('Supported machines are:\narduino-uno          Arduino UNO (ATmega328P)\n');
      return 0;
    }
    if (o.cpu === 'help') { process.stdout.write('Available CPUs:\n  avr5 (ATmega328P)\n'); return 0; }
    if (o.machine !== 'arduino-uno') throw new UserError(`-M ${o.machine}: unsupported machine type (use -M help)`);
    checkAvrOptions(o);
    if (o.bios !== undefined && o.kernel !== undefined) throw new UserError('-bios and -kernel both given: arduino-uno takes one program');
    const image = o.bios ?? o.kernel;
    if (image === undefined || image === 'none') throw new UserError('no program: use -bios FILE (AVR ELF or Intel HEX)');
    r.openLog(o.logFile);
    const items = new Set(o.debug);
    const plugins = preloadPlugins(o.plugins);
    const { ArduinoUno } = await import('../machines/arduino-uno.js');
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => r.logOut.text(t);
    const serial = r.serial(o);
    const machine = new ArduinoUno({
      bios: image, maxCycles: o.maxInsns, singleStep: o.singlestep,
      uartOut: serial.out ?? (() => {}),
      intLog: items.has('int') ? (l) => r.logOut.text(l) : undefined,
      onYield: () => r.flush(),
      host,
    });
    for (const p of own.pins) machine.cpu.timer(() => machine.devices!.gpio.setPin(p.port, p.bit, p.value)).armAt(p.cycle);
    for (const a of own.adc) machine.devices!.adc.setChannelValue(a.channel, a.volts);
    r.handleSignals();
    const debugLog = items.has('in_asm') || items.has('exec') || items.has('cpu')
      ? (await import('./avr-debug-log.js')).avrDebugLogPlugin(items, (t) => r.logOut.text(t))
      : undefined;
    await r.installPlugins(host, machine, debugLog, plugins);
    // SLEEP with I clear and nothing armed that could reset the chip: the way AVR programs end
    // (the avr8js reference runner exits 0 there too; QEMU would wait forever).
    return r.run(machine, serial.on && !serial.file,
      (e) => (machine.cpu.halted && (machine.cpu.sreg & 0x80) === 0 && /idle/.test(e.message) ? 0 : undefined));
  });
}

export function runAvrCli(): void {
  avrMain(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${PROG}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
