/**
 * hotblocks: the most executed blocks, like QEMU's contrib `hotblocks` plugin.
 *
 *     -plugin hotblocks[,limit=20]
 *
 * At exit prints the `limit` blocks with the highest execution counts:
 *
 *     pc, tcount, icount, ecount
 *     0x0000000080000104, 1, 5, 100000
 *
 * `tcount`: times the block was translated (again after a flush), `icount`: its instructions,
 * `ecount`: times it ran, over all vCPUs.
 *
 * Counting: an inline counter per block would need one `api.counter()` per block, a per-vCPU
 * array each, so instead every block gets one `onExec` callback that bumps a number held in its
 * closure. The engine calls it directly from the block's code, where the JS engine can inline it;
 * it never allocates. (JS runs the vCPUs on one thread, so a plain `++` is exact.)
 */
import { definePlugin } from '../plugin/api.js';

interface BlockStats {
  readonly pc: bigint;
  readonly icount: number;
  tcount: number;
  ecount: number;
}

export default definePlugin({
  name: 'hotblocks',
  description: 'reports the most executed blocks',
  args: {
    limit: { type: 'int', default: 20, help: 'number of blocks to report' },
  },
  install(api, args) {
    const limit = args.limit as number;
    // Keyed by address and length, as QEMU hashes (pc, insns): a block retranslated after a flush
    // (or self-modifying code) with the same shape counts as the same block.
    const blocks = new Map<string, BlockStats>();

    api.onTranslate(tb => {
      const key = `${tb.vaddr.toString(16)}/${tb.insns.length}`;
      let stats = blocks.get(key);
      if (stats) stats.tcount++;
      else blocks.set(key, stats = { pc: tb.vaddr, icount: tb.insns.length, tcount: 1, ecount: 0 });
      const s = stats;
      tb.onExec(() => { s.ecount++; });
    });

    api.onExit(() => {
      const sorted = [...blocks.values()].sort((a, b) => b.ecount - a.ecount || (a.pc < b.pc ? -1 : a.pc > b.pc ? 1 : 0));
      let report = `collected ${blocks.size} entries in the hash table\npc, tcount, icount, ecount\n`;
      for (const b of sorted.slice(0, Math.max(0, limit))) {
        report += `0x${b.pc.toString(16).padStart(16, '0')}, ${b.tcount}, ${b.icount}, ${b.ecount}\n`;
      }
      api.out(report);
    });
  },
});
