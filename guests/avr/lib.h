/* Small runtime shared by the AVR guests: polled USART0 output and the ending convention. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H
#include <stdint.h>
#include <avr/io.h>
#include <avr/pgmspace.h>

/* USART0 at 115200 baud, 8N1, U2X0 = 1 (UBRR0 = 16 at 16 MHz: 1360 cycles per character). */
void uart_init(void);
void uart_putc(char c);            /* polled: waits for UDRE0, clears TXC0, writes UDR0 */
void uart_puts(const char *s);     /* string in RAM */
void uart_puts_P(const char *s);   /* string in flash (PSTR) */
void uart_hex8(uint8_t v);
void uart_hex16(uint16_t v);
void uart_hex32(uint32_t v);
void uart_dec(uint32_t v);
#define PUTS(s) uart_puts_P(PSTR(s))

/* The ending convention: wait until the last character has left the shift register (TXC0;
   at least one character must have been sent since the last TXC0 clear),
   then cli; SMCR = power-down | SE; sleep (in a loop). An emulator stops at the first SLEEP
   executed with SREG.I clear. */
void halt(void) __attribute__((noreturn));

#endif
