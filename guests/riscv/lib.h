/* Shared runtime for the tracehook RISC-V guests (rv32 and rv64, M-mode entry on QEMU virt). */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#define XLEN __riscv_xlen
typedef unsigned long ureg; /* XLEN-wide in both ilp32 and lp64 */

/* ---- QEMU virt devices ---- */
#define UART0_BASE   0x10000000UL
#define CLINT_BASE   0x02000000UL
#define CLINT_MSIP   (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME  (CLINT_BASE + 0xBFF8)
#define TEST_BASE    0x00100000UL
#define MTIME_HZ     10000000UL

/* ---- privilege levels, CSR fields, causes ---- */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MSTATUS_SIE  (1UL << 1)
#define MSTATUS_MIE  (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP  (1UL << 8)
#define MSTATUS_MPP  (3UL << 11)
#define MSTATUS_MPP_SHIFT 11

#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11

#define MIP_SSIP (1UL << IRQ_S_SOFT)
#define MIP_MSIP (1UL << IRQ_M_SOFT)
#define MIP_STIP (1UL << IRQ_S_TIMER)
#define MIP_MTIP (1UL << IRQ_M_TIMER)

#define CAUSE_INTR (1UL << (XLEN - 1))
#define CAUSE_FETCH_MISALIGNED 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_LOAD_MISALIGNED  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11

/* a7 value used by m_run()/s_run_user() to come back from a lower mode */
#define RET_MAGIC 0x7e7u

/* ---- CSR access ---- */
#define csr_read(csr) ({ ureg __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ __asm__ volatile("csrw " #csr ", %0" :: "rK"((ureg)(val)) : "memory"); })
#define csr_set(csr, val) ({ __asm__ volatile("csrs " #csr ", %0" :: "rK"((ureg)(val)) : "memory"); })
#define csr_clear(csr, val) ({ __asm__ volatile("csrc " #csr ", %0" :: "rK"((ureg)(val)) : "memory"); })
#define csr_swap(csr, val) ({ ureg __v; __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(__v) : "rK"((ureg)(val)) : "memory"); __v; })

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("csrsi mstatus, 8" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("csrci mstatus, 8" ::: "memory"); }

#define mmio_read32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define mmio_write32(a, v) (*(volatile uint32_t *)(uintptr_t)(a) = (uint32_t)(v))
#define mmio_read8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define mmio_write8(a, v) (*(volatile uint8_t *)(uintptr_t)(a) = (uint8_t)(v))

/* ---- traps ---- */
/* Layout shared with crt.S: x0..x31, then epc, cause, tval, status (mepc/mcause/mtval/mstatus
 * for M-mode traps, sepc/scause/stval/sstatus for S-mode traps). On return from the handler
 * epc, status and all registers (sp last) are reloaded from the frame. */
struct trap_frame {
    ureg regs[32];
    ureg epc, cause, tval, status;
};
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

typedef void (*trap_hook_t)(struct trap_frame *tf);
/* Set these to handle traps; with no hook (or for the m_run/s_run_user return ecall) the
 * runtime handles the trap. An unexpected trap prints the CSRs and exits with code 99. */
extern volatile trap_hook_t m_trap_hook;
extern volatile trap_hook_t s_trap_hook;

extern char trap_entry[];       /* direct-mode M handler (mtvec default) */
extern char s_trap_entry[];     /* direct-mode S handler (for stvec) */
extern char mtvec_vector_table[]; /* 16 slots; slot i does "csrwi mscratch, i" then trap_entry */

/* Run fn(arg) in privilege mode `mode` (PRV_S or PRV_U) via mret; returns fn's result when fn
 * returns (by an ecall with a7 = RET_MAGIC, handled by the runtime). Returns with mstatus.MIE = 0. */
ureg m_run(ureg mode, ureg (*fn)(ureg), ureg arg);
/* From S-mode: run fn(arg) in U-mode via sret; returns its result, with sstatus.SIE = 0. */
ureg s_run_user(ureg (*fn)(ureg), ureg arg);

/* length in bytes of the instruction at pc (2 or 4) */
static inline unsigned insn_len(ureg pc) { return ((*(volatile uint16_t *)pc) & 3) == 3 ? 4 : 2; }
/* instruction bits at pc (16 or 32 bits, read as halfwords: pc may be 2-aligned) */
static inline uint32_t insn_bits(ureg pc) {
    uint32_t lo = *(volatile uint16_t *)pc;
    if ((lo & 3) != 3) return lo;
    return lo | ((uint32_t)*(volatile uint16_t *)(pc + 2) << 16);
}

/* ---- console ---- */
void uart_putc(char c);
void uart_puts(const char *s); /* no newline added */
void put_hex(ureg v);       /* 0x + XLEN/4 digits */
void put_dec(long v);
int printf(const char *fmt, ...); /* %s %c %d %u %x %p, l modifier, width/zero-pad */

/* ---- time ---- */
uint64_t mtime_read(void);
void mtimecmp_write(uint64_t v);
uint64_t rdinstret(void);
uint64_t rdcycle(void);

/* ---- checks ---- */
extern int failures;
/* Print "  ok   ..." or "  FAIL ..." and count failures; returns ok. */
int check(int ok, const char *fmt, ...);
/* check got == expected, printing both */
int check_eq(const char *what, ureg got, ureg expected);
/* Print the summary line and return the exit code: 0, or the failure count (1..98). */
int finish(const char *name);

void exit(int code) __attribute__((noreturn));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int memcmp(const void *a, const void *b, size_t n);

#endif
