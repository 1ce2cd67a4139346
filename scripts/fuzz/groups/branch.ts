/**
 * Control flow, forward only and within the case (targets are later items or the case's end, so
 * every case reaches its epilogue): conditional branches, jal with a link register, auipc+jalr
 * (with and without bit 0 set in the offset, which jalr clears), and the compressed c.j, c.jal
 * (RV32), c.beqz/c.bnez, c.jr/c.jalr (after auipc+addi).
 */
import { ahead, REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';

const BR = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

/** A register for computed targets: writable, not sp. */
function scratch(ctx: GenCtx): number {
  return ctx.rng.pick([1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 28, 29, 30, 31]);
}

export const branch: Group = {
  name: 'branch',
  weight: 6,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const target = ahead(rng);
    const kind = rng.weighted<string>([[10, 'b'], [3, 'jal'], [3, 'jalr'], [2, 'c.j'], [3, 'c.bz'], [2, 'c.jr'],
      ...(xlen === 32 ? [[2, 'c.jal']] as [number, string][] : [])]);
    switch (kind) {
      case 'b': {
        const rs1 = ctx.rs();
        const rs2 = rng.chance(0.1) ? rs1 : ctx.rs();
        return { asm: [`${rng.pick(BR)} ${REG(rs1)}, ${REG(rs2)}, {T}`], size: 4, ninsn: 1, target, reach: 4094 };
      }
      case 'jal': {
        const rd = rng.chance(0.3) ? 0 : ctx.rd();
        ctx.clobber(rd);
        return { asm: [`jal ${REG(rd)}, {T}`], size: 4, ninsn: 1, target, reach: 0xffffe };
      }
      case 'jalr': {
        const x = scratch(ctx);
        const rd = rng.chance(0.3) ? 0 : rng.chance(0.2) ? x : ctx.rd();
        ctx.clobber(x, rd);
        const bit0 = rng.chance(0.3) ? ' + 1' : '';
        return {
          asm: [`{L}a: auipc ${REG(x)}, 0`, `jalr ${REG(rd)}, {T} - {L}a${bit0}(${REG(x)})`],
          size: 8, ninsn: 2, target, reach: 2046,
        };
      }
      case 'c.j':
        return { asm: ['c.j {T}'], size: 2, ninsn: 1, target, reach: 2046 };
      case 'c.jal':
        ctx.clobber(1);
        return { asm: ['c.jal {T}'], size: 2, ninsn: 1, target, reach: 2046 };
      case 'c.bz':
        return { asm: [`c.${rng.pick(['beqz', 'bnez'])} ${REG(ctx.creg())}, {T}`], size: 2, ninsn: 1, target, reach: 254 };
      default: {
        const x = scratch(ctx);
        const link = rng.chance(0.4);
        ctx.clobber(x);
        if (link) ctx.clobber(1);
        return {
          asm: [`{L}a: auipc ${REG(x)}, 0`, `addi ${REG(x)}, ${REG(x)}, {T} - {L}a`, `c.${link ? 'jalr' : 'jr'} ${REG(x)}`],
          size: 10, ninsn: 3, target, reach: 2046,
        };
      }
    }
  },
};
