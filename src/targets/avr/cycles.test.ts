/**
 * Cycle counts of every instruction, as the AVR Instruction Set Manual gives them for the
 * ATmega328P (AVRe+, 16-bit PC): each case runs `setup` alone and `setup` followed by the
 * instruction, and compares the difference. Branches and skips are checked taken and not taken,
 * skips over one- and two-word instructions. The last test checks every encoding has a case.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BY_ID, ENCODINGS, sregMask } from './encodings.js';
import { encodingOf } from './test-support/asm.js';
import { runAvr } from './test-support/harness.js';

/** [instruction, setup, cycles]: the instruction's first line names the encoding. */
type Case = [insn: string, setup: string, cycles: number, note?: string];

const SP_SETUP = 'ldi r16, 0xff\nout 0x3d, r16\nldi r16, 0x08\nout 0x3e, r16';

const CASES: Case[] = [
  ['add r1, r2', '', 1], ['adc r1, r2', '', 1], ['adiw r24, 1', '', 2], ['sub r1, r2', '', 1], ['subi r16, 1', '', 1],
  ['sbc r1, r2', '', 1], ['sbci r16, 1', '', 1], ['sbiw r24, 1', '', 2], ['and r1, r2', '', 1], ['andi r16, 1', '', 1],
  ['or r1, r2', '', 1], ['ori r16, 1', '', 1], ['eor r1, r2', '', 1], ['com r1', '', 1], ['neg r1', '', 1],
  ['inc r1', '', 1], ['dec r1', '', 1], ['mul r1, r2', '', 2], ['muls r16, r17', '', 2], ['mulsu r16, r17', '', 2],
  ['fmul r16, r17', '', 2], ['fmuls r16, r17', '', 2], ['fmulsu r16, r17', '', 2],
  ['rjmp .+0', '', 2], ['ijmp', 'ldi r30, 3\nldi r31, 0', 2, 'Z = word 3: the instruction right after it'],
  ['jmp 4', '', 3, 'byte 4: the instruction after it'],
  ['rcall .+0', SP_SETUP, 3], ['icall', `${SP_SETUP}\nldi r30, 7\nldi r31, 0`, 3], ['call 12', SP_SETUP, 4],
  ['ret', `${SP_SETUP}\nldi r16, 9\npush r16\nldi r16, 0\npush r16`, 4, 'returns to word 9: the instruction after it'],
  ['reti', `${SP_SETUP}\nldi r16, 9\npush r16\nldi r16, 0\npush r16`, 4],
  ['cpse r1, r2', 'ldi r16, 1\nmov r1, r16', 1, 'not equal: no skip'],
  ['cpse r1, r2\nnop', '', 2, 'equal: skips a one-word instruction'],
  ['cpse r1, r2\nlds r0, 0x100', '', 3, 'skips a two-word instruction'],
  ['cp r1, r2', '', 1], ['cpc r1, r2', '', 1], ['cpi r16, 1', '', 1],
  ['sbrc r16, 0', 'ldi r16, 1', 1], ['sbrc r16, 0\nnop', 'ldi r16, 0', 2], ['sbrc r16, 0\njmp 0', 'ldi r16, 0', 3],
  ['sbrs r16, 0', 'ldi r16, 0', 1], ['sbrs r16, 0\nnop', 'ldi r16, 1', 2], ['sbrs r16, 0\nsts 0x100, r0', 'ldi r16, 1', 3],
  ['sbic 0x05, 0', 'sbi 0x05, 0', 1], ['sbic 0x05, 0\nnop', '', 2], ['sbic 0x05, 0\ncall 0', '', 3],
  ['sbis 0x05, 0', '', 1], ['sbis 0x05, 0\nnop', 'sbi 0x05, 0', 2], ['sbis 0x05, 0\nlds r0, 0x100', 'sbi 0x05, 0', 3],
  ['breq .+0', '', 1, 'not taken'], ['breq .+0', 'sez', 2, 'taken'], ['brne .+0', '', 2], ['brne .+0', 'sez', 1],
  ['brcs .+0', 'sec', 2], ['brcc .+0', 'sec', 1], ['brie .+0', '', 1], ['brid .+0', '', 2],
  ['mov r1, r2', '', 1], ['movw r2, r4', '', 1], ['ldi r16, 1', '', 1],
  ['lds r0, 0x100', '', 2], ['ld r0, X', 'ldi r26, 0\nldi r27, 1', 2], ['ld r0, X+', '', 2], ['ld r0, -X', '', 2],
  ['ld r0, Y', '', 2], ['ld r0, Y+', '', 2], ['ld r0, -Y', '', 2], ['ldd r0, Y+5', '', 2],
  ['ld r0, Z', '', 2], ['ld r0, Z+', '', 2], ['ld r0, -Z', '', 2], ['ldd r0, Z+5', '', 2],
  ['sts 0x100, r0', '', 2], ['st X, r0', 'ldi r26, 0\nldi r27, 1', 2], ['st X+, r0', 'ldi r27, 1', 2], ['st -X, r0', 'ldi r27, 1', 2],
  ['st Y, r0', 'ldi r29, 1', 2], ['st Y+, r0', 'ldi r29, 1', 2], ['st -Y, r0', 'ldi r29, 1', 2], ['std Y+5, r0', 'ldi r29, 1', 2],
  ['st Z, r0', 'ldi r31, 1', 2], ['st Z+, r0', 'ldi r31, 1', 2], ['st -Z, r0', 'ldi r31, 1', 2], ['std Z+5, r0', 'ldi r31, 1', 2],
  ['lpm', '', 3], ['lpm r1, Z', '', 3], ['lpm r1, Z+', '', 3], ['elpm', '', 3], ['elpm r1, Z', '', 3], ['elpm r1, Z+', '', 3],
  ['spm', '', 1, 'the manual gives no count: the page operations halt the CPU for ms, not modelled'],
  ['in r1, 0x3f', '', 1], ['out 0x05, r1', '', 1], ['push r1', SP_SETUP, 2], ['pop r1', SP_SETUP, 2],
  ['lsr r1', '', 1], ['ror r1', '', 1], ['asr r1', '', 1], ['swap r1', '', 1],
  ['sbi 0x05, 1', '', 2], ['cbi 0x05, 1', '', 2], ['bst r1, 1', '', 1], ['bld r1, 1', '', 1],
  ['sec', '', 1], ['clc', '', 1], ['sei', '', 1], ['cli', '', 1],
  ['nop', '', 1], ['sleep', '', 1, 'SMCR.SE clear: no sleep'], ['wdr', '', 1], ['break', '', 1, 'no debugger: a NOP'],
];

describe('cycles of every instruction', () => {
  for (const [insn, setup, cycles, note] of CASES) {
    it(`${insn.replace('\n', '; ')}${setup ? ` after ${setup.split('\n').length} setup line(s)` : ''}: ${cycles}${note ? ` (${note})` : ''}`, async () => {
      const base = await runAvr(setup);
      const withInsn = await runAvr(`${setup}\n${insn}`);
      assert.equal(withInsn.cycles - base.cycles, cycles);
    });
  }

  it('no instruction touches an SREG bit its table entry does not list as written', async () => {
    // SREG = 0xff first (I set: nothing is pending, so no interrupt is taken); every bit the
    // instruction does not write must still be set afterwards. SREG writers themselves (BCLR,
    // OUT/ST to SREG), setups that change flags and jumps to absolute addresses (the two
    // instructions in front move them) are left out.
    for (const [insn, setup] of CASES) {
      const first = insn.split('\n')[0]!;
      const id = encodingOf(first)!;
      if (['bclr', 'ijmp', 'jmp', 'call', 'icall', 'ret', 'reti'].includes(id) || /\b(se[czn vsht]|cl[cznvsht]|sei|cli)\b/.test(setup)) continue;
      const r = await runAvr(`ldi r20, 0xff\nout 0x3f, r20\n${setup}\n${insn}`, { maxCycles: 1000 }).catch((e: Error) => { throw new Error(`${first}: ${e.message}`); });
      const may = sregMask(BY_ID.get(id)!.writes) | (id === 'sbc' || id === 'sbci' || id === 'cpc' ? 2 : 0);
      assert.equal(r.sreg | may, 0xff, `${first}: SREG 0x${r.sreg.toString(16)}, may write 0x${may.toString(16)}`);
    }
  });

  it('every encoding has a case', () => {
    const seen = new Set(CASES.map(([insn]) => encodingOf(insn.split('\n')[0]!)));
    assert.deepEqual(ENCODINGS.map((e) => e.id).filter((id) => !seen.has(id)), []);
  });
});
