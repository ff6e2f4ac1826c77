import DataLoader from 'dataloader';
import type { Sql } from '../db/sql';
import type { EventRecord } from '../events/event.record';
import { EventRepository, type ListedEvent, type ListingKey } from '../events/event.repository';
import { MembershipLoaders } from '../memberships/membership.loaders';
import type { TimelineRecord } from '../timelines/timeline.record';
import { TimelineRepository } from '../timelines/timeline.repository';
import { UserRepository, type UserRecord } from '../users/user.repository';

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
    user?: DataLoader<number, UserRecord | undefined>;
    timeline?: DataLoader<number, TimelineRecord | undefined>;
    event?: DataLoader<number, EventRecord | undefined>;
    listings?: DataLoader<number, TimelineRecord[]>;
    page?: DataLoader<PageKey, ListedEvent[], string>;
  } = {};

  constructor(sql: Sql, viewerId: number | null) {
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
    return (this.built.page ??= new DataLoader<PageKey, ListedEvent[], string>(
      async (keys) => {
        const shapes = groupBy(keys, shapeOf);
        const pages = new Map<string, ListedEvent[]>();
        await Promise.all(
          [...shapes.values()].map(async (group) => {
            const { after, limit } = group[0];
            const ids = group.map((key) => key.timelineId);
            const grouped = groupByKey(ids, await this.events.pages(ids, after, limit, this.viewerId), (row) => row.listingId);
            group.forEach((key, i) => pages.set(pageKeyOf(key), grouped[i]));
          }),
        );
        return keys.map((key) => pages.get(pageKeyOf(key)) ?? []);
      },
      { cacheKeyFn: pageKeyOf },
    ));
  }
}

export interface PageKey {
  timelineId: number;
  after: ListingKey;
  limit: number;
}

const shapeOf = (key: PageKey) => `${key.after.eventDate}|${key.after.id}|${key.limit}`;
const pageKeyOf = (key: PageKey) => `${key.timelineId}|${shapeOf(key)}`;

function groupBy<K, T>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function byKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): (T | undefined)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key));
}

function groupByKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
