/**
 * The plugin API on AVR: translation views (byte addresses, bytes, disassembly, flow classes),
 * exec callbacks and inline counters, memory callbacks (data-space addresses and values),
 * registers as a callback sees them (before the instruction's effects), and the bundled plugins.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowClass, type PluginApi, type TranslatedInsn } from '../../plugin/api.js';
import { PluginHost } from '../../plugin/host.js';
import type { ArduinoUno } from '../../machines/arduino-uno.js';
import { runAvr } from './test-support/harness.js';

/** Run `prog` with a plugin whose install is `install`. */
async function withPlugin(prog: string, install: (api: PluginApi) => void) {
  const host = new PluginHost();
  let out = '';
  host.out = (t) => { out += t; };
  const r = await runAvr(prog, { host, setup: (m: ArduinoUno) => host.install({ name: 't', install }, {}, m) });
  return { r, out };
}

describe('AVR plugin API', () => {
  it('translated instructions: byte addresses, bytes, opcode, disassembly, flow', async () => {
    const seen = new Map<bigint, TranslatedInsn>();
    await withPlugin(`
      ldi r16, 3          ; 0x00
      lds r17, 0x0100     ; 0x02 (two words)
    loop:
      dec r16             ; 0x06
      brne loop           ; 0x08
      rcall f             ; 0x0a
      exit                ; 0x0c
    f: ret                ; 0x0e`, (api) => api.onTranslate((tb) => { for (const i of tb.insns) if (!seen.has(i.vaddr)) seen.set(i.vaddr, i); }));
    const at = (a: number) => seen.get(BigInt(a))!;
    assert.equal(at(0).disas, 'ldi r16, 0x03');
    assert.deepEqual([...at(0).bytes], [0x03, 0xe0]);
    assert.equal(at(2).size, 4);
    assert.equal(at(2).opcode, 0x91100100);
    assert.equal(at(2).disas, 'lds r17, 0x0100');
    assert.equal(at(6).flow, FlowClass.Sequential);
    assert.equal(at(8).flow, FlowClass.Transfer);
    assert.equal(at(8).disas, 'brne .-4');
    assert.equal(at(0xa).flow, FlowClass.Transfer);
    assert.equal(at(0xe).flow, FlowClass.Transfer);
    assert.equal(at(0xe).disas, 'ret');
  });

  it('exec callbacks, inline counters and block callbacks agree with the instructions executed', async () => {
    let calls = 0, blocks = 0;
    const pcs: bigint[] = [];
    const { r } = await withPlugin(`
      ldi r16, 5
    loop:
      dec r16
      brne loop
      nop`, (api) => {
      const c = api.counter('n');
      api.onTranslate((tb) => {
        tb.onExec(() => { blocks++; });
        for (const i of tb.insns) {
          i.inlineAdd(c, 1);
          const a = i.vaddr;
          i.onExec(() => { calls++; if (pcs.length < 4) pcs.push(a); });
        }
      });
      api.onExit(() => assert.equal(c.sum(), calls));
    });
    // ldi, 5 × (dec, brne), nop, exit
    assert.equal(calls, 1 + 10 + 1 + 1);
    assert.deepEqual(pcs, [0n, 2n, 4n, 2n]);
    assert.ok(blocks >= 2);
    assert.equal(r.r(16), 0);
  });

  it('an exec callback sees the registers before its instruction, with exact SREG', async () => {
    const regs: string[] = [];
    await withPlugin(`
      ldi r16, 0xff
      inc r16
      inc r16
      push r16`, (api) => api.onTranslate((tb) => {
      for (const i of tb.insns) {
        i.onExec((v) => regs.push(`${api.pc(v)} ${api.readRegister(v, 'r16')} ${api.readRegister(v, 'sreg')} ${api.readRegister(v, 'SP')}`));
      }
    }));
    // the second inc overwrites every flag of the first: with a plugin watching they are still computed
    assert.deepEqual(regs.slice(0, 4), ['0 0 0 2303', '2 255 0 2303', '4 0 2 2303', '6 1 0 2303']);
  });

  it('memory callbacks: data-space addresses and values of loads, stores, stack and I/O', async () => {
    const acc: string[] = [];
    await withPlugin(`
      ldi r16, 0x42
      sts 0x0200, r16
      ldi r26, 0x00
      ldi r27, 0x02
      ld r17, X+
      push r17
      pop r18
      out 0x05, r16
      in r19, 0x05
      rcall f
      rjmp done
    f: ret
    done: nop`, (api) => api.onTranslate((tb) => {
      for (const i of tb.insns) {
        i.onMemory((_v, a) => acc.push(`${a.isStore ? 'w' : 'r'}${a.size} 0x${a.vaddr.toString(16)}=0x${a.value.toString(16)}`));
      }
    }));
    assert.deepEqual(acc, [
      'w1 0x200=0x42', 'r1 0x200=0x42', 'w1 0x8ff=0x42', 'r1 0x8ff=0x42', 'w1 0x25=0x42', 'r1 0x25=0x42',
      // return word 0x000b, high byte at the lower address: little-endian 0x0b00 at 0x8fe
      'w2 0x8fe=0xb00', 'r2 0x8fe=0xb00',
      'w1 0x3e=0x0', // the harness's exit (GPIOR0)
    ]);
  });

  it('registers, memory and symbols through the API', async () => {
    await withPlugin('ldi r20, 7', (api) => {
      assert.equal(api.arch, 'avr');
      const names = api.registers(0).map((r) => r.name);
      assert.equal(names.length, 35);
      assert.deepEqual(names.slice(-3), ['sreg', 'sp', 'pc']);
      api.onExit(() => {
        assert.equal(api.readRegister(0, 'r20'), 7n);
        assert.deepEqual([...api.readMemory(0, 0n, 2)!], [0x47, 0xe0], 'flash at 0');
        assert.deepEqual([...api.readMemory(0, 0x800000n + 20n, 1)!], [7], 'data space at 0x800000');
        assert.throws(() => api.readRegister(0, 'x1'), /no register/);
      });
    });
  });
});
