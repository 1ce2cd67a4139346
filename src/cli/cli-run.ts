/**
 * What every `tracehook-ARCH` command does around its machine, in one place: buffered stdout,
 * stderr and `-D` log; the serial console choice; signals; installing the debug-log and `-plugin`
 * plugins; console input; running to the exit status; and turning every error into one line.
 */
import { UserError } from '../core/errors.js';
import { StopError } from '../core/runner.js';
import { PluginError } from '../plugin/errors.js';
import type { ArgValues, Plugin } from '../plugin/api.js';
import type { MachineAccess, PluginHost } from '../plugin/host.js';
import { attachStdin } from './stdin.js';
import { BufferedOut } from './output.js';
import type { LoadedPlugins } from './plugin-preload.js';

/** The machine as the command line drives it. */
export interface CliMachine extends MachineAccess {
  readonly runner: { requestExit(code: number): void };
  input(b: Uint8Array): void;
  closeInput(): void;
  inputClosed: boolean;
  /** Run to the guest's exit status. */
  run(): Promise<number>;
  /** Exit callbacks of the plugins (once). */
  finish(): void;
}

/** One command-line run's outputs and console. */
export class CliRun {
  readonly stdout = new BufferedOut(1);
  readonly stderr = new BufferedOut(2, true);
  /** The `-D` file, if given. */
  log: BufferedOut | undefined;
  /** The `-serial file:PATH` output, if given. */
  private serialFile: BufferedOut | undefined;
  private restoreTty = (): void => {};

  constructor(readonly prog: string) {}

  /** Where logs and plugin output go: the `-D` file or stderr. */
  get logOut(): BufferedOut { return this.log ?? this.stderr; }

  /** Open the `-D` file (if any). */
  openLog(file: string | undefined): void {
    this.log = file !== undefined ? BufferedOut.file(file) : undefined;
  }

  /** The serial console as QEMU picks it: `-serial` if given, else stdio with `-nographic`. */
  serial(o: { serial: readonly string[]; nographic: boolean }): { on: boolean; file: boolean; out: ((b: number) => void) | undefined } {
    const on = o.serial.length === 0 ? o.nographic : o.serial.some((s) => s === 'stdio' || s === 'mon:stdio');
    const file = o.serial.find((s) => s.startsWith('file:'));
    if (file !== undefined) this.serialFile = BufferedOut.file(file.slice(5), 'serial output file');
    const sink = this.serialFile ?? (on ? this.stdout : undefined);
    return { on, file: file !== undefined, out: sink ? (b) => sink.byte(b) : undefined };
  }

  /** Flush console and log output (the machines call this whenever the run pauses). */
  flush(): void { this.stdout.flush(); this.serialFile?.flush(); this.log?.flush(); }

  /** As QEMU: a signal ends the run after flushing what the guest printed. */
  handleSignals(): void {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        this.flush(); this.restoreTty();
        this.stderr.text(`${this.prog}: terminating on signal ${sig}\n`);
        this.stderr.flush();
        process.exit(0);
      });
    }
  }

  /** Install the `-d` log plugin (if any) then the `-plugin` ones, in command-line order. */
  async installPlugins(host: PluginHost, machine: CliMachine, debugLog: Plugin | undefined, plugins: LoadedPlugins | undefined): Promise<void> {
    if (debugLog !== undefined) host.install(debugLog, {} as ArgValues, machine);
    if (plugins !== undefined) for (const { plugin, args } of await plugins) host.install(plugin, args, machine);
  }

  /**
   * Feed console input to the machine (when the serial console is stdio), run it, and run the
   * plugins' exit callbacks also when the run was stopped from outside (-max-insns, a guest that
   * can never wake). `onStop` may turn such a stop into an exit status.
   */
  async run(machine: CliMachine, consoleInput: boolean, onStop?: (e: StopError) => number | undefined): Promise<number> {
    if (consoleInput) this.restoreTty = attachStdin(machine, () => machine.runner.requestExit(0));
    let code: number;
    try {
      code = await machine.run();
    } catch (e) {
      if (!(e instanceof StopError)) throw e;
      this.stdout.flush();
      machine.finish();
      const c = onStop?.(e);
      if (c !== undefined) return c;
      throw e;
    }
    this.stdout.flush();
    machine.finish();
    return code;
  }

  /** One line for an error (`PROG: message`); the exit status. */
  fail(e: unknown): number {
    this.stdout.flush();
    if (e instanceof UserError || e instanceof PluginError) {
      this.stderr.text(`${this.prog}: ${e.message}\n`);
      return e instanceof UserError ? e.exitCode : 1;
    }
    const err = e as Error;
    this.stderr.text(`${this.prog}: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env['TRACEHOOK_DEBUG']) this.stderr.text(`${err?.stack ?? ''}\n`);
    return 70;
  }

  /** Restore the terminal and flush everything. */
  close(): void {
    this.restoreTty();
    this.stdout.flush();
    this.stderr.flush();
    this.serialFile?.close();
    this.log?.close();
  }
}

/** Run `body` with a {@link CliRun}: every error becomes one line and an exit status. */
export async function cliMain(prog: string, body: (r: CliRun) => Promise<number>): Promise<number> {
  const r = new CliRun(prog);
  try {
    return await body(r);
  } catch (e) {
    return r.fail(e);
  } finally {
    r.close();
  }
}
