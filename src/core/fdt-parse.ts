/**
 * A flattened-device-tree (DTB) reader, the inverse of `buildDtb` in fdt.ts, and a printer of a
 * stable DTS-like text used to compare trees (e.g. ours against QEMU's `-M virt,dumpdtb=`).
 *
 * Parsed trees have the node shape of fdt.ts with every property value as raw bytes, so a parsed
 * tree can be fed back to `buildDtb`.
 */
import { buildDtb, type FdtNode } from './fdt.js';

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

export interface FdtHeader {
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
}

export interface FdtMemReserve {
  address: bigint;
  size: bigint;
}

/** A parsed node: fdt.ts's shape, every property as raw bytes. */
export interface ParsedFdtNode extends FdtNode {
  props: [string, Uint8Array][];
  children: ParsedFdtNode[];
}

export interface ParsedDtb {
  header: FdtHeader;
  memReserve: FdtMemReserve[];
  root: ParsedFdtNode;
}

export class FdtParseError extends Error {
  override name = 'FdtParseError';
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Read the header, memory reservation map and structure of a DTB (version 16 or later). */
export function readDtb(bytes: Uint8Array): ParsedDtb {
  if (bytes.length < 40) throw new FdtParseError(`DTB too short (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => dv.getUint32(o);
  if (u32(0) !== FDT_MAGIC) throw new FdtParseError(`bad DTB magic 0x${u32(0).toString(16)}`);
  const header: FdtHeader = {
    totalsize: u32(4), offDtStruct: u32(8), offDtStrings: u32(12), offMemRsvmap: u32(16),
    version: u32(20), lastCompVersion: u32(24), bootCpuidPhys: u32(28),
    sizeDtStrings: u32(32), sizeDtStruct: u32(36),
  };
  if (header.version < 16) throw new FdtParseError(`DTB version ${header.version} is not supported (need 16 or later)`);
  if (header.totalsize > bytes.length) throw new FdtParseError(`DTB totalsize ${header.totalsize} exceeds the ${bytes.length} bytes given`);
  const within = (off: number, size: number, what: string): void => {
    if (off < 0 || size < 0 || off + size > header.totalsize) throw new FdtParseError(`${what} [${off}, +${size}) lies outside the DTB`);
  };
  within(header.offDtStruct, header.sizeDtStruct, 'structure block');
  within(header.offDtStrings, header.sizeDtStrings, 'strings block');

  const memReserve: FdtMemReserve[] = [];
  for (let o = header.offMemRsvmap; ; o += 16) {
    within(o, 16, 'memory reservation entry');
    const address = dv.getBigUint64(o), size = dv.getBigUint64(o + 8);
    if (address === 0n && size === 0n) break;
    memReserve.push({ address, size });
  }

  const strEnd = header.offDtStrings + header.sizeDtStrings;
  const stringAt = (nameoff: number): string => {
    const start = header.offDtStrings + nameoff;
    if (nameoff >= header.sizeDtStrings) throw new FdtParseError(`property name offset ${nameoff} lies outside the strings block`);
    let e = start;
    while (e < strEnd && bytes[e] !== 0) e++;
    if (e >= strEnd) throw new FdtParseError(`unterminated property name at strings offset ${nameoff}`);
    return utf8.decode(bytes.subarray(start, e));
  };

  const end = header.offDtStruct + header.sizeDtStruct;
  let p = header.offDtStruct;
  const tag = (): number => {
    if (p + 4 > end) throw new FdtParseError('structure block ends without FDT_END');
    const t = u32(p);
    p += 4;
    return t;
  };
  const align = (): void => { p = (p + 3) & ~3; };

  const stack: ParsedFdtNode[] = [];
  let root: ParsedFdtNode | undefined;
  for (;;) {
    const at = p;
    const t = tag();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      let e = p;
      while (e < end && bytes[e] !== 0) e++;
      if (e >= end) throw new FdtParseError(`unterminated node name at offset ${p}`);
      const n: ParsedFdtNode = { name: utf8.decode(bytes.subarray(p, e)), props: [], children: [] };
      p = e + 1;
      align();
      if (stack.length === 0) {
        if (root) throw new FdtParseError(`second root node at offset ${at}`);
        root = n;
      } else {
        stack[stack.length - 1]!.children.push(n);
      }
      stack.push(n);
    } else if (t === FDT_PROP) {
      const cur = stack[stack.length - 1];
      if (!cur) throw new FdtParseError(`property outside any node at offset ${at}`);
      const len = tag(), nameoff = tag();
      if (p + len > end) throw new FdtParseError(`property at offset ${at} runs past the structure block`);
      cur.props.push([stringAt(nameoff), bytes.slice(p, p + len)]);
      p += len;
      align();
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) throw new FdtParseError(`unbalanced FDT_END_NODE at offset ${at}`);
    } else if (t === FDT_END) {
      if (stack.length !== 0) throw new FdtParseError(`FDT_END at offset ${at} inside node '${stack[stack.length - 1]!.name}'`);
      break;
    } else {
      throw new FdtParseError(`unknown structure tag 0x${t.toString(16)} at offset ${at}`);
    }
  }
  if (!root) throw new FdtParseError('DTB has no root node');
  return { header, memReserve, root };
}

/** The root node of a DTB; property values are raw bytes. */
export function parseDtb(bytes: Uint8Array): ParsedFdtNode {
  return readDtb(bytes).root;
}

/** Find a node by absolute path ('/', '/cpus/cpu@0'). */
export function findNode<N extends FdtNode>(root: N, path: string): N | undefined {
  let cur: N | undefined = root;
  for (const part of path.split('/').filter((s) => s !== '')) {
    cur = (cur.children as N[]).find((c) => c.name === part);
    if (!cur) return undefined;
  }
  return cur;
}

/** Raw bytes of property `name` of the node at `path`, if both exist. */
export function getProp(root: ParsedFdtNode, path: string, name: string): Uint8Array | undefined {
  return findNode(root, path)?.props.find(([k]) => k === name)?.[1];
}

/** Decode a property value as big-endian 32-bit cells. */
export function propCells(v: Uint8Array): number[] {
  if (v.length % 4 !== 0) throw new FdtParseError(`value of ${v.length} bytes is not a whole number of cells`);
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4));
}

/** Decode a property value as a list of NUL-terminated strings. */
export function propStrings(v: Uint8Array): string[] {
  if (v.length === 0 || v[v.length - 1] !== 0) throw new FdtParseError('value is not NUL-terminated strings');
  return utf8.decode(v.subarray(0, v.length - 1)).split('\0');
}

/**
 * True if `v` reads as one or more non-empty NUL-terminated strings of printable ASCII
 * (stricter than dtc, which would print the cell 0x00384000 as "\08@").
 */
function isPrintableStrings(v: Uint8Array): boolean {
  if (v.length === 0 || v[v.length - 1] !== 0) return false;
  let segLen = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b === 0) {
      if (segLen === 0) return false;
      segLen = 0;
    } else if (b < 0x20 || b > 0x7e) {
      return false;
    } else {
      segLen++;
    }
  }
  return true;
}

const hex2 = (x: number): string => '0x' + x.toString(16).padStart(2, '0');

/** Format one property value the way `fdtToDts` prints it (without the name). */
export function formatPropValue(v: Uint8Array): string {
  if (v.length === 0) return '';
  if (isPrintableStrings(v)) {
    return propStrings(v).map((s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"').join(', ');
  }
  if (v.length % 4 === 0) return '<' + propCells(v).map(hex2).join(' ') + '>';
  return '[' + Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ') + ']';
}

function isRaw(n: FdtNode): n is ParsedFdtNode {
  return n.props.every(([, v]) => v instanceof Uint8Array) && n.children.every(isRaw);
}

/**
 * Print a parsed tree as stable DTS-like text: one property per line in stored order, then child
 * nodes in stored order. Values print as "strings" when every byte is printable (and each string
 * non-empty), else as <cells> when the length is a multiple of 4, else as [bytes].
 */
export function fdtToDts(root: FdtNode, memReserve: readonly FdtMemReserve[] = []): string {
  // A tree with fdt.ts's typed values prints as the bytes buildDtb would store for it.
  const tree: ParsedFdtNode = isRaw(root) ? root : parseDtb(buildDtb(root));
  const out: string[] = ['/dts-v1/;'];
  for (const r of memReserve) out.push(`/memreserve/ 0x${r.address.toString(16)} 0x${r.size.toString(16)};`);
  out.push('');
  const walk = (n: ParsedFdtNode, depth: number): void => {
    const ind = '\t'.repeat(depth);
    out.push(`${ind}${depth === 0 && n.name === '' ? '/' : n.name} {`);
    for (const [k, raw] of n.props) {
      const v = formatPropValue(raw);
      out.push(v === '' ? `${ind}\t${k};` : `${ind}\t${k} = ${v};`);
    }
    for (const c of n.children) {
      out.push('');
      walk(c, depth + 1);
    }
    out.push(`${ind}};`);
  };
  walk(tree, 0);
  return out.join('\n') + '\n';
}

/** Parse a DTB and print it with `fdtToDts` (memory reservations included, header fields not). */
export function dtbToDts(bytes: Uint8Array): string {
  const { root, memReserve } = readDtb(bytes);
  return fdtToDts(root, memReserve);
}
