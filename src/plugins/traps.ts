/**
 * traps: count interrupts, exceptions and host calls per vCPU.
 *
 *     -plugin traps[,api=discon|flow]
 *
 * `api=flow` counts through `onControlFlow(Flow.Traps)` instead of `onDiscontinuity` (the same
 * events: `npm run bench` shows that registering only trap kinds there costs the same).
 *
 * At exit prints one row per vCPU and a total:
 *
 *     vcpu  | interrupts | exceptions | host calls
 *     0     |         12 |          3 |          1
 *     total |         12 |          3 |          1
 */
import { definePlugin, Discon, Flow, UserError } from '../plugin/api.js';

export default definePlugin({
  name: 'traps',
  description: 'per-vCPU counts of interrupts, exceptions and host calls',
  args: {
    api: { type: 'string', default: 'discon', help: 'register with onDiscontinuity (discon) or onControlFlow (flow)' },
  },
  install(api, args) {
    const counts = api.scoreboard(() => ({ interrupts: 0, exceptions: 0, hostcalls: 0 }));
    const count = (vcpu: number, kind: number): void => {
      const c = counts.get(vcpu);
      if (kind === Discon.Interrupt) c.interrupts++;
      else if (kind === Discon.Exception) c.exceptions++;
      else c.hostcalls++;
    };
    if (args.api === 'flow') api.onControlFlow(Flow.Traps, (vcpu, e) => count(vcpu, e.kind));
    else if (args.api === 'discon') api.onDiscontinuity(Discon.All, count);
    else throw new UserError(`traps: api=${String(args.api)}: expected discon or flow`);

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
