/**
 * C extension: random legal compressed encodings of the arithmetic instructions (HINT forms
 * included: rd = x0, shift 0, c.nop with an immediate), and compressed loads/stores (x8..x15
 * bases, sp-relative) into the data area, aligned or not. Compressed control transfers are in the
 * branch group, c.ebreak and the reserved/FP encodings in the traps group.
 */
import { expandCompressed } from '../deps.js';
import { REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';

/** [quadrant, funct3] of the arithmetic compressed instructions. */
const ALU_SLOTS = (xlen: 32 | 64): [number, number][] => [
  [0, 0], // c.addi4spn
  [1, 0], [1, 0], // c.addi / c.nop
  ...(xlen === 64 ? [[1, 1], [1, 1]] as [number, number][] : []), // c.addiw
  [1, 2], // c.li
  [1, 3], // c.addi16sp / c.lui
  [1, 4], [1, 4], [1, 4], [1, 4], // c.srli/srai/andi/sub/xor/or/and/subw/addw
  [2, 0], // c.slli
  [2, 4], [2, 4], // c.mv / c.add (rs2 != 0)
];

/** The register a legal compressed ALU instruction writes (from its expansion). */
function destOf(w: number): number {
  return (w >>> 7) & 31;
}

function randomAlu(ctx: GenCtx): ItemSpec {
  const { rng, xlen } = ctx;
  for (;;) {
    const [q, f3] = rng.pick(ALU_SLOTS(xlen));
    let h = (f3 << 13) | (rng.u32() & 0x1ffc) | q;
    if (q === 2 && f3 === 4 && ((h >>> 2) & 31) === 0) continue; // c.jr / c.jalr / c.ebreak
    if (rng.chance(0.3)) {
      // bias the immediate / shift fields towards edges
      if (q === 1 && f3 !== 3) h = (h & ~0x107c) | (rng.pick([0, 1, 0x3f, 0x20, 0x1f]) & 0x1f) << 2 | (rng.chance(0.5) ? 0x1000 : 0);
    }
    const w = expandCompressed(h, xlen);
    if (w === 0) continue;
    const rd = destOf(w);
    if (rd === 3) continue; // gp is the harness's
    ctx.clobber(rd);
    return { asm: [`.half 0x${h.toString(16)}`], size: 2, ninsn: 1 };
  }
}

const scaled = (scale: number, max: number) => (want: number): number | undefined =>
  want >= 0 && want <= max && want % scale === 0 ? want : undefined;

function loadStore(ctx: GenCtx): ItemSpec {
  const { rng, xlen } = ctx;
  const dbl = xlen === 64 && rng.chance(0.5);
  const size = dbl ? 8 : 4;
  const store = rng.chance(0.45);
  const sp = rng.chance(0.35);
  const a = ctx.dataAddress(size, {
    misalign: 0.2,
    base: sp ? [2] : [8, 9, 10, 11, 12, 13, 14, 15],
    offset: scaled(size, sp ? (dbl ? 504 : 252) : dbl ? 248 : 124),
  });
  const w = dbl ? 'd' : 'w';
  let text: string;
  if (sp) {
    if (store) text = `c.s${w}sp ${REG(ctx.rs())}, ${a.off}(sp)`;
    else {
      const rd = ctx.rd(false);
      ctx.clobber(rd);
      text = `c.l${w}sp ${REG(rd)}, ${a.off}(sp)`;
    }
  } else {
    const r = ctx.creg();
    if (!store) ctx.clobber(r);
    text = `c.${store ? 's' : 'l'}${w} ${REG(r)}, ${a.off}(${REG(a.base)})`;
  }
  return { asm: [...a.pre, text], size: a.preSize + 2, ninsn: a.preSize / 4 + 1 };
}

export const rvc: Group = {
  name: 'rvc',
  weight: 8,
  gen(ctx): ItemSpec {
    return ctx.rng.chance(0.7) ? randomAlu(ctx) : loadStore(ctx);
  },
};
