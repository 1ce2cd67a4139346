/** Integer ALU: RV32I/RV64I register and immediate forms, M (mul/div/rem), the W forms on RV64, lui/auipc, fences. */
import { interesting, REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and'];
const M_OPS = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const R_OPS_W = ['addw', 'subw', 'sllw', 'srlw', 'sraw', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
const SH_OPS = ['slli', 'srli', 'srai'];
const SH_OPS_W = ['slliw', 'srliw', 'sraiw'];

function imm12(ctx: GenCtx): number {
  return ctx.rng.weighted<() => number>([
    [2, () => 0], [2, () => -1], [2, () => 1], [1, () => -2048], [1, () => 2047], [1, () => 0x7ff & -ctx.rng.int(16)],
    [4, () => ctx.rng.range(-2048, 2047)], [2, () => ctx.rng.range(-16, 16)],
  ])();
}

/** Occasionally sets a source register to an interesting value first (same item). */
function withValue(ctx: GenCtx, r: number): { pre: string[]; size: number; n: number } {
  if (r === 0 || r === 3 || !ctx.rng.chance(0.15)) return { pre: [], size: 0, n: 0 };
  const v = interesting(ctx.xlen, ctx.rng);
  ctx.clobber(r);
  const size = ctx.liSize(v);
  return { pre: [`li ${REG(r)}, ${ctx.imm(v)}`], size, n: size / 4 };
}

export const alu: Group = {
  name: 'alu',
  weight: 10,
  gen(ctx): ItemSpec {
    const { rng, xlen } = ctx;
    const rd = ctx.rd();
    const rs1 = ctx.rs(), rs2 = ctx.rs();
    const kind = rng.weighted<string>([[30, 'r'], [20, 'm'], [18, 'i'], [10, 'sh'], [4, 'lui'], [2, 'auipc'], [2, 'fence'],
      ...(xlen === 64 ? [[20, 'w'], [4, 'iw'], [6, 'shw']] as [number, string][] : [])]);
    let text: string;
    const v1 = withValue(ctx, rs1);
    const v2 = rs2 !== rs1 ? withValue(ctx, rs2) : { pre: [], size: 0, n: 0 };
    switch (kind) {
      case 'r': text = `${rng.pick(R_OPS)} ${REG(rd)}, ${REG(rs1)}, ${REG(rs2)}`; break;
      case 'm': text = `${rng.pick(M_OPS)} ${REG(rd)}, ${REG(rs1)}, ${REG(rs2)}`; break;
      case 'w': text = `${rng.pick(R_OPS_W)} ${REG(rd)}, ${REG(rs1)}, ${REG(rs2)}`; break;
      case 'i': text = `${rng.pick(I_OPS)} ${REG(rd)}, ${REG(rs1)}, ${imm12(ctx)}`; break;
      case 'iw': text = `addiw ${REG(rd)}, ${REG(rs1)}, ${imm12(ctx)}`; break;
      case 'sh': text = `${rng.pick(SH_OPS)} ${REG(rd)}, ${REG(rs1)}, ${rng.chance(0.2) ? rng.pick([0, 1, xlen - 1, 31, 32 % xlen]) : rng.int(xlen)}`; break;
      case 'shw': text = `${rng.pick(SH_OPS_W)} ${REG(rd)}, ${REG(rs1)}, ${rng.chance(0.2) ? rng.pick([0, 1, 31]) : rng.int(32)}`; break;
      case 'lui': text = `lui ${REG(rd)}, ${rng.chance(0.3) ? rng.pick([0, 0x80000, 0xfffff, 0x7ffff, 1]) : rng.int(0x100000)}`; break;
      case 'auipc': text = `auipc ${REG(rd)}, ${rng.int(0x100000)}`; break;
      default: {
        // fence with random fields (QEMU decodes every fm/pred/succ/rs1/rd as fence), fence.i, pause, sfence.vma
        const f = rng.int(4);
        const w = f === 0 ? (rng.u32() & 0xfffff000 & ~0x7000) | 0x0f | (rng.int(32) << 7) | (rng.int(32) << 15)
          : f === 1 ? 0x0000100f | (rng.chance(0.5) ? (rng.u32() & 0xfff00000) | (rng.int(32) << 7) | (rng.int(32) << 15) : 0)
          : f === 2 ? 0x0100000f : 0x12000073 | (rng.int(32) << 15) | (rng.int(32) << 20);
        return { asm: [`.word 0x${(w >>> 0).toString(16)}`], size: 4, ninsn: 1 };
      }
    }
    ctx.clobber(rd);
    return { asm: [...v1.pre, ...v2.pre, text], size: 4 + v1.size + v2.size, ninsn: 1 + v1.n + v2.n };
  },
};
