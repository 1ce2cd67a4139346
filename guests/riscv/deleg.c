/* deleg: trap delegation M -> S -> U and back.
 * medeleg delegates illegal instruction (2), load access fault (5) and ecall from U (8) to S;
 * mideleg delegates the supervisor software interrupt (SSIP). Checks, with the full order of
 * trap entries in M and S:
 * - delegated exceptions in M-mode still trap to M
 * - S-mode: ecall goes to M (mcause 9), a delegated illegal instruction goes to S (scause 2,
 *   stval = bits, sstatus.SPP = 1)
 * - U-mode (entered from S with sret): ecall / illegal / load fault trap to S (scause 8/2/5,
 *   sepc, stval, SPP = 0), ebreak (not delegated) traps to M; the M handler sets mip.SSIP and
 *   on its mret to U the delegated interrupt enters S at once (scause = intr | 1, sepc = the
 *   instruction after the ebreak)
 * - S-mode with SIE = 0: an SSIP set by M (on ecall request) stays pending until sstatus.SIE
 *   is set; S-mode setting sip.SSIP itself with SIE = 1 interrupts right away
 * - in M-mode a delegated SSIP is never taken; with mideleg = 0 it traps to M (mcause intr|1) */
#include "lib.h"

#define SCAUSE_SSI (CAUSE_INTR | IRQ_S_SOFT)
#define REQ_SSIP 0x55 /* a7 of an S-mode ecall asking M to set mip.SSIP */
#define MEDELEG_BITS ((1UL << CAUSE_ILLEGAL) | (1UL << CAUSE_LOAD_ACCESS) | (1UL << CAUSE_ECALL_U))

#define TEST_FN(name, body)                                                                  \
    extern ureg name(ureg);                                                                  \
    extern char name##_insn[], name##_after[];                                               \
    __asm__(".text\n.balign 4\n.globl " #name "\n.globl " #name "_insn\n.globl " #name      \
            "_after\n" #name ":\n" #name "_insn:\n" body "\n" #name "_after:\nret\n");

TEST_FN(x_ecall, ".option push\n.option norvc\necall\n.option pop")
TEST_FN(x_ecall_req, "li a7, 0x55\nx_ecall_req_do: ecall")
TEST_FN(x_illegal, ".4byte 0xffffffff")
TEST_FN(x_load, "lw a0, 0(a0)")
TEST_FN(x_ebreak, ".option push\n.option norvc\nebreak\n.option pop")
TEST_FN(s_self_ssip, "csrsi sip, 2")
extern char x_ecall_req_do[];
/* s_sie_window: sets sstatus.SIE; m_window: sets mstatus.MIE for one instruction.
 * A pending interrupt is taken with xepc = the _after label. */
extern void s_sie_window(void), m_window(void);
extern char s_sie_window_after[], m_window_after[];
__asm__(".text\n.balign 4\n"
        "s_sie_window: csrsi sstatus, 2\n"
        "s_sie_window_after: nop\n"
        "  ret\n"
        "m_window: csrsi mstatus, 8\n"
        "m_window_after: csrci mstatus, 8\n"
        "  ret\n");

struct event {
    char who;         /* 'M' or 'S' */
    ureg cause, epc, tval;
    ureg prev;        /* MPP or SPP */
};
static volatile struct event ev[32];
static volatile unsigned n_ev;

static void log_event(char who, struct trap_frame *tf, ureg prev)
{
    if (n_ev < 32) {
        ev[n_ev].who = who;
        ev[n_ev].cause = tf->cause;
        ev[n_ev].epc = tf->epc;
        ev[n_ev].tval = tf->tval;
        ev[n_ev].prev = prev;
    }
    n_ev++;
}

static void m_hook(struct trap_frame *tf)
{
    log_event('M', tf, (tf->status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    switch (tf->cause) {
    case CAUSE_ECALL_S:
        if (tf->regs[REG_A7] == REQ_SSIP)
            csr_set(mip, MIP_SSIP);
        tf->epc += 4;
        break;
    case CAUSE_BREAKPOINT: /* from U-mode: raise the supervisor software interrupt */
        csr_set(mip, MIP_SSIP);
        tf->epc += insn_len(tf->epc);
        break;
    case CAUSE_ILLEGAL:
        tf->regs[REG_A0] = 0xdead;
        tf->epc += insn_len(tf->epc);
        break;
    case CAUSE_INTR | IRQ_S_SOFT: /* only when not delegated */
        csr_clear(mip, MIP_SSIP);
        break;
    default:
        printf("unexpected M trap cause %lx at %p\n", tf->cause, (void *)tf->epc);
        exit(99);
    }
}

static void s_hook(struct trap_frame *tf)
{
    log_event('S', tf, (tf->status & MSTATUS_SPP) ? PRV_S : PRV_U);
    switch (tf->cause) {
    case CAUSE_ECALL_U:
        tf->regs[REG_A0] += 100;
        tf->epc += 4;
        break;
    case CAUSE_ILLEGAL:
        tf->regs[REG_A0] = 0xbeef;
        tf->epc += insn_len(tf->epc);
        break;
    case CAUSE_LOAD_ACCESS:
        tf->regs[REG_A0] = 0xfa17;
        tf->epc += insn_len(tf->epc);
        break;
    case SCAUSE_SSI:
        csr_clear(sip, MIP_SSIP);
        break;
    default:
        printf("unexpected S trap cause %lx at %p\n", tf->cause, (void *)tf->epc);
        exit(99);
    }
}

static void expect_event(unsigned i, char who, ureg cause, void *epc, ureg tval, ureg prev)
{
    if (i >= n_ev || i >= 32) {
        check(0, "event %u: %c cause %lx: missing (only %u events)", i, who, cause, n_ev);
        return;
    }
    volatile struct event *e = &ev[i];
    int ok = e->who == who && e->cause == cause && e->epc == (ureg)epc && e->tval == tval &&
             e->prev == prev;
    check(ok, "event %u: %c-mode trap cause=%lx epc=%p tval=%lx from %s (expected %c %lx %p %lx %s)",
          i, e->who, e->cause, (void *)e->epc, e->tval, e->prev == PRV_U ? "U" : e->prev == PRV_S ? "S" : "M",
          who, cause, epc, tval, prev == PRV_U ? "U" : prev == PRV_S ? "S" : "M");
}

/* ---- U-mode ---- */
static volatile ureg u_res[3];

static ureg u_main(ureg arg)
{
    u_res[0] = x_ecall(1);          /* S: 1 + 100 */
    u_res[1] = x_illegal(0);        /* S: 0xbeef */
    u_res[2] = x_load(0x00200000);  /* S: 0xfa17 */
    x_ebreak(0);                    /* M, then the SSI into S */
    return arg + 1;
}

/* ---- S-mode ---- */
static volatile ureg s_res[5];
static volatile ureg s_sip_before, s_ev_before;

static ureg s_main(ureg arg)
{
    csr_write(stvec, (ureg)s_trap_entry);
    x_ecall(0);                              /* to M: mcause 9 */
    s_res[0] = x_illegal(0);                 /* delegated: S, 0xbeef */
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(sie, MIP_SSIP);                  /* S interrupts are always on in U-mode */
    s_res[1] = s_run_user(u_main, 41);       /* 42 */
    s_res[4] = csr_read(sstatus) & MSTATUS_SIE;

    s_ev_before = n_ev;
    x_ecall_req(0);                          /* M sets mip.SSIP; SIE = 0: stays pending */
    s_sip_before = csr_read(sip) & MIP_SSIP;
    s_res[2] = n_ev - s_ev_before;           /* 1: just the ecall */
    s_sie_window();                          /* SIE = 1: taken after the csrsi */
    s_res[3] = csr_read(sip) & MIP_SSIP;     /* cleared by the handler */
    s_self_ssip(0);                          /* SIE still 1: taken right after the csrsi sip */
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sie, MIP_SSIP);
    return arg + 0x100;
}

int main(void)
{
    printf("delegation test (rv%d)\n", XLEN);
    m_trap_hook = m_hook;
    s_trap_hook = s_hook;

    csr_write(medeleg, MEDELEG_BITS);
    csr_write(mideleg, MIP_SSIP);
    check_eq("medeleg (delegated bits)", csr_read(medeleg) & MEDELEG_BITS, MEDELEG_BITS);
    check_eq("mideleg.SSI", csr_read(mideleg) & MIP_SSIP, MIP_SSIP);

    printf("M-mode illegal instruction with medeleg bit 2 set:\n");
    n_ev = 0;
    ureg r = x_illegal(0);
    check_eq("handled by M (a0)", r, 0xdead);
    expect_event(0, 'M', CAUSE_ILLEGAL, x_illegal_insn, 0xffffffff, PRV_M);

    printf("S-mode and U-mode:\n");
    n_ev = 0;
    r = m_run(PRV_S, s_main, 7);
    check_eq("s_main result", r, 0x107);
    check_eq("U ecall handled by S (1 + 100)", u_res[0], 101);
    check_eq("U illegal handled by S", u_res[1], 0xbeef);
    check_eq("U load fault handled by S", u_res[2], 0xfa17);
    check_eq("S illegal handled by S", s_res[0], 0xbeef);
    check_eq("u_main result", s_res[1], 42);
    check_eq("sstatus.SIE after s_run_user", s_res[4], 0);
    check_eq("sip.SSIP pending while SIE = 0", s_sip_before, MIP_SSIP);
    check_eq("traps while SIE = 0 (only the ecall)", s_res[2], 1);
    check_eq("sip.SSIP after the S handler", s_res[3], 0);
    unsigned i = 0;
    expect_event(i++, 'M', CAUSE_ECALL_S, x_ecall_insn, 0, PRV_S);
    expect_event(i++, 'S', CAUSE_ILLEGAL, x_illegal_insn, 0xffffffff, PRV_S);
    expect_event(i++, 'S', CAUSE_ECALL_U, x_ecall_insn, 0, PRV_U);
    expect_event(i++, 'S', CAUSE_ILLEGAL, x_illegal_insn, 0xffffffff, PRV_U);
    expect_event(i++, 'S', CAUSE_LOAD_ACCESS, x_load_insn, 0x00200000, PRV_U);
    expect_event(i++, 'M', CAUSE_BREAKPOINT, x_ebreak_insn, 0, PRV_U);
    expect_event(i++, 'S', SCAUSE_SSI, x_ebreak_after, 0, PRV_U);
    expect_event(i++, 'M', CAUSE_ECALL_S, x_ecall_req_do, 0, PRV_S);
    expect_event(i++, 'S', SCAUSE_SSI, s_sie_window_after, 0, PRV_S);
    expect_event(i++, 'S', SCAUSE_SSI, s_self_ssip_after, 0, PRV_S);
    check_eq("number of traps", n_ev, i);

    printf("delegated SSIP while in M-mode:\n");
    n_ev = 0;
    csr_set(mie, MIP_SSIP);
    csr_set(mip, MIP_SSIP);
    m_window();
    check_eq("traps (delegated: never taken in M)", n_ev, 0);
    check_eq("mip.SSIP still pending", csr_read(mip) & MIP_SSIP, MIP_SSIP);
    printf("SSIP with mideleg = 0:\n");
    csr_write(mideleg, 0);
    m_window();
    irq_disable();
    check_eq("traps", n_ev, 1);
    expect_event(0, 'M', CAUSE_INTR | IRQ_S_SOFT, m_window_after, 0, PRV_M);
    check_eq("mip.SSIP after the M handler", csr_read(mip) & MIP_SSIP, 0);
    csr_clear(mie, MIP_SSIP);

    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
    return finish("deleg");
}
