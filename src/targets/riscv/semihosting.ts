/**
 * RISC-V semihosting: `slli x0,x0,0x1f; ebreak; srai x0,x0,7` (all uncompressed) with the
 * operation in a0 and the parameter in a1; the result goes to a0. The service itself is shared
 * with other architectures (src/core/semihosting).
 */
import type { SemihostingService } from '../../core/semihosting/service.js';
import type { Hart } from './hart.js';

const SLLI_X0_1F = 0x01f01013;
const SRAI_X0_7 = 0x40705013;

/**
 * Returns a hart hook that services semihosting calls; `onExit` ends the run. From U-mode only
 * with `userspace` (QEMU 7.2 translates the sequence as a plain `ebreak` there otherwise:
 * `semihosting_enabled(mem_idx < PRV_S)`).
 */
export function riscvSemihosting(service: SemihostingService, onExit: (code: number) => void, userspace = false): (h: Hart) => boolean {
  return (h: Hart): boolean => {
    if (h.priv === 0 && !userspace) return false;
    const pc = h.pc;
    const before = readWord(h, pc - 4n), after = readWord(h, pc + 4n);
    if (before !== SLLI_X0_1F || after !== SRAI_X0_7) return false;
    const op = Number(h.getX(10) & 0xffffffffn);
    const res = service.call(op, h.getX(11));
    if (res.kind === 'exit') {
      onExit(res.code);
      h.exitReq = 1;
      return true;
    }
    h.setX(10, res.value);
    return true;
  };
}

function readWord(h: Hart, addr: bigint): number {
  if (addr < 0n) return -1;
  const b = h.bus.peek(Number(addr), 4);
  if (b === undefined) return -1;
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}
