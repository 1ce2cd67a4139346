/**
 * The command-line front end shared by `tracehook-riscv64` and `tracehook-riscv32`: QEMU's flags,
 * one-line errors, exit status from the guest.
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { cliMain } from './cli-run.js';
import { parseOptions, usage, debugHelp, type Options } from './options.js';
import type { RvIsa } from '../targets/riscv/isa.js';

export async function main(prog: string, arch: 'riscv64' | 'riscv32', argv: string[]): Promise<number> {
  return cliMain(prog, async (r) => {
    const o: Options = parseOptions(argv, arch);
    if (o.help) { process.stdout.write(usage(prog)); return 0; }
    if (o.version) { process.stdout.write(`${prog} version 0.1.0 (tracehook; QEMU-compatible command line)\n`); return 0; }
    if (o.debug.includes('help')) { process.stdout.write(debugHelp()); return 0; }
    if (o.machine === 'help' || o.machineProps['help'] !== undefined) {
      process.stdout.write('Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n');
      return 0;
    }
    if (o.machine !== 'virt') throw new UserError(`-M ${o.machine}: unsupported machine type (use -M help)`);
    if (o.cpu === 'help') {
      process.stdout.write((await import('../targets/riscv/isa.js')).cpuHelp(arch === 'riscv64' ? 64 : 32));
      return 0;
    }
    const isa = o.cpu !== undefined ? await checkCpu(o.cpu, arch, (w) => r.stderr.text(`${prog}: ${w}\n`)) : undefined;
    r.openLog(o.logFile);
    const items = new Set(o.debug);
    const plugins = preloadPlugins(o.plugins);
    const { VirtMachine } = await import('../machines/riscv-virt.js');
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => r.logOut.text(t);
    const serial = r.serial(o);
    const machine = new VirtMachine({
      xlen: arch === 'riscv64' ? 64 : 32, ...(isa !== undefined && { isa }),
      memBytes: o.memBytes, smp: o.smp, bios: o.bios, kernel: o.kernel, append: o.append, initrd: o.initrd, noReboot: o.noReboot,
      semihosting: o.semihosting, semihostingArgs: o.semihostingArgs, semihostingUserspace: o.semihostingUserspace,
      icountShift: o.icount?.shift ?? 0, maxInsns: o.maxInsns, singleStep: o.singlestep,
      uartOut: serial.out ?? (() => {}),
      semihostingOut: (b) => r.stderr.bytes(b),
      semihostingTtyOut: (stream, b) => (stream === 'stdout' ? r.stdout : r.stderr).bytes(b),
      intLog: items.has('int') ? (l) => r.logOut.text(l) : undefined,
      onYield: () => r.flush(),
      host,
    });
    r.handleSignals();
    const dump = o.machineProps['dumpdtb'];
    if (dump !== undefined) {
      // As QEMU: write the generated device tree and exit.
      const { writeFileSync } = await import('node:fs');
      try { writeFileSync(dump, machine.dtb); } catch (e) {
        throw new UserError(`${dump}: cannot write device tree: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      return 0;
    }
    const debugLog = items.has('in_asm') || items.has('exec') || items.has('cpu')
      ? (await import('./debug-log.js')).debugLogPlugin(items, (t) => r.logOut.text(t), arch === 'riscv64' ? 64 : 32)
      : undefined;
    await r.installPlugins(host, machine, debugLog, plugins);
    return r.run(machine, serial.on && !serial.file);
  });
}

/**
 * `-cpu rv64[,PROP=on|off...]` as QEMU 7.2 takes it (src/targets/riscv/isa.ts): the extension
 * set, QEMU's warnings (printed as QEMU does), or a one-line error.
 */
async function checkCpu(spec: string, arch: string, warn: (line: string) => void): Promise<RvIsa> {
  const { parseCpuSpec, CpuSpecError } = await import('../targets/riscv/isa.js');
  try {
    const r = parseCpuSpec(spec, arch === 'riscv64' ? 64 : 32);
    for (const w of r.warnings) warn(w);
    return r.isa;
  } catch (e) {
    if (e instanceof CpuSpecError) throw new UserError(`-cpu ${spec}: ${e.message}`);
    throw e;
  }
}

export { attachStdin } from './stdin.js';

export function runCli(prog: string, arch: 'riscv64' | 'riscv32'): void {
  main(prog, arch, process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${prog}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
