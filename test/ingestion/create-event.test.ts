import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { counts, CREATE_EVENT, createEvent, hashtagsNamed, listedOn } from './operations';

const api = useTestApi();

describe('createEvent', () => {
  it('stores the fields, defaults, and tags from explicit tags and inline hashtags in first-seen order', async () => {
    const alice = await newUser(api);
    const before = Date.now();
    const event = await createEvent(api, alice, {
      title: 'Storm over #Valencia',
      description: 'Read https://x.org/#anchor, then #Floods and #valencia again',
      tags: ['#Weather', 'Climate Change'],
      url: 'https://news.example/storm',
    });
    expect(event).toMatchObject({
      title: 'Storm over #Valencia',
      type: 'REMARK',
      url: 'https://news.example/storm',
      mediaUrl: null,
      tags: ['Weather', 'Climate Change', 'Valencia', 'Floods'],
      timeline: null,
      createdBy: { id: alice.id },
    });
    expect(Date.parse(event.eventDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(event.timelines.map((t: { formattedName: string }) => t.formattedName).sort()).toEqual(
      ['#Climate Change', '#Floods', '#Valencia', '#Weather'].sort(),
    );
  });

  it('folds tags like the database: #Straße and STRASSE are one tag, spelled as first seen', async () => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, { title: 'Verkehr #Straße', tags: ['STRASSE', 'ﬁsh', 'FISH'] });
    expect(event.tags).toEqual(['STRASSE', 'fish']);
    expect(await hashtagsNamed(api, 'strasse')).toEqual([{ id: expect.any(Number), name: 'STRASSE' }]);
    expect(event.timelines).toHaveLength(2);
  });

  it('reuses an existing hashtag in any casing, keeps its name, and neither locks nor rewrites it', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const hot = await newTimeline(api, alice, { name: 'HotTopic' });
    const { rows: [before] } = await api.db.query('select xmin::text, name from timeline where id = $1', [hot.id]);
    const first = await createEvent(api, bob, { title: 'one #hottopic' });
    const second = await createEvent(api, bob, { title: 'two', tags: ['HOTTOPIC'] });
    const { rows: [after] } = await api.db.query('select xmin::text, name from timeline where id = $1', [hot.id]);
    expect(after).toEqual(before);
    expect(first.timelines.map((t: { id: string }) => t.id)).toEqual([hot.id]);
    expect(second.timelines.map((t: { id: string }) => t.id)).toEqual([hot.id]);
    expect(await hashtagsNamed(api, 'hottopic')).toHaveLength(1);
  });

  it('resolves tags to hashtag timelines only, never a community or a personal timeline of that name', async () => {
    const alice = await newUser(api);
    const community = await newTimeline(api, alice, { name: 'Climate', type: 'COMMUNITY' });
    const personal = await newTimeline(api, alice, { name: 'Climate', type: 'PERSONAL' });
    const event = await createEvent(api, alice, { title: 'Warming', tags: ['Climate'], timelineId: community.id });
    const [hashtag] = await hashtagsNamed(api, 'Climate');
    expect(hashtag).toBeDefined();
    expect(event.timelines.map((t: { formattedName: string }) => t.formattedName).sort()).toEqual(['#Climate', 'i-Climate']);
    expect(await listedOn(api, personal.id)).toEqual([]);
    expect(await listedOn(api, community.id)).toEqual([Number(event.id)]);
    expect(await listedOn(api, hashtag.id)).toEqual([Number(event.id)]);
  });

  it('lists the event once on each timeline, even when its home is one of its tags', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { name: 'SameHome' });
    const event = await createEvent(api, alice, { title: '#samehome #SAMEHOME', tags: ['SameHome'], timelineId: home.id });
    expect(event.tags).toEqual(['SameHome']);
    expect(event.timelines.map((t: { id: string }) => t.id)).toEqual([home.id]);
    const { rows } = await api.db.query('select count(*)::int as n from event_timeline_refs where event_id = $1', [event.id]);
    expect(rows[0].n).toBe(1);
  });

  it('agrees with Timeline.events: every listed timeline lists the event, with the event date copied', async () => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, { title: 'agree', tags: ['AgreeA', 'AgreeB'], eventDate: '2020-05-01T10:00:00.000Z' });
    expect(event.eventDate).toBe('2020-05-01T10:00:00.000Z');
    for (const timeline of event.timelines) {
      const data = await api.gql(`query($id: ID!) { timeline(id: $id) { events(first: 5) { edges { node { id } } } } }`, { id: timeline.id });
      expect(data.timeline.events.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([event.id]);
    }
    const { rows } = await api.db.query('select distinct event_date::text from event_timeline_refs where event_id = $1', [event.id]);
    expect(rows).toEqual([{ event_date: '2020-05-01 10:00:00' }]);
  });

  it('keeps the tags of an event homed on a personal timeline, but creates and joins no hashtag timeline', async () => {
    const alice = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const event = await createEvent(api, alice, { title: 'private #SecretTopicXyz', timelineId: diary.id });
    expect(event.tags).toEqual(['SecretTopicXyz']);
    expect(event.timelines.map((t: { id: string }) => t.id)).toEqual([diary.id]);
    expect(await hashtagsNamed(api, 'SecretTopicXyz')).toEqual([]);
  });

  it('is NOT_FOUND for a home timeline the caller cannot see or post to, UNAUTHENTICATED when anonymous', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const before = await counts(api);
    expect(errorCode(await api.request(CREATE_EVENT, { input: { title: 'x', timelineId: diary.id, tags: ['NewTagNotFound'] } }, bob.token))).toBe('NOT_FOUND');
    expect(errorCode(await api.request(CREATE_EVENT, { input: { title: 'x', timelineId: '2147483647' } }, bob.token))).toBe('NOT_FOUND');
    expect(errorCode(await api.request(CREATE_EVENT, { input: { title: 'x' } }))).toBe('UNAUTHENTICATED');
    expect(await counts(api)).toEqual(before);
  });

  it.each([
    [{ tags: ['ok', 'i-Climate'] }, 'i-Climate'],
    [{ tags: ['ok', 'my-stuff'] }, 'my-stuff'],
    [{ tags: ['ok', '  '] }, '  '],
    [{ tags: ['x'.repeat(101)] }, 'x'.repeat(101)],
  ])('refuses a bad tag with BAD_USER_INPUT naming it, writing nothing (%#)', async (fields, tag) => {
    const alice = await newUser(api);
    const before = await counts(api);
    const response = await api.request(CREATE_EVENT, { input: { title: 'Bad tag #FreshTagBad', ...fields } }, alice.token);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0].message).toContain(`"${tag}"`);
    expect(await counts(api)).toEqual(before);
    expect(await hashtagsNamed(api, 'FreshTagBad')).toEqual([]);
  });

  it('takes 50 distinct tags (case variants do not count), refuses the 51st by name and writes nothing', async () => {
    const alice = await newUser(api);
    const fifty = Array.from({ length: 50 }, (_, i) => `Fifty${i}`);
    const event = await createEvent(api, alice, { title: 'fifty', tags: [...fifty, ...fifty.map((t) => t.toUpperCase())] });
    expect(event.tags).toEqual(fifty);
    expect(event.timelines).toHaveLength(50);

    const before = await counts(api);
    const response = await api.request(CREATE_EVENT, { input: { title: 'too many #OneTooMany', tags: fifty.map((t) => `${t}x`) } }, alice.token);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0].message).toContain('"OneTooMany"');
    expect(await counts(api)).toEqual(before);
  });

  it('validates type, url and mediaUrl', async () => {
    const alice = await newUser(api);
    const media = await createEvent(api, alice, { title: 'pic', type: 'MEDIA', mediaUrl: 'https://img.example/a.png', url: 'http://example.com/a' });
    expect(media).toMatchObject({ type: 'MEDIA', mediaUrl: 'https://img.example/a.png', url: 'http://example.com/a' });
    const news = await createEvent(api, alice, { title: 'news', type: 'NEWS' });
    expect(news.type).toBe('NEWS');

    const before = await counts(api);
    const refused = [
      { title: '' },
      { title: '   ' },
      { title: 'x'.repeat(201) },
      { title: 'm', type: 'MEDIA' },
      { title: 'u', url: 'javascript:alert(1)' },
      { title: 'u', url: 'data:text/html,<script>alert(1)</script>' },
      { title: 'u', mediaUrl: 'JavaScript:alert(1)' },
      { title: 'u', url: 'ftp://example.com/file' },
      { title: 'u', url: 'not a url' },
      { title: 'u', url: `https://example.com/${'a'.repeat(481)}` },
      { title: 'd', eventDate: 'yesterday' },
    ];
    for (const input of refused) {
      const response = await api.request(CREATE_EVENT, { input }, alice.token);
      expect(errorCode(response), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect(await createEvent(api, alice, { title: 'x'.repeat(200), url: `https://example.com/${'a'.repeat(480)}` })).toBeDefined();
    expect((await counts(api)).events).toBe(before.events + 1);
  });
});
