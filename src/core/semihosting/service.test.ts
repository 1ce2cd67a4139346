import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../errors.js';
import { SYS } from './constants.js';
import { SemihostingService, type SemihostingGuest, type SemihostingOptions, type SemihostingResult } from './service.js';

const E = os.constants.errno;
const BASE = 0x10000n;
const SIZE = 0x10000;
/** Addresses [RO_START, RO_END) are readable but not writable. */
const RO_START = BASE + 0xf000n;
const RO_END = BASE + 0x10000n;

class FakeGuest implements SemihostingGuest {
  readonly mem = new Uint8Array(SIZE);
  ns = 0;
  private next = BASE + 0x100n;
  constructor(readonly wordSize: 4 | 8, readonly endian: 'little' | 'big' = 'little') {}

  private inRange(addr: bigint, len: number): boolean {
    return addr >= BASE && addr + BigInt(len) <= BASE + BigInt(SIZE);
  }
  read(addr: bigint, len: number): Uint8Array | undefined {
    if (!this.inRange(addr, len)) return undefined;
    const o = Number(addr - BASE);
    return this.mem.slice(o, o + len);
  }
  write(addr: bigint, data: Uint8Array): boolean {
    if (!this.inRange(addr, data.length)) return false;
    if (addr < RO_END && addr + BigInt(data.length) > RO_START) return false;
    this.mem.set(data, Number(addr - BASE));
    return true;
  }
  nowNs(): number { return this.ns; }

  /** Reserve `len` bytes (8-aligned), optionally filled. */
  alloc(len: number, fill?: Uint8Array): bigint {
    const a = this.next;
    this.next += BigInt((len + 7) & ~7);
    if (this.next > RO_START) throw new Error('fake guest out of memory');
    if (fill) this.mem.set(fill, Number(a - BASE));
    return a;
  }
  str(s: string): bigint {
    const b = new TextEncoder().encode(s + '\0');
    return this.alloc(b.length, b);
  }
  words(...vals: (bigint | number)[]): bigint {
    const a = this.alloc(vals.length * this.wordSize);
    vals.forEach((v, i) => this.setWord(a + BigInt(i * this.wordSize), BigInt(v)));
    return a;
  }
  setWord(addr: bigint, v: bigint): void {
    const dv = new DataView(this.mem.buffer, Number(addr - BASE), this.wordSize);
    const le = this.endian === 'little';
    if (this.wordSize === 8) dv.setBigUint64(0, BigInt.asUintN(64, v), le);
    else dv.setUint32(0, Number(BigInt.asUintN(32, v)), le);
  }
  word(addr: bigint, i = 0): bigint {
    const dv = new DataView(this.mem.buffer, Number(addr - BASE) + i * this.wordSize, this.wordSize);
    const le = this.endian === 'little';
    return this.wordSize === 8 ? dv.getBigUint64(0, le) : BigInt(dv.getUint32(0, le));
  }
  bytes(addr: bigint, len: number): Uint8Array {
    const o = Number(addr - BASE);
    return this.mem.slice(o, o + len);
  }
  text(addr: bigint, len: number): string {
    return new TextDecoder().decode(this.bytes(addr, len));
  }
}

interface Rig {
  g: FakeGuest;
  sh: SemihostingService;
  out: string[];          // consoleOut chunks
  tty: [string, string][]; // ttyOut calls
  input: number[];
  /** Call and expect 'continue'; returns the value as a signed number. */
  call(op: number, param: bigint): bigint;
  /** -1 of the word size. */
  m1: bigint;
  errno(): number;
}

const dec = new TextDecoder();

function rig(wordSize: 4 | 8, root: string, extra: Partial<SemihostingOptions> = {}, endian: 'little' | 'big' = 'little'): Rig {
  const g = new FakeGuest(wordSize, endian);
  const out: string[] = [];
  const tty: [string, string][] = [];
  const input: number[] = [];
  const sh = new SemihostingService(g, {
    isTerminal: () => true,
    root,
    consoleOut: (b) => out.push(dec.decode(b)),
    ttyOut: (s, b) => tty.push([s, dec.decode(b)]),
    consoleIn: () => input.shift(),
    cmdline: 'prog.elf arg1 arg2',
    heapInfo: { heapBase: 0x80100000n, heapLimit: 0x88000000n, stackBase: 0x88000000n, stackLimit: 0x80100000n },
    timeSeconds: () => 1700000000.75,
    ...extra,
  });
  const m1 = (1n << BigInt(wordSize * 8)) - 1n;
  const r: Rig = {
    g, sh, out, tty, input, m1,
    call(op, param) {
      const res: SemihostingResult = sh.call(op, param);
      assert.equal(res.kind, 'continue', `op 0x${op.toString(16)} should continue`);
      return (res as { value: bigint }).value;
    },
    errno() { return Number(r.call(SYS.ERRNO, 0n)); },
  };
  return r;
}

function open(r: Rig, name: string, mode: number): bigint {
  return r.call(SYS.OPEN, r.g.words(r.g.str(name), mode, new TextEncoder().encode(name).length));
}
function write(r: Rig, h: bigint, data: string | Uint8Array): bigint {
  const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return r.call(SYS.WRITE, r.g.words(h, r.g.alloc(b.length, b), b.length));
}
function read(r: Rig, h: bigint, len: number): { left: bigint; text: string } {
  const buf = r.g.alloc(len);
  const left = r.call(SYS.READ, r.g.words(h, buf, len));
  return { left, text: r.g.text(buf, len - Number(left)) };
}
function close(r: Rig, h: bigint): bigint { return r.call(SYS.CLOSE, r.g.words(h)); }

let tmp: string;   // root
let outside: string; // sibling directory outside the root

before(() => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehook-semi-'));
  tmp = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(tmp);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret data');
});
after(() => { fs.rmSync(path.dirname(tmp), { recursive: true, force: true }); });

for (const ws of [4, 8] as const) {
  describe(`semihosting, ${ws * 8}-bit`, () => {
    let dir: string;
    let r: Rig;
    let n = 0;
    const fresh = (extra: Partial<SemihostingOptions> = {}) => {
      dir = path.join(tmp, `w${ws}-${n++}`);
      fs.mkdirSync(dir);
      r = rig(ws, dir, extra);
      return r;
    };

    it('SYS_WRITEC and SYS_WRITE0 go to the console and return 0xdeadbeef', () => {
      fresh();
      const c = r.g.alloc(1, Uint8Array.of(0x41));
      assert.equal(r.call(SYS.WRITEC, c), 0xdeadbeefn);
      assert.equal(r.call(SYS.WRITE0, r.g.str('hello\n')), 0xdeadbeefn);
      assert.equal(r.call(SYS.WRITE0, r.g.str('')), 0xdeadbeefn);
      assert.deepEqual(r.out, ['A', 'hello\n']);
      // Unreadable: nothing printed, still 0xdeadbeef, no throw.
      assert.equal(r.call(SYS.WRITEC, 0x10n), 0xdeadbeefn);
      assert.equal(r.call(SYS.WRITE0, 0x10n), 0xdeadbeefn);
      // A string running off the end of memory is a fault too.
      const end = BASE + BigInt(SIZE) - 3n;
      r.g.mem.set([0x61, 0x62, 0x63], SIZE - 3);
      assert.equal(r.call(SYS.WRITE0, end), 0xdeadbeefn);
      assert.deepEqual(r.out, ['A', 'hello\n']);
    });

    it('":tt" maps r/w/a to stdin/stdout/stderr', () => {
      fresh();
      const hin = open(r, ':tt', 0);
      const hout = open(r, ':tt', 4);
      const herr = open(r, ':tt', 8);
      assert.deepEqual([hin, hout, herr], [1n, 2n, 3n]);
      assert.equal(open(r, ':tt', 3), 4n);  // r+b: stdin
      assert.equal(open(r, ':tt', 7), 5n);  // w+b: stdout
      assert.equal(open(r, ':tt', 11), 6n); // a+b: stderr
      assert.equal(write(r, hout, 'out'), 0n);
      assert.equal(write(r, herr, 'err'), 0n);
      assert.equal(write(r, 5n, 'o2'), 0n);
      assert.equal(write(r, 6n, 'e2'), 0n);
      assert.deepEqual(r.tty, [['stdout', 'out'], ['stderr', 'err'], ['stdout', 'o2'], ['stderr', 'e2']]);
      assert.deepEqual(r.out, []);
      // Input: a line at a time, then EOF → everything "not read".
      r.input.push(...new TextEncoder().encode('ab\ncd'));
      assert.deepEqual(read(r, hin, 10), { left: 7n, text: 'ab\n' });
      assert.deepEqual(read(r, hin, 1), { left: 0n, text: 'c' });
      assert.deepEqual(read(r, hin, 10), { left: 9n, text: 'd' });
      assert.deepEqual(read(r, hin, 10), { left: 10n, text: '' });
      // Console properties.
      assert.equal(r.call(SYS.ISTTY, r.g.words(hout)), 1n);
      assert.equal(r.call(SYS.FLEN, r.g.words(hout)), 0n);
      assert.equal(r.call(SYS.SEEK, r.g.words(hout, 0)), r.m1);
      assert.equal(r.errno(), E.ESPIPE);
      assert.equal(close(r, hout), 0n);
      assert.equal(close(r, hout), r.m1);
      assert.equal(r.errno(), E.EBADF);
      assert.equal(open(r, ':tt', 4), 2n); // lowest free handle is reused
    });

    it('":tt" output defaults to consoleOut', () => {
      dir = path.join(tmp, `w${ws}-default`);
      fs.mkdirSync(dir);
      const out: string[] = [];
      const g = new FakeGuest(ws);
      const sh = new SemihostingService(g, {
        root: dir, consoleOut: (b) => out.push(dec.decode(b)), consoleIn: () => undefined,
        cmdline: '', heapInfo: { heapBase: 0n, heapLimit: 0n, stackBase: 0n, stackLimit: 0n },
      });
      const name = g.str(':tt');
      const h = sh.call(SYS.OPEN, g.words(name, 8, 3));
      assert.deepEqual(h, { kind: 'continue', value: 1n });
      const buf = g.str('x');
      assert.deepEqual(sh.call(SYS.WRITE, g.words(1, buf, 1)), { kind: 'continue', value: 0n });
      assert.deepEqual(sh.call(SYS.WRITEC, buf), { kind: 'continue', value: 0xdeadbeefn });
      assert.deepEqual(out, ['x', 'x']);
      // SYS_READC at EOF: -1.
      assert.deepEqual(sh.call(SYS.READC, 0n), { kind: 'continue', value: (1n << BigInt(ws * 8)) - 1n });
    });

    it('SYS_READC reads the console', () => {
      fresh();
      r.input.push(0x7a, 0x0a);
      assert.equal(r.call(SYS.READC, 0n), 0x7an);
      assert.equal(r.call(SYS.READC, 0n), 0x0an);
      assert.equal(r.call(SYS.READC, 0n), r.m1);
    });

    it('":semihosting-features" reports EXIT_EXTENDED and STDOUT_STDERR', () => {
      fresh();
      assert.equal(open(r, ':semihosting-features', 4), r.m1);
      assert.equal(r.errno(), E.EACCES);
      const h = open(r, ':semihosting-features', 1);
      assert.equal(h, 1n);
      assert.equal(r.call(SYS.FLEN, r.g.words(h)), 5n);
      const buf = r.g.alloc(8);
      assert.equal(r.call(SYS.READ, r.g.words(h, buf, 8)), 3n);
      assert.deepEqual([...r.g.bytes(buf, 5)], [0x53, 0x48, 0x46, 0x42, 0x03]);
      assert.equal(r.call(SYS.READ, r.g.words(h, buf, 8)), 8n);
      assert.equal(r.call(SYS.SEEK, r.g.words(h, 4)), 0n);
      assert.equal(read(r, h, 4).left, 3n);
      assert.equal(r.call(SYS.SEEK, r.g.words(h, 6)), r.m1);
      assert.equal(r.errno(), E.EINVAL);
      assert.equal(r.call(SYS.ISTTY, r.g.words(h)), 0n);
      assert.equal(r.errno(), E.ENOTTY);
      assert.equal(write(r, h, 'x'), 1n);
      assert.equal(close(r, h), 0n);
    });

    it('file round trip: write, read, seek, flen, istty', () => {
      fresh();
      const h = open(r, 'data.bin', 4); // "w"
      assert.equal(h, 1n);
      assert.equal(write(r, h, 'hello, world'), 0n);
      assert.equal(write(r, h, ''), 0n);
      assert.equal(r.call(SYS.FLEN, r.g.words(h)), 12n);
      assert.equal(r.call(SYS.ISTTY, r.g.words(h)), 0n);
      assert.equal(r.errno(), E.ENOTTY);
      assert.equal(read(r, h, 4).left, 4n); // write-only: nothing read
      assert.equal(close(r, h), 0n);
      assert.equal(fs.readFileSync(path.join(dir, 'data.bin'), 'utf8'), 'hello, world');

      const h2 = open(r, 'data.bin', 1); // "rb"
      assert.equal(h2, 1n);
      assert.deepEqual(read(r, h2, 5), { left: 0n, text: 'hello' });
      assert.deepEqual(read(r, h2, 100), { left: 93n, text: ', world' });
      assert.deepEqual(read(r, h2, 10), { left: 10n, text: '' }); // EOF
      assert.equal(r.call(SYS.SEEK, r.g.words(h2, 7)), 0n);
      assert.deepEqual(read(r, h2, 5), { left: 0n, text: 'world' });
      assert.equal(write(r, h2, 'nope'), 4n); // read-only: nothing written
      assert.equal(close(r, h2), 0n);

      const h3 = open(r, 'data.bin', 2); // "r+"
      assert.equal(r.call(SYS.SEEK, r.g.words(h3, 7)), 0n);
      assert.equal(write(r, h3, 'WORLD'), 0n);
      assert.equal(r.call(SYS.SEEK, r.g.words(h3, 0)), 0n);
      assert.deepEqual(read(r, h3, 12), { left: 0n, text: 'hello, WORLD' });
      close(r, h3);

      // "w+" truncates.
      const h4 = open(r, 'data.bin', 6);
      assert.equal(r.call(SYS.FLEN, r.g.words(h4)), 0n);
      close(r, h4);
    });

    it('append modes append', () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'log'), 'one\n');
      const h = open(r, 'log', 8); // "a"
      assert.equal(write(r, h, 'two\n'), 0n);
      assert.equal(r.call(SYS.SEEK, r.g.words(h, 0)), 0n);
      assert.equal(write(r, h, 'three\n'), 0n);
      close(r, h);
      const h2 = open(r, 'log', 10); // "a+"
      assert.deepEqual(read(r, h2, 100).text, 'one\ntwo\nthree\n');
      assert.equal(write(r, h2, 'four\n'), 0n);
      close(r, h2);
      assert.equal(fs.readFileSync(path.join(dir, 'log'), 'utf8'), 'one\ntwo\nthree\nfour\n');
    });

    it('SYS_OPEN errors', () => {
      fresh();
      assert.equal(open(r, 'missing', 0), r.m1);
      assert.equal(r.errno(), E.ENOENT);
      const name = r.g.str('f');
      assert.equal(r.call(SYS.OPEN, r.g.words(name, 12, 1)), r.m1);
      assert.equal(r.errno(), E.EINVAL);
      // Length that does not point at the terminator.
      assert.equal(r.call(SYS.OPEN, r.g.words(r.g.str('abc'), 4, 2)), r.m1);
      assert.equal(r.errno(), E.EINVAL);
      // Length of all ones: "find the terminator".
      assert.equal(r.call(SYS.OPEN, r.g.words(r.g.str('created'), 4, r.m1)), 1n);
      assert.ok(fs.existsSync(path.join(dir, 'created')));
      // Unreadable name, unreadable block.
      assert.equal(r.call(SYS.OPEN, r.g.words(0x20n, 0, 1)), r.m1);
      assert.equal(r.errno(), E.EFAULT);
      assert.equal(r.call(SYS.OPEN, 0x20n), r.m1);
      assert.equal(r.errno(), E.EFAULT);
      assert.equal(open(r, '', 0), r.m1);
      assert.equal(r.errno(), E.ENOENT);
      assert.equal(open(r, 'sub/file', 4), r.m1);
      assert.equal(r.errno(), E.ENOENT);
    });

    it('bad handles and faults on READ/WRITE return the full length', () => {
      fresh();
      assert.equal(write(r, 42n, 'abc'), 3n);
      assert.equal(read(r, 0n, 5).left, 5n);
      assert.equal(r.call(SYS.ISTTY, r.g.words(9)), r.m1);
      assert.equal(r.errno(), E.EBADF);
      assert.equal(r.call(SYS.FLEN, r.g.words(9)), r.m1);
      assert.equal(r.call(SYS.SEEK, r.g.words(9, 0)), r.m1);
      assert.equal(close(r, 0n), r.m1);
      const h = open(r, 'f', 6);
      write(r, h, 'abcdef');
      r.call(SYS.SEEK, r.g.words(h, 0));
      // Destination not writable: nothing read, position unchanged.
      assert.equal(r.call(SYS.READ, r.g.words(h, RO_START, 4)), 4n);
      // Source unreadable: nothing written.
      assert.equal(r.call(SYS.WRITE, r.g.words(h, 0x40n, 4)), 4n);
      assert.deepEqual(read(r, h, 6), { left: 0n, text: 'abcdef' });
      // Unreadable parameter block: -1 / EFAULT.
      assert.equal(r.call(SYS.READ, 0x40n), r.m1);
      assert.equal(r.errno(), E.EFAULT);
      assert.equal(r.call(SYS.WRITE, BASE + BigInt(SIZE) - 4n), r.m1);
      close(r, h);
    });

    it('confines file names to the root', () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'inside'), 'ok');
      fs.symlinkSync(path.join(outside, 'secret'), path.join(dir, 'link-file'));
      fs.symlinkSync(outside, path.join(dir, 'link-dir'));
      fs.symlinkSync(path.join(outside, 'new-file'), path.join(dir, 'dangling'));
      fs.symlinkSync('inside', path.join(dir, 'good-link'));
      fs.mkdirSync(path.join(dir, 'sub'));
      const deny = (name: string, mode: number) => {
        assert.equal(open(r, name, mode), r.m1, name);
        assert.equal(r.errno(), E.EACCES, name);
      };
      deny('../x', 4);
      deny('/etc/passwd', 0);
      deny(path.join(outside, 'secret'), 0);
      deny('sub/../../x', 4);
      deny('link-file', 0);
      deny('link-dir/secret', 0);
      deny('link-dir/new', 4);
      deny('dangling', 4);
      deny('link-dir/missing/deeper', 4);
      assert.equal(fs.existsSync(path.join(outside, 'new-file')), false);
      assert.equal(fs.existsSync(path.join(outside, 'new')), false);
      assert.equal(fs.existsSync(path.join(path.dirname(dir), 'x')), false);
      // Allowed: relative, ../ staying inside, absolute inside, links inside.
      for (const name of ['inside', 'sub/../inside', path.join(dir, 'inside'), 'good-link', './inside']) {
        const h = open(r, name, 0);
        assert.notEqual(h, r.m1, name);
        assert.equal(read(r, h, 2).text, 'ok', name);
        close(r, h);
      }
      // remove/rename are confined too, and act on links, not their targets.
      const rm = (name: string) => r.call(SYS.REMOVE, r.g.words(r.g.str(name), new TextEncoder().encode(name).length));
      assert.equal(rm('../outside/secret'), r.m1);
      assert.equal(r.errno(), E.EACCES);
      assert.equal(rm('link-dir/secret'), r.m1);
      assert.equal(r.errno(), E.EACCES);
      assert.equal(rm('.'), r.m1);
      assert.equal(r.errno(), E.EACCES);
      assert.equal(rm('link-file'), 0n);
      assert.ok(fs.existsSync(path.join(outside, 'secret')));
      const mv = (a: string, b: string) => r.call(SYS.RENAME, r.g.words(r.g.str(a), a.length, r.g.str(b), b.length));
      assert.equal(mv('inside', '../stolen'), r.m1);
      assert.equal(r.errno(), E.EACCES);
      assert.equal(mv('link-dir/secret', 'mine'), r.m1);
      assert.equal(r.errno(), E.EACCES);
      assert.equal(fs.readFileSync(path.join(outside, 'secret'), 'utf8'), 'secret data');
    });

    it('SYS_REMOVE and SYS_RENAME', () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'a'), 'A');
      fs.mkdirSync(path.join(dir, 'd'));
      const name = (s: string) => [r.g.str(s), s.length] as const;
      assert.equal(r.call(SYS.RENAME, r.g.words(...name('a'), ...name('b'))), 0n);
      assert.equal(fs.readFileSync(path.join(dir, 'b'), 'utf8'), 'A');
      assert.equal(r.call(SYS.RENAME, r.g.words(...name('a'), ...name('c'))), r.m1);
      assert.equal(r.errno(), E.ENOENT);
      assert.equal(r.call(SYS.REMOVE, r.g.words(...name('b'))), 0n);
      assert.equal(fs.existsSync(path.join(dir, 'b')), false);
      assert.equal(r.call(SYS.REMOVE, r.g.words(...name('b'))), r.m1);
      assert.equal(r.errno(), E.ENOENT);
      assert.equal(r.call(SYS.REMOVE, r.g.words(...name('d'))), 0n); // remove() removes empty directories
      assert.equal(fs.existsSync(path.join(dir, 'd')), false);
      assert.equal(r.call(SYS.REMOVE, 0x30n), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('SYS_TMPNAM names a file inside the root', () => {
      fresh();
      const buf = r.g.alloc(64);
      assert.equal(r.call(SYS.TMPNAM, r.g.words(buf, 0x1a5, 64)), 0n);
      const name = r.g.text(buf, 64).split('\0')[0]!;
      assert.equal(name, 'semihosting-tmp-a5');
      const h = open(r, name, 4);
      assert.notEqual(h, r.m1);
      close(r, h);
      assert.ok(fs.existsSync(path.join(dir, name)));
      assert.equal(r.call(SYS.TMPNAM, r.g.words(buf, 1, name.length)), r.m1); // no room for NUL
      assert.equal(r.call(SYS.TMPNAM, r.g.words(RO_START, 1, 64)), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('time: SYS_CLOCK, SYS_TIME, SYS_ELAPSED, SYS_TICKFREQ', () => {
      fresh();
      r.g.ns = 1_234_567_890_123; // 1234.56... s
      assert.equal(r.call(SYS.CLOCK, 0n), 123456n);
      assert.equal(r.call(SYS.TIME, 0n), 1700000000n);
      assert.equal(r.call(SYS.TICKFREQ, 0n), 1_000_000_000n);
      const blk = r.g.words(0, 0);
      assert.equal(r.call(SYS.ELAPSED, blk), 0n);
      if (ws === 8) {
        assert.equal(r.g.word(blk, 0), 1_234_567_890_123n);
      } else {
        assert.equal(r.g.word(blk, 0), 1_234_567_890_123n & 0xffffffffn);
        assert.equal(r.g.word(blk, 1), 1_234_567_890_123n >> 32n);
      }
      assert.equal(r.call(SYS.ELAPSED, RO_START), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('SYS_SYSTEM is refused', () => {
      fresh();
      const cmd = 'touch pwned';
      assert.equal(r.call(SYS.SYSTEM, r.g.words(r.g.str(cmd), cmd.length)), r.m1);
      assert.equal(r.errno(), E.EPERM);
      assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
      assert.equal(r.call(SYS.SYSTEM, 0x8n), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('SYS_ERRNO starts at 0 and is sticky across successes', () => {
      fresh();
      assert.equal(r.errno(), 0);
      open(r, 'missing', 0);
      assert.equal(r.errno(), E.ENOENT);
      assert.equal(r.call(SYS.TICKFREQ, 0n), 1_000_000_000n);
      assert.equal(r.errno(), E.ENOENT);
      assert.equal(r.sh.lastErrno, E.ENOENT);
    });

    it('SYS_ISERROR', () => {
      fresh();
      assert.equal(r.call(SYS.ISERROR, r.g.words(r.m1)), 1n);
      assert.equal(r.call(SYS.ISERROR, r.g.words(1n << BigInt(ws * 8 - 1))), 1n);
      assert.equal(r.call(SYS.ISERROR, r.g.words(0)), 0n);
      assert.equal(r.call(SYS.ISERROR, r.g.words(5)), 0n);
      assert.equal(r.call(SYS.ISERROR, 0x4n), r.m1);
    });

    it('SYS_GET_CMDLINE', () => {
      fresh();
      const buf = r.g.alloc(64);
      const blk = r.g.words(buf, 64);
      assert.equal(r.call(SYS.GET_CMDLINE, blk), 0n);
      assert.equal(r.g.text(buf, 19), 'prog.elf arg1 arg2\0');
      assert.equal(r.g.word(blk, 1), 18n);
      // Exactly enough room (string + NUL) works; one less is E2BIG.
      assert.equal(r.call(SYS.GET_CMDLINE, r.g.words(buf, 19)), 0n);
      assert.equal(r.call(SYS.GET_CMDLINE, r.g.words(buf, 18)), r.m1);
      assert.equal(r.errno(), E.E2BIG);
      assert.equal(r.call(SYS.GET_CMDLINE, r.g.words(RO_START, 64)), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('SYS_HEAPINFO', () => {
      fresh();
      const info = r.g.alloc(4 * ws);
      assert.equal(r.call(SYS.HEAPINFO, r.g.words(info)), 0n);
      assert.deepEqual([0, 1, 2, 3].map((i) => r.g.word(info, i)), [0x80100000n, 0x88000000n, 0x88000000n, 0x80100000n]);
      assert.equal(r.call(SYS.HEAPINFO, r.g.words(RO_START)), r.m1);
      assert.equal(r.errno(), E.EFAULT);
    });

    it('SYS_EXIT and SYS_EXIT_EXTENDED', () => {
      fresh();
      const exit = (op: number, param: bigint) => {
        const res = r.sh.call(op, param);
        assert.equal(res.kind, 'exit');
        return res as { kind: 'exit'; code: number; reason: string };
      };
      if (ws === 4) {
        // The parameter is the reason itself; no status can be passed.
        assert.equal(exit(SYS.EXIT, 0x20026n).code, 0);
        const e = exit(SYS.EXIT, 0x20023n);
        assert.equal(e.code, 1);
        assert.match(e.reason, /ADP_Stopped_RunTimeErrorUnknown/);
        assert.equal(exit(SYS.EXIT, 0x1234n).code, 1);
      } else {
        // A pointer to {reason, subcode}.
        assert.equal(exit(SYS.EXIT, r.g.words(0x20026, 3)).code, 3);
        assert.equal(exit(SYS.EXIT, r.g.words(0x20026, 0)).code, 0);
        const big = exit(SYS.EXIT, r.g.words(0x20026, 257));
        assert.equal(big.code, 1);
        assert.match(big.reason, /status 257/);
        assert.equal(exit(SYS.EXIT, r.g.words(0x20026, -1)).code, 255);
        assert.equal(exit(SYS.EXIT, r.g.words(0x20023, 7)).code, 1);
        // The reason register value 0x20026 is a pointer here: unreadable → -1 / EFAULT.
        assert.equal(r.call(SYS.EXIT, 0x20026n), r.m1);
        assert.equal(r.errno(), E.EFAULT);
      }
      // SYS_EXIT_EXTENDED takes the block on both widths.
      assert.equal(exit(SYS.EXIT_EXTENDED, r.g.words(0x20026, 42)).code, 42);
      assert.equal(exit(SYS.EXIT_EXTENDED, r.g.words(0x20024, 42)).code, 1);
      assert.equal(r.call(SYS.EXIT_EXTENDED, 0x8n), r.m1);
    });

    it('unknown operations are a UserError naming the op', () => {
      fresh();
      assert.throws(() => r.sh.call(0x14, 0n), (e: unknown) =>
        e instanceof UserError && e.message === 'Unsupported SemiHosting SWI 0x14');
      assert.throws(() => r.sh.call(0x100, 0n), /SWI 0x100$/);
      assert.throws(() => r.sh.call(SYS.SYNCCACHE, 0n), /SWI 0x19/);
      const a64 = fresh({ syncCache: true });
      assert.equal(a64.call(SYS.SYNCCACHE, a64.g.words(0, 0)), 0n);
    });

    it('close() closes host files', () => {
      fresh();
      const fds = () => (fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : -1);
      const before = fds();
      open(r, 'one', 4);
      open(r, 'two', 4);
      open(r, ':tt', 4);
      if (before >= 0) assert.equal(fds(), before + 2);
      r.sh.close();
      if (before >= 0) assert.equal(fds(), before);
      assert.equal(close(r, 1n), r.m1);
      assert.equal(r.errno(), E.EBADF);
      r.sh.close(); // idempotent
    });
  });
}

describe('semihosting, other', () => {
  it('reads parameter blocks in big-endian order', () => {
    const r = rig(4, tmp, {}, 'big');
    const buf = r.g.alloc(64);
    assert.equal(r.call(SYS.GET_CMDLINE, r.g.words(buf, 64)), 0n);
    assert.equal(r.g.text(buf, 8), 'prog.elf');
    assert.equal(r.g.mem[Number(buf - BASE)], 0x70);
  });

  it('a missing root is a UserError', () => {
    assert.throws(() => rig(4, path.join(tmp, 'does-not-exist')), UserError);
  });

  it('masks the parameter to the word size', () => {
    const r = rig(4, tmp);
    assert.equal(r.sh.call(SYS.EXIT, 0xffff_ffff_0002_0026n).kind, 'exit');
    assert.equal((r.sh.call(SYS.EXIT, 0xffff_ffff_0002_0026n) as { code: number }).code, 0);
  });
});
