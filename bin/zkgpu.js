#!/usr/bin/env node
// Thin shim: the CLI is compiled from src/cli/main.ts by `npm run build` (tsc -> dist/).
import { runCli } from '../dist/src/cli/main.js';

await runCli();
