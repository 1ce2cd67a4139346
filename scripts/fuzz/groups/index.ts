/**
 * The instruction groups. To add one (F/D, bitmanip, page tables, ...): write a `Group` in this
 * directory (see gen.ts for the interface and the helpers in GenCtx) and list it here. Groups in
 * DEFAULT_GROUPS make up `--group all`.
 */
import type { Group } from '../gen.js';
import { alu } from './alu.js';
import { amo } from './amo.js';
import { bitmanip } from './bitmanip.js';
import { branch } from './branch.js';
import { counters } from './counters.js';
import { csr } from './csr.js';
import { fp } from './fp.js';
import { mem } from './mem.js';
import { paging } from './paging.js';
import { rvc } from './rvc.js';
import { traps } from './traps.js';

export const GROUPS: readonly Group[] = [alu, mem, amo, csr, rvc, branch, traps, counters, bitmanip, fp, paging];

export const DEFAULT_GROUPS: readonly string[] = ['alu', 'mem', 'amo', 'csr', 'rvc', 'branch', 'traps', 'counters', 'bitmanip', 'fp', 'paging'];

/** `all`, or a comma-separated list of group names. */
export function selectGroups(spec: string): Group[] {
  const names = spec === 'all' ? DEFAULT_GROUPS : spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.map((n) => {
    const g = GROUPS.find((x) => x.name === n);
    if (g === undefined) throw new Error(`unknown group '${n}' (known: ${GROUPS.map((x) => x.name).join(', ')}, all)`);
    return g;
  });
}
