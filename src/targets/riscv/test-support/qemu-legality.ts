/**
 * Asks QEMU 7.2 which encodings it accepts: builds the bare-metal probe harness in
 * fixtures/qemu/ around a table of (size, word) probes and runs it; QEMU prints one character
 * per probe, '.' accepted or 'I' illegal. Used only when regenerating legality fixtures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** QEMU 7.2's default CPU minus what the emulator lacks (H, Zfh, Sstc's CSRs are not probed). */
export const QEMU_PROBE_CPU_FLAGS = 'h=false,Zfh=false,Zfhmin=false,sstc=false';

/**
 * Run `probes` (instruction size in bytes, word) on QEMU; returns one '.' or 'I' per probe.
 * `cpuFlags` replaces {@link QEMU_PROBE_CPU_FLAGS}; `defines` go to the harness's preprocessor:
 * NOFP leaves the f registers and fcsr alone (for `f=false`/`d=false`, where they trap), NOFENCEI
 * skips its `fence.i` (for `Zifencei=false`; QEMU does not need it to see the rewritten probe).
 */
export function qemuLegality(xlen: 32 | 64, probes: readonly (readonly [number, number])[], cpuFlags = QEMU_PROBE_CPU_FLAGS, defines: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvqemu-'));
  try {
    const blob = Buffer.alloc(probes.length * 8);
    probes.forEach(([n, w], i) => {
      blob.writeUInt32LE(n, 8 * i);
      blob.writeUInt32LE(w, 8 * i + 4);
    });
    writeFileSync(join(dir, 'tests.bin'), blob);
    execFileSync('riscv64-unknown-elf-gcc', [
      `-march=rv${xlen}gc`, `-mabi=${xlen === 64 ? 'lp64d' : 'ilp32d'}`, ...defines.map((d) => `-D${d}`), '-nostdlib', '-nostartfiles',
      '-T', join(FIX, 'qemu', 'link.ld'), `-Wa,-I${dir}`, '-o', 'probe.elf', join(FIX, 'qemu', 'harness.S'),
    ], { cwd: dir, stdio: 'pipe' });
    execFileSync(`qemu-system-riscv${xlen}`, [
      '-M', 'virt', '-m', '256M', '-display', 'none', '-monitor', 'none', '-bios', 'none',
      '-cpu', `rv${xlen},${cpuFlags}`, '-serial', 'file:out.txt', '-kernel', 'probe.elf',
    ], { cwd: dir, stdio: 'pipe', timeout: 600_000 });
    const out = readFileSync(join(dir, 'out.txt'), 'utf8').trim();
    if (out.length !== probes.length || /[^.I]/.test(out)) throw new Error(`unexpected QEMU output (${out.length} chars for ${probes.length} probes)`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
