#!/usr/bin/env python3
"""Recomputes what guests/avr/workload.c prints (avr-gcc: int is 16 bits, int16_t % keeps the sign)."""
CRC_ROUNDS, MAT_ROUNDS, N = 144, 600, 8
M32 = 0xffffffff
lcg = 12345

def nxt():
    global lcg
    lcg = (lcg * 1664525 + 1013904223) & M32
    return lcg

def s16(v):
    v &= 0xffff
    return v - 0x10000 if v & 0x8000 else v

def s32(v):
    v &= M32
    return v - 0x100000000 if v & 0x80000000 else v

def cmod(a, b):  # C's truncating remainder
    r = abs(a) % abs(b)
    return -r if a < 0 else r

crc = M32
for _ in range(CRC_ROUNDS):
    buf = [nxt() >> 24 for _ in range(512)]
    for b in buf:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
crc ^= M32
print("workload: CRC-32 and matrix multiply")
print(f"crc32 of {CRC_ROUNDS * 512} bytes: 0x{crc:08x}")
A = [[0] * N for _ in range(N)]
B = [[0] * N for _ in range(N)]
for i in range(N):
    for j in range(N):
        A[i][j] = cmod(s16(nxt() >> 16), 64)
        B[i][j] = cmod(s16(nxt() >> 16), 64)
check = 0
C = [[0] * N for _ in range(N)]
for _ in range(MAT_ROUNDS):
    for i in range(N):
        for j in range(N):
            C[i][j] = s32(sum(A[i][k] * B[k][j] for k in range(N)))
    for i in range(N):
        for j in range(N):
            c = C[i][j]
            A[i][j] = cmod(s16((c >> 3) ^ (c >> 19)), 97)
            check = (check * 31 + (c & M32)) & M32
print(f"matrix {N}x{N} x {MAT_ROUNDS}: C[0][0] = 0x{C[0][0] & M32:08x}, checksum 0x{check:08x}")
print("done")
