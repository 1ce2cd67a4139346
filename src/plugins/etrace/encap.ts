/**
 * The specification's ENCAP transport for trace payloads (normal packets without timestamp)
 * and the split of a byte stream into 32-bit ATB beats, as in the worked examples.
 */

/** ENCAP header options. */
export interface EncapOptions {
  /** Source ID value and its width in bits (0 = no srcID). */
  srcId: number;
  srcIdBits: number;
  /** Message type and its width in bits (0 = no type field). */
  type?: number;
  typeBits?: number;
}

/**
 * One ENCAP normal packet: header byte (bits 4:0 = bytes after the header, bits 6:5 flow = 0,
 * bit 7 extend = 0), then the srcID and type fields packed LSB first into whole bytes, then the
 * payload.
 */
export function encapPacket(payload: Uint8Array, o: EncapOptions): Uint8Array {
  const typeBits = o.typeBits ?? 0;
  const idBits = o.srcIdBits + typeBits;
  const idBytes = Math.ceil(idBits / 8);
  const len = idBytes + payload.length;
  if (len < 1 || len > 31) throw new RangeError(`ENCAP length ${len} not in 1..31`);
  const out = new Uint8Array(1 + len);
  out[0] = len;
  const idValue = BigInt(o.srcId) | (BigInt(o.type ?? 0) << BigInt(o.srcIdBits));
  for (let i = 0; i < idBytes; i++) out[1 + i] = Number((idValue >> BigInt(8 * i)) & 0xffn);
  out.set(payload, 1 + idBytes);
  return out;
}

/** One ATB transfer: ATBYTES (number of valid bytes - 1) and ATDATA (little-endian). */
export interface AtbBeat {
  atbytes: number;
  atdata: number;
}

/** Split a byte stream into ATB beats of `busBytes` (default 4) bytes, the last one partial. */
export function atbBeats(stream: Uint8Array, busBytes = 4): AtbBeat[] {
  const beats: AtbBeat[] = [];
  for (let i = 0; i < stream.length; i += busBytes) {
    const chunk = stream.subarray(i, i + busBytes);
    let data = 0;
    chunk.forEach((b, k) => (data += b * 2 ** (8 * k)));
    beats.push({ atbytes: chunk.length - 1, atdata: data });
  }
  return beats;
}
