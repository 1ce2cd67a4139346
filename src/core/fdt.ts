/**
 * A small flattened-device-tree (DTB) writer: nodes with properties, serialised in the standard
 * v17 layout (header, memory reservation map, structure block, strings block).
 */
export type FdtValue = string | string[] | number | number[] | bigint[] | Uint8Array | null;

export interface FdtNode {
  name: string;
  props: [string, FdtValue][];
  children: FdtNode[];
}

export function node(name: string, props: [string, FdtValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

function encodeValue(v: FdtValue): Uint8Array {
  if (v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') v = [v];
  if (typeof v === 'number') v = [v];
  if (v.length > 0 && typeof v[0] === 'string') {
    const enc = new TextEncoder();
    const parts = (v as string[]).map((s) => enc.encode(s + '\0'));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  if (v.length > 0 && typeof v[0] === 'bigint') {
    const out = new Uint8Array(v.length * 8);
    const dv = new DataView(out.buffer);
    (v as bigint[]).forEach((x, i) => dv.setBigUint64(i * 8, x));
    return out;
  }
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  (v as number[]).forEach((x, i) => dv.setUint32(i * 4, x >>> 0));
  return out;
}

/** Serialise a tree rooted at `root` (whose name must be ''). */
export function buildDtb(root: FdtNode, bootCpu = 0): Uint8Array {
  const struct: number[] = [];
  const strings: number[] = [];
  const strOff = new Map<string, number>();
  const u32 = (x: number): void => { struct.push((x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255); };
  const pad = (): void => { while (struct.length % 4 !== 0) struct.push(0); };
  const str = (s: string): number => {
    let o = strOff.get(s);
    if (o === undefined) {
      o = strings.length;
      strOff.set(s, o);
      for (const b of new TextEncoder().encode(s)) strings.push(b);
      strings.push(0);
    }
    return o;
  };
  const walk = (n: FdtNode): void => {
    u32(1); // FDT_BEGIN_NODE
    for (const b of new TextEncoder().encode(n.name)) struct.push(b);
    struct.push(0);
    pad();
    for (const [k, v] of n.props) {
      const data = encodeValue(v);
      u32(3); // FDT_PROP
      u32(data.length);
      u32(str(k));
      for (const b of data) struct.push(b);
      pad();
    }
    for (const c of n.children) walk(c);
    u32(2); // FDT_END_NODE
  };
  walk(root);
  u32(9); // FDT_END
  const hdr = 40, rsv = 16;
  const offStruct = hdr + rsv;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array((total + 7) & ~7);
  const dv = new DataView(out.buffer);
  const fields = [0xd00dfeed, out.length, offStruct, offStrings, hdr, 17, 16, bootCpu, strings.length, struct.length];
  fields.forEach((f, i) => dv.setUint32(i * 4, f));
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}
