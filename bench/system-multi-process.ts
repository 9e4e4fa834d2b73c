/**
 * MultiProcessRunner for the systems benchmark, when the library has it: it is looked up at
 * run time so that the benchmark runs (skipping its rows with the reason) where it does not.
 */
import type { Application } from 'eventsourcing/application';
import type { RunnerOptions } from 'eventsourcing/system';

/** The parts of MultiProcessRunner the benchmark uses. */
export type MultiProcessRunnerClass = new (
  systemRef: { module: string; export: string },
  options: RunnerOptions,
) => {
  start(): Promise<void>;
  stop(): Promise<void>;
  get<T extends Application>(cls: abstract new (...args: never[]) => T): T;
};

/** The class, or why it is not available. */
export async function loadMultiProcessRunner(): Promise<MultiProcessRunnerClass | string> {
  const system = (await import('eventsourcing/system')) as Record<string, unknown>;
  const cls = system.MultiProcessRunner;
  if (typeof cls === 'function') return cls as MultiProcessRunnerClass;
  return 'eventsourcing/system does not export MultiProcessRunner yet';
}
