import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { projectRoot } from '../src/config';
import { databaseUrl } from '../src/db/migrate';
import { ormConfig } from '../src/db/orm-config';
import { seedLegacy, type LegacySize } from './seed';

export interface WriterFigures {
  operations: number;
  longestStallMs: number;
  errors: number;
  firstError?: string;
}

export type MigrationResult =
  | { skipped: string }
  | { failed: string; legacy: LegacySize; writer: WriterFigures }
  | {
      legacy: LegacySize;
      chain: { migrations: number; seconds: number; writer: WriterFigures };
      plainUniqueIndex: { seconds: number; writer: WriterFigures };
    };

const LEGACY_V1 = 'Migration20240101000000_legacy_v1_schema';

/** `migrateDatabase` (what `npm start` runs), without the migrator's line per migration; `to` stops early. */
export async function migrateQuietly(url: string, to?: string): Promise<void> {
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 2 }, logger: () => undefined }));
  try {
    await orm.getMigrator().up(to ? { to } : undefined);
  } finally {
    await orm.close(true);
  }
}

/** A new database `name` on the server at `serverUrl`, migrated, then filled by `seed`; its URL. */
export async function seededDatabase(serverUrl: string, name: string, seed: (db: pg.Client) => Promise<void>): Promise<string> {
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(serverUrl, name);
  await migrateQuietly(url);
  const db = new pg.Client(url);
  await db.connect();
  try {
    await seed(db);
  } finally {
    await db.end();
  }
  return url;
}

/**
 * The V2 chain on a legacy database of `size`, while a writer keeps inserting and reading as the V1
 * application would; beside it, a plain (blocking) `create unique index` on a copy of the same table with
 * the same writer, to show what the chain's concurrent build spares that writer.
 */
export async function runMigrationScenario(serverUrl: string, size: LegacySize, log: (line: string) => void): Promise<MigrationResult> {
  const migrations = readdirSync(join(projectRoot, 'migrations')).filter((file) => /^Migration.*\.ts$/.test(file));
  if (migrations.length < 2) return { skipped: 'the V2 migration chain is not in migrations/ yet' };

  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query('create database bench_legacy');
    const url = databaseUrl(serverUrl, 'bench_legacy');
    await migrateQuietly(url, LEGACY_V1);
    const db = new pg.Client(url);
    await db.connect();
    log(`seeding ${size.timelines} legacy timelines, ${size.events} events`);
    await seedLegacy(db, size);
    await db.end();
    await admin.query('create database bench_legacy_plain template bench_legacy');

    log('plain create unique index under a writer');
    const plainUrl = databaseUrl(serverUrl, 'bench_legacy_plain');
    const plain = await underWriter(plainUrl, async () => {
      const client = new pg.Client(plainUrl);
      await client.connect();
      await client.query(`create unique index timeline_plain_name_unique on timeline (upper(name collate "und-x-icu"), timeline_type)
        where timeline_type in ('hashtag', 'community')`);
      await client.end();
    });

    log('V2 migration chain under a writer');
    let failure: string | undefined;
    const chain = await underWriter(url, () =>
      migrateQuietly(url).catch((error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
      }),
    );
    if (failure) return { failed: failure, legacy: size, writer: chain.writer };
    return {
      legacy: size,
      chain: { migrations: migrations.length - 1, seconds: chain.seconds, writer: chain.writer },
      plainUniqueIndex: plain,
    };
  } finally {
    await admin.query('drop database if exists bench_legacy with (force)');
    await admin.query('drop database if exists bench_legacy_plain with (force)');
    await admin.end();
  }
}

/**
 * Runs `work` while a V1-style writer loops (a timeline, an event on it, its reference row without
 * `event_date`, a read back), as the old application keeps writing during a rolling deploy; the stall is
 * the longest single iteration.
 */
async function underWriter(url: string, work: () => Promise<void>): Promise<{ seconds: number; writer: WriterFigures }> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  const figures: WriterFigures = { operations: 0, longestStallMs: 0, errors: 0 };
  let running = true;
  const writer = (async () => {
    let n = 0;
    while (running) {
      const started = performance.now();
      try {
        const timeline = await client.query(`insert into timeline (name, timeline_type, created_by) values ($1, 'hashtag', 1) returning id`, [`BenchWriter${++n}`]);
        const id = timeline.rows[0].id;
        const event = await client.query(
          `insert into event (title, event_date, timeline_id, created_by) values ('writer event', now(), $1, 1) returning id`,
          [id],
        );
        await client.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [event.rows[0].id, id]);
        await client.query('select t.id, t.name, e.title from timeline t join event e on e.timeline_id = t.id where e.id = $1', [event.rows[0].id]);
        figures.operations++;
      } catch (error) {
        figures.errors++;
        figures.firstError ??= error instanceof Error ? error.message : String(error);
      }
      figures.longestStallMs = Math.max(figures.longestStallMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  try {
    await work();
  } finally {
    running = false;
    await writer;
    await client.end();
  }
  return { seconds: (performance.now() - started) / 1000, writer: figures };
}
