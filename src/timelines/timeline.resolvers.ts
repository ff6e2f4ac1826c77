import type { Resolvers } from '../generated/graphql';

export const timelineResolvers: Resolvers = {
  Query: {
    timeline: (_, { id }, { timelines }) => timelines.byId(id),
    timelineByName: (_, { formattedName }, { timelines }) => timelines.byFormattedName(formattedName),
    timelines: (_, args, { timelines }) => timelines.list(args),
  },
  Mutation: {
    createTimeline: (_, { input }, { timelines }) => timelines.create(input),
    updateTimeline: (_, { id, input }, { timelines }) => timelines.update(id, input),
    deleteTimeline: (_, { id }, { timelines }) => timelines.remove(id),
  },
  TimelineType: { HASHTAG: 'hashtag', COMMUNITY: 'community', PERSONAL: 'personal' },
  Visibility: { PUBLIC: 'public', PRIVATE: 'private' },
  Timeline: {
    type: (timeline) => timeline.timelineType,
    formattedName: (timeline, _, { timelines }) => timelines.formattedName(timeline),
    createdBy: async (timeline, _, { loaders }) =>
      timeline.createdBy === null ? null : ((await loaders.user.load(timeline.createdBy)) ?? null),
    events: (timeline, args, { events }) => events.page(timeline, args),
    eventCount: (timeline, args, { events }) => events.count(timeline, args),
    eventHistogram: (timeline, args, { events }) => events.histogram(timeline, args),
  },
};
