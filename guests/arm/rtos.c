/* rtos: a minimal preemptive scheduler. Two unprivileged tasks on their own process stacks;
 * SysTick (every 1000 clocks) pends PendSV, whose handler (Thumb-1 assembly, so it also runs
 * on Cortex-M0) saves r4-r11 of the running task on its PSP, stores the PSP, switches to the
 * other task and returns to it with EXC_RETURN 0xfffffffd. Task A prints a line and waits for
 * the next tick; task B prints a line and yields at once with SVC 1 (the SVC handler pends
 * PendSV, taken by tail-chaining). After 4 rounds each, SVC 2 ends the run (from the handler:
 * summary, then semihosting exit). The output alternates A0 B0 A1 B1 ... whatever the timing. */
#include "lib.h"

#define ROUNDS 4
#define STACK_WORDS 256
static uint32_t stack_a[STACK_WORDS] __attribute__((aligned(8)));
static uint32_t stack_b[STACK_WORDS] __attribute__((aligned(8)));

uint32_t task_sp[2];            /* saved PSP of each task (used by PendSV_Handler) */
volatile uint32_t current;      /* index of the running task */
volatile uint32_t ticks, switches, yields;
static volatile int done_a, done_b;
static uint32_t min_sp[2] = { 0xffffffff, 0xffffffff };

__asm__(
    "  .syntax unified\n"
    "  .text\n"
    "  .globl PendSV_Handler\n"
    "  .type PendSV_Handler, %function\n"
    "  .thumb_func\n"
    "PendSV_Handler:\n"
    "  mrs r0, psp\n"
    "  subs r0, #32\n"
    "  mov r12, r0\n"
    "  stmia r0!, {r4-r7}\n"          /* r4-r7 at psp-32 */
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  stmia r0!, {r4-r7}\n"          /* r8-r11 at psp-16 */
    "  ldr r2, =current\n"
    "  ldr r1, [r2]\n"
    "  ldr r3, =task_sp\n"
    "  lsls r1, r1, #2\n"
    "  mov r0, r12\n"
    "  str r0, [r3, r1]\n"
    "  lsrs r1, r1, #2\n"
    "  movs r0, #1\n"
    "  eors r1, r0\n"
    "  str r1, [r2]\n"
    "  ldr r2, =switches\n"
    "  ldr r0, [r2]\n"
    "  adds r0, #1\n"
    "  str r0, [r2]\n"
    "  lsls r1, r1, #2\n"
    "  ldr r0, [r3, r1]\n"
    "  adds r0, #16\n"
    "  ldmia r0!, {r4-r7}\n"          /* r8-r11 */
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  subs r0, #32\n"
    "  ldmia r0!, {r4-r7}\n"          /* r4-r7 */
    "  adds r0, #16\n"
    "  msr psp, r0\n"
    "  ldr r0, =0xfffffffd\n"
    "  bx r0\n"
    "  .pool\n"
    "  .size PendSV_Handler, . - PendSV_Handler\n");

void SysTick_Handler(void)
{
    ticks++;
    REG32(ICSR) = ICSR_PENDSVSET;
}

static void note_sp(void)
{
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    if (sp < min_sp[current]) min_sp[current] = sp;
}

static inline void svc_yield(void) { __asm__ volatile("svc 1" ::: "memory"); }
static inline void svc_end(void) { __asm__ volatile("svc 2" ::: "memory"); }

static void task_a(void)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t = ticks;
        printf("A%d (tick %u)\n", i, (unsigned)(t >= 1));
        note_sp();
        while (ticks == t) { }         /* preempted by SysTick -> PendSV */
    }
    done_a = 1;
    while (!done_b) { }
    svc_end();
}

static void task_b(void)
{
    for (int i = 0; i < ROUNDS; i++) {
        printf("B%d\n", i);
        note_sp();
        svc_yield();
    }
    done_b = 1;
    while (!done_a) svc_yield();
    svc_end();
}

static void svc_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    uint32_t num = *(volatile uint16_t *)(uintptr_t)(f->pc - 2) & 0xff;
    if (num == 1) {
        yields++;
        REG32(ICSR) = ICSR_PENDSVSET;
        return;
    }
    REG32(SYST_CSR) = 0;
    printf("end (svc %u from task %c): %u switches, %u yields, ticks %s\n", (unsigned)num,
           current ? 'B' : 'A', (unsigned)switches, (unsigned)yields, ticks >= ROUNDS ? ">= 4" : "< 4");
    check(exc_return == 0xfffffffd, "EXC_RETURN of the last SVC: thread mode, PSP");
    check(min_sp[0] > (uint32_t)(uintptr_t)stack_a && min_sp[0] <= (uint32_t)(uintptr_t)&stack_a[STACK_WORDS],
          "task A ran on its own stack");
    check(min_sp[1] > (uint32_t)(uintptr_t)stack_b && min_sp[1] <= (uint32_t)(uintptr_t)&stack_b[STACK_WORDS],
          "task B ran on its own stack");
    check_eq("context switches", switches, 2 * ROUNDS + 1);
    sh_exit(finish("rtos"));
}

int main(void)
{
    printf("rtos: two tasks, SysTick + PendSV context switch, SVC yield\n");
    exc_hooks[EXC_SVCALL] = svc_hook;
    shpr_set(EXC_PENDSV, 0xff);                   /* lowest */
    shpr_set(EXC_SYSTICK, 0x80);
    shpr_set(EXC_SVCALL, 0x80);

    /* task B's initial context: r4-r11, then the hardware frame */
    uint32_t *sp = &stack_b[STACK_WORDS - 16];
    for (int i = 0; i < 8; i++) sp[i] = 0x0b0b0000u + 4 + i;   /* r4..r11 */
    sp[8] = 0; sp[9] = 0; sp[10] = 0; sp[11] = 0; sp[12] = 0; /* r0-r3, r12 */
    sp[13] = 0xffffffff;                                      /* lr: task_b never returns */
    sp[14] = (uint32_t)(uintptr_t)task_b & ~1u;               /* pc */
    sp[15] = 0x01000000;                                      /* xPSR: T */
    task_sp[1] = (uint32_t)(uintptr_t)sp;
    current = 0;

    REG32(SYST_RVR) = 999;
    REG32(SYST_CVR) = 0;
    REG32(SYST_CSR) = 7;                                      /* CPU clock, TICKINT, enable */

    /* become task A: PSP = top of stack A, unprivileged */
    set_reg(psp, (uint32_t)(uintptr_t)&stack_a[STACK_WORDS]);
    set_reg(control, 3);
    isb();
    task_a();
    return 99;
}
