import type pg from 'pg';
import { BENCH_USERS, TAG_NAMES, WINDOW_SPAN_MS, type Dataset } from './workload';

export { BENCH_USERS };
/** The session of the token every benchmark request carries (user 1's): the service accepts tokens of stored sessions only. */
export const BENCH_SESSION_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Fills a migrated (V2) database with set-based SQL: `BENCH_USERS` users, `timelines` timelines named
 * `Tag<i>` (types as `seededType` says), `events` events homed on the hot timelines and listed on two more
 * (another hot one and one anywhere in the table), then ANALYZE so plans match a long-running database.
 */
export async function seedDataset(db: pg.Client, dataset: Dataset): Promise<void> {
  const { timelines, events, hot } = dataset;
  const allHashtags = Math.max(hot, TAG_NAMES);
  await db.query(`insert into "user" (id, username, password_hash)
    select i, 'bench_user_' || i, null from generate_series(1, ${BENCH_USERS}) i`);
  await db.query(`insert into user_session (id, user_id, expires_at) values ($1, 1, now() + interval '2 days')`, [BENCH_SESSION_ID]);
  await db.query(`insert into timeline (id, name, timeline_type, visibility, requires_approval, created_by, created_at)
    select i, 'Tag' || i, kind, case when kind = 'personal' then 'private' else 'public' end, false,
      1 + i % ${BENCH_USERS}, timestamp '2025-01-01' + interval '1 second' * i
    from generate_series(1, ${timelines}) i,
      lateral (select case when i <= ${allHashtags} then 'hashtag' when i % 10 = 0 then 'community'
        when i % 10 = 5 then 'personal' else 'hashtag' end as kind) k`);
  await db.query(`insert into event (id, title, description, event_date, type, tags, timeline_id, created_by, created_at)
    select i, 'Event ' || i, 'Seeded event number ' || i, timestamp '2026-01-01' - interval '1 minute' * i, 'remark',
      array['Tag' || (1 + (i + ${hot / 2}) % ${hot})], 1 + i % ${hot}, 1 + i % ${BENCH_USERS},
      timestamp '2026-01-01' - interval '1 minute' * i
    from generate_series(1, ${events}) i`);
  await db.query(`insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
    select e.id, l.timeline_id, e.event_date, case when l.timeline_id = e.timeline_id then 'home' when t.timeline_type = 'hashtag' then 'tag' else 'share' end
    from event e
    cross join lateral (values (e.timeline_id), (1 + (e.id + ${hot / 2}) % ${hot}),
      (${hot} + 1 + (e.id * 7919) % ${timelines - hot})) l(timeline_id)
    join timeline t on t.id = l.timeline_id`);
  for (const table of ['user', 'timeline', 'event']) {
    await db.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), (select max(id) from "${table}"))`);
  }
  await db.query('vacuum analyze');
}

/**
 * Fills a migrated database for the window scenarios: timeline `i` (1..sizes.length) is the public hashtag
 * `Window<size>` with `sizes[i - 1]` listed events spread evenly over 30 years from 1996-01-01. Each event is
 * homed on a community and listed there too: one in ten on the private `WindowClub`, which user 1 (the
 * benchmark's viewer) does not belong to, so that counts and pages must leave those out (SPEC section 5).
 */
export async function seedWindows(db: pg.Client, sizes: readonly number[]): Promise<void> {
  await db.query(`insert into "user" (id, username, password_hash)
    select i, 'bench_user_' || i, null from generate_series(1, ${BENCH_USERS}) i`);
  await db.query(`insert into user_session (id, user_id, expires_at) values ($1, 1, now() + interval '2 days')`, [BENCH_SESSION_ID]);
  const open = sizes.length + 1;
  const club = sizes.length + 2;
  await db.query(`insert into timeline (id, name, timeline_type, visibility, requires_approval, created_by)
    select i, 'Window' || ($1::int[])[i], 'hashtag', 'public', false, 2 from generate_series(1, ${sizes.length}) i
    union all values (${open}, 'WindowHome', 'community', 'public', false, 2), (${club}, 'WindowClub', 'community', 'private', false, 2)`, [sizes]);
  await db.query(`insert into timeline_member (timeline_id, user_id, role, state) values (${open}, 2, 'admin', 'active'), (${club}, 2, 'admin', 'active')`);
  for (const [i, size] of sizes.entries()) {
    await db.query(`with e as (
        insert into event (title, event_date, type, tags, timeline_id, created_by)
        select 'Window event ' || j, timestamp '1996-01-01' + interval '1 millisecond' * floor(j::float8 * ${WINDOW_SPAN_MS} / ${size}),
          'remark', array['Window${size}'], case when j % 10 = 0 then ${club} else ${open} end, 2
        from generate_series(1, ${size}) j
        returning id, event_date, timeline_id
      )
      insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
      select id, timeline_id, event_date, 'home' from e union all select id, ${i + 1}, event_date, 'tag' from e`);
  }
  for (const table of ['user', 'timeline', 'event']) {
    await db.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), (select max(id) from "${table}"))`);
  }
  await db.query('vacuum analyze');
}

export interface LegacySize {
  timelines: number;
  events: number;
}

/**
 * Fills a V1 (legacy) database as the Flask app left it: names with their prefixes, type strings in
 * mixed case, events with a home timeline and one more reference. Nothing in it breaks the V2 rules, so
 * the chain runs to the end.
 */
export async function seedLegacy(db: pg.Client, size: LegacySize): Promise<void> {
  await db.query(`insert into "user" (id, username) select i, 'legacy_user_' || i from generate_series(1, ${BENCH_USERS}) i`);
  await db.query(`insert into timeline (id, name, timeline_type, visibility, created_by, created_at)
    select i, case i % 4 when 0 then '#Legacy' when 1 then 'i-Legacy' when 2 then 'My-Legacy' else 'Legacy' end || i,
      case i % 4 when 0 then 'Hashtag' when 1 then 'community' when 2 then 'PERSONAL' else 'hashtag' end,
      'public', 1 + i % ${BENCH_USERS}, timestamp '2020-01-01' + interval '1 second' * i
    from generate_series(1, ${size.timelines}) i`);
  await db.query(`insert into event (id, title, event_date, timeline_id, created_by)
    select i, 'Legacy event ' || i, timestamp '2020-01-01' + interval '1 minute' * i,
      1 + (i * 13) % ${size.timelines}, 1 + i % ${BENCH_USERS}
    from generate_series(1, ${size.events}) i`);
  await db.query(`insert into event_timeline_refs (event_id, timeline_id)
    select i, 1 + (i * 31) % ${size.timelines} from generate_series(1, ${size.events}) i`);
  for (const table of ['user', 'timeline', 'event']) {
    await db.query(`select setval(pg_get_serial_sequence('"${table}"', 'id'), (select max(id) from "${table}"))`);
  }
  await db.query('vacuum analyze');
}
