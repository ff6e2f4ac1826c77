/**
 * Reference-row backfills shared by the migration that first runs them and the one that makes
 * `event_timeline_refs.event_date` NOT NULL, which runs them again for rows written in between.
 * `$1` < event id <= `$2` (see `batches` in `migration-support.ts`).
 */
export const BACKFILL_REF_EVENT_DATE = `update event_timeline_refs r set event_date = e.event_date from event e
  where e.id = r.event_id and r.event_id > $1 and r.event_id <= $2 and r.event_date is null`;

/** V2 lists every listing of an event as a reference row, its home timeline included. */
export const BACKFILL_HOME_REFS = `insert into event_timeline_refs (event_id, timeline_id, event_date, created_at)
  select e.id, e.timeline_id, e.event_date, e.created_at from event e
  where e.id > $1 and e.id <= $2 and e.timeline_id is not null
  on conflict (event_id, timeline_id) do nothing`;
