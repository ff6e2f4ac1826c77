import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { communityOps, errorCode } from './community';

const api = useTestApi();
const ops = communityOps(api);

describe('creating a community', () => {
  it('makes its creator the first ADMIN, ACTIVE', async () => {
    const { admin, timeline } = await ops.community();
    expect(await ops.row(timeline.id, admin.id)).toEqual({ role: 'admin', state: 'active' });
    expect(await ops.view(admin, timeline.id)).toMatchObject({ memberCount: 1, membership: { role: 'ADMIN', state: 'ACTIVE' } });
  });

  it('gives other timelines no members', async () => {
    const owner = await newUser(api);
    const hashtag = await newTimeline(api, owner);
    expect(await ops.view(owner, hashtag.id)).toMatchObject({ memberCount: 0, membership: null });
    expect(errorCode(await ops.join(owner, hashtag.id))).toBe('BAD_USER_INPUT');
  });

  it('refuses requiresApproval for other types', async () => {
    const owner = await newUser(api);
    const response = await api.request(
      `mutation { createTimeline(input: { name: "x${Date.now()}", type: HASHTAG, requiresApproval: true }) { id } }`,
      {},
      owner.token,
    );
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
  });
});

describe('joinTimeline', () => {
  it('is ACTIVE at once on a public community without approval', async () => {
    const { timeline } = await ops.community();
    const user = await newUser(api);
    const joined = await ops.join(user, timeline.id);
    expect(joined.data?.joinTimeline).toMatchObject({ role: 'MEMBER', state: 'ACTIVE', user: { id: user.id }, timeline: { id: timeline.id } });
    expect(await ops.view(user, timeline.id)).toMatchObject({ memberCount: 2, membership: { role: 'MEMBER', state: 'ACTIVE' } });
  });

  it('is PENDING on a public community requiring approval, and a pending member is not counted', async () => {
    const { timeline } = await ops.community({ requiresApproval: true });
    const user = await newUser(api);
    expect((await ops.join(user, timeline.id)).data?.joinTimeline).toMatchObject({ state: 'PENDING' });
    expect(await ops.view(user, timeline.id)).toMatchObject({ memberCount: 1, membership: { state: 'PENDING' } });
  });

  it('is PENDING on a private community, which stays invisible to the applicant', async () => {
    const { timeline } = await ops.community({ visibility: 'PRIVATE' });
    const user = await newUser(api);
    expect((await ops.join(user, timeline.id)).data?.joinTimeline).toMatchObject({ state: 'PENDING', timeline: null });
    expect(await ops.view(user, timeline.id)).toBeNull();
  });

  it('joining twice returns the same membership', async () => {
    const { timeline } = await ops.community();
    const user = await newUser(api);
    await ops.join(user, timeline.id);
    expect((await ops.join(user, timeline.id)).data?.joinTimeline).toMatchObject({ state: 'ACTIVE' });
    expect((await api.db.query(`select count(*)::int as n from timeline_member where timeline_id = $1`, [timeline.id])).rows[0].n).toBe(2);
  });

  it('refuses anonymous callers, unknown ids, other users’ personal timelines and blocked users', async () => {
    const { admin, timeline } = await ops.community();
    expect(errorCode(await ops.join(null, timeline.id))).toBe('UNAUTHENTICATED');
    const user = await newUser(api);
    expect(errorCode(await ops.join(user, '999999'))).toBe('NOT_FOUND');
    const personal = await newTimeline(api, admin, { type: 'PERSONAL' });
    expect(errorCode(await ops.join(user, personal.id))).toBe('NOT_FOUND');
    await ops.block(admin, timeline.id, user.id);
    expect(errorCode(await ops.join(user, timeline.id))).toBe('FORBIDDEN');
    expect(await ops.row(timeline.id, user.id)).toEqual({ role: 'member', state: 'blocked' });
  });
});

describe('approveMember and denyMember', () => {
  async function pending() {
    const community = await ops.community({ requiresApproval: true });
    const applicant = await newUser(api);
    await ops.join(applicant, community.timeline.id);
    return { ...community, applicant };
  }

  it('an admin approves', async () => {
    const { admin, timeline, applicant } = await pending();
    expect((await ops.approve(admin, timeline.id, applicant.id)).data?.approveMember).toEqual({ role: 'MEMBER', state: 'ACTIVE' });
  });

  it('a moderator approves and denies; a denied user may ask again', async () => {
    const { admin, timeline, applicant } = await pending();
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    expect((await ops.deny(moderator, timeline.id, applicant.id)).data?.denyMember).toBe(true);
    expect(await ops.row(timeline.id, applicant.id)).toBeUndefined();
    expect((await ops.join(applicant, timeline.id)).data?.joinTimeline).toMatchObject({ state: 'PENDING' });
    expect((await ops.approve(moderator, timeline.id, applicant.id)).data?.approveMember).toMatchObject({ state: 'ACTIVE' });
  });

  it('refuses members, pending users, non-members, anonymous callers and the applicant', async () => {
    const { admin, timeline, applicant } = await pending();
    const member = await ops.activeMember(timeline, admin);
    const other = await newUser(api);
    await ops.join(other, timeline.id);
    for (const call of [ops.approve, ops.deny]) {
      expect(errorCode(await call(member, timeline.id, applicant.id))).toBe('FORBIDDEN');
      expect(errorCode(await call(other, timeline.id, applicant.id))).toBe('FORBIDDEN');
      expect(errorCode(await call(applicant, timeline.id, applicant.id))).toBe('FORBIDDEN');
      expect(errorCode(await call(await newUser(api), timeline.id, applicant.id))).toBe('FORBIDDEN');
      expect(errorCode(await call(null, timeline.id, applicant.id))).toBe('UNAUTHENTICATED');
    }
    expect(await ops.row(timeline.id, applicant.id)).toEqual({ role: 'member', state: 'pending' });
  });

  it('is NOT_FOUND for a user with no pending request, and for a private community the caller cannot see', async () => {
    const { admin, timeline } = await pending();
    const member = await ops.activeMember(timeline, admin);
    expect(errorCode(await ops.approve(admin, timeline.id, member.id))).toBe('NOT_FOUND');
    expect(errorCode(await ops.deny(admin, timeline.id, member.id))).toBe('NOT_FOUND');
    const secret = await ops.community({ visibility: 'PRIVATE' });
    const applicant = await newUser(api);
    await ops.join(applicant, secret.timeline.id);
    expect(errorCode(await ops.approve(admin, secret.timeline.id, applicant.id))).toBe('NOT_FOUND');
  });
});

describe('leaveTimeline', () => {
  it('a member leaves; a pending user withdraws', async () => {
    const { admin, timeline } = await ops.community({ requiresApproval: true });
    const member = await ops.activeMember(timeline, admin);
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    expect((await ops.leave(member, timeline.id)).data?.leaveTimeline).toBe(true);
    expect((await ops.leave(applicant, timeline.id)).data?.leaveTimeline).toBe(true);
    expect(await ops.row(timeline.id, member.id)).toBeUndefined();
    expect(await ops.row(timeline.id, applicant.id)).toBeUndefined();
  });

  it('an admin leaves when another admin remains', async () => {
    const { admin, timeline } = await ops.community();
    await ops.activeMember(timeline, admin, 'ADMIN');
    expect((await ops.leave(admin, timeline.id)).data?.leaveTimeline).toBe(true);
  });

  it('refuses the last admin, blocked users, non-members and anonymous callers', async () => {
    const { admin, timeline } = await ops.community();
    await ops.activeMember(timeline, admin, 'MODERATOR');
    expect(errorCode(await ops.leave(admin, timeline.id))).toBe('FORBIDDEN');
    const blocked = await ops.activeMember(timeline, admin);
    await ops.block(admin, timeline.id, blocked.id);
    expect(errorCode(await ops.leave(blocked, timeline.id))).toBe('FORBIDDEN');
    expect(await ops.row(timeline.id, blocked.id)).toEqual({ role: 'member', state: 'blocked' });
    expect(errorCode(await ops.leave(await newUser(api), timeline.id))).toBe('NOT_FOUND');
    expect(errorCode(await ops.leave(null, timeline.id))).toBe('UNAUTHENTICATED');
    expect(await ops.row(timeline.id, admin.id)).toEqual({ role: 'admin', state: 'active' });
  });
});

describe('setMemberRole', () => {
  it('an admin promotes and demotes, itself included while another admin remains', async () => {
    const { admin, timeline } = await ops.community();
    const user = await ops.activeMember(timeline, admin);
    expect((await ops.setRole(admin, timeline.id, user.id, 'MODERATOR')).data?.setMemberRole).toEqual({ role: 'MODERATOR', state: 'ACTIVE' });
    expect((await ops.setRole(admin, timeline.id, user.id, 'ADMIN')).data?.setMemberRole).toMatchObject({ role: 'ADMIN' });
    expect((await ops.setRole(admin, timeline.id, admin.id, 'MEMBER')).data?.setMemberRole).toMatchObject({ role: 'MEMBER' });
    expect(await ops.view(admin, timeline.id)).toMatchObject({ membership: { role: 'MEMBER', state: 'ACTIVE' } });
  });

  it('the last admin cannot be demoted', async () => {
    const { admin, timeline } = await ops.community();
    expect(errorCode(await ops.setRole(admin, timeline.id, admin.id, 'MODERATOR'))).toBe('FORBIDDEN');
    expect(await ops.row(timeline.id, admin.id)).toEqual({ role: 'admin', state: 'active' });
  });

  it('refuses moderators, members, non-members, anonymous callers; roles are for active members only', async () => {
    const { admin, timeline } = await ops.community({ requiresApproval: true });
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const member = await ops.activeMember(timeline, admin);
    expect(errorCode(await ops.setRole(moderator, timeline.id, member.id, 'MODERATOR'))).toBe('FORBIDDEN');
    expect(errorCode(await ops.setRole(moderator, timeline.id, moderator.id, 'ADMIN'))).toBe('FORBIDDEN');
    expect(errorCode(await ops.setRole(member, timeline.id, member.id, 'ADMIN'))).toBe('FORBIDDEN');
    expect(errorCode(await ops.setRole(await newUser(api), timeline.id, member.id, 'ADMIN'))).toBe('FORBIDDEN');
    expect(errorCode(await ops.setRole(null, timeline.id, member.id, 'ADMIN'))).toBe('UNAUTHENTICATED');
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    expect(errorCode(await ops.setRole(admin, timeline.id, applicant.id, 'MODERATOR'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ops.setRole(admin, timeline.id, (await newUser(api)).id, 'MODERATOR'))).toBe('NOT_FOUND');
    expect(await ops.row(timeline.id, member.id)).toEqual({ role: 'member', state: 'active' });
  });
});

describe('blockMember and unblockMember', () => {
  it('an admin blocks a member (who loses any role), a non-member, another admin; unblocking lets them join again', async () => {
    const { admin, timeline } = await ops.community();
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const coAdmin = await ops.activeMember(timeline, admin, 'ADMIN');
    const stranger = await newUser(api);
    expect((await ops.block(admin, timeline.id, moderator.id)).data?.blockMember).toEqual({ role: 'MEMBER', state: 'BLOCKED' });
    expect((await ops.block(admin, timeline.id, coAdmin.id)).data?.blockMember).toEqual({ role: 'MEMBER', state: 'BLOCKED' });
    expect((await ops.block(admin, timeline.id, stranger.id)).data?.blockMember).toEqual({ role: 'MEMBER', state: 'BLOCKED' });
    expect(await ops.view(admin, timeline.id)).toMatchObject({ memberCount: 1 });
    expect((await ops.unblock(admin, timeline.id, stranger.id)).data?.unblockMember).toBe(true);
    expect((await ops.join(stranger, timeline.id)).data?.joinTimeline).toMatchObject({ state: 'ACTIVE' });
  });

  it('refuses moderators, members, blocked users, non-members, anonymous callers and self-blocking', async () => {
    const { admin, timeline } = await ops.community();
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const member = await ops.activeMember(timeline, admin);
    const blocked = await ops.activeMember(timeline, admin);
    await ops.block(admin, timeline.id, blocked.id);
    for (const caller of [moderator, member, blocked, await newUser(api)]) {
      expect(errorCode(await ops.block(caller, timeline.id, member.id))).toBe('FORBIDDEN');
      expect(errorCode(await ops.unblock(caller, timeline.id, blocked.id))).toBe('FORBIDDEN');
    }
    expect(errorCode(await ops.block(null, timeline.id, member.id))).toBe('UNAUTHENTICATED');
    expect(errorCode(await ops.unblock(null, timeline.id, blocked.id))).toBe('UNAUTHENTICATED');
    expect(errorCode(await ops.block(admin, timeline.id, admin.id))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ops.block(admin, timeline.id, '999999'))).toBe('NOT_FOUND');
    expect(errorCode(await ops.unblock(admin, timeline.id, member.id))).toBe('NOT_FOUND');
    expect(await ops.row(timeline.id, member.id)).toEqual({ role: 'member', state: 'active' });
    expect(await ops.row(timeline.id, blocked.id)).toEqual({ role: 'member', state: 'blocked' });
  });
});

describe('Timeline.members', () => {
  it('lists active members to active members, pending requests to admins and moderators only, by user id', async () => {
    const { admin, timeline } = await ops.community({ requiresApproval: true });
    const member = await ops.activeMember(timeline, admin);
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    const members = (user: typeof admin | null, state: string) =>
      api.gql(`query($id: ID!, $s: MemberState) { timeline(id: $id) { members(state: $s, first: 1) { edges { node { user { id } role } } pageInfo { hasNextPage endCursor } } } }`, { id: timeline.id, s: state }, user?.token);
    const first = (await members(member, 'ACTIVE')).timeline.members;
    expect(first.edges).toEqual([{ node: { user: { id: admin.id }, role: 'ADMIN' } }]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await api.gql(
      `query($id: ID!, $a: String) { timeline(id: $id) { members(first: 5, after: $a) { edges { node { user { id } } } } } }`,
      { id: timeline.id, a: first.pageInfo.endCursor },
      member.token,
    );
    expect(next.timeline.members.edges).toEqual([{ node: { user: { id: member.id } } }]);
    expect((await members(admin, 'PENDING')).timeline.members.edges).toEqual([{ node: { user: { id: applicant.id }, role: 'MEMBER' } }]);
    expect((await members(member, 'PENDING')).timeline.members).toBeNull();
    expect((await members(applicant, 'ACTIVE')).timeline.members).toBeNull();
    expect((await members(null, 'ACTIVE')).timeline.members).toBeNull();
  });
});
