/**
 * Preload for tracehook's CLI (`node --import scripts/lib/flush-console.mjs dist/cli/riscv64.js ...`),
 * used by the interactive firmware check and the U-Boot benchmark.
 *
 * Why: tracehook's CLI (src/cli/main.ts) writes the guest console through a 64 KiB BufferedOut
 * (src/cli/output.ts) that is flushed only when full and at exit. A firmware that prints a prompt
 * and then waits for input (U-Boot polling its UART) therefore shows nothing: the `=> ` prompt
 * never reaches stdout while the guest runs, and a script (or a person) cannot answer it.
 *
 * What: wraps BufferedOut's writers to remember which buffers hold data, and flushes them from a
 * 20 ms timer. The timer runs whenever the runner yields to the event loop (every 4M guest
 * instructions while console input is open, or when every vCPU waits for input), so console bytes
 * reach the file within tens of milliseconds. Only the moment bytes are written changes, never
 * the bytes: the transcript is the same. Remove this once the CLI flushes the console itself.
 *
 * If the CLI's output.js no longer exports BufferedOut (the CLI changed), this does nothing.
 */
// The CLI's own output module: dist/cli/output.js next to the script being run (process.argv[1],
// e.g. dist/cli/riscv64.js), so that a build elsewhere is patched too.
import { pathToFileURL } from 'node:url';
const main = process.argv[1];
const mod = main ? await import(new URL('./output.js', pathToFileURL(main)).href).catch(() => undefined) : undefined;
const BufferedOut = mod?.BufferedOut;
if (typeof BufferedOut === 'function' && typeof BufferedOut.prototype.flush === 'function') {
  const proto = BufferedOut.prototype;
  const dirty = new Set();
  for (const name of ['byte', 'bytes', 'text']) {
    const orig = proto[name];
    if (typeof orig !== 'function') continue;
    proto[name] = function (...args) {
      dirty.add(this);
      return orig.apply(this, args);
    };
  }
  setInterval(() => {
    for (const b of dirty) {
      try {
        b.flush();
      } catch {
        /* a closed log file: nothing more to flush */
      }
    }
    dirty.clear();
  }, 20).unref();
}
