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
          // QEMU 7.2's layout: a header per block, then address, raw bits and disassembly.
          let s = `----------------\nIN: ${tb.insns[0]?.symbol ?? api.symbolAt(tb.vaddr) ?? ''}\nPriv: ${api.readRegister(0, 'priv')}; Virt: 0\n`;
          for (const i of tb.insns) {
            const raw = hex(BigInt(i.opcode), i.size * 2).padEnd(8, ' ');
            const [mn, ops] = i.disas.split(' ', 2) as [string, string | undefined];
            s += `0x${hex(i.vaddr, w)}:  ${raw}          ${mn.padEnd(23, ' ')} ${ops ?? ''}\n`;
          }
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
            // QEMU 7.2: "Trace N: <host ptr> [cs_base/pc/flags/cflags] symbol"; the host pointer and
            // flags are QEMU internals, so scripts use the pc between the first two slashes.
            if (items.has('exec')) out(`Trace ${v}: 0x0 [${hex(0n, w)}/${hex(pc, w)}/00000000/00000000] ${sym}\n`);
          });
        }
      });
    },
  });
}
