/* crc_loop: the plain Thumb-1 (ARMv6-M) CRC loop of the M0 comparisons (tracehook, QEMU, and
 * rp2040js, which runs this code as a raw binary, crc-loop.m0.bin, from its SRAM).
 * uint32_t crc_loop(uint32_t nbytes): CRC-32 (reflected, polynomial 0xEDB88320, zlib's crc32)
 * of nbytes bytes from an LCG (state 12345; state = state * 1664525 + 1013904223; byte =
 * state >> 24), computed bit by bit. Position-independent (literal pool only); ends with BX LR.
 * About 43 instructions per byte. */
    .file "crc-loop-core.S"
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
    .balign 4
    .globl crc_loop
    .type crc_loop, %function
    .thumb_func
crc_loop:
    push {r4-r7, lr}
    ldr r4, 3f              /* LCG multiplier */
    ldr r5, 4f              /* LCG increment */
    ldr r6, 5f              /* polynomial */
    ldr r1, 6f              /* LCG state */
    movs r2, #0
    mvns r2, r2             /* crc = 0xffffffff */
1:  muls r1, r4, r1         /* state = state * a + c */
    adds r1, r1, r5
    lsrs r3, r1, #24
    eors r2, r3
    movs r7, #8
2:  lsrs r2, r2, #1         /* carry = the bit shifted out */
    bcc 7f
    eors r2, r6
7:  subs r7, #1
    bne 2b
    subs r0, #1
    bne 1b
    mvns r0, r2
    pop {r4-r7, pc}
    .balign 4
3:  .word 1664525
4:  .word 1013904223
5:  .word 0xedb88320
6:  .word 12345
    .size crc_loop, . - crc_loop
