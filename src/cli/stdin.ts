/** The console's input side for every command: stdin to the machine's serial port. */

/** Console input: raw TTY with QEMU's Ctrl-A x to quit, or piped bytes. */
export function attachStdin(machine: { input(b: Uint8Array): void; closeInput(): void; inputClosed: boolean }, quit: () => void): () => void {
  const stdin = process.stdin;
  machine.inputClosed = false;
  let ctrlA = false;
  const isTty = stdin.isTTY === true;
  if (isTty) stdin.setRawMode(true);
  stdin.on('data', (d: Buffer) => {
    if (isTty) {
      const out: number[] = [];
      for (const b of d) {
        if (ctrlA) { ctrlA = false; if (b === 0x78) { quit(); machine.closeInput(); return; } if (b !== 1) out.push(1); out.push(b); continue; }
        if (b === 1) { ctrlA = true; continue; }
        out.push(b);
      }
      machine.input(Uint8Array.from(out));
    } else machine.input(d);
  });
  stdin.on('end', () => machine.closeInput());
  stdin.on('error', () => machine.closeInput());
  return () => {
    if (isTty) stdin.setRawMode(false);
    stdin.pause();
    stdin.destroy();
  };
}
