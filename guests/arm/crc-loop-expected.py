#!/usr/bin/env python3
"""Expected result of crc-loop (crc-loop-core.S): zlib's CRC-32 of the LCG byte stream."""
import sys
import zlib

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
M32 = 0xFFFFFFFF
lcg = 12345
data = bytearray(n)
for i in range(n):
    lcg = (lcg * 1664525 + 1013904223) & M32
    data[i] = lcg >> 24
print(f"#define EXPECTED_CRC 0x{zlib.crc32(bytes(data)):08x}u  /* {n} bytes */")
