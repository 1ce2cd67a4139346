/* The guests' own small libc (everything but the newlib guests): printf on UART0, string
 * functions, and _cstart (called by startup.S): UART set-up, main, semihosting exit. */
#include "lib.h"

static void put_uint(unsigned long v, unsigned base, int width, char pad, int upper)
{
    char buf[24];
    int i = 0;
    do {
        unsigned d = v % base;
        buf[i++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
        v /= base;
    } while (v);
    while (i < width) buf[i++] = pad;
    while (i) uart_putc(buf[--i]);
}

int vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') { uart_putc(*fmt); continue; }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        if (*fmt == 'l') fmt++;
        switch (*fmt) {
        case 'd': {
            long v = va_arg(ap, long);
            if (v < 0) { uart_putc('-'); v = -v; if (width) width--; }
            put_uint((unsigned long)v, 10, width, pad, 0);
            break;
        }
        case 'u': put_uint(va_arg(ap, unsigned long), 10, width, pad, 0); break;
        case 'x': put_uint(va_arg(ap, unsigned long), 16, width, pad, 0); break;
        case 'X': put_uint(va_arg(ap, unsigned long), 16, width, pad, 1); break;
        case 'p': uart_puts("0x"); put_uint((unsigned long)va_arg(ap, void *), 16, 8, '0', 0); break;
        case 'c': uart_putc((char)va_arg(ap, int)); break;
        case 's': { const char *s = va_arg(ap, const char *); uart_puts(s ? s : "(null)"); break; }
        case '%': uart_putc('%'); break;
        default: uart_putc('%'); uart_putc(*fmt); break;
        }
    }
    return 0;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

void _cstart(void)
{
    uart_init();
    sh_exit(main());
}
