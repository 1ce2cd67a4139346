/**
 * The architecture-independent Arm-compatible semihosting service, shared by RISC-V `ebreak`
 * semihosting and Arm `BKPT 0xAB` / `HLT 0xF000`. The CPU front end decodes the trap, passes
 * the operation number (a0/r0) and the parameter (a1/r1), and writes the result back.
 *
 * Behaviour follows "Semihosting for AArch32 and AArch64" 2.0, the RISC-V semihosting spec and
 * QEMU 7.2's semihosting/arm-compat-semi.c + syscalls.c without a gdb stub or chardev:
 *  - SYS_WRITEC / SYS_WRITE0 go to the semihosting console (QEMU: stderr) and return 0xdeadbeef
 *    (the register is "corrupted" per the spec), even when the guest memory is unreadable.
 *  - ":tt" opened "r"/"r+" (modes 0-3) is stdin, "w"/"w+" (4-7) is stdout, "a"/"a+" (8-11) is
 *    stderr (SH_EXT_STDOUT_STDERR); QEMU binds these to host fds 0/1/2.
 *  - ":semihosting-features" is a 5-byte read-only file "SHFB" + 0x03 (EXIT_EXTENDED,
 *    STDOUT_STDERR); opening it in a mode other than "r"/"rb" fails with EACCES.
 *  - Handles are the lowest free number >= 1.
 *  - SYS_READ / SYS_WRITE return the number of bytes not transferred; on an error they return
 *    the full length and, like QEMU, leave SYS_ERRNO unchanged.
 *  - SYS_EXIT on a 32-bit guest takes the reason in the parameter register: exit status 0 for
 *    ADP_Stopped_ApplicationExit, 1 for anything else. On a 64-bit guest (and SYS_EXIT_EXTENDED
 *    on both) the parameter points to {reason, subcode}: status = subcode for
 *    ADP_Stopped_ApplicationExit, else 1. An unreadable block returns -1 / EFAULT instead.
 *  - An unknown operation is fatal (QEMU: "Unsupported SemiHosting SWI 0x%02x" and abort()).
 *  - Errno values are the host's (Node's os.constants.errno).
 * Deliberate differences from QEMU 7.2:
 *  - File names are confined to `root` (EACCES for escapes); SYS_TMPNAM names lie in it.
 *  - SYS_SYSTEM never runs anything: -1 with EPERM.
 *  - SYS_CLOCK and SYS_ELAPSED use virtual time (QEMU: host CPU time / host monotonic clock).
 *  - Mode "a" opens with O_APPEND (the spec; QEMU 7.2 dropped the flag, fixed in 8.1).
 *  - SYS_READC at end of input returns -1 (QEMU blocks forever); a read of ":tt" stops after a
 *    newline, like a terminal in canonical mode; ":tt" is always a tty, unseekable, length 0.
 *  - Guest memory is checked for writes too (QEMU's system mode silently drops them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { isatty } from 'node:tty';
import { UserError } from '../errors.js';
import { ADP_Stopped_ApplicationExit, EXIT_REASON_NAMES, FEATURE_FILE, SYS } from './constants.js';
import { PathJail } from './jail.js';

export { ADP_Stopped_ApplicationExit, EXIT_REASON_NAMES, SYS } from './constants.js';

export interface SemihostingGuest {
  /** Field size in bytes of the parameter block: 4 for RV32/AArch32, 8 for RV64/AArch64. */
  readonly wordSize: 4 | 8;
  /** Byte order of the parameter block fields (default little). */
  readonly endian?: 'little' | 'big';
  /** Read guest memory (virtual address); undefined if unreadable. */
  read(addr: bigint, len: number): Uint8Array | undefined;
  /** Write guest memory; false if not writable. */
  write(addr: bigint, data: Uint8Array): boolean;
  /** Virtual time in ns (for SYS_CLOCK, in centiseconds since start) */
  nowNs(): number;
}

export interface SemihostingOptions {
  /** Directory all file paths are confined to (default process.cwd()). */
  root?: string;
  /** Console output (SYS_WRITEC/WRITE0/WRITE to handle of ":tt"); QEMU 7.2 writes it to stderr. */
  consoleOut: (bytes: Uint8Array) => void;
  /**
   * Output written to a ":tt" handle: opened "w" → 'stdout', "a" → 'stderr' (QEMU writes these
   * to host fds 1 and 2). Default: everything goes to `consoleOut`.
   */
  ttyOut?: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
  /** Console input for SYS_READC / read from ":tt"; returns undefined at EOF. */
  consoleIn: () => number | undefined;
  /** Command line for SYS_GET_CMDLINE (QEMU: kernel path plus -append). */
  cmdline: string;
  /** Heap info for SYS_HEAPINFO: heap base/limit, stack base/limit (QEMU computes from RAM). */
  heapInfo: { heapBase: bigint; heapLimit: bigint; stackBase: bigint; stackLimit: bigint };
  /** Wall-clock seconds for SYS_TIME (injectable for tests). */
  timeSeconds?: () => number;
  /** Whether host descriptor 0, 1 or 2 is a terminal (SYS_ISTTY on ":tt"); default: `tty.isatty`. */
  isTerminal?: (fd: number) => boolean;
  /** Accept SYS_SYNCCACHE (0x19) as a no-op: true for AArch64 only, as in QEMU. */
  syncCache?: boolean;
}

export type SemihostingResult =
  | { kind: 'continue'; value: bigint }          // write value to the return register, continue
  | { kind: 'exit'; code: number; reason: string };  // SYS_EXIT / SYS_EXIT_EXTENDED: stop the machine with this exit status

type Handle =
  | { kind: 'tty-in' }
  | { kind: 'tty-out'; stream: 'stdout' | 'stderr' }
  | { kind: 'static'; data: Uint8Array; off: number }
  | { kind: 'file'; fd: number; pos: number; append: boolean };

const E = os.constants.errno;
const INT32_MAX = 0x7fffffff;
const CHUNK = 1 << 20;
const MAX_STRING = 1 << 24;
const DEADBEEF = 0xdeadbeefn;
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Host open flags for the 12 SYS_OPEN modes (r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b). */
const OPEN_FLAGS: readonly number[] = (() => {
  const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
  return [
    O_RDONLY, O_RDONLY, O_RDWR, O_RDWR,
    O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC,
    O_RDWR | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC,
    O_WRONLY | O_CREAT | O_APPEND, O_WRONLY | O_CREAT | O_APPEND,
    O_RDWR | O_CREAT | O_APPEND, O_RDWR | O_CREAT | O_APPEND,
  ];
})();

/** Thrown internally when guest memory is inaccessible; becomes -1 / EFAULT. */
class Fault extends Error {}

/** Thrown internally for a failed call: -1 with this errno. */
class Errno extends Error {
  constructor(readonly errno: number) { super(`errno ${errno}`); }
}

/** Host errno of a Node system error; anything else is a bug and propagates. */
function hostErrno(e: unknown): number {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
    const n = (E as Record<string, number | undefined>)[code];
    return n ?? E.EIO;
  }
  throw e;
}

function errnoOf(code: string): number {
  return (E as Record<string, number | undefined>)[code] ?? E.EIO;
}

const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();

export class SemihostingService {
  private readonly wordSize: 4 | 8;
  private readonly bits: number;
  private readonly mask: bigint;
  private readonly le: boolean;
  private readonly jail: PathJail;
  private readonly ttyOut: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
  private handles: (Handle | undefined)[] = [undefined];
  private errno = 0;

  constructor(private readonly guest: SemihostingGuest, private readonly opts: SemihostingOptions) {
    this.wordSize = guest.wordSize;
    this.bits = guest.wordSize * 8;
    this.mask = (1n << BigInt(this.bits)) - 1n;
    this.le = (guest.endian ?? 'little') === 'little';
    const root = opts.root ?? process.cwd();
    try {
      this.jail = new PathJail(root);
    } catch (e) {
      throw new UserError(`semihosting root ${root}: ${(e as Error).message}`);
    }
    this.ttyOut = opts.ttyOut ?? ((_s, b) => opts.consoleOut(b));
  }

  /** The current SYS_ERRNO value. */
  get lastErrno(): number { return this.errno; }

  /** Close every host file the guest left open. */
  close(): void {
    for (const h of this.handles) {
      if (h?.kind === 'file') {
        try { fs.closeSync(h.fd); } catch { /* already gone */ }
      }
    }
    this.handles = [undefined];
  }

  /** Perform semihosting operation `op` (a0/r0) with parameter `param` (a1/r1). */
  call(op: number, param: bigint): SemihostingResult {
    const nr = op >>> 0;
    const args = param & this.mask;
    try {
      return this.dispatch(nr, args);
    } catch (e) {
      if (e instanceof Fault) return this.fail(E.EFAULT);
      if (e instanceof Errno) return this.fail(e.errno);
      throw e;
    }
  }

  // ---- results ----

  private ok(v: bigint | number): SemihostingResult {
    return { kind: 'continue', value: BigInt(v) & this.mask };
  }

  private fail(errno: number): SemihostingResult {
    if (errno) this.errno = errno;
    return { kind: 'continue', value: this.mask };
  }

  // ---- guest memory ----

  private addr(a: bigint, off: number | bigint = 0): bigint {
    return (a + BigInt(off)) & this.mask;
  }

  private readBytes(addr: bigint, len: number): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    const b = this.guest.read(this.addr(addr), len);
    if (!b || b.length < len) throw new Fault();
    return b;
  }

  private writeBytes(addr: bigint, data: Uint8Array): void {
    if (data.length === 0) return;
    if (!this.guest.write(this.addr(addr), data)) throw new Fault();
  }

  private decodeWord(b: Uint8Array): bigint {
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    return this.wordSize === 8 ? dv.getBigUint64(0, this.le) : BigInt(dv.getUint32(0, this.le));
  }

  private encodeWord(v: bigint): Uint8Array {
    const b = new Uint8Array(this.wordSize);
    const dv = new DataView(b.buffer);
    if (this.wordSize === 8) dv.setBigUint64(0, v & this.mask, this.le);
    else dv.setUint32(0, Number(v & 0xffffffffn), this.le);
    return b;
  }

  /** Field `n` of the parameter block at `args`. */
  private arg(args: bigint, n: number): bigint {
    return this.decodeWord(this.readBytes(this.addr(args, n * this.wordSize), this.wordSize));
  }

  private setArg(args: bigint, n: number, v: bigint): void {
    this.writeBytes(this.addr(args, n * this.wordSize), this.encodeWord(v));
  }

  /** Bytes of the NUL-terminated string at `addr` (terminator excluded). */
  private readCString(addr: bigint): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    let a = this.addr(addr);
    while (total < MAX_STRING) {
      // Read up to the next 256-byte boundary; fall back to single bytes to find a fault exactly.
      const n = 256 - Number(a & 0xffn);
      let chunk = this.guest.read(a, n);
      if (!chunk || chunk.length < n) chunk = this.readBytes(a, 1);
      const z = chunk.indexOf(0);
      if (z >= 0) {
        parts.push(chunk.subarray(0, z));
        total += z;
        break;
      }
      parts.push(chunk);
      total += chunk.length;
      a = this.addr(a, chunk.length);
    }
    if (total >= MAX_STRING) throw new Fault();
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }

  /**
   * A file name given as (pointer, length excluding the terminator), checked as QEMU's
   * validate_strlen does: the byte at ptr+len must be NUL (else EINVAL); a length of all ones
   * means "find the terminator". The name is the C string at ptr.
   */
  private readName(ptr: bigint, len: bigint): string {
    const tlen = (len + 1n) & this.mask;
    if (tlen > BigInt(INT32_MAX)) throw new Errno(E.ENAMETOOLONG);
    if (tlen !== 0n) {
      const last = this.readBytes(this.addr(ptr, tlen - 1n), 1);
      if (last[0] !== 0) throw new Errno(E.EINVAL);
    }
    return utf8.decode(this.readCString(ptr));
  }

  private jailed(name: string, followFinal: boolean): string {
    const r = this.jail.resolve(name, followFinal);
    if (!r.ok) throw new Errno(errnoOf(r.code));
    return r.path;
  }

  // ---- handles ----

  private alloc(h: Handle): number {
    let i = 1;
    while (i < this.handles.length && this.handles[i] !== undefined) i++;
    this.handles[i] = h;
    return i;
  }

  /** Handle named by a parameter word: QEMU truncates it to a C int. */
  private handle(v: bigint): { n: number; h: Handle | undefined } {
    const n = Number(BigInt.asIntN(32, v));
    return { n, h: n > 0 ? this.handles[n] : undefined };
  }

  // ---- dispatch ----

  private dispatch(nr: number, args: bigint): SemihostingResult {
    switch (nr) {
      case SYS.OPEN: return this.sysOpen(args);
      case SYS.CLOSE: return this.sysClose(args);
      case SYS.WRITEC: {
        const b = this.guest.read(args, 1);
        if (b && b.length >= 1) this.opts.consoleOut(b.slice(0, 1));
        return this.ok(DEADBEEF);
      }
      case SYS.WRITE0: {
        let s: Uint8Array;
        try { s = this.readCString(args); } catch (e) {
          if (e instanceof Fault) return this.ok(DEADBEEF);
          throw e;
        }
        if (s.length > 0) this.opts.consoleOut(s.slice());
        return this.ok(DEADBEEF);
      }
      case SYS.WRITE: return this.sysWrite(args);
      case SYS.READ: return this.sysRead(args);
      case SYS.READC: {
        const c = this.opts.consoleIn();
        return c === undefined ? this.ok(this.mask) : this.ok(c & 0xff);
      }
      case SYS.ISERROR:
        return this.ok(BigInt.asIntN(this.bits, this.arg(args, 0)) < 0n ? 1 : 0);
      case SYS.ISTTY: return this.sysIsTty(args);
      case SYS.SEEK: return this.sysSeek(args);
      case SYS.FLEN: return this.sysFlen(args);
      case SYS.TMPNAM: return this.sysTmpnam(args);
      case SYS.REMOVE: return this.sysRemove(args);
      case SYS.RENAME: return this.sysRename(args);
      case SYS.CLOCK:
        return this.ok(Math.floor(this.guest.nowNs() / 1e7));
      case SYS.TIME: {
        const t = this.opts.timeSeconds ? this.opts.timeSeconds() : Date.now() / 1000;
        return this.ok(Math.floor(t));
      }
      case SYS.SYSTEM:
        // Read the block like QEMU (EFAULT if unreadable), then refuse: never run host commands.
        this.arg(args, 0);
        this.arg(args, 1);
        throw new Errno(E.EPERM);
      case SYS.ERRNO:
        return this.ok(this.errno);
      case SYS.GET_CMDLINE: return this.sysGetCmdline(args);
      case SYS.HEAPINFO: {
        const ptr = this.arg(args, 0);
        const hi = this.opts.heapInfo;
        const vals = [hi.heapBase, hi.heapLimit, hi.stackBase, hi.stackLimit];
        vals.forEach((v, i) => this.setArg(ptr, i, v));
        return this.ok(0);
      }
      case SYS.EXIT:
      case SYS.EXIT_EXTENDED: return this.sysExit(nr, args);
      case SYS.ELAPSED: {
        const ticks = BigInt(Math.max(0, Math.floor(this.guest.nowNs())));
        if (this.wordSize === 8) {
          this.setArg(args, 0, ticks);
        } else {
          this.setArg(args, 0, ticks & 0xffffffffn);
          this.setArg(args, 1, (ticks >> 32n) & 0xffffffffn);
        }
        return this.ok(0);
      }
      case SYS.TICKFREQ:
        return this.ok(1_000_000_000); // SYS_ELAPSED counts nanoseconds
      case SYS.SYNCCACHE:
        if (this.opts.syncCache) return this.ok(0); // no caches modelled
        break;
    }
    throw new UserError(`Unsupported SemiHosting SWI 0x${nr.toString(16).padStart(2, '0')}`);
  }

  private sysOpen(args: bigint): SemihostingResult {
    const namePtr = this.arg(args, 0);
    const mode = this.arg(args, 1);
    const nameLen = this.arg(args, 2);
    const s = this.readCString(namePtr);
    if (mode >= 12n) throw new Errno(E.EINVAL);
    const m = Number(mode);
    const str = utf8.decode(s);
    if (str === ':tt') {
      // SH_EXT_STDOUT_STDERR: read → stdin, write → stdout, append → stderr.
      const h: Handle = m < 4 ? { kind: 'tty-in' } : { kind: 'tty-out', stream: m < 8 ? 'stdout' : 'stderr' };
      return this.ok(this.alloc(h));
    }
    if (str === ':semihosting-features') {
      if (m !== 0 && m !== 1) throw new Errno(E.EACCES);
      return this.ok(this.alloc({ kind: 'static', data: FEATURE_FILE, off: 0 }));
    }
    const name = this.readName(namePtr, nameLen);
    const host = this.jailed(name, true);
    const flags = OPEN_FLAGS[m]!;
    let fd: number;
    try {
      fd = fs.openSync(host, flags | NOFOLLOW, 0o644);
    } catch (e) {
      throw new Errno(hostErrno(e));
    }
    return this.ok(this.alloc({ kind: 'file', fd, pos: 0, append: (flags & fs.constants.O_APPEND) !== 0 }));
  }

  private sysClose(args: bigint): SemihostingResult {
    const { n, h } = this.handle(this.arg(args, 0));
    if (!h) throw new Errno(E.EBADF);
    this.handles[n] = undefined;
    if (h.kind === 'file') {
      try { fs.closeSync(h.fd); } catch (e) { throw new Errno(hostErrno(e)); }
    }
    return this.ok(0);
  }

  private sysWrite(args: bigint): SemihostingResult {
    const hv = this.arg(args, 0);
    const buf = this.arg(args, 1);
    const len = this.arg(args, 2);
    const { h } = this.handle(hv);
    const want = len > BigInt(INT32_MAX) ? INT32_MAX : Number(len);
    // Any failure: "no bytes written", SYS_ERRNO untouched (QEMU's common_semi_rw_cb).
    const done = (n: number): SemihostingResult => this.ok(len - BigInt(n));
    if (!h || h.kind === 'static' || h.kind === 'tty-in') {
      // QEMU writes to host stdin (fd 0) for a read-mode ":tt"; we have nowhere to put it.
      return done(0);
    }
    if (h.kind === 'tty-out') {
      const data = this.guest.read(buf, want);
      if (want > 0 && (!data || data.length < want)) return done(0);
      if (want > 0) this.ttyOut(h.stream, data!.slice(0, want));
      return done(want);
    }
    let written = 0;
    while (written < want) {
      const n = Math.min(CHUNK, want - written);
      const data = this.guest.read(this.addr(buf, written), n);
      if (!data || data.length < n) break;
      try {
        if (h.append) {
          fs.writeSync(h.fd, data, 0, n, null);
          h.pos = fs.fstatSync(h.fd).size;
        } else {
          let off = 0;
          while (off < n) off += fs.writeSync(h.fd, data, off, n - off, h.pos + off);
          h.pos += n;
        }
      } catch (e) {
        hostErrno(e);
        break;
      }
      written += n;
    }
    return done(written);
  }

  private sysRead(args: bigint): SemihostingResult {
    const hv = this.arg(args, 0);
    const buf = this.arg(args, 1);
    const len = this.arg(args, 2);
    const { h } = this.handle(hv);
    const want = len > BigInt(INT32_MAX) ? INT32_MAX : Number(len);
    const done = (n: number): SemihostingResult => this.ok(len - BigInt(n));
    if (!h || h.kind === 'tty-out') {
      return done(0); // EBADF, or a read from host stdout/stderr: nothing to read
    }
    if (h.kind === 'static') {
      const n = Math.min(want, h.data.length - h.off);
      if (n > 0 && !this.guest.write(buf, h.data.slice(h.off, h.off + n))) return done(0);
      h.off += n;
      return done(n);
    }
    if (h.kind === 'tty-in') {
      const bytes: number[] = [];
      while (bytes.length < want) {
        const c = this.opts.consoleIn();
        if (c === undefined) break;
        bytes.push(c & 0xff);
        if ((c & 0xff) === 0x0a) break; // a line at a time, like a canonical-mode terminal
      }
      if (bytes.length > 0 && !this.guest.write(buf, Uint8Array.from(bytes))) return done(0);
      return done(bytes.length);
    }
    let got = 0;
    try {
      const st = fs.fstatSync(h.fd);
      const seekable = st.isFile();
      const limit = seekable ? Math.min(want, Math.max(0, st.size - h.pos)) : want;
      while (got < limit) {
        const n = Math.min(CHUNK, limit - got);
        const chunk = new Uint8Array(n);
        const r = fs.readSync(h.fd, chunk, 0, n, seekable ? h.pos : null);
        if (r === 0) break;
        if (!this.guest.write(this.addr(buf, got), chunk.subarray(0, r))) break;
        got += r;
        h.pos += r;
        if (r < n || !seekable) break;
      }
    } catch (e) {
      hostErrno(e);
    }
    return done(got);
  }

  private sysIsTty(args: bigint): SemihostingResult {
    const { h } = this.handle(this.arg(args, 0));
    if (!h) throw new Errno(E.EBADF);
    switch (h.kind) {
      case 'tty-in':
      case 'tty-out': {
        // As QEMU: isatty() of the host descriptor behind the handle (0 with ENOTTY for a pipe or file).
        const fd = h.kind === 'tty-in' ? 0 : h.stream === 'stdout' ? 1 : 2;
        const tty = this.opts.isTerminal ? this.opts.isTerminal(fd) : isatty(fd);
        if (!tty) { this.errno = E.ENOTTY; return this.ok(0); }
        return this.ok(1);
      }
      case 'static':
        this.errno = E.ENOTTY;
        return this.ok(0);
      case 'file':
        if (isatty(h.fd)) return this.ok(1);
        this.errno = E.ENOTTY;
        return this.ok(0);
    }
  }

  private sysSeek(args: bigint): SemihostingResult {
    const { h } = this.handle(this.arg(args, 0));
    const raw = this.arg(args, 1);
    // QEMU converts the target_ulong to int64_t: unsigned on 32-bit guests, signed on 64-bit.
    const off = this.wordSize === 8 ? BigInt.asIntN(64, raw) : raw;
    if (!h) throw new Errno(E.EBADF);
    switch (h.kind) {
      case 'tty-in':
      case 'tty-out':
        throw new Errno(E.ESPIPE);
      case 'static':
        if (off < 0n || off > BigInt(h.data.length)) throw new Errno(E.EINVAL);
        h.off = Number(off);
        return this.ok(0);
      case 'file': {
        if (off < 0n || off > BigInt(Number.MAX_SAFE_INTEGER)) throw new Errno(E.EINVAL);
        let st: fs.Stats;
        try { st = fs.fstatSync(h.fd); } catch (e) { throw new Errno(hostErrno(e)); }
        if (!st.isFile() && !st.isDirectory()) throw new Errno(E.ESPIPE);
        h.pos = Number(off);
        return this.ok(0);
      }
    }
  }

  private sysFlen(args: bigint): SemihostingResult {
    const { h } = this.handle(this.arg(args, 0));
    if (!h) throw new Errno(E.EBADF);
    switch (h.kind) {
      case 'tty-in':
      case 'tty-out':
        return this.ok(0);
      case 'static':
        return this.ok(h.data.length);
      case 'file':
        try { return this.ok(fs.fstatSync(h.fd).size); } catch (e) { throw new Errno(hostErrno(e)); }
    }
  }

  private sysTmpnam(args: bigint): SemihostingResult {
    const buf = this.arg(args, 0);
    const id = this.arg(args, 1);
    const size = this.arg(args, 2);
    // QEMU: "/tmp/qemu-<pid><id>"; ours is relative to the root, where files are confined.
    const name = `semihosting-tmp-${Number(id & 0xffn).toString(16).padStart(2, '0')}`;
    const bytes = utf8enc.encode(name + '\0');
    if (BigInt(bytes.length) > size) return this.ok(this.mask); // -1, errno untouched (QEMU)
    this.writeBytes(buf, bytes);
    return this.ok(0);
  }

  private sysRemove(args: bigint): SemihostingResult {
    const ptr = this.arg(args, 0);
    const len = this.arg(args, 1);
    const host = this.jailed(this.readName(ptr, len), false);
    if (this.jail.isRoot(host)) throw new Errno(E.EACCES);
    try {
      fs.unlinkSync(host);
    } catch (e) {
      const err = hostErrno(e);
      // C remove(): unlink, or rmdir for a directory (Linux says EISDIR, macOS EPERM).
      let isDir = false;
      try { isDir = fs.lstatSync(host).isDirectory(); } catch { /* keep the unlink error */ }
      if (!isDir || (err !== E.EISDIR && err !== E.EPERM)) throw new Errno(err);
      try { fs.rmdirSync(host); } catch (e2) { throw new Errno(hostErrno(e2)); }
    }
    return this.ok(0);
  }

  private sysRename(args: bigint): SemihostingResult {
    const optr = this.arg(args, 0);
    const olen = this.arg(args, 1);
    const nptr = this.arg(args, 2);
    const nlen = this.arg(args, 3);
    const oname = this.readName(optr, olen);
    const nname = this.readName(nptr, nlen);
    const from = this.jailed(oname, false);
    const to = this.jailed(nname, false);
    if (this.jail.isRoot(from) || this.jail.isRoot(to)) throw new Errno(E.EACCES);
    try { fs.renameSync(from, to); } catch (e) { throw new Errno(hostErrno(e)); }
    return this.ok(0);
  }

  private sysGetCmdline(args: bigint): SemihostingResult {
    const buf = this.arg(args, 0);
    const size = this.arg(args, 1);
    const cmd = utf8enc.encode(this.opts.cmdline);
    const outSize = cmd.length + 1;
    if (BigInt(outSize) > size) throw new Errno(E.E2BIG);
    this.setArg(args, 1, BigInt(cmd.length));
    const out = new Uint8Array(outSize);
    out.set(cmd);
    this.writeBytes(buf, out);
    return this.ok(0);
  }

  private sysExit(nr: number, args: bigint): SemihostingResult {
    const call = nr === SYS.EXIT ? 'SYS_EXIT' : 'SYS_EXIT_EXTENDED';
    if (nr === SYS.EXIT_EXTENDED || this.wordSize === 8) {
      // Parameter block {reason, subcode}.
      const reason = this.arg(args, 0);
      const subcode = this.arg(args, 1);
      if (reason === BigInt(ADP_Stopped_ApplicationExit)) {
        // QEMU: exit((uint32_t)subcode); the host sees the low 8 bits.
        const full = Number(subcode & 0xffffffffn);
        return { kind: 'exit', code: full & 0xff, reason: `${call}: ADP_Stopped_ApplicationExit, status ${full | 0}` };
      }
      return { kind: 'exit', code: 1, reason: `${call}: ${reasonName(reason)}, subcode ${BigInt.asIntN(this.bits, subcode)}` };
    }
    // 32-bit SYS_EXIT: the parameter register is the reason itself; no status can be given.
    if (args === BigInt(ADP_Stopped_ApplicationExit)) {
      return { kind: 'exit', code: 0, reason: `${call}: ADP_Stopped_ApplicationExit` };
    }
    return { kind: 'exit', code: 1, reason: `${call}: ${reasonName(args)}` };
  }
}

function reasonName(r: bigint): string {
  const hex = `0x${r.toString(16)}`;
  const name = r <= 0xffffffffn ? EXIT_REASON_NAMES.get(Number(r)) : undefined;
  return name ? `${name} (${hex})` : `reason ${hex}`;
}
