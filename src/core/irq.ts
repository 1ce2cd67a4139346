/**
 * Interrupt wiring between devices and whatever consumes their interrupts (an interrupt
 * controller input, a CPU's pending bits). Lines are level-sensitive and architecture-neutral.
 *
 * Devices drive a line every time the model they follow would (QEMU's `qemu_set_irq` style):
 * a repeated `set(true)` on a line that is already high is still delivered, because some
 * consumers (e.g. a PLIC gateway that re-latches a pending bit) observe it.
 */

/** The driving end of a level-sensitive interrupt line. */
export interface IrqLine {
  /** Drive the line to `level` (true = asserted). */
  set(level: boolean): void;
}

/**
 * A minimal line endpoint: remembers the last level driven and forwards every `set` to a
 * callback (repeated levels included).
 */
export class IrqPin implements IrqLine {
  private lvl: boolean;

  /**
   * @param onSet called on every `set`, with the new level; defaults to doing nothing.
   * @param initial the level reported before the first `set`.
   */
  constructor(private readonly onSet: (level: boolean) => void = () => {}, initial = false) {
    this.lvl = initial;
  }

  /** The last level driven on this pin. */
  get level(): boolean {
    return this.lvl;
  }

  set(level: boolean): void {
    this.lvl = level;
    this.onSet(level);
  }
}
