.syntax unified
.cpu cortex-m3
.thumb
.text
vectors:
  .word 0x20010000
  .word reset + 1
  .word hf + 1, hf + 1, hf + 1, hf + 1, hf + 1
.thumb_func
reset:
  ldr r0, =0x70000       @ SHCSR: MemManage, BusFault, UsageFault enabled
  ldr r1, =0xe000ed24
  str r0, [r1]
  ldr r0, =0x40000001    @ Peripheral region: execute-never
  bx r0
.thumb_func
hf:
  mov r0, #0x18
  ldr r1, =0x20026
  bkpt 0xab
