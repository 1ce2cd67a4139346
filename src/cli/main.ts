/**
 * The command-line front end shared by `tracehook-riscv64` and `tracehook-riscv32`: QEMU's flags,
 * one-line errors, exit status from the guest.
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { cliMain } from './cli-run.js';
import { parseOptions, usage, debugHelp, type Options } from './options.js';

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
    if (o.cpu !== undefined) checkCpu(o.cpu, arch);
    r.openLog(o.logFile);
    const items = new Set(o.debug);
    const plugins = preloadPlugins(o.plugins);
    const { VirtMachine } = await import('../machines/riscv-virt.js');
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => r.logOut.text(t);
    const serial = r.serial(o);
    const machine = new VirtMachine({
      xlen: arch === 'riscv64' ? 64 : 32,
      memBytes: o.memBytes, smp: o.smp, bios: o.bios, kernel: o.kernel, append: o.append, initrd: o.initrd, noReboot: o.noReboot,
      semihosting: o.semihosting, semihostingArgs: o.semihostingArgs,
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

export { attachStdin } from './stdin.js';

export function runCli(prog: string, arch: 'riscv64' | 'riscv32'): void {
  main(prog, arch, process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${prog}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
