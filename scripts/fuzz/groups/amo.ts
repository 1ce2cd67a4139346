/**
 * A extension: lr/sc and AMOs on aligned and misaligned data-area addresses and a few faulting
 * ones, with random aq/rl bits; lr ... sc pairs to the same address with and without an
 * intervening store (same value, different value, neighbouring bytes) or AMO.
 */
import { DATA, DATA_SIZE, GP_VALUE } from '../layout.js';
import { REG, type GenCtx, type Group, type ItemSpec } from '../gen.js';

const AMO_OPS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
const ORDER = ['', '', '', '.aq', '.rl', '.aqrl'];
const ZERO_OFF = (want: number): number | undefined => (want === 0 ? 0 : undefined);

const inData = (a: bigint): boolean => a >= DATA && a < DATA + BigInt(DATA_SIZE);

interface Addr { pre: string[]; preSize: number; base: number; addr: bigint }

function address(ctx: GenCtx, size: number, at?: bigint, sc = false): Addr {
  if (sc && ctx.avoid('sc-fault')) {
    // an SC whose address is not the reservation's: QEMU 7.2 fails it without any check
    if (at !== undefined && at % BigInt(size) !== 0n) at = undefined;
    if (at === undefined) return ctx.dataAddress(size, { misalign: 0, offset: ZERO_OFF });
  }
  if (at !== undefined) {
    const base = ctx.rng.pick([5, 6, 7, 28, 29, 30, 31, 9, 18, 19]);
    ctx.clobber(base);
    return { pre: [`addi ${REG(base)}, gp, ${Number(at - GP_VALUE)}`], preSize: 4, base, addr: at };
  }
  if (ctx.rng.chance(0.05)) {
    const b = ctx.badAddress(size, ctx.rng.pick([5, 6, 7, 28, 29, 30, 31]), true);
    if (b.off === 0) return b;
  }
  return ctx.dataAddress(size, { misalign: 0.1, offset: ZERO_OFF });
}

/** An item: the address set-up `a.pre` (`a.preSize` bytes) then plain 4-byte instructions. */
function one(a: { pre: string[]; preSize: number }, body: string[]): ItemSpec {
  return { asm: [...a.pre, ...body], size: a.preSize + 4 * body.length, ninsn: a.preSize / 4 + body.length };
}

export const amo: Group = {
  name: 'amo',
  weight: 6,
  gen(ctx): ItemSpec | ItemSpec[] {
    const { rng, xlen } = ctx;
    let sfx = xlen === 64 && rng.chance(0.5) ? 'd' : 'w';
    const kind0 = rng.weighted<string>([[5, 'amo'], [2, 'lr'], [2, 'sc'], [3, 'pair']]);
    // SC.W after LR.D (or SC.D after LR.W) at one address: QEMU 7.2's compare-and-swap mixes sizes
    if (kind0 === 'sc' && ctx.avoid('lr-sc-size') && ctx.state.has('lrsize')) sfx = ctx.state.get('lrsize') === 8 ? 'd' : 'w';
    const size = sfx === 'd' ? 8 : 4;
    const kind = kind0;
    if (kind === 'amo') {
      const a = address(ctx, size);
      const rd = ctx.rd();
      const rs2 = rng.chance(0.2) ? a.base : ctx.rs();
      ctx.clobber(rd);
      return one(a, [`${rng.pick(AMO_OPS)}.${sfx}${rng.pick(ORDER)} ${REG(rd)}, ${REG(rs2)}, (${REG(a.base)})`]);
    }
    if (kind === 'lr' || kind === 'sc') {
      const last = ctx.state.get('lr') as bigint | undefined;
      const a = address(ctx, size, kind === 'sc' && last !== undefined && rng.chance(0.7) ? last : undefined, kind === 'sc');
      const rd = ctx.rd();
      ctx.clobber(rd);
      if (kind === 'lr') {
        if (inData(a.addr)) ctx.state.set('lr', a.addr);
        ctx.state.set('lrsize', size);
        return one(a, [`lr.${sfx}${rng.pick(ORDER)} ${REG(rd)}, (${REG(a.base)})`]);
      }
      return one(a, [`sc.${sfx}${rng.pick(ORDER)} ${REG(rd)}, ${REG(ctx.rs())}, (${REG(a.base)})`]);
    }
    // lr; [something]; sc — as separate items, so the minimiser can drop any of them
    const a = address(ctx, size);
    const rd = ctx.rd(false);
    ctx.clobber(rd);
    const out: ItemSpec[] = [one(a, [`lr.${sfx}${rng.pick(ORDER)} ${REG(rd)}, (${REG(a.base)})`])];
    const mid = ctx.avoid('sc-cas')
      ? rng.weighted<string>([[3, 'none'], [1, 'load']])
      : rng.weighted<string>([[3, 'none'], [3, 'same'], [2, 'diff'], [2, 'near'], [1, 'amo'], [1, 'load']]);
    const at = inData(a.addr) ? a.addr : undefined;
    if (mid !== 'none' && at !== undefined) {
      const b = address(ctx, size, at);
      const t = rng.pick([5, 6, 7, 28, 29, 30, 31].filter((r) => r !== b.base));
      ctx.clobber(t);
      const L = sfx === 'd' ? 'ld' : 'lw', S = sfx === 'd' ? 'sd' : 'sw';
      const body =
        mid === 'same' ? [`${L} ${REG(t)}, 0(${REG(b.base)})`, `${S} ${REG(t)}, 0(${REG(b.base)})`]
        : mid === 'diff' ? [`${S} ${REG(ctx.rs())}, 0(${REG(b.base)})`]
        : mid === 'near' ? [`sb ${REG(ctx.rs())}, ${rng.pick([-8, -1, size, size + 3, 64].filter((o) => at + BigInt(o) >= DATA && at + BigInt(o) < DATA + BigInt(DATA_SIZE)))}(${REG(b.base)})`]
        : mid === 'amo' ? [`${rng.pick(AMO_OPS)}.${sfx} ${REG(t)}, ${REG(ctx.rs())}, (${REG(b.base)})`]
        : [`${L} ${REG(t)}, 0(${REG(b.base)})`];
      out.push(one(b, body));
    }
    const c = address(ctx, size, at !== undefined && rng.chance(0.85) ? at : undefined, true);
    const rd2 = ctx.rd();
    ctx.clobber(rd2);
    out.push(one(c, [`sc.${sfx}${rng.pick(ORDER)} ${REG(rd2)}, ${REG(rng.chance(0.3) ? rd : ctx.rs())}, (${REG(c.base)})`]));
    return out;
  },
};
