/**
 * Thumb programs for tests, assembled by `arm-none-eabi-as` once and kept as fixtures, so a test
 * reads as the program it runs and `npm test` needs no toolchain.
 *
 * `assemble(source, { base, cpu, fixtures })` looks the exact source up in the fixture file (JSON,
 * one entry per program: bytes as hex and label addresses). A program not there yet is assembled
 * (`as` + `ld -Ttext=base` + `objcopy -O binary` + `nm`) when the toolchain is installed, and the
 * fixture file is rewritten: run the tests once on a machine with `gcc-arm-none-eabi` after
 * changing a program, and commit the fixture file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Assembled {
  bytes: Uint8Array;
  labels: Map<string, number>;
}

interface Entry { hex: string; labels: Record<string, number> }

const caches = new Map<string, Record<string, Entry>>();

function load(file: string): Record<string, Entry> {
  let c = caches.get(file);
  if (c === undefined) {
    c = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>) : {};
    caches.set(file, c);
  }
  return c;
}

export const TOOLCHAIN = '/usr/bin/arm-none-eabi-as';

/** Run the GNU toolchain on `source` (already with its directives); throws with the assembler's message. */
export function assembleWithToolchain(source: string, base: number): Entry {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-arm-'));
  try {
    writeFileSync(join(dir, 'p.s'), source);
    execFileSync('arm-none-eabi-as', ['-o', join(dir, 'p.o'), join(dir, 'p.s')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('arm-none-eabi-ld', [`-Ttext=0x${base.toString(16)}`, '-e', '0', '-o', join(dir, 'p.elf'), join(dir, 'p.o')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'p.elf'), join(dir, 'p.bin')]);
    const bytes = readFileSync(join(dir, 'p.bin'));
    const labels: Record<string, number> = {};
    const nm = execFileSync('arm-none-eabi-nm', [join(dir, 'p.elf')], { encoding: 'utf8' });
    for (const line of nm.split('\n')) {
      const m = /^([0-9a-f]+) [tTbBdDaA] (\w+)$/.exec(line.trim());
      if (m && !m[2]!.startsWith('$')) labels[m[2]!] = parseInt(m[1]!, 16);
    }
    return { hex: Buffer.from(bytes).toString('hex'), labels };
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`arm-none-eabi-as failed: ${err.stderr?.toString() ?? String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface AsmOptions {
  base: number;
  /** `-mcpu` (default cortex-m3). */
  cpu?: 'cortex-m3' | 'cortex-m0' | 'cortex-m4';
  /** Fixture file (JSON). */
  fixtures: string;
}

export function assemble(body: string, o: AsmOptions): Assembled {
  const cpu = o.cpu ?? 'cortex-m3';
  const source = `.syntax unified\n.cpu ${cpu}\n.thumb\n.text\n.global _start\n.thumb_func\n_start:\n${body}\n`;
  const key = `${cpu}@${o.base.toString(16)}\n${body}`;
  const cache = load(o.fixtures);
  let e = cache[key];
  if (e === undefined) {
    // TRACEHOOK_NO_TOOLCHAIN=1 checks that the fixtures are complete (what `npm test` sees without the toolchain).
    if (!existsSync(TOOLCHAIN) || process.env.TRACEHOOK_NO_TOOLCHAIN !== undefined) throw new Error(`program not in ${o.fixtures} and no arm-none-eabi-as to assemble it: run the tests once with the toolchain installed\n${body}`);
    e = assembleWithToolchain(source, o.base);
    cache[key] = e;
    const sorted: Record<string, Entry> = {};
    for (const k of Object.keys(cache).sort()) sorted[k] = cache[k]!;
    writeFileSync(o.fixtures, JSON.stringify(sorted, null, 1) + '\n');
  }
  return { bytes: Uint8Array.from(Buffer.from(e.hex, 'hex')), labels: new Map(Object.entries(e.labels)) };
}
