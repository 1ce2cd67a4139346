/**
 * Raw binary images: the file's bytes, loaded as they are at an address the user chooses.
 *
 * @module
 */

/** A raw image: one segment. */
export interface RawImage {
  segments: [{ addr: number; data: Uint8Array }];
}

/**
 * Wrap `data` as an image loaded at `addr`.
 *
 * @throws {RangeError} if `addr` is not a non-negative safe integer (a caller bug, not user input).
 */
export function rawImage(data: Uint8Array, addr: number): RawImage {
  if (!Number.isSafeInteger(addr) || addr < 0) throw new RangeError(`raw image: bad load address ${addr}`);
  return { segments: [{ addr, data }] };
}
