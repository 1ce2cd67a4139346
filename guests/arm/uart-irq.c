/* uart-irq: interrupt-driven UART0 output. Lines go into a 32-byte ring buffer; the CMSDK UART's
 * TX interrupt (IRQ 1, CTRL.TXINTEN) sends the next byte each time the transmit buffer empties
 * (INTSTATUS.TX, cleared by writing 1), and the sender goes idle when the ring is empty. The
 * writer waits with WFI when the ring is full. Counts TX interrupts: one per byte sent from the
 * ring, so the count equals the number of bytes written through it. */
#include "lib.h"

#define U(r) REG32(UART0_BASE + (r))
#define UART0TX_IRQn 1
#define RING 32

static volatile uint8_t ring[RING];
static volatile unsigned head, tail;      /* head: next to send, tail: next free */
static volatile int tx_busy;
static volatile uint32_t tx_irqs, bytes_queued;

void UART0TX_IRQHandler(void)
{
    U(UART_INTSTATUS) = 1u;               /* clear TX */
    tx_irqs++;
    if (head != tail) {
        U(UART_DATA) = ring[head % RING];
        head++;
    } else {
        tx_busy = 0;
    }
}

static void irq_putc(char c)
{
    while (tail - head >= RING) wfi();     /* full: wait for the TX interrupt to drain it */
    irq_disable();
    if (!tx_busy) {
        tx_busy = 1;
        U(UART_DATA) = (uint8_t)c;         /* idle: send at once; its TX interrupt continues */
    } else {
        ring[tail % RING] = (uint8_t)c;
        tail++;
    }
    bytes_queued++;
    irq_enable();
}

static void irq_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') irq_putc('\r');
        irq_putc(*s);
    }
}

int main(void)
{
    printf("uart-irq: interrupt-driven UART0 output through a %d-byte ring\n", RING);
    U(UART_CTRL) = 1u | 4u;                /* TX enable, TX interrupt enable */
    nvic_enable(UART0TX_IRQn);
    for (int i = 0; i < 4; i++) {
        irq_puts("line ");
        irq_putc((char)('0' + i));
        irq_puts(": the quick brown fox jumps over the lazy dog\n");
    }
    while (tx_busy) wfi();
    nvic_disable(UART0TX_IRQn);
    U(UART_CTRL) = 1u;
    printf("bytes %u, TX interrupts %u\n", (unsigned)bytes_queued, (unsigned)tx_irqs);
    check_eq("TX interrupts = bytes (one per byte sent, the last one finds the ring empty)",
             tx_irqs, bytes_queued);
    return finish("uart-irq");
}
