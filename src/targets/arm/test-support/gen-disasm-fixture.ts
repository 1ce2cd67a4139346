/** Rewrite fixtures/disasm.json from the corpus with arm-none-eabi-as and objdump (see disasm-corpus.ts). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISASM_CORPUS } from './disasm-corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'tracehook-disasm-'));
writeFileSync(join(dir, "c.s"), `.syntax unified\n.cpu cortex-m4\n.thumb\n.text\n.align 2\n${DISASM_CORPUS.join('\n')}\n`);
execFileSync('arm-none-eabi-as', ['-o', join(dir, 'c.o'), join(dir, 'c.s')]);
execFileSync('arm-none-eabi-ld', ['-Ttext=0x1000', '-e', '0x1000', '-o', join(dir, 'c.elf'), join(dir, 'c.o')]);
const dump = execFileSync('arm-none-eabi-objdump', ['-d', join(dir, 'c.elf')], { encoding: 'utf8', maxBuffer: 1 << 26 });
const rows: { addr: number; hex: string; text: string }[] = [];
for (const line of dump.split('\n')) {
  const m = /^\s+([0-9a-f]+):\t([0-9a-f]{4}(?: [0-9a-f]{4})?)\s*\t(.*)$/.exec(line);
  if (m) rows.push({ addr: parseInt(m[1]!, 16), hex: m[2]!, text: m[3]!.trimEnd() });
}
const out = fileURLToPath(new URL('../fixtures/disasm.json', import.meta.url));
writeFileSync(out, JSON.stringify(rows, null, 0).replace(/\},\{/g, '},\n{') + '\n');
console.log(`${rows.length} instructions -> ${out}`);
void readFileSync;
