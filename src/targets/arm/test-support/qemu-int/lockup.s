.syntax unified
.cpu cortex-m3
.thumb
.text
vectors:
  .word 0x20010000
  .word reset + 1
  .word hf + 1, hf + 1
.thumb_func
reset:
  udf #0
.thumb_func
hf:
  udf #2
