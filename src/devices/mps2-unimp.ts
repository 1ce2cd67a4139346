/**
 * QEMU's "unimplemented device" (hw/misc/unimp.c, `create_unimplemented_device`), which the MPS2
 * boards map over address ranges that hold devices QEMU does not model (and over whole
 * peripheral windows, underneath the devices it does model): every read returns 0 and every
 * write is ignored, at any offset and access size, with no bus error. QEMU logs the accesses
 * under `-d unimp`; {@link UnimplementedDeviceOptions.onAccess} receives the same information.
 */
import type { MmioHandler } from '../core/bus.js';

/** One access to an unimplemented device, as QEMU's `-d unimp` log reports it. */
export interface UnimplementedAccess {
  /** The device's name (QEMU's region name, e.g. `RESERVED 4`). */
  readonly name: string;
  readonly kind: 'read' | 'write';
  /** Offset from the start of the device's region. */
  readonly offset: number;
  readonly size: number;
  /** The value written (0 for reads). */
  readonly value: number;
}

/** Construction parameters of an {@link UnimplementedDevice}. */
export interface UnimplementedDeviceOptions {
  /** The device's name. */
  name: string;
  /** Size of the region in bytes. */
  size: number;
  /** Observer of every access (QEMU's `-d unimp` lines). */
  onAccess?: (access: UnimplementedAccess) => void;
}

export class UnimplementedDevice implements MmioHandler {
  readonly name: string;
  readonly size: number;
  private readonly onAccess: ((access: UnimplementedAccess) => void) | undefined;

  constructor(options: UnimplementedDeviceOptions) {
    this.name = options.name;
    this.size = options.size;
    this.onAccess = options.onAccess;
  }

  read(offset: number, size: number): number {
    if (this.onAccess !== undefined) this.onAccess({ name: this.name, kind: 'read', offset, size, value: 0 });
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (this.onAccess !== undefined) this.onAccess({ name: this.name, kind: 'write', offset, size, value: value >>> 0 });
  }

  /**
   * QEMU's `-d unimp` line for an access (`unimplemented_device_read` / `_write`): e.g.
   * `VGA: unimplemented device read  (size 4, offset 0x000010)` for a 2 MiB region.
   */
  logLine(a: UnimplementedAccess): string {
    // the offset is printed as wide as the region's last offset needs (unimp.c's offset_fmt_width)
    const width = Math.ceil((this.size - 1).toString(2).length / 4);
    const off = a.offset.toString(16).padStart(width, '0');
    if (a.kind === 'read') return `${a.name}: unimplemented device read  (size ${a.size}, offset 0x${off})`;
    const v = a.value.toString(16).padStart(a.size * 2, '0');
    return `${a.name}: unimplemented device write (size ${a.size}, offset 0x${off}, value 0x${v})`;
  }
}
