/* crc-loop: the M0 comparison loop (crc-loop-core.S) as an mps2-an385 guest: CRC-32 of
 * CRC_BYTES LCG bytes (about 43 instructions each: ~43 M instructions), printed on UART0;
 * exit 0 when it matches the value from crc-loop-expected.py (zlib). */
#include "lib.h"

#define CRC_BYTES 1000000u
#define EXPECTED_CRC 0xfdd0deeau   /* crc-loop-expected.py 1000000 */

uint32_t crc_loop(uint32_t nbytes);

int main(void)
{
    printf("crc-loop: CRC-32 of %u LCG bytes (Thumb-1 bitwise loop)\n", CRC_BYTES);
    uint32_t crc = crc_loop(CRC_BYTES);
    printf("crc %08x\n", (unsigned)crc);
    check_eq("crc", crc, EXPECTED_CRC);
    return finish("crc-loop");
}
