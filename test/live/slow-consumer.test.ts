import { MikroORM } from '@mikro-orm/postgresql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/orm-config';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../src/events/event-bus';
import { MAX_EVENT_DESCRIPTION_LENGTH } from '../../src/events/event-input';
import { startApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { postGraphQL, TEST_CONFIG } from '../support/api';
import { createTestDatabase } from '../support/database';
import { Subscriber } from '../ingestion/subscriber';

// Above a burst of one `ingestEvents` (100 events at once), which a reading client takes in its stride.
const CAPACITY = 150;
// Fifteen copies of a 10,000-character description per event: the stalled client's socket buffers fill quickly.
const BULKY = `subscription($id: ID!) { eventAdded(timelineId: $id) { title ${Array.from({ length: 15 }, (_, i) => `d${i}: description`).join(' ')} } }`;

let orm: MikroORM;
let app: App;

beforeAll(async () => {
  orm = await MikroORM.init(ormConfig(await createTestDatabase()));
  app = await startApp({ orm, config: { ...TEST_CONFIG, subscriptionQueueCapacity: CAPACITY }, logger: createLogger('silent') });
});

afterAll(async () => {
  await app?.stop();
  await orm?.close(true);
});

async function gql(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await postGraphQL<any>(app.url, query, variables, token);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data;
}

/** A graphql-ws client by hand, so that it can stop reading its socket. */
class StalledClient {
  readonly socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  readonly titles: string[] = [];
  readonly closed: Promise<number>;

  constructor(timelineId: string) {
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
    this.socket.on('open', () => this.socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    this.socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { eventAdded: { title: string } } } };
      if (message.type === 'connection_ack') {
        this.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: BULKY, variables: { id: timelineId } } }));
      }
      if (message.type === 'next') this.titles.push(message.payload!.data!.eventAdded.title);
    });
  }
}

describe('a subscriber that stops reading (SPEC section 13)', () => {
  it(`is closed with ${SLOW_CONSUMER_CLOSE_CODE} once its queue is full; a subscriber beside it gets every event`, async () => {
    const { token } = (await gql(`mutation { signUp(username: "slow_alice", password: "correct horse battery") { token } }`, {})).signUp;
    const topic = (await gql(`mutation { createTimeline(input: { name: "SlowTopic", type: HASHTAG }) { id } }`, {}, token)).createTimeline;
    const post = (title: string) => gql(`mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`, { i: { title, timelineId: topic.id } }, token);

    const reader = new Subscriber(app.url, topic.id);
    await reader.live((i) => post(`probe ${i}`));
    const stalled = new StalledClient(topic.id);
    for (let i = 0; stalled.titles.length === 0; i++) {
      await post(`stall probe ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stalled.socket.pause();

    const description = 'x'.repeat(MAX_EVENT_DESCRIPTION_LENGTH);
    const batches = 5;
    for (let batch = 0; batch < batches; batch++) {
      const inputs = Array.from({ length: 100 }, (_, i) => ({ title: `bulk ${batch * 100 + i}`, description, timelineId: topic.id }));
      await gql(`mutation($inputs: [CreateEventInput!]!) { ingestEvents(inputs: $inputs) { id } }`, { inputs }, token);
    }
    await reader.waitFor(`bulk ${batches * 100 - 1}`);
    expect(reader.titles().filter((title) => title.startsWith('bulk '))).toEqual(Array.from({ length: batches * 100 }, (_, i) => `bulk ${i}`));

    // Reading again, the stalled client finds what was sent before its queue overflowed, then the close.
    stalled.socket.resume();
    expect(await stalled.closed).toBe(SLOW_CONSUMER_CLOSE_CODE);
    const bulk = stalled.titles.filter((title) => title.startsWith('bulk '));
    expect(bulk.length).toBeLessThan(batches * 100);
    expect(bulk).toEqual(Array.from({ length: bulk.length }, (_, i) => `bulk ${i}`));

    // The reader is unaffected: still open and live.
    await post('after the close');
    expect(await reader.waitFor('after the close')).toBeDefined();
    expect(reader.completed).toBe(false);
    await reader.close();
  }, 120_000);
});
