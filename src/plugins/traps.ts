/**
 * traps: count interrupts, exceptions and host calls per vCPU.
 *
 *     -plugin traps
 *
 * At exit prints one row per vCPU and a total:
 *
 *     vcpu  | interrupts | exceptions | host calls
 *     0     |         12 |          3 |          1
 *     total |         12 |          3 |          1
 */
import { definePlugin, Discon } from '../plugin/api.js';

export default definePlugin({
  name: 'traps',
  description: 'per-vCPU counts of interrupts, exceptions and host calls',
  install(api) {
    const counts = api.scoreboard(() => ({ interrupts: 0, exceptions: 0, hostcalls: 0 }));

    api.onDiscontinuity(Discon.All, (vcpu, kind) => {
      const c = counts.get(vcpu);
      if (kind === Discon.Interrupt) c.interrupts++;
      else if (kind === Discon.Exception) c.exceptions++;
      else c.hostcalls++;
    });

    api.onExit(() => {
      const row = (label: string, i: number, e: number, h: number) =>
        `${label.padEnd(5)} | ${String(i).padStart(10)} | ${String(e).padStart(10)} | ${String(h).padStart(10)}\n`;
      let report = 'vcpu  | interrupts | exceptions | host calls\n';
      const total = { interrupts: 0, exceptions: 0, hostcalls: 0 };
      for (let v = 0; v < Math.max(api.vcpus, counts.all().length); v++) {
        const c = counts.get(v);
        report += row(String(v), c.interrupts, c.exceptions, c.hostcalls);
        total.interrupts += c.interrupts;
        total.exceptions += c.exceptions;
        total.hostcalls += c.hostcalls;
      }
      report += row('total', total.interrupts, total.exceptions, total.hostcalls);
      api.out(report);
    });
  },
});
