import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser, type TestUser } from '../support/factories';
import { communityOps } from '../memberships/community';

const api = useTestApi();
const ops = communityOps(api);

const remove = (user: TestUser | null, id: string) =>
  api.request(`mutation($id: ID!) { deleteTimeline(id: $id) { id formattedName deletedEvents removedListings } }`, { id }, user?.token);
const count = async (sql: string, values: unknown[]) => (await api.db.query(`select count(*)::int as n from ${sql}`, values)).rows[0].n;

describe('deleteTimeline', () => {
  it('deletes the events homed on it (with all their listings), removes other events’ listings on it, touches nothing else', async () => {
    const { admin, timeline } = await ops.community({ members: 1 });
    const hashtag = await newTimeline(api, admin);
    const elsewhere = await newTimeline(api, admin);
    const homed = [
      await insertEvent(api, { createdBy: admin.id, homeId: timeline.id, alsoOn: [hashtag.id] }),
      await insertEvent(api, { createdBy: admin.id, homeId: timeline.id }),
    ];
    const visiting = await insertEvent(api, { createdBy: admin.id, homeId: elsewhere.id, alsoOn: [timeline.id, hashtag.id] });
    const untouched = await insertEvent(api, { createdBy: admin.id, alsoOn: [hashtag.id] });

    const response = await remove(admin, timeline.id);
    expect(response.data?.deleteTimeline).toEqual({ id: timeline.id, formattedName: timeline.formattedName, deletedEvents: 2, removedListings: 1 });

    expect(await count('timeline where id = $1', [timeline.id])).toBe(0);
    expect(await count('timeline_member where timeline_id = $1', [timeline.id])).toBe(0);
    expect(await count('event where id = any($1::int[])', [homed])).toBe(0);
    expect(await count('event_timeline_refs where event_id = any($1::int[]) or timeline_id = $2', [homed, timeline.id])).toBe(0);
    expect((await api.db.query(`select timeline_id from event_timeline_refs where event_id = $1 order by 1`, [visiting])).rows.map((r) => String(r.timeline_id))).toEqual(
      [elsewhere.id, hashtag.id].sort((a, b) => Number(a) - Number(b)),
    );
    expect(await count('event_timeline_refs where event_id = $1', [untouched])).toBe(1);
    expect(await count('timeline where id = any($1::int[])', [[hashtag.id, elsewhere.id]])).toBe(2);
    expect((await api.gql(`query($id: ID!) { timeline(id: $id) { id } }`, { id: timeline.id }, admin.token)).timeline).toBeNull();
  });

  it('frees the name', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'PERSONAL' });
    await insertEvent(api, { createdBy: owner.id, homeId: timeline.id });
    expect((await remove(owner, timeline.id)).data?.deleteTimeline).toMatchObject({ deletedEvents: 1, removedListings: 0 });
    expect((await newTimeline(api, owner, { type: 'PERSONAL', name: timeline.name })).name).toBe(timeline.name);
  });

  it('a community: its admins only; moderators, members and outsiders are FORBIDDEN; a private one is NOT_FOUND to outsiders', async () => {
    const { admin, timeline } = await ops.community();
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const member = await ops.activeMember(timeline, admin);
    const coAdmin = await ops.activeMember(timeline, admin, 'ADMIN');
    for (const user of [moderator, member, await newUser(api)]) expect(errorCode(await remove(user, timeline.id))).toBe('FORBIDDEN');
    expect(errorCode(await remove(null, timeline.id))).toBe('UNAUTHENTICATED');
    expect(await count('timeline where id = $1', [timeline.id])).toBe(1);
    expect((await remove(coAdmin, timeline.id)).data?.deleteTimeline.id).toBe(timeline.id);

    const secret = await ops.community({ visibility: 'PRIVATE' });
    expect(errorCode(await remove(await newUser(api), secret.timeline.id))).toBe('NOT_FOUND');
  });

  it('a hashtag or personal timeline: its creator only (a viewer is FORBIDDEN, anyone else NOT_FOUND for a personal one)', async () => {
    const owner = await newUser(api);
    const other = await newUser(api);
    const hashtag = await newTimeline(api, owner);
    const personal = await newTimeline(api, owner, { type: 'PERSONAL' });
    expect(errorCode(await remove(other, hashtag.id))).toBe('FORBIDDEN');
    expect(errorCode(await remove(other, personal.id))).toBe('NOT_FOUND');
    await api.gql(`mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id } }`, { t: personal.id, u: other.username }, owner.token);
    expect(errorCode(await remove(other, personal.id))).toBe('FORBIDDEN');
    expect(await count('timeline where id = any($1::int[])', [[hashtag.id, personal.id]])).toBe(2);
    expect((await remove(owner, hashtag.id)).data?.deleteTimeline.id).toBe(hashtag.id);
    expect((await remove(owner, personal.id)).data?.deleteTimeline.id).toBe(personal.id);
  });
});
