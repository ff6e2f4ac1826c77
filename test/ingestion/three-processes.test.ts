import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database';
import { CREATE_EVENT, INGEST_EVENTS } from './operations';
import { gql, startServerProcess, type ServerProcess } from './server-process';
import { Subscriber } from './subscriber';

/**
 * SPEC section 14: any number of API processes share one PostgreSQL. Three processes take concurrent
 * ingestion at once (the race of concurrent-ingestion.test.ts, spread over processes), and a subscriber on
 * each receives every event exactly once.
 */
let databaseUrl: string;
let processes: ServerProcess[] = [];
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  processes = await Promise.all([1, 2, 3].map(() => startServerProcess(databaseUrl, 'shared-secret')));
}, 120_000);

afterAll(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  await Promise.all(processes.map((server) => server.stop()));
});

const casing = (name: string, i: number) => [name, name.toUpperCase(), name.toLowerCase(), `#${name}`][i % 4];

describe('three API processes on one database', () => {
  it('ingest concurrently through all three: one timeline per tag, and every subscriber on every process gets each event once', async () => {
    const users = await Promise.all(
      processes.map(async (server, i) => {
        const data = await gql(server.url, `mutation($u: String!) { signUp(username: $u, password: "correct horse battery") { token } }`, { u: `trio_${i}` });
        return data.signUp.token as string;
      }),
    );
    const topic = (await gql(processes[0].url, `mutation { createTimeline(input: { name: "TrioTopic", type: HASHTAG }) { id } }`, {}, users[0])).createTimeline;
    for (const [i, server] of processes.entries()) {
      const subscriber = new Subscriber(server.url, topic.id);
      subscribers.push(subscriber);
      // Probes published on the next process, so each subscriber is shown live across processes.
      const next = processes[(i + 1) % processes.length];
      await subscriber.live((n) => gql(next.url, CREATE_EVENT, { input: { title: `probe ${n}`, timelineId: topic.id } }, users[0]));
    }

    const fresh = ['TrioAlpha', 'TrioBeta', 'TrioStraße'];
    const calls = Array.from({ length: 60 }, (_, i) => {
      const server = processes[i % 3];
      const token = users[(i + 1) % 3];
      const tags = [...(i % 2 ? fresh : [...fresh].reverse()).map((tag, j) => casing(tag, i + j)), casing('TrioTopic', i), ...(i % 7 === 0 ? ['TRIOSTRASSE'] : [])];
      return i % 4 === 3
        ? gql(server.url, INGEST_EVENTS, { inputs: [{ title: `trio ${i}a`, tags }, { title: `trio ${i}b #TrioTopic` }] }, token)
        : gql(server.url, CREATE_EVENT, { input: { title: `trio ${i}`, tags } }, token);
    });
    const results = await Promise.allSettled(calls);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const expected = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? [`trio ${i}a`, `trio ${i}b #TrioTopic`] : [`trio ${i}`])).flat().sort();

    const db = new pg.Client(databaseUrl);
    await db.connect();
    try {
      const { rows } = await db.query(
        `select upper(name collate "und-x-icu") as folded, count(*)::int as n from timeline
         where timeline_type = 'hashtag' and upper(name collate "und-x-icu") like 'TRIO%' group by 1 order by 1`,
      );
      expect(rows).toEqual(['TRIOALPHA', 'TRIOBETA', 'TRIOSTRASSE', 'TRIOTOPIC'].map((folded) => ({ folded, n: 1 })));
    } finally {
      await db.end();
    }

    for (const started = Date.now(); Date.now() - started < 20_000; await sleep(50)) {
      if (subscribers.every((subscriber) => subscriber.titles().length >= expected.length)) break;
    }
    await sleep(300); // anything delivered twice would arrive now
    for (const subscriber of subscribers) {
      expect(subscriber.errors).toEqual([]);
      expect(subscriber.titles().sort()).toEqual(expected);
    }
  });
});
