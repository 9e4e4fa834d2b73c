/**
 * The content management system (Python's `ContentManagementSystem`): the search index follows
 * the content management application. Importing this module registers the search recorders'
 * topics, so a runner (or `eventsourcing run --system examples/content-management/system.ts#system`)
 * can make them from the environment.
 */
import { System } from 'eventsourcing/system';
import { ContentManagement } from './application.js';
import './postgres-search-recorder.js';
import { POSTGRES_SEARCH_RECORDER, SearchIndex, SQLITE_SEARCH_RECORDER } from './search-index.js';
import './sqlite-search-recorder.js';

/** The system's pipe: pages flow from the content application to the search index. */
export const system = new System([[ContentManagement, SearchIndex]]);

/**
 * The environment of the system on SQLite: a file per application (`dir/contentmanagement.db`,
 * `dir/searchindex.db`), and the search index's recorder.
 */
export function sqliteEnv(dir: string): Record<string, string> {
  return {
    PERSISTENCE_MODULE: 'sqlite',
    CONTENTMANAGEMENT_SQLITE_DBNAME: `${dir}/contentmanagement.db`,
    SEARCHINDEX_SQLITE_DBNAME: `${dir}/searchindex.db`,
    SEARCHINDEX_PROCESS_RECORDER_TOPIC: SQLITE_SEARCH_RECORDER,
  };
}

/** The environment of the system on PostgreSQL (add the POSTGRES_* connection keys). */
export function postgresEnv(): Record<string, string> {
  return {
    PERSISTENCE_MODULE: 'postgres',
    SEARCHINDEX_PROCESS_RECORDER_TOPIC: POSTGRES_SEARCH_RECORDER,
  };
}
