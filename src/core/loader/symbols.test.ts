import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ElfSymbol, ElfSymbolType } from './elf.js';
import { parseElf } from './elf.js';
import { SymbolTable, isLocalLabel } from './symbols.js';

const sym = (name: string, value: bigint, size = 0n, type: ElfSymbolType = 'func', bind?: ElfSymbol['bind']): ElfSymbol =>
  bind === undefined ? { name, value, size, type } : { name, value, size, type, bind };

test('lookup finds the function containing an address, end exclusive', () => {
  const t = new SymbolTable([sym('a', 0x1000n, 0x10n), sym('b', 0x1010n, 0x20n), sym('data', 0x2000n, 8n, 'object')]);
  assert.equal(t.lookup(0x1000n), 'a');
  assert.equal(t.lookup(0x100fn), 'a');
  assert.equal(t.lookup(0x1010n), 'b');
  assert.equal(t.lookup(0x102fn), 'b');
  assert.equal(t.lookup(0x1030n), undefined);
  assert.equal(t.lookup(0xfffn), undefined);
  assert.equal(t.lookup(0x2007n), 'data');
  assert.equal(t.lookup(0x2008n), undefined);
});

test('lookup matches zero-size symbols only exactly at their address', () => {
  const t = new SymbolTable([sym('label', 0x500n, 0n, 'notype'), sym('f', 0x600n, 0x10n)]);
  assert.equal(t.lookup(0x500n), 'label');
  assert.equal(t.lookup(0x501n), undefined);
  assert.equal(t.lookup(0x4ffn), undefined);
});

test('lookup prefers a sized symbol containing the address over a zero-size one at it', () => {
  const t = new SymbolTable([sym('f', 0x100n, 0x40n), sym('inner_label', 0x120n, 0n, 'notype')]);
  assert.equal(t.lookup(0x120n), 'f');
  assert.equal(t.at(0x120n), 'inner_label');
});

test('lookup returns the innermost of nested symbols and sees past small ones to a large one', () => {
  const t = new SymbolTable([
    sym('outer', 0x1000n, 0x1000n, 'object'),
    sym('inner', 0x1100n, 0x10n, 'object'),
    sym('inner2', 0x1200n, 0x10n, 'object'),
  ]);
  assert.equal(t.lookup(0x1105n), 'inner');
  assert.equal(t.lookup(0x1110n), 'outer');
  assert.equal(t.lookup(0x1800n), 'outer');
  assert.equal(t.lookup(0x2000n), undefined);
});

test('at one address lookup and at prefer func, then object, then notype; global over local', () => {
  const t = new SymbolTable([
    sym('lbl', 0x100n, 0x10n, 'notype'),
    sym('local_f', 0x100n, 0x10n, 'func', 'local'),
    sym('global_f', 0x100n, 0x10n, 'func', 'global'),
    sym('obj', 0x100n, 0x10n, 'object'),
    sym('__bss_start', 0x200n, 0n, 'notype'),
    sym('counter', 0x200n, 8n, 'object'),
  ]);
  assert.equal(t.lookup(0x105n), 'global_f');
  assert.equal(t.at(0x100n), 'global_f');
  assert.equal(t.at(0x200n), 'counter');
  assert.equal(t.lookup(0x200n), 'counter');
  assert.equal(t.at(0x101n), undefined);
});

test('at skips local labels and mapping symbols', () => {
  const t = new SymbolTable([
    sym('$x', 0x100n, 0n, 'notype', 'local'),
    sym('$xrv64i2p1_m2p0', 0x100n, 0n, 'notype', 'local'),
    sym('$d.12', 0x200n, 0n, 'notype', 'local'),
    sym('$t', 0x300n, 0n, 'notype', 'local'),
    sym('.L3', 0x108n, 0n, 'notype', 'local'),
    sym('_start', 0x100n, 0n, 'notype'),
  ]);
  assert.equal(t.at(0x100n), '_start');
  assert.equal(t.at(0x108n), undefined);
  assert.equal(t.at(0x200n), undefined);
  assert.equal(t.lookup(0x300n), undefined);
  // Still reachable by name.
  assert.equal(t.byName('.L3'), 0x108n);
});

test('isLocalLabel recognises assembler labels and ARM/AArch64/RISC-V mapping symbols only', () => {
  for (const n of ['.L1', '.Ltmp0', '$a', '$t', '$d', '$x', '$d.3', '$x.17', '$xrv32i2p1_c2p0']) assert.ok(isLocalLabel(n), n);
  for (const n of ['main', '.text_helper', '$', '$foo', '$q', 'L1', '_$x', 'x$d']) assert.ok(!isLocalLabel(n), n);
});

test('byName prefers global over weak over local, then the first', () => {
  const t = new SymbolTable([
    sym('helper', 0x10n, 4n, 'func', 'local'),
    sym('helper', 0x20n, 4n, 'func', 'local'),
    sym('w', 0x30n, 0n, 'func', 'weak'),
    sym('w', 0x40n, 0n, 'func', 'global'),
    sym('helper', 0x50n, 4n, 'func', 'weak'),
  ]);
  assert.equal(t.byName('helper'), 0x50n);
  assert.equal(t.byName('w'), 0x40n);
  assert.equal(t.byName('nope'), undefined);
  assert.equal(new SymbolTable([sym('s', 1n, 0n, 'func', 'local'), sym('s', 2n, 0n, 'func', 'local')]).byName('s'), 1n);
  assert.equal(t.size, 2);
});

test("'other' symbols (TLS, ifunc) are found by name but not by address", () => {
  const t = new SymbolTable([sym('errno', 0x10n, 4n, 'other')]);
  assert.equal(t.byName('errno'), 0x10n);
  assert.equal(t.lookup(0x10n), undefined);
  assert.equal(t.at(0x10n), undefined);
});

test('clearThumbBit drops bit 0 of ARM function symbols only', () => {
  const syms = [sym('thumb_fn', 0x8001n, 0x10n), sym('table', 0x9001n, 4n, 'object')];
  const t = new SymbolTable(syms, { clearThumbBit: true });
  assert.equal(t.at(0x8000n), 'thumb_fn');
  assert.equal(t.byName('thumb_fn'), 0x8000n);
  assert.equal(t.lookup(0x800fn), 'thumb_fn');
  assert.equal(t.at(0x9001n), 'table');
  assert.equal(new SymbolTable(syms).at(0x8001n), 'thumb_fn');
});

test('describe gives name+offset', () => {
  const t = new SymbolTable([sym('f', 0xffffffff80000000n, 0x40n)]);
  assert.equal(t.describe(0xffffffff80000000n), 'f');
  assert.equal(t.describe(0xffffffff8000001cn), 'f+0x1c');
  assert.equal(t.describe(0x1000n), undefined);
  assert.deepEqual(t.find(0xffffffff80000004n), { name: 'f', addr: 0xffffffff80000000n, size: 0x40n, type: 'func' });
});

test('an empty table finds nothing', () => {
  for (const t of [SymbolTable.empty, new SymbolTable([])]) {
    assert.equal(t.lookup(0n), undefined);
    assert.equal(t.at(0n), undefined);
    assert.equal(t.byName('main'), undefined);
    assert.equal(t.size, 0);
  }
});

test('works on the 64-bit RISC-V fixture', () => {
  const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('./fixtures/tiny-rv64.elf', import.meta.url))));
  const t = new SymbolTable(parseElf(bytes, 'tiny-rv64.elf').symbols);
  assert.equal(t.at(0xffffffff80000000n), '_start'); // not the $x mapping symbol at the same address
  assert.equal(t.lookup(0xffffffff80000016n), '_start');
  assert.equal(t.lookup(0xffffffff80000018n), 'helper');
  assert.equal(t.lookup(0xffffffff8000001an), undefined);
  assert.equal(t.lookup(0xffffffff8000100cn), 'counter');
  assert.equal(t.byName('message'), 0xffffffff80001000n);
});

test('agrees with a brute-force search on random tables', () => {
  let seed = 99;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const types: ElfSymbolType[] = ['func', 'object', 'notype', 'other'];
  const binds = ['local', 'weak', 'global'] as const;
  const typeRank = { other: 0, notype: 1, object: 2, func: 3 };
  const bindRank = { local: 0, weak: 1, global: 2 };
  for (let round = 0; round < 200; round++) {
    const syms: ElfSymbol[] = [];
    const n = rand(40);
    for (let i = 0; i < n; i++) {
      const name = rand(8) === 0 ? `.L${i}` : `s${i}`;
      syms.push(sym(name, BigInt(rand(round < 100 ? 256 : 48)), rand(3) === 0 ? 0n : BigInt(rand(round < 100 ? 64 : 3) * 8), types[rand(4)]!, binds[rand(3)]!));
    }
    const t = new SymbolTable(syms);
    const usable = syms.filter((s) => s.type !== 'other' && !s.name.startsWith('.L'));
    // Reference: best by (type, bind, then first in the list).
    const best = (cands: ElfSymbol[]): ElfSymbol | undefined => {
      let b: ElfSymbol | undefined;
      for (const s of cands) {
        if (b === undefined) { b = s; continue; }
        const d = typeRank[s.type] - typeRank[b.type] || bindRank[s.bind!] - bindRank[b.bind!];
        if (d > 0) b = s;
      }
      return b;
    };
    for (let a = 0n; a < 330n; a++) {
      assert.equal(t.at(a), best(usable.filter((s) => s.value === a))?.name, `at(${a}) round ${round}`);
      const containing = usable.filter((s) => s.size > 0n && s.value <= a && a < s.value + s.size);
      let want: string | undefined;
      if (containing.length > 0) {
        const start = containing.reduce((m, s) => (s.value > m ? s.value : m), -1n);
        const atStart = containing.filter((s) => s.value === start);
        // Among equal starts: best type and bind, then the smallest.
        const top = best(atStart)!;
        const same = atStart.filter((s) => s.type === top.type && s.bind === top.bind);
        const smallest = same.reduce((m, s) => (s.size < m ? s.size : m), same[0]!.size);
        want = same.find((s) => s.size === smallest)!.name;
      } else {
        want = best(usable.filter((s) => s.value === a))?.name;
      }
      assert.equal(t.lookup(a), want, `lookup(${a}) round ${round}`);
    }
  }
});
