/* Shared runtime for the tracehook RISC-V guests: console, checks, trap dispatch, exit. */
#include "lib.h"

volatile trap_hook_t m_trap_hook;
volatile trap_hook_t s_trap_hook;
int failures;

extern char m_run_resume[], s_run_resume[];
extern ureg s_run_active;

/* ---------------- console (NS16550A) ---------------- */
void uart_putc(char c)
{
    while (!(mmio_read8(UART0_BASE + 5) & 0x20))
        ;
    mmio_write8(UART0_BASE + 0, c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static int out_count; /* characters printed so far, for left-justified fields */

static void out(char c)
{
    uart_putc(c);
    out_count++;
}

static void put_num(unsigned long long v, unsigned base, int width, char pad, int neg)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width)
        buf[n++] = pad;
    while (n)
        out(buf[--n]);
}

void put_hex(ureg v)
{
    uart_puts("0x");
    put_num(v, 16, XLEN / 4, '0', 0);
}

void put_dec(long v)
{
    if (v < 0)
        put_num(-(unsigned long)v, 10, 0, ' ', 1);
    else
        put_num((unsigned long)v, 10, 0, ' ', 0);
}

/* Minimal printf: %d %u %x %p %s %c %%, with optional '-', '0', width and 'l'/'ll'. */
static void vprint(const char *f, va_list ap)
{
    for (; *f; f++) {
        if (*f != '%') {
            out(*f);
            continue;
        }
        f++;
        char pad = ' ';
        int width = 0, lng = 0, left = 0;
        if (*f == '-') {
            left = 1;
            f++;
        }
        if (*f == '0') {
            pad = '0';
            f++;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        while (*f == 'l') {
            lng++;
            f++;
        }
        if (!*f)
            return;
        int start = out_count, w = width;
        if (left)
            width = 0;
        switch (*f) {
        case 'd': {
            long long v = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long)
                                 : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_num(v, *f == 'x' ? 16 : 10, width, pad, 0);
            break;
        }
        case 'p':
            out('0');
            out('x');
            put_num((ureg)va_arg(ap, void *), 16, XLEN / 4, '0', 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            for (int n = (int)strlen(s); n < width; n++)
                out(' ');
            while (*s)
                out(*s++);
            break;
        }
        case 'c':
            out((char)va_arg(ap, int));
            break;
        case '%':
            out('%');
            break;
        default:
            out('%');
            out(*f);
        }
        while (left && out_count - start < w)
            out(' ');
    }
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    return 0;
}

/* ---------------- checks ---------------- */
int check(int ok, const char *fmt, ...)
{
    va_list ap;
    uart_puts(ok ? "  ok   " : "  FAIL ");
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    uart_putc('\n');
    if (!ok)
        failures++;
    return ok;
}

int check_eq(const char *what, ureg got, ureg expected)
{
    if (got == expected)
        return check(1, "%s = 0x%lx", what, got);
    return check(0, "%s = 0x%lx, expected 0x%lx", what, got, expected);
}

int finish(const char *name)
{
    if (!failures) {
        printf("PASS %s (rv%d)\n", name, XLEN);
        return 0;
    }
    printf("FAIL %s (rv%d): %d check(s) failed\n", name, XLEN, failures);
    return failures > 98 ? 98 : failures;
}

/* ---------------- exit (SiFive test finisher) ---------------- */
void exit(int code)
{
#ifdef REPORT_INSTRET /* make EXTRA_CFLAGS=-DREPORT_INSTRET: instructions retired (run with -icount) */
    printf("[exit %d, minstret %lu]\n", code, (unsigned long)rdinstret());
#endif
    code &= 0xffff;
    mmio_write32(TEST_BASE, code ? ((uint32_t)code << 16) | 0x3333 : 0x5555);
    for (;;)
        wfi();
}

/* ---------------- time ---------------- */
uint64_t mtime_read(void)
{
#if XLEN == 64
    return *(volatile uint64_t *)CLINT_MTIME;
#else
    uint32_t hi, lo;
    do {
        hi = mmio_read32(CLINT_MTIME + 4);
        lo = mmio_read32(CLINT_MTIME);
    } while (hi != mmio_read32(CLINT_MTIME + 4));
    return ((uint64_t)hi << 32) | lo;
#endif
}

void mtimecmp_write(uint64_t v)
{
#if XLEN == 64
    *(volatile uint64_t *)CLINT_MTIMECMP = v;
#else
    mmio_write32(CLINT_MTIMECMP, 0xffffffffu); /* no spurious match while the halves change */
    mmio_write32(CLINT_MTIMECMP + 4, (uint32_t)(v >> 32));
    mmio_write32(CLINT_MTIMECMP, (uint32_t)v);
#endif
}

uint64_t rdinstret(void)
{
#if XLEN == 64
    return csr_read(minstret);
#else
    uint32_t hi, lo;
    do {
        hi = csr_read(minstreth);
        lo = csr_read(minstret);
    } while (hi != csr_read(minstreth));
    return ((uint64_t)hi << 32) | lo;
#endif
}

uint64_t rdcycle(void)
{
#if XLEN == 64
    return csr_read(mcycle);
#else
    uint32_t hi, lo;
    do {
        hi = csr_read(mcycleh);
        lo = csr_read(mcycle);
    } while (hi != csr_read(mcycleh));
    return ((uint64_t)hi << 32) | lo;
#endif
}

/* ---------------- trap dispatch (called from crt.S) ---------------- */
static void unexpected(const char *who, struct trap_frame *tf)
{
    printf("\n*** unexpected %s-mode trap: cause=%p epc=%p tval=%p status=%p\n", who,
           (void *)tf->cause, (void *)tf->epc, (void *)tf->tval, (void *)tf->status);
    exit(99);
}

void m_trap_dispatch(struct trap_frame *tf)
{
    if ((tf->cause == CAUSE_ECALL_U || tf->cause == CAUSE_ECALL_S) && tf->regs[REG_A7] == RET_MAGIC) {
        /* the m_run() function returned: continue at m_run_resume in M-mode */
        tf->epc = (ureg)m_run_resume;
        tf->status = (tf->status & ~(MSTATUS_MPP | MSTATUS_MPIE)) | MSTATUS_MPP;
        return;
    }
    if (m_trap_hook) {
        m_trap_hook(tf);
        return;
    }
    unexpected("M", tf);
}

void s_trap_dispatch(struct trap_frame *tf)
{
    if (tf->cause == CAUSE_ECALL_U && tf->regs[REG_A7] == RET_MAGIC) {
        if (s_run_active) {
            tf->epc = (ureg)s_run_resume;
            tf->status = (tf->status | MSTATUS_SPP) & ~MSTATUS_SPIE; /* back with SIE = 0 */
            return;
        }
        /* U-mode started by m_run() with U ecalls delegated: pass the return on to M */
        register ureg a0 __asm__("a0") = tf->regs[REG_A0];
        register ureg a7 __asm__("a7") = RET_MAGIC;
        __asm__ volatile("ecall" :: "r"(a0), "r"(a7) : "memory");
        for (;;)
            ;
    }
    if (s_trap_hook) {
        s_trap_hook(tf);
        return;
    }
    unexpected("S", tf);
}

/* ---------------- string helpers (gcc may emit calls to these) ---------------- */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
