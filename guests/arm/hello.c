/* hello: UART0 output, one semihosting SYS_WRITE0, CPUID and the memory map basics, then
 * exit 0 through semihosting SYS_EXIT_EXTENDED. */
#include "lib.h"

int main(void)
{
    printf("hello from %s\n", __ARM_ARCH_PROFILE == 'M' && __ARM_ARCH == 6 ? "ARMv6-M" : "ARMv7-M");
    uint32_t cpuid = REG32(CPUID);
    printf("CPUID %08x (partno %03x), VTOR %08x, MSP %08x, CONTROL %x\n", (unsigned)cpuid,
           (unsigned)((cpuid >> 4) & 0xfff), (unsigned)REG32(VTOR), (unsigned)get_reg(msp),
           (unsigned)get_reg(control));
    printf("vector 0 (SP) %08x, vector 1 (reset) %08x\n", (unsigned)REG32(0), (unsigned)REG32(4));
    printf("ICTR %x, 7 * 6 = %d, 100 / 7 = %d, -5 %% 3 = %d\n", (unsigned)REG32(ICTR), 7 * 6,
           100 / 7, -5 % 3);
    sh_write0("hello over semihosting (SYS_WRITE0)\n");
    check_eq("ssram1 mirror at 0x400000 reads vector 1", REG32(0x400004), REG32(4));
    REG32(0x20100000) = 0x12345678;
    check_eq("ssram2/3 mirror at 0x20500000", REG32(0x20500000), 0x12345678);
    return finish("hello");
}
