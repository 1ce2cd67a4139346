#!/usr/bin/env python3
"""Expected results of workload.c, computed independently on the host: EXPECTED_CRC (zlib's
CRC-32 of the buffer, CRC_PASSES times) and EXPECTED_MATRIX (h = h*31 + C[i][j] of the last
product, int32 arithmetic)."""
import zlib

BUF_SIZE, CRC_PASSES, N, MAT_ITERS = 2048, 440, 20, 560
M32 = 0xFFFFFFFF
lcg = 12345


def nxt():
    global lcg
    lcg = (lcg * 1664525 + 1013904223) & M32
    return lcg


def s32(v):
    return ((v + 2**31) & M32) - 2**31


buf = bytes((nxt() >> 24) for _ in range(BUF_SIZE))
A = [[0] * N for _ in range(N)]
B = [[0] * N for _ in range(N)]
for i in range(N):
    for j in range(N):
        A[i][j] = ((nxt() >> 20) & 0x3FF) - 512
        B[i][j] = ((nxt() >> 20) & 0x3FF) - 512

crc = 0
for _ in range(CRC_PASSES):
    crc = zlib.crc32(buf, crc)

C = None
for _ in range(MAT_ITERS):
    Bt = list(zip(*B))
    C = [[s32(sum(a * b for a, b in zip(A[i], Bt[j]))) for j in range(N)] for i in range(N)]
    B = [[(((C[i][j] & M32) >> 4) & 0x3FF) - 512 for j in range(N)] for i in range(N)]

h = 0
for i in range(N):
    for j in range(N):
        h = (h * 31 + (C[i][j] & M32)) & M32

print(f"#define EXPECTED_CRC 0x{crc:08x}u")
print(f"#define EXPECTED_MATRIX 0x{h:08x}u")
print(f"/* C[0][0] = {C[0][0]}, C[{N-1}][{N-1}] = {C[N-1][N-1]} */")
