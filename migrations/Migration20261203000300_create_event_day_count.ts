import { batches, constraintInfo, exists, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Per-day counts of each timeline's listings (SPEC section 11: `eventCount` and `eventHistogram` at a cost that does
 * not grow with the window's events). One row per (timeline, UTC day of `event_date`, hidden home, shard):
 * - `hidden_home` is the event's home when the listing is not on its home and that home is not visible to
 *   everyone (a private community, a personal timeline), else 0: a reader adds the rows of homes it may see;
 * - `shard` is the writing backend's `pg_backend_pid() % 64`, so that concurrent writers of one hot tag-day do not
 *   queue on one row lock until commit; a shard's count may go negative (a listing added on one shard, removed on
 *   another), the sum over shards is exact.
 * Statement-level triggers with transition tables on `event_timeline_refs` keep it in the transaction of every
 * listing change (ingestion, edits, shares, deletes, backfills, old writers alike), with no statement of their own
 * in a request's count; a trigger on `timeline` moves the rows of a community whose visibility changes.
 *
 * The backfill and the triggers must neither miss nor double count a listing written while the backfill runs. A
 * one-row table `event_day_count_backfill` holds `upto`: the triggers count only listings with `event_id <= upto`,
 * under `FOR SHARE` of that row (held to the writer's commit); a batch `(a, b]` first sets `upto = b` (its row lock
 * waits for every writer holding the share lock, and blocks new ones until the batch commits), then, in a new
 * statement and so a new snapshot, adds up the listings of events `(a, b]` as they are then. A listing change
 * committed before the batch took the lock is in the batch's snapshot and was not counted by its trigger
 * (`event_id > upto` then); one after it sees `upto >= b` and is counted by its trigger, not by the batch. The last
 * step raises `upto` to the largest int the same way, counts the remainder and replaces the functions with their
 * plain versions (no `upto`, no lock); the mark is dropped in a step of its own.
 */

/** Whether timeline `t` is hidden from someone: visible to everyone are hashtags and public communities. */
const HIDDEN = (t: string) => `not coalesce(${t}.timeline_type <> 'personal' and ${t}.visibility = 'public', false)`;

const SHARD = 'pg_backend_pid() % 64';

/** Adds the `delta` rows (timeline_id, day, hidden_home, n) to the writer's shard, in key order (no deadlocks). */
const UPSERT = (delta: string) =>
  `insert into event_day_count as c (timeline_id, day, hidden_home, shard, count)
   select d.timeline_id, d.day, d.hidden_home, ${SHARD}, sum(d.n) from (${delta}) d
   group by d.timeline_id, d.day, d.hidden_home having sum(d.n) <> 0
   order by d.timeline_id, d.day, d.hidden_home
   on conflict (timeline_id, day, hidden_home, shard) do update set count = c.count + excluded.count`;

/** `upto` under FOR SHARE while the backfill runs; every listing once it is done. */
const UPTO = { backfill: `(select upto from event_day_count_backfill for share)`, done: `2147483647` };

/**
 * The listings of transition table `table`, signed, with the home of their event. The home of a listing whose
 * event is already gone (`deleteEvent` removes the listings and the event in one statement) is the timeline of its
 * `home` listing, removed in the same statement (a window over the table: no join of it with itself).
 */
const SOURCE = {
  added: `select r.event_id, r.timeline_id, r.event_date, e.timeline_id as home, 1 as n from added r join event e on e.id = r.event_id`,
  gone: `select r.event_id, r.timeline_id, r.event_date,
      coalesce(e.timeline_id, max(case when r.kind = 'home' then r.timeline_id end) over (partition by r.event_id)) as home, -1 as n
    from gone r left join event e on e.id = r.event_id`,
};

/**
 * One trigger function per change, over `sources`. Homes are locked `FOR KEY SHARE` first, so that a visibility
 * change (which locks them `FOR UPDATE` before moving rows) and this change serialise, and the hidden-ness read
 * after it, in a new statement, is the current one.
 */
function listingFunction(name: string, sources: (keyof typeof SOURCE)[], phase: keyof typeof UPTO): string {
  const rows = `select * from (${sources.map((source) => SOURCE[source]).join(' union all ')}) r where r.event_id <= upto`;
  return `create or replace function ${name}() returns trigger language plpgsql as $fn$
    declare upto int := ${UPTO[phase]};
    begin
      perform 1 from timeline h where h.id in (select r.home from (${rows}) r where r.home <> r.timeline_id) order by h.id for key share;
      ${UPSERT(`select r.timeline_id, r.event_date::date as day,
          case when r.timeline_id <> h.id and ${HIDDEN('h')} then h.id else 0 end as hidden_home, r.n
        from (${rows}) r left join timeline h on h.id = r.home`)};
      return null;
    end $fn$`;
}

/** A community whose visibility changed: its events' listings elsewhere move between `hidden_home` 0 and its id. */
function visibilityFunction(phase: keyof typeof UPTO): string {
  return `create or replace function event_day_count_visibility() returns trigger language plpgsql as $fn$
    declare upto int := ${UPTO[phase]};
    begin
      perform 1 from timeline t where t.id in (
        select a.id from after_update a join before_update b on b.id = a.id where (${HIDDEN('a')}) <> (${HIDDEN('b')}))
      order by t.id for update;
      ${UPSERT(`select r.timeline_id, r.event_date::date as day, k.hidden_home, k.n * count(*) as n
        from after_update a join before_update b on b.id = a.id
        join event e on e.timeline_id = a.id
        join event_timeline_refs r on r.event_id = e.id and r.timeline_id <> a.id
        cross join lateral (values (case when ${HIDDEN('b')} then b.id else 0 end, -1),
                                   (case when ${HIDDEN('a')} then a.id else 0 end, 1)) as k(hidden_home, n)
        where (${HIDDEN('a')}) <> (${HIDDEN('b')}) and r.event_id <= upto
        group by r.timeline_id, r.event_date::date, k.hidden_home, k.n`)};
      return null;
    end $fn$`;
}

function functions(phase: keyof typeof UPTO): string[] {
  return [
    listingFunction('event_day_count_added', ['added'], phase),
    listingFunction('event_day_count_removed', ['gone'], phase),
    listingFunction('event_day_count_changed', ['gone', 'added'], phase),
    visibilityFunction(phase),
  ];
}

const BACKFILL_FUNCTION = `create or replace function event_day_count_backfill_batch(above int, upto int) returns void language plpgsql as $fn$
  begin
    update event_day_count_backfill set upto = event_day_count_backfill_batch.upto;
    insert into event_day_count as c (timeline_id, day, hidden_home, shard, count)
    select r.timeline_id, r.event_date::date, case when r.timeline_id <> h.id and ${HIDDEN('h')} then h.id else 0 end, 0, count(*)
    from event_timeline_refs r join event e on e.id = r.event_id left join timeline h on h.id = e.timeline_id
    where r.event_id > above and r.event_id <= event_day_count_backfill_batch.upto
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (timeline_id, day, hidden_home, shard) do update set count = c.count + excluded.count;
  end $fn$`;

const TRIGGERS = [
  'drop trigger if exists event_day_count_added on event_timeline_refs',
  'create trigger event_day_count_added after insert on event_timeline_refs referencing new table as added for each statement execute function event_day_count_added()',
  'drop trigger if exists event_day_count_removed on event_timeline_refs',
  'create trigger event_day_count_removed after delete on event_timeline_refs referencing old table as gone for each statement execute function event_day_count_removed()',
  'drop trigger if exists event_day_count_changed on event_timeline_refs',
  `create trigger event_day_count_changed after update on event_timeline_refs referencing old table as gone new table as added
   for each statement execute function event_day_count_changed()`,
  'drop trigger if exists event_day_count_visibility on timeline',
  `create trigger event_day_count_visibility after update on timeline referencing old table as before_update new table as after_update
   for each statement execute function event_day_count_visibility()`,
  `create or replace function event_day_count_timeline_deleted() returns trigger language plpgsql as $fn$
   begin delete from event_day_count c using gone g where c.timeline_id = g.id; return null; end $fn$`,
  'drop trigger if exists event_day_count_timeline_deleted on timeline',
  `create trigger event_day_count_timeline_deleted after delete on timeline referencing old table as gone
   for each statement execute function event_day_count_timeline_deleted()`,
];

export class Migration20261203000300_create_event_day_count extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'create table event_day_count, its backfill mark and the triggers that keep it',
        `create table if not exists event_day_count (
          timeline_id int not null,
          day date not null,
          hidden_home int not null,
          shard smallint not null,
          count int not null,
          constraint event_day_count_pkey primary key (timeline_id, day, hidden_home, shard))`,
        'create table if not exists event_day_count_backfill (upto int not null)',
        'insert into event_day_count_backfill (upto) select 0 where not exists (select 1 from event_day_count_backfill)',
        BACKFILL_FUNCTION,
        ...functions('backfill'),
        ...TRIGGERS,
      ),
      batches('backfill event_day_count', 'event', 'select event_day_count_backfill_batch($1, $2)'),
      transaction(
        'count the listings of events added since, and keep every listing counted from now on',
        `select event_day_count_backfill_batch(upto, 2147483647) from event_day_count_backfill`,
        ...functions('done'),
      ),
      // Apart: a writer still in a function of the backfill's version waits on the mark's row lock while holding
      // a lock on its table, which DROP TABLE would wait for in turn.
      transaction(
        'drop the backfill mark',
        'drop function if exists event_day_count_backfill_batch(int, int)',
        'drop table if exists event_day_count_backfill',
      ),
    ];
  }

  /** The counts are derived from the listings: dropping them loses nothing (going up again counts them anew). */
  downSteps(): Step[] {
    return [
      transaction(
        'drop the triggers, their functions and table event_day_count',
        'drop trigger if exists event_day_count_added on event_timeline_refs',
        'drop trigger if exists event_day_count_removed on event_timeline_refs',
        'drop trigger if exists event_day_count_changed on event_timeline_refs',
        'drop trigger if exists event_day_count_visibility on timeline',
        'drop trigger if exists event_day_count_timeline_deleted on timeline',
        'drop function if exists event_day_count_added()',
        'drop function if exists event_day_count_removed()',
        'drop function if exists event_day_count_changed()',
        'drop function if exists event_day_count_visibility()',
        'drop function if exists event_day_count_timeline_deleted()',
        'drop function if exists event_day_count_backfill_batch(int, int)',
        'drop table if exists event_day_count_backfill',
        'drop table if exists event_day_count',
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const problems: string[] = [];
    if (!(await constraintInfo(db, 'event_day_count_pkey'))) problems.push('table event_day_count does not exist');
    if (await exists(db, `select 1 from pg_class where relname = 'event_day_count_backfill'`)) problems.push('the event_day_count backfill did not finish');
    return problems;
  }
}
