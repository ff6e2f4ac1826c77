import { statement, writeStatement, type PgTimestamp, type PreparedStatements } from '../db/prepared';
import { columns, type EntityRow } from '../db/columns';
import { TIMELINE_COLUMNS, type TimelineRow } from '../timelines/timeline.repository';
import { timelineVisibleTo } from '../timelines/timeline-visibility';
import type { HistogramBucket } from '../generated/graphql';
import { Event } from './event.entity';
import { BUCKET_FIELD, type TimelineWindow } from './timeline-window';

/** An event as the API reads it (the GraphQL `Event` type's parent). */
export type EventRow = EntityRow<Event>;

/** Every column of `event`, aliased `e`. */
export const EVENT_COLUMNS = columns(Event, 'e');

/** An event is visible iff it has no home timeline or its home is visible (SPEC section 5). */
export const HOME_VISIBLE = (viewer: string) => `(e.timeline_id is null or ${timelineVisibleTo('h', viewer)})`;

const FIND_BY_IDS = statement(
  'event.findByIds',
  `select ${EVENT_COLUMNS} from event e left join timeline h on h.id = e.timeline_id
   where e.id = any($1::int[]) and ${HOME_VISIBLE('$2')}`,
);

/**
 * A listing `r` (of event `e`, home `h`) the viewer may see on its timeline, which they already see: listed on
 * its home, or its home is visible. Pages, counts and histograms share it, so that they count the same events.
 */
const LISTING_VISIBLE = (viewer: string) => `(e.timeline_id = r.timeline_id or ${HOME_VISIBLE(viewer)})`;

/**
 * One page of events for each of several timelines in one statement (the nested-query case): a lateral
 * keyset scan of `event_timeline_refs_listing_idx` per timeline, newest `event_date` first, then id, from
 * `($2, $3)` down to `event_date >= $6`. The window's upper bound is in `($2, $3)` (see `pages`), not a
 * condition of its own: the index scan starts at one key, and with two upper bounds on `event_date` that
 * PostgreSQL cannot compare (a row and a scalar) it may start at the wrong one and filter its way down.
 */
export const PAGES = statement(
  'event.pages',
  `select q.listing_id as "listingId", p.* from unnest($1::int[]) as q(listing_id)
   cross join lateral (
     select ${EVENT_COLUMNS} from event_timeline_refs r
     join event e on e.id = r.event_id
     left join timeline h on h.id = e.timeline_id
     where r.timeline_id = q.listing_id
       and (r.event_date, r.event_id) < ($2::timestamp, $3::int)
       and r.event_date >= $6::timestamp
       and ${LISTING_VISIBLE('$5')}
     order by r.event_date desc, r.event_id desc
     limit $4
   ) p`,
);

/**
 * The window `$2 <= event_date < $3` cut at UTC midnights: `f`, `t` its bounds, whole days `fd <= day < td` (read
 * from `event_day_count`), and the edges `f <= event_date < fd` and `td <= event_date < t` (less than a day each,
 * read from the listings). A window inside one day is all edge (`fd = td = t`); an open side has no edge.
 */
const WINDOW_DAYS = `(select f, t, fd, greatest(date_trunc('day', t), fd) as td from (
     select f, t, least(case when date_trunc('day', f) = f then f else date_trunc('day', f) + interval '1 day' end, t) as fd
     from (select $2::timestamp as f, $3::timestamp as t) b) b) w`;

/** The day rows of timeline `q.listing_id` in `w`'s whole days that the viewer `$4` may count (SPEC section 5). */
const WHOLE_DAYS = `select c.day::timestamp as day, c.count from event_day_count c left join timeline h on h.id = c.hidden_home
     where c.timeline_id = q.listing_id and c.day >= w.fd::date and c.day < w.td::date
       and (c.hidden_home = 0 or ${timelineVisibleTo('h', '$4')})`;

/** The visible listings of timeline `q.listing_id` from `low` to `high`: one range scan of a partial day. */
const EDGE = (low: string, high: string) => `select r.event_date from event_timeline_refs r
     join event e on e.id = r.event_id
     left join timeline h on h.id = e.timeline_id
     where r.timeline_id = q.listing_id and r.event_date >= ${low} and r.event_date < ${high} and ${LISTING_VISIBLE('$4')}`;

/**
 * How many events each timeline's pages would go through in the window: the maintained counts of its whole
 * days plus the listings of its two partial edge days, so the cost grows with the days of the window, not its events.
 */
export const COUNTS = statement(
  'event.windowCounts',
  `select q.listing_id as "listingId",
     ((select coalesce(sum(d.count), 0) from (${WHOLE_DAYS}) d)
      + (select count(*) from (${EDGE('w.f', 'w.fd')}) x) + (select count(*) from (${EDGE('w.td', 'w.t')}) x))::int as count
   from unnest($1::int[]) as q(listing_id) cross join ${WINDOW_DAYS}`,
);

/** The same events as COUNTS, per UTC bin of `date_trunc($5)` (weeks start on Monday), oldest bin first. */
export const HISTOGRAMS = statement(
  'event.windowHistograms',
  `select q.listing_id as "listingId", b.start, b.count from unnest($1::int[]) as q(listing_id)
   cross join ${WINDOW_DAYS}
   cross join lateral (
     select date_trunc($5::text, d.day) as start, sum(d.count)::int as count from (
       ${WHOLE_DAYS}
       union all select x.event_date, 1 from (${EDGE('w.f', 'w.fd')}) x
       union all select x.event_date, 1 from (${EDGE('w.td', 'w.t')}) x
     ) d
     group by 1 having sum(d.count) > 0
   ) b
   order by q.listing_id, b.start`,
);

const LISTINGS = statement(
  'event.listings',
  `select r.event_id as "eventId", ${TIMELINE_COLUMNS} from event_timeline_refs r
   join timeline t on t.id = r.timeline_id
   where r.event_id = any($1::int[]) and ${timelineVisibleTo('t', '$2')}
   order by r.event_id, t.id`,
);

/**
 * Inserts a batch of events, lists each on its timelines and queues one `eventAdded` notification per
 * listed event, in one statement (atomic by itself; PostgreSQL sends the notifications on commit). Ids are
 * drawn first so that each input row keeps its place (`ord`) and its listings; `event_date` is copied to
 * every listing. The payload is what `EventBus` decodes: `{"e": eventId, "t": [timelineId, ...]}`.
 * It runs in the unit of work's transaction. Not an entity flush: measured here (one event, three listed tags,
 * 500 writes after warm-up, in-process CPU), fold-and-find plus this statement cost 1.54 ms of CPU per write,
 * fold-and-find plus `em.create(Event)`, three `EventTimelineRef`s and `em.flush()` 2.86 ms: the flush adds
 * 1.3 ms, more than the whole of ingestion's CPU per request in `npm run bench` (0.8–1.0 ms), far above 25%.
 */
const INSERT_LISTED = writeStatement(
  'event.insertListed',
  `with input as (
     select x.*, nextval(pg_get_serial_sequence('event', 'id'))::int as id
     from jsonb_to_recordset($1::jsonb) as x(ord int, title text, description text, event_date timestamptz, type text,
       url text, media_url text, tags text[], timeline_id int, listings int[])
   ), inserted as (
     insert into event as e (id, title, description, event_date, type, url, media_url, tags, timeline_id, created_by)
     select id, title, description, coalesce(event_date, now()) at time zone 'UTC', type, url, media_url, tags, timeline_id, $2::int
     from input order by ord
     returning ${EVENT_COLUMNS}
   ), listed as (
     insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
     select i.id, l.timeline_id, e."eventDate", case when l.timeline_id = i.timeline_id then 'home' else 'tag' end
     from input i join inserted e on e.id = i.id cross join unnest(i.listings) as l(timeline_id)
   )
   select e.* from inserted e join input i on i.id = e.id
   left join lateral (
     select pg_notify($3, json_build_object('e', i.id, 't', i.listings)::text) where cardinality(i.listings) > 0
   ) as notified on true
   order by i.ord`,
);

/** A position in a timeline's listing order; `eventDate: 'infinity'` starts at the newest. */
export interface ListingKey {
  eventDate: PgTimestamp | 'infinity';
  id: number;
}

export type ListedEvent = EventRow & { listingId: number };

/** The key that comes first in a timeline's listing order (the older one): timestamp text compares as text once its fraction is padded. */
function earlier(a: ListingKey, b: ListingKey): ListingKey {
  const sortable = (key: ListingKey) => (key.eventDate === 'infinity' ? '~' : key.eventDate.includes('.') ? key.eventDate.padEnd(26, '0') : `${key.eventDate}.000000`);
  const [x, y] = [sortable(a), sortable(b)];
  return x < y || (x === y && a.id <= b.id) ? a : b;
}

/** One bin of a timeline's histogram: `start` is the bin's first instant (UTC timestamp text). */
export interface HistogramRow {
  listingId: number;
  start: PgTimestamp;
  count: number;
}

export interface NewEvent {
  title: string;
  description: string | null;
  /** ISO 8601; null: the transaction's time. */
  eventDate: string | null;
  type: string;
  url: string | null;
  mediaUrl: string | null;
  tags: string[];
  timelineId: number | null;
  /** Every timeline it is listed on, its home included, each once. */
  listings: number[];
}

export class EventRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** The inserted events, in the order of `events`; each listed one is announced on `channel` on commit. */
  insertListed(events: readonly NewEvent[], createdById: number, channel: string): Promise<EventRow[]> {
    const input = events.map((event, ord) => ({
      ord,
      title: event.title,
      description: event.description,
      event_date: event.eventDate,
      type: event.type,
      url: event.url,
      media_url: event.mediaUrl,
      tags: event.tags,
      timeline_id: event.timelineId,
      listings: event.listings,
    }));
    return this.db.rows<EventRow>(INSERT_LISTED, [JSON.stringify(input), createdById, channel]);
  }

  findVisibleByIds(ids: readonly number[], viewerId: number | null): Promise<EventRow[]> {
    return this.db.rows<EventRow>(FIND_BY_IDS, [ids, viewerId]);
  }

  /** Up to `limit` visible events listed on each timeline in `window`, strictly after `after` in listing order. */
  pages(timelineIds: readonly number[], after: ListingKey, limit: number, window: TimelineWindow, viewerId: number | null) {
    const start = earlier(after, { eventDate: window.to, id: 0 });
    return this.db.rows<ListedEvent>(PAGES, [timelineIds, start.eventDate, start.id, limit, viewerId, window.from]);
  }

  /** For each timeline, how many visible events are listed on it in `window`. */
  counts(timelineIds: readonly number[], window: TimelineWindow, viewerId: number | null) {
    return this.db.rows<{ listingId: number; count: number }>(COUNTS, [timelineIds, window.from, window.to, viewerId]);
  }

  /** For each timeline, its visible events in `window` per non-empty bin, oldest first. */
  histograms(timelineIds: readonly number[], window: TimelineWindow, bucket: HistogramBucket, viewerId: number | null) {
    return this.db.rows<HistogramRow>(HISTOGRAMS, [timelineIds, window.from, window.to, viewerId, BUCKET_FIELD[bucket]]);
  }

  /** The visible timelines each event is listed on. */
  listings(eventIds: readonly number[], viewerId: number | null) {
    return this.db.rows<TimelineRow & { eventId: number }>(LISTINGS, [eventIds, viewerId]);
  }
}
