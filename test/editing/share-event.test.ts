import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { counts, createEvent } from '../ingestion/operations';
import { listingsOf, SHARE_EVENT, shareEvent, UNSHARE_EVENT } from './operations';

const api = useTestApi();

const JOIN = `mutation($id: ID!) { joinTimeline(id: $id) { state } }`;
const SET_ROLE = `mutation($t: ID!, $u: ID!, $r: MemberRole!) { setMemberRole(timelineId: $t, userId: $u, role: $r) { role } }`;
const ADD_VIEWER = `mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id } }`;

async function member(admin: TestUser, communityId: string, role?: 'MODERATOR'): Promise<TestUser> {
  const user = await newUser(api);
  await api.gql(JOIN, { id: communityId }, user.token);
  if (role) await api.gql(SET_ROLE, { t: communityId, u: user.id, r: role }, admin.token);
  return user;
}

const share = (user: TestUser | undefined, e: string, t: string) => api.request(SHARE_EVENT, { e, t }, user?.token);
const unshare = (user: TestUser | undefined, e: string, t: string) => api.request(UNSHARE_EVENT, { e, t }, user?.token);

describe('shareEvent', () => {
  it('lists a visible event on a community the caller is an active member of, remembering the sharer; twice is a no-op', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY', name: 'ShareInto' });
    await api.gql(JOIN, { id: community.id }, bob.token);
    const news = await createEvent(api, alice, { title: 'news #ShareNews' });
    const shared = await shareEvent(api, bob, news.id, community.id);
    expect(shared.timelines.map((t: { formattedName: string }) => t.formattedName).sort()).toEqual(['#ShareNews', 'i-ShareInto']);
    const before = await counts(api);
    await shareEvent(api, alice, news.id, community.id);
    expect(await counts(api)).toEqual(before);
    expect((await listingsOf(api, news.id)).map(({ name, kind, sharedBy }) => [name, kind, sharedBy])).toEqual([
      ['ShareInto', 'share', bob.id],
      ['ShareNews', 'tag', null],
    ]);
  });

  it("lists on the caller's own personal timeline, never on someone else's", async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const mine = await newTimeline(api, bob, { type: 'PERSONAL' });
    const hers = await newTimeline(api, alice, { type: 'PERSONAL' });
    await api.gql(ADD_VIEWER, { t: hers.id, u: bob.username }, alice.token);
    const hersUnseen = await newTimeline(api, alice, { type: 'PERSONAL' });
    const news = await createEvent(api, alice, { title: 'public news' });
    await shareEvent(api, bob, news.id, mine.id);
    expect(await listingsOf(api, news.id)).toMatchObject([{ timelineId: mine.id, kind: 'share', sharedBy: bob.id }]);
    expect(errorCode(await share(bob, news.id, hers.id))).toBe('FORBIDDEN');
    expect(errorCode(await share(bob, news.id, hersUnseen.id))).toBe('NOT_FOUND');
  });

  it('refuses: a hashtag timeline (BAD_USER_INPUT), a community the caller is not active in (FORBIDDEN), unseen ones (NOT_FOUND)', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const tag = await newTimeline(api, alice, { name: 'NoSharesHere' });
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const news = await createEvent(api, alice, { title: 'news' });
    const hidden = await createEvent(api, alice, { title: 'hidden', timelineId: secret.id });
    const before = await counts(api);
    const members = (await api.db.query('select count(*)::int as n from timeline_member')).rows[0].n as number;
    const hashtag = await share(alice, news.id, tag.id);
    expect(errorCode(hashtag)).toBe('BAD_USER_INPUT');
    expect(hashtag.errors![0].message).toContain('#NoSharesHere');
    expect(errorCode(await share(bob, news.id, community.id))).toBe('FORBIDDEN');
    expect(errorCode(await share(bob, news.id, secret.id))).toBe('NOT_FOUND');
    await api.gql(JOIN, { id: community.id }, bob.token);
    expect(errorCode(await share(bob, hidden.id, community.id))).toBe('NOT_FOUND');
    expect(errorCode(await share(bob, '2147483647', community.id))).toBe('NOT_FOUND');
    expect(errorCode(await share(undefined, news.id, community.id))).toBe('UNAUTHENTICATED');
    expect(await counts(api)).toEqual(before);
    expect((await api.db.query('select count(*)::int as n from timeline_member')).rows[0].n).toBe(members + 1);
  });

  it('never lists an event homed on a personal timeline elsewhere: FORBIDDEN to who sees it, NOT_FOUND to others', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const carol = await newUser(api);
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    await api.gql(ADD_VIEWER, { t: diary.id, u: bob.username }, alice.token);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    for (const user of [bob, carol]) await api.gql(JOIN, { id: community.id }, user.token);
    const entry = await createEvent(api, alice, { title: 'dear diary', timelineId: diary.id });
    expect(errorCode(await share(alice, entry.id, community.id))).toBe('FORBIDDEN');
    expect(errorCode(await share(bob, entry.id, community.id))).toBe('FORBIDDEN');
    expect(errorCode(await share(carol, entry.id, community.id))).toBe('NOT_FOUND');
    expect((await listingsOf(api, entry.id)).map(({ kind }) => kind)).toEqual(['home']);
  });
});

describe('unshareEvent', () => {
  it('is allowed to the sharer and to admins and moderators of that timeline, FORBIDDEN to others', async () => {
    const alice = await newUser(api);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const sharer = await member(alice, community.id);
    const moderator = await member(alice, community.id, 'MODERATOR');
    const plain = await member(alice, community.id);
    const news = [1, 2, 3].map((i) => createEvent(api, plain, { title: `news ${i}` }));
    const [one, two, three] = await Promise.all(news);
    for (const event of [one, two, three]) await shareEvent(api, sharer, event.id, community.id);

    expect(errorCode(await unshare(plain, one.id, community.id))).toBe('FORBIDDEN');
    expect((await unshare(sharer, one.id, community.id)).data).toEqual({ unshareEvent: true });
    expect((await unshare(moderator, two.id, community.id)).data).toEqual({ unshareEvent: true });
    expect((await unshare(alice, three.id, community.id)).data).toEqual({ unshareEvent: true });
    expect((await unshare(sharer, one.id, community.id)).data).toEqual({ unshareEvent: false });
    for (const event of [one, two, three]) expect(await listingsOf(api, event.id)).toEqual([]);
  });

  it('refuses home and tag listings (edit or delete instead), and unseen events or timelines', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const event = await createEvent(api, alice, { title: 'homed #UnshareTag', timelineId: community.id });
    const hidden = await createEvent(api, alice, { title: 'hidden', timelineId: secret.id });
    const tagId = (await listingsOf(api, event.id)).find((listing) => listing.kind === 'tag')!.timelineId;
    const home = await unshare(alice, event.id, community.id);
    expect(errorCode(home)).toBe('BAD_USER_INPUT');
    expect(home.errors![0].message).toMatch(/home timeline: delete the event/);
    const tag = await unshare(alice, event.id, tagId);
    expect(errorCode(tag)).toBe('BAD_USER_INPUT');
    expect(tag.errors![0].message).toMatch(/by its tag: edit its tags/);
    expect(errorCode(await unshare(bob, hidden.id, community.id))).toBe('NOT_FOUND');
    expect(errorCode(await unshare(bob, event.id, secret.id))).toBe('NOT_FOUND');
    expect((await listingsOf(api, event.id)).map(({ kind }) => kind).sort()).toEqual(['home', 'tag']);
  });
});
