/**
 * tracehook's side of the avr8js cross-check: runUnoEvents (src/machines/arduino-uno-events.ts,
 * from dist/: run `npm run build` first) with a Buffer for the output, as runAvr8js returns.
 */
import { runUnoEvents, type UnoEventsOptions, type UnoEventsResult } from '../../dist/machines/arduino-uno-events.js';

export type TracehookAvrResult = Omit<UnoEventsResult, 'output'> & { output: Buffer };

export async function runTracehookAvr(image: string, opts: UnoEventsOptions = {}): Promise<TracehookAvrResult> {
  const r = await runUnoEvents(image, opts);
  return { ...r, output: Buffer.from(r.output) };
}
