// The kill -9 harness of the fault tests: writer processes (fixtures/fault-writer.ts) that say
// what each save holds before it and what was acknowledged after it, killed at random moments
// and restarted, and the checks of what the database then holds against what they were told.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Notification } from '../../src/persistence/stored-event.js';
import { FaultApp, type FaultItem } from './fixtures/fault-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const writerScript = fileURLToPath(new URL('./fixtures/fault-writer.ts', import.meta.url));

/** One save a writer began: what it holds, and what became of it as far as the writer knew. */
export interface BegunSave {
  /** `[originatorId, fromVersion, toVersion]` of each aggregate in it, in save order. */
  readonly spans: ReadonlyArray<readonly [string, number, number]>;
  /** The notification ids it was acknowledged with, or null. */
  acked: number[] | null;
  /** The error message it failed with, or null. */
  failed: string | null;
}

/** A running writer process and the saves it has reported. */
export class WriterProcess {
  readonly tag: string;
  readonly saves = new Map<number, BegunSave>();
  readonly exited: Promise<void>;
  killed = false;
  private readonly proc: ChildProcess;
  private buffer = '';
  private stderr = '';
  private readyResolve: (() => void) | null = null;
  /** Resolves when the writer has printed that it is ready. */
  readonly ready: Promise<void>;

  constructor(tag: string, appName: string, inFlight: number, env: NodeJS.ProcessEnv) {
    this.tag = tag;
    this.ready = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
    this.proc = spawn(
      process.execPath,
      ['--import', 'tsx', writerScript, appName, tag, String(inFlight)],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onData(chunk));
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code) => {
        // A writer that ends by itself (not killed) is a failure of the test, not a fault.
        if (!this.killed) this.stderr ||= `exited by itself with code ${String(code)}`;
        resolve();
      }),
    );
  }

  /** What the writer printed on stderr, or why it ended when it was not killed. */
  get errors(): string {
    return this.killed ? '' : this.stderr;
  }

  /** SIGKILLs the writer and waits until it has gone. */
  async kill(): Promise<void> {
    this.killed = true;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n');
    while (end >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      this.onLine(line);
      end = this.buffer.indexOf('\n');
    }
  }

  private onLine(line: string): void {
    const message = JSON.parse(line) as {
      ready?: true;
      b?: number;
      e?: [string, number, number][];
      a?: number;
      n?: number[];
      f?: number;
      m?: string;
    };
    if (message.ready) this.readyResolve?.();
    else if (message.b !== undefined) {
      this.saves.set(message.b, { spans: message.e!, acked: null, failed: null });
    } else if (message.a !== undefined) this.saves.get(message.a)!.acked = message.n!;
    else if (message.f !== undefined) this.saves.get(message.f)!.failed = message.m!;
  }
}

/** How a kill -9 scenario runs. */
export interface KillScenario {
  /** The application's name (scopes its tables). */
  readonly appName: string;
  /** The environment of the writers and of the checking application (backend keys). */
  readonly env: Record<string, string>;
  /** How many writers run at once. */
  readonly writers: number;
  /** How many saves each writer keeps in flight. */
  readonly inFlight: number;
  /** How long writers are killed and restarted, in ms, once the first ones are ready. */
  readonly durationMs: number;
  /** Milliseconds between kills: a random time in this range. */
  readonly killEveryMs: readonly [number, number];
}

/** What a kill -9 scenario counted (every check has passed when it resolves). */
export interface KillCounts {
  readonly processes: number;
  readonly kills: number;
  readonly begun: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly killedMidFlight: number;
  readonly storedUnacknowledged: number;
  readonly events: number;
  readonly aggregates: number;
  readonly tailed: number;
}

/** Reads every notification after `after`, in pages. */
async function notificationsAfter(app: FaultApp, after: number): Promise<Notification[]> {
  const all: Notification[] = [];
  let last = after;
  for (let page = 0; page < 1000; page++) {
    const batch = await app.recorder.selectNotifications(last + 1, 2000);
    if (batch.length === 0) break;
    all.push(...batch);
    last = batch[batch.length - 1]!.id;
  }
  return all;
}

/**
 * Runs writers, SIGKILLs one at a random moment and starts another in its place until the
 * duration has passed, kills the rest, then checks the database against what the writers
 * reported: every acknowledged save stored whole with the ids it was told; every other save
 * stored whole or not at all; nothing stored that no writer began; notification ids unique and
 * never committed below one a reader had already seen; and every aggregate readable and
 * continued by this process.
 */
export async function runKillScenario(scenario: KillScenario): Promise<KillCounts> {
  const env = { ...process.env, ...scenario.env };
  const all: WriterProcess[] = [];
  let live: WriterProcess[] = [];
  let spawned = 0;
  const start = () => {
    const writer = new WriterProcess(`w${spawned++}`, scenario.appName, scenario.inFlight, env);
    all.push(writer);
    live.push(writer);
    return writer;
  };
  const app = new FaultApp({ name: scenario.appName, env: scenario.env });
  let kills = 0;
  const tailed: number[] = [];
  try {
    for (let i = 0; i < scenario.writers; i++) start();
    await Promise.race([
      Promise.all(live.map((w) => w.ready)),
      // Unref'd: a pending guard must not keep the test process alive.
      sleep(30_000, undefined, { ref: false }).then(() =>
        assert.fail('the writers were not ready after 30 s'),
      ),
    ]);

    // A reader that tails the log meanwhile: if a save ever committed an id below one it had
    // seen, it would skip that id, and the final comparison would show it.
    let tailing = true;
    const tail = (async () => {
      while (tailing) {
        const batch = await notificationsAfter(app, tailed.at(-1) ?? 0);
        for (const n of batch) tailed.push(n.id);
        await sleep(20);
      }
    })();

    const deadline = Date.now() + scenario.durationMs;
    const [low, high] = scenario.killEveryMs;
    while (Date.now() < deadline) {
      await sleep(low + Math.random() * (high - low));
      for (const w of live) assert.equal(w.errors, '', `writer ${w.tag} failed`);
      // In the last second killed writers are not replaced: all may be gone before the deadline.
      if (live.length === 0) break;
      const victim = live[Math.floor(Math.random() * live.length)]!;
      live = live.filter((w) => w !== victim);
      await victim.kill();
      kills++;
      if (Date.now() < deadline - 1000) start();
    }
    for (const w of live) assert.equal(w.errors, '', `writer ${w.tag} failed`);
    await Promise.all(live.map((w) => w.kill()));
    kills += live.length;
    live = [];
    tailing = false;
    await tail;
    const rest = await notificationsAfter(app, tailed.at(-1) ?? 0);
    for (const n of rest) tailed.push(n.id);

    return await check(app, all, kills, tailed);
  } finally {
    await Promise.all(live.map((w) => w.kill()));
    await app.close();
  }
}

async function check(
  app: FaultApp,
  writers: readonly WriterProcess[],
  kills: number,
  tailed: readonly number[],
): Promise<KillCounts> {
  const stored = await notificationsAfter(app, 0);
  const ids = stored.map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length, 'a notification id is stored twice');
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, 'ids out of order');
  // The tailing reader saw every id, in order: none was committed below one already seen.
  assert.deepEqual(tailed, ids, 'the tailing reader missed or repeated notifications');

  const byEvent = new Map<string, Notification>();
  for (const n of stored) {
    const key = `${n.originatorId}/${n.originatorVersion}`;
    assert.equal(byEvent.has(key), false, `event ${key} stored twice`);
    byEvent.set(key, n);
  }
  let begun = 0;
  let acknowledged = 0;
  let failed = 0;
  let killedMidFlight = 0;
  let storedUnacknowledged = 0;
  let claimed = 0;
  const failures: string[] = [];
  for (const writer of writers) {
    for (const [n, save] of writer.saves) {
      begun++;
      const keys = save.spans.flatMap(([id, from, to]) =>
        Array.from({ length: to - from + 1 }, (_, i) => `${id}/${from + i}`),
      );
      const found = keys.map((k) => byEvent.get(k));
      const count = found.filter((f) => f !== undefined).length;
      const where = `save ${writer.tag}:${n} (${keys.length} events)`;
      assert.ok(count === 0 || count === keys.length, `${where} is partly stored: ${count}`);
      if (count > 0) claimed += count;
      if (save.acked !== null) {
        acknowledged++;
        assert.equal(count, keys.length, `${where} was acknowledged but is not stored`);
        assert.deepEqual(
          found.map((f) => f!.id),
          save.acked,
          `${where} is stored under other notification ids than it was acknowledged with`,
        );
      } else if (save.failed !== null) {
        failed++;
        failures.push(save.failed);
      } else {
        assert.ok(writer.killed, `${where} never settled in a writer that was not killed`);
        killedMidFlight++;
        if (count > 0) storedUnacknowledged++;
      }
    }
  }
  // Nothing is stored that no writer began (each event is claimed by exactly one save).
  assert.equal(claimed, stored.length, 'events are stored that no writer began');
  assert.deepEqual(failures, [], 'saves failed in writers that were not being killed');

  // A new process reads every aggregate and continues it: the next version saves cleanly.
  const latest = new Map<string, number>();
  for (const n of stored) {
    latest.set(n.originatorId, Math.max(latest.get(n.originatorId) ?? 0, n.originatorVersion));
  }
  const entries = [...latest];
  for (let i = 0; i < entries.length; i += 50) {
    await Promise.all(
      entries.slice(i, i + 50).map(async ([id, version]) => {
        const item = await app.repository.get<FaultItem>(id);
        assert.equal(item.version, version);
        assert.deepEqual(
          item.steps,
          Array.from({ length: version - 1 }, (_, k) => k + 2),
        );
        item.step(item.version + 1);
        await app.save(item);
      }),
    );
  }
  const continued = await notificationsAfter(app, ids.at(-1) ?? 0);
  assert.equal(continued.length, entries.length);

  return {
    processes: writers.length,
    kills,
    begun,
    acknowledged,
    failed,
    killedMidFlight,
    storedUnacknowledged,
    events: stored.length,
    aggregates: entries.length,
    tailed: tailed.length,
  };
}
