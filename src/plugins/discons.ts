/**
 * discons: check every discontinuity against the instruction stream (discon-semantics.md §5).
 *
 *     -plugin discons[,abort=off][,trace-all=on][,flow=on]
 *
 * Per vCPU it keeps the last executed instruction (PC, size, flow class) and the target of the
 * last event while no instruction has executed since. Checks:
 *
 * - exec: a pending target must be this PC (target mismatch).
 * - (a) an event with a target still pending: `fromPc` = that target (a double trap);
 * - (b) Exception/HostCall: `fromPc` = last PC, or last PC + size after a sequential one (fetch fault);
 * - (c) Interrupt: `fromPc` = last PC + size;
 *   (b) and (c) are skipped (and counted) after a control transfer or before any instruction;
 * - (d) HostCall: `toPc` = `fromPc` + size.
 *
 * `abort` (default on) stops the run at the first mismatch (the callback throws the report);
 * `abort=off` prints each report and goes on. `trace-all` prints every event. A report reads
 *
 *     discons: mismatch source vcpu 0 kind interrupt: expected 0x80000010, found 0x8000000c, last pc 0x8000000c
 *
 * and at exit: `discons: checked N events, skipped M, K mismatches`.
 *
 * `flow=on` checks every control-flow event too (`onControlFlow(Flow.Any)`), so nothing is
 * skipped: a transfer event must come from the last executed instruction (`fromPc` = last PC, no
 * target pending), a not-taken branch or fall-through must go to last PC + size, its `toPc` is
 * then pending like a trap's; and executing anything but last PC + size without an event in
 * between is an `unexplained` mismatch (a transfer no event reported).
 * Addresses compare exactly (the API has no virtual-to-physical translation).
 */
import { definePlugin, Discon, Flow, flowName, FlowClass } from '../plugin/api.js';

interface VcpuState {
  hasLast: boolean;
  lastPc: bigint;
  /** Last PC + its size, computed at translation so exec does no bigint arithmetic. */
  lastNext: bigint;
  lastFlow: FlowClass;
  hasPending: boolean;
  pending: bigint;
  pendingKind: number;
}

const hex = (a: bigint) => `0x${a.toString(16)}`;

export default definePlugin({
  name: 'discons',
  description: 'checks discontinuity events against the executed instructions',
  args: {
    abort: { type: 'bool', default: true, help: 'stop at the first mismatch' },
    'trace-all': { type: 'bool', default: false, help: 'print every event' },
    flow: { type: 'bool', default: false, help: 'also check branch, jump, call, return and fall-through events' },
  },
  install(api, args) {
    const abort = args.abort as boolean;
    const traceAll = args['trace-all'] as boolean;
    const flowMode = args.flow as boolean;
    const states = api.scoreboard<VcpuState>(() => ({
      hasLast: false, lastPc: 0n, lastNext: 0n, lastFlow: FlowClass.Sequential,
      hasPending: false, pending: 0n, pendingKind: 0,
    }));
    let events = 0, skipped = 0, mismatches = 0;

    function mismatch(which: 'source' | 'target' | 'unexplained', vcpu: number, kind: number, expected: bigint, found: bigint, s: VcpuState) {
      mismatches++;
      const line = `discons: mismatch ${which} vcpu ${vcpu} kind ${kind === 0 ? 'none' : flowName(kind)}: ` +
        `expected ${hex(expected)}, found ${hex(found)}, last pc ${s.hasLast ? hex(s.lastPc) : 'none'}`;
      if (abort) throw new Error(line);
      api.out(line + '\n');
    }

    function exec(vcpu: number, pc: bigint, next: bigint, flow: FlowClass) {
      const s = states.get(vcpu);
      if (s.hasPending) {
        s.hasPending = false;
        if (pc !== s.pending) mismatch('target', vcpu, s.pendingKind, s.pending, pc, s);
      } else if (flowMode && s.hasLast && pc !== s.lastNext) {
        mismatch('unexplained', vcpu, 0, s.lastNext, pc, s);
      }
      s.hasLast = true;
      s.lastPc = pc;
      s.lastNext = next;
      s.lastFlow = flow;
    }

    api.onTranslate(tb => {
      for (const insn of tb.insns) {
        const pc = insn.vaddr, next = insn.vaddr + BigInt(insn.size), flow = insn.flow;
        insn.onExec(vcpu => exec(vcpu, pc, next, flow));
      }
    });

    function transfer(vcpu: number, kind: number, fromPc: bigint, toPc: bigint) {
      events++;
      if (traceAll) api.out(`discons: vcpu ${vcpu} ${flowName(kind)} from ${hex(fromPc)} to ${hex(toPc)}\n`);
      const s = states.get(vcpu);
      if (s.hasPending) mismatch('source', vcpu, kind, s.pending, fromPc, s);
      else if (!s.hasLast || fromPc !== s.lastPc) mismatch('source', vcpu, kind, s.lastPc, fromPc, s);
      else if ((kind === Flow.BranchNotTaken || kind === Flow.FallThrough) && toPc !== s.lastNext) mismatch('target', vcpu, kind, s.lastNext, toPc, s);
      s.hasPending = true;
      s.pending = toPc;
      s.pendingKind = kind;
    }

    function discon(vcpu: number, kind: number, fromPc: bigint, toPc: bigint) {
      events++;
      if (traceAll) api.out(`discons: vcpu ${vcpu} ${flowName(kind)} from ${hex(fromPc)} to ${hex(toPc)}\n`);
      const s = states.get(vcpu);
      const afterEvent = s.hasPending;
      if (afterEvent) {
        // (a) nothing executed since the previous event: we come from its target.
        if (fromPc !== s.pending) mismatch('source', vcpu, kind, s.pending, fromPc, s);
      } else if (!s.hasLast || (!flowMode && s.lastFlow === FlowClass.Transfer)) {
        skipped++; // we cannot know where a transfer went
      } else if (kind === Discon.Interrupt) {
        // (c) taken between instructions: the return address is the next one.
        if (fromPc !== s.lastNext) mismatch('source', vcpu, kind, s.lastNext, fromPc, s);
      } else {
        // (b) caused by the last instruction, or by fetching the one after a sequential one.
        const fetchFault = s.lastFlow === FlowClass.Sequential && fromPc === s.lastNext;
        if (fromPc !== s.lastPc && !fetchFault) mismatch('source', vcpu, kind, s.lastPc, fromPc, s);
      }
      // (d) a host call resumes after the calling instruction.
      if (kind === Discon.HostCall && !afterEvent && s.hasLast && fromPc === s.lastPc && toPc !== s.lastNext) {
        mismatch('target', vcpu, kind, s.lastNext, toPc, s);
      }
      s.hasPending = true;
      s.pending = toPc;
      s.pendingKind = kind;
    }

    if (flowMode) {
      api.onControlFlow(Flow.Any, (vcpu, e) => {
        if (e.kind <= Flow.HostCall) discon(vcpu, e.kind, e.fromPc, e.toPc);
        else transfer(vcpu, e.kind, e.fromPc, e.toPc);
      });
    } else {
      api.onDiscontinuity(Discon.All, discon);
    }

    api.onExit(() => {
      api.out(`discons: checked ${events} events, skipped ${skipped}, ${mismatches} mismatches\n`);
    });
  },
});
