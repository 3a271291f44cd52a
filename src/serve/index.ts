/** The prover service (`zkgpu serve`): Node only; built on the public API (../index.ts). */
export { startServer, createLogger, type ProverServer, type StartOptions } from './server.js';
export { resolveConfig, readConfigFile, parseCircuitFlag, DEFAULTS, type ServeConfig, type ServeFlags, type CircuitSpec } from './config.js';
export { ServeError, type ServeErrorCode, type JobError } from './errors.js';
export { SqliteQueueStore } from './queue/sqlite.js';
export type { QueueStore, JobRecord, JobStatus, JobPayload, JobResult, JobTimings, NewJob, ClaimedJob, QueueCounts, QueuedHead } from './queue/store.js';
export { TOKENS_ENV } from './auth.js';
