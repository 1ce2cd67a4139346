/**
 * te_inst packets (formats 0, 1, 2 and 3; format 0 only with a branch predictor or jump target
 * cache, see {@link BranchCountPacket} and {@link JumpCachePacket}), their field layouts, serialisation to sign-compressed payloads, and
 * the byte-stream framing of the reference flow: one header byte (bits 4:0 payload length,
 * bits 6:5 = 2 for te_inst, bit 7 = 0) followed by the payload.
 *
 * Field values are as transmitted: `address` is the A-bit field (already shifted right by
 * iaddress_lsb_p and masked; a two's-complement difference in differential mode),
 * `notify`/`updiscon`/`irreport` are the coded bits (see {@link statusBits}).
 */
import { BitReader, BitWriter, compressBits, maskBits } from './bits.js';
import { addressFieldWidth, f0sWidth, irdepthWidth, type EtraceParams } from './params.js';

/** Format 2: address only. */
export interface AddressPacket {
  format: 2;
  address: bigint;
  notify: number;
  updiscon: number;
  irreport: number;
  /** Present when the irdepth field has a non-zero width. */
  irdepth?: number;
}

/**
 * Format 1: branch map, with an address unless `branches` is 0 (0 means a full map of 31
 * branches and no address).
 */
export interface BranchPacket {
  format: 1;
  branches: number;
  /** Bit 0 = oldest branch; a bit value of 0 means taken. */
  branchMap: number;
  address?: bigint;
  notify?: number;
  updiscon?: number;
  irreport?: number;
  irdepth?: number;
}

/** Format 3 subformat 0: synchronisation (start). */
export interface StartPacket {
  format: 3;
  subformat: 0;
  /** 0 if the instruction at `address` is a taken branch, else 1. */
  branch: number;
  privilege: number;
  time?: number;
  context?: number;
  address: bigint;
}

/** Format 3 subformat 1: trap. */
export interface TrapPacket {
  format: 3;
  subformat: 1;
  branch: number;
  privilege: number;
  time?: number;
  context?: number;
  ecause: number;
  interrupt: number;
  /** 1: `address` is the first handler instruction; 0: it is the trapping address, nothing retired. */
  thaddr: number;
  address: bigint;
  /** Exceptions only (absent for interrupts). */
  tval?: bigint;
}

/** Format 3 subformat 3: support (trace start/stop and options). */
export interface SupportPacket {
  format: 3;
  subformat: 3;
  ienable: number;
  encoderMode: number;
  qualStatus: number;
  ioptions: number;
  denable?: number;
  dloss?: number;
  doptions?: number;
}

/** `branch_fmt` of {@link BranchCountPacket}. */
export const BRANCH_FMT = {
  /** No address: the branch after the counted ones failed its prediction. */
  noAddress: 0,
  /** Address; if it is a branch, that branch was predicted correctly (it is the last one counted). */
  address: 2,
  /** Address of a branch that failed its prediction (not counted). */
  addressFail: 3,
} as const;

/**
 * Format 0 subformat 0 (branch prediction): a count of correctly predicted branches, with the
 * address fields of format 1/2 unless `branchFmt` is 0.
 */
export interface BranchCountPacket {
  format: 0;
  subformat: 0;
  /** Correctly predicted branches minus 31 (32 bits). */
  branchCount: number;
  /** See {@link BRANCH_FMT}. */
  branchFmt: number;
  address?: bigint;
  notify?: number;
  updiscon?: number;
  irreport?: number;
  irdepth?: number;
}

/**
 * Format 0 subformat 1 (jump target cache): the address is the cache entry `index`; the branch
 * map as in format 1 except that `branches` 0 means no map. No notify/updiscon bits: `irreport`
 * is its flag XORed with the bit before it (the map's MSB, or the MSB of `branches`).
 */
export interface JumpCachePacket {
  format: 0;
  subformat: 1;
  index: number;
  branches: number;
  branchMap: number;
  irreport: number;
  irdepth?: number;
}

/** Any te_inst packet this codec handles. */
export type TeInstPacket = AddressPacket | BranchPacket | StartPacket | TrapPacket | SupportPacket | BranchCountPacket | JumpCachePacket;

/** Malformed or truncated packet data. */
export class PacketError extends Error {
  override name = 'PacketError';
}

/** Number of branch-map bits a format 1 packet carries for a branch count (0 = 31, no address). */
export function branchMapWidth(branches: number): number {
  if (branches === 0) return 31;
  if (branches === 1) return 1;
  if (branches <= 3) return 3;
  if (branches <= 7) return 7;
  if (branches <= 15) return 15;
  if (branches <= 31) return 31;
  throw new RangeError(`branch count ${branches} > 31`);
}

/** True when a format 1/2 packet carries an address (and the status bits). */
export function hasAddress(p: TeInstPacket): p is AddressPacket | (BranchPacket & { address: bigint }) {
  return p.format === 2 || (p.format === 1 && p.branches !== 0);
}

/**
 * Code the notify/updiscon/irreport flags as transmitted: each bit is its flag XORed with the
 * bit before it (the address MSB before notify), so that bits equal to the address sign can be
 * removed by compression.
 */
export function statusBits(addressMsb: number, notify: boolean, updiscon: boolean, irreport: boolean): {
  notify: number;
  updiscon: number;
  irreport: number;
} {
  const n = (notify ? 1 : 0) ^ addressMsb;
  const u = (updiscon ? 1 : 0) ^ n;
  const i = (irreport ? 1 : 0) ^ u;
  return { notify: n, updiscon: u, irreport: i };
}

/** Inverse of {@link statusBits}: the flags of a format 0/1/2 packet with an address. */
export function statusFlags(p: AddressPacket | BranchPacket | BranchCountPacket, params: EtraceParams): {
  notify: boolean;
  updiscon: boolean;
  irreport: boolean;
} {
  const a = addressFieldWidth(params);
  const msb = Number(((p.address ?? 0n) >> BigInt(a - 1)) & 1n);
  return {
    notify: (p.notify ?? 0) !== msb,
    updiscon: (p.updiscon ?? 0) !== (p.notify ?? 0),
    irreport: (p.irreport ?? 0) !== (p.updiscon ?? 0),
  };
}

/**
 * The irdepth field as transmitted in implicit-return mode: the count of unreported returns
 * since the previous packet, XORed with copies of the transmitted irreport bit so that a count
 * of 0 continues the run of sign bits and compresses away.
 */
export function codeIrdepth(count: number, irreportBit: number, params: EtraceParams): number {
  const w = irdepthWidth(params);
  return irreportBit ? (count ^ (2 ** w - 1)) : count;
}

/** Inverse of {@link codeIrdepth}: the unreported-return count of a format 1/2 packet. */
export function irdepthCount(p: AddressPacket | BranchPacket | BranchCountPacket | JumpCachePacket, params: EtraceParams): number {
  return codeIrdepth(p.irdepth ?? 0, p.irreport ?? 0, params);
}

function contextWidth(params: EtraceParams): number {
  return params.nocontextP ? 0 : params.contextWidthP;
}
function timeWidth(params: EtraceParams): number {
  return params.notimeP ? 0 : params.timeWidthP;
}

/** Payload bits of a packet, LSB first, before compression. */
export function packetBits(p: TeInstPacket, params: EtraceParams): number[] {
  const w = new BitWriter();
  const a = addressFieldWidth(params);
  w.write(p.format, 2);
  const writeStatus = (q: AddressPacket | BranchPacket | BranchCountPacket): void => {
    w.write(q.address ?? 0n, a);
    w.write(q.notify ?? 0, 1);
    w.write(q.updiscon ?? 0, 1);
    w.write(q.irreport ?? 0, 1);
    w.write(q.irdepth ?? 0, irdepthWidth(params));
  };
  switch (p.format) {
    case 0:
      w.write(p.subformat, f0sWidth(params));
      if (p.subformat === 0) {
        w.write(p.branchCount, 32);
        w.write(p.branchFmt, 2);
        if (p.branchFmt !== BRANCH_FMT.noAddress) writeStatus(p);
      } else {
        w.write(p.index, params.cacheSizeP);
        w.write(p.branches, 5);
        if (p.branches !== 0) w.write(p.branchMap, branchMapWidth(p.branches));
        w.write(p.irreport, 1);
        w.write(p.irdepth ?? 0, irdepthWidth(params));
      }
      break;
    case 1:
      w.write(p.branches, 5);
      w.write(p.branchMap, branchMapWidth(p.branches));
      if (p.branches !== 0) writeStatus(p);
      break;
    case 2:
      writeStatus(p);
      break;
    case 3:
      w.write(p.subformat, 2);
      if (p.subformat === 3) {
        const s = params.support;
        w.write(p.ienable, 1);
        w.write(p.encoderMode, s.encoderMode);
        w.write(p.qualStatus, s.qualStatus);
        w.write(p.ioptions, s.ioptions);
        w.write(p.denable ?? 0, s.denable);
        w.write(p.dloss ?? 0, s.dloss);
        w.write(p.doptions ?? 0, s.doptions);
        break;
      }
      w.write(p.branch, 1);
      w.write(p.privilege, params.privilegeWidthP);
      w.write(p.time ?? 0, timeWidth(params));
      w.write(p.context ?? 0, contextWidth(params));
      if (p.subformat === 1) {
        w.write(p.ecause, params.ecauseWidthP);
        w.write(p.interrupt, 1);
        w.write(p.thaddr, 1);
      }
      w.write(p.address, a);
      if (p.subformat === 1 && !p.interrupt) w.write(p.tval ?? 0n, params.iaddressWidthP);
      break;
  }
  return w.toBits();
}

/** The sign-compressed payload bytes of a packet. */
export function serialise(p: TeInstPacket, params: EtraceParams): Uint8Array {
  return compressBits(packetBits(p, params));
}

/** te_inst message type in bits 6:5 of the header byte. */
export const TE_INST_MSG_TYPE = 2;

/** Header byte + payload, as in the reference flow's raw stream. */
export function frame(payload: Uint8Array): Uint8Array {
  if (payload.length < 1 || payload.length > 30) throw new RangeError(`payload length ${payload.length} not in 1..30`);
  const out = new Uint8Array(payload.length + 1);
  out[0] = payload.length | (TE_INST_MSG_TYPE << 5);
  out.set(payload, 1);
  return out;
}

/** Parse one sign-compressed payload. */
export function parsePayload(payload: Uint8Array, params: EtraceParams): TeInstPacket {
  const r = new BitReader(payload);
  const a = addressFieldWidth(params);
  const format = r.read(2);
  const readStatus = (): { address: bigint; notify: number; updiscon: number; irreport: number; irdepth?: number } => {
    const address = r.readBig(a);
    const notify = r.read(1), updiscon = r.read(1), irreport = r.read(1);
    const iw = irdepthWidth(params);
    return iw ? { address, notify, updiscon, irreport, irdepth: r.read(iw) } : { address, notify, updiscon, irreport };
  };
  let p: TeInstPacket;
  if (format === 1) {
    const branches = r.read(5);
    const branchMap = r.read(branchMapWidth(branches));
    p = branches === 0 ? { format: 1, branches, branchMap } : { format: 1, branches, branchMap, ...readStatus() };
  } else if (format === 2) {
    p = { format: 2, ...readStatus() };
  } else if (format === 3) {
    const subformat = r.read(2);
    if (subformat === 3) {
      const s = params.support;
      p = {
        format: 3, subformat: 3, ienable: r.read(1), encoderMode: r.read(s.encoderMode), qualStatus: r.read(s.qualStatus),
        ioptions: r.read(s.ioptions), denable: r.read(s.denable), dloss: r.read(s.dloss), doptions: r.read(s.doptions),
      };
    } else if (subformat === 0 || subformat === 1) {
      const branch = r.read(1);
      const privilege = r.read(params.privilegeWidthP);
      const time = params.notimeP ? undefined : r.read(params.timeWidthP);
      const context = params.nocontextP ? undefined : r.read(params.contextWidthP);
      const opt = { ...(time === undefined ? {} : { time }), ...(context === undefined ? {} : { context }) };
      if (subformat === 0) {
        p = { format: 3, subformat: 0, branch, privilege, ...opt, address: r.readBig(a) };
      } else {
        const ecause = r.read(params.ecauseWidthP), interrupt = r.read(1), thaddr = r.read(1);
        const address = r.readBig(a);
        p = interrupt
          ? { format: 3, subformat: 1, branch, privilege, ...opt, ecause, interrupt, thaddr, address }
          : { format: 3, subformat: 1, branch, privilege, ...opt, ecause, interrupt, thaddr, address, tval: r.readBig(params.iaddressWidthP) };
      }
    } else {
      throw new PacketError(`format 3 subformat ${subformat} is not supported`);
    }
  } else {
    // Format 0: the subformat field is present only when both optional formats are (f0sWidth);
    // else it is the one the parameters enable.
    const subformat = f0sWidth(params) ? r.read(f0sWidth(params)) : params.bpredSizeP > 0 ? 0 : params.cacheSizeP > 0 ? 1 : -1;
    if (subformat === 0) {
      const branchCount = r.read(32), branchFmt = r.read(2);
      if (branchFmt === 1) throw new PacketError('format 0 subformat 0 with branch_fmt 1');
      p = branchFmt === BRANCH_FMT.noAddress
        ? { format: 0, subformat: 0, branchCount, branchFmt }
        : { format: 0, subformat: 0, branchCount, branchFmt, ...readStatus() };
    } else if (subformat === 1) {
      const index = r.read(params.cacheSizeP), branches = r.read(5);
      const branchMap = branches !== 0 ? r.read(branchMapWidth(branches)) : 0;
      const irreport = r.read(1), iw = irdepthWidth(params);
      p = iw ? { format: 0, subformat: 1, index, branches, branchMap, irreport, irdepth: r.read(iw) } : { format: 0, subformat: 1, index, branches, branchMap, irreport };
    } else {
      throw new PacketError('format 0 packet, but neither branch prediction nor a jump target cache is configured');
    }
  }
  // Bits past the payload are sign fill; a payload longer than the fields needs is malformed.
  if (Math.ceil(r.position / 8) < payload.length) {
    throw new PacketError(`payload of ${payload.length} bytes is longer than its fields (${r.position} bits)`);
  }
  return p;
}

/** A packet parsed from a stream, with the offset of its header byte. */
export interface StreamPacket {
  offset: number;
  packet: TeInstPacket;
}

/** Read packets one by one from a raw te_inst byte stream. Throws PacketError on bad framing. */
export function* iterateStream(bytes: Uint8Array, params: EtraceParams): Generator<StreamPacket> {
  let pos = 0;
  while (pos < bytes.length) {
    const header = bytes[pos]!;
    const len = header & 0x1f;
    if ((header >> 5) !== TE_INST_MSG_TYPE) {
      throw new PacketError(`bad header byte 0x${header.toString(16).padStart(2, '0')} at offset ${pos} (not a te_inst message)`);
    }
    if (len === 0 || len > 30) throw new PacketError(`bad payload length ${len} in header at offset ${pos}`);
    if (pos + 1 + len > bytes.length) {
      throw new PacketError(`truncated stream: packet at offset ${pos} needs ${len} payload bytes, ${bytes.length - pos - 1} left`);
    }
    let packet: TeInstPacket;
    try {
      packet = parsePayload(bytes.subarray(pos + 1, pos + 1 + len), params);
    } catch (e) {
      if (e instanceof PacketError) throw new PacketError(`packet at offset ${pos}: ${e.message}`);
      throw e;
    }
    yield { offset: pos, packet };
    pos += 1 + len;
  }
}

/** Split a raw te_inst byte stream into packets. Throws PacketError on bad framing. */
export function parseStream(bytes: Uint8Array, params: EtraceParams): StreamPacket[] {
  return [...iterateStream(bytes, params)];
}

/** Mask an address difference or full address to the A-bit field value. */
export function addressField(value: bigint, params: EtraceParams): bigint {
  return value & maskBits(addressFieldWidth(params));
}
