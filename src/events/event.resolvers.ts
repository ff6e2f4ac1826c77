import type { EventType, Resolvers } from '../generated/graphql';
import type { EventRecord } from './event.record';

export const eventResolvers: Resolvers = {
  Query: {
    event: (_, { id }, { events }) => events.byId(id),
  },
  Mutation: {
    createEvent: (_, { input }, { events }) => events.createEvent(input),
    ingestEvents: (_, { inputs }, { events }) => events.ingestEvents(inputs),
  },
  Subscription: {
    eventAdded: {
      subscribe: (_, { timelineId }, { events }) => events.subscribeAdded(timelineId),
      resolve: (event: EventRecord) => event,
    },
  },
  Event: {
    type: (event) => event.type.toUpperCase() as EventType,
    timeline: async (event, _, { loaders }) => (event.timelineId === null ? null : ((await loaders.timeline.load(event.timelineId)) ?? null)),
    timelines: (event, _, { events }) => events.listings(event),
    createdBy: async (event, _, { loaders }) => (await loaders.user.load(event.createdById))!,
  },
};
