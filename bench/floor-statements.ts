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
      insert into event_timeline_refs (event_id, timeline_id, event_date)
      select e.id, l.id, e.event_date from e cross join unnest($4::int[]) as l(id)
    )
    select e.id, pg_notify($5, json_build_object('e', e.id, 't', $4::int[])::text) from e`,
};
