/**
 * Bit-level helpers for E-Trace packets: an LSB-first bit writer and reader, and the
 * specification's sign-based compression of a packet payload.
 *
 * Fields are packed least significant bit first: the first field written occupies the low
 * bits of the first payload byte. Values up to 64 bits wide travel as `bigint`; narrow
 * fields may be passed as `number`.
 */

/** Mask of the low `width` bits. */
export function maskBits(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Interpret the low `width` bits of `value` as a two's-complement number. */
export function signExtend(value: bigint, width: number): bigint {
  if (width === 0) return 0n;
  const v = value & maskBits(width);
  return v & (1n << BigInt(width - 1)) ? v - (1n << BigInt(width)) : v;
}

/** Collects fields into a bit string, least significant bit first. */
export class BitWriter {
  private readonly bits: number[] = [];

  /** Number of bits written so far. */
  get length(): number {
    return this.bits.length;
  }

  /**
   * Append the low `width` bits of `value` (negative values are taken in two's complement).
   * A value that does not fit is a programming error unless only copies of the sign bit are
   * lost, as the reference flow's packer allows.
   */
  write(value: bigint | number, width: number): void {
    if (width === 0) return;
    if (typeof value === 'number' && width <= 32 && Number.isInteger(value) && value >= 0 && value < 2 ** width) {
      // Fits as it is: no bigint work.
      for (let i = 0; i < width; i++) this.bits.push(((value >>> i) & 1));
      return;
    }
    const v = BigInt(value);
    const field = v & maskBits(width);
    const rest = v >> BigInt(width);
    const top = (field >> BigInt(width - 1)) & 1n;
    if (!(rest === 0n || (rest === -1n && top === 1n))) {
      throw new RangeError(`value ${v} does not fit in ${width} bits`);
    }
    for (let lo = 0; lo < width; lo += 32) {
      const chunk = Number((field >> BigInt(lo)) & 0xffffffffn);
      const end = Math.min(32, width - lo);
      for (let i = 0; i < end; i++) this.bits.push((chunk >>> i) & 1);
    }
  }

  /** The bits written, index 0 first (least significant). */
  toBits(): number[] {
    return [...this.bits];
  }
}

/**
 * Sign-based compression: drop the run of copies of the most significant bit down to a single
 * copy, then pad to a whole number of bytes with copies of that bit. `bits` is LSB first.
 */
export function compressBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) throw new RangeError('empty payload');
  const msb = bits[bits.length - 1]!;
  let keep = bits.length;
  while (keep > 1 && bits[keep - 2] === msb) keep--;
  const nbytes = Math.ceil(keep / 8);
  const out = new Uint8Array(nbytes);
  for (let i = 0; i < nbytes * 8; i++) {
    const bit = i < keep ? bits[i]! : msb;
    if (bit) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Pack bits (LSB first) into bytes without compression, padding the last byte with zeros. */
export function packBits(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/**
 * Reads fields LSB first from a sign-compressed payload. Reading past the end yields copies of
 * the last bit received, which undoes {@link compressBits}.
 */
export class BitReader {
  private pos = 0;
  private readonly fill: number;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length === 0) throw new RangeError('empty payload');
    this.fill = (bytes[bytes.length - 1]! >> 7) & 1;
  }

  /** Bit position of the next read. */
  get position(): number {
    return this.pos;
  }

  /** True when the next read starts beyond the bytes received (only sign fill remains). */
  get exhausted(): boolean {
    return this.pos >= this.bytes.length * 8;
  }

  private bit(i: number): number {
    return i < this.bytes.length * 8 ? (this.bytes[i >> 3]! >> (i & 7)) & 1 : this.fill;
  }

  /** Read a `width`-bit unsigned field as a bigint. */
  readBig(width: number): bigint {
    let v = 0n;
    for (let i = 0; i < width; i++) if (this.bit(this.pos + i)) v |= 1n << BigInt(i);
    this.pos += width;
    return v;
  }

  /** Read a `width`-bit unsigned field (width at most 53) as a number. */
  read(width: number): number {
    return Number(this.readBig(width));
  }
}

/** Inverse of {@link compressBits}: the first `width` bits of a compressed payload. */
export function decompressBits(bytes: Uint8Array, width: number): number[] {
  const r = new BitReader(bytes);
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(r.read(1));
  return out;
}
