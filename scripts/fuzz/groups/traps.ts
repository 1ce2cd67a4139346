/**
 * Traps in the middle of the sequence: ecall, ebreak, c.ebreak, illegal 32-bit words (random
 * words no extension of these harts decodes, corrupted legal encodings, F/D instructions with F
 * and D off, the 48-bit-prefix opcode, privileged encodings QEMU 7.2 rejects), illegal 16-bit
 * words (c.unimp, reserved slots, zero-immediate c.addi4spn/c.lui/c.addi16sp, c.jr x0, c.lwsp x0,
 * the C.F* loads/stores without F/D). The handler logs mcause/mepc/mtval and skips the instruction.
 *
 * In an fp case (mstatus.FS on: groups/fp.ts) F/D encodings are legal, so that random ones could
 * write gp or store anywhere: there the F/D words have a reserved rounding mode (5 or 6, always
 * illegal) and the compressed FP loads/stores are left out.
 */
import { decode, ENCODINGS, expandCompressed } from '../deps.js';
import type { GenCtx, Group, ItemSpec } from '../gen.js';

/** Opcodes (bits 6:0) of extensions these harts have no instruction in (QEMU: V, custom, reserved, 48-bit...). */
const FOREIGN_OPCODES = [0x0b, 0x1f, 0x2b, 0x3f, 0x5b, 0x57, 0x5f, 0x6b, 0x77, 0x7b, 0x7f];

function illegal32(ctx: GenCtx): number {
  const { rng, xlen } = ctx;
  for (;;) {
    let w: number;
    const k = rng.int(5);
    if (k === 3 && ctx.fp !== undefined && ctx.avoid('rm-icount')) continue;
    if (k === 0) w = (rng.u32() | 3) >>> 0;
    else if (k === 1) w = ((rng.u32() & ~0x7f) | rng.pick(FOREIGN_OPCODES)) >>> 0;
    else if (k === 2) {
      // a legal integer encoding with some fixed bits flipped
      const e = rng.pick(ENCODINGS.filter((x) => x.ext !== 'F' && x.ext !== 'D'));
      const fixed = e.mask & ~3;
      let flip = 0;
      while (flip === 0) flip = rng.u32() & fixed & (rng.chance(0.5) ? rng.u32() : rng.u32() & rng.u32());
      w = ((e.match ^ flip) | (rng.u32() & ~e.mask)) >>> 0;
    } else if (k === 3) {
      // F/D instructions: illegal with F and D off
      const e = rng.pick(ENCODINGS.filter((x) => (x.ext === 'F' || x.ext === 'D') && (ctx.fp === undefined || x.hasRm === true)));
      w = (e.match | (rng.u32() & ~e.mask)) >>> 0;
      if (ctx.fp !== undefined) return ((w & ~0x7000) | (rng.pick([5, 6]) << 12)) >>> 0; // FS on: reserved rm
      if (e.hasRm && [5, 6].includes((w >>> 12) & 7)) w = (w & ~0x7000) >>> 0;
      return w;
    } else {
      // system opcode oddities: wfi/mret/sret/ecall/ebreak with non-zero rd/rs1, uret, dret, hypervisor
      w = rng.pick([0x00200073, 0x7b200073, 0x22000073, 0x62000073, 0xa2000073, 0x00100073 | (1 << 7), 0x00000073 | (1 << 15),
        0x30200073 | (rng.int(31) + 1) << 7, 0x10500073 | (rng.int(31) + 1) << 15, 0x10200073 | (1 << 20)]) >>> 0;
    }
    if ((w & 3) !== 3) continue;
    if (decode(w, xlen) !== undefined) continue;
    // FS on: an F/D opcode with a reserved static rm traps at run time in QEMU 7.2 (not counted
    // by icount), at decode in tracehook (counted): --avoid rm-icount
    if (ctx.fp !== undefined && ctx.avoid('rm-icount') && [0x43, 0x47, 0x4b, 0x4f, 0x53].includes(w & 0x7f) && [5, 6].includes((w >>> 12) & 7)) continue;
    return w;
  }
}

function illegal16(ctx: GenCtx): number {
  const { rng, xlen } = ctx;
  for (;;) {
    const h = rng.weighted<() => number>([
      [2, () => 0x0000], // c.unimp
      [2, () => (4 << 13) | (rng.u32() & 0x1ffc)], // reserved Q0 funct3=100
      [2, () => 0x0000 | (rng.int(8) << 2)], // c.addi4spn nzuimm = 0
      [2, () => (3 << 13) | (rng.int(32) << 7) | 1], // c.lui / c.addi16sp imm = 0
      [1, () => 0x8002], // c.jr x0
      [1, () => (2 << 13) | (rng.u32() & 0x107c) | 2], // c.lwsp rd = 0
      [1, () => (4 << 13) | (1 << 12) | (3 << 10) | (rng.int(8) << 7) | (((2 + rng.int(2)) << 5)) | (rng.int(8) << 2) | 1], // reserved
      // c.fld/c.fsd/c.flw/c.fsw, c.fldsp/c.fsdsp/...: illegal only with FS off
      [ctx.fp ? 0 : 3, () => (rng.pick([1, 5, ...(xlen === 32 ? [3, 7] : [])]) << 13) | (rng.u32() & 0x1ffc)],
      [ctx.fp ? 0 : 2, () => (rng.pick([1, 5, ...(xlen === 32 ? [3, 7] : [])]) << 13) | (rng.u32() & 0x1ffc) | 2],
      [1, () => (1 << 13) | (rng.u32() & 0x1ffc) | 1], // c.jal (RV32) / c.addiw rd=0 (RV64)
      [1, () => (rng.u32() & 0xfffc) | rng.int(3)], // anything
    ])() & 0xffff;
    if ((h & 3) === 3) continue;
    const w = expandCompressed(h, xlen);
    if (w === 0) return h;
    // FP loads/stores expand fine but are illegal with F/D off
    const op = w & 0x7f;
    if ((op === 0x07 || op === 0x27) && ctx.fp === undefined) return h;
  }
}

export const traps: Group = {
  name: 'traps',
  weight: 3,
  gen(ctx): ItemSpec {
    const { rng } = ctx;
    const k = rng.weighted<string>([[2, 'ecall'], [2, 'ebreak'], [1, 'c.ebreak'], [5, 'ill32'], [4, 'ill16']]);
    switch (k) {
      case 'ecall': return { asm: ['ecall'], size: 4, ninsn: 1 };
      case 'ebreak': return { asm: ['ebreak'], size: 4, ninsn: 1 };
      case 'c.ebreak': return { asm: ['c.ebreak'], size: 2, ninsn: 1 };
      case 'ill32': return { asm: [`.word 0x${illegal32(ctx).toString(16)}`], size: 4, ninsn: 1 };
      default: return { asm: [`.half 0x${illegal16(ctx).toString(16)}`], size: 2, ninsn: 1 };
    }
  },
};
