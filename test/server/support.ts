import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { DatabaseTimeouts } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import { startApp, type AppOptions } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { postGraphQL, TEST_CONFIG, type TestApi } from '../support/api';
import { createTestDatabase } from '../support/database';

export type LogLine = Record<string, any> & { level: number; msg: string };

/** A `TestApi` (so the factories take it) that also keeps every line the server logged, parsed. */
export interface TestServer extends TestApi {
  logs: LogLine[];
}

export interface ServerOverrides {
  config?: Partial<AppOptions['config']>;
  plugins?: AppOptions['plugins'];
  logLevel?: string;
  timeouts?: DatabaseTimeouts;
}

/** The real server on a database of its own, like `useTestApi`, with settings and logs of this test's choosing. */
export async function startTestServer(overrides: ServerOverrides = {}): Promise<TestServer> {
  const url = await createTestDatabase();
  const logs: LogLine[] = [];
  const orm = await MikroORM.init(ormConfig(url, {}, overrides.timeouts));
  const logger = createLogger(overrides.logLevel ?? 'info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const app = await startApp({ orm, logger, config: { ...TEST_CONFIG, ...overrides.config }, plugins: overrides.plugins });
  const db = new pg.Client(url);
  await db.connect();
  const request: TestServer['request'] = (query, variables, token) => postGraphQL(app.url, query, variables, token);
  const gql: TestServer['gql'] = async (query, variables, token) => {
    const response = await request(query, variables, token);
    if (response.errors?.length) throw new Error(`Unexpected GraphQL errors: ${JSON.stringify(response.errors)}`);
    return response.data as any;
  };
  return { url: app.url, databaseUrl: url, app, orm, db, logs, request, gql };
}

export async function stopTestServer(server: TestServer | undefined): Promise<void> {
  await server?.app.stop();
  await server?.orm.close(true);
  await server?.db.end();
}

/** `startTestServer` for the whole file. */
export function useTestServer(overrides: ServerOverrides = {}): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer(overrides));
  });
  afterAll(() => stopTestServer(server));
  return server;
}

export interface WsOutcome {
  /** `next` payloads, then the `error` payload if the operation failed. */
  results: any[];
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  /** Set when the server closed the socket before the operation completed. */
  closeCode?: number;
}

/** Runs one operation over graphql-ws (the `graphql-transport-ws` protocol), by hand to see every message and close code. */
export function wsOperation(httpUrl: string, query: string, options: { token?: string; variables?: Record<string, unknown> } = {}): Promise<WsOutcome> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const outcome: WsOutcome = { results: [] };
  let done = false;
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: options.token ? { authorization: `Bearer ${options.token}` } : {} }));
    });
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: options.variables } }));
      } else if (message.type === 'next') {
        outcome.results.push(message.payload);
      } else if (message.type === 'error' || message.type === 'complete') {
        if (message.type === 'error') outcome.errors = message.payload;
        done = true;
        socket.close(1000);
        resolve(outcome);
      }
    });
    socket.on('close', (code) => {
      if (done) return;
      outcome.closeCode = code;
      resolve(outcome);
    });
  });
}

/** `body` as the server answered it, with its HTTP status. */
export async function rawRequest(url: string, init: RequestInit): Promise<{ status: number; text: string; json?: any; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}
