/**
 * Plugin arguments: parsing QEMU's `-plugin` option and checking values against a plugin's
 * declared {@link ArgSpec}.
 *
 * Accepted syntax (as QEMU's):
 * - `-plugin NAME_OR_PATH,key=value,key2=value2`
 * - `-plugin file=PATH,...` (the implied `file` key)
 * - legacy `arg=key=value`, and `arg=key` / bare `key` meaning `key=on`
 * - `,,` inside a value is a literal comma (QemuOpts escaping)
 *
 * A key given twice keeps its last value, as QEMU options do.
 */
import type { ArgSpec, ArgValues } from './api.js';
import { UserError } from '../core/errors.js';

export interface PluginSpec {
  /** Bundled plugin name or file path. */
  target: string;
  /** `key=value` pairs in command-line order, values still text. */
  rawArgs: [string, string][];
}

/** Split on `,`, where `,,` stands for a literal comma. */
function splitOptions(spec: string): string[] {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c !== ',') cur += c;
    else if (spec[i + 1] === ',') { cur += ','; i++; }
    else { items.push(cur); cur = ''; }
  }
  items.push(cur);
  return items;
}

/** Parse the text of one `-plugin` option. */
export function parsePluginSpec(spec: string): PluginSpec {
  const items = splitOptions(spec.trim());
  let target = items[0]!;
  if (target.startsWith('file=')) target = target.slice('file='.length);
  if (target === '') throw new UserError(`-plugin needs a plugin name or file path, got '${spec}'`);

  const rawArgs: [string, string][] = [];
  for (let item of items.slice(1)) {
    if (item === '') continue; // trailing or doubled separators are harmless
    if (item.startsWith('arg=')) item = item.slice('arg='.length); // QEMU 4.x-6.x form
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? 'on' : item.slice(eq + 1);
    if (key === '') throw new UserError(`plugin ${target}: argument without a name in '${item}'`);
    rawArgs.push([key, value]);
  }
  return { target, rawArgs };
}

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);

function parseBool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return TRUE_WORDS.has(t) ? true : FALSE_WORDS.has(t) ? false : undefined;
}

/** Decimal or `0x` hex, optionally signed, exact (a safe integer). */
export function parseInteger(text: string): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|[0-9]+)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) return undefined;
  return m[1] === '-' ? -n : n;
}

/**
 * Check `raw` against `spec` and return typed values. Declared defaults are filled in; a key with
 * no default that was not given is absent. Throws a {@link UserError} for unknown keys and bad values.
 */
export function checkArgs(pluginName: string, spec: ArgSpec | undefined, raw: [string, string][]): ArgValues {
  const decls = spec ?? {};
  const values: ArgValues = {};
  for (const [key, decl] of Object.entries(decls)) {
    if (decl.default === undefined) continue;
    const want = decl.type === 'bool' ? 'boolean' : decl.type === 'int' ? 'number' : 'string';
    if (typeof decl.default !== want) {
      throw new UserError(`plugin ${pluginName}: default of argument '${key}' is not of type ${decl.type}`);
    }
    values[key] = decl.default;
  }

  for (const [key, text] of raw) {
    const decl = Object.hasOwn(decls, key) ? decls[key] : undefined;
    if (decl === undefined) {
      const keys = Object.keys(decls);
      const accepted = keys.length > 0 ? `accepted: ${keys.join(', ')}` : 'it accepts no arguments';
      throw new UserError(`plugin ${pluginName}: unknown argument '${key}' (${accepted})`);
    }
    const bad = (what: string) =>
      new UserError(`plugin ${pluginName}: argument '${key}' expects ${what}, got '${text}'`);
    switch (decl.type) {
      case 'bool': {
        const b = parseBool(text);
        if (b === undefined) throw bad('on/off');
        values[key] = b;
        break;
      }
      case 'int': {
        const n = parseInteger(text);
        if (n === undefined) throw bad('an integer (decimal or 0x hex)');
        values[key] = n;
        break;
      }
      case 'string':
        values[key] = text;
        break;
    }
  }
  return values;
}
