/**
 * Data transfer, stack, program-memory and control-flow instructions: what they move where, the
 * pointer modes, SP, return addresses (word addresses on the stack, high byte at the lower
 * address), skips over two-word instructions, and SPM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runAvr } from './test-support/harness.js';

describe('loads and stores', () => {
  it('lds/sts at constant addresses, registers and SRAM', async () => {
    const r = await runAvr(`
      ldi r16, 0xa5
      sts 0x0123, r16
      lds r17, 0x0123
      sts 0x0005, r16      ; data address 5 is r5
      lds r18, 0x0010      ; r16`);
    assert.equal(r.mem(0x123), 0xa5);
    assert.equal(r.r(17), 0xa5);
    assert.equal(r.r(5), 0xa5);
    assert.equal(r.r(18), 0xa5);
  });

  it('X, X+, -X', async () => {
    const r = await runAvr(`
      ldi r26, 0x00
      ldi r27, 0x02     ; X = 0x200
      ldi r16, 1
      st X+, r16        ; [0x200] = 1, X = 0x201
      ldi r16, 2
      st X, r16         ; [0x201] = 2
      ldi r16, 3
      st -X, r16        ; X = 0x200, [0x200] = 3
      ld r20, X+        ; 3, X = 0x201
      ld r21, X         ; 2
      ld r22, -X        ; X = 0x200: 3`);
    assert.deepEqual([r.mem(0x200), r.mem(0x201), r.r(20), r.r(21), r.r(22)], [3, 2, 3, 2, 3]);
    assert.equal(r.r(26) | (r.r(27) << 8), 0x200);
  });

  it('Y and Z with displacement, post-increment and pre-decrement', async () => {
    const r = await runAvr(`
      ldi r28, 0xff
      ldi r29, 0x01     ; Y = 0x1ff
      ldi r30, 0x00
      ldi r31, 0x03     ; Z = 0x300
      ldi r16, 0x11
      std Y+63, r16     ; [0x23e]
      ldi r16, 0x22
      st Y+, r16        ; [0x1ff], Y = 0x200
      ldi r16, 0x33
      st -Z, r16        ; Z = 0x2ff
      ldi r16, 0x44
      std Z+1, r16      ; [0x300]
      ld r20, -Y        ; Y = 0x1ff: 0x22
      ldd r21, Y+63     ; 0x11
      ld r22, Z+        ; 0x33, Z = 0x300
      ld r23, Z         ; 0x44
      ldd r24, Z+0`);
    assert.deepEqual([r.mem(0x23e), r.mem(0x1ff), r.mem(0x2ff), r.mem(0x300)], [0x11, 0x22, 0x33, 0x44]);
    assert.deepEqual([r.r(20), r.r(21), r.r(22), r.r(23), r.r(24)], [0x22, 0x11, 0x33, 0x44, 0x44]);
    assert.equal(r.r(28) | (r.r(29) << 8), 0x1ff);
    assert.equal(r.r(30) | (r.r(31) << 8), 0x300);
  });

  it('pointers wrap at 16 bits', async () => {
    const r = await runAvr(`
      ldi r26, 0
      ldi r27, 0
      ld r16, -X`);
    assert.equal(r.r(26) | (r.r(27) << 8), 0xffff);
  });

  it('in/out reach I/O registers at data address + 0x20; out to SREG sets flags', async () => {
    const r = await runAvr(`
      ldi r16, 0x5a
      out 0x05, r16     ; PORTB (data 0x25)
      in r17, 0x05
      ldi r16, 0x03
      out 0x3f, r16     ; SREG = Z C
      in r18, 0x3f`);
    assert.equal(r.mem(0x25), 0x5a);
    assert.equal(r.r(17), 0x5a);
    assert.equal(r.r(18), 3);
    assert.equal(r.flags, 'ZC');
  });

  it('st to SREG through a pointer', async () => {
    const r = await runAvr(`
      ldi r30, 0x5f
      ldi r31, 0
      ldi r16, 0x41
      st Z, r16`);
    assert.equal(r.flags, 'TC');
  });

  it('sbi/cbi set and clear one bit', async () => {
    const r = await runAvr(`
      ldi r16, 0x0f
      out 0x05, r16
      sbi 0x05, 7
      cbi 0x05, 0`);
    assert.equal(r.mem(0x25), 0x8e);
  });
});

describe('stack', () => {
  it('SP starts at RAMEND; push stores then decrements, pop increments then loads', async () => {
    const r = await runAvr(`
      ldi r16, 0xaa
      push r16
      ldi r16, 0xbb
      push r16
      pop r20
      pop r21`);
    assert.equal(r.mem(0x8ff), 0xaa);
    assert.equal(r.mem(0x8fe), 0xbb);
    assert.deepEqual([r.r(20), r.r(21)], [0xbb, 0xaa]);
    assert.equal(r.sp, 0x8ff);
  });

  it('call pushes the return word address, low byte first; ret pops it', async () => {
    const r = await runAvr(`
      call f            ; words 0-1: returns to word 2 = byte 4
      ldi r20, 1
      exit
    f:
      in r16, 0x3d
      in r17, 0x3e
      lds r18, 0x8ff
      lds r19, 0x8fe
      ret`);
    assert.equal(r.r(16) | (r.r(17) << 8), 0x8fd);
    assert.deepEqual([r.r(18), r.r(19)], [2, 0]);
    assert.equal(r.r(20), 1);
    assert.equal(r.sp, 0x8ff);
  });

  it('rcall and icall', async () => {
    const r2 = await runAvr(`
      rcall f           ; word 0
      ldi r30, 7        ; word 1: g is at word 7
      ldi r31, 0
      icall             ; word 3
      exit              ; word 4
    f: ldi r20, 7       ; word 5
      ret
    g: ldi r21, 9       ; word 7
      ret`);
    assert.deepEqual([r2.r(20), r2.r(21)], [7, 9]);
    assert.equal(r2.sp, 0x8ff);
  });

  it('jmp, rjmp and ijmp', async () => {
    const r = await runAvr(`
      jmp a
      ldi r20, 1
    a: rjmp b
      ldi r21, 1
    b: ldi r30, 9       ; c is word 9
      ldi r31, 0
      ijmp
      ldi r22, 1
    c: ldi r23, 1`);
    assert.deepEqual([r.r(20), r.r(21), r.r(22), r.r(23)], [0, 0, 0, 1]);
  });
});

describe('skips and branches', () => {
  it('cpse/sbrc/sbrs/sbic/sbis skip one- and two-word instructions', async () => {
    const r = await runAvr(`
      ldi r16, 1
      mov r1, r16
      mov r2, r16
      cpse r1, r2
      sts 0x100, r16    ; skipped (2 words)
      sbrc r16, 1
      ldi r20, 1        ; skipped
      sbrs r16, 0
      ldi r21, 1        ; skipped
      sbrs r16, 1
      ldi r22, 1        ; runs
      sbi 0x05, 3
      sbis 0x05, 3
      jmp 0             ; skipped
      sbic 0x05, 3
      ldi r23, 1        ; runs`);
    assert.equal(r.mem(0x100), 0);
    assert.deepEqual([r.r(20), r.r(21), r.r(22), r.r(23)], [0, 0, 1, 1]);
  });

  it('every conditional branch, taken and not', async () => {
    const flagsFor: Record<string, string> = { brcs: 'sec', breq: 'sez', brmi: 'sen', brvs: 'sev', brlt: 'ses', brhs: 'seh', brts: 'set', brie: 'sei' };
    const clearFor: Record<string, string> = { brcc: 'sec', brne: 'sez', brpl: 'sen', brvc: 'sev', brge: 'ses', brhc: 'seh', brtc: 'set', brid: 'sei' };
    for (const [br, set] of Object.entries({ ...flagsFor, ...clearFor })) {
      const taken = br in flagsFor;
      const withFlag = await runAvr(`${set}\n${br} skip\nldi r20, 1\nskip: cli`);
      const without = await runAvr(`${br} skip\nldi r20, 1\nskip: nop`);
      assert.equal(withFlag.r(20), taken ? 0 : 1, `${br} after ${set}`);
      assert.equal(without.r(20), taken ? 1 : 0, `${br} with SREG clear`);
    }
  });

  it('a counted loop runs as often as it should (the block loops in place)', async () => {
    const r = await runAvr(`
      ldi r24, lo8(1000)
      ldi r25, hi8(1000)
      clr r16
    loop:
      inc r16
      sbiw r24, 1
      brne loop`);
    assert.equal(r.r(16), 1000 & 0xff);
    // 3 + 1000 × (inc 1 + sbiw 2) + 999 × 2 + 1
    assert.equal(r.cycles, 3 + 3000 + 1998 + 1);
  });

  it('relative jumps wrap around the 32 KiB flash', async () => {
    const r = await runAvr(`
      rjmp .-2          ; from 0: to 0x7ffe, the last word of flash
    .org 0x7ffe
      rjmp .+0          ; from 0x7ffe: to 0x8000, which is 0 again`, { maxCycles: 10 }).catch((e: Error) => e);
    assert.ok(r instanceof Error && /still running/.test(r.message), String(r));
  });
});

describe('program memory', () => {
  it('lpm forms read flash bytes at Z', async () => {
    const r = await runAvr(`
      ldi r30, lo8(table)
      ldi r31, hi8(table)
      lpm
      lpm r20, Z+
      lpm r21, Z+
      lpm r22, Z
      elpm r23, Z
      exit
    table: .word 0x2211, 0x4433`);
    assert.deepEqual([r.r(0), r.r(20), r.r(21), r.r(22), r.r(23)], [0x11, 0x11, 0x22, 0x33, 0x33]);
  });

  it('spm fills the page buffer, erases and writes a page; translated code there is dropped', async () => {
    const r = await runAvr(`
      ldi r16, 0x34
      mov r0, r16
      ldi r16, 0x12
      mov r1, r16
      ldi r30, 0x02
      ldi r31, 0x01     ; Z = 0x102: word 1 of the page at 0x100
      ldi r16, 0x01
      out 0x37, r16     ; SPMCSR = SPMEN: buffer fill
      spm
      ldi r16, 0x03
      out 0x37, r16     ; PGERS: erase
      spm
      ldi r16, 0x05
      out 0x37, r16     ; PGWRT: write
      spm
      ldi r30, 0x02
      lpm r20, Z+
      lpm r21, Z+
      lpm r22, Z        ; erased: 0xff
      in r23, 0x37      ; SPMEN cleared`);
    assert.deepEqual([r.r(20), r.r(21), r.r(22), r.r(23)], [0x34, 0x12, 0xff, 0]);
  });
});

describe('self-modifying code', () => {
  it('SPM over code that already ran: the new instruction runs next time', async () => {
    const r = await runAvr(`
      rjmp main
    .org 0x100
    patch:
      ldi r20, 1        ; rewritten below to ldi r20, 2 (0xe042)
      ret
    .org 0x200
    main:
      rcall patch       ; word 0x80: translates and runs ldi r20, 1
      mov r21, r20
      ldi r16, 0x42     ; fill the buffer: word 0 = 0xe042, word 1 = ret (0x9508)
      mov r0, r16
      ldi r16, 0xe0
      mov r1, r16
      ldi r30, 0x00
      ldi r31, 0x01
      ldi r16, 0x01
      out 0x37, r16
      spm
      ldi r16, 0x08
      mov r0, r16
      ldi r16, 0x95
      mov r1, r16
      ldi r30, 0x02
      ldi r16, 0x01
      out 0x37, r16
      spm
      ldi r30, 0x00
      ldi r16, 0x03
      out 0x37, r16     ; erase the page at 0x100
      spm
      ldi r16, 0x05
      out 0x37, r16     ; write it
      spm
      rcall patch
      mov r22, r20`);
    assert.deepEqual([r.r(21), r.r(22)], [1, 2]);
  });
});

describe('MCU control', () => {
  it('undefined opcodes stop the run with a one-line reason', async () => {
    const e = await runAvr('nop\n.word 0x9003').catch((x: Error) => x);
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'undefined opcode 0x9003 at 0x0002 (not an ATmega328P instruction)');
  });

  it('wdr calls the watchdog listeners at the exact cycle', async () => {
    const seen: number[] = [];
    await runAvr('nop\nnop\nwdr\nwdr', { setup: (_m, cpu) => cpu.onWatchdogReset(() => seen.push(cpu.cycles())) });
    assert.deepEqual(seen, [2, 3]);
  });
});
