/* Vector table and startup for the tracehook ARM M-profile guests (QEMU mps2-an385/an386;
 * ARMv6-M-compatible Thumb so the same file serves Cortex-M0 builds).
 * Reset: SP from word 0, PC from word 1. Every exception defaults to exc_entry, which calls
 * exc_dispatch(frame, EXC_RETURN) in C (lib.c) with a pointer to the stacked frame on MSP or
 * PSP; a guest overrides a vector by defining the handler symbol (weak here). */
    .file "startup.S"
    .syntax unified
    .thumb

    .section .vectors, "a"
    .globl __vectors
    .balign 128
__vectors:
    .word __stack_top           /* 0: initial MSP */
    .word Reset_Handler         /* 1: reset */
    .word NMI_Handler           /* 2 */
    .word HardFault_Handler     /* 3 */
    .word MemManage_Handler     /* 4 */
    .word BusFault_Handler      /* 5 */
    .word UsageFault_Handler    /* 6 */
    .word 0, 0, 0, 0            /* 7-10: reserved */
    .word SVC_Handler           /* 11 */
    .word DebugMon_Handler      /* 12 */
    .word 0                     /* 13: reserved */
    .word PendSV_Handler        /* 14 */
    .word SysTick_Handler       /* 15 */
    /* mps2-an385 external interrupts (QEMU hw/arm/mps2.c, num-irq 32) */
    .word UART0RX_IRQHandler    /* 16+0 */
    .word UART0TX_IRQHandler    /* 16+1 */
    .word UART1RX_IRQHandler    /* 16+2 */
    .word UART1TX_IRQHandler    /* 16+3 */
    .word UART2RX_IRQHandler    /* 16+4 */
    .word UART2TX_IRQHandler    /* 16+5 */
    .word GPIO0_IRQHandler      /* 16+6 (not modelled by QEMU) */
    .word GPIO1_IRQHandler      /* 16+7 (not modelled by QEMU) */
    .word TIMER0_IRQHandler     /* 16+8: CMSDK timer 0 at 0x40000000 */
    .word TIMER1_IRQHandler     /* 16+9: CMSDK timer 1 at 0x40001000 */
    .word DUALTIMER_IRQHandler  /* 16+10: CMSDK dual timer at 0x40002000 */
    .word SPI_IRQHandler        /* 16+11 */
    .word UARTOVF_IRQHandler    /* 16+12: UART 0-2 overflow, ORed */
    .word ETH_IRQHandler        /* 16+13: LAN9118 */
    .rept 18                    /* 16+14 .. 16+31 */
    .word IRQ_Handler
    .endr

    .text
    .globl Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
    ldr r0, =__stack_top
    mov sp, r0
    /* copy .data from its load address */
    ldr r0, =__data_start
    ldr r1, =__data_end
    ldr r2, =__data_load
1:  cmp r0, r1
    bhs 2f
    ldr r3, [r2]
    str r3, [r0]
    adds r0, #4
    adds r2, #4
    b 1b
    /* clear .bss */
2:  ldr r0, =__bss_start
    ldr r1, =__bss_end
    movs r3, #0
3:  cmp r0, r1
    bhs 4f
    str r3, [r0]
    adds r0, #4
    b 3b
4:
#ifdef __ARM_FP
    /* FP builds (Cortex-M4, -mfpu=fpv4-sp-d16): CPACR CP10/CP11 full access before any FP code */
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    ldr r2, =(0xF << 20)
    orrs r1, r2
    str r1, [r0]
    dsb
    isb
#endif
    bl _cstart                 /* lib.c / newlib glue: init, main, exit; never returns */
5:  b 5b
    .size Reset_Handler, . - Reset_Handler

/* Generic exception entry: r0 = the stacked frame (PSP when EXC_RETURN bit 2 is set, else
 * MSP as it was at entry), r1 = EXC_RETURN; calls exc_dispatch, then returns via EXC_RETURN. */
    .globl exc_entry
    .type exc_entry, %function
    .thumb_func
exc_entry:
    mov r1, lr
    movs r0, #4
    tst r0, r1
    beq 1f
    mrs r0, psp
    b 2f
1:  mrs r0, msp
2:  push {r4, lr}
    bl exc_dispatch
    pop {r4, pc}
    .size exc_entry, . - exc_entry

    .macro weak_handler name
    .weak \name
    .thumb_set \name, exc_entry
    .endm

    weak_handler NMI_Handler
    weak_handler HardFault_Handler
    weak_handler MemManage_Handler
    weak_handler BusFault_Handler
    weak_handler UsageFault_Handler
    weak_handler SVC_Handler
    weak_handler DebugMon_Handler
    weak_handler PendSV_Handler
    weak_handler SysTick_Handler
    weak_handler UART0RX_IRQHandler
    weak_handler UART0TX_IRQHandler
    weak_handler UART1RX_IRQHandler
    weak_handler UART1TX_IRQHandler
    weak_handler UART2RX_IRQHandler
    weak_handler UART2TX_IRQHandler
    weak_handler GPIO0_IRQHandler
    weak_handler GPIO1_IRQHandler
    weak_handler TIMER0_IRQHandler
    weak_handler TIMER1_IRQHandler
    weak_handler DUALTIMER_IRQHandler
    weak_handler SPI_IRQHandler
    weak_handler UARTOVF_IRQHandler
    weak_handler ETH_IRQHandler
    weak_handler IRQ_Handler

/* Semihosting: r0 = operation, r1 = argument; returns r0. BKPT 0xAB in Thumb state. */
    .globl semihost_call
    .type semihost_call, %function
    .thumb_func
semihost_call:
    bkpt 0xab
    bx lr
    .size semihost_call, . - semihost_call
