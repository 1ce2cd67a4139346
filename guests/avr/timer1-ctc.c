/* timer1-ctc: Timer/Counter1 in CTC mode (WGM12, TOP = OCR1A), clk/64, OCR1A = 249: a compare
   match A interrupt every 250 * 64 = 16000 cycles (1 ms). Also OCR1B = 99 (compare B inside the
   same period, its interrupt enabled too; its entries show in the interrupt log). Waits for
   5 compare-A interrupts. */
#include <avr/interrupt.h>
#include "lib.h"

static volatile uint8_t ticks_a, ticks_b;

ISR(TIMER1_COMPA_vect)
{
    if (++ticks_a == 5)
        TIMSK1 = 0;   /* no more interrupts from here, so compare B's count does not depend on main's timing */
}
ISR(TIMER1_COMPB_vect) { ticks_b++; }

int main(void)
{
    uart_init();
    PUTS("timer1 CTC: OCR1A=249 OCR1B=99 clk/64\n");
    OCR1A = 249;
    OCR1B = 99;
    TCCR1A = 0;
    TIMSK1 = _BV(OCIE1A) | _BV(OCIE1B);
    TCCR1B = _BV(WGM12) | _BV(CS11) | _BV(CS10);
    sei();
    uint8_t seen = 0;
    while (seen < 5) {
        if (ticks_a != seen) {
            seen = ticks_a;
            PUTS("tick "); uart_dec(seen); uart_putc('\n');
        }
    }
    cli();
    TCCR1B = 0;
    /* Compare B's count (5) is left out: on QEMU, whose timers run on host time, it is 5 or 6. */
    PUTS("compare A "); uart_dec(ticks_a); uart_putc('\n');
    PUTS("done\n");
    halt();
}
