/* demo: the friendly guest behind `npm start`. Prints a greeting, then takes an ecall, an
 * ebreak, an illegal instruction and three machine timer interrupts (waiting in wfi); the trap
 * handler prints a line for each. Exits 0. */
#include "lib.h"

#define TICKS 10000 /* 1 ms at 10 MHz */

static volatile unsigned n_ecall, n_ebreak, n_illegal, n_timer;

static void handler(struct trap_frame *tf)
{
    ureg cause = tf->cause;
    if (cause == (CAUSE_INTR | IRQ_M_TIMER)) {
        n_timer++;
        printf("   [trap] machine timer interrupt #%u, mcause=%lx, mepc=%p, mtime=%lu\n", n_timer,
               cause, (void *)tf->epc, (unsigned long)mtime_read());
        mtimecmp_write(n_timer < 3 ? mtime_read() + TICKS : ~0ULL);
        return;
    }
    switch (cause) {
    case CAUSE_ECALL_M:
        n_ecall++;
        printf("   [trap] ecall from M-mode at %p, mcause=%lu, a7=%lu: answering a0=42\n",
               (void *)tf->epc, cause, tf->regs[REG_A7]);
        tf->regs[REG_A0] = 42;
        break;
    case CAUSE_BREAKPOINT:
        n_ebreak++;
        printf("   [trap] breakpoint at %p, mcause=%lu, %u-byte ebreak\n", (void *)tf->epc, cause,
               insn_len(tf->epc));
        break;
    case CAUSE_ILLEGAL:
        n_illegal++;
        printf("   [trap] illegal instruction %08lx at %p, mcause=%lu\n", tf->tval,
               (void *)tf->epc, cause);
        break;
    default:
        printf("   [trap] unexpected: mcause=%lx mepc=%p mtval=%lx\n", cause, (void *)tf->epc,
               tf->tval);
        exit(99);
    }
    tf->epc += insn_len(tf->epc); /* resume after the instruction */
}

int main(ureg hartid, ureg dtb)
{
    printf("\nHello from tracehook's RISC-V demo guest! (rv%d, hart %lu, dtb at %p)\n", XLEN,
           hartid, (void *)dtb);
    printf("I will take a few traps; my trap handler prints a line for each.\n\n");
    m_trap_hook = handler;

    printf("-> ecall (a7 = 93)\n");
    register ureg a0 __asm__("a0") = 0;
    register ureg a7 __asm__("a7") = 93;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    ureg answer = a0;
    printf("   ecall returned %lu\n", answer);

    printf("-> ebreak\n");
    __asm__ volatile(".option push\n.option norvc\nebreak\n.option pop" ::: "memory");

    printf("-> an illegal instruction (0xffffffff)\n");
    __asm__ volatile(".4byte 0xffffffff" ::: "memory");

    printf("-> three timer interrupts, waiting with wfi\n");
    mtimecmp_write(mtime_read() + TICKS);
    csr_set(mie, MIP_MTIP);
    irq_enable();
    uint64_t start = mtime_read();
    while (n_timer < 3 && mtime_read() - start < 100 * TICKS)
        wfi();
    irq_disable();
    csr_clear(mie, MIP_MTIP);

    unsigned total = n_ecall + n_ebreak + n_illegal + n_timer;
    int ok = answer == 42 && n_ecall == 1 && n_ebreak == 1 && n_illegal == 1 && n_timer == 3;
    printf("\n%s: %u traps handled. Bye!\n", ok ? "Done" : "Something went wrong", total);
    return ok ? 0 : 1;
}
