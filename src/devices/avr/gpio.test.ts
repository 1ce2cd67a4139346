import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRIOPort, portBConfig, portCConfig, portDConfig } from 'avr8js';
import { FakeChip } from './test-support/fake-chip.js';
import { Avr8jsRig, prng } from './test-support/avr8js-rig.js';
import { Gpio, GPIO_REGS as G, PUD, type PortName } from './gpio.js';

function gpio() {
  const chip = new FakeChip();
  const g = new Gpio(chip);
  return { chip, g };
}

test('DDRB/PORTB drive PB5 high: PINB shows it and output listeners see the change once', () => {
  const { chip, g } = gpio();
  const seen: [PortName, number, number][] = [];
  g.onOutput((p, o, d) => seen.push([p, o, d]));
  chip.write(G.DDRB, 1 << 5);
  chip.write(G.PORTB, 1 << 5);
  chip.write(G.PORTB, 1 << 5);
  assert.equal(chip.data[G.PINB], 1 << 5);
  assert.equal(g.pin('B', 5), true);
  assert.equal(g.outputs('B'), 1 << 5);
  assert.deepEqual(seen, [
    ['B', 0, 0x20],
    ['B', 0x20, 0x20],
  ]);
});

test('writing 1 to PINx toggles PORTx; SBI PINB,5 toggles only PB5 (datasheet 14.2.2)', () => {
  const { chip } = gpio();
  chip.write(G.DDRB, 0xff);
  chip.write(G.PORTB, 0x21);
  chip.write(G.PINB, 0x03);
  assert.equal(chip.data[G.PORTB], 0x22);
  chip.sbi(G.PINB, 5); // read-modify-write would give 0x22 | 0x20, but only bit 5 is written
  assert.equal(chip.data[G.PORTB], 0x02);
  assert.equal(chip.data[G.PINB], 0x02);
});

test('an undriven input reads its pull-up; setPin drives it; MCUCR.PUD turns pull-ups off', () => {
  const { chip, g } = gpio();
  assert.equal(g.pin('D', 2), false, 'floating input without pull-up reads 0');
  chip.write(G.PORTD, 1 << 2);
  assert.equal(g.pin('D', 2), true, 'pull-up');
  g.setPin('D', 2, false);
  assert.equal(g.pin('D', 2), false, 'driven low against the pull-up');
  g.setPin('D', 2, null);
  assert.equal(g.pin('D', 2), true);
  chip.data[G.MCUCR] = PUD;
  g.refreshAll();
  assert.equal(g.pin('D', 2), false);
});

test('setPin does not change a pin configured as output; PC7 does not exist', () => {
  const { chip, g } = gpio();
  chip.write(G.DDRC, 0xff);
  chip.write(G.PORTC, 0xff);
  g.setPin('C', 0, false);
  assert.equal(chip.data[G.PINC], 0x7f);
  assert.equal(chip.data[G.PORTC], 0x7f);
});

test('pin-change listeners see every PINx change, outputs included', () => {
  const { chip, g } = gpio();
  const seen: string[] = [];
  g.onPinChange((p, pins, prev) => seen.push(`${p}:${prev}->${pins}`));
  chip.write(G.DDRD, 0x10);
  chip.write(G.PORTD, 0x10);
  g.setPin('D', 0, true);
  g.setPin('D', 0, true);
  assert.deepEqual(seen, ['D:0->16', 'D:16->17']);
});

test('reset() clears DDRx/PORTx (listeners hear it); pins follow what the outside still drives', () => {
  const { chip, g } = gpio();
  chip.write(G.DDRB, 0xff);
  chip.write(G.PORTB, 0xff);
  g.setPin('B', 1, true);
  const heard: string[] = [];
  g.onOutput((p, o, d) => heard.push(`${p}:${o}/${d}`));
  g.reset();
  assert.deepEqual(heard, ['B:0/0'], 'output listeners hear the reset');
  assert.equal(chip.data[G.DDRB], 0);
  assert.equal(chip.data[G.PORTB], 0);
  assert.equal(chip.data[G.PINB], 0x02);
});

test("ports B, C, D match avr8js's AVRIOPort on random DDR/PORT/PIN writes and driven inputs (PINx and outputs after each)", () => {
  const addrs = { B: portBConfig, C: portCConfig, D: portDConfig } as const;
  for (let seed = 1; seed <= 50; seed++) {
    const rnd = prng(seed);
    const chip = new FakeChip();
    const g = new Gpio(chip);
    const rig = new Avr8jsRig();
    const theirs = { B: new AVRIOPort(rig.cpu, portBConfig), C: new AVRIOPort(rig.cpu, portCConfig), D: new AVRIOPort(rig.cpu, portDConfig) };
    // avr8js ignores pull-ups: drive every input so both sides agree on undriven pins.
    for (const p of ['B', 'C', 'D'] as const) for (let b = 0; b < 8; b++) g.setPin(p, b, false);
    for (let i = 0; i < 100; i++) {
      const p = (['B', 'D'] as const)[Math.floor(rnd() * 2)]!;
      const cfg = addrs[p];
      const r = rnd();
      const v = Math.floor(rnd() * 256);
      if (r < 0.3) {
        chip.write(cfg.DDR, v);
        rig.write(cfg.DDR, v);
      } else if (r < 0.6) {
        chip.write(cfg.PORT, v);
        rig.write(cfg.PORT, v);
      } else if (r < 0.75) {
        chip.write(cfg.PIN, v);
        rig.cpu.writeData(cfg.PIN, v, 0xff);
      } else {
        const bit = Math.floor(rnd() * 8);
        const level = rnd() < 0.5;
        g.setPin(p, bit, level);
        theirs[p].setPin(bit, level);
      }
      assert.equal(chip.data[cfg.PIN], rig.peek(cfg.PIN), `seed ${seed} op ${i} PIN${p}`);
      assert.equal(chip.data[cfg.PORT], rig.peek(cfg.PORT), `seed ${seed} op ${i} PORT${p}`);
    }
  }
});
