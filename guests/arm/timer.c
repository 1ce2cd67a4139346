/* timer: SysTick and CMSDK timer 0/1 interrupts (IRQ 8 and 9 on mps2-an385) with NVIC
 * priorities, preemption, tail-chaining, PRIMASK and BASEPRI. Handlers append a letter to a
 * trace (S = SysTick, T = timer 0, U = timer 1; lower case = handler exit) so the order of
 * entries and exits is printed and checked. */
#include "lib.h"

/* volatile: handlers append to it between main's accesses */
static volatile char trace[64];
static volatile unsigned tpos;
static void tr(char c) { if (tpos < sizeof trace - 1) trace[tpos++] = c; trace[tpos] = 0; }
static void tr_reset(void) { tpos = 0; trace[0] = 0; }

static volatile uint32_t systicks, t0_irqs, t1_irqs;
static volatile int mode;          /* what the handlers do, per test */
static volatile uint32_t nested_rettobase = 0xff, nested_iabr, nested_ipsr;

#define T0(r) REG32(TIMER0_BASE + (r))
#define T1(r) REG32(TIMER1_BASE + (r))

void SysTick_Handler(void)
{
    tr('S');
    systicks++;
    if (mode == 2) {                /* preempting timer 0's handler */
        nested_rettobase = (REG32(ICSR) >> 11) & 1;
        nested_iabr = REG32(NVIC_IABR);
        REG32(SYST_CSR) = 0;
    }
    if (mode == 1 && systicks >= 3) REG32(SYST_CSR) = 0;
    if (mode >= 3) REG32(SYST_CSR) = 0;
    tr('s');
}

void TIMER0_IRQHandler(void)
{
    tr('T');
    T0(TIMER_INTSTATUS) = 1;        /* clear the timer's interrupt */
    t0_irqs++;
    if (mode == 1 && t0_irqs >= 3) T0(TIMER_CTRL) = 0;
    if (mode == 2) {                /* start a fast SysTick and wait until it has preempted us */
        T0(TIMER_CTRL) = 0;
        uint32_t s = systicks;
        REG32(SYST_RVR) = 49;
        REG32(SYST_CVR) = 0;
        REG32(SYST_CSR) = 7;
        while (systicks == s) { }
    }
    if (mode == 3) {                /* pend SysTick (lower priority here) and spin: no preemption */
        REG32(ICSR) = ICSR_PENDSTSET;
        for (volatile int i = 0; i < 200; i++) { }
        tr(systicks ? '!' : '.');
    }
    tr('t');
}

void TIMER1_IRQHandler(void)
{
    tr('U');
    T1(TIMER_INTSTATUS) = 1;
    t1_irqs++;
    tr('u');
}

static void check_trace(const char *what, const char *expected)
{
    int ok = 1;
    for (unsigned i = 0;; i++) {
        if (trace[i] != expected[i]) { ok = 0; break; }
        if (!trace[i]) break;
    }
    check(ok, "%s: trace %s (expected %s)", what, (const char *)trace, expected);
}

int main(void)
{
    printf("timer: SysTick, CMSDK timers 0/1 (IRQ %d/%d), priorities, preemption, PRIMASK, BASEPRI\n",
           TIMER0_IRQn, TIMER1_IRQn);
    /* QEMU 7.2 implements all 8 priority bits (the AN385 FPGA's Cortex-M3 has 3) */
    check_eq("SysTick priority byte after writing 0xff (QEMU 7.2: 8 bits)",
             (shpr_set(EXC_SYSTICK, 0xff), REG32(SHPR3) >> 24), 0xff);

    /* 1. plain interrupts: 3 SysTicks (every 1000 clocks), then 3 timer-0 periods (every 200
     *    clocks), each waited for with WFI */
    mode = 1;
    tr_reset();
    shpr_set(EXC_SYSTICK, 0x80);
    REG32(SYST_RVR) = 999;
    REG32(SYST_CVR) = 0;
    REG32(SYST_CSR) = 7;
    while (systicks < 3) wfi();
    check_eq("SysTick interrupts", systicks, 3);
    check_eq("SYST_CSR after (disabled by the handler)", REG32(SYST_CSR) & 1, 0);
    nvic_set_prio(TIMER0_IRQn, 0x80);
    nvic_enable(TIMER0_IRQn);
    T0(TIMER_RELOAD) = 199;
    T0(TIMER_VALUE) = 199;
    T0(TIMER_CTRL) = 1 | 8;          /* enable, interrupt enable */
    uint32_t v1 = T0(TIMER_VALUE), v2 = T0(TIMER_VALUE);
    check(v1 <= 199 && v2 <= v1, "timer 0 counts down (%u, %u)", (unsigned)v1, (unsigned)v2);
    while (t0_irqs < 3) wfi();
    check_eq("timer 0 interrupts", t0_irqs, 3);
    check_trace("plain", "SsSsSsTtTtTt");

    /* 2. preemption: timer 0 at priority 0xc0, SysTick at 0x40 starts inside timer 0's handler
     *    and preempts it */
    mode = 2;
    tr_reset();
    systicks = 0;
    nvic_set_prio(TIMER0_IRQn, 0xc0);
    shpr_set(EXC_SYSTICK, 0x40);
    T0(TIMER_RELOAD) = 99;
    T0(TIMER_VALUE) = 99;
    T0(TIMER_CTRL) = 1 | 8;
    while (tpos < 4) wfi();
    check_trace("SysTick (0x40) preempts timer 0 (0xc0)", "TSst");
    check_eq("ICSR.RETTOBASE in the nested SysTick", nested_rettobase, 0);
    check_eq("NVIC_IABR in the nested SysTick (IRQ 8 active)", nested_iabr, 1u << TIMER0_IRQn);

    /* 3. no preemption: SysTick (0xc0) pended inside timer 0's handler (0x40) waits and is
     *    tail-chained after it */
    mode = 3;
    tr_reset();
    systicks = 0;
    nvic_set_prio(TIMER0_IRQn, 0x40);
    shpr_set(EXC_SYSTICK, 0xc0);
    nvic_pend(TIMER0_IRQn);
    while (tpos < 5) { }
    check_trace("SysTick (0xc0) pended in timer 0 (0x40): tail-chained", "T.tSs");

    /* 4. PRIMASK: three interrupts pended while masked are taken by priority, then by number */
    mode = 4;
    tr_reset();
    irq_disable();
    nvic_set_prio(TIMER0_IRQn, 0x80);
    nvic_set_prio(TIMER1_IRQn, 0x80);
    nvic_enable(TIMER1_IRQn);
    shpr_set(EXC_SYSTICK, 0xa0);
    nvic_pend(TIMER1_IRQn);
    nvic_pend(TIMER0_IRQn);
    REG32(ICSR) = ICSR_PENDSTSET;
    for (volatile int i = 0; i < 10; i++) { }
    check_trace("nothing taken with PRIMASK = 1", "");
    check_eq("NVIC_ISPR with PRIMASK = 1", REG32(NVIC_ISPR), (1u << TIMER0_IRQn) | (1u << TIMER1_IRQn));
    check_eq("ICSR.VECTPENDING (IRQ 8 = exception 24)", (REG32(ICSR) >> 12) & 0x1ff, 16 + TIMER0_IRQn);
    irq_enable();
    check_trace("after CPSIE i: by priority, equal priority by number", "TtUuSs");

    /* 5. BASEPRI = 0x80 masks priorities 0x80 and lower (numerically >= 0x80) */
    mode = 5;
    tr_reset();
    nvic_set_prio(TIMER0_IRQn, 0xc0);
    nvic_set_prio(TIMER1_IRQn, 0x60);
    set_reg(basepri, 0x80);
    nvic_pend(TIMER0_IRQn);
    for (volatile int i = 0; i < 10; i++) { }
    check_trace("IRQ 8 (0xc0) held off by BASEPRI 0x80", "");
    nvic_pend(TIMER1_IRQn);
    check_trace("IRQ 9 (0x60) taken through BASEPRI 0x80", "Uu");
    set_reg(basepri_max, 0xa0);      /* BASEPRI_MAX only raises the mask: ignored here */
    check_eq("BASEPRI after BASEPRI_MAX 0xa0", get_reg(basepri), 0x80);
    set_reg(basepri_max, 0x40);
    check_eq("BASEPRI after BASEPRI_MAX 0x40", get_reg(basepri), 0x40);
    set_reg(basepri, 0);
    check_trace("IRQ 8 taken when BASEPRI = 0", "UuTt");

    /* 6. timers 0 and 1 together (300 and 500 clocks), busy-waiting: at 1500 both fire and
     *    timer 0 (lower number, same priority) goes first. (Waiting with WFI instead, QEMU 7.2
     *    under -icount sleep=off loses timer-0 periods: see README.md.) */
    mode = 6;
    tr_reset();
    t0_irqs = t1_irqs = 0;
    nvic_set_prio(TIMER0_IRQn, 0x80);
    nvic_set_prio(TIMER1_IRQn, 0x80);
    T0(TIMER_RELOAD) = 299; T0(TIMER_VALUE) = 299;
    T1(TIMER_RELOAD) = 499; T1(TIMER_VALUE) = 499;
    T0(TIMER_CTRL) = 9;
    T1(TIMER_CTRL) = 9;
    while (t1_irqs < 3) { }
    T0(TIMER_CTRL) = 0;
    T1(TIMER_CTRL) = 0;
    printf("timer 0 every 300 clocks, timer 1 every 500: %u and %u interrupts, trace %s\n",
           (unsigned)t0_irqs, (unsigned)t1_irqs, (const char *)trace);
    check(t0_irqs == 5, "5 timer-0 interrupts while timer 1 counted 3");
    check_trace("timers 0 and 1", "TtUuTtTtUuTtTtUu");
    nvic_disable(TIMER0_IRQn);
    nvic_disable(TIMER1_IRQn);
    return finish("timer");
}
