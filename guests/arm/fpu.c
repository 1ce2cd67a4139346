/* fpu (Cortex-M4, mps2-an386): FPv4-SP and the DSP extension. Single-precision arithmetic
 * (VADD/VMUL/VDIV/VSQRT/VFMA, conversions) checked bit for bit; FPSCR cumulative flags (DZC,
 * IOC, IXC); CONTROL.FPCA; **lazy FP stacking**: an interrupt taken while FPCA = 1 gets
 * EXC_RETURN 0xffffffe9 and an extended frame whose FP part is only reserved (FPCCR.LSPACT = 1,
 * FPCAR = its address) until the handler's first FP instruction stores s0-s15/FPSCR there; the
 * thread's s0 survives the handler's use of s0. The same with LSPEN = 0 (stacked at entry).
 * NOCP UsageFault with CPACR cleared. DSP: SMLAD, QADD (Q flag), SSAT, UQADD8, SADD8 + SEL (GE),
 * SMULL, UMAAL, USAD8. Build: -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16. */
#include "lib.h"

#define CPACR 0xE000ED88u
#define FPCCR 0xE000EF34u
#define FPCAR 0xE000EF38u
#define FPCCR_LSPEN (1u << 30)
#define FPCCR_ASPEN (1u << 31)
#define FPCCR_LSPACT (1u << 0)

static uint32_t fbits(float f) { union { float f; uint32_t u; } x = { .f = f }; return x.u; }
static float bitsf(uint32_t u) { union { float f; uint32_t u; } x = { .u = u }; return x.f; }
static inline uint32_t get_fpscr(void) { uint32_t v; __asm__ volatile("vmrs %0, fpscr" : "=r"(v) :: "memory"); return v; }
static inline void set_fpscr(uint32_t v) { __asm__ volatile("vmsr fpscr, %0" :: "r"(v) : "memory"); }
/* divisions as volatile asm, so that they stay between the FPSCR accesses */
static inline float vdiv(float x, float y) { float r; __asm__ volatile("vdiv.f32 %0, %1, %2" : "=t"(r) : "t"(x), "t"(y)); return r; }

/* the interrupt hook (IRQ 8, pended by software) */
static volatile uint32_t h_exc_return, h_fpccr_entry, h_fpccr_after, h_fpcar, h_frame, h_lazy_s0_before,
    h_lazy_s0_after, h_control;
static void irq_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    h_exc_return = exc_return;
    h_frame = (uint32_t)(uintptr_t)f;
    h_fpccr_entry = REG32(FPCCR);
    h_fpcar = REG32(FPCAR);
    h_control = get_reg(control);
    h_lazy_s0_before = *(volatile uint32_t *)(uintptr_t)(h_frame + 0x20);
    /* the handler's first FP instruction: the lazy state preservation happens here */
    __asm__ volatile("vmov s0, %0" :: "r"(0x7f7f7f7fu) : "s0", "memory");
    h_fpccr_after = REG32(FPCCR);
    h_lazy_s0_after = *(volatile uint32_t *)(uintptr_t)(h_frame + 0x20);
}

static volatile uint32_t nocp_cfsr, nocp_pc, nocp_count;
static void usage_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    nocp_count++;
    nocp_cfsr = REG32(CFSR);
    nocp_pc = f->pc;
    print_exc("  UsageFault", f, exc_return);
    REG32(CFSR) = nocp_cfsr;
    f->pc += insn_len(f->pc);
}

/* s0 = a; pend IRQ 8 (taken at once); return s0 as the thread sees it after the handler */
static uint32_t s0_across_irq(uint32_t a)
{
    uint32_t out;
    __asm__ volatile(
        "vmov s0, %[a]\n"
        "str %[bit], [%[ispr]]\n"
        "dsb\n"
        "isb\n"
        "vmov %[out], s0\n"
        : [out] "=r"(out)
        : [a] "r"(a), [bit] "r"(1u << TIMER0_IRQn), [ispr] "r"(NVIC_ISPR)
        : "s0", "memory");
    return out;
}

static void lazy_test(const char *what, int lspen)
{
    REG32(FPCCR) = FPCCR_ASPEN | (lspen ? FPCCR_LSPEN : 0);
    set_fpscr(0);                     /* an FP instruction: sets CONTROL.FPCA */
    check_eq("CONTROL.FPCA after an FP instruction", (get_reg(control) >> 2) & 1, 1);
    uint32_t s0 = s0_across_irq(0x3fc00000u);     /* 1.5f */
    printf("%s: EXC_RETURN %08x, FPCCR at entry %08x, after the handler's VMOV %08x, frame %08x, "
           "FPCAR %08x\n", what, (unsigned)h_exc_return, (unsigned)h_fpccr_entry,
           (unsigned)h_fpccr_after, (unsigned)h_frame, (unsigned)h_fpcar);
    check_eq("EXC_RETURN (thread, MSP, extended frame)", h_exc_return, 0xffffffe9);
    check_eq("FPCAR = frame + 0x20", h_fpcar, h_frame + 0x20);
    check_eq("CONTROL in the handler (FPCA = 0 at entry)", h_control, 0);
    if (lspen) {
        check_eq("FPCCR.LSPACT at entry", h_fpccr_entry & FPCCR_LSPACT, 1);
        check_eq("FPCCR.LSPACT after the handler's first FP instruction", h_fpccr_after & FPCCR_LSPACT, 0);
        check(h_lazy_s0_before != 0x3fc00000u, "s0 slot not yet written at entry (%08x)",
              (unsigned)h_lazy_s0_before);
    } else {
        check_eq("FPCCR.LSPACT at entry (LSPEN = 0)", h_fpccr_entry & FPCCR_LSPACT, 0);
        check_eq("s0 slot written at entry", h_lazy_s0_before, 0x3fc00000u);
    }
    check_eq("s0 slot after the handler's FP use", h_lazy_s0_after, 0x3fc00000u);
    check_eq("thread's s0 after the interrupt", s0, 0x3fc00000u);
}

int main(void)
{
    printf("fpu: FPv4-SP, lazy FP stacking, DSP (Cortex-M4)\n");
    printf("CPACR %08x FPCCR %08x MVFR0 %08x MVFR1 %08x\n", (unsigned)REG32(CPACR),
           (unsigned)REG32(FPCCR), (unsigned)REG32(0xE000EF40), (unsigned)REG32(0xE000EF44));

    /* arithmetic, bit-exact */
    volatile float a = 1.1f, b = 3.0f, c = -0.25f;
    check_eq("1.1f + 3.0f", fbits(a + b), 0x40833333);
    check_eq("1.1f * 3.0f", fbits(a * b), 0x40533334);
    check_eq("1.1f / 3.0f", fbits(a / b), 0x3ebbbbbc);
    float r;
    __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"((float)b));
    check_eq("vsqrt 3.0f", fbits(r), 0x3fddb3d7);
    float acc = c;
    __asm__("vfma.f32 %0, %1, %2" : "+t"(acc) : "t"((float)a), "t"((float)b));
    check_eq("vfma -0.25 + 1.1 * 3.0", fbits(acc), 0x40433334);
    check_eq("(int)-7.75f", (uint32_t)(int32_t)(float)(c * 31.0f), (uint32_t)-7);
    check_eq("(float)123456789", fbits((float)(volatile int32_t){123456789}), 0x4ceb79a3);

    /* FPSCR cumulative exception flags */
    set_fpscr(0);
    float q = vdiv(b, 0.0f);
    check_eq("3 / 0 = +inf", fbits(q), 0x7f800000);
    check_eq("FPSCR.DZC", get_fpscr() & 0x9f, 0x02);
    set_fpscr(0);
    __asm__ volatile("vsqrt.f32 %0, %1" : "=t"(r) : "t"(bitsf(0xbf800000)));
    check_eq("sqrt(-1) = default NaN", fbits(r), 0x7fc00000);
    check_eq("FPSCR.IOC", get_fpscr() & 0x9f, 0x01);
    set_fpscr(0);
    q = vdiv(1.0f, b);        /* (1.1f / 3 happens to be exact) */
    check_eq("FPSCR.IXC after 1 / 3", get_fpscr() & 0x9f, 0x10);

    /* lazy stacking around an interrupt */
    exc_hooks[EXC_IRQ0 + TIMER0_IRQn] = irq_hook;
    nvic_enable(TIMER0_IRQn);
    lazy_test("lazy (LSPEN = 1)", 1);
    lazy_test("immediate (LSPEN = 0)", 0);
    REG32(FPCCR) = FPCCR_ASPEN | FPCCR_LSPEN;
    nvic_disable(TIMER0_IRQn);

    /* NOCP: FP access with CPACR cleared */
    exc_hooks[EXC_USAGEFAULT] = usage_hook;
    REG32(SHCSR) |= SHCSR_USGFAULTENA;
    uint32_t cpacr = REG32(CPACR);
    REG32(CPACR) = 0;
    dsb(); isb();
    __asm__ volatile("vmov s1, %0" :: "r"(1u) : "s1");
    REG32(CPACR) = cpacr;
    dsb(); isb();
    check_eq("NOCP UsageFaults", nocp_count, 1);
    check_eq("CFSR.NOCP", nocp_cfsr, 1u << 19);

    /* DSP */
    uint32_t x;
    __asm__("smlad %0, %1, %2, %3" : "=r"(x) : "r"(0x00030004u), "r"(0x00050006u), "r"(100u));
    check_eq("SMLAD (3*5 + 4*6 + 100)", x, 139);
    set_reg(apsr_nzcvq, 0);
    __asm__ volatile("qadd %0, %1, %2" : "=r"(x) : "r"(0x7fffff00u), "r"(0x1000u));
    check_eq("QADD saturates", x, 0x7fffffff);
    check_eq("APSR.Q", (get_reg(apsr) >> 27) & 1, 1);
    __asm__("ssat %0, #8, %1" : "=r"(x) : "r"(1000u));
    check_eq("SSAT #8 of 1000", x, 127);
    __asm__("uqadd8 %0, %1, %2" : "=r"(x) : "r"(0xf0801001u), "r"(0x20901002u));
    check_eq("UQADD8", x, 0xffff2003);
    uint32_t ge;
    __asm__ volatile("sadd8 %0, %1, %2\n\tsel %0, %3, %4"
                     : "=&r"(ge) : "r"(0x01ff7f80u), "r"(0x00000000u), "r"(0xaaaaaaaau), "r"(0x55555555u));
    check_eq("SADD8 + SEL (GE from the signs)", ge, 0xaa55aa55);
    uint32_t lo, hi;
    __asm__("smull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(-123456789), "r"(987654321));
    check_eq("SMULL lo", lo, 0x0400ac7b);
    check_eq("SMULL hi", hi, 0xfe4eceeb);
    lo = 0xffffffffu; hi = 0xffffffffu;
    __asm__("umaal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(0xffffffffu), "r"(0xffffffffu));
    check_eq("UMAAL lo", lo, 0xffffffff);
    check_eq("UMAAL hi", hi, 0xffffffff);
    __asm__("usad8 %0, %1, %2" : "=r"(x) : "r"(0x10203040u), "r"(0x40302010u));
    check_eq("USAD8", x, 0x80);
    return finish("fpu");
}
