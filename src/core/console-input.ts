/**
 * The host side of a machine's console input: whether more input may still come, and the run
 * loop waiting for it (the runner's `inputOpen` / `waitInput`).
 */
export class ConsoleInput {
  /** No more input can arrive (no console attached, or its end was reached). */
  closed = true;
  private waiters: (() => void)[] = [];

  /** Resolves when input arrives or the input closes. */
  wait(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  /** Input was delivered to the device: wake the waiting run loop. */
  arrived(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  /** The input ended. */
  close(): void {
    this.closed = true;
    this.arrived();
  }
}
