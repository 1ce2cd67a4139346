/**
 * Runs an ATmega328P program on avr8js (the reference for cycle counts): the CPU with USART0,
 * Timer/Counter 0/1/2, ports B/C/D (with INT0/INT1 and the pin-change groups), the watchdog,
 * EEPROM (memory backend, erased = 0xff), SPI, TWI and ADC at 16 MHz, as avr8js's own Arduino
 * Uno examples wire them.
 *
 * Stopping: at the first SLEEP executed with SREG.I = 0 while WDTCSR.WDE = 0 (the guests' ending
 * convention: see guests/avr/README.md; the SLEEP is not executed and its cycle is not counted;
 * with WDE set a watchdog reset can still end that sleep, so the run goes on), or when the cycle
 * count reaches `maxCycles` (checked before each instruction).
 *
 * Interrupt entries are seen around `cpu.tick()`, where avr8js dispatches interrupts
 * (cpu/interrupt.ts `avrInterrupt`: pushes PC, clears I, adds 2 cycles, jumps to the vector): if
 * the tick moved PC and pushed 2 bytes, it was an interrupt entry; if it moved PC to 0 and set SP
 * to RAMEND, it was a reset (avr8js's watchdog resets by `cpu.reset()`). Each event carries the
 * vector number, the byte address of the instruction the handler returns to, and **the cycle
 * the interrupt is accepted**: the cycle count at the end of the interrupted instruction (the
 * instruction boundary where it is taken), before the entry's own cycles; when the interrupt wakes
 * the core from sleep (correction `sleep`), the cycle it woke it, before the 4 wake-up cycles
 * too. tracehook's `-d int` reports the same cycle (scripts/avr/tracehook.ts).
 *
 * USART input: the bytes of `input` are delivered back to back at the configured baud rate: the
 * first frame starts at the UCSR0B write that sets RXEN0 (at avr8js's cycle for that write, the
 * store's first cycle), each next one as soon as the previous has arrived (in the same clock
 * event); each takes one character time, (UBRR+1)*(U2X?8:16)*frame bits.
 *
 * Pin drives (`pins`): at the first instruction boundary at or after `cycle` (asleep: at that
 * cycle), the pin is set with `AVRIOPort.setPin` (the level an input reads), before interrupts
 * are checked.
 *
 * Corrections (`corrections`, none by default = plain avr8js): CORRECTIONS below lists each with
 * its datasheet reference; all of them together make the reference tracehook-avr is compared
 * with, cycle for cycle (scripts/avr/crosscheck.ts, src/machines/arduino-uno-avr8js.test.ts).
 * `sleep`: a SLEEP executed with SMCR.SE = 1 and SREG.I = 1 idles (any mode is treated as idle)
 * until an interrupt is pending: virtual time jumps from clock event to clock event (and pin
 * drive); on wake-up the core is halted 4 cycles before the interrupt is entered.
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
const MCUSR = 0x54;
const RAMEND = 0x8ff;
const OP_SLEEP = 0x9588;

export interface PinDrive {
  port: 'B' | 'C' | 'D';
  bit: number;
  value: boolean;
  cycle: number;
}

/**
 * The corrections that turn avr8js 0.21.1 into the datasheet's ATmega328P where the guests see a
 * difference (each off by default: plain avr8js stays available). "Datasheet" is the ATmega328P
 * datasheet (DS40002061A); "manual" the AVR Instruction Set Manual (DS40002198A).
 */
export const CORRECTIONS = [
  { name: 'entry-4', doc: "interrupt entry takes 4 cycles, not avr8js's 2 (datasheet 7.7.1 Interrupt Response Time: 'The interrupt execution response for all the enabled AVR interrupts is four clock cycles minimum')" },
  { name: 'sei-delay', doc: "no interrupt at the boundary right after SEI (datasheet 7.7 Reset and Interrupt Handling: 'the instruction following SEI will be executed before any pending interrupts')" },
  { name: 'reti-delay', doc: "no interrupt at the boundary right after RETI (datasheet 7.7: 'When the AVR exits from an interrupt, it will always return to the main program and execute one more instruction before any pending interrupt is served')" },
  { name: 'sleep', doc: "SLEEP with SE = 1 sleeps until an interrupt (any mode as idle), woken +4 cycles (datasheet 10.1 Sleep Modes and 7.7.1: 'If an interrupt occurs when the MCU is in sleep mode, the interrupt execution response time is increased by four clock cycles'); avr8js: a 1-cycle NOP" },
  { name: 'eeprom-irq', doc: "EE_READY not requested while EEPE = 1 (datasheet 8.6.3 EECR.EERIE: 'The EEPROM Ready interrupt generates a constant interrupt when EEPE is cleared'); avr8js leaves it queued during a write" },
  { name: 'eeprom-time', doc: "an EEPROM erase-and-write (EEPM = 00) takes 3.4 ms = 54400 cycles (datasheet table 8-2 EEPROM Mode Bits); avr8js: erase 1.8 ms + write 1.8 ms = 3.6 ms" },
  { name: 'cbi-2', doc: 'CBI takes 2 cycles (manual, CBI: Cycles 2 on AVRe; avr8js counts 1, and 2 for SBI)' },
  { name: 'int-flag-masked', doc: "an INT0/INT1 edge sets INTFn whatever EIMSK says (datasheet 13.2.3 EIFR: 'When an edge or logic change on the INT0 pin triggers an interrupt request, INTF0 becomes set (one). If the I-bit in SREG and the INT0 bit in EIMSK are set (one), the MCU will jump to the corresponding Interrupt Vector'; the trigger is EICRA's, the mask only gates the jump); avr8js ignores edges while INTn is masked" },
  { name: 'ucsr0a-write', doc: "writing UCSR0A changes only U2X0, MPCM0 and (writing 1) clears TXC0 (datasheet 19.10.2 UCSRnA: RXCn, UDREn, FEn, DORn, UPEn are read-only flags); avr8js stores just U2X0/MPCM0, clearing RXC0, UDRE0 and TXC0" },
  { name: 'wdt-reset-io', doc: "a watchdog reset resets the I/O registers and SREG (datasheet 11.1 Resetting the AVR: 'During reset, all I/O Registers are set to their initial values'; MCUSR kept) and, with WDRF set, leaves the watchdog on in reset mode (10.9.2 WDTCSR.WDE: 'WDE is overridden by WDRF in MCUSR'); avr8js's cpu.reset() keeps every I/O register and SREG" },
  { name: 'usart-tx-buffer', doc: "USART0's transmitter is double-buffered (datasheet 19.6.3 Transmit Buffer Empty Flag: UDRE0 'indicates if the transmit buffer (UDRn) is ready to receive new data'; the byte moves to the Shift Register at once when it is idle; TXC0 is set when the frame is out and the buffer empty, 19.6.4): UDR0 takes a second byte while one is shifted out; a write with UDRE0 = 0 or TXEN0 = 0 is ignored; the UDRE request lasts while UDRE0 is set ('executed as long as UDREn is set'); avr8js clears UDRE0 for a whole frame after every write, and on entering the UDRE vector" },
  { name: 'clock-events', doc: 'every clock event due at an instruction boundary runs there (datasheet: the timers and the USART are independent hardware that set their flags in the same clock); avr8js runs one per instruction, so a second one due waits an instruction' },
] as const;
export type Correction = (typeof CORRECTIONS)[number]['name'];
export const ALL_CORRECTIONS: Correction[] = CORRECTIONS.map((c) => c.name);

export interface Avr8jsOptions {
  input?: Uint8Array;
  maxCycles?: number;
  pins?: PinDrive[];
  /** ADC inputs in volts (AVRADC.channelValues) */
  adc?: { channel: number; volts: number }[];
  /** datasheet corrections to apply (CORRECTIONS); none = plain avr8js */
  corrections?: readonly Correction[];
  /** old spelling of corrections 'sleep' */
  sleepModel?: boolean;
  /** old spelling of corrections 'entry-4', 'sei-delay', 'reti-delay' */
  datasheet?: boolean;
  /** old spelling of correction 'eeprom-irq' */
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

/**
 * Correction `int-flag-masked` on an avr8js port: an edge of the sense mode EICRA selects sets
 * INTFn also while EIMSK masks INTn (avr8js's `toggleInterrupt` looks at nothing while masked).
 * Exported for the peripheral tests that compare with avr8js.
 */
export function fixIntFlagMasked(cpu: CPU, port: AVRIOPort): void {
  interface ExtConfig { EIMSK: number; EICR: number; index: number; iscOffset: number }
  const p = port as unknown as {
    portConfig: { externalInterrupts: (ExtConfig | null)[] };
    externalInts: ({ constant: boolean } | null)[];
    toggleInterrupt(pin: number, rising: boolean): void;
  };
  const orig = p.toggleInterrupt.bind(p);
  p.toggleInterrupt = (pin, rising) => {
    const cfg = p.portConfig.externalInterrupts[pin];
    const ext = p.externalInts[pin];
    if (cfg && ext && !(cpu.data[cfg.EIMSK]! & (1 << cfg.index))) {
      const mode = (cpu.data[cfg.EICR]! >> cfg.iscOffset) & 3;
      if (mode === 1 || (mode === 2 && !rising) || (mode === 3 && rising)) {
        ext.constant = false;
        cpu.setInterruptFlag(ext as Parameters<CPU['setInterruptFlag']>[0]);
      }
    }
    orig(pin, rising);
  };
}

export function parsePinDrive(spec: string): PinDrive {
  const m = /^([BCDbcd])([0-7])=([01])@(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad pin drive "${spec}" (expected e.g. D2=1@100000)`);
  return { port: m[1]!.toUpperCase() as 'B' | 'C' | 'D', bit: Number(m[2]), value: m[3] === '1', cycle: Number(m[4]) };
}

interface ClockEventEntry { cycles: number; next: ClockEventEntry | null }

/** `image`: a HEX or ELF file, or the flash bytes from address 0. */
export function runAvr8js(image: string | Uint8Array, opts: Avr8jsOptions = {}): Avr8jsResult {
  const fix = new Set<Correction>(opts.corrections ?? []);
  for (const c of fix) if (!ALL_CORRECTIONS.includes(c)) throw new Error(`unknown correction ${c}`);
  if (opts.sleepModel) fix.add('sleep');
  if (opts.fixEepromIrq) fix.add('eeprom-irq');
  if (opts.datasheet) { fix.add('entry-4'); fix.add('sei-delay'); fix.add('reti-delay'); }
  let flash: Uint8Array;
  if (typeof image === 'string') flash = loadAvrImage(image).flash;
  else { flash = new Uint8Array(32 * 1024).fill(0xff); flash.set(image); }
  const progMem = new Uint16Array(flash.buffer, flash.byteOffset, flash.length / 2);
  const cpu = new CPU(progMem, 2048);
  const clock = new AVRClock(cpu, CPU_HZ, clockConfig);
  const timers = [new AVRTimer(cpu, timer0Config), new AVRTimer(cpu, timer1Config), new AVRTimer(cpu, timer2Config)];
  const ports = {
    B: new AVRIOPort(cpu, portBConfig),
    C: new AVRIOPort(cpu, portCConfig),
    D: new AVRIOPort(cpu, portDConfig),
  };
  if (fix.has('int-flag-masked')) fixIntFlagMasked(cpu, ports.D);
  const usart = new AVRUSART(cpu, usart0Config, CPU_HZ);
  const watchdog = new AVRWatchdog(cpu, watchdogConfig, clock);
  const eepromBackend = new EEPROMMemoryBackend(1024);
  const eeprom = new AVREEPROM(cpu, eepromBackend, eepromConfig);
  if (fix.has('eeprom-irq')) {
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
  if (fix.has('eeprom-time')) {
    // avr8js times an erase-and-write (EEPM = 0) as erase + write = 57600 cycles (3.6 ms); the
    // datasheet's table 8-2 says 3.4 ms (54400 cycles). Move the end event of such a write.
    const ee = eeprom as unknown as { writeCompleteCycles: number };
    const hook = cpu.writeHooks[eepromConfig.EECR]!;
    cpu.writeHooks[eepromConfig.EECR] = (value, old, addr, mask) => {
      const before = ee.writeCompleteCycles;
      const r = hook(value, old, addr, mask);
      if (ee.writeCompleteCycles !== before && (value & 0x30) === 0) {
        const end = ee.writeCompleteCycles;
        let prev: ClockEventEntry | null = null;
        let e = internals.nextClockEvent;
        while (e && e.cycles !== end) { prev = e; e = e.next; }
        if (!e) throw new Error('eeprom-time: no EEPROM write end event');
        if (prev) prev.next = e.next; else internals.nextClockEvent = e.next;
        ee.writeCompleteCycles = end - (57_600 - 54_400);
        cpu.addClockEvent((e as ClockEventEntry & { callback: () => void }).callback, ee.writeCompleteCycles - cpu.cycles);
      }
      return r;
    };
  }
  if (fix.has('usart-tx-buffer')) {
    // The transmit buffer in front of the shift register, as tracehook's USART ('datasheet'
    // timing): a frame-end clock event per frame.
    const u = usart as unknown as { UDRE: Parameters<CPU['setInterruptFlag']>[0]; TXC: Parameters<CPU['setInterruptFlag']>[0]; cyclesPerChar: number };
    // the UDRE request lasts as long as UDRE0 is set (19.6.3: 'the USART Data Register Empty
    // Interrupt will be executed as long as UDREn is set'): entering the vector does not clear it
    (u.UDRE as { constant?: boolean }).constant = true;
    let txBuffer = -1;
    let txBusy = false;
    const startFrame = (v: number): void => {
      txBusy = true;
      usart.onByteTransmit?.(v);
      cpu.addClockEvent(txEnd, u.cyclesPerChar);
    };
    const txEnd = (): void => {
      if (txBuffer >= 0) {
        const v = txBuffer;
        txBuffer = -1;
        cpu.setInterruptFlag(u.UDRE);
        startFrame(v);
      } else {
        txBusy = false;
        cpu.setInterruptFlag(u.TXC);
      }
    };
    cpu.writeHooks[usart0Config.UDR] = (value) => {
      if (!(cpu.data[usart0Config.UCSRB]! & 0x08 /* TXEN0 */) || !(cpu.data[usart0Config.UCSRA]! & 0x20 /* UDRE0 */)) return true;
      if (!txBusy) startFrame(value);
      else { txBuffer = value; cpu.clearInterrupt(u.UDRE); }
      return true;
    };
  }
  if (fix.has('ucsr0a-write')) {
    const A = usart0Config.UCSRA;
    const hook = cpu.writeHooks[A]!;
    cpu.writeHooks[A] = (value, old, addr, mask) => {
      const keep = old & 0xfc & ~(value & 0x40); // RXC0 TXC0 UDRE0 FE0 DOR0 UPE0, TXC0 cleared by a 1
      const r = hook(value, old, addr, mask);
      cpu.data[A] = keep | (value & 0x03);
      return r;
    };
  }
  const spi = new AVRSPI(cpu, spiConfig, CPU_HZ);
  new AVRTWI(cpu, twiConfig, CPU_HZ);
  const adc = new AVRADC(cpu, adcConfig);
  for (const a of opts.adc ?? []) adc.channelValues[a.channel] = a.volts;

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
  {
    // The first byte's frame starts at the write that sets RXEN0 (at the cycle avr8js makes
    // that write: the store's first cycle), as tracehook's USART starts it.
    const hook = cpu.writeHooks[usart0Config.UCSRB]!;
    cpu.writeHooks[usart0Config.UCSRB] = (value, old, addr, mask) => {
      const r = hook(value, old, addr, mask);
      if (!rxStarted && value & 0x10 /* RXEN0 */ && !usart.rxBusy) {
        rxStarted = true;
        usart.writeByte(input[inPos++]!);
      }
      return r;
    };
  }

  const pins = [...(opts.pins ?? [])].sort((a, b) => a.cycle - b.cycle);
  let pinPos = 0;
  let nextPinCycle = pins.length ? pins[0]!.cycle : Infinity;
  const applyPins = (): void => {
    if (cpu.cycles < nextPinCycle) return;
    while (pinPos < pins.length && pins[pinPos]!.cycle <= cpu.cycles) {
      const p = pins[pinPos++]!;
      ports[p.port].setPin(p.bit, p.value);
    }
    nextPinCycle = pinPos < pins.length ? pins[pinPos]!.cycle : Infinity;
  };
  const maxCycles = opts.maxCycles ?? 2_000_000_000;
  const events: AvrEvent[] = [];
  const data = cpu.data;
  const internals = cpu as unknown as { nextClockEvent: ClockEventEntry | null };
  let stop: Avr8jsResult['stop'] = 'limit';

  // The tick with its interrupt / reset detection. `at` is the cycle the interrupt is accepted
  // (before the entry cycles; asleep, before the wake-up cycles too).
  const entryExtra = fix.has('entry-4') ? 2 : 0;
  const allEvents = fix.has('clock-events');
  const resetIo = fix.has('wdt-reset-io');
  const runDueEvents = (): void => {
    // every clock event due now (avr8js's tick runs only the first): the same list walk as
    // CPU.tick, repeated
    for (;;) {
      const ev = internals.nextClockEvent as (ClockEventEntry & { callback: () => void }) | null;
      if (!ev || ev.cycles > cpu.cycles) return;
      ev.callback();
      if (internals.nextClockEvent === ev) internals.nextClockEvent = ev.next;
    }
  };
  /** avr8js's watchdog reset (cpu.reset()) just happened at `at`, from word address `fromPc`. */
  const afterReset = (at: number, fromPc: number): void => {
    events.push({ kind: 'reset', cycle: at, vector: 0, name: 'RESET', from: fromPc * 2 });
    if (resetIo) {
      const mcusr = data[MCUSR]!;
      data.fill(0, 0x20, 0x100);
      data[MCUSR] = mcusr;
      data[0x5d] = RAMEND & 0xff;
      data[0x5e] = RAMEND >> 8;
      usart.reset();
      for (const t of timers) t.reset();
      spi.reset();
      const wd = watchdog as unknown as { enabledValue: boolean; scheduled: boolean; watchdogTimeout: number; changeEnabledCycles: number; checkWatchdog: () => void; resetWatchdog(): void };
      wd.changeEnabledCycles = 0;
      wd.enabledValue = (mcusr & 0x08) !== 0; // WDRF forces WDE
      data[watchdogConfig.WDTCSR] = wd.enabledValue ? 0x08 : 0;
      if (wd.enabledValue) {
        wd.resetWatchdog();
        wd.scheduled = true;
        cpu.addClockEvent(wd.checkWatchdog, wd.watchdogTimeout - cpu.cycles);
      }
    }
  };
  const tick = (at = cpu.cycles, wake = 0): void => {
    const pc = cpu.pc;
    const sp = data[0x5d]! | (data[0x5e]! << 8);
    if (allEvents) runDueEvents();
    cpu.tick();
    if (cpu.pc !== pc || (data[0x5d]! | (data[0x5e]! << 8)) !== sp) {
      const nsp = data[0x5d]! | (data[0x5e]! << 8);
      if (nsp === sp - 2) {
        const vector = cpu.pc >> 1;
        events.push({ kind: 'int', cycle: at, vector, name: ATMEGA328P_VECTORS[vector] ?? `vector${vector}`, from: pc * 2 });
        cpu.cycles += entryExtra;
      } else if (cpu.pc === 0 && nsp === RAMEND) {
        afterReset(at, pc);
      }
    } else if (wake) {
      cpu.cycles -= wake; // not woken after all (cannot happen: woken only with an interrupt pending)
    }
  };
  /** clock events only, no interrupt at this boundary */
  const tickNoInterrupt = (): void => {
    const sreg = data[SREG]!;
    data[SREG] = sreg & 0x7f;
    if (allEvents) runDueEvents();
    cpu.tick();
    data[SREG] = sreg;
  };

  const seiDelay = fix.has('sei-delay');
  const retiDelay = fix.has('reti-delay');
  const sleepModel = fix.has('sleep');
  const cbi2 = fix.has('cbi-2');
  for (;;) {
    if (cpu.cycles >= maxCycles) { stop = 'limit'; break; }
    const op = progMem[cpu.pc]!;
    if (op === OP_SLEEP) {
      // With I = 0 only a watchdog reset can end the sleep: the run ends there unless WDE is set.
      const irqOn = (data[SREG]! & 0x80) !== 0;
      if (!irqOn && !(data[watchdogConfig.WDTCSR]! & 0x08)) { stop = 'sleep'; break; }
      if (sleepModel && data[SMCR]! & 1) {
        avrInstruction(cpu);
        // (the instruction boundary after SLEEP: pin drives and clock events due now)
        applyPins();
        let woke = true;
        let reset = false;
        for (;;) {
          const pc = cpu.pc;
          tickNoInterrupt();
          if (cpu.pc === 0 && pc !== 0) { afterReset(cpu.cycles, pc); reset = true; break; }
          if (cpu.nextInterrupt >= 0 && irqOn) break;
          const ev = internals.nextClockEvent;
          const nextPin = nextPinCycle;
          if (!ev && nextPin === Infinity) { woke = false; break; }
          const t = Math.min(ev ? ev.cycles : Infinity, nextPin);
          if (t >= maxCycles) { cpu.cycles = maxCycles; woke = false; break; }
          if (t > cpu.cycles) cpu.cycles = t;
          applyPins();
        }
        if (!woke) { stop = internals.nextClockEvent || nextPinCycle !== Infinity ? 'limit' : 'sleep-forever'; break; }
        if (reset) continue;
        const at = cpu.cycles;
        cpu.cycles += 4;
        tick(at, 4);
        continue;
      }
    }
    avrInstruction(cpu);
    if (cbi2 && (op & 0xff00) === 0x9800) cpu.cycles++;
    applyPins();
    if ((seiDelay && op === 0x9478 /* SEI */) || (retiDelay && op === 0x9518 /* RETI */)) {
      tickNoInterrupt();
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
