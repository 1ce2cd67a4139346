/**
 * Address-to-name and name-to-address lookups over an image's symbols.
 *
 * @module
 */
import type { ElfSymbol, ElfSymbolBind, ElfSymbolType } from './elf.js';

/** Options for {@link SymbolTable}. */
export interface SymbolTableOptions {
  /**
   * Clear bit 0 of function symbols (32-bit ARM, where it marks Thumb code rather than being
   * part of the address).
   */
  clearThumbBit?: boolean;
}

/** One symbol as the table sees it (after {@link SymbolTableOptions.clearThumbBit}). */
export interface SymbolEntry {
  name: string;
  /** Start address. */
  addr: bigint;
  size: bigint;
  type: ElfSymbolType;
}

/**
 * Names that label an address but not a function or object: assembler-local labels (`.L…`)
 * and ARM/AArch64/RISC-V mapping symbols (`$a`, `$t`, `$d`, `$x`, `$d.1`, `$xrv64i2p1_m2p0…`).
 */
export function isLocalLabel(name: string): boolean {
  if (name.startsWith('.L')) return true;
  if (name.length < 2 || name[0] !== '$') return false;
  if (!'adtx'.includes(name[1]!)) return false;
  return name.length === 2 || name[2] === '.' || (name[1] === 'x' && name.startsWith('$xrv'));
}

const TYPE_RANK: Record<ElfSymbolType, number> = { other: 0, notype: 1, object: 2, func: 3 };
const BIND_RANK: Record<ElfSymbolBind, number> = { local: 0, weak: 1, global: 2 };
const bindRank = (s: { bind?: ElfSymbolBind }): number => (s.bind === undefined ? 2 : BIND_RANK[s.bind]);

interface Ranked extends SymbolEntry {
  rank: number;
  index: number;
}

/**
 * A symbol table for lookups by address and by name.
 *
 * Address lookups use functions, objects and untyped labels (not `'other'` symbols such as TLS,
 * whose values are not addresses) and ignore local labels and mapping symbols
 * ({@link isLocalLabel}). Lookups are binary searches over arrays sorted at construction.
 */
export class SymbolTable {
  /** A table with no symbols. */
  static readonly empty: SymbolTable = new SymbolTable([]);

  /** Symbols with a size, sorted by start address, least preferred first within one address. */
  private readonly sized: SymbolEntry[];
  private readonly starts: bigint[];
  private readonly ends: bigint[];
  /** `maxEnd[i]` = max of `ends[0..i]`: lets a containment search stop early. */
  private readonly maxEnd: bigint[];
  /** Best symbol starting exactly at each address. */
  private readonly exact = new Map<bigint, SymbolEntry>();
  private readonly names = new Map<string, { addr: bigint; bind: number }>();

  /**
   * @param symbols Symbols in file order (as from `parseElf`); when several have the same name,
   *   {@link byName} prefers global over weak over local, then the first.
   */
  constructor(symbols: readonly ElfSymbol[], opts: SymbolTableOptions = {}) {
    const ranked: Ranked[] = [];
    for (const s of symbols) {
      const addr = opts.clearThumbBit === true && s.type === 'func' ? s.value & ~1n : s.value;
      const bind = bindRank(s);
      const named = this.names.get(s.name);
      if (named === undefined || bind > named.bind) this.names.set(s.name, { addr, bind });
      if (s.type === 'other' || isLocalLabel(s.name)) continue;
      // Preference at one address: type, then binding, then the smaller (innermost) symbol, then
    // the first in the input.
      ranked.push({ name: s.name, addr, size: s.size, type: s.type, rank: TYPE_RANK[s.type] * 4 + bind,
        index: ranked.length });
    }
    for (const e of ranked) {
      const best = this.exact.get(e.addr) as Ranked | undefined;
      if (best === undefined || e.rank > best.rank) this.exact.set(e.addr, e);
    }
    const sized = ranked.filter((e) => e.size > 0n);
    sized.sort((a, b) =>
      a.addr !== b.addr ? (a.addr < b.addr ? -1 : 1)
        : a.rank !== b.rank ? a.rank - b.rank
          : a.size !== b.size ? (a.size > b.size ? -1 : 1) : b.index - a.index);
    this.sized = sized.map(({ name, addr, size, type }) => ({ name, addr, size, type }));
    this.starts = sized.map((e) => e.addr);
    this.ends = sized.map((e) => e.addr + e.size);
    this.maxEnd = [];
    let m = -1n;
    for (const end of this.ends) {
      if (end > m) m = end;
      this.maxEnd.push(m);
    }
  }

  /** Number of distinct symbol names. */
  get size(): number {
    return this.names.size;
  }

  /**
   * The symbol whose extent contains `addr` (the innermost one if they nest), or failing that
   * a zero-size symbol exactly at `addr`.
   */
  find(addr: bigint): SymbolEntry | undefined {
    // Last symbol starting at or before addr.
    let lo = 0, hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= addr) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && this.maxEnd[i]! > addr; i--) {
      if (addr < this.ends[i]!) return this.sized[i]!;
    }
    return this.exact.get(addr);
  }

  /** Name of the function or object containing `addr` (or a zero-size symbol exactly at it). */
  lookup(addr: bigint): string | undefined {
    return this.find(addr)?.name;
  }

  /** `name` or `name+0x1c` for `addr`, or undefined if no symbol covers it (for traces). */
  describe(addr: bigint): string | undefined {
    const e = this.find(addr);
    if (e === undefined) return undefined;
    return addr === e.addr ? e.name : `${e.name}+0x${(addr - e.addr).toString(16)}`;
  }

  /** Name of the symbol starting exactly at `addr`: functions before objects before labels. */
  at(addr: bigint): string | undefined {
    return this.exact.get(addr)?.name;
  }

  /** Address of the symbol called `name`. */
  byName(name: string): bigint | undefined {
    return this.names.get(name)?.addr;
  }
}
