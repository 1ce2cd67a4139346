/** Buffered output to a file descriptor: guest console bytes and logs without a syscall per byte. */
import { writeSync, openSync, closeSync } from 'node:fs';
import { UserError } from '../core/errors.js';

export class BufferedOut {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  constructor(private readonly fd: number, private readonly autoFlushNewline = false) {}

  /** Open `path` for writing; `what` names it in the error (e.g. 'log file', 'serial output file'). */
  static file(path: string, what = 'log file'): BufferedOut {
    try {
      return new BufferedOut(openSync(path, 'w'));
    } catch (e) {
      throw new UserError(`${path}: cannot open ${what}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.flush();
    this.buf[this.len++] = b;
    if (this.autoFlushNewline && b === 10) this.flush();
  }

  bytes(d: Uint8Array): void {
    if (this.len + d.length > this.buf.length) this.flush();
    if (d.length > this.buf.length) { this.write(d); return; }
    this.buf.set(d, this.len);
    this.len += d.length;
  }

  text(s: string): void { this.bytes(Buffer.from(s, 'utf8')); }

  flush(): void {
    if (this.len === 0) return;
    this.write(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private write(d: Uint8Array): void {
    let off = 0;
    while (off < d.length) {
      try {
        off += writeSync(this.fd, d, off, d.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
        throw e;
      }
    }
  }

  close(): void {
    this.flush();
    if (this.fd > 2) closeSync(this.fd);
  }
}
