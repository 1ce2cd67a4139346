/* wdt-irq: the watchdog in interrupt mode (WDIE = 1, WDE = 0), the shortest period (WDP = 0:
   2048 cycles of the 128 kHz watchdog oscillator, about 16 ms = 256000 CPU cycles at 16 MHz).
   Waits for 3 WDT interrupts, counting main-loop passes in between (that count depends on the
   emulator's watchdog timing: the real oscillator is not exact), then a WDR (watchdog reset
   instruction) restarts the period. */
#include <avr/interrupt.h>
#include <avr/wdt.h>
#include "lib.h"

static volatile uint8_t wdt_irqs;

ISR(WDT_vect) { wdt_irqs++; }

int main(void)
{
    uart_init();
    PUTS("wdt-irq: watchdog interrupt mode, 16 ms\n");
    cli();
    wdt_reset();
    WDTCSR = _BV(WDCE) | _BV(WDE);
    WDTCSR = _BV(WDIE);             /* interrupt mode, WDP = 0 */
    sei();
    uint32_t loops = 0;
    uint8_t seen = 0;
    while (seen < 3) {
        loops++;
        if (wdt_irqs != seen) {
            seen = wdt_irqs;
            PUTS("wdt interrupt "); uart_dec(seen); uart_putc('\n');
        }
    }
    cli();
    wdt_reset();
    WDTCSR = _BV(WDCE) | _BV(WDE);
    WDTCSR = 0;
    PUTS("WDTCSR after disable "); uart_hex8(WDTCSR); uart_putc('\n');
    PUTS("main loop passes (timing-dependent) "); uart_dec(loops); uart_putc('\n');
    PUTS("done\n");
    halt();
}
