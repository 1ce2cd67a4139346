/**
 * A plugin for scripts/etrace/uboot-roundtrip.ts: counts the instructions retired from `start` on
 * and hashes their PCs (FNV-1a over the 32-bit halves), without keeping them: an exec callback on
 * every instruction, and one that raised an exception (not ecall/ebreak, which retire and raise)
 * is taken back out (its hash is kept from before it). Prints `pc-hash: COUNT HASH` at exit.
 */
import { definePlugin, Flow } from '../../src/plugin/api.js';

const RETIRE_AND_RAISE = new Set([0x00000073, 0x00100073, 0x9002]);

/** FNV-1a step over a 32-bit value (4 bytes, little end first). */
export function fnv(h: number, v: number): number {
  for (let i = 0; i < 4; i++) { h ^= (v >>> (8 * i)) & 0xff; h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}
export const FNV_START = 0x811c9dc5;

export default definePlugin({
  name: 'pc-hash',
  args: { start: { type: 'string', default: '0x80000000' } },
  install(api, args) {
    const start = BigInt(args.start as string);
    let on = false, count = 0, hash = FNV_START, before = FNV_START, lastPc = -1n;
    const retireAndRaise = new Set<bigint>();
    api.onTranslate((tb) => {
      for (const i of tb.insns) {
        const pc = i.vaddr, lo = Number(pc & 0xffffffffn), hi = Number(pc >> 32n);
        if (RETIRE_AND_RAISE.has(i.size === 2 ? i.opcode & 0xffff : i.opcode >>> 0)) retireAndRaise.add(pc);
        i.onExec(() => {
          if (!on && pc === start) on = true;
          if (!on) return;
          before = hash;
          hash = fnv(fnv(hash, lo), hi);
          count++;
          lastPc = pc;
        });
      }
    });
    api.onControlFlow(Flow.Exception, (_v, e) => {
      if (on && e.fromPc === lastPc && !retireAndRaise.has(e.fromPc)) { hash = before; count--; lastPc = -1n; }
    });
    api.onExit(() => api.out(`pc-hash: ${count} ${hash.toString(16)}\n`));
  },
});
