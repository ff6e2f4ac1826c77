import type { Resolvers } from '../generated/graphql';
import type { EventRow } from './event.repository';
import type { EventRemoval } from './event.service';

export const eventResolvers: Resolvers = {
  Query: {
    event: (_, { id }, { events }) => events.byId(id),
  },
  Mutation: {
    createEvent: (_, { input }, { events }) => events.createEvent(input),
    ingestEvents: (_, { inputs }, { events }) => events.ingestEvents(inputs),
    updateEvent: (_, { id, input }, { events }) => events.updateEvent(id, input),
    deleteEvent: (_, { id }, { events }) => events.deleteEvent(id),
    shareEvent: (_, { eventId, timelineId }, { events }) => events.shareEvent(eventId, timelineId),
    unshareEvent: (_, { eventId, timelineId }, { events }) => events.unshareEvent(eventId, timelineId),
  },
  Subscription: {
    eventAdded: {
      subscribe: (_, { timelineId }, { events }) => events.subscribeAdded(timelineId),
      resolve: (event: EventRow) => event,
    },
    eventUpdated: {
      subscribe: (_, { timelineId }, { events }) => events.subscribeUpdated(timelineId),
      resolve: (event: EventRow) => event,
    },
    eventRemoved: {
      subscribe: (_, { timelineId }, { events }) => events.subscribeRemoved(timelineId),
      resolve: (removal: EventRemoval) => removal,
    },
  },
  EventType: { REMARK: 'remark', NEWS: 'news', MEDIA: 'media' },
  Event: {
    timeline: async (event, _, { loaders }) => (event.timeline === null ? null : ((await loaders.timeline.load(event.timeline)) ?? null)),
    timelines: (event, _, { events }) => events.listings(event),
    createdBy: async (event, _, { loaders }) => (await loaders.user.load(event.createdBy))!,
  },
};
