// A private PostgreSQL server for fault tests that restart it: a fresh cluster in a temporary
// directory (PostgreSQL 15's initdb and pg_ctl, run as the `postgres` OS user), trust auth, on
// 127.0.0.1 and a free port. The shared test server cannot be restarted by a test: other test
// files use it at the same time.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where PostgreSQL 15's server binaries are (Debian's layout), unless PRIVATE_PG_BIN says. */
const BIN = process.env.PRIVATE_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const RUNUSER = '/usr/sbin/runuser';
const OS_USER = 'postgres';

/** A private server: its port, the POSTGRES_* variables to reach it, restart and stop. */
export interface PrivatePostgres {
  readonly port: number;
  /** POSTGRES_HOST, _PORT, _USER, _PASSWORD and _DBNAME, as baseEnv has them. */
  readonly env: Record<string, string>;
  /** A crash-like restart: `pg_ctl stop -m immediate`, then start (resolves when it accepts). */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops it (immediate) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why a private server cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  const missing = [join(BIN, 'initdb'), join(BIN, 'pg_ctl'), RUNUSER].filter(
    (path) => !existsSync(path),
  );
  if (missing.length > 0) {
    return (
      `A private PostgreSQL server needs ${missing.join(', ')} (PostgreSQL 15's server ` +
      "binaries, Debian's postgresql-15 package; another directory with PRIVATE_PG_BIN)."
    );
  }
  if (process.getuid?.() !== 0) {
    return 'A private PostgreSQL server is run as the postgres OS user: the tests must run as root.';
  }
  return null;
}

/**
 * Defines the tests when a private server can be started (as `whenPostgres` does for the
 * shared one). Otherwise defines one skipped test saying why, or, with CI=true, one failing
 * test (CI must not skip them).
 */
export function whenPrivatePostgres(define: () => void): void {
  const unavailable = privatePostgresUnavailable();
  if (unavailable === null) {
    define();
  } else if (process.env.CI === 'true') {
    test('a private PostgreSQL server can be started (CI=true)', () => assert.fail(unavailable));
  } else {
    test('private PostgreSQL server tests', { skip: unavailable }, () => {});
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/** Runs a PostgreSQL binary as the postgres OS user. */
async function asPostgres(binary: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(RUNUSER, ['-u', OS_USER, '--', join(BIN, binary), ...args], {
      cwd,
      timeout: 60_000,
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${binary} ${args.join(' ')} failed: ${String(stderr ?? '')}${String(stdout ?? '')}`,
      { cause: error },
    );
  }
}

/**
 * Creates and starts a private server (about a second) in a directory under `os.tmpdir()`
 * (which the postgres OS user must be able to enter). Check `privatePostgresUnavailable()`
 * first, or define the tests with `whenPrivatePostgres`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'es-private-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let stopped = false;
  const { uid, gid } = await userIds(OS_USER);
  await chown(dir, uid, gid);
  await chmod(dir, 0o700);
  const port = await freePort();
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, ...args], dir);
  const start = () =>
    pgCtl([
      'start',
      '-w',
      '-t',
      '30',
      '-l',
      log,
      '-o',
      // fsync off is safe here: the machine does not crash, only the server; a commit
      // still reaches the OS before it returns (synchronous_commit stays on), so an
      // immediate stop loses nothing committed.
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off ` +
        '-c full_page_writes=off -c max_connections=200',
    ]);
  try {
    const initdb = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'];
    await asPostgres('initdb', [...initdb, '--no-sync', '--no-instructions'], dir);
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    env: {
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(port),
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'postgres',
      POSTGRES_DBNAME: 'postgres',
    },
    async restart({ downMs = 0 } = {}) {
      await pgCtl(['stop', '-w', '-m', 'immediate']);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl(['stop', '-w', '-m', 'immediate']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', name]),
    run('id', ['-g', name]),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
