import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';

/** Applies pending migrations to the database at `url` (what `npm start` does before serving). */
export async function migrateDatabase(url: string): Promise<string[]> {
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 2 } }));
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((migration) => migration.name);
  } finally {
    await orm.close(true);
  }
}

/** `postgres://.../postgres` → the same server's database `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
