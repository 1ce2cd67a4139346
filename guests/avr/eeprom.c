/* eeprom: writes 16 bytes to EEPROM address 0x20.., one byte per EE_READY interrupt
   (EE_READY_vect, EERIE: level-triggered, taken whenever EEPE = 0), then reads them back with
   polled reads (EERE) and prints them. Each write is an erase + write (EEPM = 0, about 3.4 ms). */
#include <avr/interrupt.h>
#include <avr/pgmspace.h>
#include "lib.h"

#define BASE 0x20
static const char msg[16] PROGMEM = "EEPROM via IRQ!";
static volatile uint8_t next_i, ready_irqs;

ISR(EE_READY_vect)
{
    ready_irqs++;
    if (next_i < sizeof msg) {
        EEAR = BASE + next_i;
        EEDR = pgm_read_byte(&msg[next_i]);
        next_i++;
        EECR |= _BV(EEMPE);
        EECR |= _BV(EEPE);
    } else {
        EECR &= ~_BV(EERIE);
    }
}

static uint8_t ee_read(uint16_t a)
{
    while (EECR & _BV(EEPE))
        ;
    EEAR = a;
    EECR |= _BV(EERE);
    return EEDR;
}

int main(void)
{
    uart_init();
    PUTS("eeprom: before:");
    for (uint8_t i = 0; i < 4; i++) { uart_putc(' '); uart_hex8(ee_read(BASE + i)); }
    PUTS(" ...\n");
    sei();
    EECR |= _BV(EERIE);
    while (EECR & _BV(EERIE))
        ;
    PUTS("written "); uart_dec(next_i); PUTS(" bytes, EE_READY interrupts "); uart_dec(ready_irqs); uart_putc('\n');
    PUTS("read back: \"");
    for (uint8_t i = 0; i < sizeof msg - 1; i++) uart_putc(ee_read(BASE + i));
    PUTS("\" + "); uart_hex8(ee_read(BASE + 15)); uart_putc('\n');
    cli();
    PUTS("done\n");
    halt();
}
