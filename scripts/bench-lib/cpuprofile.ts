/**
 * Self time per function from a V8 `.cpuprofile` (as written by `node --cpu-prof`).
 *
 * The format: `nodes` (call-tree nodes, each with a `callFrame`), `samples` (the id of the node
 * on top of the stack at each sample) and `timeDeltas` (µs from the previous sample to this
 * one). Like Chrome DevTools, a sample lasts until the next one: sample i gets timeDeltas[i + 1],
 * the last one runs to `endTime`. Self time is then summed per node and aggregated by
 * function + url + line, so one function reached through several call paths is one row (and
 * every generated block compiled from the same template, e.g. JIT `tb` functions, is one row).
 */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number; // 0-based, -1 when unknown
  columnNumber: number;
  scriptId?: string | number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number; // µs
  endTime: number; // µs
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionSelfTime {
  functionName: string; // '(anonymous)' when V8 gave none
  url: string;
  line: number; // 1-based, 0 when unknown
  selfUs: number;
  samples: number;
}

export interface ProfileSummary {
  totalUs: number; // sum of all sample durations
  samples: number;
  functions: FunctionSelfTime[]; // sorted by self time, largest first
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);

  // Timestamp of each sample, then each sample's duration = gap to the next one.
  const stamps: number[] = new Array(samples.length);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += Math.max(0, deltas[i] ?? 0);
    stamps[i] = t;
  }
  const selfUs = new Map<number, number>();
  const hits = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < samples.length ? stamps[i + 1]! : Math.max(stamps[i]!, profile.endTime);
    const d = Math.max(0, next - stamps[i]!);
    const id = samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + d);
    hits.set(id, (hits.get(id) ?? 0) + 1);
    totalUs += d;
  }

  const agg = new Map<string, FunctionSelfTime>();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)?.callFrame;
    const functionName = cf?.functionName || '(anonymous)';
    const url = cf?.url ?? '';
    const line = cf && cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
    const key = `${functionName}\u0000${url}\u0000${line}`;
    let e = agg.get(key);
    if (!e) agg.set(key, (e = { functionName, url, line, selfUs: 0, samples: 0 }));
    e.selfUs += us;
    e.samples += hits.get(id) ?? 0;
  }
  const functions = [...agg.values()].sort((a, b) => b.selfUs - a.selfUs || b.samples - a.samples);
  return { totalUs, samples: samples.length, functions };
}

/** A readable location: project-relative path for the project's files, a label for the rest. */
export function describeLocation(f: FunctionSelfTime, projectRoot: string): string {
  let url = f.url;
  if (url === '') {
    // V8 pseudo-frames ((program), (garbage collector), (idle), (root)) and code without a
    // script URL, which here means functions compiled at run time via `new Function`.
    return f.functionName.startsWith('(') ? '' : `(generated code)${f.line ? ` :${f.line}` : ''}`;
  }
  if (url.startsWith('file://')) {
    try {
      url = decodeURIComponent(new URL(url).pathname);
    } catch {
      /* keep as is */
    }
  }
  const root = projectRoot.endsWith('/') ? projectRoot : projectRoot + '/';
  if (url.startsWith(root)) url = url.slice(root.length);
  return f.line ? `${url}:${f.line}` : url;
}
