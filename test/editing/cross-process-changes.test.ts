import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database';
import { CREATE_EVENT } from '../ingestion/operations';
import { gql, signUp, startServerProcess, type ServerProcess } from '../ingestion/server-process';
import { DELETE_EVENT, UPDATE_EVENT } from './operations';
import { EVENT_REMOVED, EVENT_UPDATED, Feed } from './feed';

/** Two real server processes on one database: an edit on one reaches subscribers on the other (LISTEN/NOTIFY). */
let one: ServerProcess;
let two: ServerProcess;
const feeds: Feed[] = [];

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  [one, two] = await Promise.all([startServerProcess(databaseUrl, 'shared-secret'), startServerProcess(databaseUrl, 'shared-secret')]);
}, 120_000);

afterAll(async () => {
  await Promise.all(feeds.map((feed) => feed.close()));
  await Promise.all([one?.stop(), two?.stop()]);
});

const timeline = async (token: string, input: string) => (await gql(one.url, `mutation { createTimeline(input: { ${input} }) { id } }`, {}, token)).createTimeline.id as string;

describe('eventUpdated and eventRemoved across server processes', () => {
  it('delivers an edit and a delete made on one process to a subscriber on the other; a viewer who may not see the timeline gets nothing', async () => {
    const alice = await signUp(one.url, 'changes_alice');
    const bob = await signUp(two.url, 'changes_bob');
    const community = await timeline(alice.token, 'name: "CrossChanges", type: COMMUNITY, visibility: PRIVATE');
    const event = (await gql(one.url, CREATE_EVENT, { input: { title: 'first draft', timelineId: community } }, alice.token)).createEvent;

    const alices = new Feed(two.url, EVENT_UPDATED, community, alice.token);
    const alicesRemovals = new Feed(two.url, EVENT_REMOVED, community, alice.token);
    const bobs = new Feed(two.url, EVENT_UPDATED, community, bob.token);
    feeds.push(alices, alicesRemovals, bobs);
    await alices.live(
      (i) => gql(one.url, UPDATE_EVENT, { id: event.id, input: { title: `probe ${i}` } }, alice.token),
      (payload) => payload.title.startsWith('probe'),
    );

    await gql(one.url, UPDATE_EVENT, { id: event.id, input: { title: 'final #CrossFinal' } }, alice.token);
    expect(await alices.waitFor((payload) => payload.title === 'final #CrossFinal')).toMatchObject({ id: event.id, tags: ['CrossFinal'] });
    await gql(one.url, DELETE_EVENT, { id: event.id }, alice.token);
    expect(await alicesRemovals.waitFor((payload) => payload.eventId === event.id)).toEqual({ eventId: event.id, timelineId: community });

    await bobs.waitFor(() => false);
    expect(bobs.errors.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(bobs.received).toEqual([]);
  });
});
