import { writeStatement, type PreparedStatements } from '../db/prepared';
import type { MemberRole } from '../memberships/timeline-member.entity';
import type { TimelineKind } from '../timelines/timeline.entity';
import { EVENT_ADDED_CHANNEL, EVENT_REMOVED_CHANNEL, EVENT_UPDATED_CHANNEL } from './event-bus';
import type { EventFields } from './event-input';
import type { ListingKind } from './event-timeline-ref.entity';
import { EVENT_COLUMNS, HOME_VISIBLE, type EventRow } from './event.repository';

/**
 * Hand-written SQL for changing an event and its listings (SPEC section 11). Every change locks the event's row
 * first, so that edits, deletes and shares of one event serialise; each then runs as one set-based statement
 * whatever the number of tags and listings, with its notifications queued in the same statement (PostgreSQL
 * sends them on commit only).
 */

/** An event under its row lock, with what the permission rules need. */
export type LockedEvent = EventRow & {
  /** Whether the caller may see it (its home is visible to them, or it has none). */
  visible: boolean;
  homeType: TimelineKind | null;
  /** The caller's role in its home community, when an active member. */
  homeRole: MemberRole | null;
};

const lockStatement = (mode: 'update' | 'share') =>
  writeStatement(
    `listing.lockEvent.${mode}`,
    `select ${EVENT_COLUMNS}, ${HOME_VISIBLE('$2')} as visible, h.timeline_type as "homeType",
       (select tm.role from timeline_member tm where tm.timeline_id = e.timeline_id and tm.user_id = $2 and tm.state = 'active') as "homeRole"
     from event e left join timeline h on h.id = e.timeline_id
     where e.id = $1
     for ${mode} of e`,
  );
const LOCK = { update: lockStatement('update'), share: lockStatement('share') };

/**
 * `pg_notify(channel, '{"e": event, "t": [timeline, ...], "h": home}')` for the rows of `source` (columns
 * `channel`, `timeline_id`), in chunks of 500 timelines: a payload must stay under PostgreSQL's 8000 bytes.
 */
const notify = (source: string, event: string, home: string) =>
  `select count(pg_notify(n.channel, json_build_object('e', ${event}, 't', n.timelines, 'h', ${home})::text)) as sent
   from (select channel, array_agg(timeline_id) as timelines from (
     select channel, timeline_id, (row_number() over (partition by channel) - 1) / 500 as chunk from ${source}
   ) s group by channel, chunk) n`;

/**
 * `updateEvent`: the event's new fields and tags, its tag listings set to `$9` (dropped ones deleted, new ones
 * inserted), `event_date` copied to every listing it keeps when it changed, and a notification per timeline:
 * `eventAdded` where newly listed, `eventRemoved` where dropped, `eventUpdated` where kept. The home and the
 * shares are never touched but for their date. Each sub-statement sees the listings as they were before it, and
 * they touch disjoint rows.
 */
const RETAG = writeStatement(
  'listing.retag',
  `with ev as (
     update event e set title = $2, description = $3, event_date = coalesce($4::timestamptz at time zone 'UTC', e.event_date),
       type = $5, url = $6, media_url = $7, tags = $8::text[]
     where e.id = $1
     returning ${EVENT_COLUMNS}
   ), kept as (
     select r.timeline_id from event_timeline_refs r where r.event_id = $1 and (r.kind <> 'tag' or r.timeline_id = any($9::int[]))
   ), moved as (
     update event_timeline_refs r set event_date = ev."eventDate" from ev
     where r.event_id = $1 and (r.kind <> 'tag' or r.timeline_id = any($9::int[])) and r.event_date <> ev."eventDate"
   ), dropped as (
     delete from event_timeline_refs r where r.event_id = $1 and r.kind = 'tag' and r.timeline_id <> all($9::int[])
     returning r.timeline_id
   ), added as (
     insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
     select $1, t.id, ev."eventDate", 'tag' from unnest($9::int[]) as t(id) cross join ev
     where not exists (select 1 from event_timeline_refs r where r.event_id = $1 and r.timeline_id = t.id)
     returning timeline_id
   ), notices as (
     select $10::text as channel, timeline_id from added
     union all select $11, timeline_id from kept
     union all select $12, timeline_id from dropped
   )
   select ev.* from ev cross join (${notify('notices', '$1::int', '(select timeline from ev)')}) sent`,
);

/** `deleteEvent`: its listings, then the event (the foreign key is checked at the statement's end), and `eventRemoved` for each. */
const DELETE = writeStatement(
  'listing.deleteEvent',
  `with gone as (
     delete from event_timeline_refs r where r.event_id = $1 returning $2::text as channel, r.timeline_id
   ), ev as (
     delete from event e where e.id = $1 returning e.timeline_id
   )
   select (select count(*) from gone)::int as "removedListings", sent.sent
   from (${notify('gone', '$1::int', '(select timeline_id from ev)')}) sent`,
);

/** `shareEvent`: a no-op where the event is listed already; `eventAdded` only when it was not. */
const SHARE = writeStatement(
  'listing.share',
  `with added as (
     insert into event_timeline_refs (event_id, timeline_id, event_date, kind, shared_by)
     select e.id, $2, e.event_date, 'share', $3 from event e where e.id = $1
     on conflict (event_id, timeline_id) do nothing
     returning $4::text as channel, timeline_id
   )
   select sent.sent from (${notify('added', '$1::int', 'null::int')}) sent`,
);

const FIND = writeStatement(
  'listing.find',
  `select r.kind, r.shared_by as "sharedBy",
     (select tm.role from timeline_member tm where tm.timeline_id = r.timeline_id and tm.user_id = $3 and tm.state = 'active') as "role"
   from event_timeline_refs r where r.event_id = $1 and r.timeline_id = $2`,
);

const UNSHARE = writeStatement(
  'listing.unshare',
  `with gone as (
     delete from event_timeline_refs r where r.event_id = $1 and r.timeline_id = $2 and r.kind = 'share'
     returning $4::text as channel, r.timeline_id
   )
   select (select count(*) from gone)::int as removed, sent.sent from (${notify('gone', '$1::int', '$3::int')}) sent`,
);

/** A listing as `unshareEvent` judges it. */
export interface Listing {
  kind: ListingKind;
  sharedBy: number | null;
  /** The caller's role in the listing's timeline, when an active member of it (a community). */
  role: MemberRole | null;
}

export type EventChanges = Omit<EventFields, 'eventDate'> & {
  /** ISO 8601; null: unchanged. */
  eventDate: string | null;
  tags: string[];
};

export class ListingRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** The event, locked until the end of the transaction: `update` for edits and deletes, `share` for (un)sharing. */
  lockEvent(eventId: number, viewerId: number, mode: 'update' | 'share'): Promise<LockedEvent | undefined> {
    return this.db.row<LockedEvent>(LOCK[mode], [eventId, viewerId]);
  }

  /** The updated event; its tag listings are now exactly `tagTimelineIds` (empty for a personal-home event). */
  async retag(eventId: number, changes: EventChanges, tagTimelineIds: readonly number[]): Promise<EventRow> {
    const { title, description, eventDate, type, url, mediaUrl, tags } = changes;
    const values = [eventId, title, description, eventDate, type, url, mediaUrl, tags, tagTimelineIds];
    return (await this.db.row<EventRow>(RETAG, [...values, EVENT_ADDED_CHANNEL, EVENT_UPDATED_CHANNEL, EVENT_REMOVED_CHANNEL]))!;
  }

  /** Deletes the event and its listings; how many listings went. */
  async deleteEvent(eventId: number): Promise<number> {
    return (await this.db.row<{ removedListings: number }>(DELETE, [eventId, EVENT_REMOVED_CHANNEL]))!.removedListings;
  }

  /** Lists the event on `timelineId` as shared by `sharedById`, unless it is listed there already. */
  async share(eventId: number, timelineId: number, sharedById: number): Promise<void> {
    await this.db.rows(SHARE, [eventId, timelineId, sharedById, EVENT_ADDED_CHANNEL]);
  }

  find(eventId: number, timelineId: number, viewerId: number): Promise<Listing | undefined> {
    return this.db.row<Listing>(FIND, [eventId, timelineId, viewerId]);
  }

  /** Removes a share listing; false when there was none (removed meanwhile). */
  async unshare(eventId: number, timelineId: number, homeId: number | null): Promise<boolean> {
    return (await this.db.row<{ removed: number }>(UNSHARE, [eventId, timelineId, homeId, EVENT_REMOVED_CHANNEL]))!.removed > 0;
  }
}
