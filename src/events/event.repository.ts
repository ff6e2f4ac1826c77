import { statement, type PgTimestamp, type Sql } from '../db/sql';
import { TIMELINE_COLUMNS, timelineVisibleTo, type TimelineRecord } from '../timelines/timeline.record';
import { EVENT_COLUMNS, type EventRecord } from './event.record';

/** An event is visible iff it has no home timeline or its home is visible (SPEC section 5). */
const HOME_VISIBLE = (viewer: string) => `(e.timeline_id is null or ${timelineVisibleTo('h', viewer)})`;

const FIND_BY_IDS = statement(
  'event.findByIds',
  `select ${EVENT_COLUMNS} from event e left join timeline h on h.id = e.timeline_id
   where e.id = any($1::int[]) and ${HOME_VISIBLE('$2')}`,
);

/**
 * One page of events for each of several timelines in one statement (the nested-query case): a lateral
 * keyset scan of `event_timeline_refs_listing_idx` per timeline, newest `event_date` first, then id.
 */
const PAGES = statement(
  'event.pages',
  `select q.listing_id as "listingId", p.* from unnest($1::int[]) as q(listing_id)
   cross join lateral (
     select ${EVENT_COLUMNS} from event_timeline_refs r
     join event e on e.id = r.event_id
     left join timeline h on h.id = e.timeline_id
     where r.timeline_id = q.listing_id
       and (r.event_date, r.event_id) < ($2::timestamp, $3::int)
       and (e.timeline_id = r.timeline_id or ${HOME_VISIBLE('$5')})
     order by r.event_date desc, r.event_id desc
     limit $4
   ) p`,
);

const LISTINGS = statement(
  'event.listings',
  `select r.event_id as "eventId", ${TIMELINE_COLUMNS} from event_timeline_refs r
   join timeline t on t.id = r.timeline_id
   where r.event_id = any($1::int[]) and ${timelineVisibleTo('t', '$2')}
   order by r.event_id, t.id`,
);

/** A position in a timeline's listing order; `eventDate: 'infinity'` starts at the newest. */
export interface ListingKey {
  eventDate: PgTimestamp | 'infinity';
  id: number;
}

export type ListedEvent = EventRecord & { listingId: number };

export class EventRepository {
  constructor(private readonly sql: Sql) {}

  findVisibleByIds(ids: readonly number[], viewerId: number | null): Promise<EventRecord[]> {
    return this.sql.rows<EventRecord>(FIND_BY_IDS, [ids, viewerId]);
  }

  /** Up to `limit` visible events listed on each timeline, strictly after `after` in listing order. */
  pages(timelineIds: readonly number[], after: ListingKey, limit: number, viewerId: number | null) {
    return this.sql.rows<ListedEvent>(PAGES, [timelineIds, after.eventDate, after.id, limit, viewerId]);
  }

  /** The visible timelines each event is listed on. */
  listings(eventIds: readonly number[], viewerId: number | null) {
    return this.sql.rows<TimelineRecord & { eventId: number }>(LISTINGS, [eventIds, viewerId]);
  }
}
