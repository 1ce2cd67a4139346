/**
 * E-Trace round trip on the U-Boot boot of issue 02 (OpenSBI fw_jump in M-mode, then U-Boot in
 * S-mode: privilege changes by mret, SBI calls by ecall, U-Boot relocating itself): the first N
 * instructions (default 60M, `-max-insns`: through the relocation to the autoboot countdown) run with `-plugin etrace` (and its `image=`, the code
 * as executed, since the relocated U-Boot is in no ELF) and a PC hasher; the stream decoded over
 * that image must give the same count and hash of PCs. In `npm run test:qemu`; needs the opensbi
 * and u-boot-qemu packages (skipped without them).
 *
 *     node --import tsx scripts/etrace/uboot-roundtrip.ts [--insns N] [--variant itype=4,implicit-return=on]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EtraceDecoder } from '../../src/plugins/etrace/decoder.js';
import { ProgramImage } from '../../src/plugins/etrace/image.js';
import { iterateStream } from '../../src/plugins/etrace/packets.js';
import { FNV_START, fnv } from './pc-hash-plugin.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf';
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';

function main(): number {
  const { values } = parseArgs({ options: { insns: { type: 'string', default: '60000000' }, variant: { type: 'string', default: 'itype=3' } } });
  if (!existsSync(FW_JUMP) || !existsSync(UBOOT)) { console.log(`etrace U-Boot round trip: ${FW_JUMP} or ${UBOOT} missing: skipped`); return 0; }
  const tmp = mkdtempSync(join(tmpdir(), 'etrace-uboot-'));
  try {
    const bin = join(tmp, 'trace.bin'), image = join(tmp, 'image.elf');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/riscv64.js'), '-M', 'virt', '-nographic', '-bios', FW_JUMP, '-kernel', UBOOT,
      '-icount', 'shift=0,sleep=off', '-max-insns', values.insns!,
      '-plugin', `etrace,start=0x80000000,${values.variant},out=${bin},image=${image}`,
      '-plugin', join(ROOT, 'scripts/etrace/pc-hash-plugin.ts')], { cwd: tmp, encoding: 'utf8', timeout: 600_000 });
    const m = /^pc-hash: (\d+) ([0-9a-f]+)$/m.exec(r.stderr);
    const stats = /^etrace: .*$/m.exec(r.stderr)?.[0];
    if (!m || !stats) { console.log(`etrace U-Boot round trip: the run failed:\n${r.stderr.slice(-2000)}`); return 1; }
    console.log(`  ${stats} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const params = { iaddressWidthP: 64, itypeWidthP: (/itype=4/.test(values.variant!) ? 4 : 3) as 3 | 4, implicitReturn: /implicit-return=on/.test(values.variant!) };
    let count = 0, hash = FNV_START, interrupts = 0, exceptions = 0;
    const dec = new EtraceDecoder(ProgramImage.fromElf(new Uint8Array(readFileSync(image)), 'image.elf'), params, {
      collect: false,
      onEntry: (e) => {
        if (e.kind === 'pc') { count++; hash = fnv(fnv(hash, Number(e.pc & 0xffffffffn)), Number(e.pc >> 32n)); }
        else if (e.interrupt) interrupts++; else exceptions++;
      },
    });
    const t1 = Date.now();
    for (const { packet } of iterateStream(new Uint8Array(readFileSync(bin)), dec.params)) dec.process(packet);
    const same = count === Number(m[1]) && hash.toString(16) === m[2];
    console.log(`  decoded ${count} PCs (hash ${hash.toString(16)}; ${exceptions} exceptions, ${interrupts} interrupts) in ${((Date.now() - t1) / 1000).toFixed(1)} s; ` +
      `retired ${m[1]} (hash ${m[2]}): ${same ? 'identical' : 'DIFFERENT'}`);
    console.log(`etrace (${values.variant}) U-Boot boot, first ${values.insns} instructions: ${same ? 'round trip identical' : 'round trip FAILED'}`);
    return same ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exit(main());
