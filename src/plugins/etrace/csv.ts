/**
 * The reference flow's CSV files: `encoder_input.csv` (ingress rows) and `te_inst.csv` (one
 * row per packet, `_` for fields a packet does not have).
 */
import type { IngressRow } from './ingress.js';
import type { TeInstPacket } from './packets.js';

/** Header of `encoder_input.csv`. */
export const ENCODER_INPUT_HEADER = 'itype_0,cause,tval,priv,iaddr_0,context,ctype,iretire_0,ilastsize_0';

/** Columns of `te_inst.csv`, in order. */
export const TE_INST_COLUMNS = [
  'format', 'subformat', 'address', 'branch', 'branches', 'branch_map', 'branch_count', 'branch_fmt', 'context',
  'ecause', 'ienable', 'encoder_mode', 'interrupt', 'irreport', 'irdepth', 'notify', 'ioptions', 'privilege',
  'qual_status', 'time', 'thaddr', 'tval', 'updiscon', 'denable', 'dloss', 'doptions',
] as const;

/** A CSV line that cannot be read. */
export class CsvError extends Error {
  override name = 'CsvError';
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function int(s: string, line: number, what: string): number {
  if (!/^\d+$/.test(s)) throw new CsvError(`line ${line}: bad ${what} '${s}'`);
  return Number(s);
}
function hex(s: string, line: number, what: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(s)) throw new CsvError(`line ${line}: bad ${what} '${s}'`);
  return BigInt(`0x${s}`);
}

/** Parse `encoder_input.csv` text (columns may come in any order; context/ctype optional). */
export function parseEncoderInput(text: string): IngressRow[] {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').split(',');
  const col = (name: string, required = true): number => {
    const i = header.indexOf(name);
    if (i < 0 && required) throw new CsvError(`encoder input: missing column ${name}`);
    return i;
  };
  const c = {
    itype: col('itype_0'), cause: col('cause'), tval: col('tval'), priv: col('priv'), iaddr: col('iaddr_0'),
    context: col('context', false), ctype: col('ctype', false), iretire: col('iretire_0'), ilastsize: col('ilastsize_0'),
  };
  const rows: IngressRow[] = [];
  for (let n = 1; n < lines.length; n++) {
    const f = lines[n]!.split(',');
    const ln = n + 1;
    rows.push({
      itype: int(f[c.itype] ?? '', ln, 'itype_0'),
      cause: int(f[c.cause] ?? '', ln, 'cause'),
      tval: hex(f[c.tval] ?? '', ln, 'tval'),
      priv: int(f[c.priv] ?? '', ln, 'priv'),
      iaddr: hex(f[c.iaddr] ?? '', ln, 'iaddr_0'),
      context: c.context < 0 ? 0 : int(f[c.context] ?? '', ln, 'context'),
      ctype: c.ctype < 0 ? 0 : int(f[c.ctype] ?? '', ln, 'ctype'),
      iretire: int(f[c.iretire] ?? '', ln, 'iretire_0'),
      ilastsize: int(f[c.ilastsize] ?? '', ln, 'ilastsize_0'),
    });
  }
  return rows;
}

/** Write rows as `encoder_input.csv` text (header line, `\n` line ends). */
export function writeEncoderInput(rows: readonly IngressRow[]): string {
  const out = [ENCODER_INPUT_HEADER];
  for (const r of rows) {
    out.push([r.itype, r.cause, r.tval.toString(16), r.priv, r.iaddr.toString(16), r.context, r.ctype, r.iretire, r.ilastsize].join(','));
  }
  return out.join('\n') + '\n';
}

type Column = (typeof TE_INST_COLUMNS)[number];
type Cell = number | bigint | undefined;

function packetCells(p: TeInstPacket): Partial<Record<Column, Cell>> {
  switch (p.format) {
    case 0:
      // The reference flow's layout has no `index` column: a format 0 subformat 1 packet's cache
      // index is written in the `address` column.
      return p.subformat === 0
        ? { format: 0, subformat: 0, branch_count: p.branchCount, branch_fmt: p.branchFmt, address: p.address, notify: p.notify, updiscon: p.updiscon, irreport: p.irreport, irdepth: p.irdepth }
        : { format: 0, subformat: 1, address: BigInt(p.index), branches: p.branches, branch_map: p.branchMap, irreport: p.irreport, irdepth: p.irdepth };
    case 1:
      return {
        format: 1, branches: p.branches, branch_map: p.branchMap, address: p.address,
        notify: p.notify, updiscon: p.updiscon, irreport: p.irreport, irdepth: p.irdepth,
      };
    case 2:
      return { format: 2, address: p.address, notify: p.notify, updiscon: p.updiscon, irreport: p.irreport, irdepth: p.irdepth };
    case 3:
      if (p.subformat === 3) {
        return {
          format: 3, subformat: 3, ienable: p.ienable, encoder_mode: p.encoderMode, qual_status: p.qualStatus,
          ioptions: p.ioptions, denable: p.denable, dloss: p.dloss, doptions: p.doptions,
        };
      }
      if (p.subformat === 0) {
        return { format: 3, subformat: 0, address: p.address, branch: p.branch, context: p.context, privilege: p.privilege, time: p.time };
      }
      return {
        format: 3, subformat: 1, address: p.address, branch: p.branch, context: p.context, ecause: p.ecause,
        interrupt: p.interrupt, privilege: p.privilege, time: p.time, thaddr: p.thaddr, tval: p.tval,
      };
  }
}

const HEX_COLUMNS: ReadonlySet<Column> = new Set(['address', 'tval']);

/** Packets as `te_inst.csv` text, in the reference flow's layout (`\r\n` line ends, as Python's csv writer). */
export function writeTeInstCsv(packets: readonly TeInstPacket[]): string {
  const lines = [TE_INST_COLUMNS.join(',')];
  for (const p of packets) {
    const cells = packetCells(p);
    lines.push(
      TE_INST_COLUMNS.map((c) => {
        const v = cells[c];
        if (v === undefined) return '_';
        return HEX_COLUMNS.has(c) ? v.toString(16) : v.toString();
      }).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** Parse `te_inst.csv` text back into packets. */
export function parseTeInstCsv(text: string): TeInstPacket[] {
  const lines = splitLines(text);
  if (lines[0] !== TE_INST_COLUMNS.join(',')) throw new CsvError('te_inst csv: unexpected header');
  const out: TeInstPacket[] = [];
  for (let n = 1; n < lines.length; n++) {
    const f = lines[n]!.split(',');
    const get = (c: Column): string | undefined => {
      const s = f[TE_INST_COLUMNS.indexOf(c)];
      return s === undefined || s === '_' ? undefined : s;
    };
    const num = (c: Column): number | undefined => {
      const s = get(c);
      return s === undefined ? undefined : int(s, n + 1, c);
    };
    const big = (c: Column): bigint | undefined => {
      const s = get(c);
      return s === undefined ? undefined : hex(s, n + 1, c);
    };
    const req = <T>(v: T | undefined, c: Column): T => {
      if (v === undefined) throw new CsvError(`line ${n + 1}: missing ${c}`);
      return v;
    };
    const drop = <T extends object>(o: T): T =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    const format = num('format');
    if (format === 0) {
      const sub = num('subformat');
      if (sub === 0) {
        out.push(drop({ format: 0, subformat: 0, branchCount: req(num('branch_count'), 'branch_count'), branchFmt: req(num('branch_fmt'), 'branch_fmt'),
          address: big('address'), notify: num('notify'), updiscon: num('updiscon'), irreport: num('irreport'), irdepth: num('irdepth') }));
      } else if (sub === 1) {
        out.push(drop({ format: 0, subformat: 1, index: Number(req(big('address'), 'address')), branches: req(num('branches'), 'branches'),
          branchMap: req(num('branch_map'), 'branch_map'), irreport: req(num('irreport'), 'irreport'), irdepth: num('irdepth') }));
      } else {
        throw new CsvError(`line ${n + 1}: unsupported subformat ${sub}`);
      }
    } else if (format === 1) {
      out.push(drop({ format: 1, branches: req(num('branches'), 'branches'), branchMap: req(num('branch_map'), 'branch_map'),
        address: big('address'), notify: num('notify'), updiscon: num('updiscon'), irreport: num('irreport'), irdepth: num('irdepth') }));
    } else if (format === 2) {
      out.push(drop({ format: 2, address: req(big('address'), 'address'), notify: req(num('notify'), 'notify'),
        updiscon: req(num('updiscon'), 'updiscon'), irreport: req(num('irreport'), 'irreport'), irdepth: num('irdepth') }));
    } else if (format === 3) {
      const sub = num('subformat');
      if (sub === 3) {
        out.push(drop({ format: 3, subformat: 3, ienable: req(num('ienable'), 'ienable'), encoderMode: req(num('encoder_mode'), 'encoder_mode'),
          qualStatus: req(num('qual_status'), 'qual_status'), ioptions: req(num('ioptions'), 'ioptions'),
          denable: num('denable'), dloss: num('dloss'), doptions: num('doptions') }));
      } else if (sub === 0) {
        out.push(drop({ format: 3, subformat: 0, branch: req(num('branch'), 'branch'), privilege: req(num('privilege'), 'privilege'),
          time: num('time'), context: num('context'), address: req(big('address'), 'address') }));
      } else if (sub === 1) {
        out.push(drop({ format: 3, subformat: 1, branch: req(num('branch'), 'branch'), privilege: req(num('privilege'), 'privilege'),
          time: num('time'), context: num('context'), ecause: req(num('ecause'), 'ecause'), interrupt: req(num('interrupt'), 'interrupt'),
          thaddr: req(num('thaddr'), 'thaddr'), address: req(big('address'), 'address'), tval: big('tval') }));
      } else {
        throw new CsvError(`line ${n + 1}: unsupported subformat ${sub}`);
      }
    } else {
      throw new CsvError(`line ${n + 1}: unsupported format ${format}`);
    }
  }
  return out;
}
