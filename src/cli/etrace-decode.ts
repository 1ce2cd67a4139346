/**
 * `tracehook etrace-decode --elf guest.elf trace.bin [options]`: decode an E-Trace te_inst byte
 * stream (the reference flow's raw format) over a RISC-V ELF and print the retired PCs, one per
 * line in lowercase hex without 0x (and, with --markers, `trap exception cause=N` /
 * `trap interrupt cause=N` lines where traps were taken).
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { DecodeError, EtraceDecoder } from '../plugins/etrace/decoder.js';
import { ImageError, ProgramImage } from '../plugins/etrace/image.js';
import { PacketError, iterateStream } from '../plugins/etrace/packets.js';
import { makeParams } from '../plugins/etrace/params.js';

/** Where the command writes (process streams by default; tests pass their own). */
export interface EtraceDecodeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE =
  'usage: tracehook etrace-decode --elf guest.elf trace.bin [--itype-width 3|4] [--implicit-return] [--resync N] [--full-address] [--bpred N] [--jtc N] [--markers]';

class UsageError extends Error {}

interface Args {
  elf: string;
  trace: string;
  implicitReturn: boolean;
  fullAddress: boolean;
  markers: boolean;
  resyncMax: number;
  itypeWidth: 3 | 4;
  bpred: number;
  jtc: number;
}

function parseArgs(argv: readonly string[]): Args {
  let elf: string | undefined, trace: string | undefined;
  const a = { implicitReturn: false, fullAddress: false, markers: false, resyncMax: 0, itypeWidth: 3 as 3 | 4, bpred: 0, jtc: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--elf': elf = value(); break;
      case '--implicit-return': a.implicitReturn = true; break;
      case '--full-address': a.fullAddress = true; break;
      case '--markers': a.markers = true; break;
      case '--itype-width': {
        const v = value();
        if (v !== '3' && v !== '4') throw new UsageError(`--itype-width must be 3 or 4 (got '${v}')`);
        a.itypeWidth = v === '3' ? 3 : 4;
        break;
      }
      case '--bpred':
      case '--jtc': {
        // Sizes as the plugin's bpred=N / jtc=N: log2 of the predictor / cache entries.
        const v = value(), max = arg === '--bpred' ? 20 : 16;
        const n = /^\d+$/.test(v) ? Number(v) : NaN;
        if (!(n >= 0 && n <= max)) throw new UsageError(`${arg} must be a size (log2 of the entries) from 0 to ${max} (got '${v}')`);
        if (arg === '--bpred') a.bpred = n;
        else a.jtc = n;
        break;
      }
      case '--resync': {
        const v = value();
        // Packets between resynchronisations, as the plugin's `resync=N`: 2^(resync-max + 4).
        const m = /^\d+$/.test(v) ? Math.log2(Number(v)) - 4 : NaN;
        if (!Number.isInteger(m) || m < 0 || m > 20) throw new UsageError(`--resync must be a power of two from 16 to ${2 ** 24} packets (got '${v}')`);
        a.resyncMax = m;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        if (trace !== undefined) throw new UsageError(`more than one trace file ('${trace}', '${arg}')`);
        trace = arg;
    }
  }
  if (elf === undefined) throw new UsageError('missing --elf FILE');
  if (trace === undefined) throw new UsageError('missing trace file');
  return { elf, trace, ...a };
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${what} '${path}': ${why}`);
  }
}

/** Process streams; a reader that goes away early (`| head`) ends the command quietly. */
function processIo(): EtraceDecodeIo {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
}

/** Run the command; returns the exit status (0 success, 1 error). */
export function runEtraceDecode(argv: readonly string[], io: EtraceDecodeIo = processIo()): number {
  try {
    const args = parseArgs(argv);
    const elfBytes = readInput(args.elf, 'ELF');
    const trace = readInput(args.trace, 'trace');
    if (trace.length === 0) throw new UsageError(`trace '${args.trace}' is empty`);
    const image = ProgramImage.fromElf(elfBytes, args.elf);
    const params = makeParams({
      iaddressWidthP: image.xlen,
      itypeWidthP: args.itypeWidth,
      implicitReturn: args.implicitReturn,
      fullAddress: args.fullAddress,
      resyncMax: args.resyncMax,
      bpredSizeP: args.bpred,
      cacheSizeP: args.jtc,
    });
    const lines: string[] = [];
    const decoder = new EtraceDecoder(image, params, {
      collect: false,
      onEntry: (e) => {
        if (e.kind === 'pc') lines.push(e.pc.toString(16));
        else if (args.markers) lines.push(`trap ${e.interrupt ? 'interrupt' : 'exception'} cause=${e.cause}`);
      },
    });
    for (const { packet } of iterateStream(trace, params)) decoder.process(packet);
    io.stdout(lines.length ? lines.join('\n') + '\n' : '');
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`tracehook etrace-decode: ${e.message}${argv.length === 0 ? ` (${USAGE})` : ''}\n`);
    } else if (e instanceof PacketError || e instanceof DecodeError || e instanceof ImageError || e instanceof UserError) {
      io.stderr(`tracehook etrace-decode: ${e.message}\n`);
    } else {
      io.stderr(`tracehook etrace-decode: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    return 1;
  }
}
