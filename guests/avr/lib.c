#include "lib.h"
#include <avr/pgmspace.h>
#include <avr/interrupt.h>

void uart_init(void)
{
    UCSR0B = 0; /* transmitter off first: (re)enabling it sets UDRE0 in avr8js even after a reset it does not model */
    UCSR0A = _BV(U2X0);
    UBRR0H = 0;
    UBRR0L = 16;
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
    UCSR0B = _BV(TXEN0) | _BV(RXEN0);
}

void uart_putc(char c)
{
    while (!(UCSR0A & _BV(UDRE0)))
        ;
    /* Clear TXC0 (write 1, keep U2X0) just before the write, so that TXC0 next means "this byte
       is out" (halt() waits for it). Clearing it after the write, as the Arduino core does, loses
       the flag on QEMU, which sets TXC0 at the write itself. */
    UCSR0A = (UCSR0A & _BV(U2X0)) | _BV(TXC0);
    UDR0 = c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_puts_P(const char *s)
{
    char c;
    while ((c = pgm_read_byte(s++)) != 0)
        uart_putc(c);
}

void uart_hex8(uint8_t v)
{
    static const char digits[] PROGMEM = "0123456789abcdef";
    uart_putc(pgm_read_byte(&digits[v >> 4]));
    uart_putc(pgm_read_byte(&digits[v & 15]));
}

void uart_hex16(uint16_t v)
{
    uart_hex8(v >> 8);
    uart_hex8(v);
}

void uart_hex32(uint32_t v)
{
    uart_hex16(v >> 16);
    uart_hex16(v);
}

void uart_dec(uint32_t v)
{
    char buf[11];
    uint8_t n = 0;
    do {
        buf[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n)
        uart_putc(buf[--n]);
}

void halt(void)
{
    /* uart_putc cleared TXC0 after its last write to UDR0: wait until that byte is out. */
    while (!(UCSR0A & _BV(TXC0)))
        ;
    cli();
    SMCR = _BV(SM1) | _BV(SE); /* power-down */
    for (;;)
        __asm__ __volatile__("sleep");
}
