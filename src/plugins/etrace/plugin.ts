/**
 * etrace: a RISC-V Efficient Trace (E-Trace v2.0) instruction-trace encoder as a plugin.
 *
 *     -plugin etrace[,out=trace.bin][,rows=rows.csv][,packets=te_inst.csv][,itype=3|4]
 *                   [,implicit-return=on][,resync=16][,full-address=on][,bpred=N][,jtc=N]
 *                   [,start=0x80000000]
 *
 * From the emulator's events (translated blocks, block executions, traps and trap returns: see
 * rows.ts) it builds the encoder's ingress rows and runs the encoder of encoder.ts on them, as a
 * hardware trace encoder beside the core would. Outputs:
 * - `out`: the `te_inst` byte stream (each packet a 1-byte header with its length, then the
 *   payload, as the specification's reference flow writes it; `tracehook etrace-decode --elf
 *   guest.elf out.bin` rebuilds the instruction flow from it);
 * - `rows`: the ingress rows as `encoder_input.csv` (the reference flow's column layout);
 * - `packets`: the packets as `te_inst` CSV (reference flow layout);
 * - `image`: the code the run executed, as an ELF to decode over (firmware that relocates itself,
 *   like U-Boot, runs code no ELF file holds);
 * - at exit, on the plugin output: packets, bytes and bits per instruction.
 *
 * A semihosting call (a host call) is traced as the breakpoint exception of its `ebreak`, with
 * the next instruction as handler. `itype` is the ingress itype width (4 tells calls and returns apart; needed for
 * `implicit-return`); `resync` the packet count after which the encoder resynchronises (a power of
 * two, at least 16); `full-address` sends full instead of differential addresses; `bpred=N` turns
 * on branch prediction with a 2^N-entry predictor (the spec's bpred_size_p; runs of correctly
 * predicted branches are sent as counts, format 0 subformat 0) and `jtc=N` a 2^N-entry jump target
 * cache (cache_size_p; cached addresses sent as an index, format 0 subformat 1). The decoder must
 * be given the same options. `start` starts the trace at the first execution of that address (a
 * start trigger: leave out boot code the decoder has no image of, like QEMU's reset ROM).
 */
import { writeFileSync } from 'node:fs';
import { definePlugin, Flow, UserError, type PluginApi } from '../../plugin/api.js';
import { writeEncoderInput, writeTeInstCsv } from './csv.js';
import { EtraceEncoder, type EncodedPacket } from './encoder.js';
import type { IngressRow } from './ingress.js';
import { CodeImage } from './code-image.js';
import { BlockInfo, RowBuilder } from './rows.js';

/** `resync=N` packets as the reference flow's resync-max (N = 2^(max + 4)). */
function resyncMax(packets: number): number {
  const m = Math.log2(packets) - 4;
  if (!Number.isInteger(m) || m < 0 || m > 20) throw new UserError(`etrace: resync=${packets}: expected a power of two from 16 to ${2 ** 24}`);
  return m;
}

/** RISC-V exception cause of `ebreak`. */
const BREAKPOINT = 3;

function readPriv(api: PluginApi, vcpu: number): number {
  return Number(api.readRegister(vcpu, 'priv')) | 0; // a small integer (Number(bigint) is a heap double)
}

export default definePlugin({
  name: 'etrace',
  description: 'RISC-V E-Trace encoder: te_inst packets from the executed instruction flow',
  args: {
    out: { type: 'string', default: '', help: 'write the te_inst byte stream to this file' },
    rows: { type: 'string', default: '', help: 'write the ingress rows (encoder_input.csv) to this file' },
    packets: { type: 'string', default: '', help: 'write the packets (te_inst CSV) to this file' },
    itype: { type: 'int', default: 3, help: 'ingress itype width: 3 or 4' },
    'implicit-return': { type: 'bool', default: false, help: 'do not report returns to the predicted address (itype=4)' },
    resync: { type: 'int', default: 16, help: 'resynchronise after this many packets (power of two, >= 16)' },
    'full-address': { type: 'bool', default: false, help: 'full addresses instead of differences' },
    bpred: { type: 'int', default: 0, help: 'branch prediction with 2^N predictor entries (bpred_size_p; 0: off)' },
    jtc: { type: 'int', default: 0, help: 'jump target cache with 2^N entries (cache_size_p; 0: off)' },
    start: { type: 'string', default: '', help: 'start tracing when this address first executes (default: at once)' },
    image: { type: 'string', default: '', help: 'write the executed code as an ELF the decoder can use' },
  },
  install(api, args) {
    if (api.arch !== 'riscv64' && api.arch !== 'riscv32') throw new UserError(`etrace: RISC-V only (this machine is ${api.arch})`);
    if (api.vcpus !== 1) throw new UserError(`etrace: one trace encoder per core is not supported yet: run with 1 vCPU (got ${api.vcpus})`);
    const itype = args.itype as number;
    if (itype !== 3 && itype !== 4) throw new UserError(`etrace: itype=${itype}: expected 3 or 4`);
    const implicitReturn = args['implicit-return'] as boolean;
    if (implicitReturn && itype !== 4) throw new UserError('etrace: implicit-return=on needs itype=4 (calls and returns told apart)');
    const bpred = args.bpred as number, jtc = args.jtc as number;
    if (!Number.isInteger(bpred) || bpred < 0 || bpred > 20) throw new UserError(`etrace: bpred=${bpred}: expected a predictor size (log2 of the entries) from 0 to 20`);
    if (!Number.isInteger(jtc) || jtc < 0 || jtc > 16) throw new UserError(`etrace: jtc=${jtc}: expected a cache size (log2 of the entries) from 0 to 16`);
    const xlen = api.arch === 'riscv64' ? 64 : 32;
    const outPath = args.out as string, rowsPath = args.rows as string, packetsPath = args.packets as string;

    const packets: EncodedPacket[] = [];
    // The encoder keeps the stream (written as bytes: no packet objects unless the packets CSV is
    // asked for).
    const encoder = new EtraceEncoder({
      iaddressWidthP: xlen, itypeWidthP: itype, implicitReturn, resyncMax: resyncMax(args.resync as number),
      fullAddress: args['full-address'] as boolean, bpredSizeP: bpred, cacheSizeP: jtc,
    }, {
      collect: false,
      stream: true,
      ...(packetsPath !== '' ? { onPacket: (p: EncodedPacket) => { packets.push(p); } } : {}),
    });
    const rows: IngressRow[] = [];
    const keepRows = rowsPath !== '';
    const startArg = args.start as string;
    let start: bigint | undefined;
    if (startArg !== '') {
      if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(startArg)) throw new UserError(`etrace: start=${startArg}: expected an address (0x80000000)`);
      start = BigInt(startArg);
    }
    const builder = new RowBuilder((row) => {
      if (keepRows) rows.push(row);
      encoder.push(row);
    }, itype, start);
    builder.runSink = keepRows
      ? (run) => { for (const r of run.rows) rows.push(r); encoder.pushRun(run); }
      : (run) => { encoder.pushRun(run); };
    builder.runRepeatSink = keepRows
      ? (run, c) => { for (let i = 0; i < c; i++) for (const r of run.rows) rows.push(r); encoder.pushRunRepeated(run, c); }
      : (run, c) => { encoder.pushRunRepeated(run, c); };

    // 1 once the running block's last instruction started: a block left before it (an MMIO
    // access stopping the engine, the end of the run) is cut where execution went on.
    const reached = api.counter('etrace-reached');
    builder.reachedEnd = () => reached.get(0) !== 0;

    // Block executions are queued (block index << 1 | the previous block's inline flag as it was
    // when this one started) and handed to the builder in a tight loop when the queue is full and
    // before every other event (trap, trap return, host call, exit), so the order is kept.
    const blocks: BlockInfo[] = [];
    const QUEUE = 4096;
    // Repeated entries (a block looping on itself) are counted in one.
    const queue = new Int32Array(QUEUE), counts = new Int32Array(QUEUE);
    let queued = 0, last = -1;
    const drain = (): void => {
      const n = queued;
      queued = 0;
      last = -1;
      builder.enterBlocks(queue, counts, n, blocks);
    };
    api.onVcpuInit((v) => { drain(); builder.priv = readPriv(api, v); });
    const imagePath = args.image as string;
    const code = imagePath !== '' ? new CodeImage() : null;
    api.onTranslate((tb) => {
      if (code !== null) for (const i of tb.insns) code.add(i.vaddr, i.bytes);
      const id = blocks.length << 1;
      blocks.push(BlockInfo.of(tb.insns, xlen));
      tb.onExec(() => {
        const e = id | (reached.get(0) !== 0 ? 1 : 0);
        if (e === last && counts[queued - 1]! < 0x40000000) {
          counts[queued - 1]!++;
          return;
        }
        if (queued === QUEUE) drain();
        queue[queued] = e;
        counts[queued] = 1;
        queued++;
        last = e;
      });
      tb.inlineStore(reached, 0);
      tb.insns[tb.insns.length - 1]!.inlineStore(reached, 1);
    });
    api.onControlFlow(Flow.Interrupt | Flow.Exception | Flow.HostCall | Flow.TrapReturn, (v, e) => {
      drain();
      if (e.kind === Flow.TrapReturn) { builder.trapReturn(e.toPc, readPriv(api, v)); return; }
      if (e.kind === Flow.HostCall) {
        // A semihosting ebreak serviced by the emulator: traced as the breakpoint exception it is
        // on the hart (it retires and raises), with the instruction after it as the "handler",
        // so a decoder following the program sees where execution went on.
        builder.hostCall(e.fromPc, BREAKPOINT);
        return;
      }
      const priv = readPriv(api, v);
      const interrupt = e.kind === Flow.Interrupt;
      const tval = interrupt ? 0n : api.readRegister(v, priv === 1 ? 'stval' : 'mtval');
      // The size of the instruction at fromPc (the interrupted one, or an unfetchable target).
      const half = api.readMemory(v, e.fromPc, 1);
      const size = half !== undefined && (half[0]! & 3) !== 3 ? 2 : 4;
      builder.trap({ interrupt, cause: e.cause, tval, pc: e.fromPc, size }, priv);
    });

    api.onExit(() => {
      drain();
      builder.end(api.pc(0));
      encoder.finish();
      const packetCount = encoder.packetCount, streamLength = encoder.byteCount;
      if (outPath !== '') writeFileSync(outPath, encoder.streamBytes());
      if (keepRows) writeFileSync(rowsPath, writeEncoderInput(rows));
      if (code !== null) writeFileSync(imagePath, code.toElf(xlen, start ?? 0n));
      if (packetsPath !== '') writeFileSync(packetsPath, writeTeInstCsv(packets.map((p) => p.packet)));
      const n = builder.retired;
      const payload = streamLength - packetCount;
      const bpi = (b: number): string => (n === 0 ? '-' : ((8 * b) / n).toFixed(3));
      api.out(`etrace: ${n} instructions, ${packetCount} packets, ${streamLength} bytes ` +
        `(${payload} payload), ${bpi(streamLength)} bits/instruction (${bpi(payload)} payload)\n`);
    });
  },
});
