import type { Counter, Scoreboard } from './api.js';

/** A per-vCPU counter stored in a Float64Array so generated code can update it inline. */
export class CounterImpl implements Counter {
  readonly values: Float64Array;
  constructor(readonly name: string, vcpus: number) {
    this.values = new Float64Array(Math.max(1, vcpus));
  }
  get(vcpu: number): number { return this.values[vcpu] ?? 0; }
  set(vcpu: number, value: number): void { this.values[vcpu] = value; }
  sum(): number {
    let s = 0;
    for (const v of this.values) s += v;
    return s;
  }
}

export class ScoreboardImpl<T> implements Scoreboard<T> {
  private readonly entries: T[] = [];
  constructor(private readonly init: (vcpu: number) => T) {}
  get(vcpu: number): T {
    let e = this.entries[vcpu];
    if (e === undefined) {
      for (let i = this.entries.length; i <= vcpu; i++) this.entries.push(this.init(i));
      e = this.entries[vcpu]!;
    }
    return e;
  }
  all(): readonly T[] { return this.entries; }
}
