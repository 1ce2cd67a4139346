/**
 * buildVirtDtb against device trees QEMU 7.2 dumped with `-M virt,dumpdtb=` (fixtures/, listed
 * with their QEMU arguments in fixtures/virt-dtb.json; see fixtures/README.md).
 *
 * With QEMU 7.2 installed (qemu-system-riscv64/32 on PATH), the same comparison also runs live
 * against freshly dumped trees, including configurations kept out of the fixtures. Set
 * TRACEHOOK_REGEN_DTB_FIXTURES=1 to rewrite the fixtures from the installed QEMU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dtbToDts, getProp, parseDtb, propCells, propStrings, readDtb } from '../core/fdt-parse.js';
import {
  QEMU72_ISA_RV32, QEMU72_ISA_RV64, QEMU_FDT_MAX_SIZE, QemuFdt, buildVirtDtb, buildVirtFdtImage, qemuFdtLoadAddr,
  virtFdtTree, virtHighPcieMmio, type VirtDtbConfig,
} from './riscv-virt-dtb.js';
import { VirtMachine } from './riscv-virt.js';
import { isaString, parseCpuSpec } from '../targets/riscv/isa.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, 'fixtures');
const ROOT = resolve(HERE, '..', '..');
const REGEN = process.env.TRACEHOOK_REGEN_DTB_FIXTURES === '1';

interface Entry { name: string; args: string[]; config: VirtDtbConfig; image?: boolean }
interface Manifest { qemu: string; common: string[]; fixtures: Entry[]; liveOnly: Entry[] }
const manifest = JSON.parse(readFileSync(join(FIX, 'virt-dtb.json'), 'utf8')) as Manifest;

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const totalsize = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(4);
const rngSeedOf = (dtb: Uint8Array): Uint8Array => {
  const s = getProp(parseDtb(dtb), '/chosen', 'rng-seed');
  assert.ok(s, 'QEMU tree has /chosen/rng-seed');
  return s;
};
/** dtbToDts with the rng-seed value (random in QEMU) blanked out. */
const dtsMasked = (dtb: Uint8Array): string => dtbToDts(dtb).replace(/^(\t+rng-seed = )<[^>]*>;$/m, '$1<masked>;');

function qemuVersion(bin: string): string | undefined {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return undefined;
  }
}
const QEMU_OK = ['qemu-system-riscv64', 'qemu-system-riscv32'].every((b) => /version 7\.2\./.test(qemuVersion(b) ?? ''));

/** Run QEMU's dumpdtb for `e`: the whole 1 MiB buffer it writes. */
function qemuDump(e: Entry, dir: string): Uint8Array {
  const out = join(dir, `${e.name}.dtb`);
  const args = [...manifest.common.map((a) => a.replace('dumpdtb=OUT', `dumpdtb=${out}`)), ...e.args];
  execFileSync(`qemu-system-riscv${e.config.xlen}`, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return u8(readFileSync(out));
}

if (REGEN) {
  test('regenerate fixtures from the installed QEMU', () => {
    assert.ok(QEMU_OK, 'QEMU 7.2 qemu-system-riscv64/32 must be on PATH');
    const dir = mkdtempSync(join(tmpdir(), 'virt-dtb-'));
    try {
      for (const e of manifest.fixtures) {
        const full = qemuDump(e, dir);
        writeFileSync(join(FIX, `${e.name}.dtb`), full.subarray(0, totalsize(full)));
        if (e.image) writeFileSync(join(FIX, `${e.name}.image.gz`), gzipSync(full, { level: 9 }));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const e of manifest.fixtures) {
  test(`${e.name}: same tree as QEMU 7.2 (dtbToDts) apart from the rng-seed bytes`, () => {
    const q = u8(readFileSync(join(FIX, `${e.name}.dtb`)));
    const ours = buildVirtDtb(e.config);
    assert.equal(getProp(parseDtb(ours), '/chosen', 'rng-seed')!.length, rngSeedOf(q).length);
    assert.equal(dtsMasked(ours), dtsMasked(q));
  });

  test(`${e.name}: with QEMU's rng-seed, the DTB equals QEMU's byte for byte`, () => {
    const q = u8(readFileSync(join(FIX, `${e.name}.dtb`)));
    assert.deepEqual(buildVirtDtb({ ...e.config, rngSeed: rngSeedOf(q) }), q);
  });

  if (e.image) {
    test(`${e.name}: the 1 MiB image QEMU loads into RAM, stale tail bytes included`, () => {
      const q = u8(gunzipSync(readFileSync(join(FIX, `${e.name}.image.gz`))));
      assert.equal(q.length, QEMU_FDT_MAX_SIZE);
      assert.deepEqual(buildVirtFdtImage({ ...e.config, rngSeed: rngSeedOf(q) }), q);
    });
  }
}

test('the -cpu switches of every h=false fixture give its riscv,isa (parseCpuSpec, isaString), and the machine dumps its tree', () => {
  for (const e of manifest.fixtures) {
    const cpu = e.args[e.args.indexOf('-cpu') + 1]!;
    if (!cpu.includes('h=false') || cpu.includes('mmu=') || cpu.includes('pmu-num=')) continue;
    const isa = parseCpuSpec(cpu, e.config.xlen).isa;
    assert.equal(isaString(e.config.xlen, isa), e.config.isa ?? (e.config.xlen === 64 ? QEMU72_ISA_RV64 : QEMU72_ISA_RV32), e.name);
    if (e.args.includes('-kernel') || e.config.memBytes > 512 << 20) continue;
    const m = new VirtMachine({ xlen: e.config.xlen, isa, bios: 'none', kernel: join(ROOT, 'guests', 'riscv', `demo.rv${e.config.xlen}.elf`), memBytes: e.config.memBytes, smp: e.config.harts, uartOut: () => {}, semihostingOut: () => {} });
    const q = u8(readFileSync(join(FIX, `${e.name}.dtb`)));
    assert.deepEqual(buildVirtDtb({ ...e.config, rngSeed: rngSeedOf(q) }), q, e.name);
    assert.equal(dtsMasked(m.dtb), dtsMasked(q), e.name);
  }
});

test('live: QEMU 7.2 dumps the same DTBs and images (fixtures and extra configurations)', { skip: !QEMU_OK && 'QEMU 7.2 is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'virt-dtb-'));
  try {
    for (const e of [...manifest.fixtures, ...manifest.liveOnly]) {
      const full = qemuDump(e, dir);
      const q = full.subarray(0, totalsize(full));
      const seed = rngSeedOf(q);
      assert.equal(dtsMasked(buildVirtDtb(e.config)), dtsMasked(q), e.name);
      assert.deepEqual(buildVirtFdtImage({ ...e.config, rngSeed: seed }), full, e.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('defaults: QEMU 7.2 ISA strings and MMU types, 32 zero bytes of rng-seed, pmu-num 16', () => {
  const t64 = virtFdtTree({ xlen: 64, harts: 1, memBytes: 128 << 20 });
  assert.deepEqual(propStrings(getProp(t64, '/cpus/cpu@0', 'riscv,isa')!), [QEMU72_ISA_RV64]);
  assert.deepEqual(propStrings(getProp(t64, '/cpus/cpu@0', 'mmu-type')!), ['riscv,sv48']);
  assert.deepEqual(getProp(t64, '/chosen', 'rng-seed'), new Uint8Array(32));
  assert.equal(propCells(getProp(t64, '/pmu', 'riscv,event-to-mhpmcounters')!)[2], 0x7fff9);
  const t32 = virtFdtTree({ xlen: 32, harts: 1, memBytes: 128 << 20 });
  assert.deepEqual(propStrings(getProp(t32, '/cpus/cpu@0', 'riscv,isa')!), [QEMU72_ISA_RV32]);
  assert.deepEqual(propStrings(getProp(t32, '/cpus/cpu@0', 'mmu-type')!), ['riscv,sv32']);
  // An empty command line adds no bootargs (QEMU: `if (cmdline && *cmdline)`).
  assert.equal(getProp(virtFdtTree({ xlen: 64, harts: 1, memBytes: 1 << 27, bootargs: '' }), '/chosen', 'bootargs'), undefined);
  // Deterministic: same config, same bytes.
  assert.deepEqual(buildVirtDtb({ xlen: 64, harts: 2, memBytes: 1 << 27 }), buildVirtDtb({ xlen: 64, harts: 2, memBytes: 1 << 27 }));
});

test('phandles as QEMU numbers them: harts from the highest down, then PLIC, then test', () => {
  const t = virtFdtTree({ xlen: 64, harts: 4, memBytes: 1 << 27 });
  const ph = (path: string): number => propCells(getProp(t, path, 'phandle')!)[0]!;
  assert.deepEqual([3, 2, 1, 0].map((i) => [ph(`/cpus/cpu@${i}`), ph(`/cpus/cpu@${i}/interrupt-controller`)]), [[1, 2], [3, 4], [5, 6], [7, 8]]);
  assert.equal(ph('/soc/plic@c000000'), 9);
  assert.equal(ph('/soc/test@100000'), 10);
  assert.deepEqual(propCells(getProp(t, '/cpus/cpu-map/cluster0/core2', 'cpu')!), [3]);
  assert.deepEqual(propCells(getProp(t, '/poweroff', 'regmap')!), [10]);
  assert.deepEqual(propCells(getProp(t, '/soc/clint@2000000', 'interrupts-extended')!),
    [8, 3, 8, 7, 6, 3, 6, 7, 4, 3, 4, 7, 2, 3, 2, 7]);
});

test('initrd bounds are 32-bit cells, as QEMU 7.2 writes them', () => {
  const t = virtFdtTree({ xlen: 64, harts: 1, memBytes: 1 << 27, initrd: { start: 0x1_8400_0000n, end: 0x84000010 } });
  assert.deepEqual(propCells(getProp(t, '/chosen', 'linux,initrd-start')!), [0x84000000]);
  assert.deepEqual(propCells(getProp(t, '/chosen', 'linux,initrd-end')!), [0x84000010]);
});

test('high PCIe MMIO window: RV64 after RAM rounded up to 16 GiB, RV32 fixed', () => {
  const G = 1n << 30n;
  assert.deepEqual(virtHighPcieMmio(64, 128n << 20n), { base: 16n * G, size: 16n * G });
  assert.deepEqual(virtHighPcieMmio(64, 14n * G), { base: 16n * G, size: 16n * G });
  assert.deepEqual(virtHighPcieMmio(64, 14n * G + 1n), { base: 32n * G, size: 16n * G });
  assert.deepEqual(virtHighPcieMmio(32, 3n * G), { base: 12n * G, size: 4n * G });
});

test('qemuFdtLoadAddr matches the fdt address in QEMU 7.2\'s reset vector', () => {
  // Read with `xp /2wx 0x1020` in the QEMU monitor (-bios none -S).
  assert.equal(qemuFdtLoadAddr(128n << 20n), 0x87e00000n);
  assert.equal(qemuFdtLoadAddr(131584n << 10n), 0x87e00000n); // packed-size placement would give 0x88000000
  assert.equal(qemuFdtLoadAddr(129n << 20n), 0x88000000n);
  assert.equal(qemuFdtLoadAddr(4n << 30n), 0xbfe00000n);
  assert.equal(qemuFdtLoadAddr(16n << 30n), 0xbfe00000n);
});

test('bad configurations are refused', () => {
  const ok: VirtDtbConfig = { xlen: 64, harts: 1, memBytes: 1 << 27 };
  assert.throws(() => buildVirtDtb({ ...ok, harts: 0 }), RangeError);
  assert.throws(() => buildVirtDtb({ ...ok, harts: 513 }), RangeError);
  assert.throws(() => buildVirtDtb({ ...ok, harts: 1.5 }), RangeError);
  assert.throws(() => buildVirtDtb({ ...ok, memBytes: 0 }), RangeError);
  assert.throws(() => buildVirtDtb({ ...ok, pmuNum: 30 }), RangeError);
  assert.throws(() => buildVirtDtb({ ...ok, xlen: 128 as 64 }), RangeError);
});

test('QemuFdt follows libfdt: new properties and nodes go first, overwrites stay in place', () => {
  const f = new QemuFdt(4096);
  f.setpropString('/', 'a', 'x');
  f.setpropCells('/', 'b', 1);
  f.addSubnode('/n1');
  f.addSubnode('/n2');
  f.setpropCells('/n1', 'c', 2);
  f.setpropString('/', 'a', 'longer value'); // resize in place
  f.setpropCells('/', 'interrupts-extended', 3);
  f.setpropCells('/', 'extended', 4); // a suffix of an existing name: shares its string
  assert.throws(() => f.addSubnode('/n1'), /cannot add/);
  assert.throws(() => f.addSubnode('/missing/x'), /does not exist/);
  assert.throws(() => f.setpropCells('/missing', 'x', 1), /does not exist/);
  const dtb = f.dtb();
  assert.throws(() => f.setpropCells('/', 'late', 1), /packed/);
  const root = parseDtb(dtb);
  assert.deepEqual(root.props.map(([k]) => k), ['extended', 'interrupts-extended', 'b', 'a']);
  assert.deepEqual(propStrings(getProp(root, '/', 'a')!), ['longer value']);
  assert.deepEqual(root.children.map((c) => c.name), ['n2', 'n1']);
  const { header } = readDtb(dtb);
  assert.equal(header.totalsize, dtb.length);
  assert.equal(header.offMemRsvmap, 40);
  const strings = new TextDecoder().decode(dtb.subarray(header.offDtStrings, header.offDtStrings + header.sizeDtStrings));
  assert.equal(strings, 'a\0b\0c\0interrupts-extended\0');
  assert.throws(() => new QemuFdt(128).setprop('/', 'big', new Uint8Array(64)), /full/);
});
