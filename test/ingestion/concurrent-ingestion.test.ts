import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { CREATE_EVENT, hashtagsNamed } from './operations';

const api = useTestApi();

/** `name` in the i-th of several casings. */
const casing = (name: string, i: number) => [name, name.toUpperCase(), name.toLowerCase(), `#${name}`][i % 4];

describe('concurrent ingestion (SPEC section 6: race-free)', () => {
  it('96 concurrent createEvent calls on shared new tags in any casing and order, plus hot tags: all succeed, one timeline per tag', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 8; i++) users.push(await newUser(api));
    const hot = [await newTimeline(api, users[0], { name: 'RaceHotOne' }), await newTimeline(api, users[0], { name: 'RaceHotTwo' })];
    const { rows: hotBefore } = await api.db.query('select id, xmin::text, name from timeline where id = any($1::int[]) order by id', [hot.map((t) => t.id)]);
    const fresh = ['RaceAlpha', 'RaceBeta', 'RaceGamma', 'RaceDelta', 'RaceStraße'];

    const inputs = Array.from({ length: 96 }, (_, i) => {
      const shared = i % 2 === 0 ? fresh : [...fresh].reverse();
      const tags = shared.map((tag, j) => casing(tag, i + j));
      if (i % 3 === 0) tags.push(casing('RaceHotOne', i));
      if (i % 5 === 0) tags.push('RACEHOTTWO');
      if (i % 7 === 0) tags.push('RACESTRASSE');
      return { title: `race ${i} #RaceInline${i % 4}`, tags };
    });
    const responses = await Promise.all(inputs.map((input, i) => api.request(CREATE_EVENT, { input }, users[i % users.length].token)));

    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    const events = responses.map((response) => response.data!.createEvent as { id: string; tags: string[]; timelines: { id: string }[] });

    for (const tag of [...fresh, 'RaceInline0', 'RaceInline1', 'RaceInline2', 'RaceInline3']) {
      expect(await hashtagsNamed(api, tag), tag).toHaveLength(1);
    }
    const { rows: hotAfter } = await api.db.query('select id, xmin::text, name from timeline where id = any($1::int[]) order by id', [hot.map((t) => t.id)]);
    expect(hotAfter).toEqual(hotBefore);

    // Every event is listed on the hashtag timeline of each of its tags, and on nothing else.
    const { rows } = await api.db.query(
      `select e.id::text as id, array_agg(r.timeline_id::text order by r.timeline_id) as listed,
         array(select t.id::text from unnest(e.tags) as tag join timeline t
               on upper(t.name collate "und-x-icu") = upper(tag collate "und-x-icu") and t.timeline_type = 'hashtag' order by t.id) as tagged
       from event e join event_timeline_refs r on r.event_id = e.id
       where e.id = any($1::int[]) group by e.id`,
      [events.map((event) => event.id)],
    );
    expect(rows).toHaveLength(96);
    for (const row of rows) expect(row.listed, row.id).toEqual(row.tagged);
    for (const event of events) {
      expect(event.tags).toHaveLength(new Set(event.tags.map((t) => t.toUpperCase().replace('ß', 'SS'))).size);
      expect(event.timelines).toHaveLength(event.tags.length);
    }
  });
});
