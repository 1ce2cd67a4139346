#!/usr/bin/env node
/**
 * Bundle each command-line entry (`src/cli/*.ts` starting with a `#!` line) into `dist/cli/NAME.js`
 * with esbuild, over tsc's per-module output of the same name. Node then loads a handful of files
 * instead of ~80 modules at start-up (about 15 ms of a ~150 ms run); what a run may not need
 * (machines, plugin loader, each bundled plugin) stays in lazily imported chunks under
 * `dist/cli/chunks/`. The rest of `dist/` (the plugin API that plugin files import) is tsc's output.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cliDir = join(root, 'src/cli');
const entryPoints = readdirSync(cliDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter((f) => readFileSync(join(cliDir, f), 'utf8').startsWith('#!'))
  .map((f) => join(cliDir, f));

rmSync(join(root, 'dist/cli/chunks'), { recursive: true, force: true });
await build({
  entryPoints,
  outdir: join(root, 'dist/cli'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
