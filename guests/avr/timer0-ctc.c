/* timer0-ctc: Timer/Counter0 in CTC mode (WGM01, TOP = OCR0A), clk/64, OCR0A = 249 (compare A
   every 16000 cycles = 1 ms), OCR0B = 124 (compare B, same period); Timer/Counter2 in CTC mode,
   clk/32, OCR2A = 99 (every 3200 cycles). Counts until 10 Timer0 compare-A interrupts; the other
   counts then depend on the exact timing. */
#include <avr/interrupt.h>
#include "lib.h"

static volatile uint8_t t0a, t0b, t2a;

ISR(TIMER0_COMPA_vect) { t0a++; }
ISR(TIMER0_COMPB_vect) { t0b++; }
ISR(TIMER2_COMPA_vect) { t2a++; }

int main(void)
{
    uart_init();
    PUTS("timer0 CTC: OCR0A=249 OCR0B=124 clk/64; timer2 CTC: OCR2A=99 clk/32\n");
    OCR0A = 249;
    OCR0B = 124;
    TCCR0A = _BV(WGM01);
    TIMSK0 = _BV(OCIE0A) | _BV(OCIE0B);
    OCR2A = 99;
    TCCR2A = _BV(WGM21);
    TIMSK2 = _BV(OCIE2A);
    TCCR0B = _BV(CS01) | _BV(CS00);
    TCCR2B = _BV(CS21) | _BV(CS20);
    sei();
    while (t0a < 10)
        ;
    cli();
    uint8_t tcnt0 = TCNT0, tcnt2 = TCNT2;
    TCCR0B = 0;
    TCCR2B = 0;
    PUTS("timer0 A "); uart_dec(t0a); PUTS(", timer0 B "); uart_dec(t0b);
    PUTS(", timer2 A "); uart_dec(t2a); uart_putc('\n');
    PUTS("TCNT0 "); uart_dec(tcnt0); PUTS(", TCNT2 "); uart_dec(tcnt2); uart_putc('\n');
    PUTS("done\n");
    halt();
}
