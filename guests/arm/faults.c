/* faults: each configurable fault with its handler enabled (SHCSR MEMFAULTENA, BUSFAULTENA,
 * USGFAULTENA): undefined instruction, invalid state (BLX to an even address), no coprocessor,
 * unaligned LDR with CCR.UNALIGN_TRP (and unaligned LDRD/LDM, which always fault), SDIV by zero
 * with CCR.DIV_0_TRP, precise bus faults on a load, a store and an instruction fetch at unmapped
 * addresses, and MPU (PMSAv7) MemManage faults: a store to a read-only region and a call into an
 * execute-never region. Each handler prints the exception, CFSR, MMFAR/BFAR and the stacked
 * frame, checks them, clears CFSR and resumes: after the faulting instruction, or for a fault
 * on a branch target at the stacked LR (the caller). */
#include "lib.h"

static volatile uint32_t last_exc, last_cfsr, last_pc, last_far, last_xpsr, nfaults;
static volatile int resume_at_lr;

static void fault_hook(struct exc_frame *f, uint32_t exc_return, unsigned n)
{
    uint32_t cfsr = REG32(CFSR);
    nfaults++;
    last_exc = n;
    last_cfsr = cfsr;
    last_pc = f->pc;
    last_xpsr = f->xpsr;
    last_far = (cfsr & 0x80) ? REG32(MMFAR) : (cfsr & 0x8000) ? REG32(BFAR) : 0;
    print_exc("  fault", f, exc_return);
    printf("         frame r0=%08x r1=%08x r2=%08x r3=%08x r12=%08x\n", (unsigned)f->r0,
           (unsigned)f->r1, (unsigned)f->r2, (unsigned)f->r3, (unsigned)f->r12);
    REG32(CFSR) = cfsr;                     /* write 1 to clear */
    if (resume_at_lr) {
        f->pc = f->lr & ~1u;
        f->xpsr |= 1u << 24;                /* T: back to Thumb state */
    } else {
        f->pc += insn_len(f->pc);
    }
}

static void expect(const char *what, unsigned exc, uint32_t cfsr, uint32_t pc, uint32_t far)
{
    check(nfaults == 1, "%s: one fault (%u)", what, (unsigned)nfaults);
    check(last_exc == exc, "%s: exception %u %s", what, exc, exc_name(exc));
    check(last_cfsr == cfsr, "%s: CFSR %08x (expected %08x)", what, (unsigned)last_cfsr, (unsigned)cfsr);
    check(last_pc == pc, "%s: stacked pc %08x (expected %08x)", what, (unsigned)last_pc, (unsigned)pc);
    if (far) check(last_far == far, "%s: fault address %08x", what, (unsigned)last_far);
    check(REG32(CFSR) == 0, "%s: CFSR cleared by the handler", what);
    nfaults = 0;
    resume_at_lr = 0;
}

#define LABEL(name) ".globl " #name "\n" #name ":\n"
extern char L_udf[], L_nocp[], L_ldr_unaligned[], L_ldrd_unaligned[], L_ldm_unaligned[],
    L_sdiv[], L_ldr_bus[], L_str_bus[], L_str_mpu[];

__attribute__((noinline)) static void t_udf(void) { __asm__ volatile(LABEL(L_udf) "udf #0x42" ::: "memory"); }
__attribute__((noinline)) static void t_nocp(void) {
    __asm__ volatile(LABEL(L_nocp) "mrc p15, 0, r0, c0, c0, 0" ::: "r0", "memory");
}
__attribute__((noinline)) static uint32_t t_ldr(uint32_t a) {
    uint32_t v = 0x5a5a5a5a;
    __asm__ volatile(LABEL(L_ldr_unaligned) "ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
    return v;
}
__attribute__((noinline)) static uint32_t t_ldrd(uint32_t a) {
    uint32_t v = 0x5a5a5a5a, w = 0;
    __asm__ volatile(LABEL(L_ldrd_unaligned) "ldrd %0, %1, [%2]" : "+r"(v), "+r"(w) : "r"(a) : "memory");
    return v + w;
}
__attribute__((noinline)) static uint32_t t_ldm(uint32_t a) {
    register uint32_t r4 __asm__("r4") = a;
    register uint32_t r5 __asm__("r5") = 0x5a5a5a5a;
    register uint32_t r6 __asm__("r6") = 0;
    __asm__ volatile(LABEL(L_ldm_unaligned) "ldm r4, {r5, r6}" : "+r"(r5), "+r"(r6) : "r"(r4) : "memory");
    return r5 + r6;
}
/* The branch before the SDIV starts a new translation block in QEMU: QEMU 7.2 loses the
 * register writes made earlier in the same block when SDIV/UDIV traps (see README.md). */
__attribute__((noinline)) static int32_t t_sdiv(int32_t a, int32_t b) {
    int32_t q = 0x5a5a5a5a;
    __asm__ volatile("b 1f\n1:\n" LABEL(L_sdiv) "sdiv %0, %1, %2" : "+r"(q) : "r"(a), "r"(b));
    return q;
}
__attribute__((noinline)) static uint32_t t_ldr_bus(uint32_t a) {
    uint32_t v = 0x5a5a5a5a;
    __asm__ volatile(LABEL(L_ldr_bus) "ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
    return v;
}
__attribute__((noinline)) static void t_str_bus(uint32_t a) {
    __asm__ volatile(LABEL(L_str_bus) "str %0, [%0]" :: "r"(a) : "memory");
}
__attribute__((noinline)) static void t_str_mpu(uint32_t a) {
    __asm__ volatile(LABEL(L_str_mpu) "str %0, [%0]" :: "r"(a) : "memory");
}
/* call target: r4 = address (bit 0 selects the state), with the caller-saved registers clobbered */
__attribute__((noinline)) static void t_call(uint32_t target) {
    register uint32_t r4 __asm__("r4") = target;
    __asm__ volatile("blx r4" : : "r"(r4) : "r0", "r1", "r2", "r3", "r12", "lr", "cc", "memory");
}

static uint32_t target_fn_calls;
__attribute__((noinline)) static void target_fn(void) { target_fn_calls++; }

static uint8_t aligned_buf[16] __attribute__((aligned(8))) = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
static uint32_t ro_region[8] __attribute__((aligned(32))) = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint16_t xn_code[16] __attribute__((aligned(32)));

#define A(x) ((uint32_t)(uintptr_t)(x))

int main(void)
{
    printf("faults: UsageFault, BusFault, MemManage with their handlers enabled\n");
    exc_hooks[EXC_USAGEFAULT] = fault_hook;
    exc_hooks[EXC_BUSFAULT] = fault_hook;
    exc_hooks[EXC_MEMMANAGE] = fault_hook;
    REG32(SHCSR) |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;
    shpr_set(EXC_MEMMANAGE, 0x20);
    shpr_set(EXC_BUSFAULT, 0x40);
    shpr_set(EXC_USAGEFAULT, 0x60);
    printf("SHCSR %08x CCR %08x\n", (unsigned)REG32(SHCSR), (unsigned)REG32(CCR));

    printf("undefined instruction (UDF #0x42):\n");
    t_udf();
    expect("UDF", EXC_USAGEFAULT, 1u << 16, A(L_udf), 0);

    printf("no coprocessor (MRC p15):\n");
    t_nocp();
    expect("MRC p15", EXC_USAGEFAULT, 1u << 19, A(L_nocp), 0);

    printf("invalid state (BLX to an even address):\n");
    resume_at_lr = 1;
    t_call(A(target_fn) & ~1u);
    check((last_xpsr & (1u << 24)) == 0, "INVSTATE: stacked xPSR.T = 0 (%08x)", (unsigned)last_xpsr);
    expect("INVSTATE", EXC_USAGEFAULT, 1u << 17, A(target_fn) & ~1u, 0);
    t_call(A(target_fn));
    check_eq("target_fn called only by the Thumb call", target_fn_calls, 1);

    printf("unaligned LDR, CCR.UNALIGN_TRP = 0 (performed):\n");
    check_eq("LDR [buf+1]", t_ldr(A(aligned_buf) + 1), 0x44332211);
    check_eq("no fault", nfaults, 0);
    printf("unaligned LDRD and LDM (always fault):\n");
    t_ldrd(A(aligned_buf) + 2);
    expect("LDRD [buf+2]", EXC_USAGEFAULT, 1u << 24, A(L_ldrd_unaligned), 0);
    t_ldm(A(aligned_buf) + 2);
    expect("LDM [buf+2]", EXC_USAGEFAULT, 1u << 24, A(L_ldm_unaligned), 0);
    printf("unaligned LDR, CCR.UNALIGN_TRP = 1:\n");
    REG32(CCR) |= CCR_UNALIGN_TRP;
    check_eq("LDR [buf+1] not performed (register unchanged)", t_ldr(A(aligned_buf) + 1), 0x5a5a5a5a);
    expect("LDR [buf+1]", EXC_USAGEFAULT, 1u << 24, A(L_ldr_unaligned), 0);
    check_eq("aligned LDR still fine", t_ldr(A(aligned_buf) + 4), 0x77665544);
    REG32(CCR) &= ~CCR_UNALIGN_TRP;

    printf("divide by zero, CCR.DIV_0_TRP = 0 (result 0):\n");
    check_eq("SDIV 7 / 0", (uint32_t)t_sdiv(7, 0), 0);
    check_eq("no fault", nfaults, 0);
    printf("divide by zero, CCR.DIV_0_TRP = 1:\n");
    REG32(CCR) |= CCR_DIV_0_TRP;
    check_eq("SDIV 7 / 0 not performed", (uint32_t)t_sdiv(7, 0), 0x5a5a5a5a);
    expect("SDIV", EXC_USAGEFAULT, 1u << 25, A(L_sdiv), 0);
    check_eq("SDIV -7 / 2", (uint32_t)t_sdiv(-7, 2), (uint32_t)-3);
    REG32(CCR) &= ~CCR_DIV_0_TRP;

    printf("bus faults (QEMU's mps2: unimplemented-device regions read 0, unmapped ones fault):\n");
    check_eq("LDR 0x40010000 (unimplemented CMSDK region)", t_ldr_bus(0x40010000), 0);
    check_eq("LDR 0x00800000 (RESERVED 1)", t_ldr_bus(0x00800000), 0);
    check_eq("no fault", nfaults, 0);
    check_eq("LDR 0x60000000 not performed", t_ldr_bus(0x60000000), 0x5a5a5a5a);
    expect("LDR 0x60000000", EXC_BUSFAULT, 0x8200, A(L_ldr_bus), 0x60000000);
    t_str_bus(0x60000010);
    expect("STR 0x60000010", EXC_BUSFAULT, 0x8200, A(L_str_bus), 0x60000010);
    resume_at_lr = 1;
    t_call(0x60000001);
    expect("BLX 0x60000001 (instruction fetch)", EXC_BUSFAULT, 0x0100, 0x60000000, 0);

    printf("MPU (PMSAv7): %u regions\n", (unsigned)((REG32(MPU_TYPE) >> 8) & 0xff));
    /* region 0: ro_region, 32 bytes, AP = 0b110 (read-only), XN; region 1: xn_code, 32 bytes,
     * AP = 0b011 (read/write), XN. PRIVDEFENA: the default map elsewhere. */
    REG32(MPU_RNR) = 0;
    REG32(MPU_RBAR) = A(ro_region);
    REG32(MPU_RASR) = (1u << 28) | (6u << 24) | (4u << 1) | 1;
    REG32(MPU_RNR) = 1;
    REG32(MPU_RBAR) = A(xn_code);
    REG32(MPU_RASR) = (1u << 28) | (3u << 24) | (4u << 1) | 1;
    xn_code[0] = 0x4770;                    /* bx lr */
    REG32(MPU_CTRL) = 5;                    /* ENABLE | PRIVDEFENA */
    dsb(); isb();
    check_eq("read of the read-only region", ro_region[2], 3);
    t_str_mpu(A(&ro_region[1]));
    expect("STR to the read-only region", EXC_MEMMANAGE, 0x82, A(L_str_mpu), A(&ro_region[1]));
    check_eq("read-only word unchanged", ro_region[1], 2);
    resume_at_lr = 1;
    t_call(A(xn_code) | 1);
    expect("call into the execute-never region", EXC_MEMMANAGE, 0x01, A(xn_code), 0);
    REG32(MPU_CTRL) = 0;
    dsb(); isb();
    t_call(A(xn_code) | 1);
    check_eq("with the MPU off the same call works (no fault)", nfaults, 0);
    return finish("faults");
}
