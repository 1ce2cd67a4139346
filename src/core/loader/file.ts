/**
 * Reading image files, with file-system errors turned into one-line user errors.
 *
 * @module
 */
import fs from 'node:fs';
import { UserError } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  ERR_FS_FILE_TOO_LARGE: 'file too large',
};

/**
 * Read a whole file.
 *
 * Returns a plain `Uint8Array` (not a `Buffer`, whose `slice` shares memory), owning its bytes.
 *
 * @throws {UserError} `path: no such file`, `path: is a directory`, `path: permission denied`,
 *   or `path: <reason>` for anything else the file system reports.
 */
export function loadFile(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string'
      ? REASONS[code] ?? `cannot read (${code})`
      : `cannot read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    throw new UserError(`${path}: ${reason}`);
  }
  // Small reads may come from Node's shared Buffer pool: copy those out of it.
  const whole = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
  return whole ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
}
