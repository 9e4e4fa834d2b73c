/**
 * Every TypeScript code block in README.md and docs/**\/*.md runs as a test, as a user would run it.
 *
 * How to mark blocks (the fence's info string):
 * - ```ts or ```typescript: the block is written to a file and run with tsx in a child process
 *   (top-level await is allowed: the file is an ES module). It must exit with status 0, by itself,
 *   within the timeout (a timer or connection left open fails it).
 * - ```ts no-run: a fragment that cannot run alone; it is neither run nor type-checked.
 * - ```ts continued: the block is appended to the previous runnable block of the same document,
 *   and the whole runs as one program (the earlier blocks also run on their own).
 * - ```ts postgres: the block needs the PostgreSQL test server (127.0.0.1:5432, database `test`,
 *   user `postgres`, as the PostgreSQL tests use). Without one it is skipped with a message that
 *   says how to start one, except with CI=true, where it fails. A block continuing a postgres
 *   block needs the server too.
 * Other languages (```sh, ```js, …) are ignored.
 *
 * Blocks import the package as a user does (`eventsourcing`, `eventsourcing/domain`, …). Those
 * specifiers are rewritten to relative paths to the repository's `src/` (taken from package.json
 * `exports`: a source condition if one is given, else `dist/x/index.js` becoming
 * `src/x/index.ts`), so the docs run against the sources without a build or a loader flag. A subpath that is not exported is left alone and fails, as it would for a user.
 * All written blocks are also type-checked in one `tsc --noEmit` run with the repository's strict
 * settings. Files go to `.tmp/doc-blocks/run-<pid>/` and are kept there when a block fails.
 * `PERSISTENCE_MODULE` is removed from the child's environment: the docs assume the default.
 *
 * `DOC_BLOCKS_FILES` (paths relative to the repository, comma-separated) replaces the documents
 * searched; it exists only to self-check this test against placeholder documents.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, describe, test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const blockTimeoutMs = 30_000;
const runDir = join(repoRoot, '.tmp', 'doc-blocks', `run-${process.pid}`);

/** A fenced code block found in a Markdown document. */
interface Block {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** First word of the info string, lowercased. */
  readonly lang: string;
  /** The other words of the info string. */
  readonly flags: readonly string[];
  readonly code: string;
}

/** A program to run: one runnable block, with the earlier blocks it continues. */
interface Program {
  readonly name: string;
  readonly line: number;
  readonly code: string;
  /** Document line of each line of `code`, for error reports. */
  readonly lineMap: readonly number[];
  /** Whether the program needs the PostgreSQL test server. */
  readonly postgres: boolean;
}

const runnableLangs = new Set(['ts', 'typescript']);
/** The repository's own export condition naming a subpath's source file, when it has one. */
const sourceCondition = 'eventsourcing-source';

function extractBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i] ?? '');
    // A backtick fence's info string has no backticks (else it is inline code on one line).
    if (!open || (open[2]?.startsWith('`') && open[3]?.includes('`'))) continue;
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const [lang = '', ...flags] = (open[3] ?? '').trim().split(/\s+/);
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j] ?? '')) {
      // Fences inside list items are indented: remove the fence's indentation from the body.
      body.push((lines[j] ?? '').replace(new RegExp(`^ {0,${indent}}`), ''));
      j++;
    }
    if (j >= lines.length) throw new Error(`line ${i + 1}: code fence ${fence} is never closed`);
    blocks.push({ line: i + 1, lang: lang.toLowerCase(), flags, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

function toPrograms(docName: string, blocks: readonly Block[]): Program[] {
  const programs: Program[] = [];
  let n = 0;
  for (const block of blocks) {
    if (!runnableLangs.has(block.lang)) continue;
    n++;
    if (block.flags.includes('no-run')) continue;
    const lines = block.code.split('\n');
    const lineMap = lines.map((_, k) => block.line + 1 + k);
    const name = `${docName}:${block.line} (ts block ${n})`;
    if (block.flags.includes('continued')) {
      const previous = programs.at(-1);
      if (!previous) {
        throw new Error(
          `${name} is marked "continued" but no runnable ts block precedes it in ${docName}: ` +
            'remove "continued" or add the block it continues',
        );
      }
      programs.push({
        name,
        line: block.line,
        code: `${previous.code}\n${block.code}`,
        lineMap: [...previous.lineMap, ...lineMap],
        postgres: previous.postgres || block.flags.includes('postgres'),
      });
    } else {
      const postgres = block.flags.includes('postgres');
      programs.push({ name, line: block.line, code: block.code, lineMap, postgres });
    }
  }
  return programs;
}

/** Maps each specifier the package exports (`eventsourcing/domain`) to its source file. */
function exportedSources(packageJson: { name: string; exports?: unknown }): Map<string, string> {
  const sources = new Map<string, string>();
  const exportsField = packageJson.exports;
  if (typeof exportsField !== 'object' || exportsField === null) return sources;
  for (const [key, target] of Object.entries(exportsField)) {
    if (key === './package.json') continue;
    const conditions = target as Record<string, unknown>;
    const source = typeof target === 'string' ? undefined : conditions[sourceCondition];
    const file = typeof target === 'string' ? target : (conditions.import ?? conditions.default);
    const specifier = key === '.' ? packageJson.name : `${packageJson.name}/${key.slice(2)}`;
    if (typeof source === 'string') sources.set(specifier, source.replace(/^\.\//, ''));
    else if (typeof file === 'string') {
      sources.set(specifier, file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
    }
  }
  return sources;
}

/** Rewrites the package's own specifiers in `code` to relative paths from `fromDir`. */
function rewriteImports(code: string, sources: Map<string, string>, fromDir: string): string {
  return code.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g,
    (match, lead: string, quote: string, specifier: string) => {
      const source = sources.get(specifier);
      if (source === undefined) return match;
      let path = relative(fromDir, join(repoRoot, source)).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      // `.js` extension: how NodeNext code names a `.ts` file; tsx and tsc both map it back.
      return `${lead}${quote}${path.replace(/\.ts$/, '.js')}${quote}`;
    },
  );
}

function findDocuments(): string[] {
  const override = process.env.DOC_BLOCKS_FILES;
  if (override) return override.split(',').map((p) => p.trim());
  const docs: string[] = [];
  if (existsSync(join(repoRoot, 'README.md'))) docs.push('README.md');
  const docsDir = join(repoRoot, 'docs');
  if (existsSync(docsDir)) {
    for (const entry of readdirSync(docsDir, { recursive: true, encoding: 'utf8' }).sort()) {
      if (entry.endsWith('.md')) docs.push(join('docs', entry).split(sep).join('/'));
    }
  }
  return docs;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolvePromise) => {
    execFile(
      file,
      args,
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL', ...options },
      (error, stdout, stderr) => {
        const timedOut = error !== null && error.killed === true;
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolvePromise({ code, stdout, stderr, timedOut });
      },
    );
  });
}

describe('code block extraction', () => {
  const md = [
    '# Title',
    '```ts',
    "import { Aggregate } from 'eventsourcing/domain';",
    'const a = 1;',
    '```',
    '```sh',
    'npm test',
    '```',
    '```ts no-run',
    'fragment(',
    '```',
    '- item',
    '  ~~~typescript continued',
    '  console.log(a);',
    '  ~~~',
    '````ts',
    '```',
    '````',
  ].join('\n');

  test('finds ts and typescript blocks, skips no-run, joins continued ones', () => {
    const programs = toPrograms('doc.md', extractBlocks(md));
    assert.deepEqual(
      programs.map((p) => p.name),
      ['doc.md:2 (ts block 1)', 'doc.md:13 (ts block 3)', 'doc.md:16 (ts block 4)'],
    );
    assert.equal(
      programs[1]?.code,
      "import { Aggregate } from 'eventsourcing/domain';\nconst a = 1;\nconsole.log(a);",
    );
    assert.deepEqual(programs[1]?.lineMap, [3, 4, 14]);
    assert.equal(programs[2]?.code, '```');
  });

  test('rejects an unclosed fence and a continued block with nothing before it', () => {
    assert.throws(() => extractBlocks('```ts\nconst a = 1;\n'), /line 1: code fence ``` is never/);
    const blocks = extractBlocks('```ts no-run\nx\n```\n```ts continued\ny\n```\n');
    assert.throws(() => toPrograms('d.md', blocks), /d\.md:4 \(ts block 2\) is marked "continued"/);
  });

  test("rewrites the package's own specifiers to the sources and leaves others", () => {
    const sources = exportedSources({
      name: 'eventsourcing',
      exports: {
        '.': {
          'eventsourcing-source': './src/root.ts',
          types: './dist/index.d.ts',
          default: './dist/index.js',
        },
        './domain': { types: './dist/domain/index.d.ts', default: './dist/domain/index.js' },
        './package.json': './package.json',
      },
    });
    const fromDir = join(repoRoot, '.tmp', 'doc-blocks', 'run-1');
    const code = [
      "import { Aggregate } from 'eventsourcing/domain';",
      'import type { X } from "eventsourcing";',
      "import 'eventsourcing/domain';",
      "const m = await import('eventsourcing');",
      "import { y } from 'eventsourcing/nope';",
      "import { z } from 'node:fs';",
      "const s = 'eventsourcing';",
    ].join('\n');
    assert.equal(
      rewriteImports(code, sources, fromDir),
      [
        "import { Aggregate } from '../../../src/domain/index.js';",
        'import type { X } from "../../../src/root.js";',
        "import '../../../src/domain/index.js';",
        "const m = await import('../../../src/root.js');",
        "import { y } from 'eventsourcing/nope';",
        "import { z } from 'node:fs';",
        "const s = 'eventsourcing';",
      ].join('\n'),
    );
  });
});

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  exports?: unknown;
};
const sources = exportedSources(packageJson);
const documents = findDocuments();
/** Each written file, with the program it holds. */
const written = new Map<string, Program>();
const programsByDoc = new Map<string, Program[]>();
let failed = false;

// Remove what earlier failed runs kept, unless their process is still running.
for (const entry of existsSync(dirname(runDir)) ? readdirSync(dirname(runDir)) : []) {
  const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
  if (!pid || pid === process.pid || isRunning(pid)) continue;
  rmSync(join(dirname(runDir), entry), { recursive: true, force: true });
}

for (const doc of documents) {
  const programs = toPrograms(doc, extractBlocks(readFileSync(join(repoRoot, doc), 'utf8')));
  programsByDoc.set(doc, programs);
  const slug = doc.replace(/\.md$/i, '').replace(/[^A-Za-z0-9]+/g, '_');
  for (const [k, program] of programs.entries()) {
    const file = join(runDir, `${slug}-${k + 1}-line${program.line}.ts`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${rewriteImports(program.code, sources, runDir)}\n`);
    written.set(file, program);
  }
}

after(() => {
  if (!failed) rmSync(runDir, { recursive: true, force: true });
});

// With DOC_BLOCKS_FILES (a self-check on chosen documents) README.md may not be among them.
if (process.env.DOC_BLOCKS_FILES === undefined) {
  test('README.md has a runnable ts block (the synopsis)', () => {
    assert.ok(documents.includes('README.md'), 'README.md is missing');
    assert.ok(
      (programsByDoc.get('README.md') ?? []).length > 0,
      'README.md has no runnable ```ts block: the synopsis must run as a test',
    );
  });
}

test('every runnable block type-checks (one tsc run, strict settings)', async () => {
  assert.ok(written.size > 0, 'no runnable ts blocks found in README.md or docs/');
  writeFileSync(
    join(runDir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: repoRoot, moduleDetection: 'force' },
      include: ['*.ts'],
    }),
  );
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await run(process.execPath, [tsc, '-p', join(runDir, 'tsconfig.json')]);
  const problems: string[] = [];
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
    if (!m) continue;
    const program = written.get(resolve(repoRoot, m[1] ?? ''));
    // Errors in src/ are the repository type check's business, not the docs'.
    if (!program) continue;
    const docLine = program.lineMap[Number(m[2]) - 1] ?? '?';
    problems.push(`${program.name}, doc line ${docLine}: ${m[4]}`);
  }
  if (result.code !== 0 && problems.length === 0 && !/\(\d+,\d+\): error/.test(result.stdout)) {
    problems.push(`tsc failed without reporting a location:\n${result.stdout}${result.stderr}`);
  }
  if (problems.length > 0) {
    failed = true;
    assert.fail(`doc code blocks do not compile:\n${problems.join('\n')}`);
  }
});

let postgresProbe: Promise<string | null> | null = null;

/** Why the PostgreSQL test server cannot be used, or null (the PostgreSQL tests' own probe). */
function postgresUnavailable(): Promise<string | null> {
  postgresProbe ??= import('../postgres/helpers.js').then((helpers) => helpers.unavailable);
  return postgresProbe;
}

const childEnv: NodeJS.ProcessEnv = { ...process.env };
for (const key of Object.keys(childEnv)) {
  // The docs assume the default (in-memory) persistence; NODE_TEST_CONTEXT belongs to this runner.
  if (key === 'PERSISTENCE_MODULE' || key.endsWith('_PERSISTENCE_MODULE')) delete childEnv[key];
}
delete childEnv.NODE_TEST_CONTEXT;

for (const doc of documents) {
  describe(doc, { concurrency: Math.max(1, Math.min(4, availableParallelism())) }, () => {
    const entries = [...written].filter(([, program]) => programsByDoc.get(doc)?.includes(program));
    if (entries.length === 0) test('has no runnable ts blocks', () => {});
    for (const [file, program] of entries) {
      test(program.name, async (t) => {
        if (program.postgres) {
          const why = await postgresUnavailable();
          if (why !== null) {
            if (process.env.CI === 'true') assert.fail(why);
            t.skip(why);
            return;
          }
        }
        const result = await run(process.execPath, ['--import', 'tsx', file], {
          env: childEnv,
          timeout: blockTimeoutMs,
        });
        if (result.code === 0) return;
        failed = true;
        const why = result.timedOut
          ? `did not exit within ${blockTimeoutMs} ms (a timer, connection or promise left open?)`
          : `exited with ${result.code ?? 'a signal'}`;
        assert.fail(
          `${program.name} ${why}; file: ${relative(repoRoot, file)}\n${result.stderr}${result.stdout}`,
        );
      });
    }
  });
}
