import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { dataDir } from '../src/config';
import { databaseUrl } from '../src/db/migrate';

/**
 * The database the `db:*` scripts work on: `DATABASE_URL`, or the development database of `npm start` while it
 * runs (its port is in `.data/postgres/postmaster.pid`).
 */
export function scriptDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  const port = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n')[3]?.trim() : undefined;
  if (!port) {
    throw new Error('Set DATABASE_URL to the database to work on (or run `npm start` to use the development database).');
  }
  return databaseUrl(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 'itimeline');
}

export async function withClient<T>(work: (client: pg.Client) => Promise<T>, url = scriptDatabaseUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs a script's main, printing a failure without a stack trace and exiting non-zero. */
export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.message);
      process.exit(2);
    },
  );
}
