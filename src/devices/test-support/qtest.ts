/**
 * A small client for QEMU's qtest protocol (`-qtest stdio`), used to cross-check the `virt`
 * device models against QEMU 7.2 itself: physical reads and writes of any size go straight to the
 * devices (no CPU), interrupt outputs of one device can be intercepted, and virtual time can be
 * stepped. The CPU stays stopped (`-S`).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export const QEMU_RISCV64 = 'qemu-system-riscv64';
export const QEMU_ARM = 'qemu-system-arm';

/** Whether `qemu-system-riscv64` (or `binary`) is installed and is version 7.2.x (the models follow 7.2). */
export function qemuAvailable(binary: string = QEMU_RISCV64): boolean {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /version 7\.2\./.test(r.stdout);
}

/** Which QEMU to start and with what base arguments (default: `qemu-system-riscv64 -M virt`, stopped). */
export interface QTestTarget {
  /** The QEMU binary (default {@link QEMU_RISCV64}). */
  binary?: string;
  /**
   * Arguments before `-qtest stdio` and the extra ones (default
   * `-M virt -bios none -display none -S`).
   */
  baseArgs?: string[];
}

/** QOM paths of `virt` devices with `-smp 1` (creation order in virt_machine_init). */
export const QOM = {
  PLIC: '/machine/unattached/device[2]',
  RTC: '/machine/unattached/device[15]',
} as const;

export type AccessSize = 1 | 2 | 4 | 8;
const SUFFIX: Record<AccessSize, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

export class QTest {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly early: string[] = [];
  /** Output levels of the intercepted device, by GPIO-out index. */
  readonly irqLevels = new Map<number, boolean>();
  private closed = false;

  /** Start `qemu-system-riscv64 -M virt` stopped (or `target`), under qtest, with extra arguments. */
  constructor(extraArgs: string[] = [], target: QTestTarget = {}) {
    this.proc = spawn(target.binary ?? QEMU_RISCV64, [
      ...(target.baseArgs ?? ['-M', 'virt', '-bios', 'none', '-display', 'none', '-S']),
      '-qtest', 'stdio', ...extraArgs,
    ]);
    this.proc.stderr.resume();
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (line) => {
      const m = /^IRQ (raise|lower) (\d+)$/.exec(line);
      if (m) {
        this.irqLevels.set(Number(m[2]), m[1] === 'raise');
        return;
      }
      const w = this.waiting.shift();
      if (w) w(line);
      else this.early.push(line);
    });
    this.proc.on('exit', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w('FAIL qemu exited');
    });
  }

  /** Send one command; resolves with the response line ("OK ..." or "FAIL ..."). */
  cmd(line: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error('qtest: QEMU has exited'));
    return new Promise((resolve, reject) => {
      this.waiting.push((resp) => (resp.startsWith('OK') ? resolve(resp) : reject(new Error(`qtest: ${line} -> ${resp}`))));
      this.proc.stdin.write(line + '\n');
    });
  }

  /** Physical read of `size` bytes; the value as a bigint. */
  async read(addr: number, size: AccessSize): Promise<bigint> {
    const r = await this.cmd(`read${SUFFIX[size]} 0x${addr.toString(16)}`);
    return BigInt(r.split(' ')[1]!);
  }

  /** Physical write of `size` bytes. */
  async write(addr: number, size: AccessSize, value: bigint | number): Promise<void> {
    await this.cmd(`write${SUFFIX[size]} 0x${addr.toString(16)} 0x${BigInt(value).toString(16)}`);
  }

  /** Report the GPIO outputs of the device at `path` (one device per QEMU). */
  async interceptOut(path: string): Promise<void> {
    await this.cmd(`irq_intercept_out ${path}`);
  }

  /** Drive unnamed GPIO input `n` of the device at `path`. */
  async setIrqIn(path: string, n: number, level: number): Promise<void> {
    await this.cmd(`set_irq_in ${path} unnamed-gpio-in ${n} ${level}`);
  }

  /** Advance the virtual clock by `ns` (running due timers); resolves with the new time. */
  async clockStep(ns: number): Promise<bigint> {
    const r = await this.cmd(`clock_step ${ns}`);
    return BigInt(r.split(' ')[1]!);
  }

  close(): void {
    if (!this.closed) this.proc.kill();
    this.closed = true;
  }
}

/** A deterministic PRNG (mulberry32) for reproducible random access sequences. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
