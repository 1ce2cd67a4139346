/** Loads the golden E-Trace data copied into ../fixtures (see fixtures/README.md). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseEncoderInput } from '../csv.js';
import type { IngressRow } from '../ingress.js';
import { ProgramImage } from '../image.js';
import type { EtraceParams } from '../params.js';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
export const GUESTS = ['branchy', 'calls', 'jump_exc', 'priv_modes', 'timer_irq', 'rv32_mix'] as const;
export type Guest = (typeof GUESTS)[number];
export type Config = 'a' | 'b';
export const CONFIGS: readonly Config[] = ['a', 'b'];

const gz = (path: string): string => gunzipSync(readFileSync(path)).toString('utf8');

/** Parameters of a golden run. */
export function goldenParams(g: Guest, c: Config): Partial<EtraceParams> {
  return { iaddressWidthP: g === 'rv32_mix' ? 32 : 64, itypeWidthP: c === 'a' ? 3 : 4, resyncMax: c === 'a' ? 0 : 2 };
}

export function elfPath(g: Guest): string {
  return `${FIXTURES}${g}/${g}.elf`;
}
export function rawPath(g: Guest, c: Config): string {
  return `${FIXTURES}${g}/${c}/${g}.te_inst_raw`;
}
export function loadImage(g: Guest): ProgramImage {
  return ProgramImage.fromElf(readFileSync(elfPath(g)), `${g}.elf`);
}
export function loadRows(g: Guest, c: Config): IngressRow[] {
  return parseEncoderInput(gz(`${FIXTURES}${g}/${c}/${g}.encoder_input.csv.gz`));
}
export function loadRaw(g: Guest, c: Config): Uint8Array {
  return new Uint8Array(readFileSync(rawPath(g, c)));
}
export function loadTeInstCsv(g: Guest, c: Config): string {
  return gz(`${FIXTURES}${g}/${c}/${g}.te_inst.csv.gz`);
}
/** The pc_trace text (one lowercase hex PC per line). */
export function loadPcTraceText(g: Guest): string {
  return gz(`${FIXTURES}${g}/${g}.pc_trace.gz`);
}
export function loadPcTrace(g: Guest): string[] {
  return loadPcTraceText(g).trim().split('\n');
}
/** traps.csv rows: type and cause. */
export function loadTraps(g: Guest): { interrupt: boolean; cause: number }[] {
  return readFileSync(`${FIXTURES}${g}/${g}.traps.csv`, 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(','))
    .map((f) => ({ interrupt: f[1] === 'interrupt', cause: Number(f[2]) }));
}
