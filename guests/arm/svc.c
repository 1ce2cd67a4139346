/* svc: SVC from thread mode on the process stack (CONTROL.SPSEL = 1), privileged and then
 * unprivileged (CONTROL.nPRIV = 1). The SVCall handler reads the SVC number from the
 * instruction before the stacked PC, checks EXC_RETURN (0xfffffffd: thread mode, PSP) and that
 * the frame is on the PSP, and returns results in the stacked r0. In unprivileged mode a write
 * to CONTROL/PRIMASK is ignored and an SCS access faults (BusFault, skipped by its handler);
 * SVC 0 takes the thread back to privileged mode. */
#include "lib.h"

#define TASK_STACK_WORDS 256
static uint32_t task_stack[TASK_STACK_WORDS] __attribute__((aligned(8)));
#define TASK_STACK_TOP ((uint32_t)(uintptr_t)&task_stack[TASK_STACK_WORDS])

/* uint32_t run_thread(fn, arg, psp, control): call fn(arg) in thread mode with PSP = psp and
 * CONTROL = control, then SVC 0 (back to privileged) and CONTROL = 0 (back to MSP). */
uint32_t run_thread(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t psp, uint32_t control);
__asm__(
    "  .text\n"
    "  .globl run_thread\n"
    "  .type run_thread, %function\n"
    "  .thumb_func\n"
    "run_thread:\n"
    "  push {r4, lr}\n"
    "  msr psp, r2\n"
    "  msr control, r3\n"
    "  isb\n"
    "  mov r12, r0\n"
    "  mov r0, r1\n"
    "  blx r12\n"
    "  svc 0\n"                 /* privileged again (still on PSP) */
    "  movs r3, #0\n"
    "  msr control, r3\n"       /* back to MSP */
    "  isb\n"
    "  pop {r4, pc}\n"
    "  .size run_thread, . - run_thread\n");

static volatile uint32_t svc_count, last_svc, last_exc_return, last_frame, last_control;
static volatile uint32_t bus_faults, last_cfsr;

static inline uint32_t svc1(uint32_t a) {
    register uint32_t r0 __asm__("r0") = a;
    __asm__ volatile("svc 1" : "+r"(r0) :: "memory");
    return r0;
}
static inline uint32_t svc2(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    register uint32_t r0 __asm__("r0") = a, r1 __asm__("r1") = b, r2 __asm__("r2") = c,
                      r3 __asm__("r3") = d;
    __asm__ volatile("svc 2" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3) : "memory");
    return r0;
}
static inline uint32_t svc_n(void) {   /* svc 0x42: returns the CONTROL value the handler saw */
    register uint32_t r0 __asm__("r0") = 0;
    __asm__ volatile("svc 0x42" : "+r"(r0) :: "memory");
    return r0;
}

static void svc_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    uint32_t num = *(volatile uint16_t *)(uintptr_t)(f->pc - 2) & 0xff;
    svc_count++;
    last_svc = num;
    last_exc_return = exc_return;
    last_frame = (uint32_t)(uintptr_t)f;
    last_control = get_reg(control);
    switch (num) {
    case 0: set_reg(control, get_reg(control) & ~1u); isb(); break;  /* nPRIV = 0 */
    case 1: f->r0 = f->r0 * 3 + 1; break;
    case 2: f->r0 = f->r0 + f->r1 + f->r2 + f->r3; break;
    case 0x42: f->r0 = last_control; break;
    default: f->r0 = 0xdeadbeef; break;
    }
}

static void busfault_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    bus_faults++;
    last_cfsr = REG32(CFSR);
    print_exc("  BusFault", f, exc_return);
    REG32(CFSR) = last_cfsr;            /* write 1 to clear */
    f->pc += insn_len(f->pc);           /* skip the faulting access */
}

static uint32_t privileged_thread(uint32_t arg)
{
    uint32_t ctrl = get_reg(control);
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    printf("thread (privileged, PSP): CONTROL=%x sp=%08x psp=%08x\n", (unsigned)ctrl,
           (unsigned)sp, (unsigned)get_reg(psp));
    check_eq("CONTROL in privileged thread", ctrl, 2);
    check(sp == get_reg(psp) && sp < TASK_STACK_TOP && sp >= TASK_STACK_TOP - 64,
          "running on the task stack (PSP)");
    uint32_t r = svc1(arg);
    check_eq("svc 1 result (3 * arg + 1)", r, arg * 3 + 1);
    check_eq("svc number seen by the handler", last_svc, 1);
    check_eq("EXC_RETURN (thread, PSP)", last_exc_return, 0xfffffffd);
    check(last_frame >= TASK_STACK_TOP - 96 && last_frame < TASK_STACK_TOP,
          "frame stacked on the PSP (%08x)", (unsigned)last_frame);
    check_eq("CONTROL read in the handler (SPSEL reads 0: handlers run on MSP)", last_control, 0);
    return r;
}

static uint32_t unprivileged_thread(uint32_t arg)
{
    uint32_t ctrl = get_reg(control);
    printf("thread (unprivileged, PSP): CONTROL=%x\n", (unsigned)ctrl);
    check_eq("CONTROL in unprivileged thread", ctrl, 3);
    check_eq("svc 2 result (sum of r0..r3)", svc2(1, 20, 300, 4000), 4321);
    check_eq("svc 0x42: CONTROL read in the handler (nPRIV = 1, SPSEL = 0)", svc_n(), 1);
    check_eq("EXC_RETURN (thread, PSP)", last_exc_return, 0xfffffffd);
    set_reg(control, 0);                     /* ignored when unprivileged */
    isb();
    check_eq("CONTROL after MSR CONTROL, 0 (ignored)", get_reg(control), 3);
    __asm__ volatile("cpsid i" ::: "memory"); /* ignored when unprivileged */
    check_eq("PRIMASK after CPSID i (ignored)", get_reg(primask), 0);
    uint32_t before = bus_faults;
    volatile uint32_t v = REG32(ICSR);          /* SCS access: faults when unprivileged */
    (void)v;
    check_eq("BusFaults from the unprivileged ICSR read", bus_faults - before, 1);
    check_eq("CFSR (PRECISERR | BFARVALID)", last_cfsr, 0x8200);
    return arg + 1;
}

int main(void)
{
    printf("svc: SVC from thread mode on the PSP, privileged and unprivileged\n");
    exc_hooks[EXC_SVCALL] = svc_hook;
    exc_hooks[EXC_BUSFAULT] = busfault_hook;
    REG32(SHCSR) |= SHCSR_BUSFAULTENA;

    check_eq("svc 1 from privileged thread on MSP", svc1(10), 31);
    check_eq("EXC_RETURN (thread, MSP)", last_exc_return, 0xfffffff9);

    uint32_t r = run_thread(privileged_thread, 5, TASK_STACK_TOP, 2);
    check_eq("privileged thread returned", r, 16);
    check_eq("CONTROL back in main", get_reg(control), 0);

    r = run_thread(unprivileged_thread, 7, TASK_STACK_TOP, 3);
    check_eq("unprivileged thread returned", r, 8);
    check_eq("svc 0 brought back privilege (last svc)", last_svc, 0);
    check_eq("CONTROL back in main", get_reg(control), 0);
    check_eq("SVC count", svc_count, 6);
    return finish("svc");
}
