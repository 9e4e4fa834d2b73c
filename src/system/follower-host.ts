import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../application/application.js';
import { ConcurrentRunner, type ConcurrentRunnerOptions } from './concurrent-runner.js';
import type { Follower } from './follower.js';
import type { System } from './system.js';

/** How long a follower owned by another process waits before trying again. */
const OWNERSHIP_RETRY_MS = 500;

/** Options of `FollowerHost`. */
export interface FollowerHostOptions extends ConcurrentRunnerOptions {
  /**
   * The names of the followers to run in this process (default: every follower of the
   * system). A name that is not a follower of the system is an error.
   */
  only?: readonly string[];
}

/**
 * Runs chosen followers of a system in this process, each only while this process owns it
 * (what `eventsourcing run` and each child of `MultiProcessRunner` run). It processes as
 * `ConcurrentRunner` does, but a follower processes only while it holds its ownership lock
 * (`factory.followerLock()`: a PostgreSQL advisory lock, a SQLite lock file), so that two
 * processes started for the same follower never both process: the other tries again every
 * 500 ms and takes over when the owner dies. When the lock's connection is lost, the follower
 * stops processing and takes the lock again before going on (from its recorded tracking).
 * Leaders do not prompt the followers here: the database wakes them (LISTEN/NOTIFY on
 * PostgreSQL, polling on SQLite), so their events may be saved by any process.
 *
 * All the system's applications are constructed (`get(App)` works), but only the chosen
 * followers process.
 */
export class FollowerHost extends ConcurrentRunner {
  /** The names of the followers this host runs. */
  readonly hosted: readonly string[];

  constructor(system: System, options: FollowerHostOptions = {}) {
    const hosted = hostedFollowers(system, options.only);
    super(system, options);
    this.hosted = hosted;
  }

  /**
   * Throws when a hosted follower's persistence lives in this process alone (memory, SQLite
   * `:memory:`): other processes could neither write what it follows nor take it over.
   */
  requireSharedDatabase(): void {
    requireSharedDatabase(this.apps, this.hosted, 'FollowerHost');
  }

  protected override followers(): Map<string, Follower> {
    const all = super.followers();
    return new Map([...all].filter(([name]) => this.hosted.includes(name)));
  }

  protected override async runFollower(follower: Follower, signal: AbortSignal): Promise<void> {
    const lock = follower.factory.followerLock();
    if (lock === null) return this.runEdges(follower, signal);
    try {
      while (!signal.aborted) {
        let lost: AbortSignal | null = null;
        try {
          lost = await lock.tryAcquire();
        } catch (error) {
          this.reportRetried(error);
        }
        if (lost === null) {
          await sleep(OWNERSHIP_RETRY_MS, undefined, { signal }).catch(() => {});
          continue;
        }
        const owned = AbortSignal.any([signal, lost]);
        await this.runEdges(follower, owned, lost);
        if (lost.aborted) this.reportRetried(lost.reason);
        await lock.release().catch((error: unknown) => this.reportRetried(error));
      }
    } finally {
      await lock.release().catch(() => {});
    }
  }
}

/**
 * Throws an error naming the fix when one of the named applications has no follower lock
 * (its persistence lives in this process alone).
 *
 * @internal
 */
export function requireSharedDatabase(
  apps: ReadonlyMap<string, Application>,
  names: readonly string[],
  who: string,
): void {
  for (const name of names) {
    const app = apps.get(name) as Application;
    if (app.factory.followerLock() === null) {
      throw new Error(
        `${who} cannot run ${name}: its persistence (${app.factory.constructor.name}) lives in ` +
          'this process alone, and processes share nothing but a database. Set ' +
          "PERSISTENCE_MODULE to 'postgres', or to 'sqlite' with a file per application " +
          '(APPNAME_SQLITE_DBNAME), or run the system with ConcurrentRunner.',
      );
    }
  }
}

/**
 * The names of the followers to host: `only`, checked, or every follower.
 *
 * @internal
 */
export function hostedFollowers(system: System, only: readonly string[] | undefined): string[] {
  if (only === undefined) return [...system.followers];
  const unknown = only.filter((name) => !system.followers.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `Not a follower of the system: ${unknown.join(', ')}. The system's followers are ` +
        `${system.followers.join(', ') || '(none)'}; give the names of some of them.`,
    );
  }
  return [...only];
}
