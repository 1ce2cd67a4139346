#!/usr/bin/env node
import { runCli } from './main.js';
runCli('tracehook-riscv32', 'riscv32');
