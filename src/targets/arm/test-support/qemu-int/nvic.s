.syntax unified
.cpu cortex-m3
.thumb
.text
vectors:
  .word 0x20010000
  .word reset + 1
  .word hf + 1, hf + 1, hf + 1, hf + 1, hf + 1, 0, 0, 0, 0, svc + 1, 0, 0, pendsv + 1, hf + 1
  .word irq0 + 1, irq1 + 1
.thumb_func
reset:
  ldr r0, =0x20008000
  msr PSP, r0
  movs r0, #2
  msr CONTROL, r0
  isb
  svc #3
  ldr r0, =0xe000e100
  movs r1, #3
  str r1, [r0]
  ldr r0, =0xe000e400
  movs r1, #0x80
  strb r1, [r0]
  movs r1, #0x40
  strb r1, [r0, #1]
  movs r1, #0x80
  msr BASEPRI, r1
  ldr r0, =0xe000ef00
  movs r1, #0
  str r1, [r0]
  nop
  nop
  movs r1, #0
  msr BASEPRI, r1
  nop
  cpsid i
  ldr r0, =0xe000ed04
  mov.w r1, #0x10000000
  str r1, [r0]
  nop
  cpsie i
  nop
  udf #1
.thumb_func
svc:
  bx lr
.thumb_func
pendsv:
  bx lr
.thumb_func
irq0:
  push {lr}
  ldr r0, =0xe000ef00
  movs r1, #1
  str r1, [r0]
  nop
  pop {pc}
.thumb_func
irq1:
  bx lr
.thumb_func
hf:
  mov r0, #0x18
  ldr r1, =0x20026
  bkpt 0xab
