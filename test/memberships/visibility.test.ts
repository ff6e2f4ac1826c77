import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser, type TestUser } from '../support/factories';
import { communityOps } from './community';

const api = useTestApi();
const ops = communityOps(api);

/** Everything a user could use to reach a timeline and its events. */
async function reach(user: TestUser | null, timeline: { id: string; formattedName: string; name: string }, eventId: string) {
  const data = await api.gql(
    `query($id: ID!, $name: String!, $search: String!, $event: ID!) {
      timeline(id: $id) { id events { edges { node { id } } } }
      timelineByName(formattedName: $name) { id }
      timelines(search: $search, first: 100) { edges { node { id } } }
      event(id: $event) { id }
    }`,
    { id: timeline.id, name: timeline.formattedName, search: timeline.name, event: eventId },
    user?.token,
  );
  return {
    byId: data.timeline?.id ?? null,
    events: data.timeline?.events.edges.map((e: any) => e.node.id) ?? [],
    byName: data.timelineByName?.id ?? null,
    listed: data.timelines.edges.some((e: any) => e.node.id === timeline.id),
    event: data.event?.id ?? null,
  };
}

const hidden = { byId: null, events: [], byName: null, listed: false, event: null };

describe('a private community', () => {
  it('and its events are visible to its active members only, on every path', async () => {
    const { admin, timeline } = await ops.community({ visibility: 'PRIVATE' });
    const member = await ops.activeMember(timeline, admin);
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    const blocked = await ops.activeMember(timeline, admin);
    await ops.block(admin, timeline.id, blocked.id);
    const eventId = await insertEvent(api, { createdBy: admin.id, homeId: timeline.id });
    const seen = { byId: timeline.id, events: [eventId], byName: timeline.id, listed: true, event: eventId };

    expect(await reach(admin, timeline, eventId)).toEqual(seen);
    expect(await reach(member, timeline, eventId)).toEqual(seen);
    for (const outsider of [applicant, blocked, await newUser(api), null]) {
      expect(await reach(outsider, timeline, eventId)).toEqual(hidden);
    }
  });

  it('is left out of Event.timelines for non-members, its events out of hashtag pages', async () => {
    const { admin, timeline } = await ops.community({ visibility: 'PRIVATE' });
    const hashtag = await newTimeline(api, admin);
    const eventId = await insertEvent(api, { createdBy: admin.id, homeId: timeline.id, alsoOn: [hashtag.id] });
    const publicEvent = await insertEvent(api, { createdBy: admin.id, alsoOn: [hashtag.id] });
    const query = `query($id: ID!, $h: ID!) {
      event(id: $id) { timelines { id } }
      timeline(id: $h) { events { edges { node { id timelines { id } } } } }
    }`;
    const asAdmin = await api.gql(query, { id: eventId, h: hashtag.id }, admin.token);
    expect(asAdmin.event.timelines.map((t: any) => t.id).sort()).toEqual([timeline.id, hashtag.id].sort());
    const outsider = await newUser(api);
    const asOutsider = await api.gql(query, { id: eventId, h: hashtag.id }, outsider.token);
    expect(asOutsider.event).toBeNull();
    expect(asOutsider.timeline.events.edges).toEqual([{ node: { id: publicEvent, timelines: [{ id: hashtag.id }] } }]);
  });

  it('becomes visible when a request is approved, and invisible again on leaving', async () => {
    const { admin, timeline } = await ops.community({ visibility: 'PRIVATE' });
    const user = await newUser(api);
    await ops.join(user, timeline.id);
    expect(await ops.view(user, timeline.id)).toBeNull();
    await ops.approve(admin, timeline.id, user.id);
    expect(await ops.view(user, timeline.id)).toMatchObject({ id: timeline.id, memberCount: 2 });
    await ops.leave(user, timeline.id);
    expect(await ops.view(user, timeline.id)).toBeNull();
  });
});

describe('a personal timeline with viewers', () => {
  const addViewer = (owner: TestUser | null, timelineId: string, username: string) =>
    api.request(`mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id username } }`, { t: timelineId, u: username }, owner?.token);
  const removeViewer = (owner: TestUser | null, timelineId: string, username: string) =>
    api.request(`mutation($t: ID!, $u: String!) { removeViewer(timelineId: $t, username: $u) }`, { t: timelineId, u: username }, owner?.token);

  it('is read by granted users (it and its events), not by others; revoking ends it', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'PERSONAL' });
    const eventId = await insertEvent(api, { createdBy: owner.id, homeId: timeline.id });
    const friend = await newUser(api);
    const stranger = await newUser(api);
    expect((await addViewer(owner, timeline.id, friend.username)).data?.addViewer).toEqual({ id: friend.id, username: friend.username });

    const seen = await reach(friend, timeline, eventId);
    expect(seen).toMatchObject({ byId: timeline.id, events: [eventId], listed: true, event: eventId });
    // `My-Name` names the caller's own timeline, never one shared with them.
    expect(seen.byName).toBeNull();
    expect(await reach(stranger, timeline, eventId)).toEqual(hidden);

    const viewers = await api.gql(`query($id: ID!) { timeline(id: $id) { viewers { edges { node { username } } } } }`, { id: timeline.id }, owner.token);
    expect(viewers.timeline.viewers.edges).toEqual([{ node: { username: friend.username } }]);
    const asFriend = await api.gql(`query($id: ID!) { timeline(id: $id) { viewers { edges { node { username } } } } }`, { id: timeline.id }, friend.token);
    expect(asFriend.timeline.viewers).toBeNull();

    expect((await removeViewer(owner, timeline.id, friend.username)).data?.removeViewer).toBe(true);
    expect(await reach(friend, timeline, eventId)).toEqual(hidden);
  });

  it('shows a viewer that timeline only, never the owner’s others', async () => {
    const owner = await newUser(api);
    const shared = await newTimeline(api, owner, { type: 'PERSONAL' });
    const other = await newTimeline(api, owner, { type: 'PERSONAL' });
    const eventId = await insertEvent(api, { createdBy: owner.id, homeId: other.id });
    const friend = await newUser(api);
    await addViewer(owner, shared.id, friend.username);
    expect(await reach(friend, other, eventId)).toEqual(hidden);
  });

  it('only its owner grants and revokes', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'PERSONAL' });
    const friend = await newUser(api);
    const stranger = await newUser(api);
    await addViewer(owner, timeline.id, friend.username);
    expect((await addViewer(friend, timeline.id, stranger.username)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await removeViewer(friend, timeline.id, friend.username)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await addViewer(stranger, timeline.id, stranger.username)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await addViewer(null, timeline.id, stranger.username)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await addViewer(owner, timeline.id, 'nobody-by-that-name')).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await removeViewer(owner, timeline.id, stranger.username)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const hashtag = await newTimeline(api, owner);
    expect((await addViewer(owner, hashtag.id, friend.username)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await reach(stranger, timeline, '999999')).toMatchObject({ byId: null });
  });
});
