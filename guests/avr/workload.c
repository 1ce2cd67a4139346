/* workload: the bench guest. CRC-32 (reflected, polynomial 0xEDB88320, bitwise) over a 512-byte
   buffer filled by a 32-bit LCG, repeated CRC_ROUNDS times (each round refills the buffer from
   the running LCG state), then an 8x8 matrix product (int32 entries kept below 97 in magnitude) iterated
   MAT_ROUNDS times (C = A * B, then A = C mod 2^16 with a twist). Prints both results.
   Sized for roughly 50-100 million cycles; workload-expected.py recomputes the printed values. */
#include <avr/interrupt.h>
#include "lib.h"

#ifndef CRC_ROUNDS
#define CRC_ROUNDS 144
#endif
#ifndef MAT_ROUNDS
#define MAT_ROUNDS 600
#endif
#define N 8

static uint8_t buf[512];
/* int32_t operands: with int16_t ones avr-gcc multiplies through libgcc's __mulhisi3, which
   jumps to __usmulhisi3_tail, where QEMU 7.2 spins forever (see README.md). */
static int32_t A[N][N], B[N][N];
static int32_t C[N][N];
static uint32_t lcg = 12345;

static uint32_t next(void)
{
    lcg = lcg * 1664525UL + 1013904223UL;
    return lcg;
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint16_t n)
{
    while (n--) {
        crc ^= *p++;
        for (uint8_t k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320UL & (uint32_t)-(int32_t)(crc & 1));
    }
    return crc;
}

int main(void)
{
    uart_init();
    PUTS("workload: CRC-32 and matrix multiply\n");
    uint32_t crc = 0xffffffffUL;
    for (uint16_t r = 0; r < CRC_ROUNDS; r++) {
        for (uint16_t i = 0; i < sizeof buf; i++)
            buf[i] = next() >> 24;
        crc = crc32_update(crc, buf, sizeof buf);
    }
    crc ^= 0xffffffffUL;
    PUTS("crc32 of "); uart_dec((uint32_t)CRC_ROUNDS * sizeof buf); PUTS(" bytes: 0x"); uart_hex32(crc); uart_putc('\n');

    for (uint8_t i = 0; i < N; i++)
        for (uint8_t j = 0; j < N; j++) {
            A[i][j] = (int16_t)(next() >> 16) % 64;
            B[i][j] = (int16_t)(next() >> 16) % 64;
        }
    uint32_t check = 0;
    for (uint16_t r = 0; r < MAT_ROUNDS; r++) {
        for (uint8_t i = 0; i < N; i++)
            for (uint8_t j = 0; j < N; j++) {
                int32_t s = 0;
                for (uint8_t k = 0; k < N; k++)
                    s += A[i][k] * B[k][j];
                C[i][j] = s;
            }
        for (uint8_t i = 0; i < N; i++)
            for (uint8_t j = 0; j < N; j++) {
                A[i][j] = (int16_t)((C[i][j] >> 3) ^ (C[i][j] >> 19)) % 97;
                check = check * 31 + (uint32_t)C[i][j];
            }
    }
    PUTS("matrix "); uart_dec(N); uart_putc('x'); uart_dec(N); PUTS(" x "); uart_dec(MAT_ROUNDS);
    PUTS(": C[0][0] = 0x"); uart_hex32((uint32_t)C[0][0]); PUTS(", checksum 0x"); uart_hex32(check); uart_putc('\n');
    PUTS("done\n");
    halt();
}
