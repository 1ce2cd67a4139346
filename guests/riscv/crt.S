/* Shared startup and trap entry for the tracehook RISC-V guests (XLEN-generic). */
    .file "crt.S"
#if __riscv_xlen == 64
# define REG_S sd
# define REG_L ld
# define R 8
#else
# define REG_S sw
# define REG_L lw
# define R 4
#endif
#define FRAME (36 * R)      /* x0..x31, epc, cause, tval, status: 288 / 144 bytes, 16-aligned */
#define RET_MAGIC 0x7e7

    .section .text.init, "ax"
    .globl _start
_start:
    /* a0 = hartid, a1 = dtb (QEMU virt -bios none) */
    csrw mie, zero
    csrci mstatus, 0xa          /* MIE, SIE off */
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    csrr t0, mhartid
    bnez t0, park

    /* PMP entry 0: NAPOT over the whole address space, RWX, so S and U modes can reach
       memory and devices. Guarded: a trap here (no PMP) just skips to 1f. */
    la t0, 1f
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                 /* A = NAPOT, X W R */
    csrw pmpcfg0, t0
    .balign 4
1:  la t0, trap_entry
    csrw mtvec, t0
    csrw mscratch, zero

    /* clear .bss */
    la t0, __bss_start
    la t1, __bss_end
2:  bgeu t0, t1, 3f
    REG_S zero, 0(t0)
    addi t0, t0, R
    j 2b
3:
    call main
    call exit                   /* exit(main's return value) */
park:
    wfi
    j park

/* Trap entry: save every register in a trap_frame on the current stack, call the C
   dispatcher, reload epc/status and the registers (sp last) from the frame, return. */
.macro TRAP_ENTRY name, dispatch, epc, cause, tval, status, ret
    .balign 64
    .globl \name
\name:
    addi sp, sp, -FRAME
    REG_S x1, 1*R(sp)
    REG_S x3, 3*R(sp)
    REG_S x4, 4*R(sp)
    REG_S x5, 5*R(sp)
    REG_S x6, 6*R(sp)
    REG_S x7, 7*R(sp)
    REG_S x8, 8*R(sp)
    REG_S x9, 9*R(sp)
    REG_S x10, 10*R(sp)
    REG_S x11, 11*R(sp)
    REG_S x12, 12*R(sp)
    REG_S x13, 13*R(sp)
    REG_S x14, 14*R(sp)
    REG_S x15, 15*R(sp)
    REG_S x16, 16*R(sp)
    REG_S x17, 17*R(sp)
    REG_S x18, 18*R(sp)
    REG_S x19, 19*R(sp)
    REG_S x20, 20*R(sp)
    REG_S x21, 21*R(sp)
    REG_S x22, 22*R(sp)
    REG_S x23, 23*R(sp)
    REG_S x24, 24*R(sp)
    REG_S x25, 25*R(sp)
    REG_S x26, 26*R(sp)
    REG_S x27, 27*R(sp)
    REG_S x28, 28*R(sp)
    REG_S x29, 29*R(sp)
    REG_S x30, 30*R(sp)
    REG_S x31, 31*R(sp)
    addi t0, sp, FRAME
    REG_S t0, 2*R(sp)           /* sp before the trap */
    REG_S zero, 0(sp)
    csrr t0, \epc
    REG_S t0, 32*R(sp)
    csrr t0, \cause
    REG_S t0, 33*R(sp)
    csrr t0, \tval
    REG_S t0, 34*R(sp)
    csrr t0, \status
    REG_S t0, 35*R(sp)
    mv a0, sp
    call \dispatch
    REG_L t0, 32*R(sp)
    csrw \epc, t0
    REG_L t0, 35*R(sp)
    csrw \status, t0
    REG_L x1, 1*R(sp)
    REG_L x3, 3*R(sp)
    REG_L x4, 4*R(sp)
    REG_L x5, 5*R(sp)
    REG_L x6, 6*R(sp)
    REG_L x7, 7*R(sp)
    REG_L x8, 8*R(sp)
    REG_L x9, 9*R(sp)
    REG_L x10, 10*R(sp)
    REG_L x11, 11*R(sp)
    REG_L x12, 12*R(sp)
    REG_L x13, 13*R(sp)
    REG_L x14, 14*R(sp)
    REG_L x15, 15*R(sp)
    REG_L x16, 16*R(sp)
    REG_L x17, 17*R(sp)
    REG_L x18, 18*R(sp)
    REG_L x19, 19*R(sp)
    REG_L x20, 20*R(sp)
    REG_L x21, 21*R(sp)
    REG_L x22, 22*R(sp)
    REG_L x23, 23*R(sp)
    REG_L x24, 24*R(sp)
    REG_L x25, 25*R(sp)
    REG_L x26, 26*R(sp)
    REG_L x27, 27*R(sp)
    REG_L x28, 28*R(sp)
    REG_L x29, 29*R(sp)
    REG_L x30, 30*R(sp)
    REG_L x31, 31*R(sp)
    REG_L x2, 2*R(sp)
    \ret
.endm

    .text
    TRAP_ENTRY trap_entry, m_trap_dispatch, mepc, mcause, mtval, mstatus, mret
    TRAP_ENTRY s_trap_entry, s_trap_dispatch, sepc, scause, stval, sstatus, sret

/* Vectored-mode table for mtvec (MODE = 1): slot i (at base + 4*i) jumps to a stub that
   records i in mscratch, then enters trap_entry. Exceptions use slot 0. */
    .balign 64
    .globl mtvec_vector_table
mtvec_vector_table:
    .option push
    .option norvc
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j vec_stub_\i
    .endr
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vec_stub_\i:
    csrwi mscratch, \i
    j trap_entry
    .endr
    .option pop

/* ureg m_run(ureg mode, ureg (*fn)(ureg), ureg arg): run fn(arg) in `mode` via mret. */
    .globl m_run
m_run:
    addi sp, sp, -16*R
    REG_S ra, 0*R(sp)
    REG_S s0, 1*R(sp)
    REG_S s1, 2*R(sp)
    REG_S s2, 3*R(sp)
    REG_S s3, 4*R(sp)
    REG_S s4, 5*R(sp)
    REG_S s5, 6*R(sp)
    REG_S s6, 7*R(sp)
    REG_S s7, 8*R(sp)
    REG_S s8, 9*R(sp)
    REG_S s9, 10*R(sp)
    REG_S s10, 11*R(sp)
    REG_S s11, 12*R(sp)
    REG_S gp, 13*R(sp)
    REG_S tp, 14*R(sp)
    la t0, m_run_saved_sp
    REG_S sp, 0(t0)
    li t0, 0x1800               /* mstatus.MPP = mode, MPIE = 0 */
    csrc mstatus, t0
    csrci mstatus, 0x8
    li t0, 0x80
    csrc mstatus, t0
    andi a0, a0, 3
    slli t1, a0, 11
    csrs mstatus, t1
    csrw mepc, a1
    mv a0, a2
    la ra, lower_mode_return
    mret

/* fn returns here, still in the lower mode: ask the runtime to go back. */
    .globl lower_mode_return
lower_mode_return:
    li a7, RET_MAGIC
    ecall
    j lower_mode_return

    .globl m_run_resume
m_run_resume:                   /* M-mode, a0 = fn's result */
    la t0, m_run_saved_sp
    REG_L sp, 0(t0)
    j restore_and_return

/* ureg s_run_user(ureg (*fn)(ureg), ureg arg): from S-mode, run fn(arg) in U-mode via sret. */
    .globl s_run_user
s_run_user:
    addi sp, sp, -16*R
    REG_S ra, 0*R(sp)
    REG_S s0, 1*R(sp)
    REG_S s1, 2*R(sp)
    REG_S s2, 3*R(sp)
    REG_S s3, 4*R(sp)
    REG_S s4, 5*R(sp)
    REG_S s5, 6*R(sp)
    REG_S s6, 7*R(sp)
    REG_S s7, 8*R(sp)
    REG_S s8, 9*R(sp)
    REG_S s9, 10*R(sp)
    REG_S s10, 11*R(sp)
    REG_S s11, 12*R(sp)
    REG_S gp, 13*R(sp)
    REG_S tp, 14*R(sp)
    la t0, s_run_saved_sp
    REG_S sp, 0(t0)
    li t0, 1
    la t1, s_run_active
    REG_S t0, 0(t1)
    li t0, 0x120                /* sstatus.SPP = U, SPIE = 0 */
    csrc sstatus, t0
    csrw sepc, a0
    mv a0, a1
    la ra, lower_mode_return
    sret

    .globl s_run_resume
s_run_resume:                   /* S-mode, a0 = fn's result */
    la t0, s_run_active
    REG_S zero, 0(t0)
    la t0, s_run_saved_sp
    REG_L sp, 0(t0)

restore_and_return:
    REG_L ra, 0*R(sp)
    REG_L s0, 1*R(sp)
    REG_L s1, 2*R(sp)
    REG_L s2, 3*R(sp)
    REG_L s3, 4*R(sp)
    REG_L s4, 5*R(sp)
    REG_L s5, 6*R(sp)
    REG_L s6, 7*R(sp)
    REG_L s7, 8*R(sp)
    REG_L s8, 9*R(sp)
    REG_L s9, 10*R(sp)
    REG_L s10, 11*R(sp)
    REG_L s11, 12*R(sp)
    REG_L gp, 13*R(sp)
    REG_L tp, 14*R(sp)
    addi sp, sp, 16*R
    ret

    .bss
    .balign 16
    .globl m_run_saved_sp, s_run_saved_sp, s_run_active
m_run_saved_sp: .space R
s_run_saved_sp: .space R
s_run_active:   .space R
