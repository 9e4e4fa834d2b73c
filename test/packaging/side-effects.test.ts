/**
 * package.json `sideEffects` tells bundlers which modules must be kept even when nothing is
 * imported from them. A module that registers something when it is imported (a persistence
 * module, a topic) or imports another module only for its effects must be listed, or a bundle
 * silently drops the registration. The check reads the sources: a top-level call statement or a
 * bare `import '…'` is an effect.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const srcDir = join(repoRoot, 'src');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  sideEffects?: unknown;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The published path (`./dist/x/y.js`) of a source file. */
function distPathOf(file: string): string {
  return `./dist/${relative(srcDir, file).split('\\').join('/').replace(/\.ts$/, '.js')}`;
}

/** A bundler-style glob (`*` within a path segment, `**` across them) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** The first top-level statement with an effect at import, or null. */
function effectOf(source: string): string | null {
  for (const line of source.split('\n')) {
    // Column 0 is top level in this code base (Biome formats it so).
    if (/^import\s+['"]/.test(line)) return line.trim();
    if (/^(await\s+)?[A-Za-z_$][\w$.]*\s*\(/.test(line)) return line.trim();
  }
  return null;
}

const patterns = Array.isArray(pkg.sideEffects) ? (pkg.sideEffects as string[]) : [];
const files = sourceFiles(srcDir);

test('package.json sideEffects is a list of paths (false would let bundlers drop registrations)', () => {
  assert.ok(Array.isArray(pkg.sideEffects), 'sideEffects must be a list of globs');
  for (const pattern of patterns) assert.match(pattern, /^\.\/dist\//);
});

test('every module that registers something or imports for effect is in sideEffects', () => {
  const missing: string[] = [];
  for (const file of files) {
    const effect = effectOf(readFileSync(file, 'utf8'));
    if (effect === null) continue;
    const path = distPathOf(file);
    if (!patterns.some((p) => globToRegExp(p).test(path))) missing.push(`${path}: ${effect}`);
  }
  assert.deepEqual(missing, [], 'add these to package.json sideEffects');
});

test('every sideEffects entry names at least one published module', () => {
  const paths = files.map(distPathOf);
  const stale = patterns.filter((p) => !paths.some((path) => globToRegExp(p).test(path)));
  assert.deepEqual(stale, [], 'these sideEffects entries match no module');
});

test('the effect detector sees registrations and bare imports, and not declarations', () => {
  assert.equal(effectOf("import '../memory/index.js';"), "import '../memory/index.js';");
  assert.equal(
    effectOf("export class A {}\nregisterTopic('Snapshot', Snapshot);"),
    "registerTopic('Snapshot', Snapshot);",
  );
  assert.equal(effectOf("import { a } from './a.js';\nexport function f() {\n  g();\n}"), null);
  assert.ok(globToRegExp('./dist/*/index.js').test('./dist/sqlite/index.js'));
  assert.ok(!globToRegExp('./dist/*/index.js').test('./dist/a/b/index.js'));
});
