// Development only: starts a TypeScript worker entry (workerData.entry) through tsx, for runs
// from the sources (vitest, tsx). Node 20 ignores `--import tsx` in a worker's execArgv.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
