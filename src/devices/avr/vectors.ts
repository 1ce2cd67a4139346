/**
 * ATmega328P interrupt vectors (datasheet table 12-6), numbered as {@link AvrChip.setInterrupt}
 * takes them: vector n is at word address 2n (byte address 4n); 0 is RESET. A lower number has
 * the higher priority.
 */
export const AvrVector = {
  INT0: 1,
  INT1: 2,
  PCINT0: 3,
  PCINT1: 4,
  PCINT2: 5,
  WDT: 6,
  TIMER2_COMPA: 7,
  TIMER2_COMPB: 8,
  TIMER2_OVF: 9,
  TIMER1_CAPT: 10,
  TIMER1_COMPA: 11,
  TIMER1_COMPB: 12,
  TIMER1_OVF: 13,
  TIMER0_COMPA: 14,
  TIMER0_COMPB: 15,
  TIMER0_OVF: 16,
  SPI_STC: 17,
  USART_RX: 18,
  USART_UDRE: 19,
  USART_TX: 20,
  ADC: 21,
  EE_READY: 22,
  ANALOG_COMP: 23,
  TWI: 24,
  SPM_READY: 25,
} as const;

export type AvrVectorName = keyof typeof AvrVector;

/** Number of vectors after RESET on the ATmega328P. */
export const AVR_VECTOR_COUNT = 25;

const NAMES: readonly string[] = (() => {
  const names: string[] = ['RESET'];
  for (const [name, n] of Object.entries(AvrVector)) names[n] = name;
  return names;
})();

/** The datasheet name of vector `n` (`RESET` for 0), or `VECTOR_n` when out of range. */
export function avrVectorName(n: number): string {
  return NAMES[n] ?? `VECTOR_${n}`;
}
