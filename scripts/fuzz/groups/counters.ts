/**
 * Counters under -icount shift=0: mcycle/minstret/cycle/instret (and the RV32 high halves) count
 * retired instructions, zeroed at the start of each case, so on both emulators every read is equal by
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
    let rd = ctx.rd(false);
    while (k === 'inhibit' && rd >= 5 && rd <= 7) rd = ctx.rd(false);
    ctx.clobber(rd);
    if (k === 'inhibit') {
      // stop (some) counters around a few instructions, read them, restart: in one item, so that
      // the harness's own counts (the I line) stay meaningful whatever the minimiser drops
      let v = BigInt(rng.pick([1, 4, 5, 0x7d, 0xffffffff]));
      if (!ctx.flags.has('qemu-quirks')) v &= ~2n; // TM (bit 1) is read-only zero; QEMU 7.2 keeps it
      const t = rng.pick([5, 6, 7]);
      let r2 = ctx.rd(false);
      while (r2 === t || r2 === rd) r2 = ctx.rd(false);
      ctx.clobber(t, r2);
      const name = rng.pick(['mcycle', 'minstret']);
      const sz = ctx.liSize(v);
      const asm = [`li ${REG(t)}, ${ctx.imm(v)}`, `csrr ${REG(r2)}, ${name}`, `csrw mcountinhibit, ${REG(t)}`, 'nop', 'nop',
        `csrr ${REG(rd)}, ${name}`, `sub ${REG(rd)}, ${REG(rd)}, ${REG(r2)}`, `csrrw ${REG(r2)}, mcountinhibit, zero`];
      return { asm, size: sz + 4 * (asm.length - 1), ninsn: sz / 4 + asm.length - 1 };
    }
    if (k === 'hpm') {
      // mhpmevent19..31: QEMU 7.2 has them whatever pmu-num
      const n = 3 + rng.int(ctx.avoid('mhpmevent') ? 16 : 29);
      const name = rng.pick([`mhpmcounter${n}`, `hpmcounter${n}`, `mhpmevent${n}`]);
      return { asm: [`csrr ${REG(rd)}, ${name}`], size: 4, ninsn: 1 };
    }
    // (not time: the harness zeroes mcycle and minstret at the start of each case, but time
    // would depend on the instructions of all earlier cases in the run)
    const names = ['mcycle', 'minstret', 'cycle', 'instret', ...(xlen === 32 ? ['mcycleh', 'minstreth', 'cycleh', 'instreth'] : [])];
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
