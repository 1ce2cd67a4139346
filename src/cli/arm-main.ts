/**
 * `tracehook-arm`: qemu-system-arm's command line for the M-profile `mps2-an385` (Cortex-M3) and
 * `mps2-an386` (Cortex-M4) boards. Flags are parsed by the shared parser (options.ts); those that
 * mean nothing here are refused in one line. Errors are one line with a non-zero status; the
 * exit status is the guest's (semihosting SYS_EXIT / SYS_EXIT_EXTENDED).
 */
import { preloadPlugins } from './plugin-preload.js';
import { UserError } from '../core/errors.js';
import { StopError } from '../core/runner.js';
import { PluginError } from '../plugin/errors.js';
import { attachStdin } from './main.js';
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
-semihosting-config OPTS  enable=on|off, target=native|auto, arg=STR (repeatable)
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
  const stdout = new BufferedOut(1);
  const stderr = new BufferedOut(2, true);
  let log: BufferedOut | undefined;
  let serialFileOut: BufferedOut | undefined;
  let restoreTty = (): void => {};
  try {
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
    const { Mps2Machine, mps2Cpu } = await import('../machines/mps2.js');
    const cpu = mps2Cpu(board, o.cpu);
    if (o.kernel === undefined) throw new UserError('no -kernel given: nothing to run');
    log = o.logFile !== undefined ? BufferedOut.file(o.logFile) : undefined;
    const logOut = log ?? stderr;
    const items = new Set(o.debug);
    const plugins = preloadPlugins(o.plugins);
    const { PluginHost } = await import('../plugin/host.js');
    const host = new PluginHost();
    host.out = (t) => logOut.text(t);
    const serialOn = o.serial.length === 0 ? o.nographic : o.serial.some((s) => s === 'stdio' || s === 'mon:stdio');
    const serialFile = o.serial.find((s) => s.startsWith('file:'));
    if (serialFile !== undefined) serialFileOut = BufferedOut.file(serialFile.slice(5), 'serial output file');
    const serialOut = serialFileOut ?? (serialOn ? stdout : undefined);
    const machine = new Mps2Machine({
      board, cpu, memBytes: o.memBytes, kernel: o.kernel, append: o.append, noReboot: o.noReboot,
      semihosting: o.semihosting, semihostingArgs: o.semihostingArgs,
      icountShift: o.icount?.shift ?? 0, maxInsns: o.maxInsns, singleStep: o.singlestep,
      uartOut: serialOut ? (b) => serialOut.byte(b) : () => {},
      semihostingOut: (b) => stderr.bytes(b),
      semihostingTtyOut: (stream, b) => (stream === 'stdout' ? stdout : stderr).bytes(b),
      intLog: items.has('int') ? (l) => logOut.text(l) : undefined,
      onYield: () => { stdout.flush(); log?.flush(); serialFileOut?.flush(); },
      host,
    });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        stdout.flush(); log?.flush(); restoreTty();
        stderr.text(`${PROG}: terminating on signal ${sig}\n`);
        stderr.flush();
        process.exit(0);
      });
    }
    if (items.has('in_asm') || items.has('exec') || items.has('cpu')) {
      const { armDebugLogPlugin } = await import('./arm-debug-log.js');
      host.install(armDebugLogPlugin(items, (s) => logOut.text(s)), {}, machine);
    }
    if (plugins !== undefined) {
      for (const { plugin, args } of await plugins) host.install(plugin, args, machine);
    }
    if (serialOn && serialFile === undefined) restoreTty = attachStdin(machine, () => machine.runner.requestExit(0));
    let code: number;
    try {
      code = await machine.run();
    } catch (e) {
      if (e instanceof StopError) { stdout.flush(); machine.finish(); }
      throw e;
    }
    stdout.flush();
    machine.finish();
    return code;
  } catch (e) {
    stdout.flush();
    if (e instanceof UserError || e instanceof PluginError) {
      stderr.text(`${PROG}: ${e.message}\n`);
      return e instanceof UserError ? e.exitCode : 1;
    }
    const err = e as Error;
    stderr.text(`${PROG}: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env['TRACEHOOK_DEBUG']) stderr.text(`${err?.stack ?? ''}\n`);
    return 70;
  } finally {
    restoreTty();
    stdout.flush();
    stderr.flush();
    log?.close();
    serialFileOut?.close();
  }
}

export function runArmCli(): void {
  armMain(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${PROG}: internal error: ${String(e)}\n`);
    process.exit(70);
  });
}
