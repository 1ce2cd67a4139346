/**
 * Zba/Zbb/Zbc/Zbs: every encoding of encodings.ts's bit-manipulation entries with random operand
 * fields (checked legal for this XLEN with decode()), sources sometimes set to interesting values
 * first. If the built tracehook lacks an extension, probe.ts turns it off in QEMU too, and both
 * must raise illegal instruction.
 */
import { decode, ENCODINGS, type Encoding } from '../deps.js';
import { interesting, REG, type Group, type ItemSpec } from '../gen.js';

const BITMANIP = ENCODINGS.filter((e) => e.ext === 'Zba' || e.ext === 'Zbb' || e.ext === 'Zbc' || e.ext === 'Zbs');

export const bitmanip: Group = {
  name: 'bitmanip',
  weight: 5,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const cands = BITMANIP.filter((e) => e.xlen === undefined || e.xlen === xlen);
    for (;;) {
      const e: Encoding = rng.pick(cands);
      const rd = ctx.rd();
      let w = (e.match | (rng.u32() & ~e.mask)) >>> 0;
      w = ((w & ~(31 << 7)) | (rd << 7)) >>> 0;
      if (e.format === 'Ishift' && rng.chance(0.3)) {
        // edge shift amounts
        const sh = rng.pick([0, 1, 31, xlen - 1]);
        w = ((w & ~(63 << 20)) | (sh << 20) | (e.match & (63 << 20) & e.mask)) >>> 0;
      }
      if (decode(w, xlen) !== e) continue;
      const pre: string[] = [];
      let size = 4;
      const rs1 = (w >>> 15) & 31;
      if (rs1 !== 0 && rs1 !== 3 && rng.chance(0.2)) {
        const v = interesting(xlen, rng);
        pre.push(`li ${REG(rs1)}, ${ctx.imm(v)}`);
        size += ctx.liSize(v);
        ctx.clobber(rs1);
      }
      ctx.clobber(rd);
      return { asm: [...pre, `.word 0x${w.toString(16)}`], size, ninsn: size / 4 };
    }
  },
};
