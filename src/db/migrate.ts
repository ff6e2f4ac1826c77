import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';

/**
 * Applies pending migrations to the database at `url` (what `npm start` does before serving). The
 * migrator's progress lines go to `log` when given (the server's JSON log), else to the console.
 */
export async function migrateDatabase(url: string, log?: (message: string) => void): Promise<string[]> {
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 2 }, ...(log && { logger: log, colors: false }) }));
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
