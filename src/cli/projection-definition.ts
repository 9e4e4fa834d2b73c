import { Application } from '../application/application.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Projection, ProjectionClass } from '../projection/projection.js';
import type { ApplicationClass } from '../projection/projection-runner.js';
import { moduleSpecifier, type SystemReference } from '../system/system-reference.js';

/**
 * What `eventsourcing rebuild <module>#<export>` imports: the classes a `ProjectionRunner` is
 * made of (the object given to `new ProjectionRunner(...)`, without `env`, which comes from
 * the command's environment).
 *
 * @example
 * ```ts no-run
 * export const counters = {
 *   applicationClass: DogSchool,
 *   projectionClass: Counters,
 *   viewClass: SQLiteCountersView,
 * };
 * ```
 */
export interface ProjectionDefinition {
  /** The upstream application's class. */
  readonly applicationClass: ApplicationClass<Application>;
  /** The projection's class. */
  readonly projectionClass: ProjectionClass<Projection<TrackingRecorder>, TrackingRecorder>;
  /** The view's class (a subclass of a backend's tracking recorder). */
  readonly viewClass: new (
    ...args: never[]
  ) => TrackingRecorder;
}

/**
 * Imports a module and returns its export that defines a projection.
 *
 * @throws Error naming the module when it cannot be imported; TypeError saying what the
 * export must be.
 * @internal
 */
export async function importProjectionDefinition(
  reference: SystemReference,
): Promise<ProjectionDefinition> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleSpecifier(reference.module))) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot import the projection's module '${reference.module}': ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const value = mod[reference.export] as Partial<Record<keyof ProjectionDefinition, unknown>>;
  const isClass = (v: unknown): v is Function => typeof v === 'function';
  if (
    value === null ||
    typeof value !== 'object' ||
    !isClass(value.applicationClass) ||
    !(value.applicationClass.prototype instanceof Application) ||
    !isClass(value.projectionClass) ||
    !isClass(value.viewClass)
  ) {
    throw new TypeError(
      `The export '${reference.export}' of '${reference.module}' is ${
        value === undefined ? 'missing' : 'not a projection definition'
      }: export the classes a ProjectionRunner is made of, as { applicationClass, ` +
        `projectionClass, viewClass } (its exports: ${Object.keys(mod).join(', ') || 'none'}).`,
    );
  }
  return value as unknown as ProjectionDefinition;
}
