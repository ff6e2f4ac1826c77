import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres';
import { databaseUrl, migrateDatabase } from '../../src/db/migrate';
import { ormConfig } from '../../src/db/orm-config';
import { startApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { postGraphQL, TEST_CONFIG } from '../support/api';

/** Short waits, so that an outage shows within the test's patience; the point is that they are bounded. */
const TIMEOUTS = { statementTimeoutMs: 5000, connectTimeoutMs: 1000, acquireTimeoutMs: 1500 };
const CREATE = 'mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id name } }';
const UNAVAILABLE = 'The database is unavailable; try again shortly';
const WRITERS = 4;

const dir = mkdtempSync(join(tmpdir(), 'itimeline-outage-'));
let database: EmbeddedDatabase;
let url: string;
let orm: MikroORM;
let app: App;

beforeAll(async () => {
  database = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: true });
  const admin = new pg.Client(database.url);
  await admin.connect();
  await admin.query('create database outage');
  await admin.end();
  url = databaseUrl(database.url, 'outage');
  await migrateDatabase(url, () => undefined);
  orm = await MikroORM.init(ormConfig(url, {}, TIMEOUTS));
  app = await startApp({ orm, config: TEST_CONFIG, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await orm?.close(true);
  await database?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls until `check` holds, at most `attempts` times. */
async function until(check: () => Promise<boolean> | boolean, attempts = 300, pauseMs = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(pauseMs);
  }
  throw new Error('condition not reached');
}

const readyStatus = async () => (await fetch(new URL('/readyz', app.url))).status;

describe('a database outage under load', () => {
  it('fails requests fast and clearly, turns unready, recovers by itself and loses no acknowledged write', async () => {
    const signUp = await postGraphQL<any>(app.url, 'mutation { signUp(username: "outage_writer", password: "long enough password") { token } }');
    const token = signUp.data.signUp.token as string;
    const acknowledged: string[] = [];
    const failures: { message: string; code: unknown }[] = [];
    let running = true;
    let sequence = 0;

    const writer = async (id: number) => {
      for (let i = 0; running && i < 5000; i++) {
        const name = `Outage ${id}-${++sequence}`;
        const response = await postGraphQL<any>(app.url, CREATE, { input: { name, type: 'COMMUNITY' } }, token);
        if (response.data?.createTimeline?.name === name) acknowledged.push(name);
        else {
          failures.push({ message: response.errors?.[0]?.message ?? '', code: response.errors?.[0]?.extensions?.code });
          await sleep(20);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, id) => writer(id));

    await until(() => acknowledged.length >= 20);
    expect(failures).toEqual([]);
    await database.stop();

    // Requests fail instead of hanging (each within the connect/acquire timeouts), saying why.
    const during = await postGraphQL<any>(app.url, CREATE, { input: { name: 'During outage', type: 'COMMUNITY' } }, token);
    expect(during.errors?.[0]).toMatchObject({ message: UNAVAILABLE, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    await until(async () => (await readyStatus()) === 503);
    await until(() => failures.length >= WRITERS);

    database = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: true, port: database.port });
    await until(async () => (await readyStatus()) === 200);
    const afterRestart = acknowledged.length;
    await until(() => acknowledged.length >= afterRestart + 20);
    running = false;
    await Promise.all(writers);

    for (const failure of failures) expect(failure).toEqual({ message: UNAVAILABLE, code: 'INTERNAL_SERVER_ERROR' });
    const db = new pg.Client(url);
    await db.connect();
    try {
      const { rows } = await db.query('select count(*)::int as n from timeline where name = any($1)', [acknowledged]);
      expect(rows[0].n).toBe(acknowledged.length);
    } finally {
      await db.end();
    }
  }, 180_000);
});
