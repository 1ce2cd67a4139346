/**
 * Arm semihosting on M-profile: `BKPT 0xAB` with the operation in r0 and the parameter in r1; the
 * result goes to r0 (ARM DUI 0471 / "Semihosting for AArch32 and AArch64"). The service itself is
 * shared with the other architectures (src/core/semihosting); this is the CPU front end. Pass the
 * hook to `buildArmCore({ semihosting })`: the exception model then reports each call as a
 * HostCall from the BKPT to the instruction after it (and logs QEMU's `-d int` lines).
 */
import type { SemihostingGuest, SemihostingService } from '../../core/semihosting/service.js';
import type { ArmCpu } from './cpu.js';

/** The guest side of the service for an M-profile CPU: 32-bit little-endian, physical addresses. */
export function armSemihostingGuest(cpu: ArmCpu): SemihostingGuest {
  return {
    wordSize: 4,
    read: (addr, len) => (addr < 0n || addr + BigInt(len) > 0x100000000n ? undefined : cpu.bus.peek(Number(addr), len)),
    write: (addr, data) => {
      if (addr < 0n || addr + BigInt(data.length) > 0x100000000n) return false;
      const r = cpu.bus.find(Number(addr), data.length);
      if (r === undefined || r.kind !== 'ram' || r.readOnly) return false;
      cpu.bus.load(Number(addr), data);
      cpu.codeWritten(Number(addr), data.length);
      return true;
    },
    nowNs: () => cpu.clock.nowNs(),
  };
}

/** A hook for `BKPT 0xAB`: services the call; `onExit` ends the run (SYS_EXIT). */
export function armSemihosting(service: SemihostingService, onExit: (code: number) => void): (cpu: ArmCpu) => boolean {
  return (cpu: ArmCpu): boolean => {
    const res = service.call(cpu.r[0]! >>> 0, BigInt(cpu.r[1]! >>> 0));
    if (res.kind === 'exit') {
      onExit(res.code);
      cpu.exitReq = 1;
      return true;
    }
    cpu.r[0] = Number(BigInt.asUintN(32, res.value)) | 0;
    return true;
  };
}
