import { badInput, notFound } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection, type PageArgs } from '../common/pagination';
import { Loaders } from '../server/loaders';
import type { Scope } from '../common/scope';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { CreateEventInput } from '../generated/graphql';
import { EventIngestion } from './event-ingestion';
import type { EventRow } from './event.repository';
import type { ListingKey } from './event.repository';
import { filterMap } from './mailbox';

const NEWEST: ListingKey = { eventDate: 'infinity', id: 0 };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

export class EventService {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
    private readonly timelines: TimelineService,
  ) {}

  async byId(rawId: string): Promise<EventRow | null> {
    return (await this.scope.loaders.event.load(parseId(rawId, 'event id'))) ?? null;
  }

  /** A page of the events listed on a timeline the caller can already see. */
  async page(timeline: TimelineRow, args: PageArgs): Promise<Connection<EventRow>> {
    const limit = pageSize(args.first);
    const after = args.after ? listingKey(args.after) : NEWEST;
    const rows = await this.scope.loaders.page.load({ timelineId: timeline.id, after, limit: limit + 1 });
    return toConnection(rows, limit, (e) => encodeCursor('event', [e.eventDate, e.id]));
  }

  listings(event: EventRow): Promise<TimelineRow[]> {
    return this.scope.loaders.listings.load(event.id);
  }

  createEvent(input: CreateEventInput): Promise<EventRow> {
    return new EventIngestion(this.scope, this.users, this.timelines).createOne(input);
  }

  ingestEvents(inputs: readonly CreateEventInput[]): Promise<EventRow[]> {
    return new EventIngestion(this.scope, this.users, this.timelines).createMany(inputs);
  }

  /**
   * Events newly listed on a timeline the subscriber can see (else NOT_FOUND), re-checked for each
   * delivery with fresh loaders: the subscriber gets only what they may see at that moment.
   */
  async subscribeAdded(rawTimelineId: string): Promise<AsyncIterableIterator<EventRow>> {
    const bus = this.scope.eventBus;
    if (!bus) throw new Error('eventAdded needs the event bus in the context');
    const timeline = await this.timelines.byId(rawTimelineId);
    if (!timeline) throw notFound('Timeline');
    return filterMap(bus.subscribe(timeline.id), async (eventId) => {
      this.scope.loaders = new Loaders(this.scope.db, this.scope.viewerId);
      const [stillVisible, event] = await Promise.all([this.scope.loaders.timeline.load(timeline.id), this.scope.loaders.event.load(eventId)]);
      return stillVisible ? event : undefined;
    });
  }
}

function listingKey(cursor: string): ListingKey {
  const [eventDate, id] = decodeCursor('event', cursor);
  if (typeof eventDate !== 'string' || !TIMESTAMP.test(eventDate) || !Number.isSafeInteger(id) || (id as number) < 0) {
    throw badInput('"after" is not a valid cursor for this list');
  }
  return { eventDate, id: id as number };
}
