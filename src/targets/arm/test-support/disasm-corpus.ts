/**
 * Instructions for the disassembler check: every encoding group of ARMv7-M Thumb, assembled with
 * `arm-none-eabi-as -mthumb -mcpu=cortex-m3` and disassembled by `arm-none-eabi-objdump -d`
 * (`npx tsx src/targets/arm/test-support/gen-disasm-fixture.ts` rewrites fixtures/disasm.json).
 */
const R = ['r0', 'r1', 'r7', 'r8', 'ip', 'lr'];
const lo = ['r0', 'r3', 'r7'];

function dp(): string[] {
  const out: string[] = [];
  for (const op of ['and', 'bic', 'orr', 'orn', 'eor', 'add', 'adc', 'sbc', 'sub', 'rsb']) {
    for (const s of ['', 's']) {
      out.push(`${op}${s}.w r1, r2, #0xff`, `${op}${s}.w r8, r9, #0x3fc00`, `${op}${s}.w r0, r1, #0xab00ab00`);
      out.push(`${op}${s}.w r1, r2, r3`, `${op}${s}.w r1, r2, r3, lsl #5`, `${op}${s}.w r1, r2, r3, lsr #32`, `${op}${s}.w r1, r2, r3, asr #7`, `${op}${s}.w r1, r2, r3, ror #9`, `${op}${s}.w r1, r2, r3, rrx`);
    }
  }
  for (const op of ['tst', 'teq', 'cmn', 'cmp']) out.push(`${op}.w r4, #0x100`, `${op}.w r4, r5, lsl #2`, `${op}.w r4, r5`);
  for (const op of ['mov', 'mvn']) for (const s of ['', 's']) out.push(`${op}${s}.w r4, #0x55555555`, `${op}${s}.w r4, r5`, `${op}${s}.w r4, r8, lsl #3`);
  return out;
}

export const DISASM_CORPUS: readonly string[] = [
  // 16-bit
  'movs r0, #0', 'movs r7, #255', 'movs r1, r2', 'lsls r1, r2, #3', 'lsrs r1, r2, #32', 'asrs r1, r2, #1',
  'adds r1, r2, r3', 'subs r1, r2, r3', 'adds r1, r2, #7', 'subs r1, r2, #1', 'cmp r3, #200', 'adds r3, #200', 'subs r3, #1',
  ...['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'orrs', 'bics', 'mvns'].map((op) => `${op} r1, r2`),
  'tst r1, r2', 'negs r1, r2', 'cmp r1, r2', 'cmn r1, r2', 'muls r1, r2, r1',
  'add r8, r1', 'add r1, r8', 'add sp, r1', 'cmp r8, r1', 'cmp r1, r9', 'mov r8, r1', 'mov r1, ip', 'mov sp, r0', 'bx lr', 'blx r3',
  'ldr r0, [pc, #8]', 'str r1, [r2, r3]', 'strh r1, [r2, r3]', 'strb r1, [r2, r3]', 'ldrsb r1, [r2, r3]', 'ldr r1, [r2, r3]',
  'ldrh r1, [r2, r3]', 'ldrb r1, [r2, r3]', 'ldrsh r1, [r2, r3]', 'str r1, [r2, #124]', 'ldr r1, [r2]', 'strb r1, [r2, #31]',
  'ldrb r1, [r2, #1]', 'strh r1, [r2, #62]', 'ldrh r1, [r2, #2]', 'str r1, [sp, #1020]', 'ldr r1, [sp, #4]', 'add r1, sp, #1020',
  'add sp, #508', 'sub sp, #4', 'sxth r1, r2', 'sxtb r1, r2', 'uxth r1, r2', 'uxtb r1, r2', 'push {r0, r4, lr}', 'pop {r1, pc}', 'push {r4}',
  'cpsid i', 'cpsie i', 'cpsid f', 'cpsie if', 'rev r1, r2', 'rev16 r1, r2', 'revsh r1, r2', 'bkpt 0x00ab', 'bkpt 0x0000',
  'nop', 'yield', 'wfe', 'wfi', 'sev', 'stmia r1!, {r2, r3}', 'ldmia r1!, {r2, r3}', 'ldmia r1, {r1, r3}', 'udf #7', 'svc 42', 'svc 0',
  'itt eq', 'moveq r0, r1', 'addeq r0, r1', 'ite ne', 'movne r0, #1', 'moveq r0, #2', 'itete gt', 'addgt r1, r2, r3', 'suble r1, r2, r3',
  'addgt.w r1, r2, #0x100', 'ldrle r1, [r2]',
  // 32-bit data processing
  ...dp(),
  'lsl.w r1, r2, #3', 'lsls.w r1, r2, #3', 'lsr.w r1, r2, #3', 'asr.w r1, r2, #31', 'ror.w r1, r2, #16', 'rrx r1, r2', 'rrxs r1, r2',
  'lsl.w r1, r2, r3', 'lsrs.w r1, r2, r3', 'asr.w r1, r2, r3', 'ror.w r1, r2, r3',
  'addw r1, r2, #4095', 'subw r1, r2, #1', 'addw r1, pc, #8', 'subw r1, pc, #8', 'movw r1, #0', 'movw r1, #65535', 'movt r1, #4660',
  'ssat r1, #8, r2', 'ssat r1, #32, r2, lsl #4', 'ssat r1, #1, r2, asr #31', 'usat r1, #0, r2', 'usat r1, #31, r2, asr #1',
  'sbfx r1, r2, #0, #32', 'ubfx r1, r2, #7, #9', 'bfi r1, r2, #3, #4', 'bfc r1, #0, #32', 'bfc r1, #8, #8',
  'sxth.w r1, r2', 'sxth.w r1, r2, ror #8', 'uxth.w r1, r8, ror #16', 'sxtb.w r1, r2, ror #24', 'uxtb.w r1, r2',
  'rev.w r1, r8', 'rev16.w r1, r2', 'revsh.w r1, r2', 'rbit r1, r2', 'clz r1, r2',
  'mul.w r1, r2, r3', 'mla r1, r2, r3, r4', 'mls r1, r2, r3, r4', 'smull r1, r2, r3, r4', 'umull r1, r2, r3, r4',
  'smlal r1, r2, r3, r4', 'umlal r1, r2, r3, r4', 'sdiv r1, r2, r3', 'udiv r1, r2, r3',
  // 32-bit loads and stores
  ...['str', 'strb', 'strh', 'ldr', 'ldrb', 'ldrh', 'ldrsb', 'ldrsh'].flatMap((op) => [
    `${op}.w r1, [r2, #4095]`, `${op} r1, [r2, #-255]`, `${op} r1, [r2, #4]!`, `${op} r1, [r2], #-4`, `${op} r1, [r2], #4`,
    `${op}.w r1, [r2, r3]`, `${op}.w r1, [r2, r3, lsl #3]`, `${op}t r1, [r2, #8]`, `${op}.w r8, [sp, #8]`,
  ]),
  'ldr.w r1, [pc, #-12]', 'ldrb.w r1, [pc, #12]', 'ldrsh.w r1, [pc, #-2]', 'ldr.w pc, [r1, #4]',
  'pld [r1, #4]', 'pld [r1, r2, lsl #1]', 'pli [r1, #4]',
  'ldrd r1, r2, [r3]', 'ldrd r1, r2, [r3, #8]', 'ldrd r1, r2, [r3, #-8]!', 'ldrd r1, r2, [r3], #16', 'strd r1, r2, [r3, #1020]', 'strd r1, r2, [r3], #-4',
  'ldrex r1, [r2]', 'ldrex r1, [r2, #1020]', 'strex r1, r2, [r3]', 'strex r1, r2, [r3, #8]', 'ldrexb r1, [r2]', 'ldrexh r1, [r2]',
  'strexb r1, r2, [r3]', 'strexh r1, r2, [r3]', 'clrex', 'tbb [r1, r2]', 'tbh [r1, r2, lsl #1]',
  'stmia.w r1!, {r2, r8}', 'stmia.w r1, {r2, r8}', 'ldmia.w r1!, {r2, r8}', 'ldmia.w r1, {r2, r8, pc}', 'stmdb r1!, {r2, r8}', 'ldmdb r1, {r2, r8}',
  'push.w {r4, r8, lr}', 'pop.w {r4, r8, pc}',
  // control
  'mrs r1, APSR', 'mrs r1, IAPSR', 'mrs r1, EAPSR', 'mrs r1, PSR', 'mrs r1, IPSR', 'mrs r1, EPSR', 'mrs r1, IEPSR', 'mrs r1, MSP',
  'mrs r1, PSP', 'mrs r1, PRIMASK', 'mrs r1, BASEPRI', 'mrs r1, BASEPRI_MAX', 'mrs r1, FAULTMASK', 'mrs r1, CONTROL',
  'msr APSR_nzcvq, r1', 'msr IPSR, r1', 'msr PSR_nzcvq, r1', 'msr MSP, r1', 'msr PSP, r1', 'msr PRIMASK, r1', 'msr BASEPRI, r1',
  'msr BASEPRI_MAX, r1', 'msr FAULTMASK, r1', 'msr CONTROL, r1',
  'nop.w', 'yield.w', 'wfe.w', 'wfi.w', 'sev.w', 'dsb sy', 'dmb sy', 'isb sy', 'dmb ish', 'dsb #3', 'udf.w #300',
  'b.w .+0x1000', 'b.w .-0x100000', 'bl .+0x12340', 'bl .-4', 'beq.w .+0x80000', 'bne.w .-0x100', 'bhi.w .+8', 'b.n .+16', 'beq.n .-8',
  'cbz r1, .+20', 'cbnz r7, .+4',
  // ARMv7E-M DSP (the corpus is assembled for cortex-m4)
  ...['s', 'q', 'sh', 'u', 'uq', 'uh'].flatMap((k) => ['add8', 'add16', 'asx', 'sub8', 'sub16', 'sax'].map((op) => `${k}${op} r1, r2, r3`)),
  'qadd r1, r2, r3', 'qdadd r1, r2, r3', 'qsub r1, r2, r3', 'qdsub r1, r2, r3', 'sel r1, r2, r3', 'usad8 r1, r2, r3', 'usada8 r1, r2, r3, r4',
  'ssat16 r1, #16, r2', 'usat16 r1, #0, r2', 'pkhbt r1, r2, r3', 'pkhbt r1, r2, r3, lsl #7', 'pkhtb r1, r2, r3, asr #32', 'pkhtb r1, r2, r3, asr #5',
  ...['bb', 'bt', 'tb', 'tt'].flatMap((x) => [`smul${x} r1, r2, r3`, `smla${x} r1, r2, r3, r4`, `smlal${x} r1, r2, r3, r4`]),
  'smulwb r1, r2, r3', 'smulwt r1, r2, r3', 'smlawb r1, r2, r3, r4', 'smlawt r1, r2, r3, r4',
  'smuad r1, r2, r3', 'smuadx r1, r2, r3', 'smusd r1, r2, r3', 'smusdx r1, r2, r3', 'smlad r1, r2, r3, r4', 'smladx r1, r2, r3, r4',
  'smlsd r1, r2, r3, r4', 'smlsdx r1, r2, r3, r4', 'smmul r1, r2, r3', 'smmulr r1, r2, r3', 'smmla r1, r2, r3, r4', 'smmlar r1, r2, r3, r4',
  'smmls r1, r2, r3, r4', 'smmlsr r1, r2, r3, r4', 'smlald r1, r2, r3, r4', 'smlaldx r1, r2, r3, r4', 'smlsld r1, r2, r3, r4', 'smlsldx r1, r2, r3, r4',
  'umaal r1, r2, r3, r4', 'sxtab r1, r2, r3', 'uxtab r1, r2, r3, ror #8', 'sxtah r1, r2, r3, ror #16', 'uxtah r1, r2, r3', 'sxtab16 r1, r2, r3',
  'uxtab16 r1, r2, r3, ror #24', 'sxtb16 r1, r2', 'uxtb16 r1, r2, ror #8',
].concat(R.length > 0 && lo.length > 0 ? [] : []);
