/**
 * The decorated examples compiled by `tsc` behave as they do through tsx (esbuild): the two
 * compilers emit TC39 decorators differently. The example tests are compiled with the examples
 * and run in a child process; the library itself still comes from the sources.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..', '..');
// Inside the repository, so that the compiled files resolve 'eventsourcing/...' to this package.
const outDir = join(repoRoot, '.tmp', `examples-tsc-${process.pid}`);
const names = ['all-styles', 'aggregate1', 'aggregate2'];
const sources = names.map((name) => join(repoRoot, 'test', 'examples', `${name}.test.ts`));
const tests = names.map((name) => join(outDir, 'test', 'examples', `${name}.test.js`));

after(() => rmSync(outDir, { recursive: true, force: true }));

test('the example tests pass when the examples are compiled by tsc', async () => {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(
    process.execPath,
    [
      tsc,
      '--ignoreConfig',
      ...['--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--types', 'node'],
      ...['--rootDir', repoRoot, '--outDir', outDir, '--noCheck', '--skipLibCheck'],
      ...sources,
    ],
    { cwd: repoRoot },
  );
  for (const file of tests) assert.ok(existsSync(file), `tsc emitted ${file}`);
  const emitted = readFileSync(join(outDir, 'examples', 'aggregate1', 'domain.js'), 'utf8');
  assert.match(emitted, /__esDecorate/, 'tsc lowered the decorators itself');

  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // run as a test run of its own, not as a child of this one
  const child = await run(process.execPath, ['--import', 'tsx', '--test', ...tests], {
    cwd: repoRoot,
    env,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    assert.fail(`compiled example tests failed:\n${error.stdout}\n${error.stderr}`);
  });
  assert.match(child.stdout, /# fail 0/);
  assert.match(child.stdout, /# pass [1-9]/);
});
