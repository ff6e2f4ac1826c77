import { expect } from 'vitest';
import { errorCode, type TestApi } from '../support/api';
import { newTimeline, newUser, type TestTimeline, type TestUser } from '../support/factories';

/** Membership operations through the API, for the tests of this folder. */
export function communityOps(api: TestApi) {
  const membership = `membership { role state }`;
  const ops = {
    join: (user: TestUser | null, id: string) =>
      api.request(`mutation($id: ID!) { joinTimeline(id: $id) { role state user { id } timeline { id } } }`, { id }, user?.token),
    leave: (user: TestUser | null, id: string) => api.request(`mutation($id: ID!) { leaveTimeline(id: $id) }`, { id }, user?.token),
    approve: (user: TestUser | null, timelineId: string, userId: string) =>
      api.request(`mutation($t: ID!, $u: ID!) { approveMember(timelineId: $t, userId: $u) { role state } }`, { t: timelineId, u: userId }, user?.token),
    deny: (user: TestUser | null, timelineId: string, userId: string) =>
      api.request(`mutation($t: ID!, $u: ID!) { denyMember(timelineId: $t, userId: $u) }`, { t: timelineId, u: userId }, user?.token),
    setRole: (user: TestUser | null, timelineId: string, userId: string, role: string) =>
      api.request(`mutation($t: ID!, $u: ID!, $r: MemberRole!) { setMemberRole(timelineId: $t, userId: $u, role: $r) { role state } }`, { t: timelineId, u: userId, r: role }, user?.token),
    block: (user: TestUser | null, timelineId: string, userId: string) =>
      api.request(`mutation($t: ID!, $u: ID!) { blockMember(timelineId: $t, userId: $u) { role state } }`, { t: timelineId, u: userId }, user?.token),
    unblock: (user: TestUser | null, timelineId: string, userId: string) =>
      api.request(`mutation($t: ID!, $u: ID!) { unblockMember(timelineId: $t, userId: $u) }`, { t: timelineId, u: userId }, user?.token),
    /** The stored membership row, or undefined. */
    row: async (timelineId: string, userId: string) =>
      (await api.db.query(`select role, state from timeline_member where timeline_id = $1 and user_id = $2`, [timelineId, userId])).rows[0] as
        | { role: string; state: string }
        | undefined,
    /** The caller's view of the timeline (null when invisible). */
    view: async (user: TestUser | null, id: string) =>
      (await api.gql(`query($id: ID!) { timeline(id: $id) { id memberCount ${membership} } }`, { id }, user?.token)).timeline,
    /** A community created by a new admin, with `members` active members (joined through the API). */
    async community(options: { visibility?: 'PUBLIC' | 'PRIVATE'; requiresApproval?: boolean; members?: number } = {}) {
      const admin = await newUser(api);
      const timeline: TestTimeline = await newTimeline(api, admin, { type: 'COMMUNITY', visibility: options.visibility });
      if (options.requiresApproval) {
        await api.gql(`mutation($id: ID!) { updateTimeline(id: $id, input: { requiresApproval: true }) { id } }`, { id: timeline.id }, admin.token);
      }
      const members: TestUser[] = [];
      for (let i = 0; i < (options.members ?? 0); i++) members.push(await ops.activeMember(timeline, admin));
      return { admin, timeline, members };
    },
    /** A new user made an active member of `timeline` (approved by `admin` when needed). */
    async activeMember(timeline: TestTimeline, admin: TestUser, role: 'MEMBER' | 'MODERATOR' | 'ADMIN' = 'MEMBER') {
      const user = await newUser(api);
      const joined = await ops.join(user, timeline.id);
      expect(joined.errors).toBeUndefined();
      if (joined.data!.joinTimeline.state === 'PENDING') expect((await ops.approve(admin, timeline.id, user.id)).errors).toBeUndefined();
      if (role !== 'MEMBER') expect((await ops.setRole(admin, timeline.id, user.id, role)).errors).toBeUndefined();
      return user;
    },
  };
  return ops;
}

export { errorCode };
