/* ecall: environment calls from M, S and U mode.
 * Drops to S and U with mret (mstatus.MPP), comes back through traps. Checks mcause 11/9/8,
 * mepc = the ecall, mtval = 0, mstatus.MPP = the calling mode, that the handler can return a
 * value in a0 (syscall style) and that mret restores the calling mode. */
#include "lib.h"

/* ureg ecall_probe(ureg a0): "ecall" with a7 = 0x5a; the handler returns a0 + 2 */
extern ureg ecall_probe(ureg);
extern char ecall_probe_insn[];
/* ureg priv_probe(ureg): reads mscratch; traps (illegal) below M-mode */
extern ureg priv_probe(ureg);
__asm__(".text\n"
        ".balign 4\n"
        ".globl ecall_probe\n"
        "ecall_probe:\n"
        "  li a7, 0x5a\n"
        ".globl ecall_probe_insn\n"
        "ecall_probe_insn:\n"
        "  ecall\n"
        "  ret\n"
        ".globl priv_probe\n"
        "priv_probe:\n"
        "  csrr a0, mscratch\n"
        "  ret\n");

static volatile unsigned n_traps;
static volatile ureg t_cause, t_epc, t_tval, t_mpp, t_a7;

static void hook(struct trap_frame *tf)
{
    n_traps++;
    t_cause = tf->cause;
    t_epc = tf->epc;
    t_tval = tf->tval;
    t_mpp = (tf->status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    t_a7 = tf->regs[REG_A7];
    if (tf->cause == CAUSE_ECALL_U || tf->cause == CAUSE_ECALL_S || tf->cause == CAUSE_ECALL_M) {
        tf->regs[REG_A0] += 2; /* "system call" result */
        tf->epc += 4;          /* ecall has no compressed form */
    } else if (tf->cause == CAUSE_ILLEGAL) {
        tf->regs[REG_A0] = 0xdead;
        tf->epc += insn_len(tf->epc);
    } else {
        printf("unexpected trap cause %lx at %p\n", tf->cause, (void *)tf->epc);
        exit(99);
    }
}

/* what a lower-mode function runs: two ecalls, then a privileged CSR read */
static ureg lower(ureg arg)
{
    ureg r = ecall_probe(arg);
    r = ecall_probe(r);
    return r;
}

static const char *mode_name(int m) { return m == PRV_M ? "M" : m == PRV_S ? "S" : "U"; }

static void test_mode(int mode, ureg expect_cause)
{
    printf("ecall from %s-mode:\n", mode_name(mode));
    n_traps = 0;
    t_cause = t_epc = t_tval = t_mpp = ~0UL;
    ureg r = mode == PRV_M ? lower(40) : m_run(mode, lower, 40);
    check_eq("result (40 + 2 + 2)", r, 44);
    check_eq("traps taken", n_traps, 2);
    check_eq("mcause", t_cause, expect_cause);
    check_eq("mepc", t_epc, (ureg)ecall_probe_insn);
    check_eq("mtval", t_tval, 0);
    check_eq("mstatus.MPP", t_mpp, mode);
    check_eq("a7 seen by handler", t_a7, 0x5a);
    /* mret sets MPP to the least-privileged mode (U) */
    check_eq("mstatus.MPP after mret", (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, PRV_U);

    /* after the mret the caller is back in its own mode: mscratch is readable only in M */
    csr_write(mscratch, 0x1234);
    n_traps = 0;
    r = mode == PRV_M ? priv_probe(0) : m_run(mode, priv_probe, 0);
    if (mode == PRV_M) {
        check_eq("csrr mscratch in M-mode", r, 0x1234);
        check_eq("traps taken", n_traps, 0);
    } else {
        check_eq("csrr mscratch traps (still below M after mret)", r, 0xdead);
        check_eq("mcause", t_cause, CAUSE_ILLEGAL);
        check_eq("mstatus.MPP", t_mpp, mode);
    }
    csr_write(mscratch, 0);
}

int main(void)
{
    printf("ecall test (rv%d)\n", XLEN);
    m_trap_hook = hook;
    test_mode(PRV_M, CAUSE_ECALL_M);
    test_mode(PRV_S, CAUSE_ECALL_S);
    test_mode(PRV_U, CAUSE_ECALL_U);
    /* M-mode again: MPP must be back to M after the lower-mode runs */
    test_mode(PRV_M, CAUSE_ECALL_M);
    return finish("ecall");
}
