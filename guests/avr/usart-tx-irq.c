/* usart-tx-irq: interrupt-driven transmission. Text goes into a 16-byte ring buffer; the
   USART data register empty interrupt (USART_UDRE_vect, UDRIE0) moves it to UDR0 and turns
   itself off when the buffer is empty. main blocks (with interrupts on) while the buffer is full. */
#include <avr/interrupt.h>
#include <avr/pgmspace.h>
#include "lib.h"

#define QSIZE 16
static volatile uint8_t q[QSIZE];
static volatile uint8_t head, tail;   /* head: next write (main), tail: next read (ISR) */
static volatile uint16_t udre_irqs;

ISR(USART_UDRE_vect)
{
    udre_irqs++;
    if (head != tail) {
        UCSR0A = (UCSR0A & _BV(U2X0)) | _BV(TXC0);   /* as lib.c's uart_putc */
        UDR0 = q[tail];
        tail = (tail + 1) % QSIZE;
    }
    if (head == tail)
        UCSR0B &= ~_BV(UDRIE0);
}

static void tx(char c)
{
    uint8_t next = (head + 1) % QSIZE;
    while (next == tail)
        ;
    q[head] = c;
    head = next;
    UCSR0B |= _BV(UDRIE0);
}

static void tx_str_P(const char *s)
{
    char c;
    while ((c = pgm_read_byte(s++)) != 0)
        tx(c);
}

static void tx_dec(uint16_t v)
{
    char buf[6];
    uint8_t n = 0;
    do { buf[n++] = '0' + v % 10; v /= 10; } while (v);
    while (n) tx(buf[--n]);
}

int main(void)
{
    uart_init();
    sei();
    tx_str_P(PSTR("usart-tx-irq: these lines are sent by the UDRE interrupt\n"));
    for (uint8_t i = 1; i <= 3; i++) {
        tx_str_P(PSTR("line ")); tx_dec(i); tx_str_P(PSTR(" of 3: the quick brown fox jumps over the lazy dog\n"));
    }
    tx_str_P(PSTR("waiting for the buffer to drain\n"));
    while (UCSR0B & _BV(UDRIE0))
        ;
    cli();
    uint16_t n = udre_irqs;
    PUTS("UDRE interrupts in all: "); uart_dec(n); uart_putc('\n');
    PUTS("done\n");
    halt();
}
