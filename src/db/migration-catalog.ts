import type { Migration } from '@mikro-orm/migrations';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeRoot } from '../config';
import { describeSteps, migrationSettings, StepMigration, type Session } from './migration-support';

/**
 * The migrations as the operator scripts (`db:status`, `db:stamp`, `db:sql`) see them: names in order, their SQL
 * and their evidence, read from `migrations/` as the migrator reads it, without running any.
 */
const MIGRATIONS_DIR = join(codeRoot, 'migrations');

export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^Migration\w+\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => file.replace(/\.(ts|js)$/, ''))
    .sort();
}

/** A migration's description: the file's first top-level doc comment, as plain text (compiled JavaScript keeps it too). */
export function migrationDescription(name: string): string {
  const file = readdirSync(MIGRATIONS_DIR).find((entry) => entry === `${name}.ts` || entry === `${name}.js`);
  const source = file ? readFileSync(join(MIGRATIONS_DIR, file), 'utf8') : '';
  const comment = /^\/\*\*([\s\S]*?)\*\//m.exec(source)?.[1] ?? '';
  return comment
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trimEnd())
    .join('\n')
    .trim();
}

/** The description's first sentence, cut at 160 characters. */
export function migrationSummary(name: string): string {
  const text = migrationDescription(name).replace(/\s+/g, ' ');
  const sentence = /^.*?\.(?=\s|$)/.exec(text)?.[0] ?? text;
  return sentence.length > 160 ? `${sentence.slice(0, 159)}…` : sentence;
}

type MigrationClass = new (driver: unknown, config: unknown) => Migration;

async function instantiate(name: string): Promise<Migration> {
  const module = (await import(join(MIGRATIONS_DIR, name))) as Record<string, unknown>;
  const MigrationClass = Object.values(module).find((value) => typeof value === 'function') as MigrationClass;
  // Building and describing the steps needs neither a driver nor a configuration.
  return new MigrationClass(undefined, undefined);
}

/** The SQL `up` (or `down`) of a migration runs, in order, for people to read. */
export async function migrationSql(name: string, method: 'up' | 'down' = 'up'): Promise<string> {
  const migration = await instantiate(name);
  if (migration instanceof StepMigration) {
    const steps = method === 'up' ? migration.upSteps() : migration.downSteps();
    if (steps.length === 0) return '-- nothing to run';
    // The step runner sets it for its whole session before the first step (outside steps included).
    return [`set lock_timeout = '${migrationSettings().lockTimeout}';`, describeSteps(steps)].join('\n');
  }
  await migration[method]();
  const queries = migration.getQueries().map((query) => `${String(query).trim().replace(/;?$/, ';')}`);
  return ['-- one transaction', 'begin;', ...queries, 'commit;'].join('\n');
}

/** What keeps the database from being in the state `name` leaves ([] when it visibly is). */
export async function migrationEvidence(db: Session, name: string): Promise<string[]> {
  const migration = await instantiate(name);
  if (migration instanceof StepMigration) return migration.verify(db);
  return legacySchemaEvidence(db);
}

/** The first migration (the V1 schema, which stays exactly as the Flask application had it) has no `verify`. */
async function legacySchemaEvidence(db: Session): Promise<string[]> {
  const expected: Record<string, string[]> = {
    user: ['id', 'username', 'email', 'password_hash', 'created_at'],
    timeline: ['id', 'name', 'description', 'timeline_type', 'visibility', 'created_by', 'created_at'],
    event: ['id', 'title', 'description', 'event_date', 'type', 'timeline_id', 'created_by', 'created_at'],
    event_timeline_refs: ['event_id', 'timeline_id', 'created_at'],
  };
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = current_schema() and table_name = any($1)`,
    [Object.keys(expected)],
  );
  const present = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
  return Object.entries(expected).flatMap(([table, columns]) =>
    columns.filter((column) => !present.has(`${table}.${column}`)).map((column) => `column ${table}.${column} does not exist`),
  );
}

/** Names recorded as applied, oldest first; [] when the migrations table does not exist (read-only). */
export async function appliedMigrations(db: Session): Promise<{ name: string; executedAt: Date }[]> {
  const { rows: table } = await db.query(`select to_regclass('mikro_orm_migrations') as t`);
  if (!table[0].t) return [];
  const { rows } = await db.query<{ name: string; executed_at: Date }>('select name, executed_at from mikro_orm_migrations order by id');
  return rows.map((row) => ({ name: row.name, executedAt: row.executed_at }));
}
