/* uart-rx: UART0 input with the RX interrupt (IRQ 0, CTRL.RXINTEN): the handler moves each
 * received byte (DATA read clears STATE.RXFULL) into a ring; main echoes each one as [c] until
 * '\n', then prints the count and the sum. Input comes from QEMU's stdin (the reference run
 * sends "Hello, ARM!\n"). The output is deterministic; the -d int log is not (the RX interrupts'
 * positions follow QEMU's host-timed input delivery). */
#include "lib.h"

#define U(r) REG32(UART0_BASE + (r))
#define UART0RX_IRQn 0
#define RING 64

static volatile uint8_t ring[RING];
static volatile unsigned head, tail;
static volatile uint32_t rx_irqs;

void UART0RX_IRQHandler(void)
{
    U(UART_INTSTATUS) = 2u;               /* clear RX */
    rx_irqs++;
    while (U(UART_STATE) & 2u) {          /* RXFULL */
        ring[tail % RING] = (uint8_t)U(UART_DATA);
        tail++;
    }
}

int main(void)
{
    printf("uart-rx: RX interrupt, echo until newline\n");
    U(UART_CTRL) = 1u | 2u | 8u;          /* TX enable, RX enable, RX interrupt enable */
    /* QEMU 7.2: input that reached the -nographic console multiplexer before RX was enabled
     * stays in the mux's buffer until the UART asks for more, which QEMU's CMSDK UART does
     * only when DATA is read: one dummy read gets it flowing */
    (void)U(UART_DATA);
    nvic_enable(UART0RX_IRQn);
    unsigned n = 0, sum = 0;
    for (;;) {
        while (head == tail) wfi();
        uint8_t c = ring[head % RING];
        head++;
        n++;
        sum += c;
        if (c == '\n') break;
        printf("[%c]", c);
    }
    nvic_disable(UART0RX_IRQn);
    /* how many bytes each RX interrupt finds depends on when QEMU's main loop delivers the
     * input (host timing, even with -icount): the count is checked, not printed */
    printf("\nreceived %u bytes, sum %u\n", n, sum);
    check_eq("bytes", n, 12);
    check_eq("sum of \"Hello, ARM!\\n\"", sum, 843);
    check(rx_irqs >= 1 && rx_irqs <= n, "between 1 and %u RX interrupts", n);
    return finish("uart-rx");
}
