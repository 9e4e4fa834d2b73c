/**
 * The package as a user meets it: build once (into a staged copy, so that the repository's dist/
 * is never replaced under other tests), `npm pack`, install the tarball into a fresh project
 * outside the repository (no database driver), then import every exported subpath from JavaScript,
 * type-check every core subpath against the published declarations, and run a decorated example
 * compiled by `tsc` against `dist/` and through tsx, which must print the same thing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const tsxLoader = import.meta.resolve('tsx');
const drivers = ['pg', 'better-sqlite3'];
/** Subpaths whose declarations may reference driver types: a user of them installs the driver. */
const driverSubpaths = new Set(['./sqlite', './postgres']);
/** The export conditions that Node and TypeScript use for a user by default. */
const standardConditions = new Set(['types', 'import', 'require', 'node', 'default']);

const repoPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  files: string[];
  exports: Record<string, unknown>;
};
const subpaths = Object.keys(repoPackage.exports).filter((key) => key !== './package.json');
const specifierOf = (key: string): string =>
  key === '.' ? repoPackage.name : `${repoPackage.name}/${key.slice(2)}`;

// npm sets these for scripts (`npm test`); inherited, they would point npm back at the repository.
const npmEnv: NodeJS.ProcessEnv = { ...process.env };
for (const key of Object.keys(npmEnv)) {
  if (/^npm_(config_local_prefix|package_|lifecycle_)/.test(key)) delete npmEnv[key];
}
delete npmEnv.NODE_TEST_CONTEXT;
delete npmEnv.PERSISTENCE_MODULE;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      file,
      args,
      { cwd, env: npmEnv, timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

async function mustRun(file: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(file, args, cwd);
  if (result.code !== 0) {
    assert.fail(
      `\`${[file, ...args].join(' ')}\` in ${cwd} exited with ${result.code ?? 'a signal'}:\n` +
        `${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The decorated example: DESIGN.md's synopsis, cut down to save, get and the notification log. */
const dogSource = `import { Aggregate, aggregate, event } from 'eventsourcing/domain';
import { Application } from 'eventsourcing/application';

@aggregate('Registered')
class Dog extends Aggregate {
  name: string;
  tricks: string[] = [];
  constructor(name: string) {
    super();
    this.name = name;
  }

  @event('TrickAdded')
  addTrick(trick: string): void {
    this.tricks.push(trick);
  }
}

class DogSchool extends Application {}

const app = new DogSchool();
const dog = new Dog('Fido');
dog.addTrick('roll over');
await app.save(dog);
const copy = await app.repository.get<Dog>(dog.id);
copy.addTrick('play dead');
await app.save(copy);
const again = await app.repository.get<Dog>(dog.id);
const notifications = await app.notificationLog.select(1, 10);
console.log(
  JSON.stringify({
    name: again.name,
    tricks: again.tricks,
    version: again.version,
    isDog: again instanceof Dog,
    sameId: again.id === dog.id,
    topics: notifications.map((n) => n.topic),
    ids: notifications.map((n) => n.id),
  }),
);
await app.close();
`;

const dogExpected = JSON.stringify({
  name: 'Fido',
  tricks: ['roll over', 'play dead'],
  version: 3,
  isDog: true,
  sameId: true,
  topics: ['Dog.Registered', 'Dog.TrickAdded', 'Dog.TrickAdded'],
  ids: [1, 2, 3],
});

/** Per subpath, code that uses a few of its types (only for subpaths that are exported). */
const typeUses: Record<string, string> = {
  '.': `export const rootNames = [m.Aggregate, m.Application, m.IntegrityError] as const;
export function rootIntegrity(e: unknown): e is m.IntegrityError { return e instanceof m.IntegrityError; }`,
  './domain': `export function aggregateState(a: m.Aggregate): [string, number] { return [a.id, a.version]; }
export const decorators = [m.aggregate, m.event] as const;
export const initialVersion: number = m.Aggregate.INITIAL_VERSION;
export function isTopicError(e: unknown): e is m.TopicError { return e instanceof m.TopicError; }`,
  './persistence': `export const storedEvent: m.StoredEvent = {
  originatorId: '00000000-0000-4000-8000-000000000000', originatorVersion: 1, topic: 'Dog', state: new Uint8Array(),
};
export async function maxId(r: m.ApplicationRecorder): Promise<number | null> { return r.maxNotificationId(); }
export function isIntegrityError(e: unknown): e is m.IntegrityError { return e instanceof m.IntegrityError; }`,
  './application': `export async function versionOf(app: m.Application, id: string): Promise<number> {
  const aggregate = await app.repository.get(id);
  return aggregate.version;
}
export function isNotFound(e: unknown): e is m.AggregateNotFoundError { return e instanceof m.AggregateNotFoundError; }`,
  './interface': `export function serveLog(app: m.NotificationLogSource): (request: Request) => Promise<Response> {
  return m.createNotificationLogHandler(new m.NotificationLogJSONService(app), { basePath: '/log' });
}
export const remote: m.NotificationLogInterface = new m.HttpNotificationLogInterface('http://127.0.0.1:1/log');`,
  './testing':
    'export const contract: (...args: never[]) => unknown = m.applicationRecorderContract;',
};

/** What a strict user project compiles with (`tsc --init`-like, declarations checked). */
const compilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  // A Node user has @types/node; take the repository's rather than downloading it.
  typeRoots: [join(repoRoot, 'node_modules', '@types')],
  types: ['node'],
  outDir: 'out',
};

describe('the packed package in a fresh project without drivers', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eventsourcing-pack-'));
  const project = join(work, 'project');
  const installed = join(project, 'node_modules', repoPackage.name);

  before(async () => {
    // The package is staged outside the repository and built there with the build's own config,
    // so that this test never replaces the repository's dist/ while other tests read it.
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const entry of ['package.json', ...repoPackage.files.filter((f) => f !== 'dist')]) {
      cpSync(join(repoRoot, entry), join(stage, entry), { recursive: true });
    }
    await mustRun(
      process.execPath,
      [tscBin, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')],
      repoRoot,
    );
    // --ignore-scripts: a prepack script would build a second time.
    const packed = await mustRun(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
      stage,
    );
    const filename = (JSON.parse(packed) as { filename: string }[])[0]?.filename;
    assert.ok(filename, `npm pack printed no file name:\n${packed}`);
    const tarball = join(work, filename);

    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'fresh-project', version: '1.0.0', private: true, type: 'module' }),
    );
    const install = ['install', '--no-audit', '--no-fund'];
    // The tarball has no dependencies, so offline should do; a plain install is the fallback.
    const offline = await run('npm', [...install, '--offline', tarball], project);
    if (offline.code !== 0) await mustRun('npm', [...install, tarball], project);
    assert.ok(existsSync(installed), `the tarball did not install into ${installed}`);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('installs no database driver and no dependency at all', () => {
    for (const driver of drivers) {
      assert.ok(
        !existsSync(join(project, 'node_modules', driver)),
        `${driver} was installed with the package: it must be an optional peer dependency`,
      );
    }
    const names = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
    assert.deepEqual(names, [repoPackage.name], 'core code depends only on node: modules');
  });

  test('the packed package.json names no source file and no custom export condition', () => {
    const text = readFileSync(join(installed, 'package.json'), 'utf8');
    const pkg = JSON.parse(text) as { exports: Record<string, Record<string, string> | string> };
    const custom: string[] = [];
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      for (const condition of Object.keys(target)) {
        if (!standardConditions.has(condition)) custom.push(`${key}: ${condition}`);
      }
    }
    assert.deepEqual(custom, [], "custom conditions (the repository's own) must not be published");
    const { exports, main, types, sideEffects } = JSON.parse(text) as Record<string, unknown>;
    assert.doesNotMatch(
      JSON.stringify({ exports, main, types, sideEffects }),
      /src\/|(?<!\.d)\.ts"/,
      'the published entry points name TypeScript sources, which are not in the package',
    );
    assert.ok(!existsSync(join(installed, 'src')), 'src/ is not part of the package');
  });

  test('ships no source maps, whose sources would be missing', () => {
    const maps: string[] = [];
    const mapComments: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.map')) maps.push(path);
        else if (entry.name.endsWith('.js') && /sourceMappingURL=/.test(readFileSync(path, 'utf8')))
          mapComments.push(path);
      }
    };
    walk(join(installed, 'dist'));
    assert.deepEqual(maps, []);
    assert.deepEqual(mapComments, []);
  });

  test('every exported subpath loads from JavaScript and exports something', async () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string> | string>;
    };
    const missing: string[] = [];
    for (const [key, target] of Object.entries(pkg.exports)) {
      // Custom conditions (the repository's own source condition) are not for users.
      const files =
        typeof target === 'string'
          ? [target]
          : Object.entries(target)
              .filter(([condition]) => standardConditions.has(condition))
              .map(([, file]) => file);
      for (const file of files) {
        if (!existsSync(join(installed, file))) missing.push(`${key} -> ${file}`);
      }
    }
    assert.deepEqual(missing, [], 'exports name files that are not in the tarball (built?)');
    const keys = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    const script = `const keys = ${JSON.stringify(keys)};
const counts = {};
const modules = {};
for (const key of keys) {
  const specifier = key === '.' ? ${JSON.stringify(repoPackage.name)} : ${JSON.stringify(`${repoPackage.name}/`)} + key.slice(2);
  modules[key] = await import(specifier);
  counts[key] = Object.keys(modules[key]).length;
}
// A name the root re-exports must be the very same object as in its layer (instanceof).
const copies = [];
for (const [name, value] of Object.entries(modules['.'] ?? {})) {
  for (const key of keys) {
    if (key !== '.' && name in modules[key] && modules[key][name] !== value) copies.push(name + ' in ' + key);
  }
}
if (modules['.'] && modules['./persistence'] && modules['.'].DatabaseProgrammingError !== modules['./persistence'].ProgrammingError) {
  copies.push('DatabaseProgrammingError is not the persistence ProgrammingError');
}
console.log(JSON.stringify({ counts, copies }));
`;
    writeFileSync(join(project, 'imports.mjs'), script);
    const out = await mustRun(process.execPath, ['imports.mjs'], project);
    const { counts, copies } = JSON.parse(out) as {
      counts: Record<string, number>;
      copies: string[];
    };
    for (const key of keys) assert.ok((counts[key] ?? 0) > 0, `${key} exports nothing`);
    // The documented exceptions: the root's ProgrammingError is the domain layer's, and the
    // persistence layer's is exported from the root as DatabaseProgrammingError; and
    // eventsourcing/dcb's `event` is the decision models' decorator (Python's
    // eventsourcing.dcb `event`), not the aggregates' one the root exports.
    assert.deepEqual(
      copies,
      ['ProgrammingError in ./persistence', 'event in ./dcb'],
      'the root re-exports copies, not the same objects',
    );
  });

  test('every core subpath type-checks against the declarations (skipLibCheck off)', async (t) => {
    const core = subpaths.filter((key) => !driverSubpaths.has(key));
    const skipped = subpaths.filter((key) => driverSubpaths.has(key));
    if (skipped.length > 0) t.diagnostic(`driver subpaths not type-checked: ${skipped.join(', ')}`);
    const source = core
      .map((key, i) => {
        const uses = (typeUses[key] ?? 'export const keys = Object.keys(m);')
          .replaceAll(/\bm\b/g, `m${i}`)
          .replaceAll(/\bexport (const|function|async function) (\w+)/g, `export $1 $2_${i}`);
        return `import * as m${i} from '${specifierOf(key)}';\n${uses}`;
      })
      .join('\n');
    writeFileSync(join(project, 'types.ts'), source);
    writeFileSync(
      join(project, 'tsconfig.types.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, noEmit: true },
        files: ['types.ts'],
      }),
    );
    const result = await run(process.execPath, [tscBin, '-p', 'tsconfig.types.json'], project);
    assert.equal(
      result.code,
      0,
      `type errors importing ${core.join(', ')}:\n${result.stdout}${result.stderr}\n${source}`,
    );
  });

  test('decorated code: tsc-compiled against dist/ and run through tsx, same result', async () => {
    const needed = ['./domain', './application'].filter((key) => !subpaths.includes(key));
    assert.deepEqual(needed, [], 'package.json exports lack the subpaths the example imports');
    writeFileSync(join(project, 'dog.ts'), dogSource);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['dog.ts'] }),
    );
    await mustRun(process.execPath, [tscBin, '-p', 'tsconfig.json'], project);
    const compiled = (await mustRun(process.execPath, ['out/dog.js'], project)).trim();
    const viaTsx = (await mustRun(process.execPath, ['--import', tsxLoader, 'dog.ts'], project))
      .trim()
      .split('\n')
      .at(-1);
    assert.equal(compiled.split('\n').at(-1), viaTsx, 'tsc-compiled and tsx runs differ');
    assert.equal(viaTsx, dogExpected);
  });
});
