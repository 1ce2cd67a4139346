/* irq-timing: the instruction-level interrupt rules of the AVR core (ATmega328P datasheet,
   7.7 "Reset and Interrupt Handling"):
   (1) "the instruction following SEI will be executed before any pending interrupts": with the
       INT1 flag pending, `sei; cli` takes no interrupt, `sei; nop; cli` takes one;
   (2) "When the AVR exits from an interrupt, it will always return to the main program and
       execute one more instruction before any pending interrupt is served": INT0 in low-level
       mode (ISC0 = 00) on PD2, held low by the guest's own output, keeps requesting; the main
       program runs `inc r2` ten times and the handler records r2 at each entry, releasing the
       pin at its 5th entry. Expected samples: 1 2 3 4 5 (one inc after SEI, one after each RETI).
   The pins are outputs written by the guest (see extint-self). */
#include <avr/interrupt.h>
#include "lib.h"

register uint8_t r2 asm("r2");
static volatile uint8_t n_int1, n_int0;
static volatile uint8_t samples[8];

ISR(INT1_vect) { n_int1++; }

ISR(INT0_vect)
{
    if (n_int0 < 8)
        samples[n_int0] = r2;
    if (++n_int0 == 5)
        PORTD |= _BV(PD2);        /* level goes high: INT0 stops requesting */
}

int main(void)
{
    uart_init();
    PUTS("irq-timing: SEI delay and one instruction after RETI\n");
    PORTD |= _BV(PD2);
    PORTD &= ~_BV(PD3);
    DDRD |= _BV(PD2) | _BV(PD3);
    EICRA = _BV(ISC11) | _BV(ISC10);   /* INT1 rising edge, INT0 low level */
    EIFR = _BV(INTF0) | _BV(INTF1);
    EIMSK = _BV(INT1);

    /* (1) */
    PORTD |= _BV(PD3);                  /* INT1 flag set, I = 0 */
    __asm__ __volatile__("sei\n\tcli" ::: "memory");
    uint8_t after_sei_cli = n_int1;
    __asm__ __volatile__("sei\n\tnop\n\tcli" ::: "memory");
    uint8_t after_sei_nop_cli = n_int1;
    PUTS("INT1 pending: after sei;cli taken "); uart_dec(after_sei_cli);
    PUTS(", after sei;nop;cli taken "); uart_dec(after_sei_nop_cli); uart_putc('\n');

    /* (2) */
    uint8_t final;
    EIMSK = _BV(INT0);
    PORTD &= ~_BV(PD2);                 /* INT0 level low, I = 0 */
    __asm__ __volatile__(
        "clr r2\n\t"
        "sei\n\t"
        "inc r2\n\tinc r2\n\tinc r2\n\tinc r2\n\tinc r2\n\t"
        "inc r2\n\tinc r2\n\tinc r2\n\tinc r2\n\tinc r2\n\t"
        "cli\n\t"
        "mov %0, r2" : "=r" (final) :: "memory");
    PUTS("INT0 low level: entries "); uart_dec(n_int0); PUTS(", r2 at entry:");
    for (uint8_t i = 0; i < n_int0 && i < 8; i++) { uart_putc(' '); uart_dec(samples[i]); }
    PUTS(", r2 at end "); uart_dec(final); uart_putc('\n');
    PUTS("done\n");
    halt();
}
