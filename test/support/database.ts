import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { databaseUrl } from '../../src/db/migrate';

const TEMPLATE_DATABASE = 'itimeline_template';

/** The test run's PostgreSQL server (maintenance database). */
export function serverUrl(): string {
  return inject('postgresUrl');
}

/** A fresh database for one test file: a clone of the migrated template, or empty with `{ empty: true }`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(serverUrl());
  await admin.connect();
  try {
    await admin.query(options.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(serverUrl(), name);
}
