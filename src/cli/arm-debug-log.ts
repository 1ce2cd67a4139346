/**
 * `-d in_asm`, `-d exec` and `-d cpu` for `tracehook-arm`, written as an internal plugin on the
 * public API (as the RISC-V and AVR ones). `cpu` follows QEMU 7.2's M-profile register dump
 * (arm_cpu_dump_state: R00..R15 four to a line, then XPSR with the flags, mode and stack).
 */
import type { Plugin } from '../plugin/api.js';
import { debugLogPluginFor, hex } from './debug-log.js';

export function armDebugLogPlugin(items: ReadonlySet<string>, out: (s: string) => void): Plugin {
  return debugLogPluginFor(items, out, {
    addrDigits: 8,
    insnLine(i) {
      const raw = i.size === 4 ? `${hex(i.opcode >>> 16, 4)} ${hex(i.opcode & 0xffff, 4)}` : hex(i.opcode, 4);
      // QEMU 7.2's layout (raw halfwords, mnemonic in 8 columns); the text is objdump's
      // syntax without its `@ ...` comments (QEMU prints capstone's).
      const sp = i.disas.indexOf(' ');
      const mn = sp < 0 ? i.disas : i.disas.slice(0, sp);
      const ops = sp < 0 ? '' : i.disas.slice(sp + 1).split('\t@')[0]!;
      return `0x${hex(i.vaddr, 8)}:  ${raw.padEnd(10, ' ')} ${`${mn.padEnd(8, ' ')} ${ops}`.trimEnd()}\n`;
    },
    dumpCpu(api, v) {
      let s = '';
      for (let n = 0; n < 16; n++) {
        const val = n === 15 ? api.pc(v) : api.readRegister(v, n === 13 ? 'sp' : n === 14 ? 'lr' : `r${n}`);
        s += `R${String(n).padStart(2, '0')}=${hex(val, 8)}${n % 4 === 3 ? '\n' : ' '}`;
      }
      const xpsr = Number(api.readRegister(v, 'xpsr'));
      const control = Number(api.readRegister(v, 'control'));
      const flags = [...'NZCV'].map((c, i) => ((xpsr >>> (31 - i)) & 1 ? c : '-')).join('');
      const handler = (xpsr & 0x1ff) !== 0;
      const priv = handler || (control & 1) === 0 ? 'priv' : 'unpriv';
      s += `XPSR=${hex(xpsr >>> 0, 8)} ${flags} ${(xpsr >>> 24) & 1 ? 'T' : 'A'} ${handler ? 'handler' : `${priv}-thread`}\n`;
      return s;
    },
  });
}
