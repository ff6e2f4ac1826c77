import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres';
import { startEmbeddedReplica } from '../../src/db/embedded-replica';
import { databaseUrl, migrateDatabase } from '../../src/db/migrate';

const DATABASE = 'itimeline';
/** Counts every statement on each server (a standby keeps its own counts), so a test sees which side ran what. */
const SETTINGS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_utility': 'off' };
/** The ReplicaMonitor's own statements and the counting itself, left out of the counts. */
const NOT_COUNTED = /pg_current_wal_lsn|pg_is_in_recovery|pg_stat_statements/;

export interface ReplicatedDatabase {
  primary: EmbeddedDatabase;
  replica: EmbeddedDatabase;
  /** The migrated application database on each side. */
  primaryUrl: string;
  replicaUrl: string;
  /** Resolves once the replica has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  /** `pg_wal_replay_pause()` / `pg_wal_replay_resume()` on the replica. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Calls per statement text in the application database on that side (the monitor's left out). */
  statements(side: 'primary' | 'replica'): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/**
 * A primary of its own (not the test run's shared server: this file pauses and stops its replica), migrated,
 * then a streaming replica of it made as `startEmbeddedReplica` describes.
 */
export async function startReplicatedDatabase(): Promise<ReplicatedDatabase> {
  const root = mkdtempSync(join(tmpdir(), 'itimeline-replica-test-'));
  const primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), persistent: false, settings: SETTINGS });
  const primaryUrl = databaseUrl(primary.url, DATABASE);
  await query(primary.url, `create database ${DATABASE}`);
  await migrateDatabase(primaryUrl);
  await query(primaryUrl, 'create extension pg_stat_statements');
  const replica = await startEmbeddedReplica(primary, { dataDir: join(root, 'replica'), name: 'itimeline_replica', settings: SETTINGS });

  const statements = async (side: 'primary' | 'replica') => {
    const { rows } = await query<{ query: string; calls: string }>(
      databaseUrl(side === 'primary' ? primary.url : replica.url, DATABASE),
      `select s.query, s.calls from pg_stat_statements s where s.dbid = (select oid from pg_database where datname = current_database())`,
    );
    return new Map(rows.filter((row) => !NOT_COUNTED.test(row.query)).map((row) => [row.query, Number(row.calls)]));
  };
  return {
    primary,
    replica,
    primaryUrl,
    replicaUrl: databaseUrl(replica.url, DATABASE),
    async caughtUp() {
      const { rows } = await query<{ lsn: string }>(primary.url, 'select pg_current_wal_lsn()::text as lsn');
      for (;;) {
        const replayed = await query(replica.url, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [rows[0].lsn]);
        if (replayed.rows[0].done) return;
        await sleep(20);
      }
    },
    pauseReplay: async () => void (await query(replica.url, 'select pg_wal_replay_pause()')),
    resumeReplay: async () => void (await query(replica.url, 'select pg_wal_replay_resume()')),
    statements,
    async stop() {
      await replica.stop();
      await primary.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Statements that ran more often in `after` than in `before`, with how many more times. */
export function ranBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const ran = new Map<string, number>();
  for (const [text, calls] of after) if (calls > (before.get(text) ?? 0)) ran.set(text, calls - (before.get(text) ?? 0));
  return ran;
}

export function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, calls) => sum + calls, 0);
}

async function query<R extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}
