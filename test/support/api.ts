import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import type { ContextDeps } from '../../src/server/context';
import { SessionGuard } from '../../src/users/session-guard';
import { startApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { createTestDatabase } from './database';

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown }; path?: (string | number)[] }[];
}

export interface TestApi {
  url: string;
  /** The test file's own database. */
  databaseUrl: string;
  /** A plain connection to the test database, for seeding and for asserting what was written. */
  db: pg.Client;
  orm: MikroORM;
  app: App;
  /** Runs an operation over HTTP; `token` signs it. */
  request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** Like `request`, but fails the test on any GraphQL error. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
}

export const TEST_CONFIG = {
  host: '127.0.0.1',
  port: 0,
  jwtSecret: 'test-secret',
  tokenTtlSeconds: 3600,
  production: false,
  reportStatementCount: true,
  // Every test signs its users up from 127.0.0.1; test/api/accounts.test.ts sets limits of its own.
  accounts: { ...DEFAULT_ACCOUNT_SETTINGS, signUpPerAddress: { limit: 0, windowSeconds: 3600 } },
};

/** What `createContext` needs, for tests that build an operation's context in-process (no event bus: no session cache). */
export function contextDeps(orm: MikroORM): ContextDeps {
  return { orm, tokens: TEST_CONFIG, sessions: new SessionGuard(orm, undefined), accounts: TEST_CONFIG.accounts };
}

/**
 * The real server, in-process, on a database of this test file's own (a clone of the migrated template).
 * Call at the top of a test file; the returned object is filled in `beforeAll`.
 */
export function useTestApi(): TestApi {
  const api = {} as TestApi;
  beforeAll(async () => {
    const url = await createTestDatabase();
    api.databaseUrl = url;
    api.orm = await MikroORM.init(ormConfig(url));
    api.app = await startApp({ orm: api.orm, config: TEST_CONFIG, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
    api.url = api.app.url;
    api.db = new pg.Client(url);
    await api.db.connect();
    api.request = (query, variables, token) => postGraphQL(api.url, query, variables, token);
    api.gql = async (query, variables, token) => {
      const response = await api.request(query, variables, token);
      if (response.errors?.length) throw new Error(`Unexpected GraphQL errors: ${JSON.stringify(response.errors)}`);
      return response.data as any;
    };
  });
  afterAll(async () => {
    await api.app?.stop();
    await api.orm?.close(true);
    await api.db?.end();
  });
  return api;
}

export async function postGraphQL<T>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** The single error code of a response that must have failed. */
export function errorCode(response: GraphQLResponse): string | undefined {
  if (!response.errors?.length) throw new Error(`Expected an error, got ${JSON.stringify(response.data)}`);
  return response.errors[0].extensions?.code;
}
