import type { MemberRole, MemberState, Resolvers } from '../generated/graphql';
import type { MemberRole as StoredRole, MemberState as StoredState } from './timeline-member.entity';

const storedRole = (role: MemberRole) => role.toLowerCase() as StoredRole;
const storedState = (state: MemberState) => state.toLowerCase() as StoredState;

export const membershipResolvers: Resolvers = {
  Mutation: {
    joinTimeline: (_, { id }, { memberships }) => memberships.join(id),
    leaveTimeline: (_, { id }, { memberships }) => memberships.leave(id),
    approveMember: (_, { timelineId, userId }, { memberships }) => memberships.approve(timelineId, userId),
    denyMember: (_, { timelineId, userId }, { memberships }) => memberships.deny(timelineId, userId),
    setMemberRole: (_, { timelineId, userId, role }, { memberships }) => memberships.setRole(timelineId, userId, storedRole(role)),
    blockMember: (_, { timelineId, userId }, { memberships }) => memberships.block(timelineId, userId),
    unblockMember: (_, { timelineId, userId }, { memberships }) => memberships.unblock(timelineId, userId),
    addViewer: (_, { timelineId, username }, { viewers }) => viewers.add(timelineId, username),
    removeViewer: (_, { timelineId, username }, { viewers }) => viewers.remove(timelineId, username),
  },
  Timeline: {
    memberCount: (timeline, _, { memberships }) => memberships.memberCount(timeline),
    membership: (timeline, _, { memberships }) => memberships.ofViewer(timeline),
    members: (timeline, { state, ...page }, { memberships }) => memberships.members(timeline, { ...page, state: state ? storedState(state) : null }),
    viewers: (timeline, args, { viewers }) => viewers.page(timeline, args),
  },
  Membership: {
    user: async (membership, _, { loaders }) => (await loaders.user.load(membership.user))!,
    role: (membership) => membership.role.toUpperCase() as MemberRole,
    state: (membership) => membership.state.toUpperCase() as MemberState,
    timeline: async (membership, _, { loaders }) => (await loaders.timeline.load(membership.timeline)) ?? null,
  },
};
