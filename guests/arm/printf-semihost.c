/* printf-semihost: newlib (--specs=rdimon.specs) printf, fprintf(stderr), puts, snprintf with
 * floating point, malloc, over semihosting: stdout and stderr are ":tt" opened by
 * initialise_monitor_handles (QEMU 7.2: SYS_WRITE to them goes to its stdout/stderr). The
 * exit status goes through newlib's exit -> rdimon's _exit (semihosting). A few lines go to
 * UART0 too, through the lib's uart_puts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"

int main(void)
{
    uart_puts("printf-semihost: UART0 line before newlib output\n");
    printf("printf-semihost: newlib printf over semihosting\n");
    printf("int %d, negative %d, unsigned %u, hex %08lx, char %c, string \"%s\"\n", 42, -17,
           4000000000u, 0xdeadbeefUL, 'Z', "text");
    printf("width [%6d] [%-6d] [%06.2f] long long %lld\n", 123, 123, 3.14159, -1234567890123LL);
    double x = 1.0;
    for (int i = 0; i < 10; i++) x = x * 1.5 + 0.25;
    printf("double %.6f, exp %e, general %g\n", x, x * 1e10, 1.0 / 3.0);
    fprintf(stderr, "to stderr: %s %d\n", "errors here", 7);
    puts("puts line");
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%s-%04x-%.2f", "snprintf", 0xbeef, 2.5);
    printf("snprintf -> \"%s\" (%d chars)\n", buf, n);
    char *p = malloc(1000);
    check(p != NULL, "malloc(1000)");
    memset(p, 'x', 999);
    p[999] = 0;
    check_eq("strlen of the malloc'd string", (uint32_t)strlen(p), 999);
    free(p);
    fflush(stdout);
    uart_puts("printf-semihost: UART0 line at the end\n");
    return finish("printf-semihost");
}
