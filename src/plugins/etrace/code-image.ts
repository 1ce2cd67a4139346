/**
 * The code a run executed, as a RISC-V ELF a trace decoder can walk: every translated
 * instruction's bytes at its address, as they were when translated. For firmware that copies
 * or relocates its code before running it (U-Boot moves itself to the top of RAM) the ELF it was
 * loaded from does not describe what ran; this image does — unless code is rewritten after it
 * ran (the first version is kept, as a hardware trace decoder's static image would be).
 */

const PAGE = 4096n;

/** Collects instruction bytes by page; {@link toElf} writes them as one PT_LOAD per run of pages. */
export class CodeImage {
  private readonly pages = new Map<bigint, { data: Uint8Array; known: Uint8Array }>();

  /** Record `bytes` at `vaddr` (bytes already recorded keep their first value). */
  add(vaddr: bigint, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const a = vaddr + BigInt(i);
      const base = a - (a % PAGE);
      let p = this.pages.get(base);
      if (p === undefined) { p = { data: new Uint8Array(Number(PAGE)), known: new Uint8Array(Number(PAGE)) }; this.pages.set(base, p); }
      const o = Number(a - base);
      if (p.known[o] === 0) { p.data[o] = bytes[i]!; p.known[o] = 1; }
    }
  }

  /** Number of pages holding executed code. */
  get pageCount(): number { return this.pages.size; }

  /** A little-endian RISC-V executable (ELFCLASS32 or 64) with the recorded code, `entry` as its entry point. */
  toElf(xlen: 32 | 64, entry: bigint): Uint8Array {
    const bases = [...this.pages.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const segs: { start: bigint; pages: bigint[] }[] = [];
    for (const b of bases) {
      const last = segs[segs.length - 1];
      if (last !== undefined && last.start + BigInt(last.pages.length) * PAGE === b) last.pages.push(b);
      else segs.push({ start: b, pages: [b] });
    }
    const is64 = xlen === 64;
    const ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
    let offset = ehsize + phentsize * segs.length;
    const total = offset + bases.length * Number(PAGE);
    const out = new Uint8Array(total);
    const v = new DataView(out.buffer);
    out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1, 0]);
    v.setUint16(16, 2, true); // ET_EXEC
    v.setUint16(18, 243, true); // EM_RISCV
    v.setUint32(20, 1, true);
    if (is64) {
      v.setBigUint64(24, entry, true);
      v.setBigUint64(32, BigInt(ehsize), true); // e_phoff
      v.setBigUint64(40, 0n, true); // e_shoff
      v.setUint32(48, 0x5, true); // RVC, double-float ABI
      v.setUint16(52, ehsize, true);
      v.setUint16(54, phentsize, true);
      v.setUint16(56, segs.length, true);
      v.setUint16(58, 64, true);
    } else {
      v.setUint32(24, Number(entry), true);
      v.setUint32(28, ehsize, true);
      v.setUint32(32, 0, true);
      v.setUint32(36, 0x1, true);
      v.setUint16(40, ehsize, true);
      v.setUint16(42, phentsize, true);
      v.setUint16(44, segs.length, true);
      v.setUint16(46, 40, true);
    }
    segs.forEach((s, i) => {
      const ph = ehsize + i * phentsize;
      const size = BigInt(s.pages.length) * PAGE;
      if (is64) {
        v.setUint32(ph, 1, true); // PT_LOAD
        v.setUint32(ph + 4, 5, true); // R+X
        v.setBigUint64(ph + 8, BigInt(offset), true);
        v.setBigUint64(ph + 16, s.start, true);
        v.setBigUint64(ph + 24, s.start, true);
        v.setBigUint64(ph + 32, size, true);
        v.setBigUint64(ph + 40, size, true);
        v.setBigUint64(ph + 48, PAGE, true);
      } else {
        v.setUint32(ph, 1, true);
        v.setUint32(ph + 4, offset, true);
        v.setUint32(ph + 8, Number(s.start), true);
        v.setUint32(ph + 12, Number(s.start), true);
        v.setUint32(ph + 16, Number(size), true);
        v.setUint32(ph + 20, Number(size), true);
        v.setUint32(ph + 24, 5, true);
        v.setUint32(ph + 28, Number(PAGE), true);
      }
      for (const b of s.pages) { out.set(this.pages.get(b)!.data, offset); offset += Number(PAGE); }
    });
    return out;
  }
}
