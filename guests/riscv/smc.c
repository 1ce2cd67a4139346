/* smc: self-modifying code, made visible with fence.i.
 * - patch the immediate of an "addi a0,a0,1" in a function already executed, fence.i, call
 * - patch a compressed "c.li a0,1" (16-bit store)
 * - a loop that rewrites an instruction inside its own body on every iteration
 * - copy whole functions into a data buffer, run them, overwrite them with others, run again
 * - patch the second half of a block after its first half has run in the same call */
#include "lib.h"

extern ureg smc_add(ureg), smc_cli(void), smc_loop(ureg n), smc_tail(ureg);
extern uint32_t smc_add_insn[], smc_tail_insn[];
extern uint16_t smc_cli_insn[];
__asm__(".text\n"
        ".balign 4\n"
        ".globl smc_add, smc_add_insn\n"
        "smc_add:\n"
        ".option push\n"
        ".option norvc\n"
        "smc_add_insn: addi a0, a0, 1\n"
        "  ret\n"
        ".option pop\n"
        ".globl smc_cli, smc_cli_insn\n"
        "smc_cli:\n"
        "smc_cli_insn: c.li a0, 1\n"
        "  ret\n"
        /* smc_loop(n): iteration k runs "addi t5, zero, k" (its immediate rewritten by the
           previous iteration) and adds t5 to the sum; returns 0 + 1 + ... + (n-1) */
        ".balign 4\n"
        ".globl smc_loop\n"
        "smc_loop:\n"
        ".option push\n"
        ".option norvc\n"
        "  li t2, 0\n"
        "  li t3, 0\n"
        "  la t4, smc_loop_insn\n"
        "  li t0, 0xf13\n"       /* addi t5, zero, 0 */
        "  sw t0, 0(t4)\n"
        "  fence.i\n"
        "1:\n"
        "smc_loop_insn: addi t5, zero, 0\n"
        "  add t2, t2, t5\n"
        "  addi t3, t3, 1\n"
        "  slli t6, t3, 20\n"
        "  or t6, t6, t0\n"
        "  sw t6, 0(t4)\n"
        "  fence.i\n"
        "  blt t3, a0, 1b\n"
        "  mv a0, t2\n"
        "  ret\n"
        ".option pop\n"
        /* smc_tail(x): stores "addi a0, a0, 100" over the addi below, fence.i, falls into it */
        ".balign 4\n"
        ".globl smc_tail, smc_tail_insn\n"
        "smc_tail:\n"
        ".option push\n"
        ".option norvc\n"
        "  la t0, smc_tail_insn\n"
        "  li t1, 0x06450513\n"  /* addi a0, a0, 100 */
        "  sw t1, 0(t0)\n"
        "  fence.i\n"
        "smc_tail_insn: addi a0, a0, 1\n"
        "  ret\n"
        ".option pop\n");

static uint32_t enc_addi(unsigned rd, unsigned rs1, int imm)
{
    return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
}

static uint16_t enc_cli(unsigned rd, int imm)
{
    return (uint16_t)(0x4001 | ((imm & 0x20) << 7) | (rd << 7) | ((imm & 0x1f) << 2));
}

/* code buffer in .bss: 8-byte aligned words */
static uint32_t code[16] __attribute__((aligned(64)));

int main(void)
{
    printf("self-modifying code test (rv%d)\n", XLEN);

    printf("patch addi immediate:\n");
    check_eq("encoding of addi a0,a0,1", smc_add_insn[0], enc_addi(10, 10, 1));
    check_eq("smc_add(10) before", smc_add(10), 11);
    smc_add_insn[0] = enc_addi(10, 10, 2);
    fence_i();
    check_eq("smc_add(10) after patch to +2", smc_add(10), 12);
    smc_add_insn[0] = enc_addi(10, 10, -5);
    fence_i();
    check_eq("smc_add(10) after patch to -5", smc_add(10), 5);
    smc_add_insn[0] = enc_addi(10, 10, 1);
    fence_i();
    check_eq("smc_add(10) restored", smc_add(10), 11);

    printf("patch a compressed instruction:\n");
    check_eq("encoding of c.li a0,1", smc_cli_insn[0], enc_cli(10, 1));
    check_eq("smc_cli() before", smc_cli(), 1);
    smc_cli_insn[0] = enc_cli(10, 5);
    fence_i();
    check_eq("smc_cli() after patch to c.li a0,5", smc_cli(), 5);
    smc_cli_insn[0] = enc_cli(10, -3);
    fence_i();
    check_eq("smc_cli() after patch to c.li a0,-3", smc_cli(), (ureg)-3L);

    printf("loop rewriting its own body:\n");
    check_eq("smc_loop(100)", smc_loop(100), 4950);
    check_eq("smc_loop(1000) (immediates up to 999)", smc_loop(1000), 499500);
    check_eq("smc_loop(3) again", smc_loop(3), 3);

    printf("patch ahead in the running block:\n");
    check_eq("smc_tail(1)", smc_tail(1), 101);
    smc_tail_insn[0] = enc_addi(10, 10, 1);
    fence_i();
    check_eq("smc_tail(2) after restoring", smc_tail(2), 102);

    printf("generated code in a data buffer:\n");
    ureg (*fn)(ureg) = (ureg(*)(ureg))(void *)code;
    code[0] = enc_addi(10, 0, 42); /* li a0, 42 */
    code[1] = 0x00008067;          /* ret */
    fence_i();
    check_eq("buffer: li a0,42; ret", fn(0), 42);
    code[0] = enc_addi(10, 10, 7); /* addi a0, a0, 7 */
    fence_i();
    check_eq("buffer: addi a0,a0,7; ret (a0=100)", fn(100), 107);
    /* a longer function: a0 = a0 * 3 + 1 via add/slli, with a compressed half-word pair */
    code[0] = 0x00151593;          /* slli a1, a0, 1 */
    code[1] = 0x00b50533;          /* add a0, a0, a1 */
    code[2] = 0x80820505;          /* c.addi a0, 1 ; c.ret */
    fence_i();
    check_eq("buffer: a0*3+1 (a0=13)", fn(13), 40);
    uint32_t total = 0;
    for (int i = 0; i < 50; i++) {
        code[0] = enc_addi(10, 10, i);
        code[1] = 0x00008067;
        fence_i();
        total += (uint32_t)fn(1000);
    }
    check_eq("50 rewrites of the buffer", total, 50 * 1000 + 49 * 50 / 2);

    return finish("smc");
}
