/* Shared runtime for the tracehook ARM M-profile guests (QEMU mps2-an385, Cortex-M3; the
 * workloads also build for Cortex-M0). */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* ---- mps2-an385 devices (QEMU hw/arm/mps2.c) ---- */
#define UART0_BASE     0x40004000u      /* CMSDK APB UART; RX IRQ 0, TX IRQ 1 */
#define UART_DATA      0x00
#define UART_STATE     0x04             /* bit 0 TX full, bit 1 RX full */
#define UART_CTRL      0x08             /* bit 0 TX enable, bit 1 RX enable, bit 2/3 TX/RX IRQ enable */
#define UART_INTSTATUS 0x0c             /* write 1 to clear */
#define UART_BAUDDIV   0x10
#define TIMER0_BASE    0x40000000u      /* CMSDK APB timer 0, IRQ 8 */
#define TIMER1_BASE    0x40001000u      /* CMSDK APB timer 1, IRQ 9 */
#define TIMER_CTRL     0x00             /* bit 0 enable, bit 3 IRQ enable */
#define TIMER_VALUE    0x04
#define TIMER_RELOAD   0x08
#define TIMER_INTSTATUS 0x0c            /* write 1 to clear */
#define TIMER0_IRQn    8
#define TIMER1_IRQn    9
#define SYSCLK_HZ      25000000u        /* QEMU: 40 ns per clock; with -icount shift=0, 40 instructions */

/* ---- System control space ---- */
#define ICTR     0xE000E004u
#define ACTLR    0xE000E008u
#define SYST_CSR 0xE000E010u            /* bit 0 enable, 1 tickint, 2 clksource (1 = CPU), 16 countflag */
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define NVIC_ISER 0xE000E100u
#define NVIC_ICER 0xE000E180u
#define NVIC_ISPR 0xE000E200u
#define NVIC_ICPR 0xE000E280u
#define NVIC_IABR 0xE000E300u
#define NVIC_IPR  0xE000E400u           /* byte per IRQ */
#define CPUID    0xE000ED00u
#define ICSR     0xE000ED04u
#define VTOR     0xE000ED08u
#define AIRCR    0xE000ED0Cu
#define SCR      0xE000ED10u
#define CCR      0xE000ED14u
#define SHPR1    0xE000ED18u            /* bytes: MemManage, BusFault, UsageFault, - */
#define SHPR2    0xE000ED1Cu            /* byte 3: SVCall */
#define SHPR3    0xE000ED20u            /* byte 2: PendSV, byte 3: SysTick */
#define SHCSR    0xE000ED24u
#define CFSR     0xE000ED28u
#define HFSR     0xE000ED2Cu
#define DFSR     0xE000ED30u
#define MMFAR    0xE000ED34u
#define BFAR     0xE000ED38u
#define MPU_TYPE 0xE000ED90u
#define MPU_CTRL 0xE000ED94u            /* bit 0 enable, 1 HFNMIENA, 2 PRIVDEFENA */
#define MPU_RNR  0xE000ED98u
#define MPU_RBAR 0xE000ED9Cu
#define MPU_RASR 0xE000EDA0u
#define STIR     0xE000EF00u

#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSTSET (1u << 26)
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP   (1u << 4)
#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

/* exception numbers */
enum { EXC_RESET = 1, EXC_NMI = 2, EXC_HARDFAULT = 3, EXC_MEMMANAGE = 4, EXC_BUSFAULT = 5,
       EXC_USAGEFAULT = 6, EXC_SVCALL = 11, EXC_DEBUGMON = 12, EXC_PENDSV = 14, EXC_SYSTICK = 15,
       EXC_IRQ0 = 16, NUM_EXC = 48 };

/* ---- special registers ---- */
#define get_reg(name) ({ uint32_t __v; __asm__ volatile("mrs %0, " #name : "=r"(__v) :: "memory"); __v; })
#define set_reg(name, v) __asm__ volatile("msr " #name ", %0" :: "r"((uint32_t)(v)) : "memory")
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

static inline void nvic_enable(unsigned irq) { REG32(NVIC_ISER + 4 * (irq / 32)) = 1u << (irq % 32); }
static inline void nvic_disable(unsigned irq) { REG32(NVIC_ICER + 4 * (irq / 32)) = 1u << (irq % 32); }
static inline void nvic_pend(unsigned irq) { REG32(NVIC_ISPR + 4 * (irq / 32)) = 1u << (irq % 32); }
static inline void nvic_unpend(unsigned irq) { REG32(NVIC_ICPR + 4 * (irq / 32)) = 1u << (irq % 32); }
/* priority byte (only the top bits are implemented: 3 on QEMU's M3/M4) */
static inline void nvic_set_prio(unsigned irq, uint8_t p) { ((volatile uint8_t *)NVIC_IPR)[irq] = p; }
/* system handler priority: exc 4..15 */
static inline void shpr_set(unsigned exc, uint8_t p) { ((volatile uint8_t *)SHPR1)[exc - 4] = p; }

/* ---- exceptions ---- */
/* The basic frame the hardware stacks (without FP state). */
struct exc_frame {
    uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
};
/* A hook for exception number n: f = the stacked frame (writable: change pc, r0, ...),
 * exc_return = LR at entry. Hooks run inside the handler. */
typedef void (*exc_hook_t)(struct exc_frame *f, uint32_t exc_return, unsigned n);
extern volatile exc_hook_t exc_hooks[NUM_EXC];
/* called by startup.S's exc_entry; an exception with no hook prints the state and exits 99 */
void exc_dispatch(struct exc_frame *f, uint32_t exc_return);
/* print one line: name, stacked pc/lr/xpsr, EXC_RETURN, CFSR/HFSR, and MMFAR/BFAR when valid */
void print_exc(const char *what, struct exc_frame *f, uint32_t exc_return);
const char *exc_name(unsigned n);
/* length of the Thumb instruction at pc (2 or 4) */
static inline unsigned insn_len(uint32_t pc) {
    uint16_t hw = *(volatile uint16_t *)(uintptr_t)pc;
    return (hw >> 11) >= 0x1d ? 4 : 2;
}

/* ---- semihosting (BKPT 0xAB) ---- */
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_EXIT   0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026
uint32_t semihost_call(uint32_t op, uint32_t arg);
void sh_write0(const char *s);
/* SYS_EXIT_EXTENDED (ADP_Stopped_ApplicationExit, code): QEMU exits with status `code` */
void sh_exit(int code) __attribute__((noreturn));

/* ---- console ---- */
void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);   /* no newline added */
/* the lib's printf (%s %c %d %u %x %p, l modifier, width/zero-pad) on the UART; the newlib
 * guests use newlib's printf instead (this one is not linked there) */
int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);

/* ---- checks ---- */
extern int failures;
int check(int ok, const char *fmt, ...);   /* "  ok   ..." / "  FAIL ..." */
int check_eq(const char *what, uint32_t got, uint32_t expected);
/* summary line; returns the exit code: 0, or the number of failures (1..98) */
int finish(const char *name);

/* The guest's entry, called by _cstart after .data/.bss set-up; its return value is the exit
 * code (semihosting SYS_EXIT_EXTENDED). */
int main(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
