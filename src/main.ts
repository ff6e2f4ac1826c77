import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { dataDir, loadConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded-postgres';
import { databaseUrl, migrateDatabase } from './db/migrate';
import { ormConfig } from './db/orm-config';
import { replicaOptions } from './db/replicas';
import { startApp } from './server/app';
import { createLogger, logFormat } from './server/logger';

const DATABASE_NAME = 'itimeline';

/** `npm start`: PostgreSQL (embedded unless DATABASE_URL), pending migrations, then GraphQL over HTTP and WebSocket. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, logFormat(process.env, config.production, process.stdout.isTTY === true));
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true });
    url = await ensureDatabase(embedded.url, DATABASE_NAME);
  }
  const stopEmbedded = async () => embedded?.stop();
  try {
    const applied = await migrateDatabase(url, (message) => logger.info(message));
    if (applied.length > 0) logger.info({ migrations: applied }, `Applied migrations: ${applied.join(', ')}`);
    const orm = await MikroORM.init(ormConfig(url, replicaOptions(config.replicas.urls), config.database));
    const app = await startApp({ orm, config, logger });
    logger.info({ url: app.url, metricsUrl: app.metricsUrl }, `iTimeline API ready at ${app.url} (HTTP and WebSocket)`);

    let stopping = false;
    /**
     * Readiness first (load balancers stop routing here), then, after `shutdownDelayMs`, stop accepting and
     * let in-flight requests finish, close subscriptions (1001), and only then the database.
     */
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `${signal} received, shutting down`);
      app.health.markShuttingDown();
      await sleep(config.shutdownDelayMs);
      try {
        await app.stop();
        await orm.close();
      } finally {
        await stopEmbedded();
      }
      logger.info('Stopped');
      logger.flush();
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
