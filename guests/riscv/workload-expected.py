#!/usr/bin/env python3
"""Expected results of workload.c, computed independently on the host.

Prints EXPECTED_CRC (zlib's CRC-32 of the generated data, repeated CRC_PASSES times) and
EXPECTED_MATRIX (the h = h*31 + C[i][j] checksum of the int32 product)."""
import zlib

BUF_SIZE, CRC_PASSES, N = 64 * 1024, 12, 184
M32 = 0xFFFFFFFF
lcg = 12345


def nxt():
    global lcg
    lcg = (lcg * 1664525 + 1013904223) & M32
    return lcg


buf = bytes((nxt() >> 24) for _ in range(BUF_SIZE))
A = [[((nxt() >> 20) & 0x3FF) - 512 for _ in range(N)] for _ in range(N)]
B = [[((nxt() >> 20) & 0x3FF) - 512 for _ in range(N)] for _ in range(N)]

crc = 0
for _ in range(CRC_PASSES):
    crc = zlib.crc32(buf, crc)

Bt = list(zip(*B))
h = 0
c00 = cnn = None
for i in range(N):
    row = A[i]
    for j in range(N):
        s = sum(a * b for a, b in zip(row, Bt[j]))
        s = ((s + 2**31) & M32) - 2**31  # int32 wrap (never needed at these sizes)
        if i == 0 and j == 0:
            c00 = s
        if i == N - 1 and j == N - 1:
            cnn = s
        h = (h * 31 + (s & M32)) & M32

print(f"#define EXPECTED_CRC 0x{crc:08x}u")
print(f"#define EXPECTED_MATRIX 0x{h:08x}u")
print(f"/* C[0][0] = {c00}, C[{N-1}][{N-1}] = {cnn} */")
