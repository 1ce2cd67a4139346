/**
 * Loads and stores: bases pointing into the data area with random offsets, naturally aligned or
 * misaligned (QEMU 7.2 performs misaligned accesses to RAM), and a few faulting addresses
 * (unmapped, straddling the end of RAM, x0-relative, ROM stores), and a few loads from virt's
 * PCIe MMIO window (no device there: all-ones), misaligned mostly.
 */
import { REG, type Group, type ItemSpec } from '../gen.js';

const LOADS: [string, number, 32 | 64 | 0][] = [['lb', 1, 0], ['lbu', 1, 0], ['lh', 2, 0], ['lhu', 2, 0], ['lw', 4, 0], ['lwu', 4, 64], ['ld', 8, 64]];
const STORES: [string, number, 32 | 64 | 0][] = [['sb', 1, 0], ['sh', 2, 0], ['sw', 4, 0], ['sd', 8, 64]];

export const mem: Group = {
  name: 'mem',
  weight: 10,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const store = rng.chance(0.45);
    const ops = (store ? STORES : LOADS).filter(([, , x]) => x === 0 || x === xlen);
    const [op, size] = rng.pick(ops);
    if (!store && rng.chance(0.01)) {
      // a load from virt's PCIe MMIO window (nothing behind it: all-ones, no side effects),
      // misaligned mostly (QEMU 7.2 performs it as aligned loads: --avoid mmio-misaligned)
      const base = rng.pick([5, 6, 7, 28, 29, 30, 31]);
      let addr = 0x40000000n + BigInt(rng.int(0x40000000));
      if (ctx.avoid('mmio-misaligned')) addr -= addr % BigInt(size);
      const rd = ctx.rd();
      ctx.clobber(base, rd);
      const sz = ctx.liSize(addr);
      return { asm: [`li ${REG(base)}, ${ctx.imm(addr)}`, `${op} ${REG(rd)}, 0(${REG(base)})`], size: sz + 4, ninsn: sz / 4 + 1 };
    }
    const bad = rng.chance(0.05);
    const a = bad ? ctx.badAddress(size, rng.pick([5, 6, 7, 28, 29, 30, 31, 10, 11]), store) : ctx.dataAddress(size, { misalign: 0.25 });
    let text: string;
    if (store) {
      text = `${op} ${REG(ctx.rs())}, ${a.off}(${REG(a.base)})`;
    } else {
      // the destination is sometimes the base itself
      const rd = rng.chance(0.15) && a.base !== 0 && a.base !== 3 ? a.base : ctx.rd();
      ctx.clobber(rd);
      text = `${op} ${REG(rd)}, ${a.off}(${REG(a.base)})`;
    }
    return { asm: [...a.pre, text], size: a.preSize + 4, ninsn: a.preSize / 4 + 1 };
  },
};
