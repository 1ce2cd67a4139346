/**
 * avr8js's own speed on an AVR program, the way its examples run it (`avrInstruction(cpu);
 * cpu.tick()` per instruction, the ATmega328P peripherals attached, no hooks of ours), until
 * SLEEP with I = 0. Prints instructions, cycles, the run loop's time and the rates.
 *
 *     node --import tsx scripts/avr/avr8js-speed.ts [guests/avr/workload.hex] [--count]
 *
 * --count also counts instructions (one more increment per instruction) for MIPS; without it
 * only cycles are reported, from the loop avr8js users run.
 */
import {
  AVRClock, AVREEPROM, AVRIOPort, AVRTimer, AVRUSART, AVRWatchdog, CPU, EEPROMMemoryBackend,
  avrInstruction, clockConfig, portBConfig, portCConfig, portDConfig, timer0Config, timer1Config,
  timer2Config, usart0Config, watchdogConfig,
} from 'avr8js';
import { loadAvrImage } from './image.js';

const args = process.argv.slice(2);
const count = args.includes('--count');
const image = args.find((a) => !a.startsWith('--')) ?? 'guests/avr/workload.hex';
const t0 = process.hrtime.bigint();
const { flash } = loadAvrImage(image);
const cpu = new CPU(new Uint16Array(flash.buffer), 2048);
const clock = new AVRClock(cpu, 16e6, clockConfig);
new AVRTimer(cpu, timer0Config); new AVRTimer(cpu, timer1Config); new AVRTimer(cpu, timer2Config);
new AVRIOPort(cpu, portBConfig); new AVRIOPort(cpu, portCConfig); new AVRIOPort(cpu, portDConfig);
const usart = new AVRUSART(cpu, usart0Config, 16e6);
new AVRWatchdog(cpu, watchdogConfig, clock);
new AVREEPROM(cpu, new EEPROMMemoryBackend(1024));
let out = '';
usart.onByteTransmit = (b) => { out += String.fromCharCode(b); };
const prog = cpu.progMem;
const t1 = process.hrtime.bigint();
let n = 0;
if (count) {
  while (!(prog[cpu.pc] === 0x9588 && !(cpu.data[0x5f]! & 0x80))) { avrInstruction(cpu); cpu.tick(); n++; }
} else {
  while (!(prog[cpu.pc] === 0x9588 && !(cpu.data[0x5f]! & 0x80))) { avrInstruction(cpu); cpu.tick(); }
}
const t2 = process.hrtime.bigint();
const secs = Number(t2 - t1) / 1e9;
process.stdout.write(out);
process.stderr.write(`${image}: ${count ? `${n} instructions, ` : ''}${cpu.cycles} cycles; run loop ${secs.toFixed(3)} s: ` +
  `${count ? `${(n / secs / 1e6).toFixed(1)} MIPS, ` : ''}${(cpu.cycles / secs / 1e6).toFixed(1)} M cycles/s ` +
  `(${(cpu.cycles / secs / 16e6).toFixed(2)}x real time); set-up ${(Number(t1 - t0) / 1e6).toFixed(0)} ms\n`);
