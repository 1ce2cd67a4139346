/* wdt-reset: the watchdog in system reset mode (WDE = 1, WDIE = 0, 16 ms). First boot: MCUSR
   has no WDRF; the guest enables the watchdog and spins, counting in a .noinit variable (SRAM
   keeps its contents across a watchdog reset). Second boot: MCUSR.WDRF (0x08) is set; the guest
   prints MCUSR and the count, and ends. MCUSR is read and cleared, and the watchdog turned off,
   in .init3, before main (the datasheet requires clearing WDRF before WDE can be cleared). */
#include <avr/interrupt.h>
#include <avr/wdt.h>
#include "lib.h"

static uint8_t mcusr_at_boot __attribute__((section(".noinit")));
static volatile uint32_t spins __attribute__((section(".noinit")));

void early(void) __attribute__((naked, used, section(".init3")));
void early(void)
{
    mcusr_at_boot = MCUSR;
    MCUSR = 0;
    wdt_disable();
}

int main(void)
{
    uart_init();
    PUTS("wdt-reset: MCUSR at boot 0x"); uart_hex8(mcusr_at_boot); uart_putc('\n');
    if (!(mcusr_at_boot & _BV(WDRF))) {
        PUTS("no watchdog reset yet: enabling the watchdog (reset mode, 16 ms) and spinning\n");
        /* Let the line leave the transmitter before the reset cuts it off. */
        while (!(UCSR0A & _BV(TXC0)))
            ;
        spins = 0;
        wdt_enable(WDTO_15MS);
        for (;;)
            spins++;
    }
    PUTS("reset by the watchdog after "); uart_dec(spins); PUTS(" spins (timing-dependent)\n");
    PUTS("done\n");
    halt();
}
