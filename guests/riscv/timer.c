/* timer: machine timer (CLINT mtimecmp) and machine software (CLINT msip) interrupts.
 * - N timer interrupts taken while waiting in wfi: mcause = interrupt bit | 7, mepc = the
 *   instruction after the wfi, never before mtime >= mtimecmp
 * - interrupts pending with mstatus.MIE = 0: mip shows them, wfi wakes up, nothing is taken
 *   until MIE is set; then taken with mepc = the instruction after the csrsi
 * - msip: mcause = interrupt bit | 3; a store to msip with MIE = 1 interrupts before MIE is
 *   cleared again (right after the store with -icount; a few instructions later without)
 * - MSI and MTI pending together: MSI first (priority MEI > MSI > MTI)
 * - vectored mtvec (MODE = 1): timer enters at base + 4*7, msip at base + 4*3, an ecall at
 *   base (each slot records its number in mscratch) */
#include "lib.h"

#define N_TIMER 5
#define INTERVAL 5000 /* mtime ticks (0.5 ms at 10 MHz) */
#define MCAUSE_MTI (CAUSE_INTR | IRQ_M_TIMER)
#define MCAUSE_MSI (CAUSE_INTR | IRQ_M_SOFT)

extern void wfi_wait(void);
extern char wfi_wait_ret[];
extern void irq_window(void);
extern char irq_window_ret[];
extern void msip_store(ureg addr, ureg val);
extern char msip_store_after[], msip_store_end[];
__asm__(".text\n"
        ".balign 4\n"
        ".globl wfi_wait\n"
        "wfi_wait:\n"
        "  wfi\n"
        "wfi_wait_ret:\n"
        "  ret\n"
        /* open a one-instruction window with MIE = 1 */
        ".globl irq_window\n"
        "irq_window:\n"
        "  csrsi mstatus, 8\n"
        "irq_window_ret:\n"
        "  csrci mstatus, 8\n"
        "  ret\n"
        ".globl msip_store\n"
        "msip_store:\n"
        "  sw a1, 0(a0)\n"
        "msip_store_after:\n"
        "  nop\n"
        "  nop\n"
        "  nop\n"
        "  nop\n"
        "msip_store_end:\n"
        "  ret\n");

static volatile unsigned n_timer, n_soft, n_ecall, n_early, n_order;
static volatile ureg last_epc, vec_slot, order[8];
static volatile ureg timer_epc[N_TIMER + 4];
static volatile uint64_t cmp_now;   /* value in mtimecmp */
static volatile unsigned timer_more; /* timer interrupts still to re-arm for */

static void set_cmp(uint64_t v)
{
    cmp_now = v;
    mtimecmp_write(v);
}

static void hook(struct trap_frame *tf)
{
    if (n_order < 8)
        order[n_order++] = tf->cause;
    last_epc = tf->epc;
    vec_slot = csr_swap(mscratch, 0xff);
    if (tf->cause == MCAUSE_MTI) {
        if (n_timer < N_TIMER + 4)
            timer_epc[n_timer] = tf->epc;
        n_timer++;
        if (mtime_read() < cmp_now)
            n_early++;
        if (timer_more) {
            timer_more--;
            set_cmp(cmp_now + INTERVAL);
        } else {
            set_cmp(~0ULL);
        }
    } else if (tf->cause == MCAUSE_MSI) {
        n_soft++;
        mmio_write32(CLINT_MSIP, 0);
    } else if (tf->cause == CAUSE_ECALL_M) {
        n_ecall++;
        tf->epc += 4;
    } else {
        printf("unexpected trap cause %lx at %p\n", tf->cause, (void *)tf->epc);
        exit(99);
    }
}

static void reset_counts(void)
{
    n_timer = n_soft = n_ecall = n_early = n_order = 0;
    last_epc = vec_slot = ~0UL;
}

static void wait_timer_irqs(unsigned n)
{
    uint64_t start = mtime_read();
    while (n_timer < n) {
        wfi_wait();
        if (mtime_read() - start > 100 * INTERVAL * (uint64_t)n) {
            printf("  timeout waiting for timer interrupts\n");
            break;
        }
    }
}

static void test_timer_wfi(void)
{
    printf("%d timer interrupts, waiting in wfi:\n", N_TIMER);
    reset_counts();
    timer_more = N_TIMER - 1;
    set_cmp(mtime_read() + INTERVAL);
    csr_set(mie, MIP_MTIP);
    irq_enable();
    wait_timer_irqs(N_TIMER);
    irq_disable();
    check_eq("timer interrupts", n_timer, N_TIMER);
    check_eq("mcause", order[0], MCAUSE_MTI);
    check_eq("taken before mtime >= mtimecmp", n_early, 0);
    unsigned after_wfi = 0;
    for (unsigned i = 0; i < n_timer && i < N_TIMER; i++)
        after_wfi += timer_epc[i] == (ureg)wfi_wait_ret;
    check(after_wfi == n_timer, "mepc = instruction after wfi for %u of %u (%p)", after_wfi,
          n_timer, (void *)wfi_wait_ret);
    check_eq("mip.MTIP after mtimecmp = max", csr_read(mip) & MIP_MTIP, 0);
    csr_clear(mie, MIP_MTIP);
}

static void test_masked_pending(void)
{
    printf("timer pending while mstatus.MIE = 0:\n");
    reset_counts();
    timer_more = 0;
    csr_set(mie, MIP_MTIP);
    set_cmp(mtime_read() + INTERVAL);
    check_eq("mip.MTIP before mtimecmp", csr_read(mip) & MIP_MTIP, 0);
    while (!(csr_read(mip) & MIP_MTIP))
        wfi(); /* wakes up on the pending interrupt although MIE = 0 */
    check_eq("mip.MTIP once mtime >= mtimecmp", csr_read(mip) & MIP_MTIP, MIP_MTIP);
    check_eq("interrupts taken with MIE = 0", n_timer, 0);
    irq_window();
    check_eq("timer interrupts after setting MIE", n_timer, 1);
    check_eq("mcause", order[0], MCAUSE_MTI);
    check_eq("mepc = instruction after csrsi mstatus", last_epc, (ureg)irq_window_ret);
    check_eq("mip.MTIP after the handler moved mtimecmp", csr_read(mip) & MIP_MTIP, 0);
    csr_clear(mie, MIP_MTIP);

    printf("software interrupt (msip) pending while mstatus.MIE = 0:\n");
    reset_counts();
    csr_set(mie, MIP_MSIP);
    mmio_write32(CLINT_MSIP, 1);
    check_eq("msip reads back", mmio_read32(CLINT_MSIP), 1);
    check_eq("mip.MSIP", csr_read(mip) & MIP_MSIP, MIP_MSIP);
    check_eq("interrupts taken with MIE = 0", n_soft, 0);
    irq_window();
    check_eq("software interrupts after setting MIE", n_soft, 1);
    check_eq("mcause", order[0], MCAUSE_MSI);
    check_eq("mepc = instruction after csrsi mstatus", last_epc, (ureg)irq_window_ret);
    check_eq("mip.MSIP after the handler cleared msip", csr_read(mip) & MIP_MSIP, 0);
    csr_clear(mie, MIP_MSIP);
}

static void test_msip_store(void)
{
    printf("store to msip with MIE = 1:\n");
    reset_counts();
    csr_set(mie, MIP_MSIP);
    irq_enable();
    msip_store(CLINT_MSIP, 1);
    irq_disable();
    check_eq("software interrupts", n_soft, 1);
    check_eq("mcause", order[0], MCAUSE_MSI);
    /* The interrupt is pending once the store completes, so it is taken right after the store
     * (tracehook, QEMU with -icount). QEMU without -icount finishes its translation block
     * first and takes it a few instructions later: accepted, reported. */
    if (last_epc == (ureg)msip_store_after)
        check(1, "mepc = instruction after the store (%p)", (void *)last_epc);
    else
        check(1, "mepc = %p, %ld bytes after the store (QEMU without -icount: end of its block)",
              (void *)last_epc, (long)(last_epc - (ureg)msip_store_after));
    csr_clear(mie, MIP_MSIP);
}

static void test_priority(void)
{
    printf("MSI and MTI pending together:\n");
    reset_counts();
    timer_more = 0;
    csr_set(mie, MIP_MSIP | MIP_MTIP);
    mmio_write32(CLINT_MSIP, 1);
    set_cmp(0);
    while ((csr_read(mip) & (MIP_MSIP | MIP_MTIP)) != (MIP_MSIP | MIP_MTIP))
        ;
    irq_window();
    check_eq("interrupts taken", n_order, 2);
    check_eq("first mcause (MSI)", order[0], MCAUSE_MSI);
    check_eq("second mcause (MTI)", order[1], MCAUSE_MTI);
    check_eq("second mepc (taken on return from the first)", last_epc, (ureg)irq_window_ret);
    csr_clear(mie, MIP_MSIP | MIP_MTIP);
}

static void test_vectored(void)
{
    printf("vectored mtvec:\n");
    csr_write(mtvec, (ureg)mtvec_vector_table | 1);
    check_eq("mtvec", csr_read(mtvec), (ureg)mtvec_vector_table | 1);
    csr_write(mscratch, 0xff);

    reset_counts();
    timer_more = 1;
    csr_set(mie, MIP_MTIP);
    set_cmp(mtime_read() + INTERVAL);
    irq_enable();
    wait_timer_irqs(2);
    irq_disable();
    check_eq("timer interrupts", n_timer, 2);
    check_eq("mcause", order[1], MCAUSE_MTI);
    check_eq("entered through slot", vec_slot, IRQ_M_TIMER);
    check_eq("mepc = instruction after wfi", last_epc, (ureg)wfi_wait_ret);
    csr_clear(mie, MIP_MTIP);

    reset_counts();
    csr_set(mie, MIP_MSIP);
    irq_enable();
    msip_store(CLINT_MSIP, 1);
    irq_disable();
    check_eq("software interrupts", n_soft, 1);
    check_eq("mcause", order[0], MCAUSE_MSI);
    check_eq("entered through slot", vec_slot, IRQ_M_SOFT);
    csr_clear(mie, MIP_MSIP);

    reset_counts();
    __asm__ volatile("ecall" ::: "memory");
    check_eq("ecalls", n_ecall, 1);
    check_eq("mcause", order[0], CAUSE_ECALL_M);
    check_eq("exception entered through slot", vec_slot, 0);

    csr_write(mtvec, (ureg)trap_entry);
    check_eq("mtvec back to direct mode", csr_read(mtvec), (ureg)trap_entry);
}

int main(void)
{
    printf("timer test (rv%d)\n", XLEN);
    m_trap_hook = hook;
    set_cmp(~0ULL);
    mmio_write32(CLINT_MSIP, 0);
    uint64_t t0 = mtime_read();
    test_timer_wfi();
    test_masked_pending();
    test_msip_store();
    test_priority();
    test_vectored();
    printf("mtime advanced by %lu ticks\n", (unsigned long)(mtime_read() - t0));
    return finish("timer");
}
