import DataLoader from 'dataloader';
import { byKey, groupByKey, pageLoader } from '../common/batching';
import type { PreparedStatements } from '../db/prepared';
import type { EventRow } from '../events/event.repository';
import { EventRepository, type ListedEvent, type ListingKey } from '../events/event.repository';
import { MembershipLoaders } from '../memberships/membership.loaders';
import type { TimelineRow } from '../timelines/timeline.repository';
import { TimelineRepository } from '../timelines/timeline.repository';
import { UserRepository, type UserRow } from '../users/user.repository';

/**
 * Per-request batching: every field that fetches by key goes through one of these, so a nested query
 * costs one statement per level, whatever the number of rows (SPEC section 8). Each loader is built on
 * first use, so a request pays only for the ones it needs.
 */
export class Loaders extends MembershipLoaders {
  private readonly users: UserRepository;
  private readonly timelines: TimelineRepository;
  private readonly events: EventRepository;
  private built: {
    user?: DataLoader<number, UserRow | undefined>;
    timeline?: DataLoader<number, TimelineRow | undefined>;
    event?: DataLoader<number, EventRow | undefined>;
    listings?: DataLoader<number, TimelineRow[]>;
    page?: DataLoader<PageKey, ListedEvent[], string>;
  } = {};

  constructor(sql: PreparedStatements, viewerId: number | null) {
    super(sql, viewerId);
    this.users = new UserRepository(sql);
    this.timelines = new TimelineRepository(sql);
    this.events = new EventRepository(sql);
  }

  get user() {
    return (this.built.user ??= new DataLoader(async (ids) => byKey(ids, await this.users.findByIds(ids), (u) => u.id)));
  }

  /** Undefined for a timeline the viewer may not see: for them it does not exist. */
  get timeline() {
    return (this.built.timeline ??= new DataLoader(async (ids) =>
      byKey(ids, await this.timelines.findVisibleByIds(ids, this.viewerId), (t) => t.id),
    ));
  }

  get event() {
    return (this.built.event ??= new DataLoader(async (ids) => byKey(ids, await this.events.findVisibleByIds(ids, this.viewerId), (e) => e.id)));
  }

  get listings() {
    return (this.built.listings ??= new DataLoader(async (eventIds) =>
      groupByKey(eventIds, await this.events.listings(eventIds, this.viewerId), (row) => row.eventId),
    ));
  }

  /** Timelines asking for the same page shape (position and size) share one statement. */
  get page() {
    return (this.built.page ??= pageLoader<PageKey, ListedEvent>(
      (key) => `${key.after.eventDate}|${key.after.id}|${key.limit}`,
      (ids, { after, limit }) => this.events.pages(ids, after, limit, this.viewerId),
      (row) => row.listingId,
    ));
  }
}

export interface PageKey {
  timelineId: number;
  after: ListingKey;
  limit: number;
}
