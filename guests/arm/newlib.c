/* Start-up glue for the newlib guests (printf-semihost: --specs=rdimon.specs, printf-uart:
 * --specs=nosys.specs), linked instead of mini.c: _cstart (called by startup.S) runs the
 * constructors and main, then newlib's exit(). rdimon's syscalls do their I/O and _exit over
 * semihosting; for nosys, _write goes to UART0 and _exit is a semihosting exit. */
#include <stdlib.h>
#include "lib.h"

extern void __libc_init_array(void);
#ifdef NEWLIB_RDIMON
extern void initialise_monitor_handles(void);
#endif

/* normally from crti.o/crtn.o, which -nostartfiles leaves out */
void _init(void);
void _fini(void);
void _init(void) { }
void _fini(void) { }

void _cstart(void)
{
    uart_init();
#ifdef NEWLIB_RDIMON
    initialise_monitor_handles();   /* opens ":tt" for stdin/stdout/stderr (what rdimon's crt0 does) */
#endif
    __libc_init_array();
    exit(main());
}

#ifdef NEWLIB_NOSYS
int _write(int fd, const char *p, int n);
int _write(int fd, const char *p, int n)
{
    (void)fd;                       /* stdout and stderr both go to UART0 */
    for (int i = 0; i < n; i++) uart_putc(p[i]);
    return n;
}

void _exit(int code);
void _exit(int code)
{
    sh_exit(code);
}
#endif
