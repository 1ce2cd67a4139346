/**
 * Counters under -icount shift=0: mcycle/minstret/cycle/instret/time (and the RV32 high halves)
 * count retired instructions (time: instructions / 100), so on both emulators every read is equal by
 * construction as long as both count the same instructions — including trapping ones, which is
 * what this group probes. Also mcountinhibit writes (stopping and restarting the counters) and
 * reads of the hpm counters (zero). Reads come in pairs whose difference is kept too.
 */
import { REG, type Group, type ItemSpec } from '../gen.js';

export const counters: Group = {
  name: 'counters',
  weight: 2,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const k = rng.weighted<string>([[6, 'read'], [2, 'inhibit'], [1, 'hpm']]);
    const rd = ctx.rd(false);
    ctx.clobber(rd);
    if (k === 'inhibit') {
      const v = rng.pick([0, 1, 4, 5, 0x7d, 0xffffffff]);
      const t = rng.pick([5, 6, 7]);
      ctx.clobber(t);
      const sz = ctx.liSize(BigInt(v));
      return { asm: [`li ${REG(t)}, ${ctx.imm(BigInt(v))}`, `csrrw ${REG(rd)}, mcountinhibit, ${REG(t)}`], size: sz + 4, ninsn: sz / 4 + 1 };
    }
    if (k === 'hpm') {
      const n = 3 + rng.int(29);
      const name = rng.pick([`mhpmcounter${n}`, `hpmcounter${n}`, `mhpmevent${n}`]);
      return { asm: [`csrr ${REG(rd)}, ${name}`], size: 4, ninsn: 1 };
    }
    const names = ['mcycle', 'minstret', 'cycle', 'instret', 'time', ...(xlen === 32 ? ['mcycleh', 'minstreth', 'cycleh', 'instreth', 'timeh'] : [])];
    const name = rng.pick(names);
    if (rng.chance(0.5)) return { asm: [`csrr ${REG(rd)}, ${name}`], size: 4, ninsn: 1 };
    // a pair around a few instructions, and their difference
    const r2 = ctx.rd(false);
    ctx.clobber(r2);
    const mid = rng.pick([[], ['nop'], ['ecall'], ['nop', 'nop', 'nop'], ['.word 0xffffffff'], [`lw ${REG(r2)}, 0(gp)`], [`lw ${REG(r2)}, 0(zero)`]]);
    return {
      asm: [`csrr ${REG(rd)}, ${name}`, ...mid, `csrr ${REG(r2)}, ${name}`, `sub ${REG(rd)}, ${REG(r2)}, ${REG(rd)}`],
      size: 12 + 4 * mid.length, ninsn: 3 + mid.length,
    };
  },
};
