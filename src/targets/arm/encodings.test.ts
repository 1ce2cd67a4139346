/**
 * The encoding table as a whole: every 16-bit halfword and a large sample of 32-bit words decode
 * (or are UNDEFINED), translate to JavaScript that compiles, and disassemble; known words decode
 * to the expected rows; the ARMv6-M profile accepts only rows marked for it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../core/bus.js';
import { VirtualClock } from '../../core/clock.js';
import { PluginHost } from '../../plugin/host.js';
import { ArmCpu, MODE_SINGLE } from './cpu.js';
import { disassemble } from './disasm.js';
import { ALL_ENCODINGS, decode, isThumb32 } from './encodings.js';
import { translate } from './translate.js';

function core(profile: 'v7m' | 'v6m' = 'v7m') {
  const bus = new Bus('little');
  const ram = bus.addRam('ram', 0, 0x10000);
  const cpu = new ArmCpu({ bus, clock: new VirtualClock(0), host: new PluginHost(), profile, fastRams: [ram] });
  return { cpu, ram };
}

/** Translate the instruction at 0x100 as a one-instruction block (compiles its code). */
function compileAt(c: ReturnType<typeof core>, hw: number[], mode = 0): void {
  c.ram.view.setUint16(0x100, hw[0]!, true);
  if (hw.length > 1) c.ram.view.setUint16(0x102, hw[1]!, true);
  c.cpu.pcLo = 0x100;
  const b = translate(c.cpu, { host: new PluginHost(), symbolAt: () => undefined }, mode | MODE_SINGLE);
  assert.ok(b !== undefined);
}

describe('encoding table', () => {
  it('every 16-bit halfword translates and disassembles (outside and inside an IT block)', () => {
    const c = core();
    for (let hw = 0; hw < 0x10000; hw++) {
      if (isThumb32(hw)) continue;
      compileAt(c, [hw]);
      disassemble(hw, 2, 0x100);
      if ((hw & 0xff) === 0x5a) compileAt(c, [hw], 0x08); // ITSTATE 'eq', one instruction
    }
  });
  it('a sample of 32-bit words (every first halfword) translates and disassembles', () => {
    const c = core();
    let seed = 12345;
    const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 16; };
    for (let hw1 = 0xe800; hw1 < 0x10000; hw1++) {
      for (let j = 0; j < 2; j++) {
        const hw2 = rnd();
        compileAt(c, [hw1, hw2]);
        disassemble(((hw1 << 16) | hw2) >>> 0, 4, 0x100);
      }
    }
  });
  it('known words decode to their rows', () => {
    const cases: [number, 16 | 32, string][] = [
      [0x2001, 16, 'mov_i8'], [0x0008, 16, 'movs_r'], [0x4770, 16, 'bx'], [0xb510, 16, 'push'], [0xbd10, 16, 'pop'],
      [0xbf08, 16, 'it'], [0xbf00, 16, 'nop'], [0xbf30, 16, 'wfi'], [0xdf05, 16, 'svc'], [0xde00, 16, 'udf'], [0xb672, 16, 'cps'],
      [0xf04f407f, 32, 'mov_mi'], [0xf5017080, 32, 'add_mi'], [0xf8d10004, 32, 'ldr_i12'], [0xf8510c04, 32, 'ldr_i8'],
      [0xf85f0008, 32, 'ldr_lit_w'], [0xf8510022, 32, 'ldr_rw'], [0xe92d0ff0, 32, 'stmdb'], [0xe8bd0ff0, 32, 'ldm_w'],
      [0xf3ef8010, 32, 'mrs'], [0xf3808811, 32, 'msr'], [0xe8dff000, 32, 'tbb'], [0xe8510f00, 32, 'ldrex'],
      [0xf3c100c3, 32, 'ubfx'], [0xfbb1f0f2, 32, 'udiv'], [0xf3bf8f5f, 32, 'dmb'], [0xf7fffffe, 32, 'bl'], [0xf43faffe, 32, 'b_c32'],
      [0xea4f04c8, 32, 'lsl_is'], [0xea5f0132, 32, 'rrx'], [0xee000a10, 32, 'vfp'], [0xee110f10, 32, 'cop'],
    ];
    for (const [w, bits, id] of cases) assert.equal(decode(w, bits)?.e.id, id, `0x${w.toString(16)}`);
  });
  it('ARMv6-M: only rows marked v6m decode', () => {
    for (const [w, bits, ok] of [[0xf04f407f, 32, false], [0xf7fffffe, 32, true], [0xf3ef8010, 32, true], [0xb100, 16, false], [0xbf08, 16, false], [0x2001, 16, true], [0xf3bf8f5f, 32, true]] as const) {
      assert.equal(decode(w, bits, 'v6m') !== undefined, ok, `0x${w.toString(16)}`);
    }
    assert.ok(ALL_ENCODINGS.filter((e) => e.v6m).length >= 80);
  });
});
