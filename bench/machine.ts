/** What the figures depend on: the machine, the runtime, and the durability settings. */
import { cpus, platform, release, totalmem } from 'node:os';
import type { PostgresSettings } from './backends.js';
import { postgresInfo } from './raw-postgres.js';

/** The `machine` entry of the report. */
export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  os: string;
  node: string;
  postgres: { version: string; synchronous_commit: string; fsync: string } | null;
  sqlite: {
    library_synchronous: string;
    library_journal_mode: string;
    raw_synchronous: string;
    raw_journal_mode: string;
  } | null;
}

/** The machine and runtime; PostgreSQL's settings when it is benchmarked. */
export async function machineInfo(
  postgres: PostgresSettings | null,
  sqlite: MachineInfo['sqlite'],
): Promise<MachineInfo> {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: postgres === null ? null : await postgresInfo(postgres),
    sqlite,
  };
}
