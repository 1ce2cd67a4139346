// attach-interrupt: attachInterrupt() plus a timer. Timer1 in CTC mode (OCR1A = 2499, clk/64:
// every 10 ms) toggles digital pin 2 (PD2, an OUTPUT) in its compare interrupt; pin 2 is INT0,
// and attachInterrupt(digitalPinToInterrupt(2), ..., RISING) counts the rising edges (external
// interrupts fire on output pins too: ATmega328P datasheet 13.1). loop() also toggles pin 3
// (INT1, attachInterrupt CHANGE) once per line. Prints the counts every 100 ms, 5 lines, then
// "done", and stops with cli + SLEEP.
#include <avr/sleep.h>

volatile unsigned int timerTicks = 0;
volatile unsigned int risingEdges = 0;
volatile unsigned int pin3Changes = 0;

ISR(TIMER1_COMPA_vect) {
  timerTicks++;
  digitalWrite(2, timerTicks & 1);
}

void onRising() { risingEdges++; }
void onChange() { pin3Changes++; }

void setup() {
  Serial.begin(9600);
  Serial.println(F("attach-interrupt: Timer1 toggles pin 2 (INT0, RISING); loop toggles pin 3 (INT1, CHANGE)"));
  pinMode(2, OUTPUT);
  pinMode(3, OUTPUT);
  digitalWrite(2, LOW);
  digitalWrite(3, LOW);
  attachInterrupt(digitalPinToInterrupt(2), onRising, RISING);
  attachInterrupt(digitalPinToInterrupt(3), onChange, CHANGE);
  noInterrupts();
  TCCR1A = 0;
  TCCR1B = 0;
  TCNT1 = 0;
  OCR1A = 2499;
  TIMSK1 = _BV(OCIE1A);
  TCCR1B = _BV(WGM12) | _BV(CS11) | _BV(CS10);
  interrupts();
}

void loop() {
  static int n = 0;
  delay(100);
  digitalWrite(3, !digitalRead(3));
  noInterrupts();
  unsigned int ticks = timerTicks, rising = risingEdges, changes = pin3Changes;
  interrupts();
  Serial.print(F("line "));
  Serial.print(n);
  Serial.print(F(": timer ticks "));
  Serial.print(ticks);
  Serial.print(F(", INT0 rising edges "));
  Serial.print(rising);
  Serial.print(F(", INT1 changes "));
  Serial.println(changes);
  if (++n == 5) {
    TIMSK1 = 0;
    Serial.println(F("done"));
    Serial.flush();
    cli();
    set_sleep_mode(SLEEP_MODE_PWR_DOWN);
    sleep_enable();
    sleep_cpu();
  }
}
