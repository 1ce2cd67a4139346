// serial-millis: Serial.println with millis() and delay() (Timer0's overflow interrupt keeps
// millis()). Prints 5 lines 100 ms apart, then "done", and stops: Serial.flush(), then
// cli + SLEEP (power-down), which emulators take as the end of the run.
#include <avr/sleep.h>

void setup() {
  Serial.begin(9600);
  Serial.println(F("serial-millis: millis() and delay(100)"));
}

void loop() {
  static int n = 0;
  unsigned long t = millis();
  Serial.print(F("line "));
  Serial.print(n);
  Serial.print(F(" at "));
  Serial.print(t);
  Serial.println(F(" ms"));
  delay(100);
  if (++n == 5) {
    Serial.print(F("millis() at the end: "));
    Serial.println(millis());
    Serial.println(F("done"));
    Serial.flush();
    cli();
    set_sleep_mode(SLEEP_MODE_PWR_DOWN);
    sleep_enable();
    sleep_cpu();
  }
}
