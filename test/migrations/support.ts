import { MikroORM } from '@mikro-orm/postgresql';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { projectRoot } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import { createTestDatabase } from '../support/database';

/** Every migration's name, in order. */
export const MIGRATIONS = readdirSync(join(projectRoot, 'migrations'))
  .filter((file) => /^Migration\d+_.+\.ts$/.test(file) && !file.endsWith('.d.ts'))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

export const FIRST = MIGRATIONS[0];
export const LAST = MIGRATIONS[MIGRATIONS.length - 1];

/** The migration just before `name`. */
export function before(name: string): string {
  const index = MIGRATIONS.indexOf(name);
  if (index < 1) throw new Error(`no migration before ${name}`);
  return MIGRATIONS[index - 1];
}

export interface MigrationDb {
  url: string;
  db: pg.Client;
  /** Applies pending migrations up to and including `to` (all when omitted); returns the names applied. */
  up(to?: string): Promise<string[]>;
  /** Reverts down to and including `to`, or just the last one. */
  down(to?: string): Promise<string[]>;
  applied(): Promise<string[]>;
  close(): Promise<void>;
}

/** An empty database of this test's own, with a client for seeding and asserting. */
export async function migrationDb(): Promise<MigrationDb> {
  const url = await createTestDatabase({ empty: true });
  const db = new pg.Client(url);
  await db.connect();
  const withMigrator = async <T>(work: (orm: MikroORM) => Promise<T>): Promise<T> => {
    const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 2 }, migrations: { ...ormConfig(url).migrations, silent: true } }));
    try {
      return await work(orm);
    } finally {
      await orm.close(true);
    }
  };
  return {
    url,
    db,
    up: (to) => withMigrator(async (orm) => (await orm.getMigrator().up(to ? { to } : undefined)).map((m) => m.name)),
    down: (to) => withMigrator(async (orm) => (await orm.getMigrator().down(to ? { to } : undefined)).map((m) => m.name)),
    applied: () => withMigrator(async (orm) => (await orm.getMigrator().getExecutedMigrations()).map((m) => m.name)),
    close: () => db.end(),
  };
}

const exec = promisify(execFile);

/** Runs a project command (`npx mikro-orm ...`, `npm run db:...`) against `url`, as an operator would (in `cwd`, a copy of the project). */
export async function runCli(command: string, args: string[], url?: string, cwd = projectRoot): Promise<{ code: number; output: string }> {
  const env = { ...process.env, DATABASE_URL: url ?? '' };
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Every row of every table and the schema's columns, constraints and indexes: equal snapshots mean nothing changed. */
export async function snapshot(db: pg.Client): Promise<string> {
  const { rows } = await db.query(`
    select (select string_agg(x::text, '|' order by x::text) from "user" x) as users,
           (select string_agg(x::text, '|' order by x::text) from timeline x) as timelines,
           (select string_agg(x::text, '|' order by x::text) from event x) as events,
           (select string_agg(x::text, '|' order by x::text) from event_timeline_refs x) as refs,
           (select string_agg(table_name || '.' || column_name || ':' || is_nullable, ',' order by table_name, column_name) from information_schema.columns
              where table_schema = 'public') as columns,
           (select string_agg(conname || convalidated::text, ',' order by conname) from pg_constraint where connamespace = 'public'::regnamespace) as constraints,
           (select string_agg(indexdef, ',' order by indexdef) from pg_indexes where schemaname = 'public') as indexes`);
  return JSON.stringify(rows[0]);
}

export interface StepContext {
  m: MigrationDb;
  /** A user to own seeded rows. */
  user: number;
  one(sql: string, values?: unknown[]): Promise<any>;
  column(table: string, name: string): Promise<{ is_nullable: string; column_default: string | null } | undefined>;
}

/** For the test of migration `name`: an empty database migrated to the step before it, with one user. */
export async function stepContext(name: string): Promise<StepContext> {
  const m = await migrationDb();
  await m.up(before(name));
  const user = (await m.db.query(`insert into "user" (username) values ('u') returning id`)).rows[0].id;
  const one = async (sql: string, values: unknown[] = []) => (await m.db.query(sql, values)).rows[0];
  const column = (table: string, column: string) =>
    one(`select is_nullable, column_default from information_schema.columns where table_name = $1 and column_name = $2`, [table, column]);
  return { m, user, one, column };
}
