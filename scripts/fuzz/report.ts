/** Formatting cases and differences for the terminal and for reproducer files. */
import { csrName, disassemble, XREG_NAMES } from './deps.js';
import { DATA, DATA_SIZE, RAM_BASE, type Xlen } from './layout.js';
import type { Case } from './gen.js';
import type { Program } from './program.js';
import { itemsSource } from './program.js';
import type { CaseOut, FieldDiff } from './output.js';

const hex = (v: bigint, w: number): string => v.toString(16).padStart(w, '0');

/** Reads the instruction word (16 or 32 bits) at `addr` of a program image. */
export function insnAt(p: Program, addr: bigint): number | undefined {
  const o = Number(addr - RAM_BASE);
  if (o < 0 || o + 2 > p.bytes.length) return undefined;
  const lo = p.bytes[o]! | (p.bytes[o + 1]! << 8);
  if ((lo & 3) !== 3) return lo;
  if (o + 4 > p.bytes.length) return undefined;
  return (lo | (p.bytes[o + 2]! << 16) | (p.bytes[o + 3]! << 24)) >>> 0;
}

/** The mnemonic of the instruction at `addr` (objdump's spelling, without .aq/.rl), or '?'. */
export function mnemonicAt(p: Program, addr: bigint): string {
  const w = insnAt(p, addr);
  if (w === undefined) return '?';
  const size = (w & 3) === 3 ? 4 : 2;
  const d = disassemble(w, size, p.xlen, addr);
  // CSR instructions: with the CSR (`csrrs mhpmevent31`)
  if (size === 4 && (w & 0x7f) === 0x73 && ((w >>> 12) & 3) !== 0) {
    const n = w >>> 20;
    return `${d.split('\t')[0]} ${(csrName(n) ?? '0x' + n.toString(16)).replace(/^((m?hpm(counter|event))|pmpaddr|pmpcfg)\d+(h?)$/, '$1N$4')}`;
  }
  return d.startsWith('.') ? d.replace('\t', ' ') : d.split('\t')[0]!.replace(/\.(aqrl|aq|rl)$/, '');
}

/** Disassembly of case `n` of a program: one line per instruction, grouped by item. */
export function disassembleCase(p: Program, n: number): string[] {
  const pc = p.cases[n]!;
  const out: string[] = [];
  pc.items.forEach((it, i) => {
    const item = pc.c.items[i]!;
    let a = it.addr;
    const end = it.addr + BigInt(it.size);
    let first = true;
    while (a < end) {
      const w = insnAt(p, a)!;
      const size = (w & 3) === 3 ? 4 : 2;
      const bytes = size === 4 ? hex(BigInt(w >>> 0), 8) : `    ${hex(BigInt(w), 4)}`;
      const text = disassemble(w, size, p.xlen, a).replace('\t', ' '.repeat(Math.max(1, 8 - disassemble(w, size, p.xlen, a).indexOf('\t'))));
      const note = first ? `  # ${item.group} #${item.idx}${item.target !== undefined ? ` -> ${item.target === Number.MAX_SAFE_INTEGER ? 'end' : '#' + item.target}` : ''}` : '';
      out.push(`  ${hex(a, 8)}:  ${bytes}  ${text.padEnd(36)}${note}`);
      a += BigInt(size);
      first = false;
    }
  });
  out.push(`  ${hex(pc.end, 8)}:  (epilogue)`);
  return out;
}

/** Initial registers that are not zero, as `name=value` (gp is always DATA+0x800). */
export function initialRegs(c: Case): string {
  const w = c.xlen / 4;
  const l: string[] = [];
  for (let r = 1; r < 32; r++) if (c.regs[r] !== 0n) l.push(`${XREG_NAMES[r]}=0x${hex(c.regs[r]!, w)}`);
  return l.join(' ');
}

/** A case's outputs in readable form (registers by name, traps decoded). */
export function describeOut(xlen: Xlen, o: CaseOut | undefined, csrNames: string[]): string[] {
  if (o === undefined) return ['  (no output for this case)'];
  const w = xlen / 4;
  const lines: string[] = [];
  for (let r = 1; r < 32; r += 4) {
    lines.push('  ' + [r, r + 1, r + 2, r + 3].filter((x) => x < 32).map((x) => `${XREG_NAMES[x]!.padStart(4)}=${hex(o.regs[x]!, w)}`).join(' '));
  }
  lines.push(`  instructions: ${o.icount} (handler ${o.hcount})`);
  lines.push(`  traps: ${o.ntraps}` + o.traps.map((t) => `\n    cause ${t.cause} epc 0x${hex(t.epc, w)} tval 0x${hex(t.tval, w)}`).join(''));
  lines.push('  csrs: ' + o.csrs.map((v, i) => `${csrNames[i]}=${v.toString(16)}`).join(' '));
  lines.push(`  changed data: ${o.data.size === 0 ? '(none)' : [...o.data].map(([k, v]) => `+0x${k.toString(16)}=${hex(v, w)}`).join(' ')}`);
  if (o.ramEnd.some((v) => v !== 0n)) lines.push(`  last 16 bytes of RAM: ${o.ramEnd.map((v) => hex(v, w)).join(' ')}`);
  if (o.fp !== undefined) {
    lines.push(`  fcsr: ${hex(o.fp.fcsr, 2)} (frm ${(o.fp.fcsr >> 5n) & 7n}, fflags ${hex(o.fp.fcsr & 31n, 2)})`);
    for (let r = 0; r < 32; r += 4) lines.push('  ' + [r, r + 1, r + 2, r + 3].map((x) => `${('f' + x).padStart(4)}=${hex(o.fp!.regs[x] ?? 0n, 16)}`).join(' '));
  }
  if (o.pt.size > 0) lines.push(`  changed page-table words: ${[...o.pt].map(([k, v]) => `PT+0x${((k * xlen) / 8).toString(16)}=${hex(v, w)}`).join(' ')}`);
  return lines;
}

export function describeDiffs(diffs: readonly FieldDiff[], max = 20): string[] {
  const l = diffs.slice(0, max).map((d) => `  ${d.kind.padEnd(6)} ${d.field.padEnd(12)} qemu ${d.qemu}   tracehook ${d.tracehook}`);
  if (diffs.length > max) l.push(`  ... and ${diffs.length - max} more`);
  return l;
}

/** Stand-alone assembler source of a case (for the reproducer files): registers, data, items. */
export function caseSource(c: Case): string {
  const lines = [
    `# case ${c.name} (RV${c.xlen}, groups ${c.groups.join(',')})`,
    `# initial registers: ${initialRegs(c)}`,
    `# data area at 0x${DATA.toString(16)} (${DATA_SIZE} bytes), gp = data + 0x800; contents in the .bin image`,
    ...(c.fp ? [
      `# FP state before the items: mstatus.FS = ${c.fp.fs}, fcsr = 0x${c.fp.fcsr.toString(16)} (frm ${c.fp.fcsr >> 5}, fflags 0x${(c.fp.fcsr & 31).toString(16)})`,
      ...Array.from({ length: 8 }, (_, i) => '#   ' + [0, 1, 2, 3].map((j) => `f${4 * i + j}=${hex(c.fp!.regs[4 * i + j]!, 16)}`).join(' ')),
    ] : []),
    ...(c.pt ? c.pt.info.map((l) => '# ' + l) : []),
    ...itemsSource(c, 'L'),
  ];
  return lines.join('\n') + '\n';
}
