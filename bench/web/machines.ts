/**
 * The machines on the page (this run and loaded reports) with the hourly price the visitor gave
 * each: the state the compare, cost and estimate views all read. Views subscribe; any change
 * redraws them all.
 */
import type { LoadedReport } from './reports.js';

export interface Machine extends LoadedReport {
  /** Price per hour in the visitor's currency; 0 until typed or picked from a preset. */
  hourly: number;
}

export const machines: Machine[] = [];
const listeners: (() => void)[] = [];

export function onMachinesChange(listener: () => void): void {
  listeners.push(listener);
}

export function machinesChanged(): void {
  for (const listener of listeners) listener();
}

export function addMachine(loaded: LoadedReport): void {
  machines.push({ ...loaded, hourly: 0 });
  machinesChanged();
}

export function removeMachine(index: number): void {
  machines.splice(index, 1);
  machinesChanged();
}

export function setPrice(machine: Machine, hourly: number): void {
  machine.hourly = Number.isFinite(hourly) && hourly >= 0 ? hourly : 0;
  machinesChanged();
}
