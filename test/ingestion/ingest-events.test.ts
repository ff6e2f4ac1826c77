import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/server/context';
import { contextDeps, errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { counts, hashtagsNamed, INGEST_EVENTS } from './operations';

const api = useTestApi();

describe('ingestEvents', () => {
  it('ingests a batch in input order, resolving shared tags once', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { name: 'FeedHome', type: 'COMMUNITY' });
    const inputs = [
      { title: 'first #BatchShared', tags: ['BatchOne'], timelineId: home.id },
      { title: 'second', tags: ['batchshared', 'BATCHONE', 'BatchTwo'], type: 'NEWS', url: 'https://feed.example/2' },
      { title: 'third #BATCHSHARED', eventDate: '2001-02-03T04:05:06.000Z' },
    ];
    const { ingestEvents: events } = await api.gql(INGEST_EVENTS, { inputs }, alice.token);
    expect(events.map((e: { title: string }) => e.title)).toEqual(['first #BatchShared', 'second', 'third #BATCHSHARED']);
    expect(events.map((e: { tags: string[] }) => e.tags)).toEqual([['BatchOne', 'BatchShared'], ['batchshared', 'BATCHONE', 'BatchTwo'], ['BATCHSHARED']]);
    const [shared] = await hashtagsNamed(api, 'batchshared');
    expect(shared.name).toBe('BatchShared');
    expect(events.map((e: { timelines: { id: string }[] }) => e.timelines.some((t) => Number(t.id) === shared.id))).toEqual([true, true, true]);
    expect(events[0].timeline).toEqual({ id: home.id });
    expect(events[2].eventDate).toBe('2001-02-03T04:05:06.000Z');
    expect(await hashtagsNamed(api, 'BatchOne')).toHaveLength(1);
  });

  it('is all or nothing: one bad input fails the call with its index and writes nothing', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const bobsDiary = await newTimeline(api, bob, { type: 'PERSONAL' });
    const good = (i: number) => ({ title: `good ${i}`, tags: [`AllOrNothing${i}`] });
    const before = await counts(api);
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'bad', tags: ['i-Community'] }, 'BAD_USER_INPUT'],
      [{ title: 'bad', url: 'javascript:alert(1)' }, 'BAD_USER_INPUT'],
      [{ title: 'bad', type: 'MEDIA' }, 'BAD_USER_INPUT'],
      [{ title: 'bad', timelineId: bobsDiary.id }, 'NOT_FOUND'],
      [{ title: 'bad', tags: Array.from({ length: 51 }, (_, i) => `Many${i}`) }, 'BAD_USER_INPUT'],
    ];
    for (const [bad, code] of cases) {
      const response = await api.request(INGEST_EVENTS, { inputs: [good(0), good(1), good(2), bad, good(4)] }, alice.token);
      expect(errorCode(response), JSON.stringify(bad)).toBe(code);
      expect(response.errors![0].extensions!.index).toBe(3);
      expect(response.errors![0].message).toContain('inputs[3]');
    }
    expect(await counts(api)).toEqual(before);
    expect(await hashtagsNamed(api, 'AllOrNothing0')).toEqual([]);
  });

  it('names the first bad input when several are bad', async () => {
    const alice = await newUser(api);
    const response = await api.request(INGEST_EVENTS, { inputs: [{ title: 'ok' }, { title: '' }, { title: 'x', tags: ['my-x'] }] }, alice.token);
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 1 });
  });

  it('takes up to 100 events and refuses 101; an empty batch is a no-op', async () => {
    const alice = await newUser(api);
    const hundred = Array.from({ length: 100 }, (_, i) => ({ title: `bulk ${i}`, tags: [`Bulk${i % 10}`, 'BulkAll'] }));
    const { ingestEvents } = await api.gql(INGEST_EVENTS, { inputs: hundred }, alice.token);
    expect(ingestEvents).toHaveLength(100);
    const [all] = await hashtagsNamed(api, 'BulkAll');
    const { rows } = await api.db.query('select count(*)::int as n from event_timeline_refs where timeline_id = $1', [all.id]);
    expect(rows[0].n).toBe(100);

    const response = await api.request(INGEST_EVENTS, { inputs: [...hundred, { title: 'one more' }] }, alice.token);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect((await api.gql(INGEST_EVENTS, { inputs: [] }, alice.token)).ingestEvents).toEqual([]);
    expect(errorCode(await api.request(INGEST_EVENTS, { inputs: [{ title: 'x' }] }))).toBe('UNAUTHENTICATED');
  });

  it('resolves all tags of a batch in a constant number of statements, however many events and tags', async () => {
    const alice = await newUser(api);
    await newTimeline(api, alice, { name: 'StmtExisting' });
    const deps = contextDeps(api.orm);
    const statements = async (size: number, prefix: string) => {
      const context = await createContext(deps, `Bearer ${alice.token}`);
      const inputs = Array.from({ length: size }, (_, i) => ({ title: `n ${i} #${prefix}${i}`, tags: ['StmtExisting', `${prefix}Shared`, `${prefix}x${i}`] }));
      const before = context.statements.count;
      await context.events.ingestEvents(inputs);
      return context.statements.count - before;
    };
    const small = await statements(2, 'StmtSmall');
    const large = await statements(100, 'StmtLarge');
    expect(large).toBe(small);
    // Fold and find, insert the missing ones, insert the events with their listings and notifications.
    expect(large).toBe(3);
    // Every tag known: fold and find, then the insert alone.
    expect(await statements(100, 'StmtLarge')).toBe(2);
  });
});
