/**
 * E-Trace (Efficient Trace for RISC-V v2.0) instruction-trace codec: pure modules, no engine
 * dependency. Encoder: ingress rows -> te_inst packets / byte stream. Decoder: byte stream +
 * ELF -> retired PCs and trap markers.
 */
export { BitReader, BitWriter, compressBits, decompressBits, signExtend } from './bits.js';
export { classify16, classify32, isCall, isReturn, isUninferable, itypeForInstr, type Instr, type InstrKind } from './classify.js';
export { parseEncoderInput, parseTeInstCsv, writeEncoderInput, writeTeInstCsv } from './csv.js';
export { DecodeError, EtraceDecoder, decodePcs, decodeStream, type DecodeEntry, type DecoderOptions } from './decoder.js';
export { EtraceEncoder, encodeRows, type EncodedPacket, type EncoderOptions } from './encoder.js';
export { atbBeats, encapPacket } from './encap.js';
export { ImageError, ProgramImage } from './image.js';
export { ITYPE, itypeWidth4To3, type IngressRow } from './ingress.js';
export {
  PacketError, frame, iterateStream, parsePayload, parseStream, serialise,
  type AddressPacket, type BranchPacket, type StartPacket, type SupportPacket, type TeInstPacket, type TrapPacket,
} from './packets.js';
export { DEFAULT_PARAMS, makeParams, type EtraceParams } from './params.js';
