/**
 * Run a small AVR program on the `arduino-uno` machine and look at the CPU afterwards.
 *
 * ```ts
 * const r = await runAvr(`
 *   ldi r16, 0x7f
 *   inc r16
 * `);
 * assert.equal(r.r(16), 0x80);
 * assert.equal(r.flags, 'SVN');   // the set SREG bits, in ITHSVNZC order
 * assert.equal(r.cycles, 2);
 * ```
 *
 * The program is assembled at 0 (the reset vector) with the test assembler and runs on the CPU
 * alone (no peripherals unless `peripherals` is set). The run ends when the
 * program writes GPIOR0 (I/O 0x1e, which no peripheral uses): a line reading `exit` expands to
 * {@link EXIT}, and one is appended after the program in case it falls off its end. `cycles` is
 * the cycle count when that write executes, so the exit instruction itself is not counted.
 */
import { ArduinoUno } from '../../../machines/arduino-uno.js';
import { PluginHost } from '../../../plugin/host.js';
import type { AvrCpu } from '../cpu.js';
import { assemble } from './asm.js';

/** Ends the run (GPIOR0 write); 1 cycle, not counted in `cycles`. */
export const EXIT = 'out 0x1e, r0';
/** GPIOR0 in the data space. */
const GPIOR0 = 0x3e;

export interface AvrRunOptions {
  /** Stop with an error after this many cycles (default 1,000,000). */
  maxCycles?: number;
  /** Called after the machine is built and the program loaded, before it runs. */
  setup?: (m: ArduinoUno, cpu: AvrCpu, labels: ReadonlyMap<string, number>) => void;
  host?: PluginHost;
  intLog?: (line: string) => void;
  /** Build the board's peripherals too (default: the CPU alone, so tests own every vector). */
  peripherals?: boolean;
}

export interface AvrRunResult {
  machine: ArduinoUno;
  cpu: AvrCpu;
  labels: ReadonlyMap<string, number>;
  /** Cycles executed before the exit write (idle time included). */
  cycles: number;
  /** Register value. */
  r(n: number): number;
  /** SREG as the letters of its set bits, in ITHSVNZC order ('' when clear). */
  flags: string;
  sreg: number;
  sp: number;
  /** Data-space byte. */
  mem(addr: number): number;
}

/** SREG bits as letters, I first. */
export function flagLetters(sreg: number): string {
  let s = '';
  for (let b = 7; b >= 0; b--) if ((sreg >> b) & 1) s += 'CZNVSHTI'[b];
  return s;
}

export async function runAvr(source: string, o: AvrRunOptions = {}): Promise<AvrRunResult> {
  const text = source.split('\n').map((l) => (l.replace(/;.*$/, '').trim() === 'exit' ? EXIT : l)).join('\n') + `\n${EXIT}\n`;
  const { bytes, labels } = assemble(text);
  const m = new ArduinoUno({ flashImage: bytes, maxCycles: o.maxCycles ?? 1_000_000, host: o.host, intLog: o.intLog, bare: o.peripherals !== true });
  const cpu = m.cpu;
  let cycles = -1;
  cpu.onWrite(GPIOR0, () => {
    if (cycles < 0) { cycles = cpu.cycles(); m.runner.requestExit(0); }
    return false;
  });
  o.setup?.(m, cpu, labels);
  await m.run();
  m.finish();
  return {
    machine: m, cpu, labels, cycles,
    r: (n) => cpu.data[n]!,
    flags: flagLetters(cpu.sreg),
    sreg: cpu.sreg,
    sp: cpu.sp,
    mem: (a) => cpu.data[a]!,
  };
}
