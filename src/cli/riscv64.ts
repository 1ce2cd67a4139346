#!/usr/bin/env node
import { runCli } from './main.js';
runCli('tracehook-riscv64', 'riscv64');
