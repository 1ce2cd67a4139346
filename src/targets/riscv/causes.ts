/** RISC-V exception and interrupt cause codes (privileged spec 1.12, tables 3.6 and 4.2). */
export const Exc = {
  InsnMisaligned: 0, InsnAccess: 1, Illegal: 2, Breakpoint: 3, LoadMisaligned: 4, LoadAccess: 5,
  StoreMisaligned: 6, StoreAccess: 7, EcallU: 8, EcallS: 9, EcallM: 11, InsnPage: 12, LoadPage: 13, StorePage: 15,
} as const;

export const Irq = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;

/** QEMU 7.2's names for `-d int` lines (riscv_excp_names / riscv_intr_names). */
const EXC_NAMES = [
  'misaligned_fetch', 'fault_fetch', 'illegal_instruction', 'breakpoint', 'misaligned_load', 'fault_load',
  'misaligned_store', 'fault_store', 'user_ecall', 'supervisor_ecall', 'hypervisor_ecall', 'machine_ecall',
  'exec_page_fault', 'load_page_fault', 'reserved', 'store_page_fault', 'reserved', 'reserved', 'reserved',
  'reserved', 'guest_exec_page_fault', 'guest_load_page_fault', 'reserved', 'guest_store_page_fault',
];
const IRQ_NAMES = [
  'u_software', 's_software', 'vs_software', 'm_software', 'u_timer', 's_timer', 'vs_timer', 'm_timer',
  'u_external', 's_external', 'vs_external', 'm_external', 'reserved', 'reserved', 'reserved', 'reserved',
];

export function trapName(cause: number, async: boolean): string {
  const t = async ? IRQ_NAMES : EXC_NAMES;
  return t[cause] ?? '(unknown)';
}
