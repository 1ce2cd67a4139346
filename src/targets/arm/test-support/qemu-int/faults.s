.syntax unified
.cpu cortex-m3
.thumb
.text
vectors:
  .word 0x20010000
  .word reset + 1
  .word nmi + 1, hardfault + 1, mm + 1, bf + 1, uf + 1, 0, 0, 0, 0, svc + 1, 0, 0, pendsv + 1, systick + 1
.thumb_func
reset:
  ldr r0, =0xe000ed24
  ldr r1, =0x70000
  str r1, [r0]            @ enable MemManage, BusFault, UsageFault
  ldr r0, =0xe000ed14
  ldr r1, [r0]
  orr r1, r1, #0x18       @ UNALIGN_TRP, DIV_0_TRP
  str r1, [r0]
  svc #1
  movs r2, #0
  udiv r3, r2, r2
  ldr r0, =0x20000001
  ldr r1, [r0]
  ldr r0, =0x30000000
  ldr r1, [r0]
  udf #0
  adr r0, even
  bx r0
  .align 2
even:
  nop
  ldr r0, =0xe000e010
  movs r1, #99
  str r1, [r0, #4]
  movs r1, #7
  str r1, [r0]
  movs r4, #0
wait:
  cmp r4, #2
  blt wait
  movs r1, #0
  str r1, [r0]
  ldr r0, =0x18
  ldr r1, =0x20026
  mov r0, #0x18
  bkpt 0xab
.thumb_func
svc:
  ldr r0, =0xe000ed04
  mov.w r1, #0x10000000
  str r1, [r0]
  bx lr
.thumb_func
pendsv:
  bx lr
.thumb_func
systick:
  adds r4, #1
  bx lr
.thumb_func
uf:
bf:
mm:
  ldr r0, [sp, #24]
  adds r0, #2
  ldrh r1, [r0, #-2]
  lsrs r1, r1, #11
  cmp r1, #0x1d
  blo 1f
  adds r0, #2
1:
  ldr r1, =0x01000000
  ldr r2, [sp, #28]
  orr r2, r2, r1
  str r2, [sp, #28]
  str r0, [sp, #24]
  bx lr
.thumb_func
nmi:
hardfault:
  mov r0, #0x18
  ldr r1, =0x20026
  bkpt 0xab
