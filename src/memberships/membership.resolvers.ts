import type { Resolvers } from '../generated/graphql';

export const membershipResolvers: Resolvers = {
  Mutation: {
    joinTimeline: (_, { id }, { memberships }) => memberships.join(id),
    leaveTimeline: (_, { id }, { memberships }) => memberships.leave(id),
    approveMember: (_, { timelineId, userId }, { memberships }) => memberships.approve(timelineId, userId),
    denyMember: (_, { timelineId, userId }, { memberships }) => memberships.deny(timelineId, userId),
    setMemberRole: (_, { timelineId, userId, role }, { memberships }) => memberships.setRole(timelineId, userId, role),
    blockMember: (_, { timelineId, userId }, { memberships }) => memberships.block(timelineId, userId),
    unblockMember: (_, { timelineId, userId }, { memberships }) => memberships.unblock(timelineId, userId),
    addViewer: (_, { timelineId, username }, { viewers }) => viewers.add(timelineId, username),
    removeViewer: (_, { timelineId, username }, { viewers }) => viewers.remove(timelineId, username),
  },
  Timeline: {
    memberCount: (timeline, _, { memberships }) => memberships.memberCount(timeline),
    membership: (timeline, _, { memberships }) => memberships.ofViewer(timeline),
    members: (timeline, { state, ...page }, { memberships }) => memberships.members(timeline, { ...page, state }),
    viewers: (timeline, args, { viewers }) => viewers.page(timeline, args),
  },
  MemberRole: { ADMIN: 'admin', MODERATOR: 'moderator', MEMBER: 'member' },
  MemberState: { ACTIVE: 'active', PENDING: 'pending', BLOCKED: 'blocked' },
  Membership: {
    user: async (membership, _, { loaders }) => (await loaders.user.load(membership.user))!,
    timeline: async (membership, _, { loaders }) => (await loaders.timeline.load(membership.timeline)) ?? null,
  },
};
