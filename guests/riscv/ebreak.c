/* ebreak: 4-byte ebreak and 2-byte c.ebreak in M, S and U mode.
 * Checks mcause 3, mepc = the breakpoint, mtval (QEMU 7.2 writes 0; the spec also allows the
 * pc), mstatus.MPP, and that the handler can resume 2, 4 or 6 bytes later (the code after
 * each breakpoint is a chain of c.addi that shows exactly where execution resumed).
 * Also the semihosting sequence (slli/ebreak/srai) is a plain breakpoint when semihosting is
 * off: run this guest WITHOUT -semihosting. */
#include "lib.h"

/* Each returns a0 + the c.addi increments that ran after the breakpoint. */
extern ureg bp32(ureg), bp16(ureg), bp_semi(ureg);
extern char bp32_insn[], bp16_insn[], bp_semi_insn[];
__asm__(".text\n"
        ".balign 4\n"
        ".globl bp32\n"
        "bp32:\n"
        ".option push\n"
        ".option norvc\n"
        "bp32_insn: ebreak\n"
        ".option pop\n"
        "  c.addi a0, 1\n"
        "  c.addi a0, 2\n"
        "  c.addi a0, 4\n"
        "  ret\n"
        ".globl bp16\n"
        "bp16:\n"
        "bp16_insn: c.ebreak\n"
        "  c.addi a0, 1\n"
        "  c.addi a0, 2\n"
        "  c.addi a0, 4\n"
        "  ret\n"
        ".balign 16\n"
        ".globl bp_semi\n"
        "bp_semi:\n"
        ".option push\n"
        ".option norvc\n"
        "  slli x0, x0, 0x1f\n"
        "bp_semi_insn: ebreak\n"
        "  srai x0, x0, 7\n"
        ".option pop\n"
        "  c.addi a0, 1\n"
        "  ret\n");

static volatile unsigned n_traps, skip;
static volatile ureg t_cause, t_epc, t_tval, t_mpp;
static volatile uint32_t t_insn;

static void hook(struct trap_frame *tf)
{
    n_traps++;
    t_cause = tf->cause;
    t_epc = tf->epc;
    t_tval = tf->tval;
    t_mpp = (tf->status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    t_insn = insn_bits(tf->epc);
    if (tf->cause != CAUSE_BREAKPOINT) {
        printf("unexpected trap cause %lx at %p\n", tf->cause, (void *)tf->epc);
        exit(99);
    }
    tf->epc += skip ? skip : insn_len(tf->epc);
}

static const char *mode_name(int m) { return m == PRV_M ? "M" : m == PRV_S ? "S" : "U"; }

static void one(const char *what, int mode, ureg (*fn)(ureg), char *insn, uint32_t bits,
                unsigned skip_bytes, ureg expect)
{
    if (skip_bytes)
        printf("%s in %s-mode, handler resumes at mepc + %u:\n", what, mode_name(mode), skip_bytes);
    else
        printf("%s in %s-mode, handler resumes after it:\n", what, mode_name(mode));
    n_traps = 0;
    t_cause = t_epc = t_tval = t_mpp = ~0UL;
    skip = skip_bytes;
    ureg r = mode == PRV_M ? fn(100) : m_run(mode, fn, 100);
    check_eq("traps taken", n_traps, 1);
    check_eq("mcause", t_cause, CAUSE_BREAKPOINT);
    check_eq("mepc", t_epc, (ureg)insn);
    check_eq("instruction at mepc", t_insn, bits);
    check(t_tval == 0 || t_tval == (ureg)insn, "mtval = 0x%lx (0 on QEMU 7.2, or the pc)", t_tval);
    check_eq("mstatus.MPP", t_mpp, mode);
    check_eq("a0 after resuming", r, expect);
}

int main(void)
{
    printf("ebreak test (rv%d)\n", XLEN);
    m_trap_hook = hook;
    for (int mode = PRV_M; mode >= PRV_U; mode = mode == PRV_M ? PRV_S : mode - 1) {
        /* default skip = instruction length: every c.addi after it runs */
        one("ebreak", mode, bp32, bp32_insn, 0x00100073, 0, 107);
        one("c.ebreak", mode, bp16, bp16_insn, 0x9002, 0, 107);
    }
    one("ebreak", PRV_M, bp32, bp32_insn, 0x00100073, 4, 107);
    one("ebreak", PRV_M, bp32, bp32_insn, 0x00100073, 6, 106);  /* skips c.addi a0,1 */
    one("ebreak", PRV_M, bp32, bp32_insn, 0x00100073, 8, 104);  /* skips two */
    one("c.ebreak", PRV_M, bp16, bp16_insn, 0x9002, 2, 107);
    one("c.ebreak", PRV_M, bp16, bp16_insn, 0x9002, 4, 106);
    one("c.ebreak", PRV_U, bp16, bp16_insn, 0x9002, 6, 104);
    /* with semihosting disabled the semihosting sequence is an ordinary breakpoint */
    one("semihosting sequence (semihosting off)", PRV_M, bp_semi, bp_semi_insn, 0x00100073, 0, 101);
    return finish("ebreak");
}
