/* usart-rx-irq: interrupt-driven reception. The RX complete interrupt (USART_RX_vect, RXCIE0)
   stores each received byte in a ring buffer; main echoes each byte back as "[c]" (hex for
   non-printables), and after a '\n' prints the byte count and their sum. Input: stdin. */
#include <avr/interrupt.h>
#include "lib.h"

#define QSIZE 32
static volatile uint8_t q[QSIZE];
static volatile uint8_t head, tail;
static volatile uint16_t rx_irqs;

ISR(USART_RX_vect)
{
    uint8_t c = UDR0;
    rx_irqs++;
    uint8_t next = (head + 1) % QSIZE;
    if (next != tail) {
        q[head] = c;
        head = next;
    }
}

int main(void)
{
    uart_init();
    UCSR0B |= _BV(RXCIE0);
    sei();                    /* before the first output: input may arrive from now on */
    PUTS("usart-rx-irq: send a line\n");
    uint16_t count = 0, sum = 0;
    for (;;) {
        while (head == tail)
            ;
        uint8_t c = q[tail];
        tail = (tail + 1) % QSIZE;
        count++;
        sum += c;
        if (c >= 0x20 && c < 0x7f) {
            uart_putc('['); uart_putc(c); uart_putc(']');
        } else {
            PUTS("[0x"); uart_hex8(c); uart_putc(']');
        }
        if (c == '\n')
            break;
    }
    cli();
    PUTS("\nreceived "); uart_dec(count); PUTS(" bytes, sum "); uart_dec(sum);
    PUTS(", RX interrupts "); uart_dec(rx_irqs); uart_putc('\n');
    PUTS("done\n");
    halt();
}
