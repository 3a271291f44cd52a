/**
 * The runtime's events: one typed map for its EventTarget, so `runtime.addEventListener('retry',
 * (e) => e.detail.reason)` type-checks without casts. The executor dispatches 'progress' and
 * 'retry', the worker pool 'worker-exit' (re-dispatched on the runtime), gpu-owner.ts the two
 * device events, runtime.ts 'job'.
 */
import type { WorkerExitDetail } from '../cpu/pool.js';
import type { GpuAdapterInfo } from '../gpu/context.js';
import type { ProgressDetail, RetryDetail } from '../scheduler/execute/executor.js';
import type { JobReport } from './report.js';

export type { WorkerExitDetail } from '../cpu/pool.js';

/** Detail of the runtime's 'device-lost' event. */
export interface DeviceLostDetail {
  /** The backend id ('webgpu'). */
  device: string;
  adapter: GpuAdapterInfo;
  message: string;
  /** Whether the runtime is acquiring a new device (it found the adapter itself, not given a GPUDevice). */
  reacquire: boolean;
}

/** Detail of the runtime's 'device-reacquired' event (after a 'device-lost' with reacquire: true). */
export interface DeviceReacquiredDetail {
  device: string;
  ok: boolean;
  /** The new device's adapter, when ok. */
  adapter: GpuAdapterInfo | null;
  error?: string;
}

/** The 'job' event: one per finished call, with its report. */
export class JobEvent extends Event {
  readonly report: JobReport;
  constructor(report: JobReport) {
    super('job');
    this.report = report;
  }
}

/**
 * Detail of 'device-distrusted': a result computed on the device failed a check (a Groth16 proof
 * that does not verify), so 'auto' plans leave it out until `untilMs` (performance.now() time).
 */
export interface DeviceDistrustedDetail {
  device: string;
  untilMs: number;
  reason: string;
}

/** Detail of 'callback-error': a caller's callback (onReport) threw; the call's result was still returned. */
export interface CallbackErrorDetail {
  callback: string;
  error: unknown;
}

/** Every event a Runtime dispatches, by name. */
export interface RuntimeEventMap {
  job: JobEvent;
  'worker-exit': CustomEvent<WorkerExitDetail>;
  'device-lost': CustomEvent<DeviceLostDetail>;
  'device-reacquired': CustomEvent<DeviceReacquiredDetail>;
  'device-distrusted': CustomEvent<DeviceDistrustedDetail>;
  progress: CustomEvent<ProgressDetail>;
  retry: CustomEvent<RetryDetail>;
  /** Cancelable: preventDefault() stops the console warning. */
  'callback-error': CustomEvent<CallbackErrorDetail>;
}

export type RuntimeEventName = keyof RuntimeEventMap;

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void };

/** An EventTarget whose listeners know the runtime's event types (any other name stays allowed). */
export class RuntimeEventTarget extends EventTarget {
  override addEventListener<K extends RuntimeEventName>(type: K, listener: Listener<RuntimeEventMap[K]> | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends RuntimeEventName>(type: K, listener: Listener<RuntimeEventMap[K]> | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}

export function deviceLostEvent(detail: DeviceLostDetail): RuntimeEventMap['device-lost'] {
  return new CustomEvent('device-lost', { detail });
}

export function deviceReacquiredEvent(detail: DeviceReacquiredDetail): RuntimeEventMap['device-reacquired'] {
  return new CustomEvent('device-reacquired', { detail });
}

export function deviceDistrustedEvent(detail: DeviceDistrustedDetail): RuntimeEventMap['device-distrusted'] {
  return new CustomEvent('device-distrusted', { detail });
}

export function workerExitEvent(detail: WorkerExitDetail): RuntimeEventMap['worker-exit'] {
  return new CustomEvent('worker-exit', { detail });
}

export function callbackErrorEvent(detail: CallbackErrorDetail): RuntimeEventMap['callback-error'] {
  return new CustomEvent('callback-error', { detail, cancelable: true });
}
