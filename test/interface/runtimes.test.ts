// The handler is a standard fetch handler: served by Bun (Bun.serve) and Deno (Deno.serve), the
// real runtimes (devDependencies `bun` and `deno`), from an esbuild bundle of
// fixtures/runtime-server.ts. Node's client reads sections and selections, gets the 400s, and
// follows the stream as the child saves; on "stop" the child ends its streams, stops its server
// and exits by itself.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import {
  HttpNotificationLogInterface,
  NotificationLogJSONClient,
  type SectionJSON,
} from '../../src/interface/index.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const outDir = join(repoRoot, '.tmp', `runtimes-${process.pid}`);
const bundle = join(outDir, 'runtime-server.mjs');

const runtimes = {
  bun: { bin: join(repoRoot, 'node_modules', '.bin', 'bun'), args: ['run', bundle] },
  deno: { bin: join(repoRoot, 'node_modules', '.bin', 'deno'), args: ['run', '-A', bundle] },
};

/** A runtime's child serving the fixture: its lines of output, one JSON value each. */
class Served {
  readonly child: ChildProcess;
  readonly lines: unknown[] = [];
  stderr = '';
  readonly exited: Promise<number | string>;
  private buffer = '';

  constructor(bin: string, args: readonly string[]) {
    this.child = spawn(bin, [...args], {
      cwd: outDir,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line !== '') this.lines.push(JSON.parse(line));
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((done) => {
      this.child.once('exit', (code, signal) => done(code ?? signal ?? -1));
    });
  }

  /** The first line of output matching `check`, waiting up to 30 s. */
  async line<T>(check: (line: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = (this.lines as T[]).find(check);
      if (found !== undefined) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `No such line; stdout lines: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(command: string): void {
    this.child.stdin?.write(`${command}\n`);
  }
}

before(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'runtime-server.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    ignoreAnnotations: true,
  });
});

after(() => rmSync(outDir, { recursive: true, force: true }));

for (const [name, runtime] of Object.entries(runtimes)) {
  describe(`the handler on ${name}`, () => {
    test(`${name} serves sections, selections, 400s and the stream; it exits by itself once stopped`, async () => {
      assert.ok(existsSync(runtime.bin), `${runtime.bin} is missing: run npm ci`);
      const served = new Served(runtime.bin, runtime.args);
      try {
        const { url, runtime: reported } = await served.line<{ url?: string; runtime?: string }>(
          (l) => typeof l.url === 'string',
        );
        assert.equal(reported, name);
        const base = url as string;

        const section = await fetch(`${base}/1,10`);
        assert.equal(section.status, 200);
        assert.equal(section.headers.get('cache-control'), 'no-cache');
        const body = (await section.json()) as SectionJSON;
        assert.equal(body.id, '1,3');
        assert.equal(body.items.length, 3);
        const full = await fetch(`${base}/1,2`);
        assert.equal(full.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.ok(full.headers.get('etag'));
        await full.arrayBuffer();

        const bad = await fetch(`${base}/10,1`);
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { error: string }).error, /Invalid section id "10,1"/);

        const remote = new HttpNotificationLogInterface(base);
        const log = new NotificationLogJSONClient(remote);
        const selected = await log.select(2, 10);
        assert.deepEqual(
          selected.map((n) => [n.id, n.topic]),
          [
            [2, 'Account.Opened'],
            [3, 'Account.Opened'],
          ],
        );

        // The stream wakes a subscriber as the child saves.
        const subscription = remote.subscribe(3);
        const iterator = subscription[Symbol.asyncIterator]();
        const next = iterator.next();
        served.send('open');
        const arrived = await next;
        assert.equal(arrived.done, false);
        assert.equal(arrived.value?.id, 4);
        subscription.stop();
        await iterator.return?.();

        served.send('stop');
        await served.line<{ stopped?: boolean }>((l) => l.stopped === true);
        const code = await Promise.race([
          served.exited,
          new Promise<string>((r) =>
            setTimeout(() => r('still running after 20 s'), 20_000).unref(),
          ),
        ]);
        assert.equal(code, 0, served.stderr);
      } finally {
        if (served.child.exitCode === null) served.child.kill('SIGKILL');
      }
    });
  });
}
