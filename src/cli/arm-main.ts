/**
 * `tracehook-arm`: qemu-system-arm's command line for the M-profile `mps2-an385` (Cortex-M3) and
 * `mps2-an386` (Cortex-M4) boards. Flags are parsed by the shared parser (options.ts); those that
 * mean nothing here are refused in one line. Errors are one line with a non-zero status; the
 * exit status is the guest's (semihosting SYS_EXIT / SYS_EXIT_EXTENDED).
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { cliMain } from './cli-run.js';
import { BufferedOut } from './output.js';
import { debugHelp, parseOptions, type Options } from './options.js';

const PROG = 'tracehook-arm';
const BOARDS = ['mps2-an385', 'mps2-an386'] as const;
type Board = (typeof BOARDS)[number];

function usage(): string {
  return `usage: ${PROG} -M mps2-an385|mps2-an386 -kernel FILE [options]

A CPU emulator built for instrumentation; accepts qemu-system-arm syntax for the flags below.

-M mps2-an385           ARM MPS2 with AN385 FPGA image for Cortex-M3
-M mps2-an386           ARM MPS2 with AN386 FPGA image for Cortex-M4 (-M help lists both)
-cpu MODEL              the board's own core (cortex-m3 on an385, cortex-m4 on an386), or
                        cortex-m0 on either (ARMv6-M; tracehook only, QEMU refuses it)
-m 16M                  RAM size (the boards have exactly 16 MiB at 0x21000000)
-kernel FILE            ARM ELF (to its addresses) or raw image (at 0); SP and PC from the vector table at 0
-nographic              UART0 on stdio
-serial DEV             UART0: stdio, mon:stdio, null, none or file:PATH
-semihosting            enable semihosting (BKPT 0xAB; console on stderr, as QEMU 7.2)
-semihosting-config OPTS  enable=on|off, userspace=on|off, target=native|auto, arg=STR (repeatable)
-plugin NAME[,k=v...]   load a plugin: bundled name or file path (repeatable)
-d ITEM,...             log int, exec, in_asm, cpu ('-d help' for the list)
-D FILE                 write logs (and plugin output) to FILE instead of stderr
-icount [shift=]N[,sleep=off]  virtual clock: 2^N ns per instruction (default shift 0)
-singlestep             one guest instruction per translation block
-max-insns N            stop after N instructions (tracehook only)
-no-reboot              exit instead of resetting on AIRCR.SYSRESETREQ or a watchdog reset
-h, -help               display this help and exit
-version                display version information and exit

Virtual time always counts instructions (2^shift ns each): every run of the same command is
identical. -d int prints QEMU 7.2's M-profile lines ("Taking exception ...").
`;
}

/** Refuse what has no meaning on these boards, one line each. */
function checkArmOptions(o: Options): void {
  if (o.smp !== 1) throw new UserError('-smp: the MPS2 boards have one CPU');
  if (o.initrd !== undefined) throw new UserError('-initrd: not supported on the MPS2 boards');
  if (o.bios !== undefined) throw new UserError('-bios: not supported on the MPS2 boards (use -kernel FILE)');
  for (const k of Object.keys(o.machineProps)) {
    if (k !== 'help') throw new UserError(`-M ${o.machine},${k}=...: ${o.machine} has no property '${k}'`);
  }
}

export async function armMain(argv: string[]): Promise<number> {
  return cliMain(PROG, async (r) => {
    let o: Options;
    try {
      o = parseOptions(argv, 'arm');
    } catch (e) {
      if (e instanceof UserError && e.message.startsWith('no machine specified')) throw new UserError('no machine specified (use -M mps2-an385 or -M mps2-an386)');
      throw e;
    }
    if (o.help) { process.stdout.write(usage()); return 0; }
    if (o.version) { process.stdout.write(`${PROG} version 0.1.0 (tracehook; QEMU-compatible command line)\n`); return 0; }
    if (o.debug.includes('help')) { process.stdout.write(debugHelp()); return 0; }
    if (o.machine === 'help' || o.machineProps['help'] !== undefined) {
      process.stdout.write('Supported machines are:\nmps2-an385           ARM MPS2 with AN385 FPGA image for Cortex-M3\nmps2-an386           ARM MPS2 with AN386 FPGA image for Cortex-M4\n');
      return 0;
    }
    if (o.cpu === 'help') { process.stdout.write('Available CPUs:\n  cortex-m0\n  cortex-m3\n  cortex-m4\n'); return 0; }
    if (!(BOARDS as readonly string[]).includes(o.machine)) throw new UserError(`-M ${o.machine}: unsupported machine type (use -M help)`);
    const board = o.machine as Board;
    checkArmOptions(o);
    const plugins = preloadPlugins(o.plugins);
    const { Mps2Machine, mps2Cpu } = await import('../machines/mps2.js');
    const cpu = mps2Cpu(board, o.cpu);
    if (o.kernel === undefined) throw new UserError('no -kernel given: nothing to run');
    r.openLog(o.logFile);
    const items = new Set(o.debug);
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => r.logOut.text(t);
    // -serial file: is written (and closed) here, so everything the guest sent reaches the file.
    const serialFile = o.serial.find((s) => s.startsWith('file:'));
    const fileOut = serialFile !== undefined ? BufferedOut.file(serialFile.slice(5), 'serial output file') : undefined;
    const serial = fileOut !== undefined ? { on: false, file: true, out: (b: number) => fileOut.byte(b) } : r.serial(o);
    try {
      const machine = new Mps2Machine({
        board, cpu, memBytes: o.memBytes, kernel: o.kernel, append: o.append, noReboot: o.noReboot,
        semihosting: o.semihosting, semihostingArgs: o.semihostingArgs, semihostingUserspace: o.semihostingUserspace,
        icountShift: o.icount?.shift ?? 0, maxInsns: o.maxInsns, singleStep: o.singlestep,
        uartOut: serial.out ?? (() => {}),
        semihostingOut: (b) => r.stderr.bytes(b),
        semihostingTtyOut: (stream, b) => (stream === 'stdout' ? r.stdout : r.stderr).bytes(b),
        intLog: items.has('int') ? (l) => r.logOut.text(l) : undefined,
        onYield: () => { r.flush(); fileOut?.flush(); },
        host,
      });
      r.handleSignals();
      const debugLog = items.has('in_asm') || items.has('exec') || items.has('cpu')
        ? (await import('./arm-debug-log.js')).armDebugLogPlugin(items, (t) => r.logOut.text(t))
        : undefined;
      await r.installPlugins(host, machine, debugLog, plugins);
      return await r.run(machine, serial.on && !serial.file);
    } finally {
      fileOut?.close();
    }
  });
}

export function runArmCli(): void {
  armMain(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${PROG}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
