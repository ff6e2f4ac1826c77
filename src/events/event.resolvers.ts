import type { Resolvers } from '../generated/graphql';
import type { EventRow } from './event.repository';

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
      resolve: (event: EventRow) => event,
    },
  },
  EventType: { REMARK: 'remark', NEWS: 'news', MEDIA: 'media' },
  Event: {
    timeline: async (event, _, { loaders }) => (event.timeline === null ? null : ((await loaders.timeline.load(event.timeline)) ?? null)),
    timelines: (event, _, { events }) => events.listings(event),
    createdBy: async (event, _, { loaders }) => (await loaders.user.load(event.createdBy))!,
  },
};
