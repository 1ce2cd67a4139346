/* extint-pins: external and pin-change interrupts on input pins driven from outside (a test
   harness, or avr8js-run's --pin option). Inputs (no pull-ups; the harness starts them at 0):
   PD2 = INT0 (falling edge), PD3 = INT1 (any change), PB0 = PCINT0, PC1 = PCINT9.
   Timer1 runs free at clk/8 (TCNT1 = cycles / 8, read in each handler). The guest listens for
   2 Timer1 overflows (2 * 65536 * 8 = 1048576 cycles) and then prints what it saw.
   Suggested drive (cycles): D2=1@100000 D2=0@150000 D3=1@200000 D3=0@250000 B0=1@300000
   C1=1@350000 B0=0@400000 D2=1@450000 D2=0@460000 (then C1 stays high). */
#include <avr/interrupt.h>
#include "lib.h"

#define MAXEV 24
static volatile uint8_t ev_src[MAXEV];
static volatile uint16_t ev_t[MAXEV];
static volatile uint8_t ev_pin[MAXEV];
static volatile uint8_t nev;

static void record(uint8_t src, uint8_t pin)
{
    uint16_t t = TCNT1;
    if (nev < MAXEV) {
        ev_src[nev] = src;
        ev_t[nev] = t;
        ev_pin[nev] = pin;
        nev++;
    }
}

ISR(INT0_vect) { record('0', PIND & 0x0c); }
ISR(INT1_vect) { record('1', PIND & 0x0c); }
ISR(PCINT0_vect) { record('B', PINB & 0x01); }
ISR(PCINT1_vect) { record('C', PINC & 0x02); }

int main(void)
{
    uart_init();
    PUTS("extint-pins: INT0 falling (PD2), INT1 change (PD3), PCINT0 (PB0), PCINT9 (PC1)\n");
    DDRD &= ~(_BV(PD2) | _BV(PD3));
    DDRB &= ~_BV(PB0);
    DDRC &= ~_BV(PC1);
    EICRA = _BV(ISC01) | _BV(ISC10);
    EIFR = _BV(INTF0) | _BV(INTF1);
    EIMSK = _BV(INT0) | _BV(INT1);
    PCMSK0 = _BV(PCINT0);
    PCMSK1 = _BV(PCINT9);
    PCIFR = _BV(PCIF0) | _BV(PCIF1);
    PCICR = _BV(PCIE0) | _BV(PCIE1);
    TCCR1A = 0;
    TCNT1 = 0;
    TIFR1 = _BV(TOV1);
    TCCR1B = _BV(CS11);
    sei();
    for (uint8_t ov = 0; ov < 2; ) {
        if (TIFR1 & _BV(TOV1)) {
            TIFR1 = _BV(TOV1);
            ov++;
        }
    }
    cli();
    TCCR1B = 0;
    PUTS("events: "); uart_dec(nev); uart_putc('\n');
    for (uint8_t i = 0; i < nev; i++) {
        uart_putc(ev_src[i]); PUTS(" t="); uart_dec(ev_t[i]);
        PUTS(" pins="); uart_hex8(ev_pin[i]); uart_putc('\n');
    }
    PUTS("PIND "); uart_hex8(PIND & 0x0c); PUTS(" PINB "); uart_hex8(PINB & 1);
    PUTS(" PINC "); uart_hex8(PINC & 2); uart_putc('\n');
    PUTS("done\n");
    halt();
}
