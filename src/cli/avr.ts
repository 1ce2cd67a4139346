#!/usr/bin/env node
import { runAvrCli } from './avr-main.js';
runAvrCli();
