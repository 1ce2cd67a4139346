/**
 * Start loading the `-plugin` modules at once, so their file reads overlap the loading of the
 * machine module and the building of the machine (a plugin then costs ~1 ms of start-up, not ~5).
 */
import type { ArgValues, Plugin } from '../plugin/api.js';

export type LoadedPlugins = Promise<{ plugin: Plugin; args: ArgValues }[]>;

/**
 * The plugins named by `specs`, loading; undefined when there are none. A failure (a one-line
 * UserError) surfaces where the result is awaited, i.e. after any error the machine itself reports.
 */
export function preloadPlugins(specs: readonly string[]): LoadedPlugins | undefined {
  if (specs.length === 0) return undefined;
  const p = import('../plugin/loader.js').then(({ loadPlugin }) => Promise.all(specs.map((spec) => loadPlugin(spec))));
  p.catch(() => {}); // awaited later; not an unhandled rejection if the run ends before that
  return p;
}
