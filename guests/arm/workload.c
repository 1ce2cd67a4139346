/* workload: the benchmark guest, about 70 M instructions on Cortex-M3. Bitwise CRC-32
 * (reflected polynomial 0xEDB88320, table-less) of a 2 KiB LCG buffer, CRC_PASSES times (one
 * running CRC), and a 20x20 int32 matrix product iterated MAT_ITERS times (each product is
 * folded back into B). Prints the CRC and the matrix checksum, exit 0 when both match the
 * values from workload-expected.py. Builds for Cortex-M3 and Cortex-M0 (ARMv6-M: no division
 * used); with -DCONSOLE_SEMIHOST (the microbit build) the console is semihosting SYS_WRITE0.
 * Fits in 16 KiB of RAM. */
#include "lib.h"

#define BUF_SIZE 2048
#define CRC_PASSES 440
#define N 20
#define MAT_ITERS 560

#define EXPECTED_CRC 0xbdaf9cd3u      /* from workload-expected.py */
#define EXPECTED_MATRIX 0x983b454du   /* from workload-expected.py */

static uint8_t buf[BUF_SIZE];
static int32_t A[N][N], B[N][N], C[N][N];
static uint32_t lcg = 12345;

static uint32_t next(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return lcg;
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

static void matmul(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t s = 0;
            for (int k = 0; k < N; k++)
                s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
}

#ifdef MEASURE
/* QEMU -icount shift=0: SysTick counts every 40 instructions (25 MHz clock, 1 ns/insn) */
static uint32_t st_read(void) { return REG32(SYST_CVR); }
#endif

int main(void)
{
    printf("workload (%s): CRC-32 of %d x %d bytes, %dx%d matrix product x %d\n",
           __ARM_ARCH == 6 ? "ARMv6-M" : "ARMv7-M", CRC_PASSES, BUF_SIZE, N, N, MAT_ITERS);
#ifdef MEASURE
    REG32(SYST_RVR) = 0xffffff; REG32(SYST_CVR) = 0; REG32(SYST_CSR) = 5;
    uint32_t t0 = st_read();
#endif
    for (int i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)(next() >> 24);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)((next() >> 20) & 0x3ff) - 512;
            B[i][j] = (int32_t)((next() >> 20) & 0x3ff) - 512;
        }

    uint32_t crc = 0;
    for (int p = 0; p < CRC_PASSES; p++)
        crc = crc32_update(crc, buf, BUF_SIZE);
#ifdef MEASURE
    uint32_t t1 = st_read();
#endif

    for (int it = 0; it < MAT_ITERS; it++) {
        matmul();
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                B[i][j] = (int32_t)(((uint32_t)C[i][j] >> 4) & 0x3ff) - 512;
    }
    uint32_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h = h * 31 + (uint32_t)C[i][j];
#ifdef MEASURE
    uint32_t t2 = st_read();
    printf("SysTick counts (x 40 = instructions): crc %u, matrix %u\n",
           (unsigned)((t0 - t1) & 0xffffff), (unsigned)((t1 - t2) & 0xffffff));
#endif

    printf("crc %08x\n", (unsigned)crc);
    printf("matrix %08x, C[0][0] = %d, C[%d][%d] = %d\n", (unsigned)h, (int)C[0][0], N - 1, N - 1,
           (int)C[N - 1][N - 1]);
    check_eq("crc", crc, EXPECTED_CRC);
    check_eq("matrix checksum", h, EXPECTED_MATRIX);
    return finish("workload");
}
