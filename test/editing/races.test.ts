import { describe, expect, it } from 'vitest';
import { useTestApi, type GraphQLResponse } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { createEvent } from '../ingestion/operations';
import { DELETE_EVENT, inconsistentEvents, SHARE_EVENT, UPDATE_EVENT } from './operations';

const api = useTestApi();

/** Every error code of the responses; the races must produce none but those listed. */
const codes = (responses: GraphQLResponse[]) => responses.flatMap((response) => (response.errors ?? []).map((error) => error.extensions?.code));

/**
 * Concurrent changes of one event serialise on its row lock (SPEC section 11). Each test fails without it: stale
 * reads leave listings that no longer match the tags, or a listing is written for an event being deleted (a
 * foreign key violation, reaching the caller as an internal error).
 */
describe('concurrent changes of one event', () => {
  it('concurrent edits: the final listings match the final tags', async () => {
    const alice = await newUser(api);
    const events = await Promise.all([1, 2, 3, 4].map((i) => createEvent(api, alice, { title: `edited ${i}`, tags: ['EditRaceBase'] })));
    const tagSets = [['EditRaceA', 'EditRaceB'], ['EditRaceC'], ['EditRaceB', 'EditRaceD', 'EditRaceE'], [], ['EditRaceA']];
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all(
        events.flatMap((event) =>
          tagSets.map((tags, i) => api.request(UPDATE_EVENT, { id: event.id, input: { tags, title: `round ${round} #EditRaceInline${(round + i) % 3}` } }, alice.token)),
        ),
      );
      expect(codes(responses)).toEqual([]);
      expect(await inconsistentEvents(api, events.map((event) => event.id))).toEqual([]);
    }
  });

  it('edits racing deletes: nothing is listed for a deleted event, every loser is NOT_FOUND', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const events = await Promise.all(Array.from({ length: 24 }, (_, i) => createEvent(api, alice, { title: `doomed ${i}`, tags: ['DoomRaceOld'], timelineId: home.id })));
    const responses = await Promise.all(
      events.flatMap((event, i) => {
        const edit = api.request(UPDATE_EVENT, { id: event.id, input: { tags: [`DoomRaceNew${i % 4}`, 'DoomRaceShared'], eventDate: '2024-01-01T00:00:00.000Z' } }, alice.token);
        const remove = api.request(DELETE_EVENT, { id: event.id }, alice.token);
        return i % 2 === 0 ? [edit, remove] : [remove, edit];
      }),
    );
    expect(codes(responses).filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    expect(responses.filter((response) => response.data?.deleteEvent)).toHaveLength(events.length);
    const { rows } = await api.db.query('select count(*)::int as n from event_timeline_refs where event_id = any($1::int[])', [events.map((e) => e.id)]);
    expect(rows[0].n).toBe(0);
  });

  it('shares racing deletes: nothing is listed for a deleted event, every loser is NOT_FOUND', async () => {
    const alice = await newUser(api);
    const communities = await Promise.all([1, 2, 3].map(() => newTimeline(api, alice, { type: 'COMMUNITY' })));
    const events = await Promise.all(Array.from({ length: 24 }, (_, i) => createEvent(api, alice, { title: `shared ${i}`, tags: ['ShareRace'] })));
    const responses = await Promise.all(
      events.flatMap((event, i) => {
        const shares = communities.map((community) => api.request(SHARE_EVENT, { e: event.id, t: community.id }, alice.token));
        const remove = api.request(DELETE_EVENT, { id: event.id }, alice.token);
        return i % 2 === 0 ? [...shares, remove] : [remove, ...shares];
      }),
    );
    expect(codes(responses).filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    const { rows } = await api.db.query('select count(*)::int as n from event_timeline_refs where event_id = any($1::int[])', [events.map((e) => e.id)]);
    expect(rows[0].n).toBe(0);
  });
});
