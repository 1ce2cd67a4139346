import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BUNDLED_PLUGINS, loadPlugin } from './loader.js';
import { FakeApi } from '../plugins/test-support/fake-api.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/tiny-plugin.ts', import.meta.url));

/** A temporary directory with the given files, removed after `fn`. */
async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tracehook-loader-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('bundled plugins load by name with checked arguments', async () => {
  for (const name of BUNDLED_PLUGINS) {
    const { plugin } = await loadPlugin(name);
    assert.equal(plugin.name, name);
    assert.equal(typeof plugin.install, 'function');
  }
  assert.deepEqual((await loadPlugin('insn,inline=off')).args, { inline: false });
  assert.deepEqual((await loadPlugin('discons')).args, { abort: true, 'trace-all': false, flow: false });
  await assert.rejects(loadPlugin('insn,foo=1'), { name: 'UserError', message: "plugin insn: unknown argument 'foo' (accepted: inline)" });
  await assert.rejects(loadPlugin('insn,inline=maybe'), { message: "plugin insn: argument 'inline' expects on/off, got 'maybe'" });
});

test("QEMU's plugin file names map to bundled plugins", async () => {
  const { plugin, args } = await loadPlugin('contrib/plugins/libhotblocks.so,limit=3');
  assert.equal(plugin.name, 'hotblocks');
  assert.deepEqual(args, { limit: 3 });
});

test('a .ts plugin file loads through tsx', async () => {
  const { plugin, args } = await loadPlugin(`${fixture},greeting=hi`);
  assert.equal(plugin.name, 'tiny');
  assert.deepEqual(args, { greeting: 'hi' });
  const fake = new FakeApi().install(plugin, args);
  fake.translate(0x1000n, [{}]);
  assert.equal(fake.exit(), 'hi: 1 blocks\n');
});

test('missing files, directories and unsupported types', async () => {
  await assert.rejects(loadPlugin('./x.js'), { name: 'UserError', message: 'plugin ./x.js: no such file' });
  await assert.rejects(loadPlugin('insns'),
    { message: 'plugin insns: no such file (bundled plugins: traps, discons, insn, execlog, hotblocks, cflow, etrace)' });
  await withFiles({ 'p.so': '' }, async dir => {
    await assert.rejects(loadPlugin(dir), { message: `plugin ${dir}: not a file` });
    await assert.rejects(loadPlugin(join(dir, 'p.so')), /unsupported file type '\.so'/);
  });
});

test('module exports: default, named `plugin`, CommonJS, and not a plugin', async () => {
  await withFiles({
    'named.mjs': 'export const plugin = { name: "named", install() {} };\n',
    'cjs.cjs': 'module.exports = { name: "cjs", install() {} };\n',
    'number.mjs': 'export default 42;\n',
    'noinstall.mjs': 'export default { name: "x", install: 1 };\n',
  }, async dir => {
    assert.equal((await loadPlugin(join(dir, 'named.mjs'))).plugin.name, 'named');
    assert.equal((await loadPlugin(join(dir, 'cjs.cjs'))).plugin.name, 'cjs');
    for (const f of ['number.mjs', 'noinstall.mjs']) {
      const p = join(dir, f);
      await assert.rejects(loadPlugin(p),
        { name: 'UserError', message: `plugin ${p}: does not export a plugin (default export with name and install)` });
    }
  });
});

test('errors while importing a plugin file are one line with the location', async () => {
  await withFiles({
    'bad.mjs': 'export default {\n  name: "x",\n  install() { let = ; }\n};\n',
    'badts.ts': 'export default {\n  name: "x" as string,\n  install(): void { let x: = 1; }\n};\n',
    'throws.mjs': 'throw new Error("boom\\nmore");\n',
  }, async dir => {
    for (const [file, where] of [['bad.mjs', 'bad.mjs:3:'], ['badts.ts', 'badts.ts:3:']]) {
      const p = join(dir, file!);
      const err = await loadPlugin(p).then(() => undefined, (e: unknown) => e as Error);
      assert.equal(err?.name, 'UserError');
      assert.ok(err.message.startsWith(`plugin ${p}: SyntaxError: `), err.message);
      assert.ok(err.message.includes(where!), err.message);
      assert.ok(!err.message.includes('\n'), err.message);
    }
    await assert.rejects(loadPlugin(join(dir, 'throws.mjs')), { message: `plugin ${join(dir, 'throws.mjs')}: Error: boom` });
  });
});

test('compiled loader (no tsx preloaded): bundled names, .ts files, located syntax errors', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tracehook-dist-'));
  try {
    const sources = ['plugin/loader.ts', ...BUNDLED_PLUGINS.map(n => (n === 'etrace' ? 'plugins/etrace/plugin.ts' : `plugins/${n}.ts`))].map(f => join(root, 'src', f));
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--outDir', join(dir, 'dist'),
      '--rootDir', join(root, 'src'), '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--strict', '--skipLibCheck', '--types', 'node', ...sources], { cwd: root });
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'bad.js'), 'export default {\n  install() { let = ; }\n};\n');
    const script = `
      const { loadPlugin } = await import(${JSON.stringify(join(dir, 'dist/plugin/loader.js'))});
      const out = [];
      for (const spec of ['insn,inline=off', ${JSON.stringify(fixture)}, ${JSON.stringify(join(dir, 'bad.js'))}]) {
        try { const r = await loadPlugin(spec); out.push(r.plugin.name + ' ' + JSON.stringify(r.args)); }
        catch (e) { out.push(e.message); }
      }
      console.log(JSON.stringify(out));`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env });
    const [insn, tiny, bad] = JSON.parse(stdout) as string[];
    assert.equal(insn, 'insn {"inline":false}');
    assert.equal(tiny, 'tiny {"greeting":"hello"}');
    assert.match(bad!, /^plugin .*bad\.js: SyntaxError: .*\(.*bad\.js:2:\d+\)$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
