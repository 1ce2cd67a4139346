/**
 * insn: count executed instructions, like QEMU's contrib `insn` plugin.
 *
 *     -plugin insn[,inline=off]
 *
 * `inline=on` (default) compiles `counter[vcpu] += 1` into the block before each instruction;
 * `inline=off` calls a callback per instruction instead (slower, shows the cost of a call).
 * At exit prints `insns: N`, preceded by `cpu V insns: N` per vCPU when there are several.
 */
import { definePlugin } from '../plugin/api.js';

export default definePlugin({
  name: 'insn',
  description: 'counts executed instructions',
  args: {
    inline: { type: 'bool', default: true, help: 'count with an inline add instead of a callback' },
  },
  install(api, args) {
    const insns = api.counter('insns');
    // One shared callback for every instruction (a closure per instruction would be wasted).
    const count = (vcpu: number) => insns.set(vcpu, insns.get(vcpu) + 1);

    api.onTranslate(tb => {
      for (const insn of tb.insns) {
        if (args.inline) insn.inlineAdd(insns, 1);
        else insn.onExec(count);
      }
    });

    api.onExit(() => {
      let report = '';
      if (api.vcpus > 1) for (let v = 0; v < api.vcpus; v++) report += `cpu ${v} insns: ${insns.get(v)}\n`;
      api.out(report + `insns: ${insns.sum()}\n`);
    });
  },
});
