/**
 * The system of the systems benchmark as a module MultiProcessRunner's children import
 * (`{ module: this file, export: 'benchSystem' }`): its classes are named from
 * `EVENTSOURCING_BENCH_SYSTEM`, which the benchmark sets before importing it.
 */
import { SYSTEM_NAME_ENV, systemClasses } from './system-subjects.js';

/** The benchmark's system: the leader and its process application. */
export const benchSystem = systemClasses(process.env[SYSTEM_NAME_ENV] ?? 'BenchSystem').system;
