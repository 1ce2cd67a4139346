/* extint-self: external (INT0, INT1) and pin-change (PCINT0, PCINT1, PCINT2) interrupts that the
   guest triggers itself. Each pin is an output (DDR bit set), and writing its PORT bit changes
   the pin level, which the interrupt logic sees exactly as an external signal: the datasheet
   (ATmega328P, 13.1 "External Interrupts") says INT0/INT1 and PCINT23..0 "will trigger even if
   the pins are configured as outputs. This feature provides a way of generating a software
   interrupt". Pins: PD2 = INT0 (rising edge), PD3 = INT1 (any change), PB0 = PCINT0 (group 0),
   PC0 = PCINT8 (group 1), PD4 = PCINT20 (group 2). */
#include <avr/interrupt.h>
#include "lib.h"

static volatile uint8_t n_int0, n_int1, n_pc0, n_pc1, n_pc2;

ISR(INT0_vect) { n_int0++; }
ISR(INT1_vect) { n_int1++; }
ISR(PCINT0_vect) { n_pc0++; }
ISR(PCINT1_vect) { n_pc1++; }
ISR(PCINT2_vect) { n_pc2++; }

static void report(const char *what)
{
    uart_puts_P(what);
    PUTS(": INT0 "); uart_dec(n_int0);
    PUTS(", INT1 "); uart_dec(n_int1);
    PUTS(", PCINT0 "); uart_dec(n_pc0);
    PUTS(", PCINT1 "); uart_dec(n_pc1);
    PUTS(", PCINT2 "); uart_dec(n_pc2);
    PUTS(", EIFR "); uart_hex8(EIFR);
    PUTS(", PCIFR "); uart_hex8(PCIFR);
    uart_putc('\n');
}

int main(void)
{
    uart_init();
    PUTS("extint-self: INT0 rising, INT1 any change, PCINT0/8/20, driven by the guest's own outputs\n");
    PORTD &= ~(_BV(PD2) | _BV(PD3) | _BV(PD4));
    PORTB &= ~_BV(PB0);
    PORTC &= ~_BV(PC0);
    DDRD |= _BV(PD2) | _BV(PD3) | _BV(PD4);
    DDRB |= _BV(PB0);
    DDRC |= _BV(PC0);
    EICRA = _BV(ISC01) | _BV(ISC00) | _BV(ISC10);  /* INT0 rising, INT1 any change */
    EIFR = _BV(INTF0) | _BV(INTF1);
    EIMSK = _BV(INT0) | _BV(INT1);
    PCMSK0 = _BV(PCINT0);
    PCMSK1 = _BV(PCINT8);
    PCMSK2 = _BV(PCINT20);
    PCIFR = _BV(PCIF0) | _BV(PCIF1) | _BV(PCIF2);
    PCICR = _BV(PCIE0) | _BV(PCIE1) | _BV(PCIE2);
    sei();

    /* 3 pulses on each pin with interrupts on: INT0 sees 3 rising edges, INT1 6 changes,
       each pin-change group 6 changes. */
    for (uint8_t i = 0; i < 3; i++) {
        PORTD |= _BV(PD2); PORTD &= ~_BV(PD2);
        PORTD |= _BV(PD3); PORTD &= ~_BV(PD3);
        PORTB |= _BV(PB0); PORTB &= ~_BV(PB0);
        PORTC |= _BV(PC0); PORTC &= ~_BV(PC0);
        PORTD |= _BV(PD4); PORTD &= ~_BV(PD4);
    }
    report(PSTR("3 pulses each"));

    /* With interrupts off the flags stay pending (one flag per source, however many edges). */
    cli();
    PORTD |= _BV(PD2); PORTD &= ~_BV(PD2); PORTD |= _BV(PD2); PORTD &= ~_BV(PD2);
    PORTD |= _BV(PD3);
    PORTB |= _BV(PB0);
    report(PSTR("edges with I=0"));
    sei();
    __asm__ __volatile__("nop");
    report(PSTR("after sei"));

    /* A flag cleared by writing 1 is not taken. */
    cli();
    PORTD &= ~_BV(PD3);
    PORTB &= ~_BV(PB0);
    EIFR = _BV(INTF1);
    PCIFR = _BV(PCIF0);
    sei();
    __asm__ __volatile__("nop");
    report(PSTR("flags cleared"));

    /* Masked sources: PCINT1 with PCMSK1 = 0, INT0 with EIMSK.INT0 = 0. */
    PCMSK1 = 0;
    EIMSK = _BV(INT1);
    PORTC |= _BV(PC0); PORTC &= ~_BV(PC0);
    PORTD |= _BV(PD2); PORTD &= ~_BV(PD2);
    report(PSTR("masked"));
    cli();
    PUTS("done\n");
    halt();
}
