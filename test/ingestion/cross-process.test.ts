import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BUS_APPLICATION_NAME, MISSED_CHANGES_CLOSE_CODE } from '../../src/events/event-bus';
import { createTestDatabase } from '../support/database';
import { CREATE_EVENT, INGEST_EVENTS } from './operations';
import { gql, signUp, startServerProcess, type ServerProcess } from './server-process';
import { Subscriber } from './subscriber';

/** Two real server processes on one database: an event ingested on one reaches subscribers on the other. */
let databaseUrl: string;
let one: ServerProcess;
let two: ServerProcess;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  [one, two] = await Promise.all([startServerProcess(databaseUrl, 'shared-secret'), startServerProcess(databaseUrl, 'shared-secret')]);
}, 120_000);

afterAll(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('eventAdded across server processes (LISTEN/NOTIFY)', () => {
  it('delivers an event created or ingested on one process to a subscriber on the other, privacy included', async () => {
    const alice = await signUp(one.url, 'cross_alice');
    const bob = await signUp(two.url, 'cross_bob');
    const topic = (await gql(one.url, `mutation { createTimeline(input: { name: "CrossTopic", type: HASHTAG }) { id } }`, {}, alice.token)).createTimeline;
    const secret = (
      await gql(one.url, `mutation { createTimeline(input: { name: "CrossSecret", type: COMMUNITY, visibility: PRIVATE }) { id } }`, {}, alice.token)
    ).createTimeline;

    const onTwo = new Subscriber(two.url, topic.id, bob.token);
    subscribers.push(onTwo);
    await onTwo.live((i) => gql(one.url, CREATE_EVENT, { input: { title: `probe ${i}`, timelineId: topic.id } }, alice.token));

    await gql(one.url, CREATE_EVENT, { input: { title: 'from process one #CrossTopic' } }, alice.token);
    await gql(one.url, CREATE_EVENT, { input: { title: 'members only', tags: ['crosstopic'], timelineId: secret.id } }, alice.token);
    await gql(one.url, INGEST_EVENTS, { inputs: [{ title: 'ingested on one', tags: ['CROSSTOPIC'] }, { title: 'not here', tags: ['Elsewhere'] }] }, alice.token);
    await gql(two.url, CREATE_EVENT, { input: { title: 'from process two', tags: ['CrossTopic'] } }, bob.token);

    await onTwo.waitFor('from process two');
    expect(onTwo.titles()).toEqual(['from process one #CrossTopic', 'ingested on one', 'from process two']);
  });

  it('tells its subscribers, once LISTEN is back, that they may have missed changes (close 4012), then delivers again', async () => {
    const carol = await signUp(one.url, 'cross_carol');
    const topic = (await gql(one.url, `mutation { createTimeline(input: { name: "CrossReconnect", type: HASHTAG }) { id } }`, {}, carol.token)).createTimeline;
    const onOne = new Subscriber(one.url, topic.id, carol.token);
    const onTwo = new Subscriber(two.url, topic.id);
    subscribers.push(onOne, onTwo);
    await onOne.live((i) => gql(one.url, CREATE_EVENT, { input: { title: `probe ${i}`, timelineId: topic.id } }, carol.token));
    await onTwo.live((i) => gql(one.url, CREATE_EVENT, { input: { title: `probe ${i + 100}`, timelineId: topic.id } }, carol.token));

    const admin = new pg.Client(databaseUrl);
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1`,
        [EVENT_BUS_APPLICATION_NAME],
      );
      expect(rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    // Not silent: each open subscription ends with the documented close code once its process listens again.
    await Promise.all([onOne.ended(), onTwo.ended()]);
    expect(onOne.errors).toEqual([{ message: `closed with ${MISSED_CHANGES_CLOSE_CODE}` }]);
    expect(onTwo.errors).toEqual([{ message: `closed with ${MISSED_CHANGES_CLOSE_CODE}` }]);

    // A client that reconnects (and refetches) is live again.
    const again = new Subscriber(two.url, topic.id);
    subscribers.push(again);
    await again.live((i) => gql(one.url, CREATE_EVENT, { input: { title: `probe ${i + 1000}`, timelineId: topic.id } }, carol.token));
    await gql(one.url, CREATE_EVENT, { input: { title: 'after reconnect', tags: ['CrossReconnect'] } }, carol.token);
    expect(await again.waitFor('after reconnect')).toBeDefined();
  });
});
