import { Application, type ApplicationOptions, type Saveable } from '../application/application.js';
import { applicationName } from '../application/application-name.js';
import type { ProcessingEvent } from '../application/processing-event.js';
import type { Recording } from '../persistence/recording.js';
import { Follower } from './follower.js';
import { isLeaderClass, LEADING, Leading, type PromptReceiver } from './leader.js';
import { ProcessApplication } from './process-application.js';

/** A class of application a system is made of. */
export type SystemAppClass = new (options?: ApplicationOptions) => Application;

/**
 * A system of applications defined by pipes (Python's `System`): in each pipe every
 * application follows the one before it, so `[[BankAccounts, EmailProcess]]` makes
 * `EmailProcess` follow `BankAccounts`, and `[[Orders, Reservations, Payments, Orders]]` a
 * loop. An application that follows must be a `Follower`; one that follows and leads a
 * `ProcessApplication` (else a `TypeError` naming the class). A system is run by a runner.
 *
 * @example
 * ```ts no-run
 * const system = new System([[BankAccounts, EmailProcess]]);
 * await using runner = new SingleThreadedRunner(system);
 * await runner.start();
 * ```
 */
export class System {
  /** The applications' classes, by application name, in the order of the pipes. */
  readonly nodes: ReadonlyMap<string, SystemAppClass>;
  /** `[leaderName, followerName]` pairs, in declaration order, without duplicates. */
  readonly edges: ReadonlyArray<readonly [string, string]>;
  /** The names of the applications each application follows. */
  readonly follows: ReadonlyMap<string, readonly string[]>;
  /** The names of the applications each application leads. */
  readonly leads: ReadonlyMap<string, readonly string[]>;
  private readonly wrapped = new Map<string, SystemAppClass>();

  constructor(pipes: Iterable<Iterable<SystemAppClass>>) {
    const nodes = new Map<string, SystemAppClass>();
    const edges: Array<readonly [string, string]> = [];
    const seen = new Set<string>();
    for (const pipe of pipes) {
      let previous: string | null = null;
      for (const cls of pipe) {
        if (typeof cls !== 'function' || !isSubclass(cls, Application)) {
          throw new TypeError(`Not an application class: ${String(cls)}`);
        }
        const name = applicationName(cls, undefined);
        nodes.set(name, cls);
        if (previous !== null) {
          const key = `${previous}\u0000${name}`;
          if (!seen.has(key)) {
            seen.add(key);
            edges.push([previous, name]);
          }
        }
        previous = name;
      }
    }
    const follows = new Map<string, string[]>();
    const leads = new Map<string, string[]>();
    for (const [leader, follower] of edges) {
      append(leads, leader, follower);
      append(follows, follower, leader);
    }
    this.nodes = nodes;
    this.edges = edges;
    this.follows = follows;
    this.leads = leads;
    for (const name of follows.keys()) {
      const cls = nodes.get(name) as SystemAppClass;
      if (!isSubclass(cls, Follower)) throw new TypeError(`Not a follower class: ${cls.name}`);
    }
    for (const name of this.processors) {
      const cls = nodes.get(name) as SystemAppClass;
      if (!isSubclass(cls, ProcessApplication)) {
        throw new TypeError(`Not a process application class: ${cls.name}`);
      }
    }
  }

  /** The names of the applications that lead (have followers). */
  get leaders(): string[] {
    return [...this.leads.keys()];
  }

  /** The names of the applications that lead and follow nothing. */
  get leadersOnly(): string[] {
    return this.leaders.filter((name) => !this.follows.has(name));
  }

  /** The names of the applications that follow. */
  get followers(): string[] {
    return [...this.follows.keys()];
  }

  /** The names of the applications that both lead and follow (process applications). */
  get processors(): string[] {
    return this.leaders.filter((name) => this.follows.has(name));
  }

  /** The names of the applications in no pipe with another. */
  get singles(): string[] {
    return [...this.nodes.keys()].filter(
      (name) => !this.leads.has(name) && !this.follows.has(name),
    );
  }

  /** The class of the named application. */
  getAppCls(name: string): SystemAppClass {
    const cls = this.nodes.get(name);
    if (cls === undefined) {
      throw new Error(
        `No application named ${JSON.stringify(name)} in the system (it has ` +
          `${[...this.nodes.keys()].join(', ') || 'none'}).`,
      );
    }
    return cls;
  }

  /**
   * The class of the named application as a leader: its own class when it leads already
   * (`Leader`, `ProcessApplication`), else a subclass of it that leads (`instanceof Leader`),
   * made once per system.
   */
  leaderCls(name: string): SystemAppClass {
    const cls = this.getAppCls(name);
    if (isLeaderClass(cls)) return cls;
    let wrapped = this.wrapped.get(name);
    if (wrapped === undefined) {
      wrapped = wrapAsLeader(cls, name);
      this.wrapped.set(name, wrapped);
    }
    return wrapped;
  }

  /** The class of the named application, which must be a `Follower`. */
  followerCls(name: string): SystemAppClass & typeof Follower {
    const cls = this.getAppCls(name);
    if (!isSubclass(cls, Follower)) throw new TypeError(`Not a follower class: ${cls.name}`);
    return cls as SystemAppClass & typeof Follower;
  }
}

function append(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function isSubclass(cls: unknown, base: abstract new (...args: never[]) => unknown): boolean {
  return (
    typeof cls === 'function' &&
    (cls === base || (cls as { prototype?: unknown }).prototype instanceof base)
  );
}

/** A subclass of an application class that leads, under the application's name. */
function wrapAsLeader(cls: SystemAppClass, name: string): SystemAppClass {
  const Wrapped = class extends cls {
    readonly leading = new Leading(this);

    lead(receiver: PromptReceiver): void {
      this.leading.lead(receiver);
    }

    override async save(...items: Saveable[]): Promise<Recording[]> {
      const recordings = await super.save(...items);
      await this.leading.prompt(recordings);
      return recordings;
    }

    override async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
      const recordings = await super.record(processingEvent);
      this.leading.promptInBackground(recordings);
      return recordings;
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(Wrapped.prototype, LEADING, { value: true });
  return Wrapped;
}
