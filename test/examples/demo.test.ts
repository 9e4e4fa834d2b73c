import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'eventsourcing-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function demo(env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return stdout;
}

test('the demo stores its dogs in a SQLite file, and a second run finds them', async () => {
  const env = { SQLITE_DBNAME: join(dir, 'dogs.db') };
  const first = await demo(env);
  assert.match(first, /persistence module: sqlite/);
  assert.match(first, /nothing yet: this is the first run/);
  assert.match(first, /Fido 1: tricks \["roll over","play dead"\] \(from 3 events\)/);
  assert.match(first, /#5 Dog.TrickAdded/);
  const second = await demo(env);
  assert.match(second, /5 events, 2 dogs:/);
  assert.match(second, /Fido 1 +tricks \["roll over","play dead"\]/);
  assert.match(second, /Fido 2: tricks/);
  assert.match(second, /#10 Dog.TrickAdded/);
});

test('the demo runs in memory when PERSISTENCE_MODULE says so', async () => {
  const output = await demo({ PERSISTENCE_MODULE: 'memory' });
  assert.match(output, /persistence module: memory/);
  assert.match(output, /Fido 1 at version 2: tricks \["roll over"\]/);
});
