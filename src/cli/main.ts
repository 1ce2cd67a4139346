/**
 * The command-line front end shared by `tracehook-riscv64` and `tracehook-riscv32`: QEMU's flags,
 * one-line errors, exit status from the guest.
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { StopError } from '../core/runner.js';
import { PluginError } from '../plugin/errors.js';
import { BufferedOut } from './output.js';
import { parseOptions, usage, debugHelp, type Options } from './options.js';

export async function main(prog: string, arch: 'riscv64' | 'riscv32', argv: string[]): Promise<number> {
  const stdout = new BufferedOut(1);
  const stderr = new BufferedOut(2, true);
  let log: BufferedOut | undefined;
  let restoreTty = (): void => {};
  try {
    const o: Options = parseOptions(argv, arch);
    if (o.help) { process.stdout.write(usage(prog)); return 0; }
    if (o.version) { process.stdout.write(`${prog} version 0.1.0 (tracehook; QEMU-compatible command line)\n`); return 0; }
    if (o.debug.includes('help')) { process.stdout.write(debugHelp()); return 0; }
    if (o.machine === 'help' || o.machineProps['help'] !== undefined) {
      process.stdout.write('Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n');
      return 0;
    }
    if (o.machine !== 'virt') throw new UserError(`-M ${o.machine}: unsupported machine type (use -M help)`);
    if (o.cpu !== undefined) checkCpu(o.cpu, arch);
    log = o.logFile !== undefined ? BufferedOut.file(o.logFile) : undefined;
    const logOut = log ?? stderr;
    const items = new Set(o.debug);
    const plugins = preloadPlugins(o.plugins);
    const { VirtMachine } = await import('../machines/riscv-virt.js');
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => logOut.text(t);
    const serialOn = o.serial.length === 0 ? o.nographic : o.serial.some((s) => s === 'stdio' || s === 'mon:stdio');
    const serialFile = o.serial.find((s) => s.startsWith('file:'));
    const serialOut = serialFile !== undefined ? BufferedOut.file(serialFile.slice(5), 'serial output file') : serialOn ? stdout : undefined;
    const machine = new VirtMachine({
      xlen: arch === 'riscv64' ? 64 : 32,
      memBytes: o.memBytes, smp: o.smp, bios: o.bios, kernel: o.kernel, append: o.append, initrd: o.initrd, noReboot: o.noReboot,
      semihosting: o.semihosting, semihostingArgs: o.semihostingArgs,
      icountShift: o.icount?.shift ?? 0, maxInsns: o.maxInsns, singleStep: o.singlestep,
      uartOut: serialOut ? (b) => serialOut.byte(b) : () => {},
      semihostingOut: (b) => stderr.bytes(b),
      semihostingTtyOut: (stream, b) => (stream === 'stdout' ? stdout : stderr).bytes(b),
      intLog: items.has('int') ? (l) => logOut.text(l) : undefined,
      onYield: () => { stdout.flush(); log?.flush(); },
      host,
    });
    // As QEMU: a signal ends the run after flushing what the guest printed.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        stdout.flush(); log?.flush(); restoreTty();
        stderr.text(`${prog}: terminating on signal ${sig}\n`);
        stderr.flush();
        process.exit(0);
      });
    }
    const dump = o.machineProps['dumpdtb'];
    if (dump !== undefined) {
      // As QEMU: write the generated device tree and exit.
      const { writeFileSync } = await import('node:fs');
      try { writeFileSync(dump, machine.dtb); } catch (e) {
        throw new UserError(`${dump}: cannot write device tree: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      return 0;
    }
    if (items.has('in_asm') || items.has('exec') || items.has('cpu')) {
      const { debugLogPlugin } = await import('./debug-log.js');
      host.install(debugLogPlugin(items, (s) => logOut.text(s), arch === 'riscv64' ? 64 : 32), {}, machine);
    }
    if (plugins !== undefined) {
      for (const { plugin, args } of await plugins) host.install(plugin, args, machine);
    }
    if (serialOn && serialFile === undefined) restoreTty = attachStdin(machine, () => machine.runner.requestExit(0));
    let code: number;
    try {
      code = await machine.run();
    } catch (e) {
      // Stopped from outside (-max-insns, a guest that can never wake): plugins still report.
      if (e instanceof StopError) { stdout.flush(); machine.finish(); }
      throw e;
    }
    stdout.flush();
    machine.finish();
    return code;
  } catch (e) {
    stdout.flush();
    if (e instanceof UserError || e instanceof PluginError) {
      stderr.text(`${prog}: ${e.message}\n`);
      return e instanceof UserError ? e.exitCode : 1;
    }
    const err = e as Error;
    stderr.text(`${prog}: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env['TRACEHOOK_DEBUG']) stderr.text(`${err?.stack ?? ''}\n`);
    return 70;
  } finally {
    restoreTty();
    stdout.flush();
    stderr.flush();
    log?.close();
  }
}

/** Extensions the hart implements (QEMU 7.2's default CPU less H), by QEMU's property names. */
const CPU_EXTS = ['i', 'e', 'm', 'a', 'f', 'd', 'c', 'v', 'h', 's', 'u', 'zicsr', 'zifencei', 'zihintpause', 'zba', 'zbb', 'zbc', 'zbs',
  'sstc', 'mmu', 'pmp', 'zfh', 'zfhmin', 'svinval', 'svnapot', 'svpbmt', 'zicbom', 'zicboz', 'zawrs', 'zmmul'];
const HAVE = new Set(['i', 'm', 'a', 'f', 'd', 'c', 's', 'u', 'zicsr', 'zifencei', 'zihintpause', 'zba', 'zbb', 'zbc', 'zbs', 'sstc', 'mmu', 'pmp']);

/**
 * `-cpu rv64[,ext=on|off...]` as QEMU takes it. The hart's extension set is fixed (QEMU 7.2's
 * default without H), so a switch is accepted when it asks for what the hart is, and refused
 * with one line otherwise.
 */
function checkCpu(spec: string, arch: string): void {
  const [model, ...props] = spec.split(',');
  const want = arch === 'riscv64' ? 'rv64' : 'rv32';
  if (model !== want && model !== 'any' && model !== 'max') throw new UserError(`-cpu ${spec}: unknown CPU model '${model}' (supported: ${want})`);
  for (const p of props) {
    const [k, v = 'on'] = p.split('=') as [string, string | undefined];
    const key = k.toLowerCase();
    const on = ['on', 'true', 'yes'].includes(v.toLowerCase()), off = ['off', 'false', 'no'].includes(v.toLowerCase());
    if (!CPU_EXTS.includes(key)) {
      if (['pmu-num', 'priv_spec', 'vlen', 'elen', 'marchid', 'mimpid', 'mvendorid'].includes(key)) throw new UserError(`-cpu ${spec}: property '${key}' is not supported by tracehook`);
      throw new UserError(`-cpu ${spec}: unknown property '${k}'`);
    }
    if (!on && !off) throw new UserError(`-cpu ${spec}: property '${k}' expects on/off, got '${v}'`);
    if (on !== HAVE.has(key)) {
      throw new UserError(`-cpu ${spec}: ${on ? 'enabling' : 'disabling'} '${key}' is not supported (this hart is ${want}imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc, without H)`);
    }
  }
}

/** Console input: raw TTY with QEMU's Ctrl-A x to quit, or piped bytes. */
export function attachStdin(machine: { input(b: Uint8Array): void; closeInput(): void; inputClosed: boolean }, quit: () => void): () => void {
  const stdin = process.stdin;
  machine.inputClosed = false;
  let ctrlA = false;
  const isTty = stdin.isTTY === true;
  if (isTty) stdin.setRawMode(true);
  stdin.on('data', (d: Buffer) => {
    if (isTty) {
      const out: number[] = [];
      for (const b of d) {
        if (ctrlA) { ctrlA = false; if (b === 0x78) { quit(); machine.closeInput(); return; } if (b !== 1) out.push(1); out.push(b); continue; }
        if (b === 1) { ctrlA = true; continue; }
        out.push(b);
      }
      machine.input(Uint8Array.from(out));
    } else machine.input(d);
  });
  stdin.on('end', () => machine.closeInput());
  stdin.on('error', () => machine.closeInput());
  return () => {
    if (isTty) stdin.setRawMode(false);
    stdin.pause();
    stdin.destroy();
  };
}

export function runCli(prog: string, arch: 'riscv64' | 'riscv32'): void {
  main(prog, arch, process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${prog}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
