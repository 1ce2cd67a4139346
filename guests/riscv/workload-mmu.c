/*
 * The workload guest run in S-mode with address translation on: RAM and the devices are
 * identity-mapped by superpages (Sv39 gigapages on rv64, Sv32 megapages on rv32), so the same
 * computation runs through the MMU. The bench compares it with the plain workload.
 */
/* The workload reads minstret; below M-mode read the unprivileged instret instead. */
#define rdinstret rdinstret_s
#define main workload_main
#include "workload.c"
#undef main
#undef rdinstret

uint64_t rdinstret_s(void)
{
#if XLEN == 64
    return csr_read(instret);
#else
    ureg hi, lo;
    do {
        hi = csr_read(instreth);
        lo = csr_read(instret);
    } while (hi != csr_read(instreth));
    return ((uint64_t)hi << 32) | lo;
#endif
}

#if XLEN == 64
#define SATP_MODE (8UL << 60) /* Sv39 */
#define LEVEL_SHIFT 30         /* 1 GiB gigapages */
#define PTES 512
#else
#define SATP_MODE (1UL << 31) /* Sv32 */
#define LEVEL_SHIFT 22         /* 4 MiB megapages */
#define PTES 1024
#endif

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80

static ureg root[PTES] __attribute__((aligned(4096)));

static ureg in_smode(ureg arg)
{
    (void)arg;
    return (ureg)workload_main();
}

int main(void)
{
    /* PMP: let S-mode reach everything. */
    csr_write(pmpaddr0, (ureg)-1);
    csr_write(pmpcfg0, 0x1f);
    /* Counters readable below M (the workload prints minstret). */
    csr_write(mcounteren, 7);
    /* Identity map: devices (first gigapage / first megapages) and all of RAM. */
    for (ureg a = 0; a < 0x20000000UL; a += 1UL << LEVEL_SHIFT)
        root[a >> LEVEL_SHIFT] = ((a >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    for (ureg a = 0x80000000UL; a < 0x80000000UL + 0x8000000UL; a += 1UL << LEVEL_SHIFT)
        root[(a >> LEVEL_SHIFT) % PTES] = ((a >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    csr_write(satp, SATP_MODE | ((ureg)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    return (int)m_run(PRV_S, in_smode, 0);
}
