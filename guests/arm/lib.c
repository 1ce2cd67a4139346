/* Shared runtime for the tracehook ARM M-profile guests: CMSDK UART0 output, semihosting
 * exit, exception dispatch and printing, checks. printf itself is in mini.c (or newlib). */
#include "lib.h"

/* ---- console: CMSDK APB UART0, polled ---- */
#ifdef CONSOLE_SEMIHOST
/* boards without the CMSDK UART (microbit): lines go out with semihosting SYS_WRITE0 */
static char line[128];
static unsigned line_len;
void uart_init(void) { }
void uart_putc(char c)
{
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof line - 1) {
        line[line_len] = 0;
        sh_write0(line);
        line_len = 0;
    }
}
#else
void uart_init(void)
{
    REG32(UART0_BASE + UART_BAUDDIV) = SYSCLK_HZ / 115200;   /* QEMU needs >= 16 to transmit */
    REG32(UART0_BASE + UART_CTRL) = 1;                        /* TX enable */
}

void uart_putc(char c)
{
    if (c == '\n') uart_putc('\r');
    while (REG32(UART0_BASE + UART_STATE) & 1) { }            /* TX buffer full */
    REG32(UART0_BASE + UART_DATA) = (uint8_t)c;
}
#endif

void uart_puts(const char *s)
{
    while (*s) uart_putc(*s++);
}

/* ---- semihosting ---- */
void sh_write0(const char *s) { semihost_call(SYS_WRITE0, (uint32_t)(uintptr_t)s); }

void sh_exit(int code)
{
    static volatile uint32_t block[2];
    block[0] = ADP_Stopped_ApplicationExit;
    block[1] = (uint32_t)code;
    semihost_call(SYS_EXIT_EXTENDED, (uint32_t)(uintptr_t)block);
    for (;;) { }   /* without -semihosting the BKPT escalates to HardFault instead */
}

/* ---- exceptions ---- */
volatile exc_hook_t exc_hooks[NUM_EXC];

const char *exc_name(unsigned n)
{
    static const char *const names[16] = {
        "thread", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "exc7",
        "exc8", "exc9", "exc10", "SVCall", "DebugMonitor", "exc13", "PendSV", "SysTick" };
    return n < 16 ? names[n] : "IRQ";
}

void print_exc(const char *what, struct exc_frame *f, uint32_t exc_return)
{
    unsigned n = get_reg(ipsr) & 0x1ff;
    printf("%s: exc %u %s%s pc=%08x lr=%08x xpsr=%08x exc_return=%08x", what, n, exc_name(n),
           n >= 16 ? "" : "", (unsigned)f->pc, (unsigned)f->lr, (unsigned)f->xpsr,
           (unsigned)exc_return);
#if __ARM_ARCH_7M__ || __ARM_ARCH_7EM__
    uint32_t cfsr = REG32(CFSR), hfsr = REG32(HFSR);
    printf(" CFSR=%08x HFSR=%08x", (unsigned)cfsr, (unsigned)hfsr);
    if (cfsr & (1u << 7)) printf(" MMFAR=%08x", (unsigned)REG32(MMFAR));
    if (cfsr & (1u << 15)) printf(" BFAR=%08x", (unsigned)REG32(BFAR));
#endif
    printf("\n");
}

void exc_dispatch(struct exc_frame *f, uint32_t exc_return)
{
    unsigned n = get_reg(ipsr) & 0x1ff;
    exc_hook_t h = n < NUM_EXC ? exc_hooks[n] : 0;
    if (h) {
        h(f, exc_return, n);
        return;
    }
    print_exc("unexpected exception", f, exc_return);
    sh_exit(99);
}

/* ---- checks ---- */
int failures;

int check(int ok, const char *fmt, ...)
{
    va_list ap;
    printf(ok ? "  ok   " : "  FAIL ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) failures++;
    return ok;
}

int check_eq(const char *what, uint32_t got, uint32_t expected)
{
    if (got == expected) return check(1, "%s = 0x%x", what, (unsigned)got);
    return check(0, "%s = 0x%x, expected 0x%x", what, (unsigned)got, (unsigned)expected);
}

int finish(const char *name)
{
    if (failures == 0) {
        printf("PASS %s\n", name);
        return 0;
    }
    printf("FAIL %s: %d check(s) failed\n", name, failures);
    return failures > 98 ? 98 : failures;
}
