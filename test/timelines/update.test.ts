import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { communityOps } from '../memberships/community';

const api = useTestApi();
const ops = communityOps(api);

const update = (user: TestUser | null, id: string, input: Record<string, unknown>) =>
  api.request(
    `mutation($id: ID!, $input: UpdateTimelineInput!) { updateTimeline(id: $id, input: $input) { id name formattedName description visibility requiresApproval } }`,
    { id, input },
    user?.token,
  );
const byName = async (user: TestUser | null, formattedName: string) =>
  (await api.gql(`query($n: String!) { timelineByName(formattedName: $n) { id } }`, { n: formattedName }, user?.token)).timelineByName?.id ?? null;
const stored = async (id: string) => (await api.db.query(`select name, description, visibility, requires_approval from timeline where id = $1`, [id])).rows[0];

const suffix = () => Math.random().toString(36).slice(2, 8);

describe('updateTimeline: renaming', () => {
  it('renames under the V2 rules; the old formatted name stops resolving, the new one resolves', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { name: `Old${suffix()}` });
    const name = `New ${suffix()}`;
    const renamed = await update(owner, timeline.id, { name: `  #${name}  ` });
    expect(renamed.data?.updateTimeline).toMatchObject({ name, formattedName: `#${name}` });
    expect(await byName(null, timeline.formattedName)).toBeNull();
    expect(await byName(null, `#${name.toUpperCase()}`)).toBe(timeline.id);
  });

  it('changes the casing of its own name', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'COMMUNITY', name: `casing${suffix()}` });
    const renamed = await update(owner, timeline.id, { name: timeline.name.toUpperCase() });
    expect(renamed.data?.updateTimeline.name).toBe(timeline.name.toUpperCase());
  });

  it('is NAME_TAKEN (changing nothing) on a clash in that type, case-folded by the database', async () => {
    const owner = await newUser(api);
    const taken = await newTimeline(api, owner, { type: 'COMMUNITY', name: `Straße${suffix()}` });
    const timeline = await newTimeline(api, owner, { type: 'COMMUNITY', description: 'kept' });
    const response = await update(owner, timeline.id, { name: taken.name.toUpperCase(), description: 'changed' });
    expect(errorCode(response)).toBe('NAME_TAKEN');
    expect(response.errors![0].message).not.toMatch(/unique|index|constraint/i);
    expect(await stored(timeline.id)).toMatchObject({ name: timeline.name, description: 'kept' });
  });

  it('lets names co-exist across types, and personal names per owner', async () => {
    const owner = await newUser(api);
    const other = await newUser(api);
    const name = `Shared${suffix()}`;
    await newTimeline(api, owner, { name });
    await newTimeline(api, other, { type: 'PERSONAL', name });
    const community = await newTimeline(api, owner, { type: 'COMMUNITY' });
    const personal = await newTimeline(api, owner, { type: 'PERSONAL' });
    expect((await update(owner, community.id, { name })).data?.updateTimeline.formattedName).toBe(`i-${name}`);
    expect((await update(owner, personal.id, { name: `My-${name}` })).data?.updateTimeline.formattedName).toBe(`My-${name}`);
    const second = await newTimeline(api, owner, { type: 'PERSONAL' });
    expect(errorCode(await update(owner, second.id, { name: name.toLowerCase() }))).toBe('NAME_TAKEN');
  });

  it('refuses another type’s prefix and invalid names', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'COMMUNITY' });
    for (const name of ['#Tag', 'My-Notes', '', 'x'.repeat(101), 'a\u0007b']) {
      expect(errorCode(await update(owner, timeline.id, { name }))).toBe('BAD_USER_INPUT');
    }
    expect((await stored(timeline.id)).name).toBe(timeline.name);
  });

  it('a rename racing another to the same name: one wins, the other is NAME_TAKEN', async () => {
    const owner = await newUser(api);
    const a = await newTimeline(api, owner);
    const b = await newTimeline(api, owner);
    const name = `Race${suffix()}`;
    const results = await Promise.all([update(owner, a.id, { name }), update(owner, b.id, { name: name.toUpperCase() })]);
    expect(results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'ok')).sort()).toEqual(['NAME_TAKEN', 'ok']);
  });
});

describe('updateTimeline: other fields', () => {
  it('sets description, visibility and requiresApproval of a community; absent fields stay, a null description clears', async () => {
    const { admin, timeline } = await ops.community();
    const first = await update(admin, timeline.id, { description: 'About', visibility: 'PRIVATE', requiresApproval: true });
    expect(first.data?.updateTimeline).toMatchObject({ description: 'About', visibility: 'PRIVATE', requiresApproval: true, name: timeline.name });
    const second = await update(admin, timeline.id, { description: null });
    expect(second.data?.updateTimeline).toMatchObject({ description: null, visibility: 'PRIVATE', requiresApproval: true });
  });

  it('refuses a private hashtag, a public personal timeline, approval outside communities, an over-long description', async () => {
    const owner = await newUser(api);
    const hashtag = await newTimeline(api, owner);
    const personal = await newTimeline(api, owner, { type: 'PERSONAL' });
    expect(errorCode(await update(owner, hashtag.id, { visibility: 'PRIVATE' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await update(owner, personal.id, { visibility: 'PUBLIC' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await update(owner, hashtag.id, { requiresApproval: true }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await update(owner, hashtag.id, { description: 'x'.repeat(5001) }))).toBe('BAD_USER_INPUT');
  });
});

describe('updateTimeline: who may', () => {
  it('a community’s admins and moderators; not its members, pending or blocked users, outsiders, a demoted creator', async () => {
    const { admin, timeline } = await ops.community({ requiresApproval: true });
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const member = await ops.activeMember(timeline, admin);
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    const blocked = await ops.activeMember(timeline, admin);
    await ops.block(admin, timeline.id, blocked.id);
    expect((await update(admin, timeline.id, { description: 'by admin' })).data?.updateTimeline.description).toBe('by admin');
    expect((await update(moderator, timeline.id, { description: 'by moderator' })).data?.updateTimeline.description).toBe('by moderator');
    for (const user of [member, applicant, blocked, await newUser(api)]) expect(errorCode(await update(user, timeline.id, { description: 'no' }))).toBe('FORBIDDEN');
    expect(errorCode(await update(null, timeline.id, { description: 'no' }))).toBe('UNAUTHENTICATED');
    await ops.setRole(admin, timeline.id, moderator.id, 'ADMIN');
    await ops.setRole(moderator, timeline.id, admin.id, 'MEMBER');
    expect(errorCode(await update(admin, timeline.id, { description: 'no' }))).toBe('FORBIDDEN');
    expect((await stored(timeline.id)).description).toBe('by moderator');
  });

  it('a hashtag’s or personal timeline’s creator only; a viewer is FORBIDDEN, someone else’s personal NOT_FOUND', async () => {
    const owner = await newUser(api);
    const other = await newUser(api);
    const hashtag = await newTimeline(api, owner);
    const personal = await newTimeline(api, owner, { type: 'PERSONAL' });
    expect(errorCode(await update(other, hashtag.id, { description: 'no' }))).toBe('FORBIDDEN');
    expect(errorCode(await update(other, personal.id, { description: 'no' }))).toBe('NOT_FOUND');
    await api.gql(`mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id } }`, { t: personal.id, u: other.username }, owner.token);
    expect(errorCode(await update(other, personal.id, { description: 'no' }))).toBe('FORBIDDEN');
    expect((await update(owner, personal.id, { description: 'mine' })).data?.updateTimeline.description).toBe('mine');
  });

  it('a private community is NOT_FOUND for outsiders', async () => {
    const { timeline } = await ops.community({ visibility: 'PRIVATE' });
    expect(errorCode(await update(await newUser(api), timeline.id, { description: 'no' }))).toBe('NOT_FOUND');
  });
});
