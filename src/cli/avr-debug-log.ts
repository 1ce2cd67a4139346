/**
 * `-d in_asm`, `-d exec` and `-d cpu` for `tracehook-avr`, written as an internal plugin on the
 * public API (as the RISC-V one). Layouts follow QEMU 7.2's AVR target where it has one
 * (`cpu`: avr_cpu_dump_state); addresses are bytes.
 */
import { definePlugin, type Plugin } from '../plugin/api.js';

const hex = (v: bigint | number, w: number): string => v.toString(16).padStart(w, '0');

export function avrDebugLogPlugin(items: ReadonlySet<string>, out: (s: string) => void): Plugin {
  return definePlugin({
    name: 'debug-log',
    install(api) {
      const dumpCpu = (v: number): string => {
        const sreg = Number(api.readRegister(v, 'sreg'));
        const flags = [...'ITHSVNZC'].map((c, i) => ((sreg >> (7 - i)) & 1 ? c : '-')).join(' ');
        let s = `\n  PC:    ${hex(api.pc(v) / 2n, 6)}\n  SP:      ${hex(api.readRegister(v, 'sp'), 4)}\n  SREG:    [ ${flags} ]\n`;
        for (let r = 0; r < 32; r++) s += `  R[${String(r).padStart(2, '0')}]:  ${hex(api.readRegister(v, `r${r}`), 2)} ${r % 8 === 7 ? '\n' : ''}`;
        return s + '\n';
      };
      api.onTranslate((tb) => {
        if (items.has('in_asm')) {
          let s = `----------------\nIN: ${tb.insns[0]?.symbol ?? api.symbolAt(tb.vaddr) ?? ''}\n`;
          for (const i of tb.insns) {
            const b = i.bytes;
            const raw = [...b].map((x) => hex(x, 2)).join(' ').padEnd(12, ' ');
            s += `0x${hex(i.vaddr, 8)}:  ${raw}  ${i.disas}\n`;
          }
          out(s + '\n');
        }
        if (items.has('exec') || items.has('cpu')) {
          const pc = tb.vaddr;
          const sym = api.symbolAt(pc) ?? '';
          tb.onExec((v) => {
            if (items.has('cpu')) out(dumpCpu(v));
            if (items.has('exec')) out(`Trace ${v}: 0x0 [00000000/${hex(pc, 8)}/00000000/00000000] ${sym}\n`);
          });
        }
      });
    },
  });
}
