/**
 * The floor's own SQL, written for these three requests only, each a named prepared statement. Name
 * lookups repeat the unique indexes' expression `upper(name collate "und-x-icu")` and their type literal,
 * so that PostgreSQL plans them as probes of `timeline_public_name_unique` / `timeline_personal_name_unique`.
 */
export interface Statement {
  name: string;
  text: string;
}

const FOLD = (column: string) => `upper(${column} collate "und-x-icu")`;

const ACTIVE_MEMBER = (timeline: string, viewer: string) =>
  `exists (select from timeline_member m where m.timeline_id = ${timeline}.id and m.user_id = ${viewer} and m.state = 'active')`;

/**
 * Whether `timeline` is visible to the viewer (null: anonymous): a personal one to its owner and the
 * viewers they granted, a private community to its active members, hashtags (always public) and public
 * communities to everyone.
 */
const VISIBLE = (timeline: string, viewer: string) => `(case ${timeline}.timeline_type
  when 'personal' then ${timeline}.created_by = ${viewer}
    or exists (select from timeline_viewer v where v.timeline_id = ${timeline}.id and v.user_id = ${viewer})
  when 'community' then ${timeline}.visibility = 'public' or ${ACTIVE_MEMBER(timeline, viewer)}
  else true end) is true`;

const LOOKUP_COLUMNS = 't.id, t.name, t.created_at';

export const LOOKUP = {
  hashtag: {
    name: 'floor.lookup.hashtag',
    text: `select ${LOOKUP_COLUMNS} from timeline t
      where ${FOLD('t.name')} = ${FOLD('$1::text')} and t.timeline_type = 'hashtag'`,
  },
  community: {
    name: 'floor.lookup.community',
    text: `select ${LOOKUP_COLUMNS} from timeline t
      where ${FOLD('t.name')} = ${FOLD('$1::text')} and t.timeline_type = 'community'
        and (t.visibility = 'public' or ${ACTIVE_MEMBER('t', '$2::int')})`,
  },
  personal: {
    name: 'floor.lookup.personal',
    text: `select ${LOOKUP_COLUMNS} from timeline t
      where ${FOLD('t.name')} = ${FOLD('$1::text')} and t.timeline_type = 'personal' and t.created_by = $2::int`,
  },
} satisfies Record<string, Statement>;

/**
 * A visible timeline with its newest 21 listed events (one more than the page, to tell whether another
 * follows): one keyset scan of `event_timeline_refs_listing_idx`, newest first. An event listed here but
 * homed elsewhere shows only if its home is visible; no row at all when the timeline is not.
 */
export const PAGE: Statement = {
  name: 'floor.page',
  text: `select t.id, t.name, p.id as "eventId", p.title, p.event_date as "eventDate", p.tags
    from timeline t
    left join lateral (
      select e.id, e.title, e.event_date, e.tags, r.event_date as listed_at
      from event_timeline_refs r join event e on e.id = r.event_id
      where r.timeline_id = t.id
        and (e.timeline_id is null or e.timeline_id = t.id
          or exists (select from timeline h where h.id = e.timeline_id and ${VISIBLE('h', '$2::int')}))
      order by r.event_date desc, r.event_id desc
      limit 21
    ) p on true
    where t.id = $1 and ${VISIBLE('t', '$2::int')}
    order by p.listed_at desc, p.id desc`,
};

/** Each name's folded key and its hashtag timeline, when there is one. */
export const FOLD_AND_FIND: Statement = {
  name: 'floor.foldAndFind',
  text: `select n.name, ${FOLD('n.name')} as folded, t.id
    from unnest($1::text[]) as n(name)
    left join timeline t on ${FOLD('t.name')} = ${FOLD('n.name')} and t.timeline_type = 'hashtag'`,
};

/**
 * The missing hashtag timelines, inserted in folded-key order (two writers wait on each other's rows in one
 * order: no deadlock). The conflict target is `timeline_public_name_unique` written out, as PostgreSQL
 * requires; names a concurrent writer took are skipped and not returned.
 */
export const INSERT_HASHTAGS: Statement = {
  name: 'floor.insertHashtags',
  text: `insert into timeline as t (name, timeline_type, visibility, requires_approval, created_by)
    select n.name, 'hashtag', 'public', false, $2::int from unnest($1::text[]) as n(name)
    order by ${FOLD('n.name')}
    on conflict (${FOLD('name')}, timeline_type) where timeline_type in ('hashtag', 'community') do nothing
    returning t.id, ${FOLD('t.name')} as folded`,
};

/**
 * The event, its listings and one notification (`{"e": event, "t": [timelines]}`, sent on commit), in one
 * statement. The floor's channel has no listener.
 */
export const INSERT_EVENT: Statement = {
  name: 'floor.insertEvent',
  text: `with e as (
      insert into event (title, event_date, type, tags, created_by)
      values ($1, now() at time zone 'UTC', 'remark', $2::text[], $3::int)
      returning id, event_date
    ), listed as (
      insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
      select e.id, l.id, e.event_date, 'tag' from e cross join unnest($4::int[]) as l(id)
    )
    select e.id, pg_notify($5, json_build_object('e', e.id, 't', $4::int[])::text) from e`,
};

/**
 * `updateEvent`'s retagging, first statement: the event under its row lock (edits and deletes of one event
 * serialise on it) with what the answer depends on (its creator, whether the viewer sees it, whether its home is
 * personal, its text for inline tags), and each new tag's folded key and hashtag timeline.
 */
export const LOCK_AND_FIND: Statement = {
  name: 'floor.lockAndFind',
  text: `select e.created_by, e.title, e.description, h.timeline_type as home_type,
      (e.timeline_id is null or ${VISIBLE('h', '$2::int')}) as visible,
      (select json_agg(json_build_object('name', n.name, 'folded', ${FOLD('n.name')}, 'id', t.id))
       from unnest($3::text[]) as n(name)
       left join timeline t on ${FOLD('t.name')} = ${FOLD('n.name')} and t.timeline_type = 'hashtag') as found
    from event e left join timeline h on h.id = e.timeline_id
    where e.id = $1
    for update of e`,
};

/**
 * The event's new tags and its tag listings set to `$3` (dropped ones deleted, new ones inserted), with one
 * notification per kind of change (`{"e": event, "t": [timelines]}`; the floor's channels have no listener).
 */
export const RETAG: Statement = {
  name: 'floor.retag',
  text: `with e as (
      update event set tags = $2::text[] where id = $1 returning id, event_date, tags
    ), dropped as (
      delete from event_timeline_refs r where r.event_id = $1 and r.kind = 'tag' and r.timeline_id <> all($3::int[])
      returning r.timeline_id
    ), added as (
      insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
      select $1, l.id, e.event_date, 'tag' from e cross join unnest($3::int[]) as l(id)
      where not exists (select from event_timeline_refs r where r.event_id = $1 and r.timeline_id = l.id)
      returning timeline_id
    ), kept as (
      select r.timeline_id from event_timeline_refs r where r.event_id = $1 and (r.kind <> 'tag' or r.timeline_id = any($3::int[]))
    )
    select e.tags,
      pg_notify($4 || '_added', json_build_object('e', e.id, 't', (select array_agg(timeline_id) from added))::text),
      pg_notify($4 || '_removed', json_build_object('e', e.id, 't', (select array_agg(timeline_id) from dropped))::text),
      pg_notify($4 || '_updated', json_build_object('e', e.id, 't', (select array_agg(timeline_id) from kept))::text)
    from e`,
};

/**
 * The listings `r` of visible events on timeline `t` in the window `low <= event_date < high` (timestamp text):
 * the floor's own predicate for the three window requests, one range scan of the listing index. Each
 * statement returns no row when timeline `$1` is not visible to viewer `$2`.
 */
const inWindow = (low: string, high: string) => `from event_timeline_refs r join event e on e.id = r.event_id
      where r.timeline_id = t.id and r.event_date >= ${low}::timestamp and r.event_date < ${high}::timestamp
        and (e.timeline_id is null or e.timeline_id = t.id
          or exists (select from timeline h where h.id = e.timeline_id and ${VISIBLE('h', '$2::int')}))`;
const IN_WINDOW = inWindow('$3', '$4');

/**
 * Counts and histograms read the service's maintained per-day counts (`event_day_count`, kept by the schema's
 * triggers) for the whole days `$5 <= day < $6` and the listings for the partial days `[$3, $5)` and `[$6, $4)`
 * (the caller cuts the window at UTC midnights): the same table, so that the ratio compares like with like.
 */
const WHOLE_DAYS = `select c.day::timestamp as day, c.count from event_day_count c
      where c.timeline_id = t.id and c.day >= $5::date and c.day < $6::date
        and (c.hidden_home = 0 or exists (select from timeline h where h.id = c.hidden_home and ${VISIBLE('h', '$2::int')}))`;
const EDGES = `select r.event_date as day, 1 as count ${inWindow('$3', '$5')} union all select r.event_date, 1 ${inWindow('$6', '$4')}`;

/** The newest 21 events of the window (one more than the page); one row with a null id when it is empty. */
export const WINDOW_PAGE: Statement = {
  name: 'floor.windowPage',
  text: `select p.id, p.title, p.event_date as "eventDate" from timeline t
    left join lateral (
      select e.id, e.title, r.event_date ${IN_WINDOW}
      order by r.event_date desc, r.event_id desc
      limit 21
    ) p on true
    where t.id = $1 and ${VISIBLE('t', '$2::int')}
    order by p.event_date desc, p.id desc`,
};

export const WINDOW_COUNT: Statement = {
  name: 'floor.windowCount',
  text: `select (select coalesce(sum(d.count), 0)::int from (${WHOLE_DAYS} union all ${EDGES}) d) as count
    from timeline t where t.id = $1 and ${VISIBLE('t', '$2::int')}`,
};

/** Per `date_trunc($7)` bin (UTC, weeks from Monday), oldest first; one row with a null start when it is empty. */
export const WINDOW_HISTOGRAM: Statement = {
  name: 'floor.windowHistogram',
  text: `select b.start, b.count from timeline t
    left join lateral (select date_trunc($7::text, d.day) as start, sum(d.count)::int as count from (${WHOLE_DAYS} union all ${EDGES}) d
      group by 1 having sum(d.count) > 0) b on true
    where t.id = $1 and ${VISIBLE('t', '$2::int')}
    order by b.start`,
};
