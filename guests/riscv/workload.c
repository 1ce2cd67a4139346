/* workload: a benchmark of about 100 million instructions on rv64.
 * CRC-32 (bitwise, table-less, reflected polynomial 0xEDB88320) over a 64 KiB pseudo-random
 * buffer, CRC_PASSES times (one running CRC), and a 184x184 int32 matrix multiply.
 * Prints the CRC, the matrix checksum and minstret, and exits 0 when both match the values
 * computed on the host by workload-expected.py (the CRC is zlib's crc32 of the data). */
#include "lib.h"

#define BUF_SIZE (64 * 1024)
#define CRC_PASSES 12
#define N 184

#define EXPECTED_CRC 0xdae6b075u      /* from workload-expected.py */
#define EXPECTED_MATRIX 0x70bfd710u   /* from workload-expected.py */

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
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return crc;
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

int main(void)
{
    printf("workload (rv%d): CRC-32 of %d x %d bytes, %dx%d matrix multiply\n", XLEN, CRC_PASSES,
           BUF_SIZE, N, N);
    uint64_t i0 = rdinstret();

    for (int i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)(next() >> 24);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            A[i][j] = (int32_t)((next() >> 20) & 0x3ff) - 512;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            B[i][j] = (int32_t)((next() >> 20) & 0x3ff) - 512;

    uint32_t crc = 0xffffffffu;
    for (int p = 0; p < CRC_PASSES; p++)
        crc = crc32_update(crc, buf, BUF_SIZE);
    crc ^= 0xffffffffu;
    uint64_t i1 = rdinstret();
    printf("crc32 = %08x\n", crc);

    matmul();
    uint32_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h = h * 31u + (uint32_t)C[i][j];
    uint64_t i2 = rdinstret();
    printf("matrix checksum = %08x (C[0][0] = %d, C[%d][%d] = %d)\n", h, C[0][0], N - 1, N - 1,
           C[N - 1][N - 1]);
    printf("minstret: crc %lu, matmul %lu, total %lu (meaningful with -icount)\n",
           (unsigned long)(i1 - i0), (unsigned long)(i2 - i1), (unsigned long)(i2 - i0));

    check_eq("crc32", crc, EXPECTED_CRC);
    check_eq("matrix checksum", h, EXPECTED_MATRIX);
    return finish("workload");
}
