import { afterEach, describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { createEvent, INGEST_EVENTS } from './operations';
import { Subscriber } from './subscriber';

const api = useTestApi();
const open: Subscriber[] = [];

function subscribe(timelineId: string, token?: string): Subscriber {
  const subscriber = new Subscriber(api.url, timelineId, token);
  open.push(subscriber);
  return subscriber;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((subscriber) => subscriber.close()));
});

describe('eventAdded (graphql-ws on /graphql)', () => {
  it('delivers every event newly listed on the timeline: created there, tagged to it, or ingested in a batch', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const topic = await newTimeline(api, alice, { name: 'LiveTopic' });
    const other = await newTimeline(api, alice, { name: 'LiveOther' });
    const subscriber = subscribe(topic.id, bob.token);
    await subscriber.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: topic.id }));

    await createEvent(api, alice, { title: 'homed here', timelineId: topic.id });
    await createEvent(api, bob, { title: 'tagged #livetopic', timelineId: other.id });
    await createEvent(api, bob, { title: 'elsewhere only', timelineId: other.id });
    await api.gql(INGEST_EVENTS, { inputs: [{ title: 'batch one', tags: ['LIVETOPIC'] }, { title: 'batch two', tags: ['Unrelated'] }] }, bob.token);
    const failed = await api.request(INGEST_EVENTS, { inputs: [{ title: 'rolled back', tags: ['LiveTopic'] }, { title: '' }] }, bob.token);
    expect(failed.errors).toBeDefined();
    await createEvent(api, alice, { title: 'marker', timelineId: topic.id });

    await subscriber.waitFor('marker');
    expect(subscriber.titles()).toEqual(['homed here', 'tagged #livetopic', 'batch one', 'marker']);
    expect(subscriber.errors).toEqual([]);
  });

  it('reads a delivery beyond the event (member counts, listings, creators) once the subscription is set up and its own EntityManager fork let go', async () => {
    const alice = await newUser(api);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const query = `subscription($id: ID!) { eventAdded(timelineId: $id) {
      id title timeline { id memberCount } timelines { name } createdBy { username } } }`;
    const subscriber = new Subscriber(api.url, community.id, alice.token, query);
    open.push(subscriber);
    await subscriber.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: community.id }));
    await createEvent(api, alice, { title: 'beyond', timelineId: community.id, tags: ['BeyondTag'] });
    const delivered = (await subscriber.waitFor('beyond')) as unknown as Record<string, unknown>;
    expect(subscriber.errors).toEqual([]);
    expect(delivered).toMatchObject({
      timeline: { id: community.id, memberCount: 1 },
      createdBy: { username: alice.username },
    });
    expect((delivered.timelines as { name: string }[]).map((t) => t.name).sort()).toEqual(['BeyondTag', community.name].sort());
  });

  it('lets anonymous subscribers follow public timelines', async () => {
    const alice = await newUser(api);
    const topic = await newTimeline(api, alice, { name: 'LiveAnonymous' });
    const subscriber = subscribe(topic.id);
    await subscriber.live((i) => createEvent(api, alice, { title: `probe ${i}`, tags: ['LiveAnonymous'] }));
    await createEvent(api, alice, { title: 'for everyone', tags: ['liveanonymous'] });
    expect(await subscriber.waitFor('for everyone')).toMatchObject({ tags: ['liveanonymous'], timeline: null });
  });

  it('is NOT_FOUND at subscribe for a timeline the subscriber cannot see', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    for (const [id, token] of [[diary.id, bob.token], [secret.id, bob.token], [diary.id, undefined], ['2147483647', bob.token]] as const) {
      const subscriber = subscribe(id, token);
      await subscriber.ended();
      expect(subscriber.errors.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
      expect(subscriber.received).toEqual([]);
    }
  });

  it('delivers a personal timeline to its owner only; others never receive events they may not see', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const topic = await newTimeline(api, alice, { name: 'LivePrivacy' });
    const own = subscribe(diary.id, alice.token);
    const alices = subscribe(topic.id, alice.token);
    const bobs = subscribe(topic.id, bob.token);
    await own.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: diary.id }));
    await alices.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: topic.id }));
    await bobs.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: topic.id }));

    await createEvent(api, alice, { title: 'dear diary #LivePrivacy', timelineId: diary.id });
    // Homed on a private community, listed on the public #LivePrivacy: only its members may see it.
    await createEvent(api, alice, { title: 'members only', tags: ['LivePrivacy'], timelineId: secret.id });
    await createEvent(api, alice, { title: 'public marker', timelineId: topic.id });
    await createEvent(api, alice, { title: 'diary marker', timelineId: diary.id });

    await Promise.all([bobs.waitFor('public marker'), alices.waitFor('public marker'), own.waitFor('diary marker')]);
    expect(bobs.titles()).toEqual(['public marker']);
    expect(alices.titles()).toEqual(['members only', 'public marker']);
    expect(own.titles()).toEqual(['dear diary #LivePrivacy', 'diary marker']);
  });

  it('reports a malformed timeline id as BAD_USER_INPUT, as over HTTP', async () => {
    const subscriber = subscribe('not-an-id');
    await subscriber.ended();
    expect(subscriber.errors.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a token naming no user at connection', async () => {
    const subscriber = subscribe('1', 'not-a-token');
    await subscriber.ended();
    expect(subscriber.received).toEqual([]);
    expect(subscriber.errors).toEqual([{ message: 'closed with 4403' }]);
  });
});
