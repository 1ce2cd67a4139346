/**
 * The ARM M-profile guests (guests/arm/) and how QEMU 7.2 runs them: the reference runs that
 * scripts/arm-qemu-run.ts records in guests/arm/expected/.
 */

export interface ArmGuest {
  /** file name stem in guests/arm/expected/ (NAME.stdout etc.) */
  name: string;
  /** the ELF, relative to guests/arm/ */
  elf: string;
  /** QEMU machine: mps2-an385 (Cortex-M3) for all but the microbit build (nRF51, Cortex-M0) */
  machine: 'mps2-an385' | 'mps2-an386' | 'microbit';
  /** the guest's exit status on QEMU 7.2 */
  exit: number;
  /** timeout of the QEMU run */
  timeoutMs: number;
  what: string;
  /** a file in guests/arm/ fed to QEMU's stdin (the UART0 input) */
  input?: string;
  /** the -d int log depends on when QEMU's main loop delivers input (host timing): recorded,
   * not compared */
  hostTimedLog?: boolean;
}

export const ARM_GUESTS: ArmGuest[] = [
  { name: 'hello.m3', elf: 'hello.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'UART0 output, CPUID/VTOR/MSP, one SYS_WRITE0, the SSRAM mirrors' },
  { name: 'hello.m0', elf: 'hello.m0.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'hello built for ARMv6-M (run by QEMU\'s Cortex-M3)' },
  { name: 'hello.m3.an386', elf: 'hello.m3.elf', machine: 'mps2-an386', exit: 0, timeoutMs: 10_000,
    what: 'hello on mps2-an386 (Cortex-M4): only CPUID differs (410fc240)' },
  { name: 'svc.m3', elf: 'svc.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'SVC from thread mode on MSP and PSP, privileged and unprivileged; BusFault on an unprivileged SCS read' },
  { name: 'rtos.m3', elf: 'rtos.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'two unprivileged tasks, SysTick -> PendSV context switch, SVC yield' },
  { name: 'rtos.m0', elf: 'rtos.m0.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'rtos built for ARMv6-M (run by QEMU\'s Cortex-M3)' },
  { name: 'timer.m3', elf: 'timer.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'SysTick, CMSDK timers 0/1, priorities, preemption, tail-chaining, PRIMASK, BASEPRI' },
  { name: 'faults.m3', elf: 'faults.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'UsageFault (UNDEFINSTR, NOCP, INVSTATE, UNALIGNED, DIVBYZERO), BusFault (load, store, fetch), MemManage (MPU)' },
  { name: 'hardfault.m3', elf: 'hardfault.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'escalation to HardFault: disabled handlers, faults in handlers, masked SVC, BKPT' },
  { name: 'chain.m3', elf: 'chain.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'interrupt pended just before SVC, VTOR in RAM, fault at a vector entry, stacking error' },
  { name: 'uart-irq.m3', elf: 'uart-irq.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'interrupt-driven UART0 output (TX interrupt, IRQ 1) through a ring buffer' },
  { name: 'uart-rx.m3', elf: 'uart-rx.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    input: 'uart-rx.input', hostTimedLog: true,
    what: 'UART0 input with the RX interrupt (IRQ 0), echoed; input "Hello, ARM!\\n" on stdin' },
  { name: 'fpu.m4', elf: 'fpu.m4.elf', machine: 'mps2-an386', exit: 0, timeoutMs: 10_000,
    what: 'Cortex-M4: FPv4-SP arithmetic and FPSCR flags, lazy FP stacking, NOCP, DSP instructions' },
  { name: 'printf-semihost.m3', elf: 'printf-semihost.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'newlib printf (rdimon) over semihosting, stdout and stderr' },
  { name: 'printf-uart.m3', elf: 'printf-uart.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 10_000,
    what: 'newlib printf (nosys) over UART0 via _write' },
  { name: 'workload.m3', elf: 'workload.m3.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 30_000,
    what: 'CRC-32 + 20x20 matrix products, ~71 M instructions' },
  { name: 'workload.m0', elf: 'workload.m0.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 30_000,
    what: 'the workload built for ARMv6-M (run by QEMU\'s Cortex-M3), ~98 M instructions' },
  { name: 'workload-microbit.m0', elf: 'workload-microbit.m0.elf', machine: 'microbit', exit: 0, timeoutMs: 30_000,
    what: 'the M0 workload on QEMU\'s only Cortex-M0 board (microbit), console over semihosting' },
  { name: 'crc-loop.m0', elf: 'crc-loop.m0.elf', machine: 'mps2-an385', exit: 0, timeoutMs: 30_000,
    what: 'the Thumb-1 CRC loop of the rp2040js comparison, 1,000,000 bytes (~43 M instructions)' },
];

/** QEMU's command line for a guest (the -D log path given). */
export function qemuArgs(g: ArmGuest, elf: string, intLog: string, extra: string[] = []): string[] {
  return ['-M', g.machine, '-nographic', '-kernel', elf, '-icount', 'shift=0,sleep=off',
    '-d', 'int', '-D', intLog, '-semihosting', ...extra];
}
