/**
 * `-d in_asm`, `-d exec` and `-d cpu`, written as an internal plugin on the public API (the same
 * facilities a user plugin has). What is common to every target is here: a block header per
 * translation (`in_asm`), and per executed block QEMU 7.2's `Trace` line (`exec`) and a register
 * dump (`cpu`); each target gives its own instruction line, header extra and register dump.
 */
import { definePlugin, type Plugin, type PluginApi, type TranslatedInsn } from '../plugin/api.js';

export const hex = (v: bigint | number, w: number): string => v.toString(16).padStart(w, '0');

/** How one target writes its `-d` lines, in QEMU 7.2's layout for that target. */
export interface DebugLogFormat {
  /** Hex digits of the addresses in `Trace` lines. */
  readonly addrDigits: number;
  /** Extra header lines after `IN: symbol` (with their newlines), e.g. RISC-V's `Priv: ...`. */
  header?(api: PluginApi): string;
  /** One `in_asm` line (with its newline). */
  insnLine(i: TranslatedInsn): string;
  /** The `-d cpu` dump before a block runs. */
  dumpCpu(api: PluginApi, vcpu: number): string;
}

export function debugLogPluginFor(items: ReadonlySet<string>, out: (s: string) => void, fmt: DebugLogFormat): Plugin {
  const w = fmt.addrDigits;
  return definePlugin({
    name: 'debug-log',
    install(api) {
      api.onTranslate((tb) => {
        if (items.has('in_asm')) {
          let s = `----------------\nIN: ${tb.insns[0]?.symbol ?? api.symbolAt(tb.vaddr) ?? ''}\n${fmt.header?.(api) ?? ''}`;
          for (const i of tb.insns) s += fmt.insnLine(i);
          out(s + '\n');
        }
        if (items.has('exec') || items.has('cpu')) {
          const pc = tb.vaddr;
          const sym = api.symbolAt(pc) ?? '';
          tb.onExec((v) => {
            if (items.has('cpu')) out(fmt.dumpCpu(api, v));
            // QEMU 7.2: "Trace N: <host ptr> [cs_base/pc/flags/cflags] symbol"; the host pointer and
            // flags are QEMU internals, so scripts use the pc between the first two slashes.
            if (items.has('exec')) out(`Trace ${v}: 0x0 [${hex(0, w)}/${hex(pc, w)}/00000000/00000000] ${sym}\n`);
          });
        }
      });
    },
  });
}

/** RISC-V (QEMU 7.2's riscv layouts). */
export function debugLogPlugin(items: ReadonlySet<string>, out: (s: string) => void, xlen: 32 | 64): Plugin {
  const w = xlen === 64 ? 16 : 8;
  return debugLogPluginFor(items, out, {
    addrDigits: w,
    header: (api) => `Priv: ${api.readRegister(0, 'priv')}; Virt: 0\n`,
    insnLine(i) {
      const raw = hex(i.opcode >>> 0, i.size * 2).padEnd(8, ' ');
      const [mn, ops] = i.disas.split(' ', 2) as [string, string | undefined];
      return `0x${hex(i.vaddr, w)}:  ${raw}          ${mn.padEnd(23, ' ')} ${ops ?? ''}\n`;
    },
    dumpCpu(api, v) {
      let s = ` pc       ${hex(api.pc(v), w)}\n`;
      const regs = api.registers(v).filter((r) => r.feature === 'cpu' && r.name !== 'pc');
      regs.forEach((r, i) => { s += ` x${i}/${r.name.padEnd(4)} ${hex(api.readRegister(v, r.name), w)}${i % 4 === 3 ? '\n' : ''}`; });
      return s;
    },
  });
}
