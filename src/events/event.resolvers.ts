import type { EventType, Resolvers } from '../generated/graphql';

export const eventResolvers: Resolvers = {
  Query: {
    event: (_, { id }, { events }) => events.byId(id),
  },
  Event: {
    type: (event) => event.type.toUpperCase() as EventType,
    timeline: async (event, _, { loaders }) => (event.timelineId === null ? null : ((await loaders.timeline.load(event.timelineId)) ?? null)),
    timelines: (event, _, { events }) => events.listings(event),
    createdBy: async (event, _, { loaders }) => (await loaders.user.load(event.createdById))!,
  },
};
