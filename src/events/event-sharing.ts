import { timelineGoneIsNotFound } from '../common/db-errors';
import { badInput, forbidden, notFound } from '../common/errors';
import { parseId } from '../common/pagination';
import type { Scope } from '../common/scope';
import type { PreparedStatements } from '../db/prepared';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import { assertCan } from './event-policy';
import type { EventRow } from './event.repository';
import { ListingRepository, type LockedEvent } from './listing.repository';

/**
 * `shareEvent` and `unshareEvent` (SPEC section 11). The target timeline is judged first (as `createEvent` judges
 * a home timeline), then, in one unit of work holding the event's row lock (shared: shares of one event do not
 * wait on each other, edits and deletes do), the event.
 */
export class EventSharing {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
    private readonly timelines: TimelineService,
  ) {}

  /**
   * On a community the caller is an ACTIVE member of, or their own personal timeline; never a hashtag timeline.
   * An event homed on a personal timeline stays there. Where it is listed already, nothing changes.
   */
  async share(rawEventId: string, rawTimelineId: string): Promise<EventRow> {
    const viewerId = this.users.requireViewer();
    const eventId = parseId(rawEventId, 'event id');
    const target = await this.timelines.byId(rawTimelineId);
    if (!target) throw notFound('Timeline');
    if (target.timelineType === 'hashtag') {
      throw badInput(`${this.timelines.formattedName(target)} is a hashtag timeline: it lists events by their tags, so tag the event instead`);
    }
    await this.timelines.postable(rawTimelineId);
    const event = await this.scope.db
      .transaction(async (db) => {
        const locked = await this.locked(db, eventId, viewerId);
        if (locked.homeType === 'personal' && locked.timeline !== target.id) {
          throw forbidden('An event homed on a personal timeline is never listed anywhere else');
        }
        await new ListingRepository(db).share(eventId, target.id, viewerId);
        return locked;
      })
      .catch(timelineGoneIsNotFound);
    this.scope.loaders.listings.clear(eventId);
    return event;
  }

  /** Whoever shared it, or an admin or moderator of that timeline; false when the event is not listed there. */
  async unshare(rawEventId: string, rawTimelineId: string): Promise<boolean> {
    const viewerId = this.users.requireViewer();
    const eventId = parseId(rawEventId, 'event id');
    const timeline = await this.timelines.byId(rawTimelineId);
    if (!timeline) throw notFound('Timeline');
    const removed = await this.scope.db.transaction(async (db) => {
      const event = await this.locked(db, eventId, viewerId);
      const listings = new ListingRepository(db);
      const listing = await listings.find(eventId, timeline.id, viewerId);
      if (!listing) return false;
      if (listing.kind !== 'share') throw badInput(this.notAShare(listing.kind, timeline));
      assertCan(viewerId, 'listing:unshare', { listing, timeline });
      return listings.unshare(eventId, timeline.id, event.timeline);
    });
    this.scope.loaders.listings.clear(eventId);
    return removed;
  }

  private notAShare(kind: 'home' | 'tag', timeline: TimelineRow): string {
    const name = this.timelines.formattedName(timeline);
    return kind === 'home'
      ? `${name} is the event's home timeline: delete the event instead`
      : `The event is listed on ${name} by its tag: edit its tags instead`;
  }

  /** The event under a shared row lock; NOT_FOUND when it does not exist or the caller cannot see it. */
  private async locked(db: PreparedStatements, id: number, viewerId: number): Promise<LockedEvent> {
    const event = await new ListingRepository(db).lockEvent(id, viewerId, 'share');
    if (!event?.visible) throw notFound('Event');
    return event;
  }
}
