import { afterEach, describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { createEvent, hashtagsNamed } from '../ingestion/operations';
import { DELETE_EVENT, shareEvent, UNSHARE_EVENT, UPDATE_EVENT, updateEvent } from './operations';
import { EVENT_ADDED_TITLES, EVENT_REMOVED, EVENT_UPDATED, Feed } from './feed';

const api = useTestApi();
const open: Feed[] = [];

function feed(query: string, timelineId: string, token?: string): Feed {
  const subscriber = new Feed(api.url, query, timelineId, token);
  open.push(subscriber);
  return subscriber;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((subscriber) => subscriber.close()));
});

const titled = (title: string) => (payload: Record<string, any>) => payload.title === title;

describe('eventUpdated, eventRemoved and eventAdded for edits, shares and deletes', () => {
  it('announces an edit: updated where it stays, removed where a tag was dropped, added where a new tag lists it', async () => {
    const alice = await newUser(api);
    const stays = await newTimeline(api, alice, { name: 'LiveStays' });
    const dropped = await newTimeline(api, alice, { name: 'LiveDropped' });
    const gained = await newTimeline(api, alice, { name: 'LiveGained' });
    const probe = await createEvent(api, alice, { title: 'probe', tags: ['LiveStays', 'LiveDropped'] });
    const updated = feed(EVENT_UPDATED, stays.id);
    const removed = feed(EVENT_REMOVED, dropped.id);
    const added = feed(EVENT_ADDED_TITLES, gained.id);
    await updated.live((i) => updateEvent(api, alice, probe.id, { title: `probe ${i}` }), (p) => p.title.startsWith('probe'));
    await added.live((i) => createEvent(api, alice, { title: `probe ${i}`, tags: ['LiveGained'] }), (p) => p.title.startsWith('probe'));

    const event = await createEvent(api, alice, { title: 'edited', tags: ['LiveStays', 'LiveDropped'] });
    await removed.live(
      (i) => i === 0 ? updateEvent(api, alice, event.id, { tags: ['LiveStays', 'LiveGained'], title: 'edited again' }) : Promise.resolve(),
      (p) => p.eventId === event.id,
    );
    expect(await updated.waitFor(titled('edited again'))).toMatchObject({ id: event.id, tags: ['LiveStays', 'LiveGained'] });
    expect(await added.waitFor(titled('edited again'))).toMatchObject({ id: event.id });
    expect(removed.received).toEqual([{ eventId: event.id, timelineId: dropped.id }]);
  });

  it('announces a share (added), an unshare and a delete (removed), to subscribers who may see the timeline and the event', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY', name: 'LiveShares' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE', name: 'LiveSecretHome' });
    const added = feed(EVENT_ADDED_TITLES, community.id, bob.token);
    const removed = feed(EVENT_REMOVED, community.id, bob.token);
    await added.live((i) => createEvent(api, alice, { title: `probe ${i}`, timelineId: community.id }), (p) => p.title.startsWith('probe'));
    const marker = await createEvent(api, alice, { title: 'marker', timelineId: community.id });
    await removed.live((i) => (i === 0 ? api.gql(DELETE_EVENT, { id: marker.id }, alice.token) : Promise.resolve()), (p) => p.eventId === marker.id);

    // Homed on a private community bob is not in: shared, unshared and deleted without bob hearing of it.
    const hidden = await createEvent(api, alice, { title: 'hidden', timelineId: secret.id });
    await shareEvent(api, alice, hidden.id, community.id);
    await api.gql(UNSHARE_EVENT, { e: hidden.id, t: community.id }, alice.token);
    const news = await createEvent(api, alice, { title: 'news #LiveSharedNews' });
    await shareEvent(api, alice, news.id, community.id);
    await api.gql(UNSHARE_EVENT, { e: news.id, t: community.id }, alice.token);
    await shareEvent(api, alice, news.id, community.id);
    await api.gql(DELETE_EVENT, { id: news.id }, alice.token);
    const last = await createEvent(api, alice, { title: 'last', timelineId: community.id });
    await api.gql(DELETE_EVENT, { id: last.id }, alice.token);

    await removed.waitFor((p) => p.eventId === last.id);
    await added.waitFor(titled('last'));
    expect(added.received.map((p) => p.title).filter((title) => !title.startsWith('probe'))).toEqual(['marker', 'news #LiveSharedNews', 'news #LiveSharedNews', 'last']);
    expect(removed.received).toEqual([
      { eventId: marker.id, timelineId: community.id },
      { eventId: news.id, timelineId: community.id },
      { eventId: news.id, timelineId: community.id },
      { eventId: last.id, timelineId: community.id },
    ]);
    expect([...added.errors, ...removed.errors]).toEqual([]);
  });

  it('is NOT_FOUND at subscribe for a timeline the subscriber cannot see; failed edits announce nothing', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    for (const query of [EVENT_UPDATED, EVENT_REMOVED]) {
      const refused = feed(query, diary.id, bob.token);
      await refused.waitFor(() => false);
      expect(refused.errors.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    const topic = await newTimeline(api, alice, { name: 'LiveRolledBack' });
    const event = await createEvent(api, alice, { title: 'stays', tags: ['LiveRolledBack'] });
    const updated = feed(EVENT_UPDATED, topic.id);
    await updated.live((i) => updateEvent(api, alice, event.id, { title: `probe ${i}` }), (p) => p.title.startsWith('probe'));
    const failed = await api.request(UPDATE_EVENT, { id: event.id, input: { title: 'rolled back', tags: ['LiveRolledBack', 'i-bad'] } }, alice.token);
    expect(failed.errors).toBeDefined();
    await updateEvent(api, alice, event.id, { title: 'after' });
    await updated.waitFor(titled('after'));
    expect(updated.received.map((p) => p.title).filter((title) => !title.startsWith('probe'))).toEqual(['after']);
    expect(await hashtagsNamed(api, 'bad')).toEqual([]);
  });
});
