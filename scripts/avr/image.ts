/**
 * Loads an AVR program image for the reference runners: Intel HEX (what the Arduino tools
 * produce) or ELF (what `qemu-system-avr -bios` takes). Returns the flash contents (32 KiB for
 * the ATmega328P, unprogrammed bytes 0xff) and the highest byte address written.
 */
import { readFileSync } from 'node:fs';

export const FLASH_BYTES = 32 * 1024;

export interface FlashImage {
  flash: Uint8Array;
  /** one past the highest byte loaded */
  end: number;
}

export function loadAvrImage(path: string, flashBytes = FLASH_BYTES): FlashImage {
  const data = readFileSync(path);
  const flash = new Uint8Array(flashBytes).fill(0xff);
  let end = 0;
  const put = (addr: number, bytes: Uint8Array): void => {
    if (addr + bytes.length > flashBytes) throw new Error(`${path}: data at 0x${addr.toString(16)} beyond the ${flashBytes}-byte flash`);
    flash.set(bytes, addr);
    end = Math.max(end, addr + bytes.length);
  };
  if (data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46) {
    if (data[4] !== 1 || data[5] !== 1) throw new Error(`${path}: not a 32-bit little-endian ELF`);
    const machine = data.readUInt16LE(0x12);
    if (machine !== 83) throw new Error(`${path}: ELF machine is ${machine}, expected AVR (83)`);
    const phoff = data.readUInt32LE(0x1c);
    const phentsize = data.readUInt16LE(0x2a);
    const phnum = data.readUInt16LE(0x2c);
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (data.readUInt32LE(p) !== 1 /* PT_LOAD */) continue;
      const offset = data.readUInt32LE(p + 4);
      const paddr = data.readUInt32LE(p + 12);
      const filesz = data.readUInt32LE(p + 16);
      // avr-gcc's address spaces: flash at 0, SRAM at 0x800000 (its LMA is in flash: .data's
      // initialiser), EEPROM at 0x810000, fuses/lock/signature above: only flash is loaded.
      if (filesz === 0 || paddr >= 0x800000) continue;
      put(paddr, data.subarray(offset, offset + filesz));
    }
    return { flash, end };
  }
  // Intel HEX
  let base = 0;
  const text = data.toString('latin1');
  let lineNo = 0;
  for (const raw of text.split(/\r?\n/)) {
    lineNo++;
    const line = raw.trim();
    if (!line) continue;
    if (line[0] !== ':') throw new Error(`${path}:${lineNo}: not an Intel HEX record`);
    const rec = Buffer.from(line.slice(1), 'hex');
    const len = rec[0]!;
    if (rec.length !== len + 5) throw new Error(`${path}:${lineNo}: bad record length`);
    let sum = 0;
    for (const b of rec) sum = (sum + b) & 0xff;
    if (sum !== 0) throw new Error(`${path}:${lineNo}: bad checksum`);
    const addr = (rec[1]! << 8) | rec[2]!;
    const type = rec[3]!;
    const payload = rec.subarray(4, 4 + len);
    if (type === 0) put(base + addr, payload);
    else if (type === 1) break;
    else if (type === 2) base = ((payload[0]! << 8) | payload[1]!) << 4;
    else if (type === 4) base = ((payload[0]! << 8) | payload[1]!) << 16;
    // 3 and 5 (start address) carry nothing for an AVR
  }
  return { flash, end };
}

/** ATmega328P interrupt vectors (datasheet table 11-6); vector n is at word address 2n. */
export const ATMEGA328P_VECTORS = [
  'RESET', 'INT0', 'INT1', 'PCINT0', 'PCINT1', 'PCINT2', 'WDT',
  'TIMER2_COMPA', 'TIMER2_COMPB', 'TIMER2_OVF', 'TIMER1_CAPT', 'TIMER1_COMPA', 'TIMER1_COMPB',
  'TIMER1_OVF', 'TIMER0_COMPA', 'TIMER0_COMPB', 'TIMER0_OVF', 'SPI_STC', 'USART_RX',
  'USART_UDRE', 'USART_TX', 'ADC', 'EE_READY', 'ANALOG_COMP', 'TWI', 'SPM_READY',
] as const;
