// Spans of save and repository.get, with the real OpenTelemetry SDK, on memory and SQLite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Application } from '../../src/application/application.js';
import { getTopic } from '../../src/domain/topics.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { EnvType } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { named, TelemetryDog, TelemetrySchool } from './fixtures.js';
import { registerSdk } from './sdk.js';

const sdk = registerSdk();
const registered = getTopic((TelemetryDog as unknown as { Registered: object }).Registered);
const trickAdded = getTopic((TelemetryDog as unknown as { TrickAdded: object }).TrickAdded);

const backends: ReadonlyArray<{ name: string; env: () => EnvType; db: string | undefined }> = [
  { name: 'memory', env: () => ({ PERSISTENCE_MODULE: 'memory' }), db: undefined },
  {
    name: 'SQLite',
    env: () => ({ PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath('spans') }),
    db: 'sqlite',
  },
];

for (const backend of backends) {
  describe(`spans on ${backend.name}`, () => {
    it('save: a producer span named after the application, with what it stored', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'SpanSchool'))({ env: backend.env() });
      const dog = new TelemetryDog('Fido');
      dog.addTrick('roll over');
      const recordings = await app.save(dog);

      const [span] = sdk.spansNamed('save SpanSchool');
      assert.ok(span, 'a save span');
      assert.equal(span.kind, SpanKind.PRODUCER);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      const a = span.attributes;
      assert.equal(a['messaging.system'], 'eventsourcing');
      assert.equal(a['messaging.operation.type'], 'send');
      assert.equal(a['messaging.operation.name'], 'save');
      assert.equal(a['messaging.destination.name'], 'SpanSchool');
      assert.equal(a['eventsourcing.application.name'], 'SpanSchool');
      assert.equal(a['eventsourcing.event.count'], 2);
      assert.equal(a['messaging.batch.message_count'], 2);
      assert.deepEqual(a['eventsourcing.originator.ids'], [dog.id]);
      assert.deepEqual(a['eventsourcing.originator.versions'], [2]);
      assert.deepEqual(a['eventsourcing.event.topics'], [registered, trickAdded]);
      assert.equal(a['eventsourcing.notification.first_id'], recordings[0]!.notification.id);
      assert.equal(a['eventsourcing.notification.last_id'], recordings[1]!.notification.id);
      assert.equal(a['db.system.name'], backend.db);
    });

    it('save: one event has its notification id as the message id', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'OneSchool'))({ env: backend.env() });
      await app.registerDog('Rex');
      const [span] = sdk.spansNamed('save OneSchool');
      assert.equal(span!.attributes['messaging.message.id'], '1');
      assert.equal(span!.attributes['messaging.batch.message_count'], undefined);
    });

    it('save: a conflict is an error span, and the error still reaches the caller', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'ConflictSchool'))({ env: backend.env() });
      const id = await app.registerDog('Fido');
      const first = await app.repository.get<TelemetryDog>(id);
      const second = await app.repository.get<TelemetryDog>(id);
      first.addTrick('sit');
      second.addTrick('stay');
      await app.save(first);
      await assert.rejects(app.save(second), IntegrityError);
      const spans = sdk.spansNamed('save ConflictSchool');
      const failed = spans[spans.length - 1]!;
      assert.equal(failed.status.code, SpanStatusCode.ERROR);
      assert.equal(failed.attributes['error.type'], 'IntegrityError');
      assert.equal(failed.events[0]?.name, 'exception');
    });

    it('save: a child of the active span, in its trace', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'ChildSchool'))({ env: backend.env() });
      const tracer = trace.getTracer('test');
      await tracer.startActiveSpan('request', async (request) => {
        await app.registerDog('Fido');
        request.end();
      });
      const [save] = sdk.spansNamed('save ChildSchool');
      const [request] = sdk.spansNamed('request');
      assert.equal(save!.spanContext().traceId, request!.spanContext().traceId);
      assert.equal(save!.parentSpanContext?.spanId, request!.spanContext().spanId);
    });

    it('repository.get: the originator, the version reached, from events', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'GetSchool'))({ env: backend.env() });
      const id = await app.registerDog('Fido');
      await app.addTrick(id, 'sit');
      await app.repository.get(id);
      const spans = sdk.spansNamed('get GetSchool');
      assert.equal(spans.length, 2);
      const last = spans[1]!;
      assert.equal(last.kind, SpanKind.INTERNAL);
      assert.equal(last.attributes['eventsourcing.originator.id'], id);
      assert.equal(last.attributes['eventsourcing.originator.version'], 2);
      assert.equal(last.attributes['eventsourcing.repository.from_cache'], false);
      assert.equal(last.attributes['eventsourcing.event.count'], 2);
      assert.equal(last.attributes['eventsourcing.repository.snapshot_version'], undefined);
      assert.equal(last.attributes['eventsourcing.application.name'], 'GetSchool');
      assert.equal(last.attributes['db.system.name'], backend.db);
    });

    it('repository.get: from a snapshot, at a version', async () => {
      sdk.reset();
      const env = { ...backend.env(), IS_SNAPSHOTTING_ENABLED: 'y' };
      await using app = new (named(TelemetrySchool, 'SnapSchool'))({ env });
      const id = await app.registerDog('Fido');
      await app.addTrick(id, 'sit');
      await app.takeSnapshot(id);
      await app.addTrick(id, 'stay');
      sdk.reset();
      await app.repository.get(id);
      await app.repository.get(id, { version: 1 });
      const [latest, old] = sdk.spansNamed('get SnapSchool');
      assert.equal(latest!.attributes['eventsourcing.repository.snapshot_version'], 2);
      assert.equal(latest!.attributes['eventsourcing.event.count'], 1);
      assert.equal(latest!.attributes['eventsourcing.originator.version'], 3);
      assert.equal(old!.attributes['eventsourcing.repository.version'], 1);
      assert.equal(old!.attributes['eventsourcing.originator.version'], 1);
    });

    it('repository.get: from the cache, fast-forwarded', async () => {
      sdk.reset();
      const env = { ...backend.env(), AGGREGATE_CACHE_MAXSIZE: '10' };
      await using app = new (named(TelemetrySchool, 'CacheSchool'))({ env });
      const id = await app.registerDog('Fido');
      await app.repository.get(id);
      sdk.reset();
      await app.repository.get(id);
      const [span] = sdk.spansNamed('get CacheSchool');
      assert.equal(span!.attributes['eventsourcing.repository.from_cache'], true);
      assert.equal(span!.attributes['eventsourcing.event.count'], 0);
      assert.equal(span!.attributes['eventsourcing.originator.version'], 1);
    });

    it('repository.get: a missing aggregate is an error span', async () => {
      sdk.reset();
      await using app = new (named(TelemetrySchool, 'MissingSchool'))({ env: backend.env() });
      assert.equal(await app.repository.contains(crypto.randomUUID()), false);
      const [span] = sdk.spansNamed('get MissingSchool');
      assert.equal(span!.status.code, SpanStatusCode.ERROR);
      assert.equal(span!.attributes['error.type'], 'AggregateNotFoundError');
    });
  });
}

it('a save with many originators lists at most ten of them', async () => {
  sdk.reset();
  const app: Application = new (named(TelemetrySchool, 'ManySchool'))({
    env: { PERSISTENCE_MODULE: 'memory' },
  });
  const dogs = Array.from({ length: 12 }, (_, i) => new TelemetryDog(`dog-${i}`));
  await app.save(...dogs);
  const [span] = sdk.spansNamed('save ManySchool');
  assert.equal((span!.attributes['eventsourcing.originator.ids'] as string[]).length, 10);
  assert.equal(span!.attributes['eventsourcing.event.count'], 12);
  await app.close();
});
