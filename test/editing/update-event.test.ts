import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { counts, createEvent, hashtagsNamed } from '../ingestion/operations';
import { listingsOf, shareEvent, UPDATE_EVENT, updateEvent } from './operations';

const api = useTestApi();

describe('updateEvent', () => {
  it('keeps omitted fields, clears nullable ones with null, and re-reads inline tags with explicit ones kept', async () => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, {
      title: 'Storm over #Valencia',
      description: 'more #Floods',
      tags: ['Weather'],
      type: 'NEWS',
      url: 'https://news.example/storm',
      eventDate: '2020-05-01T10:00:00.000Z',
    });
    const updated = await updateEvent(api, alice, event.id, { title: 'Storm over #Murcia', url: null });
    expect(updated).toMatchObject({
      id: event.id,
      title: 'Storm over #Murcia',
      description: 'more #Floods',
      type: 'NEWS',
      url: null,
      eventDate: '2020-05-01T10:00:00.000Z',
      tags: ['Weather', 'Murcia', 'Floods'],
    });
    expect(updated.timelines.map((t: { formattedName: string }) => t.formattedName).sort()).toEqual(['#Floods', '#Murcia', '#Weather']);
    expect((await hashtagsNamed(api, 'Valencia')).length).toBe(1);
  });
});

describe('updateEvent: tags and listings', () => {
  it('replaces explicit tags, drops the dropped tags\' listings, keeps the home and the shares, and the hashtag timelines', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { type: 'COMMUNITY', name: 'RetagHome' });
    const elsewhere = await newTimeline(api, alice, { type: 'COMMUNITY', name: 'RetagShared' });
    const event = await createEvent(api, alice, { title: 'retag #RetagInline', tags: ['RetagOld', 'RetagKeep'], timelineId: home.id });
    await shareEvent(api, alice, event.id, elsewhere.id);
    const updated = await updateEvent(api, alice, event.id, { tags: ['retagkeep', '#RetagNew'] });
    expect(updated.tags).toEqual(['retagkeep', 'RetagNew', 'RetagInline']);
    expect((await listingsOf(api, event.id)).map(({ name, kind, sharedBy }) => [name, kind, sharedBy])).toEqual([
      ['RetagHome', 'home', null],
      ['RetagInline', 'tag', null],
      ['RetagKeep', 'tag', null],
      ['RetagNew', 'tag', null],
      ['RetagShared', 'share', alice.id],
    ]);
    expect(await hashtagsNamed(api, 'RetagOld')).toHaveLength(1);
    const none = await updateEvent(api, alice, event.id, { tags: null, title: 'no tags' });
    expect(none.tags).toEqual([]);
    expect((await listingsOf(api, event.id)).map(({ kind }) => kind)).toEqual(['home', 'share']);
  });

  it('keeps a home that is also a tag as the home when the tag is dropped', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { name: 'HomeTagged' });
    const event = await createEvent(api, alice, { title: 'x #HomeTagged', timelineId: home.id });
    expect((await listingsOf(api, event.id)).map(({ name, kind }) => [name, kind])).toEqual([['HomeTagged', 'home']]);
    const updated = await updateEvent(api, alice, event.id, { title: 'untagged' });
    expect(updated.tags).toEqual([]);
    expect(updated.timelines.map((t: { id: string }) => t.id)).toEqual([home.id]);
  });

  it('keeps a personal-home event\'s tags but lists it nowhere else', async () => {
    const alice = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const event = await createEvent(api, alice, { title: 'secret', timelineId: diary.id });
    const updated = await updateEvent(api, alice, event.id, { title: 'secret #DiaryTagXyz', tags: ['DiaryExplicitXyz'] });
    expect(updated.tags).toEqual(['DiaryExplicitXyz', 'DiaryTagXyz']);
    expect(updated.timelines.map((t: { id: string }) => t.id)).toEqual([diary.id]);
    expect(await hashtagsNamed(api, 'DiaryTagXyz')).toEqual([]);
    expect(await hashtagsNamed(api, 'DiaryExplicitXyz')).toEqual([]);
  });

  it('moves a changed eventDate in every page it is listed on, the listings\' copy included', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { type: 'COMMUNITY', name: 'DateHome' });
    const older = await createEvent(api, alice, { title: 'older', tags: ['DateTag'], timelineId: home.id, eventDate: '2021-01-01T00:00:00.000Z' });
    const moving = await createEvent(api, alice, { title: 'moving', tags: ['DateTag'], timelineId: home.id, eventDate: '2020-01-01T00:00:00.000Z' });
    const page = async (id: string) =>
      (await api.gql(`query($id: ID!) { timeline(id: $id) { events(first: 5) { edges { node { title } } } } }`, { id })).timeline.events.edges.map(
        (edge: { node: { title: string } }) => edge.node.title,
      );
    const [tag] = await hashtagsNamed(api, 'DateTag');
    expect(await page(home.id)).toEqual(['older', 'moving']);
    await updateEvent(api, alice, moving.id, { eventDate: '2022-06-01T12:30:00.000Z' });
    expect(await page(home.id)).toEqual(['moving', 'older']);
    expect(await page(String(tag.id))).toEqual(['moving', 'older']);
    expect(new Set((await listingsOf(api, moving.id)).map((listing) => listing.eventDate))).toEqual(new Set(['2022-06-01 12:30:00']));
    expect((await listingsOf(api, older.id)).every((listing) => listing.eventDate === '2021-01-01 00:00:00')).toBe(true);
  });

  it('counts a tag given both explicitly and inline as inline: it follows the text (the event keeps one merged list)', async () => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, { title: 'both #BothWays', tags: ['Explicitly', 'BOTHWAYS'] });
    expect(event.tags).toEqual(['Explicitly', 'BOTHWAYS']);
    expect((await updateEvent(api, alice, event.id, { title: 'now plain' })).tags).toEqual(['Explicitly']);
  });

  it('resolves new tags with the ingestion resolver: folded like the database, reusing any casing, creating one timeline', async () => {
    const alice = await newUser(api);
    await newTimeline(api, alice, { name: 'Straße' });
    const event = await createEvent(api, alice, { title: 'plain' });
    const updated = await updateEvent(api, alice, event.id, { tags: ['STRASSE', 'ﬁsh', 'FISH', 'FreshEditTag'] });
    expect(updated.tags).toEqual(['STRASSE', 'fish', 'FreshEditTag']);
    expect(await hashtagsNamed(api, 'strasse')).toEqual([{ id: expect.any(Number), name: 'Straße' }]);
    expect(await hashtagsNamed(api, 'freshedittag')).toHaveLength(1);
    expect(updated.timelines).toHaveLength(3);
  });
});

describe('updateEvent: refusals write nothing', () => {
  it('is NOT_FOUND for an event the caller cannot see, FORBIDDEN for one they see but did not create, UNAUTHENTICATED anonymous', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const hidden = await createEvent(api, alice, { title: 'hidden', timelineId: secret.id });
    const open = await createEvent(api, alice, { title: 'open' });
    const before = await counts(api);
    expect(errorCode(await api.request(UPDATE_EVENT, { id: hidden.id, input: { title: 'x', tags: ['NeverMadeTag'] } }, bob.token))).toBe('NOT_FOUND');
    expect(errorCode(await api.request(UPDATE_EVENT, { id: '2147483647', input: { title: 'x' } }, bob.token))).toBe('NOT_FOUND');
    expect(errorCode(await api.request(UPDATE_EVENT, { id: open.id, input: { title: 'x', tags: ['NeverMadeTag'] } }, bob.token))).toBe('FORBIDDEN');
    expect(errorCode(await api.request(UPDATE_EVENT, { id: open.id, input: { title: 'x' } }))).toBe('UNAUTHENTICATED');
    expect(await counts(api)).toEqual(before);
    expect(await hashtagsNamed(api, 'NeverMadeTag')).toEqual([]);
  });

  it.each([
    [{ title: null }, '"title"'],
    [{ eventDate: null }, '"eventDate"'],
    [{ type: null }, '"type"'],
    [{ title: '  ' }, 'title'],
    [{ url: 'javascript:alert(1)' }, '"url"'],
    [{ type: 'MEDIA' }, 'mediaUrl'],
    [{ tags: ['ok', 'i-Climate'] }, '"i-Climate"'],
    [{ title: 'bad #my-stuff', tags: ['x'.repeat(101)] }, `"${'x'.repeat(101)}"`],
    [{ tags: Array.from({ length: 51 }, (_, i) => `Many${i}`) }, '"Many50"'],
  ])('refuses %j with BAD_USER_INPUT naming the field or tag, changing nothing', async (input, named) => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, { title: 'stays #StaysTag' });
    const before = await counts(api);
    const listings = await listingsOf(api, event.id);
    const response = await api.request(UPDATE_EVENT, { id: event.id, input: { ...input, description: 'changed #BadEditTag' } }, alice.token);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0].message).toContain(named);
    expect(await counts(api)).toEqual(before);
    expect(await listingsOf(api, event.id)).toEqual(listings);
    const { rows } = await api.db.query('select title, description, tags from event where id = $1', [event.id]);
    expect(rows[0]).toEqual({ title: 'stays #StaysTag', description: null, tags: ['StaysTag'] });
    expect(await hashtagsNamed(api, 'BadEditTag')).toEqual([]);
  });
});
