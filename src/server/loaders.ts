import DataLoader from 'dataloader';
import { byKey, groupByKey, pageLoader } from '../common/batching';
import type { PreparedStatements } from '../db/prepared';
import type { EventRow } from '../events/event.repository';
import { EventRepository, type HistogramRow, type ListedEvent, type ListingKey } from '../events/event.repository';
import type { TimelineWindow } from '../events/timeline-window';
import type { HistogramBucket } from '../generated/graphql';
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
    count?: DataLoader<WindowKey, { listingId: number; count: number }[], string>;
    histogram?: DataLoader<HistogramKey, HistogramRow[], string>;
  } = {};

  constructor(sql: PreparedStatements, viewerId: number | null) {
    super(sql, viewerId);
    this.users = new UserRepository(sql);
    this.timelines = new TimelineRepository(sql);
    this.events = new EventRepository(sql);
  }

  override clear(): void {
    super.clear();
    this.built = {};
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

  /** Timelines asking for the same page shape (position, size and window) share one statement. */
  get page() {
    return (this.built.page ??= pageLoader<PageKey, ListedEvent>(
      (key) => `${key.after.eventDate}|${key.after.id}|${key.limit}|${windowShape(key.window)}`,
      (ids, { after, limit, window }) => this.events.pages(ids, after, limit, window, this.viewerId),
      (row) => row.listingId,
    ));
  }

  /** Timelines counted over the same window share one statement; each gets one row. */
  get count() {
    return (this.built.count ??= pageLoader<WindowKey, { listingId: number; count: number }>(
      (key) => windowShape(key.window),
      (ids, { window }) => this.events.counts(ids, window, this.viewerId),
      (row) => row.listingId,
    ));
  }

  /** Histograms of the same window and bucket share one statement. */
  get histogram() {
    return (this.built.histogram ??= pageLoader<HistogramKey, HistogramRow>(
      (key) => `${key.bucket}|${windowShape(key.window)}`,
      (ids, { window, bucket }) => this.events.histograms(ids, window, bucket, this.viewerId),
      (row) => row.listingId,
    ));
  }
}

const windowShape = (window: TimelineWindow) => `${window.from}|${window.to}`;

export interface WindowKey {
  timelineId: number;
  window: TimelineWindow;
}

export interface PageKey extends WindowKey {
  after: ListingKey;
  limit: number;
}

export interface HistogramKey extends WindowKey {
  bucket: HistogramBucket;
}

