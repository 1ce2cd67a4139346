import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { loadFile } from './file.js';

function throwsUser(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('reads a whole file into a plain Uint8Array that owns its bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-file-'));
  try {
    const p = join(dir, 'small.bin');
    writeFileSync(p, new Uint8Array([1, 2, 3]));
    const bytes = loadFile(p);
    assert.deepEqual(bytes, new Uint8Array([1, 2, 3]));
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, 3);
    const elf = loadFile(fileURLToPath(new URL('./fixtures/tiny-rv64.elf', import.meta.url)));
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a missing file, a missing directory and a directory give one-line errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-file-'));
  try {
    throwsUser(() => loadFile(join(dir, 'nope.elf')), `${join(dir, 'nope.elf')}: no such file`);
    writeFileSync(join(dir, 'f'), '');
    throwsUser(() => loadFile(join(dir, 'f', 'x')), `${join(dir, 'f', 'x')}: no such file`);
    throwsUser(() => loadFile(dir), `${dir}: is a directory`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('an unreadable file gives "permission denied"', { skip: process.getuid?.() === 0 && 'root can read anything' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracehook-file-'));
  try {
    const p = join(dir, 'secret.elf');
    writeFileSync(p, 'x');
    chmodSync(p, 0);
    throwsUser(() => loadFile(p), `${p}: permission denied`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('file-system error codes map to one-line reasons', (t) => {
  const cases: [string | undefined, string][] = [
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['ELOOP', 'too many levels of symbolic links'],
    ['ERR_FS_FILE_TOO_LARGE', 'file too large'],
    ['EIO', 'cannot read (EIO)'],
    [undefined, 'cannot read (disk on fire)'],
  ];
  for (const [code, reason] of cases) {
    const m = t.mock.method(fs, 'readFileSync', () => {
      throw Object.assign(new Error('disk on fire\nsecond line'), code === undefined ? {} : { code });
    });
    throwsUser(() => loadFile('k.elf'), `k.elf: ${reason}`);
    m.mock.restore();
  }
  mock.restoreAll();
});
