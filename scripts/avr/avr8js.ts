/**
 * Runs an ATmega328P program on avr8js (the reference for cycle counts): the CPU with USART0,
 * Timer/Counter 0/1/2, ports B/C/D (with INT0/INT1 and the pin-change groups), the watchdog,
 * EEPROM (memory backend, erased = 0xff), SPI, TWI and ADC at 16 MHz, as avr8js's own Arduino
 * Uno examples wire them.
 *
 * Stopping: at the first SLEEP executed with SREG.I = 0 (the guests' ending convention: see
 * guests/avr/README.md; the SLEEP is not executed and its cycle is not counted), or when the
 * cycle count reaches `maxCycles` (checked before each instruction).
 *
 * Interrupt entries are seen around `cpu.tick()`, where avr8js dispatches interrupts
 * (cpu/interrupt.ts `avrInterrupt`: pushes PC, clears I, adds 2 cycles, jumps to the vector): if
 * the tick moved PC and pushed 2 bytes, it was an interrupt entry; if it moved PC to 0 and set SP
 * to RAMEND, it was a reset (avr8js's watchdog resets by `cpu.reset()`). Each event carries the
 * cycle count when the interrupt was accepted (after the interrupted instruction, before
 * avr8js's 2 entry cycles), the vector number and the byte address of the instruction the
 * handler returns to.
 *
 * USART input: the bytes of `input` are delivered back to back at the configured baud rate: the
 * first is offered at the first instruction boundary where RXEN0 is set (it then takes one
 * character time, (UBRR+1)*(U2X?8:16)*frame bits, to arrive), each next one as soon as the
 * previous has arrived (in the same clock event).
 *
 * `fixEepromIrq` (off by default): see Avr8jsOptions.
 *
 * `datasheet` (off by default) changes avr8js's interrupt timing to the datasheet's
 * (ATmega328P, "Reset and Interrupt Handling" and "Interrupt Response Time"): an interrupt
 * entry takes 4 cycles, not avr8js's 2 (the event's cycle is still the one when the interrupt
 * was accepted); no interrupt is taken at the boundary right after SEI ("the instruction
 * following SEI will be executed before any pending interrupts") or right after RETI ("execute
 * one more instruction before any pending interrupt is served"). avr8js does neither.
 *
 * Pin drives (`pins`): at the first instruction boundary at or after `cycle`, the pin is set
 * with `AVRIOPort.setPin` (the level an input reads), before interrupts are checked.
 *
 * `sleepModel` (off by default: plain avr8js treats SLEEP as a 1-cycle NOP): a SLEEP executed
 * with SMCR.SE = 1 and SREG.I = 1 idles (any mode is treated as idle) until an interrupt is
 * pending: virtual time jumps from clock event to clock event; on wake-up the core is halted
 * 4 cycles (datasheet 10.1 "Sleep Modes": "the MCU is halted for four cycles in addition to the
 * start-up time", which is 0 in idle) before the interrupt is accepted.
 */
import {
  AVRADC, AVRClock, AVREEPROM, AVRIOPort, AVRSPI, AVRTimer, AVRTWI, AVRUSART, AVRWatchdog, CPU,
  EEPROMMemoryBackend, adcConfig, avrInstruction, clockConfig, eepromConfig, portBConfig,
  portCConfig, portDConfig, spiConfig, timer0Config, timer1Config, timer2Config, twiConfig,
  usart0Config, watchdogConfig,
} from 'avr8js';
import { ATMEGA328P_VECTORS, loadAvrImage } from './image.js';

export const CPU_HZ = 16_000_000;
const SREG = 0x5f;
const SMCR = 0x53;
const RAMEND = 0x8ff;
const OP_SLEEP = 0x9588;

export interface PinDrive {
  port: 'B' | 'C' | 'D';
  bit: number;
  value: boolean;
  cycle: number;
}

export interface Avr8jsOptions {
  input?: Uint8Array;
  maxCycles?: number;
  pins?: PinDrive[];
  sleepModel?: boolean;
  /** the interrupt timing of the datasheet instead of avr8js's: see the file comment */
  datasheet?: boolean;
  /** correct avr8js's EE_READY interrupt: not pending while EEPE = 1 (datasheet 8.6.3: EERIE
   * "generates a constant interrupt when EEPE is cleared") */
  fixEepromIrq?: boolean;
  /** called with each USART byte as it is written to UDR0 */
  onByte?: (b: number) => void;
}

export interface AvrEvent {
  kind: 'int' | 'reset';
  cycle: number;
  vector: number;
  name: string;
  /** byte address the handler returns to (interrupts); the PC when the reset happened */
  from: number;
}

export interface Avr8jsResult {
  output: Buffer;
  events: AvrEvent[];
  cycles: number;
  /** 'sleep': SLEEP with I = 0; 'limit': maxCycles reached; 'sleep-forever': idle with nothing to wake it */
  stop: 'sleep' | 'limit' | 'sleep-forever';
  pc: number;
  eeprom: Uint8Array;
}

export function parsePinDrive(spec: string): PinDrive {
  const m = /^([BCDbcd])([0-7])=([01])@(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad pin drive "${spec}" (expected e.g. D2=1@100000)`);
  return { port: m[1]!.toUpperCase() as 'B' | 'C' | 'D', bit: Number(m[2]), value: m[3] === '1', cycle: Number(m[4]) };
}

interface ClockEventEntry { cycles: number; next: ClockEventEntry | null }

export function runAvr8js(imagePath: string, opts: Avr8jsOptions = {}): Avr8jsResult {
  const { flash } = loadAvrImage(imagePath);
  const progMem = new Uint16Array(flash.buffer, flash.byteOffset, flash.length / 2);
  const cpu = new CPU(progMem, 2048);
  const clock = new AVRClock(cpu, CPU_HZ, clockConfig);
  new AVRTimer(cpu, timer0Config);
  new AVRTimer(cpu, timer1Config);
  new AVRTimer(cpu, timer2Config);
  const ports = {
    B: new AVRIOPort(cpu, portBConfig),
    C: new AVRIOPort(cpu, portCConfig),
    D: new AVRIOPort(cpu, portDConfig),
  };
  const usart = new AVRUSART(cpu, usart0Config, CPU_HZ);
  new AVRWatchdog(cpu, watchdogConfig, clock);
  const eepromBackend = new EEPROMMemoryBackend(1024);
  const eeprom = new AVREEPROM(cpu, eepromBackend, eepromConfig);
  if (opts.fixEepromIrq) {
    // avr8js queues EE_READY as a level ('constant') interrupt while EEPE = 0 but leaves it
    // queued when a write sets EEPE, so the handler is re-entered at once during the write.
    const eer = (eeprom as unknown as { EER: Parameters<CPU['clearInterrupt']>[0] }).EER;
    const hook = cpu.writeHooks[eepromConfig.EECR]!;
    cpu.writeHooks[eepromConfig.EECR] = (value, old, addr, mask) => {
      const r = hook(value, old, addr, mask);
      if (cpu.data[eepromConfig.EECR]! & 2 /* EEPE */) cpu.clearInterrupt(eer, false);
      return r;
    };
  }
  new AVRSPI(cpu, spiConfig, CPU_HZ);
  new AVRTWI(cpu, twiConfig, CPU_HZ);
  new AVRADC(cpu, adcConfig);

  const out: number[] = [];
  usart.onByteTransmit = (b: number) => {
    out.push(b);
    opts.onByte?.(b);
  };
  const input = opts.input ?? new Uint8Array(0);
  let inPos = 0;
  let rxStarted = input.length === 0;
  usart.onRxComplete = () => {
    if (inPos < input.length && usart.rxEnable) usart.writeByte(input[inPos++]!);
  };

  const pins = [...(opts.pins ?? [])].sort((a, b) => a.cycle - b.cycle);
  let pinPos = 0;
  let nextPinCycle = pins.length ? pins[0]!.cycle : Infinity;
  const maxCycles = opts.maxCycles ?? 2_000_000_000;
  const events: AvrEvent[] = [];
  const data = cpu.data;
  const internals = cpu as unknown as { nextClockEvent: ClockEventEntry | null };
  let stop: Avr8jsResult['stop'] = 'limit';

  // The tick with its interrupt / reset detection.
  const entryExtra = opts.datasheet ? 2 : 0;
  const tick = (): void => {
    const pc = cpu.pc;
    const sp = data[0x5d]! | (data[0x5e]! << 8);
    const cycle = cpu.cycles;
    cpu.tick();
    if (cpu.pc !== pc || (data[0x5d]! | (data[0x5e]! << 8)) !== sp) {
      const nsp = data[0x5d]! | (data[0x5e]! << 8);
      if (nsp === sp - 2) {
        const vector = cpu.pc >> 1;
        events.push({ kind: 'int', cycle, vector, name: ATMEGA328P_VECTORS[vector] ?? `vector${vector}`, from: pc * 2 });
        cpu.cycles += entryExtra;
      } else if (cpu.pc === 0 && nsp === RAMEND) {
        events.push({ kind: 'reset', cycle, vector: 0, name: 'RESET', from: pc * 2 });
      }
    }
  };

  const datasheet = !!opts.datasheet;
  for (;;) {
    if (cpu.cycles >= maxCycles) { stop = 'limit'; break; }
    const op = progMem[cpu.pc];
    if (op === OP_SLEEP) {
      if (!(data[SREG]! & 0x80)) { stop = 'sleep'; break; }
      if (opts.sleepModel && data[SMCR]! & 1) {
        avrInstruction(cpu);
        let woke = true;
        while (cpu.nextInterrupt < 0) {
          const ev = internals.nextClockEvent;
          if (!ev) { woke = false; break; }
          if (ev.cycles >= maxCycles) { cpu.cycles = maxCycles; woke = false; break; }
          if (ev.cycles > cpu.cycles) cpu.cycles = ev.cycles;
          const sreg = data[SREG]!;
          data[SREG] = sreg & 0x7f; // run the due clock event only: no dispatch while asleep
          cpu.tick();
          data[SREG] = sreg;
        }
        if (!woke) { stop = internals.nextClockEvent ? 'limit' : 'sleep-forever'; break; }
        cpu.cycles += 4;
        tick();
        continue;
      }
    }
    avrInstruction(cpu);
    if (cpu.cycles >= nextPinCycle) {
      while (pinPos < pins.length && pins[pinPos]!.cycle <= cpu.cycles) {
        const p = pins[pinPos++]!;
        ports[p.port].setPin(p.bit, p.value);
      }
      nextPinCycle = pinPos < pins.length ? pins[pinPos]!.cycle : Infinity;
    }
    if (!rxStarted && usart.rxEnable && !usart.rxBusy) {
      rxStarted = true;
      usart.writeByte(input[inPos++]!);
    }
    if (datasheet && (op === 0x9478 /* SEI */ || op === 0x9518 /* RETI */)) {
      const sreg = data[SREG]!;
      data[SREG] = sreg & 0x7f; // clock events only: no interrupt at this boundary
      cpu.tick();
      data[SREG] = sreg;
      continue;
    }
    tick();
  }
  return {
    output: Buffer.from(out),
    events,
    cycles: cpu.cycles,
    stop,
    pc: cpu.pc * 2,
    eeprom: eepromBackend.memory,
  };
}

export function formatEvent(e: AvrEvent): string {
  return e.kind === 'int'
    ? `int ${e.cycle} vector ${e.vector} ${e.name} from 0x${e.from.toString(16).padStart(4, '0')}`
    : `reset ${e.cycle} watchdog at 0x${e.from.toString(16).padStart(4, '0')}`;
}
