import { badInput, notFound } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection, type PageArgs } from '../common/pagination';
import type { Scope } from '../common/scope';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { CreateEventInput, HistogramBucket, UpdateEventInput } from '../generated/graphql';
import type { LiveKind } from './event-bus';
import type { ResolvedEvent } from './live-resolution';
import { EventChanges, type DeletedEvent } from './event-changes';
import { EventSharing } from './event-sharing';
import { EventIngestion } from './event-ingestion';
import type { EventRow, HistogramRow, ListingKey } from './event.repository';
import { checkBinCount, isWholeTimeline, timelineWindow, WHOLE_TIMELINE, type TimelineWindow } from './timeline-window';
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

  /**
   * A page of the events listed on a timeline the caller can already see, in the window `from <= eventDate < to`.
   * A cursor carries its window (none: as before windows existed), so that it is refused in another one.
   */
  async page(timeline: TimelineRow, args: PageArgs & WindowArgs): Promise<Connection<EventRow>> {
    const limit = pageSize(args.first);
    const window = timelineWindow(args.from, args.to);
    const after = args.after ? listingKey(args.after, window) : NEWEST;
    const rows = await this.scope.loaders.page.load({ timelineId: timeline.id, after, limit: limit + 1, window });
    const bounds = isWholeTimeline(window) ? [] : [window.from, window.to];
    return toConnection(rows, limit, (e) => encodeCursor('event', [e.eventDate, e.id, ...bounds]));
  }

  /** How many events `page` would go through in the window. */
  async count(timeline: TimelineRow, args: WindowArgs): Promise<number> {
    const [row] = await this.scope.loaders.count.load({ timelineId: timeline.id, window: timelineWindow(args.from, args.to) });
    return row?.count ?? 0;
  }

  /** The window's events per UTC bin, empty bins left out; at most MAX_HISTOGRAM_BINS bins. */
  async histogram(timeline: TimelineRow, { bucket, from, to }: { bucket: HistogramBucket; from: Date; to: Date }): Promise<HistogramRow[]> {
    checkBinCount(bucket, from, to);
    return this.scope.loaders.histogram.load({ timelineId: timeline.id, window: timelineWindow(from, to), bucket });
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

  updateEvent(rawId: string, input: UpdateEventInput): Promise<EventRow> {
    return new EventChanges(this.scope, this.users).update(rawId, input);
  }

  deleteEvent(rawId: string): Promise<DeletedEvent> {
    return new EventChanges(this.scope, this.users).remove(rawId);
  }

  shareEvent(rawEventId: string, rawTimelineId: string): Promise<EventRow> {
    return new EventSharing(this.scope, this.users, this.timelines).share(rawEventId, rawTimelineId);
  }

  unshareEvent(rawEventId: string, rawTimelineId: string): Promise<boolean> {
    return new EventSharing(this.scope, this.users, this.timelines).unshare(rawEventId, rawTimelineId);
  }

  /**
   * Events newly listed on a timeline the subscriber can see (else NOT_FOUND). Each event is resolved once per
   * process for every subscriber (`LiveResolver`); this subscriber gets it only if they may see it and still see
   * the timeline, and their selection runs on the loaders it was resolved into for them.
   */
  async subscribeAdded(rawTimelineId: string): Promise<AsyncIterableIterator<EventRow>> {
    return this.subscription('added', rawTimelineId, this.visibleEvent);
  }

  /** Events listed on the timeline that changed, delivered as `subscribeAdded` delivers. */
  async subscribeUpdated(rawTimelineId: string): Promise<AsyncIterableIterator<EventRow>> {
    return this.subscription('updated', rawTimelineId, this.visibleEvent);
  }

  /**
   * Events that left the timeline. The event may be gone: it is delivered if the subscriber may still see the
   * timeline and could see the event there (its home, as it was, is visible to them, or it had none).
   */
  async subscribeRemoved(rawTimelineId: string): Promise<AsyncIterableIterator<EventRemoval>> {
    return this.subscription('removed', rawTimelineId, (resolved, timelineId) =>
      resolved.sees(this.scope.viewerId, timelineId) && resolved.homeVisibleTo(this.scope.viewerId) ? resolved.removalFrom(timelineId) : undefined,
    );
  }

  /** The event, if the subscriber may see it and still sees the timeline. */
  private readonly visibleEvent = (resolved: ResolvedEvent, timelineId: number): EventRow | undefined =>
    resolved.sees(this.scope.viewerId, timelineId) ? resolved.eventFor(this.scope.viewerId) : undefined;

  private async subscription<T>(kind: LiveKind, rawTimelineId: string, deliverable: (resolved: ResolvedEvent, timelineId: number) => T | undefined) {
    const bus = this.scope.eventBus;
    if (!bus) throw new Error('Subscriptions need the event bus in the context');
    const timeline = await this.timelines.byId(rawTimelineId);
    if (!timeline) throw notFound('Timeline');
    const source = bus.subscribe(kind, timeline.id, { viewerId: this.scope.viewerId, close: this.scope.closeConnection });
    // Set up: from here its deliveries read through each event's resolution, and its own fork is let go.
    this.scope.db.release();
    return filterMap(source, (resolved) => {
      const value = deliverable(resolved, timeline.id);
      if (value !== undefined) this.scope.loaders = resolved.loadersFor(this.scope.viewerId);
      return value;
    });
  }
}

/** What `eventRemoved` delivers. */
export interface EventRemoval {
  eventId: number;
  timelineId: number;
}

export interface WindowArgs {
  from?: Date | null;
  to?: Date | null;
}

/** The position of an `event` cursor, which must come from `window`. */
function listingKey(cursor: string, window: TimelineWindow): ListingKey {
  const [eventDate, id, ...bounds] = decodeCursor('event', cursor);
  if (typeof eventDate !== 'string' || !TIMESTAMP.test(eventDate) || !Number.isSafeInteger(id) || (id as number) < 0) {
    throw badInput('"after" is not a valid cursor for this list');
  }
  const [from, to] = bounds.length === 0 ? [WHOLE_TIMELINE.from, WHOLE_TIMELINE.to] : bounds;
  if (bounds.length > 2 || from !== window.from || to !== window.to) {
    throw badInput('"after" is a cursor of another window: page with the "from" and "to" it came with');
  }
  return { eventDate, id: id as number };
}
