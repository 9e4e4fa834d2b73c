// The `eventsourcing` bin on a real terminal: a pseudo-terminal made by util-linux `script`
// (CI installs it; without it these tests fail, saying so). On SQLite, with the DogCounters
// projection one event behind and its view tampered with (so that a rebuild, which recounts
// from scratch, differs from catching up): rebuild's question answered no, Enter, Ctrl-C and
// yes; its progress bar drawn on one line and ended at 100%, and only once every event is
// committed (not when a SQLite view's open batch shows the head); stderr redirected to a file (no
// question nobody sees, no progress drawn there); and the other commands, which draw nothing
// on a terminal (only rebuild shows progress), printing there what they print to a pipe.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import type { EnvType } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { freshEnv, sqliteBackend } from '../system/backends.js';
import { runCli } from './cli-process.js';
import { DogSchool, sqliteCounters } from './fixtures/dog-school.js';
import { readView } from './inspection-suite.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SLOW = 'test/cli/fixtures/slow-counters.ts#slowCounters';
const ONE_BY_ONE = 'test/cli/fixtures/slow-counters.ts#slowCountersOneByOne';
const QUESTION = /Rebuild DogCounters\? \[y\/N\] /;
const ESCAPE = String.fromCharCode(0x1b);

/** Quotes a word for the shell that `script -c` runs the command with. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** What a command did on the terminal. */
interface TerminalRun {
  readonly code: number | string;
  /** Everything the terminal showed (the pty's newlines are \r\n). */
  readonly screen: string;
  /** Milliseconds from the answer to when the screen showed its character at `offset`. */
  shownAfterAnswer(offset: number): number;
}

/**
 * Runs `eventsourcing <args>` on a pseudo-terminal (stdin, stdout and stderr, unless `stderrTo`
 * redirects stderr to a file): what the terminal showed and the exit status. `answer` is typed
 * once the rebuild question is on the screen.
 */
async function onTerminal(
  args: readonly string[],
  env: EnvType,
  options: { answer?: string; stderrTo?: string } = {},
): Promise<TerminalRun> {
  const command =
    [process.execPath, '--import', 'tsx', main, ...args].map(quote).join(' ') +
    (options.stderrTo === undefined ? '' : ` 2>${quote(options.stderrTo)}`);
  // -q: no "Script started" lines; -e: its exit status is the command's; /dev/null: no log file.
  const script = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: root,
    env: { ...process.env, ...env, SHELL: '/bin/sh', TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let answeredAt: number | null = null;
  const shown: { end: number; at: number }[] = [];
  script.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
    shown.push({ end: screen.length, at: performance.now() });
    if (options.answer !== undefined && answeredAt === null && QUESTION.test(screen)) {
      answeredAt = performance.now();
      script.stdin.write(options.answer);
    }
  });
  script.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
  });
  const timer = setTimeout(() => script.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | string>((resolve) => {
    script.once('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? -1));
  });
  clearTimeout(timer);
  script.stdin.end();
  return {
    code,
    screen,
    shownAfterAnswer: (offset) =>
      shown.find((chunk) => chunk.end > offset)!.at - (answeredAt ?? Number.NaN),
  };
}

/**
 * DogSchool with 5 notifications and the DogCounters view at 4 of them, its count of dogs
 * tampered with (99 instead of 2): a rebuild gives 3 dogs, catching up would give 100.
 */
async function projectionBehind(): Promise<EnvType> {
  const env = await freshEnv(sqliteBackend, ['DogSchool', 'DogCounters']);
  const school = new DogSchool({ env });
  const fido = await school.registerDog('Fido');
  await school.addTrick(fido, 'roll over');
  await school.addTrick(fido, 'play dead');
  await school.registerDog('Milo');
  const runner = new ProjectionRunner({ ...sqliteCounters, env });
  await runner.wait(4, { timeout: 10_000 });
  await runner.stop();
  await school.registerDog('Bella');
  await school.close();
  const db = new Database(env.DOGCOUNTERS_SQLITE_DBNAME as string);
  db.prepare("UPDATE counters SET count = 99 WHERE name = 'dogs'").run();
  db.close();
  return env;
}

const BEHIND = { dogs: 99, tricks: 2, position: 4 };
const REBUILT = { dogs: 3, tricks: 2, position: 5 };

describe('eventsourcing on a terminal (a pseudo-terminal made by script)', () => {
  before(() => {
    const found = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (found.error !== undefined || found.status !== 0) {
      throw new Error(
        'These tests run the CLI on a pseudo-terminal with `script`, which is missing: ' +
          'install util-linux (apt-get install util-linux), as CI does.',
      );
    }
  });

  it('rebuild asks, and answered n, Enter or Ctrl-C, changes nothing and exits with status 1', async () => {
    const env = await projectionBehind();
    for (const answer of ['n\r', '\r', '\u0003']) {
      const { code, screen } = await onTerminal(['rebuild', SLOW], env, { answer });
      assert.equal(code, 1, screen);
      assert.match(screen, /forgets its position in DogSchool \(now 4\)/);
      assert.match(screen, QUESTION);
      // On a line of its own, even after Ctrl-C (which echoes no newline).
      assert.match(screen, /\neventsourcing rebuild: not rebuilt\.\r\n$/, JSON.stringify(screen));
      assert.doesNotMatch(screen, /Rebuilding|Rebuilt/);
      assert.deepEqual(await readView(sqliteCounters, env), BEHIND);
    }
  });

  it('rebuild answered y rebuilds the view, its progress bar drawn on one line and ended at 100%', async () => {
    const env = await projectionBehind();
    const { code, screen } = await onTerminal(['rebuild', ONE_BY_ONE], env, { answer: 'y\r' });
    assert.equal(code, 0, screen);
    assert.deepEqual(await readView(sqliteCounters, env), REBUILT);

    const frames = [
      ...screen.matchAll(/\rRebuilding DogCounters \[([#-]{30})\] +(\d+)% (\d+)\/5/g),
    ];
    // 5 events at 100 ms each, each committed on its own: drawn (every 200 ms) part way, then
    // at the end.
    assert.ok(frames.length >= 2, JSON.stringify(screen));
    assert.ok(Number(frames[0]![2]) < 100, JSON.stringify(screen));
    const last = frames.at(-1)!;
    assert.deepEqual([last[1], last[2], last[3]], ['#'.repeat(30), '100', '5']);
    const percents = frames.map((frame) => Number(frame[2]));
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
    );
    // Each frame over the last, on one line (carriage returns, no newline), after the answer.
    const first = frames[0]!.index;
    const end = last.index + last[0].length;
    assert.ok(first > screen.search(QUESTION));
    assert.doesNotMatch(screen.slice(first, end), /\n/);
    // Then the line ends, and the summary is on a line of its own.
    assert.match(
      screen.slice(end),
      /^\r\nRebuilt DogCounters: processed DogSchool's notifications up to 5 in \d+\.\ds\.\r\n$/,
    );
  });

  it('rebuild draws 100% once every event is committed, not when the open batch shows the head', async () => {
    const env = await projectionBehind();
    // One batch of 5 events at 100 ms each: its tracking (5) is read back from the start.
    const run = await onTerminal(['rebuild', SLOW], env, { answer: 'y\r' });
    assert.equal(run.code, 0, run.screen);
    assert.deepEqual(await readView(sqliteCounters, env), REBUILT);
    const done = run.screen.indexOf('] 100% 5/5');
    assert.ok(done > 0, JSON.stringify(run.screen));
    assert.ok(run.shownAfterAnswer(done) >= 450, `100% after ${run.shownAfterAnswer(done)} ms`);
  });

  it('rebuild with stderr redirected to a file neither asks there nor draws progress there', async () => {
    const env = await projectionBehind();
    const stderr = tempDbPath('stderr');

    // stdin is a terminal, but the question would go where nobody sees it: refused at once.
    const refused = await onTerminal(['rebuild', SLOW], env, { stderrTo: stderr });
    assert.equal(refused.code, 1, refused.screen);
    assert.match(readFileSync(stderr, 'utf8'), /not rebuilt: .*pass --yes/);
    assert.doesNotMatch(readFileSync(stderr, 'utf8'), /\[y\/N\]/);
    assert.deepEqual(await readView(sqliteCounters, env), BEHIND);

    // With --yes it rebuilds (slowly enough for the bar's timer), drawing no bar anywhere.
    const rebuilt = await onTerminal(['rebuild', SLOW, '--yes'], env, { stderrTo: stderr });
    assert.equal(rebuilt.code, 0, rebuilt.screen);
    assert.deepEqual(await readView(sqliteCounters, env), REBUILT);
    assert.match(rebuilt.screen, /Rebuilt DogCounters: processed DogSchool's notifications/);
    assert.doesNotMatch(rebuilt.screen, /Rebuilding/);
    const written = readFileSync(stderr, 'utf8');
    assert.equal(written, '');
    assert.ok(!written.includes('\r') && !written.includes(ESCAPE));
  });

  it('the other commands draw no progress on a terminal: info and log show what they print to a pipe', async () => {
    const env = await projectionBehind();
    // Only rebuild draws progress (src/cli/progress-bar.ts); these print the same either way.
    for (const args of [
      ['info', '--app', 'DogSchool'],
      ['log', '--app', 'DogSchool', '--limit', '3'],
    ]) {
      const piped = await runCli(args, { ...process.env, ...env });
      assert.equal(piped.code, 0, piped.stderr);
      const { code, screen } = await onTerminal(args, env);
      assert.equal(code, 0, screen);
      assert.ok(!screen.includes(ESCAPE), JSON.stringify(screen));
      assert.equal(screen.replaceAll('\r\n', '\n'), piped.stdout + piped.stderr);
    }
  });
});
