import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { counts, createEvent, hashtagsNamed } from '../ingestion/operations';
import { DELETE_EVENT, shareEvent } from './operations';

const api = useTestApi();

const JOIN = `mutation($id: ID!) { joinTimeline(id: $id) { state } }`;
const SET_ROLE = `mutation($t: ID!, $u: ID!, $r: MemberRole!) { setMemberRole(timelineId: $t, userId: $u, role: $r) { role } }`;

async function member(admin: TestUser, communityId: string, role?: 'MODERATOR' | 'ADMIN'): Promise<TestUser> {
  const user = await newUser(api);
  await api.gql(JOIN, { id: communityId }, user.token);
  if (role) await api.gql(SET_ROLE, { t: communityId, u: user.id, r: role }, admin.token);
  return user;
}

describe('deleteEvent', () => {
  it('removes the event and every listing in one unit of work, reports them, and leaves emptied hashtag timelines', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const other = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const event = await createEvent(api, alice, { title: 'bye #DeleteOnlyTag', tags: ['DeleteOther'], timelineId: home.id });
    await shareEvent(api, alice, event.id, other.id);
    const before = await counts(api);
    const { deleteEvent } = await api.gql(DELETE_EVENT, { id: event.id }, alice.token);
    expect(deleteEvent).toEqual({ id: event.id, removedListings: 4 });
    expect(await counts(api)).toEqual({ events: before.events - 1, timelines: before.timelines, listings: before.listings - 4 });
    expect(await hashtagsNamed(api, 'DeleteOnlyTag')).toHaveLength(1);
    expect((await api.gql(`query($id: ID!) { event(id: $id) { id } }`, { id: event.id })).event).toBeNull();
    expect(errorCode(await api.request(DELETE_EVENT, { id: event.id }, alice.token))).toBe('NOT_FOUND');
  });

  it('is allowed to admins and moderators of its home community, FORBIDDEN to members and others, NOT_FOUND when unseen', async () => {
    const alice = await newUser(api);
    const home = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const author = await member(alice, home.id);
    const moderator = await member(alice, home.id, 'MODERATOR');
    const admin = await member(alice, home.id, 'ADMIN');
    const plain = await member(alice, home.id);
    const outsider = await newUser(api);
    const spam = [1, 2].map(() => createEvent(api, author, { title: 'spam', timelineId: home.id }));
    const [first, second] = await Promise.all(spam);
    const hidden = await createEvent(api, alice, { title: 'hidden', timelineId: secret.id });
    const before = await counts(api);
    expect(errorCode(await api.request(DELETE_EVENT, { id: first.id }, plain.token))).toBe('FORBIDDEN');
    expect(errorCode(await api.request(DELETE_EVENT, { id: first.id }, outsider.token))).toBe('FORBIDDEN');
    expect(errorCode(await api.request(DELETE_EVENT, { id: hidden.id }, outsider.token))).toBe('NOT_FOUND');
    expect(errorCode(await api.request(DELETE_EVENT, { id: first.id }))).toBe('UNAUTHENTICATED');
    expect(await counts(api)).toEqual(before);
    expect((await api.gql(DELETE_EVENT, { id: first.id }, moderator.token)).deleteEvent.removedListings).toBe(1);
    expect((await api.gql(DELETE_EVENT, { id: second.id }, admin.token)).deleteEvent.removedListings).toBe(1);
  });

  it('on a hashtag or personal home, only the creator may delete', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const tag = await newTimeline(api, bob, { name: 'DeleteHashtagHome' });
    const event = await createEvent(api, alice, { title: 'mine', timelineId: tag.id });
    expect(errorCode(await api.request(DELETE_EVENT, { id: event.id }, bob.token))).toBe('FORBIDDEN');
    expect((await api.gql(DELETE_EVENT, { id: event.id }, alice.token)).deleteEvent.removedListings).toBe(1);
  });
});
