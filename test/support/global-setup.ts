import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres';
import { databaseUrl, migrateDatabase } from '../../src/db/migrate';

export const TEMPLATE_DATABASE = 'itimeline_template';

let server: EmbeddedDatabase | undefined;
let root: string | undefined;

/**
 * One embedded PostgreSQL for the whole run, migrated once into a template database; each test file
 * clones the template (`test/support/database.ts`), so files run in parallel on databases of their own.
 */
export async function setup(project: TestProject): Promise<void> {
  try {
    await startDatabase(project);
  } catch (error) {
    // vitest reports a failed global setup but still exits 0: make the run fail for real.
    console.error('Test database setup failed:', error);
    await teardown();
    process.exit(1);
  }
}

async function startDatabase(project: TestProject): Promise<void> {
  root = mkdtempSync(join(tmpdir(), 'itimeline-test-'));
  server = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), persistent: false, settings: { max_connections: '300' } });
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  await migrateDatabase(databaseUrl(server.url, TEMPLATE_DATABASE));
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
