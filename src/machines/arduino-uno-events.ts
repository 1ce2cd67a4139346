/**
 * Runs an ATmega328P program on arduino-uno, reporting what the avr8js reference runner
 * (scripts/avr/avr8js.ts) reports: USART0 output, every interrupt entry and watchdog
 * reset (the same `AvrEvent`s, from the `-d int` log), the end cycle and why it stopped.
 *
 * The cycle of an interrupt entry is the cycle count when the interrupt is accepted: at the end
 * of the interrupted instruction, or, asleep, when the interrupt that wakes the core is raised;
 * before the response cycles (4, plus 4 when waking from sleep: datasheet 7.7 "Interrupt Response
 * Time"). The end cycle is the count before the final SLEEP (executed with SREG.I = 0), which is
 * not counted, as avr8js-run does not execute it.
 *
 * Inputs and pin drives as the avr8js runner takes them: USART input queued from the start (the
 * USART delivers the first byte a frame after RXEN0 is set, back to back after that), pins set
 * by a cycle timer at the first instruction boundary at or after their cycle.
 */
import { ArduinoUno } from './arduino-uno.js';
import { avrVectorName } from '../devices/avr/vectors.js';

/** An interrupt entry or a watchdog reset (the same fields as scripts/avr/avr8js.ts reports). */
export interface AvrEvent {
  kind: 'int' | 'reset';
  cycle: number;
  vector: number;
  name: string;
  /** byte address the handler returns to (interrupts); the PC when the reset happened */
  from: number;
}

export interface PinDrive {
  port: 'B' | 'C' | 'D';
  bit: number;
  value: boolean;
  cycle: number;
}

export interface UnoEventsOptions {
  input?: Uint8Array;
  pins?: PinDrive[];
  adc?: { channel: number; volts: number }[];
  maxCycles?: number;
}

export interface UnoEventsResult {
  output: Uint8Array;
  events: AvrEvent[];
  cycles: number;
  stop: 'sleep' | 'limit' | 'error';
  pc: number;
  message?: string;
}

const INT_RE = /^avr_interrupt: vector (\d+) (\S+) at cycle (\d+): pc 0x([0-9a-f]+) -> /;

/** `image`: an ELF or HEX file, or the flash bytes from address 0. */
export async function runUnoEvents(image: string | Uint8Array, opts: UnoEventsOptions = {}): Promise<UnoEventsResult> {
  const out: number[] = [];
  const events: AvrEvent[] = [];
  const m = new ArduinoUno({
    ...(typeof image === 'string' ? { bios: image } : { flashImage: image }),
    maxCycles: opts.maxCycles ?? 2_000_000_000,
    uartOut: (b) => { out.push(b); },
    intLog: (line) => {
      const x = INT_RE.exec(line);
      if (!x) return;
      const vector = Number(x[1]);
      events.push(vector === 0
        ? { kind: 'reset', cycle: Number(x[3]), vector: 0, name: 'RESET', from: parseInt(x[4]!, 16) }
        : { kind: 'int', cycle: Number(x[3]), vector, name: avrVectorName(vector), from: parseInt(x[4]!, 16) });
    },
  });
  for (const p of opts.pins ?? []) {
    m.cpu.timer(() => m.devices!.gpio.setPin(p.port, p.bit, p.value)).armAt(p.cycle);
  }
  for (const a of opts.adc ?? []) m.devices!.adc.setChannelValue(a.channel, a.volts);
  if (opts.input !== undefined && opts.input.length > 0) { m.inputClosed = false; m.input(opts.input); m.closeInput(); }
  let stop: UnoEventsResult['stop'] = 'error';
  let message: string | undefined;
  let cycles: number;
  try {
    await m.run();
    cycles = m.cpu.cycles();
  } catch (e) {
    message = (e as Error).message;
    if (m.cpu.halted && (m.cpu.sreg & 0x80) === 0 && /idle/.test(message)) {
      stop = 'sleep';
      cycles = m.cpu.cycles() - 1; // the final SLEEP's cycle is not counted
    } else {
      if (/still running after/.test(message)) stop = 'limit';
      cycles = m.cpu.cycles();
    }
  }
  m.finish();
  return { output: Uint8Array.from(out), events, cycles, stop, pc: stop === 'sleep' ? m.cpu.pcLo - 2 : m.cpu.pcLo, message };
}
