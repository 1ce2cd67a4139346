/**
 * Intel HEX parser (I8HEX, I16HEX and I32HEX: record types 00 to 05).
 *
 * @module
 */
import { UserError } from '../errors.js';

/** A run of contiguous bytes at a 32-bit address. */
export interface HexSegment {
  addr: number;
  data: Uint8Array;
}

/** What {@link parseIntelHex} returns. */
export interface HexImage {
  /** Data, merged into contiguous runs, sorted by address, never overlapping. */
  segments: HexSegment[];
  /**
   * Start address from a type 05 record (EIP), or `CS * 16 + IP` from a type 03 record;
   * undefined if the file has neither.
   */
  entry?: number;
}

const DATA = 0, EOF = 1, EXT_SEGMENT = 2, START_SEGMENT = 3, EXT_LINEAR = 4, START_LINEAR = 5;

interface Chunk {
  addr: number;
  data: Uint8Array;
  line: number;
}

/** Decode `:` and hex digit pairs to bytes; undefined if the line is not of that form. */
function decodeRecord(line: string): Uint8Array | undefined {
  if (!/^:(?:[0-9A-Fa-f]{2})+$/.test(line)) return undefined;
  const bytes = new Uint8Array((line.length - 1) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(line.slice(1 + i * 2, 3 + i * 2), 16);
  return bytes;
}

/** The length byte matches and the bytes sum to 0 modulo 256. */
function recordValid(rec: Uint8Array): boolean {
  if (rec.length < 5 || rec.length !== rec[0]! + 5) return false;
  let sum = 0;
  for (const b of rec) sum += b;
  return (sum & 0xff) === 0;
}

/**
 * True if `text` starts (after blank lines) with a well-formed Intel HEX record with a correct
 * checksum: a cheap test for telling HEX files from raw binaries.
 */
export function looksLikeIntelHex(text: string): boolean {
  const m = /^[\s\uFEFF]*(:[^\r\n]*)/.exec(text);
  if (m === null) return false;
  const rec = decodeRecord(m[1]!.trim());
  return rec !== undefined && recordValid(rec);
}

/**
 * Parse an Intel HEX file.
 *
 * Addresses follow the Intel specification: with a type 02 base the offset wraps within the
 * 64 KiB segment; with a type 04 base addresses are linear. Data past 4 GiB, overlapping data,
 * a missing end-of-file record and any line that is not a valid record are errors. Blank lines
 * are ignored, as is anything after the end-of-file record.
 *
 * @param text The file contents.
 * @param fileName Prefix for error messages.
 * @throws {UserError} `fileName:LINE: message`, e.g. `fw.hex:12: checksum mismatch (record has 0x3b, expected 0x3a)`;
 *   `fileName: no data records` for a file without data.
 */
export function parseIntelHex(text: string, fileName: string): HexImage {
  const lines = text.split('\n');
  const chunks: Chunk[] = [];
  let base = 0;
  let segmented = false;
  let entry: number | undefined;
  let sawEof = false;

  for (let n = 0; n < lines.length && !sawEof; n++) {
    const lineNo = n + 1;
    const fail: (msg: string) => never = (msg) => {
      throw new UserError(`${fileName}:${lineNo}: ${msg}`);
    };
    let line = lines[n]!.trim();
    if (n === 0 && line.startsWith('\uFEFF')) line = line.slice(1).trim();
    if (line === '') continue;
    if (line[0] !== ':') fail(`expected a record starting with ':'`);
    const rec = decodeRecord(line);
    if (rec === undefined) {
      const bad = /[^0-9A-Fa-f]/.exec(line.slice(1));
      if (bad !== null) fail(`invalid character ${JSON.stringify(bad[0])} in record`);
      fail(line.length % 2 === 0 ? 'odd number of hex digits in record' : 'record too short');
    }
    if (rec.length < 5) fail('record too short');
    const len = rec[0]!;
    if (rec.length !== len + 5) fail(`record length byte says ${len} data bytes, line has ${rec.length - 5}`);
    let sum = 0;
    for (const b of rec) sum += b;
    if ((sum & 0xff) !== 0) {
      const stored = rec[rec.length - 1]!;
      const want = (stored - sum) & 0xff;
      fail(`checksum mismatch (record has 0x${hex2(stored)}, expected 0x${hex2(want)})`);
    }
    const offset = (rec[1]! << 8) | rec[2]!;
    const type = rec[3]!;
    const body = rec.subarray(4, 4 + len);
    const needLen = (want: number, what: string): void => {
      if (len !== want) fail(`${what} record (type 0${type}) must have ${want} data bytes, has ${len}`);
    };
    switch (type) {
      case DATA: {
        if (len === 0) break;
        // With a segment base the offset wraps within the 64 KiB segment: split at the wrap.
        const first = segmented ? Math.min(len, 0x10000 - offset) : len;
        if (base + offset + first > 0x100000000) fail('data extends past 4 GiB');
        chunks.push({ addr: base + offset, data: body.slice(0, first), line: lineNo });
        if (first < len) chunks.push({ addr: base, data: body.slice(first), line: lineNo });
        break;
      }
      case EOF:
        needLen(0, 'end-of-file');
        sawEof = true;
        break;
      case EXT_SEGMENT:
        needLen(2, 'extended segment address');
        base = ((body[0]! << 8) | body[1]!) * 16;
        segmented = true;
        break;
      case START_SEGMENT:
        needLen(4, 'start segment address');
        entry = ((body[0]! << 8) | body[1]!) * 16 + ((body[2]! << 8) | body[3]!);
        break;
      case EXT_LINEAR:
        needLen(2, 'extended linear address');
        base = ((body[0]! << 8) | body[1]!) * 0x10000;
        segmented = false;
        break;
      case START_LINEAR:
        needLen(4, 'start linear address');
        entry = ((body[0]! << 24) | (body[1]! << 16) | (body[2]! << 8) | body[3]!) >>> 0;
        break;
      default:
        fail(`unknown record type 0x${hex2(type)}`);
    }
  }
  if (!sawEof) throw new UserError(`${fileName}: missing end-of-file record (:00000001FF); is the file truncated?`);
  if (chunks.length === 0) throw new UserError(`${fileName}: no data records`);

  const img: HexImage = { segments: merge(chunks, fileName) };
  if (entry !== undefined) img.entry = entry;
  return img;
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

/** Sort chunks by address (stable), reject overlaps, concatenate contiguous runs. */
function merge(chunks: Chunk[], fileName: string): HexSegment[] {
  chunks.sort((a, b) => a.addr - b.addr);
  const segments: HexSegment[] = [];
  let i = 0;
  while (i < chunks.length) {
    let j = i + 1;
    let end = chunks[i]!.addr + chunks[i]!.data.length;
    while (j < chunks.length && chunks[j]!.addr <= end) {
      const c = chunks[j]!;
      if (c.addr < end) {
        const a = chunks[j - 1]!.line, b = c.line;
        throw new UserError(
          `${fileName}:${Math.max(a, b)}: data at 0x${c.addr.toString(16)} overlaps data from line ${Math.min(a, b)}`);
      }
      end += c.data.length;
      j++;
    }
    if (j === i + 1) {
      segments.push({ addr: chunks[i]!.addr, data: chunks[i]!.data });
    } else {
      const start = chunks[i]!.addr;
      const data = new Uint8Array(end - start);
      for (let k = i; k < j; k++) data.set(chunks[k]!.data, chunks[k]!.addr - start);
      segments.push({ addr: start, data });
    }
    i = j;
  }
  return segments;
}
