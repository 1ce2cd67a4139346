/* sleep-idle: idle sleep (SMCR: SM = 000, SE = 1) woken by Timer1 CTC compare A every 16000 cycles
   (clk/64, OCR1A = 249). The main loop sleeps until the handler has counted 5 ticks, counting the
   SLEEPs it executed: on a real chip each SLEEP lasts until the next interrupt, so 5 ticks take
   5 SLEEPs (an emulator that treats SLEEP as a NOP runs the loop many more times). */
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include "lib.h"

static volatile uint8_t ticks;

ISR(TIMER1_COMPA_vect) { ticks++; }

int main(void)
{
    uart_init();
    PUTS("sleep-idle: idle mode, woken by Timer1 compare A every 1 ms\n");
    while (!(UCSR0A & _BV(TXC0)))   /* line out before sleeping */
        ;
    OCR1A = 249;
    TCCR1A = 0;
    TIMSK1 = _BV(OCIE1A);
    TCCR1B = _BV(WGM12) | _BV(CS11) | _BV(CS10);
    set_sleep_mode(SLEEP_MODE_IDLE);
    uint16_t sleeps = 0;
    sei();
    while (ticks < 5) {
        sleep_enable();
        sleep_cpu();
        sleep_disable();
        sleeps++;
    }
    cli();
    TCCR1B = 0;
    PUTS("ticks "); uart_dec(ticks); PUTS(", sleeps "); uart_dec(sleeps); uart_putc('\n');
    PUTS("done\n");
    halt();
}
