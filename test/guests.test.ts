/**
 * Every bundled guest (guests/riscv/NAME.rv32.elf and NAME.rv64.elf) runs to completion on the
 * built CLI with the `discons` checker (aborting on the first mismatch) and `traps` loaded:
 * exit status 0, its PASS line on the console, no discontinuity mismatch, and the two plugins
 * agree on the number of events.
 *
 * Guests are found by listing guests/riscv, so a new guest is covered as soon as its ELFs are
 * committed; a guest with only one of its two ELFs fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHES, BARE, describeRun, guest, guestNames, runCli, xlenTag } from './helpers.js';

/** Per-guest differences from the default (`PASS NAME (rvXX)` on stdout, no extra flags). */
const SPECIAL: Record<string, { args?: string[]; done?: (xlen: string) => RegExp; ownDir?: boolean }> = {
  // The friendly demo prints no PASS line; it ends with a summary.
  demo: { done: () => /^Done: \d+ traps handled\. Bye!$/m },
  // The MMU variant runs the same workload code, which names itself 'workload'.
  'workload-mmu': { done: (xlen) => new RegExp(`^PASS workload \\(rv${xlen}\\)$`, 'm') },
  // Needs semihosting; creates and removes semihost-test.tmp in the working directory, so each
  // run gets a directory of its own (rv32 and rv64 run at the same time).
  semihost: { args: ['-semihosting'], ownDir: true },
  // ebreak must run WITHOUT -semihosting: the semihosting sequence is then a plain breakpoint.
};

const MAX_INSNS = '300000000';
const concurrency = Math.min(4, Math.max(2, availableParallelism()));

describe('guests run to completion under discons + traps', { concurrency }, () => {
  let scratch = '';
  before(() => { scratch = mkdtempSync(join(tmpdir(), 'tracehook-guests-')); });
  after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

  // The long-running workload first, so that it overlaps the short guests.
  const names = guestNames().sort((a, b) => Number(b === 'workload') - Number(a === 'workload'));
  it('finds the bundled guests', () => {
    assert.ok(names.length >= 10, `only ${names.length} guests in guests/riscv: ${names.join(', ')}`);
    for (const n of ['ecall', 'ebreak', 'illegal', 'faults', 'timer', 'deleg', 'semihost', 'smc', 'workload']) {
      assert.ok(names.includes(n), `guest ${n} missing`);
    }
  });

  for (const name of names) {
    for (const arch of ARCHES) {
      it(`${name} on ${arch}`, { timeout: 120_000 }, async () => {
        const elf = guest(name, arch);
        assert.ok(existsSync(elf), `${elf} missing (every guest is built for rv32 and rv64)`);
        const special = SPECIAL[name] ?? {};
        let cwd: string | undefined;
        if (special.ownDir) cwd = mkdtempSync(join(scratch, `${name}-${arch}-`));
        const r = await runCli(arch, [
          ...BARE, '-kernel', elf, ...(special.args ?? []),
          '-plugin', 'discons,abort=on', '-plugin', 'traps', '-max-insns', MAX_INSNS,
        ], { cwd });
        const xlen = xlenTag(arch).slice(2);
        assert.equal(r.code, 0, describeRun(r));
        const done = special.done?.(xlen) ?? new RegExp(`^PASS ${name} \\(rv${xlen}\\)$`, 'm');
        assert.match(r.stdout, done, describeRun(r));
        assert.doesNotMatch(r.stdout, /^\s*FAIL /m, describeRun(r));
        assert.doesNotMatch(r.stderr, /mismatch (source|target)/, describeRun(r));

        const d = /^discons: checked (\d+) events, skipped (\d+), (\d+) mismatches$/m.exec(r.stderr);
        assert.ok(d, `no discons summary: ${describeRun(r)}`);
        assert.equal(d[3], '0', describeRun(r));
        const t = /^total \| +(\d+) \| +(\d+) \| +(\d+)$/m.exec(r.stderr);
        assert.ok(t, `no traps table: ${describeRun(r)}`);
        const events = Number(t[1]) + Number(t[2]) + Number(t[3]);
        assert.equal(events, Number(d[1]), `traps counted ${events} events, discons ${d[1]}: ${describeRun(r)}`);
        if (cwd) assert.deepEqual(readdirSync(cwd), [], 'the guest left files behind in its working directory');
      });
    }
  }
});

describe('control-flow events explain every step of every guest (discons,flow=on)', { concurrency }, () => {
  let scratch = '';
  before(() => { scratch = mkdtempSync(join(tmpdir(), 'tracehook-flow-')); });
  after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });
  // The workloads run ~70M instructions: an exec callback on each is minutes, not seconds.
  for (const name of guestNames().filter((n) => !n.startsWith('workload'))) {
    for (const arch of ARCHES) {
      it(`${name} on ${arch}`, { timeout: 120_000 }, async () => {
        const special = SPECIAL[name] ?? {};
        const cwd = special.ownDir ? mkdtempSync(join(scratch, `${name}-${arch}-`)) : undefined;
        const r = await runCli(arch, [...BARE, '-kernel', guest(name, arch), ...(special.args ?? []), '-plugin', 'discons,flow=on', '-max-insns', MAX_INSNS], { cwd });
        assert.equal(r.code, 0, describeRun(r));
        const d = /^discons: checked (\d+) events, skipped (\d+), (\d+) mismatches$/m.exec(r.stderr);
        assert.ok(d, `no discons summary: ${describeRun(r)}`);
        assert.deepEqual([d[2], d[3]], ['0', '0'], describeRun(r));
        assert.ok(Number(d[1]) > 100, `only ${d[1]} events: ${describeRun(r)}`);
      });
    }
  }
});
