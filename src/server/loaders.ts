import DataLoader from 'dataloader';
import type { Sql } from '../db/sql';
import type { EventRecord } from '../events/event.record';
import { EventRepository, type ListedEvent, type ListingKey } from '../events/event.repository';
import { createMembershipLoaders } from '../memberships/membership.loaders';
import type { TimelineRecord } from '../timelines/timeline.record';
import { TimelineRepository } from '../timelines/timeline.repository';
import { UserRepository, type UserRecord } from '../users/user.repository';

/**
 * Per-request batching: every field that fetches by key goes through one of these, so a nested query
 * costs one statement per level, whatever the number of rows (SPEC section 8).
 */
export function createLoaders(sql: Sql, viewerId: number | null) {
  const users = new UserRepository(sql);
  const timelines = new TimelineRepository(sql);
  const events = new EventRepository(sql);
  return {
    ...createMembershipLoaders(sql, viewerId),
    user: new DataLoader<number, UserRecord | undefined>(async (ids) => byKey(ids, await users.findByIds(ids), (u) => u.id)),
    /** Undefined for a timeline the viewer may not see: for them it does not exist. */
    timeline: new DataLoader<number, TimelineRecord | undefined>(async (ids) =>
      byKey(ids, await timelines.findVisibleByIds(ids, viewerId), (t) => t.id),
    ),
    event: new DataLoader<number, EventRecord | undefined>(async (ids) =>
      byKey(ids, await events.findVisibleByIds(ids, viewerId), (e) => e.id),
    ),
    listings: new DataLoader<number, TimelineRecord[]>(async (eventIds) =>
      groupByKey(eventIds, await events.listings(eventIds, viewerId), (row) => row.eventId),
    ),
    /** Timelines asking for the same page shape (position and size) share one statement. */
    page: new DataLoader<PageKey, ListedEvent[], string>(
      async (keys) => {
        const shapes = groupBy(keys, shapeOf);
        const pages = new Map<string, ListedEvent[]>();
        await Promise.all(
          [...shapes.values()].map(async (group) => {
            const { after, limit } = group[0];
            const ids = group.map((key) => key.timelineId);
            const grouped = groupByKey(ids, await events.pages(ids, after, limit, viewerId), (row) => row.listingId);
            group.forEach((key, i) => pages.set(pageKeyOf(key), grouped[i]));
          }),
        );
        return keys.map((key) => pages.get(pageKeyOf(key)) ?? []);
      },
      { cacheKeyFn: pageKeyOf },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

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
