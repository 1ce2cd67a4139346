/**
 * execlog: log every executed instruction, like QEMU's contrib `execlog` plugin.
 *
 *     -plugin execlog[,ifilter=MNEMONIC][,afilter=ADDRESS]
 *
 * One line per instruction: vCPU, PC, opcode, disassembly, then each memory access it made:
 *
 *     0, 0x80000010, 0xc783, "lbu a5,0(a0)", load, 0x80001000
 *
 * `ifilter` logs only instructions whose disassembly starts with the text; `afilter` only the
 * instruction at that address. Either may list several alternatives separated by `|`
 * (QEMU repeats the option instead); with both, an instruction matching either is logged.
 *
 * As in QEMU, a line is held until the vCPU's next logged instruction so that the memory
 * accesses, which come after the exec callback, can be appended to it.
 */
import { definePlugin, UserError } from '../plugin/api.js';

function parseAddress(text: string): bigint {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) {
    throw new UserError(`plugin execlog: argument 'afilter' expects addresses like 0x80000000, got '${text}'`);
  }
  return BigInt(text);
}

export default definePlugin({
  name: 'execlog',
  description: 'logs every executed instruction and its memory accesses',
  args: {
    ifilter: { type: 'string', help: 'only instructions whose disassembly starts with this (a|b: either)' },
    afilter: { type: 'string', help: 'only the instruction at this address (a|b: either)' },
  },
  install(api, args) {
    const ifilters = typeof args.ifilter === 'string' ? args.ifilter.split('|') : undefined;
    const afilters = typeof args.afilter === 'string' ? args.afilter.split('|').map(parseAddress) : undefined;
    const filtered = ifilters !== undefined || afilters !== undefined;
    const wanted = (vaddr: bigint, disas: string) =>
      !filtered || !!ifilters?.some(f => disas.startsWith(f)) || !!afilters?.some(a => a === vaddr);

    // Output is batched: one `out` call per 64 KiB rather than per line.
    let buf = '';
    const emit = (line: string) => {
      buf += line + '\n';
      if (buf.length >= 65536) { api.out(buf); buf = ''; }
    };
    const lines = api.scoreboard(vcpu => ({ prefix: `${vcpu}, `, text: '' }));
    const flushVcpu = (vcpu: number) => {
      const l = lines.get(vcpu);
      if (l.text !== '') { emit(l.text); l.text = ''; }
    };

    api.onTranslate(tb => {
      for (const insn of tb.insns) {
        if (!wanted(insn.vaddr, insn.disas)) continue;
        const text = `0x${insn.vaddr.toString(16)}, 0x${insn.opcode.toString(16)}, "${insn.disas}"`;
        insn.onExec(vcpu => {
          const l = lines.get(vcpu);
          if (l.text !== '') emit(l.text);
          l.text = l.prefix + text;
        });
        insn.onMemory((vcpu, a) => {
          const lo = a.vaddrLo.toString(16);
          const addr = a.vaddrHi === 0 ? lo.padStart(8, '0') : a.vaddrHi.toString(16) + lo.padStart(8, '0');
          lines.get(vcpu).text += (a.isStore ? ', store, 0x' : ', load, 0x') + addr;
        });
      }
    });

    api.onVcpuExit(flushVcpu);
    api.onExit(() => {
      for (let v = 0; v < lines.all().length; v++) flushVcpu(v);
      if (buf !== '') api.out(buf);
      buf = '';
    });
  },
});
