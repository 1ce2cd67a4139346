/**
 * Loading plugins by bundled name or file path.
 *
 * - A bundled name (`traps`, `discons`, `insn`, `execlog`, `hotblocks`, `cflow`, `etrace`) loads `src/plugins/NAME`.
 *   QEMU's file names for the same plugins (`contrib/plugins/libinsn.so`, ...) map to them too, so a
 *   QEMU command line runs unchanged.
 * - Anything else is a file: `.js`, `.mjs`, `.cjs`, `.ts` or `.mts`, relative to the working
 *   directory. TypeScript files go through tsx, registered on first need only.
 *
 * The module's default export, or its export named `plugin`, must be a {@link Plugin}.
 */
import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArgValues, Plugin } from './api.js';
import { checkArgs, parsePluginSpec } from './args.js';
import { UserError } from '../core/errors.js';

export const BUNDLED_PLUGINS = ['traps', 'discons', 'insn', 'execlog', 'hotblocks', 'cflow', 'etrace'] as const;

type BundledPlugin = typeof BUNDLED_PLUGINS[number];

/**
 * One literal import per bundled plugin, so the CLI bundler turns each into a chunk loaded only
 * when named (a computed path would be resolved against the bundle's own location).
 */
const BUNDLED_IMPORTS: Record<BundledPlugin, () => Promise<unknown>> = {
  traps: () => import('../plugins/traps.js'),
  discons: () => import('../plugins/discons.js'),
  insn: () => import('../plugins/insn.js'),
  execlog: () => import('../plugins/execlog.js'),
  hotblocks: () => import('../plugins/hotblocks.js'),
  cflow: () => import('../plugins/cflow.js'),
  etrace: () => import('../plugins/etrace/plugin.js'),
};

const JS_EXTS = new Set(['.js', '.mjs', '.cjs']);
const TS_EXTS = new Set(['.ts', '.mts']);

function isBundled(name: string): boolean {
  return (BUNDLED_PLUGINS as readonly string[]).includes(name);
}

/** `libinsn.so` and friends: QEMU's name for a plugin we bundle. */
function qemuAlias(target: string): string | undefined {
  const m = /^lib(\w+)\.so$/.exec(basename(target));
  return m && isBundled(m[1]!) ? m[1] : undefined;
}

let tsxReady: Promise<void> | undefined;

/** Register tsx's ESM hooks once, the first time a `.ts` plugin is loaded. */
function ensureTsx(): Promise<void> {
  tsxReady ??= import('tsx/esm/api').then(({ register }) => { register(); });
  return tsxReady;
}

/** One line describing why importing a plugin module failed. */
function importFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message.split('\n').map(l => l.trim()).filter(l => l !== '');
  // esbuild (tsx): "Transform failed with 1 error:\n/path/x.ts:3:7: ERROR: Expected ..."
  for (const l of lines) {
    const m = /^(.*:\d+:\d+): ERROR: (.*)$/.exec(l);
    if (m) return `SyntaxError: ${m[2]} (${m[1]})`;
  }
  return `${err.name}: ${lines[0] ?? ''}`;
}

/**
 * V8 does not put the location of a syntax error in an ES module into the error object, so on
 * that (rare) path ask `node --check`, which prints `file:line`, the line and a caret.
 */
async function locateSyntaxError(path: string, err: unknown): Promise<string | undefined> {
  if (!(err instanceof SyntaxError)) return undefined;
  const { execFile } = await import('node:child_process'); // only on this error path
  const stderr = await new Promise<string>(done => {
    execFile(process.execPath, ['--check', path], { timeout: 10_000 }, (_e, _out, errText) => done(String(errText)));
  });
  const lines = stderr.split('\n');
  const at = lines.findIndex(l => /:\d+$/.test(l) && l.includes(basename(path)));
  const what = lines.find(l => l.startsWith('SyntaxError: '));
  if (at < 0 || !what) return undefined;
  const caret = lines[at + 2]?.indexOf('^') ?? -1;
  return `${what} (${lines[at]}${caret >= 0 ? `:${caret + 1}` : ''})`;
}

function looksLikePlugin(x: unknown): x is Plugin {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return typeof p.name === 'string' && p.name !== '' && typeof p.install === 'function';
}

async function importModule(target: string): Promise<Record<string, unknown>> {
  const bundled = isBundled(target) ? target : qemuAlias(target);
  if (bundled !== undefined) {
    return BUNDLED_IMPORTS[bundled as BundledPlugin]() as Promise<Record<string, unknown>>;
  }

  const path = resolve(target);
  let info: ReturnType<typeof statSync> | undefined;
  try { info = statSync(path); } catch { info = undefined; }
  if (!info) {
    const hint = /[/\\]/.test(target) || extname(target) !== '' ? '' : ` (bundled plugins: ${BUNDLED_PLUGINS.join(', ')})`;
    throw new UserError(`plugin ${target}: no such file${hint}`);
  }
  if (!info.isFile()) throw new UserError(`plugin ${target}: not a file`);
  const ext = extname(path).toLowerCase();
  if (!JS_EXTS.has(ext) && !TS_EXTS.has(ext)) {
    throw new UserError(`plugin ${target}: unsupported file type '${ext}' (expected .js, .mjs, .cjs, .ts or .mts)`);
  }
  const url = pathToFileURL(path).href;
  try {
    if (TS_EXTS.has(ext)) {
      // tsImport loads the file as an ES module whatever the nearest package.json says (register()
      // would treat a .ts file outside a "type": "module" package as CommonJS and fail).
      const { tsImport } = await import('tsx/esm/api');
      return await tsImport(url, import.meta.url) as Record<string, unknown>;
    }
    return await import(url) as Record<string, unknown>;
  } catch (err) {
    const located = JS_EXTS.has(ext) ? await locateSyntaxError(path, err) : undefined;
    throw new UserError(`plugin ${target}: ${located ?? importFailure(err)}`);
  }
}

/**
 * Load the plugin named by one `-plugin` option (`name_or_path,key=value,...`) and check its
 * arguments. Every failure is a one-line {@link UserError}.
 */
export async function loadPlugin(spec: string): Promise<{ plugin: Plugin; args: ArgValues }> {
  const { target, rawArgs } = parsePluginSpec(spec);
  const mod = await importModule(target);
  // `default.default`: a CommonJS file compiled from ESM (`exports.default = ...`).
  const cjsDefault = typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>).default : undefined;
  const plugin = [mod.default, mod.plugin, cjsDefault].find(looksLikePlugin);
  if (!plugin) throw new UserError(`plugin ${target}: does not export a plugin (default export with name and install)`);
  const args = checkArgs(plugin.name, plugin.args, rawArgs);
  return { plugin, args };
}
