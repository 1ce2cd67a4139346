/* nested: interrupts nested by SEI inside a handler. Timer1 CTC compare A every 8000 cycles
   (clk/8, OCR1A = 999); its handler re-enables interrupts at once (ISR_NOBLOCK: sei as its first
   instruction) and then busy-waits about 3000 cycles. Timer2 CTC compare A every 1024 cycles
   (clk/8, OCR2A = 127) interrupts it; its handler does not re-enable interrupts. Each handler
   appends to a trace: 'A' on Timer1 entry, 'a' on Timer1 exit, 'b' for a Timer2 interrupt taken
   outside the Timer1 handler and 'B' for one nested inside it. Stops after 4 Timer1 interrupts. */
#include <avr/interrupt.h>
#include "lib.h"

#define TMAX 96
static volatile char trace[TMAX];
static volatile uint8_t tn, in_t1, t1_count, nested_count, max_depth, depth;

static void put(char c) { if (tn < TMAX) trace[tn++] = c; }

ISR(TIMER1_COMPA_vect, ISR_NOBLOCK)
{
    depth++;
    if (depth > max_depth) max_depth = depth;
    in_t1 = 1;
    put('A');
    uint16_t start = TCNT1;
    while ((uint16_t)(TCNT1 - start) < 375)   /* 375 * 8 = 3000 cycles */
        ;
    put('a');
    in_t1 = 0;
    t1_count++;
    depth--;
}

ISR(TIMER2_COMPA_vect)
{
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (in_t1) { put('B'); nested_count++; } else put('b');
    depth--;
}

int main(void)
{
    uart_init();
    PUTS("nested: Timer1 handler with sei, interrupted by Timer2\n");
    OCR1A = 999;
    TCCR1A = 0;
    TIMSK1 = _BV(OCIE1A);
    OCR2A = 127;
    TCCR2A = _BV(WGM21);
    TIMSK2 = _BV(OCIE2A);
    TCCR2B = _BV(CS21);
    TCCR1B = _BV(WGM12) | _BV(CS11);
    sei();
    while (t1_count < 4)
        ;
    cli();
    TCCR1B = 0;
    TCCR2B = 0;
    PUTS("trace: ");
    for (uint8_t i = 0; i < tn; i++) uart_putc(trace[i]);
    PUTS("\nTimer1 interrupts "); uart_dec(t1_count);
    PUTS(", Timer2 nested in Timer1 "); uart_dec(nested_count);
    PUTS(", max depth "); uart_dec(max_depth); uart_putc('\n');
    PUTS("done\n");
    halt();
}
