import { MikroORM } from '@mikro-orm/postgresql';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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
