#!/usr/bin/env node
import { runArmCli } from './arm-main.js';
runArmCli();
