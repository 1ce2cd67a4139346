/** Exact conversions between 64-bit values as (lo, hi) 32-bit halves and bigint. */
export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function loOf(v: bigint): number { return Number(v & 0xffffffffn) | 0; }
export function hiOf(v: bigint): number { return Number((v >> 32n) & 0xffffffffn) | 0; }
/** Hex with 0x prefix, exact. */
export function hex(v: bigint | number, width = 0): string {
  const s = (typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v)).toString(16);
  return '0x' + s.padStart(width, '0');
}
