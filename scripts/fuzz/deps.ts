/**
 * Everything the fuzzer takes from the project, in one place: the encoding table, compressed
 * expansion, disassembler and register names of the *built* tracehook (dist/, so the generator's
 * idea of what is legal matches the emulator under test), and the test assembler
 * (src/targets/riscv/test-support/asm.ts, which is not built) loaded at run time through tsx with a
 * local type, so that scripts/ type-checks without taking src/ into its program.
 */
export { ENCODINGS, decode, type Encoding } from '../../dist/targets/riscv/encodings.js';
export { expandCompressed } from '../../dist/targets/riscv/compressed.js';
export { disassemble } from '../../dist/targets/riscv/disasm.js';
export { csrName, XREG_NAMES } from '../../dist/targets/riscv/regnames.js';

type Xlen = 32 | 64;

interface AsmModule {
  assemble(xlen: Xlen, source: string, opts?: { origin?: bigint | number }): { bytes: Uint8Array; symbols: ReadonlyMap<string, bigint> };
  liLength(xlen: Xlen, v: bigint): number;
}

const asmModule = (await import(new URL('../../src/targets/riscv/test-support/asm.ts', import.meta.url).href)) as AsmModule;

/** Assembles `source` (see asm.ts for the syntax). */
export const assemble: AsmModule['assemble'] = asmModule.assemble;
/** Number of instructions `li rd, v` expands to. */
export const liLength: AsmModule['liLength'] = asmModule.liLength;
