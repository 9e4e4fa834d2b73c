/**
 * Installs Emmett into bench/peers/emmett/node_modules when it is missing: `npm ci` from that
 * folder's own package.json and lock file, with sqlite3 built from source (its install script
 * would otherwise download a prebuilt binary). Nothing installed there is committed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder that holds Emmett's package.json and, once installed, its node_modules. */
export const EMMETT_DIR = fileURLToPath(new URL('./emmett/', import.meta.url));

const emmettPackage = new URL(
  './emmett/node_modules/@event-driven-io/emmett/package.json',
  import.meta.url,
);

/** The installed Emmett version, or null when it is not installed. */
export function installedEmmettVersion(): string | null {
  if (!existsSync(emmettPackage)) return null;
  return (JSON.parse(readFileSync(emmettPackage, 'utf8')) as { version: string }).version;
}

/** Installs Emmett if needed; resolves to its version; rejects with npm's reason. */
export async function ensureEmmettInstalled(log: (message: string) => void): Promise<string> {
  const installed = installedEmmettVersion();
  if (installed !== null) return installed;
  log(
    'installing Emmett into bench/peers/emmett (npm ci; sqlite3 builds from source, a few minutes)',
  );
  await new Promise<void>((resolve, reject) => {
    const npm = spawn('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: EMMETT_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      // prebuild-install reads this and compiles instead of downloading a binary.
      env: { ...process.env, npm_config_build_from_source: 'true' },
    });
    npm.on('error', reject);
    npm.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm ci in ${EMMETT_DIR} exited with ${code}`)),
    );
  });
  const version = installedEmmettVersion();
  if (version === null) throw new Error(`npm ci in ${EMMETT_DIR} did not install Emmett`);
  return version;
}
