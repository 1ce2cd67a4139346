/**
 * Assembly of generated JavaScript: a block's source plus the constants it closes over (plugin
 * callbacks, counters, typed-array views) become one function via `new Function`. Constants are
 * bound as closure variables of a factory, which V8 reads as fast context slots.
 */
export class JitBuilder {
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];
  private readonly byValue = new Map<unknown, string>();

  /** Name under which `value` is visible in the generated code (deduplicated). */
  constant(value: unknown, hint = 'k'): string {
    const have = this.byValue.get(value);
    if (have !== undefined) return have;
    const name = `${hint}${this.names.length}`;
    this.names.push(name);
    this.values.push(value);
    this.byValue.set(value, name);
    return name;
  }

  /** Compile `body` as `function (param) { body }` closing over the constants. */
  compile<F extends (...args: never[]) => unknown>(param: string, body: string, label = 'tb'): F {
    const src = `"use strict";\nreturn function ${label}(${param}) {\n${body}\n};`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function(...this.names, src) as (...v: unknown[]) => F;
    return factory(...this.values);
  }
}
