import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { dataDir, loadConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres';
import { databaseUrl, migrateDatabase } from './db/migrate';
import { ormConfig } from './db/orm-config';
import { startApp } from './server/app';

const DATABASE_NAME = 'itimeline';

/** `npm start`: PostgreSQL (embedded unless DATABASE_URL), pending migrations, then GraphQL over HTTP and WebSocket. */
async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true });
    url = await ensureDatabase(embedded.url, DATABASE_NAME);
  }
  const stopEmbedded = async () => embedded?.stop();
  try {
    const applied = await migrateDatabase(url);
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
    const orm = await MikroORM.init(ormConfig(url));
    const app = await startApp({ orm, config });
    console.log(`iTimeline API ready at ${app.url}`);

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal} received, shutting down`);
      try {
        await app.stop();
        await orm.close();
      } finally {
        await stopEmbedded();
      }
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client(serverUrl);
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(serverUrl, name);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
