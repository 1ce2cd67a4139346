/**
 * A virtual clock for device tests, driven by hand the way the engine drives it: one fake vCPU
 * whose instruction count we set, and `runTo` that advances time stopping at every event
 * deadline on the way (so events fire at their exact virtual ns, in order).
 */
import { VirtualClock } from '../../core/clock.js';

export function timeRig(shift = 0) {
  const cpu = { n: 0, retired() { return this.n; } };
  const clock = new VirtualClock(shift);
  clock.addSource(cpu);
  let fired = 0;
  /** Advance to `ns` (never backwards), firing every event due on the way. */
  const runTo = (ns: number): void => {
    for (;;) {
      const d = clock.nextDeadline();
      const target = Math.min(d, ns);
      cpu.n = Math.max(cpu.n, clock.icountAt(target));
      if (d <= clock.nowNs()) fired += clock.runDue();
      else break;
    }
  };
  return { cpu, clock, runTo, fires: (): number => fired };
}
