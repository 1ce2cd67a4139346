/* semihost: RISC-V semihosting (run with -semihosting; QEMU 7.2 writes the semihosting
 * console to stderr). The call is "slli x0,x0,0x1f; ebreak; srai x0,x0,7" (all uncompressed)
 * with a0 = operation, a1 = parameter (usually a block of XLEN-sized words); result in a0.
 * Covers SYS_WRITE0, SYS_WRITEC (QEMU 7.2: to stderr), SYS_WRITE to ":tt" (QEMU 7.2: to
 * stdout), SYS_OPEN/WRITE/SEEK/FLEN/READ/CLOSE/ISTTY on a file created
 * in the current directory (semihost-test.tmp, removed with SYS_REMOVE), SYS_OPEN ":tt",
 * SYS_ERRNO after a failed open, SYS_CLOCK, SYS_TIME, SYS_GET_CMDLINE, SYS_HEAPINFO, then
 * SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit and the exit code (0 if every
 * check passed). */
#include "lib.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_ISTTY 0x09
#define SYS_SEEK 0x0a
#define SYS_FLEN 0x0c
#define SYS_REMOVE 0x0e
#define SYS_CLOCK 0x10
#define SYS_TIME 0x11
#define SYS_ERRNO 0x13
#define SYS_GET_CMDLINE 0x15
#define SYS_HEAPINFO 0x16
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

extern long semihost_call(ureg op, ureg arg);
extern char semihost_ebreak[];
__asm__(".text\n"
        ".balign 16\n" /* keep the three instructions in one page */
        ".globl semihost_call\n"
        "semihost_call:\n"
        ".option push\n"
        ".option norvc\n"
        "  slli x0, x0, 0x1f\n"
        ".globl semihost_ebreak\n"
        "semihost_ebreak:\n"
        "  ebreak\n"
        "  srai x0, x0, 7\n"
        ".option pop\n"
        "  ret\n");

static unsigned n_calls;

static long sh(ureg op, ureg arg)
{
    n_calls++;
    return semihost_call(op, arg);
}

static void sh_exit(int code)
{
    static ureg block[2];
    block[0] = ADP_Stopped_ApplicationExit;
    block[1] = (ureg)code;
    sh(SYS_EXIT_EXTENDED, (ureg)block);
}

static volatile unsigned n_traps;
static void hook(struct trap_frame *tf)
{
    /* a semihosting call must not reach the guest: without -semihosting it is a breakpoint */
    n_traps++;
    printf("trap cause %lx at %p: run with -semihosting\n", tf->cause, (void *)tf->epc);
    exit(97);
}

static const char fname[] = "semihost-test.tmp";
static const char data[] = "tracehook semihosting test data\n0123456789\n";

int main(void)
{
    ureg b[4];
    long r;
    printf("semihosting test (rv%d): console output goes to QEMU's stderr\n", XLEN);
    m_trap_hook = hook;

    sh(SYS_WRITE0, (ureg) "semihost: SYS_WRITE0 hello\n"); /* a0 undefined afterwards */
    static const char line[] = "semihost: SYS_WRITEC\n";
    for (const char *p = line; *p; p++)
        sh(SYS_WRITEC, (ureg)p);
    check(1, "SYS_WRITE0 / SYS_WRITEC returned");

    /* console through SYS_OPEN(":tt", "w") */
    b[0] = (ureg) ":tt";
    b[1] = 4; /* "w" */
    b[2] = 3;
    long tt = sh(SYS_OPEN, (ureg)b);
    check(tt >= 0, "SYS_OPEN(\":tt\", w) = %ld", tt);
    static const char ttmsg[] = "semihost: SYS_WRITE to :tt\n";
    b[0] = (ureg)tt;
    b[1] = (ureg)ttmsg;
    b[2] = sizeof ttmsg - 1;
    r = sh(SYS_WRITE, (ureg)b);
    check(r == 0, "SYS_WRITE(:tt) = %ld (bytes not written)", r);
    b[0] = (ureg)tt;
    r = sh(SYS_ISTTY, (ureg)b);
    /* QEMU 7.2 answers 0 for ":tt" (whatever the host's stdout is); 1 is also correct */
    check(r == 0 || r == 1, "SYS_ISTTY(:tt) = %ld", r);

    /* a missing file: open fails, errno set */
    b[0] = (ureg) "semihost-no-such-file.tmp";
    b[1] = 0; /* "r" */
    b[2] = 25;
    r = sh(SYS_OPEN, (ureg)b);
    check(r == -1, "SYS_OPEN(missing file, r) = %ld", r);
    r = sh(SYS_ERRNO, 0);
    check(r != 0, "SYS_ERRNO = %ld (nonzero)", r);

    /* a file: create, write, seek, flen, read back, close, remove */
    b[0] = (ureg)fname;
    b[1] = 6; /* "w+" */
    b[2] = sizeof fname - 1;
    long fd = sh(SYS_OPEN, (ureg)b);
    check(fd >= 0, "SYS_OPEN(\"%s\", w+) = %ld", fname, fd);
    b[0] = (ureg)fd;
    b[1] = (ureg)data;
    b[2] = sizeof data - 1;
    r = sh(SYS_WRITE, (ureg)b);
    check(r == 0, "SYS_WRITE(%u bytes) = %ld (bytes not written)", (unsigned)(sizeof data - 1), r);
    b[0] = (ureg)fd;
    r = sh(SYS_ISTTY, (ureg)b);
    check(r == 0, "SYS_ISTTY(file) = %ld", r);
    b[0] = (ureg)fd;
    r = sh(SYS_FLEN, (ureg)b);
    check(r == (long)(sizeof data - 1), "SYS_FLEN = %ld", r);
    b[0] = (ureg)fd;
    b[1] = 10;
    r = sh(SYS_SEEK, (ureg)b);
    check(r == 0, "SYS_SEEK(10) = %ld", r);
    static char rbuf[64];
    memset(rbuf, 0, sizeof rbuf);
    b[0] = (ureg)fd;
    b[1] = (ureg)rbuf;
    b[2] = 12;
    r = sh(SYS_READ, (ureg)b);
    check(r == 0 && memcmp(rbuf, data + 10, 12) == 0, "SYS_READ(12) at 10 = %ld (not read), \"%s\"",
          r, rbuf);
    memset(rbuf, 0, sizeof rbuf);
    b[0] = (ureg)fd;
    b[1] = 0;
    sh(SYS_SEEK, (ureg)b);
    b[0] = (ureg)fd;
    b[1] = (ureg)rbuf;
    b[2] = sizeof rbuf;
    r = sh(SYS_READ, (ureg)b);
    check(r == (long)(sizeof rbuf - (sizeof data - 1)) && memcmp(rbuf, data, sizeof data - 1) == 0,
          "SYS_READ(%u) from 0 = %ld (not read: short read at end of file)",
          (unsigned)sizeof rbuf, r);
    b[0] = (ureg)fd;
    b[1] = (ureg)rbuf;
    b[2] = 8;
    r = sh(SYS_READ, (ureg)b);
    check(r == 8, "SYS_READ at end of file = %ld (nothing read)", r);
    b[0] = (ureg)fd;
    r = sh(SYS_CLOSE, (ureg)b);
    check(r == 0, "SYS_CLOSE = %ld", r);
    b[0] = (ureg)fname;
    b[1] = sizeof fname - 1;
    r = sh(SYS_REMOVE, (ureg)b);
    check(r == 0, "SYS_REMOVE = %ld", r);
    b[0] = (ureg)fname;
    b[1] = 0;
    b[2] = sizeof fname - 1;
    r = sh(SYS_OPEN, (ureg)b);
    check(r == -1, "SYS_OPEN(removed file, r) = %ld", r);

    /* time */
    long c0 = sh(SYS_CLOCK, 0);
    check(c0 >= 0, "SYS_CLOCK = %ld centiseconds", c0);
    long t = sh(SYS_TIME, 0);
    check((unsigned long)t > 1500000000UL, "SYS_TIME = %lu seconds since 1970", (unsigned long)t);

    /* command line */
    static char cmd[256];
    memset(cmd, 0x7f, sizeof cmd);
    b[0] = (ureg)cmd;
    b[1] = sizeof cmd;
    r = sh(SYS_GET_CMDLINE, (ureg)b);
    check(r == 0 && b[1] < sizeof cmd && cmd[b[1]] == 0 && strlen(cmd) == b[1],
          "SYS_GET_CMDLINE = %ld, length %lu: \"%s\"", r, b[1], r == 0 ? cmd : "");

    /* heap info: a1 points to a word holding the address of a 4-word block */
    static ureg heap[4];
    static ureg heap_ptr;
    heap[0] = heap[1] = heap[2] = heap[3] = 0x5a5a5a5a;
    heap_ptr = (ureg)heap;
    r = sh(SYS_HEAPINFO, (ureg)&heap_ptr);
    check(heap[0] != 0x5a5a5a5a && heap[1] != 0x5a5a5a5a && heap[0] <= heap[1],
          "SYS_HEAPINFO: heap %lx..%lx stack %lx..%lx", heap[0], heap[1], heap[3], heap[2]);

    check_eq("traps seen by the guest", n_traps, 0);
    int code = finish("semihost");
    printf("%u semihosting calls so far; SYS_WRITE0 and SYS_EXIT_EXTENDED follow\n", n_calls);
    sh(SYS_WRITE0, (ureg)(code ? "semihost: FAIL\n" : "semihost: PASS, exiting via SYS_EXIT_EXTENDED\n"));
    sh_exit(code);
    printf("SYS_EXIT_EXTENDED returned\n");
    return 96;
}
