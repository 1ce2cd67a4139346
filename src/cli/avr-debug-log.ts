/**
 * `-d in_asm`, `-d exec` and `-d cpu` for `tracehook-avr`, written as an internal plugin on the
 * public API (as the RISC-V one). Layouts follow QEMU 7.2's AVR target where it has one
 * (`cpu`: avr_cpu_dump_state); addresses are bytes.
 */
import type { Plugin } from '../plugin/api.js';
import { debugLogPluginFor, hex } from './debug-log.js';

export function avrDebugLogPlugin(items: ReadonlySet<string>, out: (s: string) => void): Plugin {
  return debugLogPluginFor(items, out, {
    addrDigits: 8,
    insnLine(i) {
      const raw = [...i.bytes].map((x) => hex(x, 2)).join(' ').padEnd(12, ' ');
      return `0x${hex(i.vaddr, 8)}:  ${raw}  ${i.disas}\n`;
    },
    // QEMU 7.2's avr_cpu_dump_state (target/avr/cpu.c): PC as a byte address, RAMP/EIND
    // registers (0 on the ATmega328P), X/Y/Z, SREG, then r0..r31 eight to a line.
    dumpCpu(api, v) {
      const r = (n: number): number => Number(api.readRegister(v, `r${n}`));
      const sreg = Number(api.readRegister(v, 'sreg'));
      const flags = [...'ITHSVNZC'].map((c, i) => ((sreg >> (7 - i)) & 1 ? c : '-')).join(' ');
      let s = `\nPC:    ${hex(api.pc(v), 6)}\nSP:      ${hex(api.readRegister(v, 'sp'), 4)}\n`;
      s += 'rampD:     00\nrampX:     00\nrampY:     00\nrampZ:     00\nEIND:      00\n';
      s += `X:       ${hex(r(27), 2)}${hex(r(26), 2)}\nY:       ${hex(r(29), 2)}${hex(r(28), 2)}\nZ:       ${hex(r(31), 2)}${hex(r(30), 2)}\n`;
      s += `SREG:    [ ${flags} ]\n`;
      for (let n = 0; n < 32; n++) s += `R[${String(n).padStart(2, '0')}]:  ${hex(r(n), 2)}   ${n % 8 === 7 ? '\n' : ''}`;
      return s + '\n';
    },
  });
}
