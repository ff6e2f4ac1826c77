import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { projectRoot } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { databaseUrl } from '../../src/db/migrate';
import { postGraphQL } from '../support/api';

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'itimeline-shutdown-'));
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` with its own embedded PostgreSQL under `dataDir`, its JSON log lines collected. */
async function startService() {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', JWT_SECRET: 'shutdown-test', SHUTDOWN_DELAY_MS: '3000', LOG_LEVEL: 'info', NODE_OPTIONS: '' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const logs: any[] = [];
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      expect(line).toMatch(/^\{.*\}$/); // every line is JSON
      const entry = JSON.parse(line);
      logs.push(entry);
      if (entry.url) resolve(entry.url);
    });
  });
  return { child, url, logs, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
}

async function openSubscriptionSocket(url: string): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  const [ack] = await once(socket, 'message');
  expect(JSON.parse(String(ack)).type).toBe('connection_ack');
  return { closed };
}

/** Starts the service's stopped cluster again, just to count what it committed. */
async function committedTimelines(name: string): Promise<number> {
  const cluster = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true });
  const client = new pg.Client(databaseUrl(cluster.url, 'itimeline'));
  await client.connect();
  try {
    const { rows } = await client.query('select count(*)::int as n from timeline where name = $1', [name]);
    return rows[0].n;
  } finally {
    await client.end();
    await cluster.stop();
  }
}

describe('SIGTERM', () => {
  it('turns unready, finishes the request in flight, closes sockets with 1001, stops the database, exits 0', async () => {
    const service = await startService();
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const port = readFileSync(pidFile, 'utf8').split('\n')[3];
    const db = new pg.Client(`postgres://postgres:postgres@127.0.0.1:${port}/itimeline`);
    db.on('error', () => undefined); // the service's shutdown terminates this session too
    await db.connect();
    try {
      const readyz = new URL('/readyz', service.url).toString();
      expect((await fetch(readyz)).status).toBe(200);
      const signUp = await postGraphQL<any>(service.url, 'mutation { signUp(username: "closing_user", password: "long enough password") { token } }');
      const token = signUp.data.signUp.token;
      const socket = await openSubscriptionSocket(service.url);

      // Hold the mutation open: its insert waits for this lock until the signal has been sent.
      await db.query('begin');
      await db.query('lock table timeline in exclusive mode');
      const mutation = postGraphQL<any>(service.url, 'mutation { createTimeline(input: { name: "Closing", type: COMMUNITY }) { id name } }', {}, token);
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`);
        if (rows[0].n > 0) break;
        await sleep(50);
      }

      service.child.kill("SIGTERM");
      let status = 200;
      for (let i = 0; i < 200 && status === 200; i++) {
        status = (await fetch(readyz)).status;
        if (status === 200) await sleep(20);
      }
      expect(status).toBe(503);
      await db.query('commit');

      const response = await mutation;
      expect(response.errors).toBeUndefined();
      expect(response.data.createTimeline.name).toBe('Closing');
      expect(await socket.closed).toBe(1001);
      const [code] = await service.exited;
      expect(code).toBe(0);
      // PostgreSQL removes its pid file on a clean shutdown.
      expect(existsSync(pidFile)).toBe(false);
      expect(await committedTimelines('Closing')).toBe(1);
      expect(service.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['SIGTERM received, shutting down', 'Stopped']));
    } finally {
      await db.end().catch(() => undefined);
    }
  }, 120_000);
});
