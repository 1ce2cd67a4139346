/**
 * `-d in_asm`, `-d exec` and `-d cpu`, written as an internal plugin on the public API: the same
 * facilities a user plugin has.
 */
import { definePlugin, type Plugin } from '../plugin/api.js';

const hex = (v: bigint, w: number): string => v.toString(16).padStart(w, '0');

export function debugLogPlugin(items: ReadonlySet<string>, out: (s: string) => void, xlen: 32 | 64): Plugin {
  const w = xlen === 64 ? 16 : 8;
  return definePlugin({
    name: 'debug-log',
    install(api) {
      api.onTranslate((tb) => {
        if (items.has('in_asm')) {
          let s = `----------------\nIN: ${tb.insns[0]?.symbol ?? api.symbolAt(tb.vaddr) ?? ''}\n`;
          for (const i of tb.insns) s += `0x${hex(i.vaddr, w)}:  ${hex(BigInt(i.opcode), i.size * 2)}          ${i.disas}\n`;
          out(s + '\n');
        }
        if (items.has('exec') || items.has('cpu')) {
          const pc = tb.vaddr;
          const sym = api.symbolAt(pc) ?? '';
          tb.onExec((v) => {
            if (items.has('cpu')) {
              let s = ` pc       ${hex(api.pc(v), w)}\n`;
              const regs = api.registers(v).filter((r) => r.feature === 'cpu' && r.name !== 'pc');
              regs.forEach((r, i) => { s += ` x${i}/${r.name.padEnd(4)} ${hex(api.readRegister(v, r.name), w)}${i % 4 === 3 ? '\n' : ''}`; });
              out(s);
            }
            if (items.has('exec')) out(`Trace ${v}: [${hex(pc, w)}] ${sym}\n`);
          });
        }
      });
    },
  });
}
