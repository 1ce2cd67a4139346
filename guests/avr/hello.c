/* hello: polled USART0 output only (a guest every emulator, QEMU included, must agree on). */
#include <avr/pgmspace.h>
#include "lib.h"

static volatile uint16_t a = 1234, b = 56;

int main(void)
{
    uart_init();
    PUTS("hello from the ATmega328P\n");
    PUTS("1234 * 56 = "); uart_dec((uint32_t)a * b); uart_putc('\n');
    PUTS("1234 / 56 = "); uart_dec(a / b); PUTS(" rem "); uart_dec(a % b); uart_putc('\n');
    PUTS("0x"); uart_hex32(0xdeadbeefUL ^ ((uint32_t)a << 16 | b)); uart_putc('\n');
    PUTS("SP = 0x"); uart_hex16(SP); uart_putc('\n');
    PUTS("done\n");
    halt();
}
