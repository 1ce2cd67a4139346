/**
 * A test plugin recording the PC of every retired instruction, one lowercase hex PC per line
 * (the golden `pc_trace` format), independently of the etrace plugin: an exec callback on every
 * instruction, and an instruction that raised an exception (other than ecall, ebreak, c.ebreak,
 * which retire and raise) is taken back out. `-plugin retired-pcs.ts,out=FILE[,start=ADDR]`.
 */
import { writeFileSync } from 'node:fs';
import { definePlugin, Flow } from '../../../plugin/api.js';

const RETIRE_AND_RAISE = new Set([0x00000073, 0x00100073, 0x9002]);

export default definePlugin({
  name: 'retired-pcs',
  args: { out: { type: 'string', default: '' }, start: { type: 'string', default: '' } },
  install(api, args) {
    const pcs: bigint[] = [];
    const retireAndRaise = new Set<bigint>();
    const start = args.start === '' ? undefined : BigInt(args.start as string);
    let on = start === undefined;
    api.onTranslate((tb) => {
      for (const i of tb.insns) {
        const pc = i.vaddr;
        if (RETIRE_AND_RAISE.has(i.size === 2 ? i.opcode & 0xffff : i.opcode >>> 0)) retireAndRaise.add(pc);
        i.onExec(() => {
          if (!on && pc === start) on = true;
          if (on) pcs.push(pc);
        });
      }
    });
    api.onControlFlow(Flow.Exception, (_v, e) => {
      // The faulting instruction started (its exec callback ran) but did not retire.
      if (pcs.length > 0 && pcs[pcs.length - 1] === e.fromPc && !retireAndRaise.has(e.fromPc)) pcs.pop();
    });
    api.onExit(() => writeFileSync(args.out as string, pcs.map((p) => p.toString(16)).join('\n') + '\n'));
  },
});
